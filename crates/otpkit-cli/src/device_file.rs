//! The device file: one enrolled TOTP device, its secret and its verifier state.
//!
//! # Format (`otpkit-device/1`)
//!
//! UTF-8 text, one `key=value` per line; lines starting with `#` and blank lines are
//! ignored; every key appears exactly once; unknown keys are an error (a newer file
//! is never half-understood). The value is everything after the first `=`.
//!
//! ```text
//! # otpkit device file: a TOTP secret and its verifier state. Keep it private.
//! format=otpkit-device/1
//! issuer=Example            (optional)
//! account=alice@example.com
//! algorithm=SHA1            (SHA1, SHA256 or SHA512)
//! digits=6                  (6 to 10)
//! period=30                 (seconds)
//! secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ   (canonical Base32)
//! state=...                 (otpkit::verifier::DeviceState::encode)
//! ```
//!
//! # Sealed secrets (`otpkit-device/2`)
//!
//! Written with `--seal-key-file`, the file says `format=otpkit-device/2` and holds
//! `sealed-secret=otps1.KEYID.DATA` instead of `secret=`: the secret sealed with
//! AES-256-GCM under the server key (`otpkit_store::seal`), bound to the file's
//! account name, so it opens only with the key and only for that account. Every
//! other line is as in `/1`. Unsealed files are still written and read as `/1`; a
//! sealed file read without the key is refused with an error naming
//! `--seal-key-file`. A file sealed with an older key of the key file is re-sealed
//! with the first key when it is next saved.
//!
//! # Where it is kept
//!
//! The file is read and written through [`crate::safe_file`]: atomically, mode 0600,
//! under a lock on the file itself for read-modify-write cycles; symbolic links,
//! hard-linked files and files over [`safe_file::MAX_STATE_LEN`] bytes are refused.

use std::path::Path;

use otpkit::{Algorithm, Digits, Period, Secret, Totp};
use otpkit_store::seal::{Keyring, SealedSecret};
use zeroize::Zeroizing;

use crate::error::CliError;
use crate::safe_file;

/// The `format=` value this version writes and reads.
pub const FORMAT: &str = "otpkit-device/1";
/// The `format=` value of a file whose secret is sealed.
pub const FORMAT_SEALED: &str = "otpkit-device/2";

/// One enrolled device.
pub struct DeviceFile {
    /// The service name shown in the authenticator app.
    pub issuer: Option<String>,
    /// The account name shown in the authenticator app.
    pub account: String,
    /// The HMAC hash.
    pub algorithm: Algorithm,
    /// Code length.
    pub digits: Digits,
    /// TOTP period.
    pub period: Period,
    /// The shared secret.
    pub secret: Secret,
    /// The verifier's encoded device state (last accepted step, failures, lock-out).
    pub state: String,
    /// The secret as sealed in the file (`otpkit-device/2`), or `None` for a file that
    /// keeps it in Base32 (`/1`). Set by [`DeviceFile::seal`].
    pub sealed: Option<SealedSecret>,
}

impl DeviceFile {
    /// The TOTP generator this device's app runs.
    pub fn totp(&self) -> Totp {
        Totp::new(&self.secret, self.algorithm, self.digits, self.period)
    }

    /// Seals the secret with `keyring`'s current key, bound to the account name:
    /// from now on the file is written as `otpkit-device/2`. A secret already sealed
    /// with the current key is left as it is (the file does not change on every save).
    pub fn seal(&mut self, keyring: &Keyring) -> Result<(), CliError> {
        let current = self
            .sealed
            .as_ref()
            .and_then(|s| s.key_id().ok())
            .is_some_and(|id| id == keyring.current_key_id());
        if !current {
            let sealed = keyring
                .seal(&self.account, &self.secret)
                .map_err(|e| CliError::state(format_args!("cannot seal the secret: {e}")))?;
            self.sealed = Some(sealed);
        }
        Ok(())
    }

    /// The file's text. It contains the secret, so it is wiped when dropped.
    pub fn to_text(&self) -> Zeroizing<String> {
        // Room for every line up front: the buffer never reallocates, so no copy of
        // the secret is left behind in freed memory.
        let capacity = 256usize
            .saturating_add(self.issuer.as_ref().map_or(0, String::len))
            .saturating_add(self.account.len())
            .saturating_add(self.state.len())
            .saturating_add(self.secret.len().saturating_mul(2));
        let mut out = Zeroizing::new(String::with_capacity(capacity));
        out.push_str(
            "# otpkit device file: a TOTP secret and its verifier state. Keep it private.\n",
        );
        let format = if self.sealed.is_some() {
            FORMAT_SEALED
        } else {
            FORMAT
        };
        push_line(&mut out, "format", format);
        if let Some(issuer) = &self.issuer {
            push_line(&mut out, "issuer", issuer);
        }
        push_line(&mut out, "account", &self.account);
        push_line(&mut out, "algorithm", self.algorithm.name());
        push_line(&mut out, "digits", &self.digits.get().to_string());
        push_line(&mut out, "period", &self.period.seconds().to_string());
        match &self.sealed {
            Some(sealed) => push_line(&mut out, "sealed-secret", sealed.as_str()),
            None => push_line(
                &mut out,
                "secret",
                &crate::secrets::base32_text(&self.secret, false),
            ),
        }
        push_line(&mut out, "state", &self.state);
        out
    }

    /// Reads the file's text. Errors name the line and key, never a value.
    #[cfg(test)]
    pub fn parse(text: &str) -> Result<Self, CliError> {
        Self::parse_with(text, None)
    }

    /// Reads the file's text, opening a sealed secret with `keyring`. Errors name
    /// the line and key, never a value.
    pub fn parse_with(text: &str, keyring: Option<&Keyring>) -> Result<Self, CliError> {
        let mut fields = Fields::default();
        for (index, line) in text.lines().enumerate() {
            let number = index.saturating_add(1);
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                return Err(corrupt(format_args!("line {number} has no '='")));
            };
            let slot = match key {
                "format" => &mut fields.format,
                "issuer" => &mut fields.issuer,
                "account" => &mut fields.account,
                "algorithm" => &mut fields.algorithm,
                "digits" => &mut fields.digits,
                "period" => &mut fields.period,
                "secret" => &mut fields.secret,
                "sealed-secret" => &mut fields.sealed,
                "state" => &mut fields.state,
                _ => return Err(corrupt(format_args!("unknown key on line {number}"))),
            };
            if slot.is_some() {
                return Err(corrupt(format_args!(
                    "key '{key}' repeated on line {number}"
                )));
            }
            *slot = Some(Zeroizing::new(value.to_owned()));
        }
        let format = required(fields.format, "format")?;
        let sealed_format = match format.as_str() {
            FORMAT => false,
            FORMAT_SEALED => true,
            _ => {
                return Err(corrupt(format_args!(
                    "unsupported format (this otpkit reads {FORMAT} and {FORMAT_SEALED})"
                )));
            }
        };
        let algorithm = required(fields.algorithm, "algorithm")?
            .parse::<Algorithm>()
            .map_err(|e| corrupt(format_args!("algorithm: {e}")))?;
        let digits = required(fields.digits, "digits")?
            .parse::<u8>()
            .map_err(|_| corrupt("digits: not a number from 6 to 10"))
            .and_then(|n| Digits::new(n).map_err(|e| corrupt(format_args!("digits: {e}"))))?;
        let period = required(fields.period, "period")?
            .parse::<u64>()
            .map_err(|_| corrupt("period: not a number of seconds"))
            .and_then(|n| Period::new(n).map_err(|e| corrupt(format_args!("period: {e}"))))?;
        let account = required(fields.account, "account")?.to_string();
        let (secret, sealed) = if sealed_format {
            if fields.secret.is_some() {
                return Err(corrupt(format!(
                    "a {FORMAT_SEALED} file has a 'sealed-secret' line, not 'secret'"
                )));
            }
            let sealed =
                SealedSecret::from_stored(required(fields.sealed, "sealed-secret")?.to_string());
            let Some(keyring) = keyring else {
                return Err(CliError::state(
                    "the state file's secret is sealed: give its key with --seal-key-file \
                     FILE (or OTPKIT_SEAL_KEY_FILE / OTPKIT_SEAL_KEY)",
                ));
            };
            let secret = keyring.open(&account, &sealed).map_err(|e| {
                CliError::state(format_args!(
                    "cannot open the state file's sealed secret: {e}"
                ))
            })?;
            (secret, Some(sealed))
        } else {
            if fields.sealed.is_some() {
                return Err(corrupt(format!(
                    "a 'sealed-secret' line needs format={FORMAT_SEALED}"
                )));
            }
            let secret = Secret::from_base32(&required(fields.secret, "secret")?)
                .map_err(|e| corrupt(format_args!("secret: {}", crate::secrets::message(&e))))?;
            (secret, None)
        };
        Ok(DeviceFile {
            issuer: fields.issuer.map(|s| s.to_string()),
            account,
            algorithm,
            digits,
            period,
            secret,
            state: required(fields.state, "state")?.to_string(),
            sealed,
        })
    }
}

#[derive(Default)]
struct Fields {
    format: Option<Zeroizing<String>>,
    issuer: Option<Zeroizing<String>>,
    account: Option<Zeroizing<String>>,
    algorithm: Option<Zeroizing<String>>,
    digits: Option<Zeroizing<String>>,
    period: Option<Zeroizing<String>>,
    secret: Option<Zeroizing<String>>,
    sealed: Option<Zeroizing<String>>,
    state: Option<Zeroizing<String>>,
}

fn required(value: Option<Zeroizing<String>>, key: &str) -> Result<Zeroizing<String>, CliError> {
    value.ok_or_else(|| corrupt(format_args!("the '{key}' line is missing")))
}

fn corrupt(detail: impl std::fmt::Display) -> CliError {
    CliError::state(format_args!(
        "the state file is not a valid device file: {detail}"
    ))
}

fn push_line(out: &mut String, key: &str, value: &str) {
    out.push_str(key);
    out.push('=');
    out.push_str(value);
    out.push('\n');
}

/// A value that can be stored on one line of the device file.
pub fn check_field(name: &str, value: &str) -> Result<(), CliError> {
    if value.chars().any(char::is_control) {
        return Err(CliError::usage(format_args!(
            "the {name} must not contain control characters such as newlines"
        )));
    }
    Ok(())
}

/// Reads and parses the device file at `path` ([`safe_file::read`]: no symbolic link,
/// no hard-linked file, at most [`safe_file::MAX_STATE_LEN`] bytes). A sealed secret
/// is opened with `keyring` (and refused without one).
pub fn read(path: &Path, keyring: Option<&Keyring>) -> Result<DeviceFile, CliError> {
    let bytes = safe_file::read(path)?.ok_or_else(|| {
        CliError::state(format_args!(
            "no state file at {} (create one with `otpkit enroll`)",
            path.display()
        ))
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|_| corrupt("the file is not UTF-8 text"))?;
    DeviceFile::parse_with(text, keyring)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> DeviceFile {
        DeviceFile {
            issuer: Some("Example Co".into()),
            account: "alice@example.com".into(),
            algorithm: Algorithm::Sha256,
            digits: Digits::EIGHT,
            period: Period::new(60).unwrap(),
            secret: Secret::from_bytes(b"12345678901234567890").unwrap(),
            state: "v1:abc".into(),
            sealed: None,
        }
    }

    fn ring(id: &str, byte: u8) -> Keyring {
        Keyring::new(otpkit_store::seal::SealingKey::new(id, [byte; 32]).unwrap())
    }

    #[test]
    fn sealed_file_round_trips_only_with_its_key() {
        let mut d = sample();
        d.seal(&ring("k1", 1)).unwrap();
        let text = d.to_text();
        assert!(text.contains("format=otpkit-device/2\n"), "{}", *text);
        assert!(text.contains("sealed-secret=otps1.k1."), "{}", *text);
        assert!(!text.contains("GEZD"), "the secret is in the clear");
        let back = DeviceFile::parse_with(&text, Some(&ring("k1", 1))).unwrap();
        assert_eq!(back.secret, sample().secret);
        assert_eq!(back.state, "v1:abc");
        // Saved again unchanged with the same key: the sealed text is kept.
        let mut again = back;
        again.seal(&ring("k1", 1)).unwrap();
        assert_eq!(again.to_text(), text);

        let e = DeviceFile::parse(&text).err().unwrap();
        assert!(e.message.contains("--seal-key-file"), "{}", e.message);
        let e = DeviceFile::parse_with(&text, Some(&ring("k1", 2)))
            .err()
            .unwrap();
        assert!(e.message.contains("does not open"), "{}", e.message);
        let e = DeviceFile::parse_with(&text, Some(&ring("k2", 1)))
            .err()
            .unwrap();
        assert!(e.message.contains("not in the keyring"), "{}", e.message);
        // Bound to the account: moved into another account's file, it does not open.
        let moved = text.replace("account=alice@example.com", "account=bob@example.com");
        let e = DeviceFile::parse_with(&moved, Some(&ring("k1", 1)))
            .err()
            .unwrap();
        assert!(e.message.contains("does not open"), "{}", e.message);
    }

    #[test]
    fn a_plain_file_reads_with_or_without_a_key_and_mixed_files_are_refused() {
        let plain = sample().to_text();
        assert!(DeviceFile::parse_with(&plain, Some(&ring("k1", 1))).is_ok());
        let mut d = sample();
        d.seal(&ring("k1", 1)).unwrap();
        let sealed = d.to_text();
        let line = sealed
            .lines()
            .find(|l| l.starts_with("sealed-secret="))
            .unwrap()
            .to_owned();
        let both = format!("{}{line}\n", *plain);
        assert!(DeviceFile::parse(&both).is_err());
        let both = format!("{}secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n", *sealed);
        assert!(DeviceFile::parse_with(&both, Some(&ring("k1", 1))).is_err());
    }

    #[test]
    fn a_rotated_key_reseals_on_save() {
        let mut d = sample();
        d.seal(&ring("old", 1)).unwrap();
        let rotated = Keyring::new(otpkit_store::seal::SealingKey::new("new", [2; 32]).unwrap())
            .with_old_key(otpkit_store::seal::SealingKey::new("old", [1; 32]).unwrap())
            .unwrap();
        let mut back = DeviceFile::parse_with(&d.to_text(), Some(&rotated)).unwrap();
        back.seal(&rotated).unwrap();
        assert!(back.to_text().contains("sealed-secret=otps1.new."));
        assert!(DeviceFile::parse_with(&back.to_text(), Some(&ring("new", 2))).is_ok());
    }

    #[test]
    fn round_trips() {
        let text = sample().to_text();
        let back = DeviceFile::parse(&text).unwrap();
        assert_eq!(back.issuer.as_deref(), Some("Example Co"));
        assert_eq!(back.account, "alice@example.com");
        assert_eq!(back.algorithm, Algorithm::Sha256);
        assert_eq!(back.digits, Digits::EIGHT);
        assert_eq!(back.period.seconds(), 60);
        assert_eq!(back.secret, sample().secret);
        assert_eq!(back.state, "v1:abc");
        assert!(text.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n"));
    }

    #[test]
    fn issuer_is_optional() {
        let mut d = sample();
        d.issuer = None;
        let back = DeviceFile::parse(&d.to_text()).unwrap();
        assert_eq!(back.issuer, None);
    }

    #[test]
    fn rejects_damage_without_echoing_values() {
        let good = sample().to_text();
        let cases = [
            (
                good.replace("format=otpkit-device/1", "format=v9"),
                "unsupported format",
            ),
            (good.replace("digits=8", "digits=5"), "digits"),
            (good.replace("period=60", "period=0"), "period"),
            (
                good.replace("algorithm=SHA256", "algorithm=MD5"),
                "algorithm",
            ),
            (good.replace("secret=GEZD", "secret=0EZD"), "secret"),
            (
                good.replace("state=v1:abc\n", ""),
                "'state' line is missing",
            ),
            (format!("{}color=blue\n", *good), "unknown key on line"),
            (format!("{}account=bob\n", *good), "repeated"),
            (format!("{}garbage\n", *good), "has no '='"),
        ];
        for (text, expected) in cases {
            let e = DeviceFile::parse(&text).err().unwrap();
            assert!(e.message.contains(expected), "{}", e.message);
            assert!(!e.message.contains("GEZD"), "{}", e.message);
        }
    }

    #[test]
    fn control_characters_are_refused() {
        assert!(check_field("account", "a\nb").is_err());
        assert!(check_field("account", "alice@example.com").is_ok());
    }

    #[test]
    fn read_names_a_missing_file_and_refuses_what_is_not_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device");
        let e = read(&path, None).err().unwrap();
        assert!(e.message.contains("no state file at"), "{}", e.message);
        std::fs::write(&path, sample().to_text().as_bytes()).unwrap();
        assert_eq!(read(&path, None).unwrap().secret, sample().secret);
        std::fs::write(&path, b"\xff\xfe").unwrap();
        let e = read(&path, None).err().unwrap();
        assert!(e.message.contains("not UTF-8"), "{}", e.message);
    }
}
