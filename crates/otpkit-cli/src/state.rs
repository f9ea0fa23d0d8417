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
//! # Safety of updates
//!
//! The file is written with mode 0600, atomically: a temporary file in the same
//! directory is created 0600, written, fsynced and renamed over the target (then the
//! directory is fsynced), so a crash leaves the old or the new file, never half of
//! one. Read-modify-write cycles (`verify`, `resync`, `enroll --force`) hold an
//! exclusive `flock` on the state file itself (see [`lock`]), so two concurrent
//! `verify` runs cannot both accept the same code, whatever name each was given. No
//! lock file is created. A state path that is a symbolic link, a file with more than
//! one hard link and a file over [`MAX_STATE_LEN`] bytes are refused.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use otpkit::{Algorithm, Digits, Period, Secret, Totp};
use zeroize::Zeroizing;

use otpkit_store::seal::{Keyring, SealedSecret};

use crate::error::CliError;

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

/// `path` with `suffix` appended to its file name (`dev.state` → `dev.state.tmp-1-0`).
fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// The directory `path` lives in (`.` for a bare file name).
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The largest state file read: a device file is a few hundred bytes, so anything
/// near this size was not written by otpkit and is refused before it is read.
pub const MAX_STATE_LEN: u64 = 64 * 1024;

/// An exclusive lock on the state file itself (its inode), released when dropped.
/// `None` when the file did not exist when the lock was taken (`enroll` creates it
/// without clobbering, so it needs no lock).
pub struct StateLock {
    _file: Option<File>,
}

/// Checks that `path` names a file otpkit will treat as a state file: not a symbolic
/// link, a regular file, one hard link, at most [`MAX_STATE_LEN`] bytes. `None` if
/// nothing is there.
fn check_path(path: &Path) -> Result<Option<fs::Metadata>, CliError> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(CliError::state(format_args!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    if meta.file_type().is_symlink() {
        return Err(CliError::state(format_args!(
            "{} is a symbolic link; give the path of the state file itself              (otpkit refuses symbolic links so that every run locks and replaces the same file)",
            path.display()
        )));
    }
    check_file(path, &meta)?;
    Ok(Some(meta))
}

/// The checks on an opened or stat'ed state file that do not depend on the path.
fn check_file(path: &Path, meta: &fs::Metadata) -> Result<(), CliError> {
    if !meta.is_file() {
        return Err(CliError::state(format_args!(
            "{} is not a regular file",
            path.display()
        )));
    }
    let links = link_count(meta);
    if links > 1 {
        return Err(CliError::state(format_args!(
            "{} has {links} hard links; a state file must have exactly one              (another name for it would fork its replay state), so remove the other links",
            path.display()
        )));
    }
    too_large(path, meta.len())
}

fn too_large(path: &Path, len: u64) -> Result<(), CliError> {
    if len > MAX_STATE_LEN {
        return Err(CliError::state(format_args!(
            "{} is larger than {MAX_STATE_LEN} bytes, the limit for a state file; \
             it is not a device file written by otpkit",
            path.display()
        )));
    }
    Ok(())
}

#[cfg(unix)]
fn link_count(meta: &fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.nlink()
}

#[cfg(not(unix))]
fn link_count(_meta: &fs::Metadata) -> u64 {
    1
}

/// Whether two metadata describe the same file (device and inode).
#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_a: &fs::Metadata, _b: &fs::Metadata) -> bool {
    true
}

/// Takes the exclusive lock that serialises read-modify-write cycles on the state
/// file at `path`, waiting for another otpkit process that holds it.
///
/// The lock is `flock` on the state file itself, so every name that reaches the same
/// file (a directory symlink, `..`, a relative path) takes the same lock; no lock file
/// is ever created. Symbolic links as the last component and hard-linked files are
/// refused (see [`check_path`]). A writer replaces the file by renaming a new one over
/// it, so after the lock is granted the path is checked to still name the locked
/// file; if it was replaced meanwhile, the new file is locked instead.
pub fn lock(path: &Path) -> Result<StateLock, CliError> {
    const ATTEMPTS: u32 = 1000;
    for _ in 0..ATTEMPTS {
        if check_path(path)?.is_none() {
            // Fail now, not after `enroll` has shown a secret, if it cannot be created.
            let dir = parent_dir(path);
            return match fs::metadata(dir) {
                Ok(meta) if meta.is_dir() => Ok(StateLock { _file: None }),
                Ok(_) => Err(CliError::state(format_args!(
                    "cannot create {}: {} is not a directory",
                    path.display(),
                    dir.display()
                ))),
                Err(e) => Err(CliError::state(format_args!(
                    "cannot create {}: {}: {e}",
                    path.display(),
                    dir.display()
                ))),
            };
        }
        let file = match File::open(path) {
            Ok(file) => file,
            // Removed or being replaced between the check and the open: look again.
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(CliError::state(format_args!(
                    "cannot open {}: {e}",
                    path.display()
                )));
            }
        };
        file.lock()
            .map_err(|e| CliError::state(format_args!("cannot lock {}: {e}", path.display())))?;
        let held = file
            .metadata()
            .map_err(|e| CliError::state(format_args!("cannot read {}: {e}", path.display())))?;
        match check_path(path)? {
            Some(now) if same_file(&held, &now) => {
                check_file(path, &held)?;
                return Ok(StateLock { _file: Some(file) });
            }
            // Replaced (or removed) while we waited: lock what is there now.
            _ => continue,
        }
    }
    Err(CliError::state(format_args!(
        "{} kept being replaced while waiting for its lock",
        path.display()
    )))
}

/// Reads and parses the device file at `path`: refuses a symbolic link, a hard-linked
/// file and a file over [`MAX_STATE_LEN`] bytes, reading at most that much. A sealed
/// secret is opened with `keyring` (and refused without one).
pub fn read(path: &Path, keyring: Option<&Keyring>) -> Result<DeviceFile, CliError> {
    let not_found = || {
        CliError::state(format_args!(
            "no state file at {} (create one with `otpkit enroll`)",
            path.display()
        ))
    };
    let cannot =
        |e: io::Error| CliError::state(format_args!("cannot read {}: {e}", path.display()));
    let before = check_path(path)?.ok_or_else(not_found)?;
    let file = File::open(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => not_found(),
        _ => cannot(e),
    })?;
    let opened = file.metadata().map_err(cannot)?;
    // The path was swapped (for a link, say) between the check and the open.
    if !same_file(&before, &opened) {
        return Err(CliError::state(format_args!(
            "{} changed while it was being opened",
            path.display()
        )));
    }
    check_file(path, &opened)?;
    // Room for the whole file up front, so the buffer holding the secret never
    // reallocates (which would leave a copy in freed memory).
    let capacity = usize::try_from(opened.len().saturating_add(1)).unwrap_or(0);
    let mut bytes = Zeroizing::new(Vec::with_capacity(capacity));
    file.take(MAX_STATE_LEN.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    too_large(path, u64::try_from(bytes.len()).unwrap_or(u64::MAX))?;
    let text = std::str::from_utf8(&bytes).map_err(|_| corrupt("the file is not UTF-8 text"))?;
    DeviceFile::parse_with(text, keyring)
}

/// Whether to replace an existing file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overwrite {
    /// Replace it.
    Yes,
    /// Fail if it exists (checked atomically at the final step).
    No,
}

/// Writes `contents` to `path` atomically with mode 0600: a temporary file in the same
/// directory, fsync, then rename (or, without overwrite, a hard link, which fails if
/// `path` exists), then fsync of the directory.
pub fn write_atomic(path: &Path, contents: &[u8], overwrite: Overwrite) -> Result<(), CliError> {
    let fail = |what: &str, e: io::Error| {
        CliError::state(format_args!("cannot {what} {}: {e}", path.display()))
    };
    let dir = parent_dir(path);
    let (tmp_path, mut tmp) = create_temp(path).map_err(|e| fail("write", e))?;
    let result = (|| {
        tmp.write_all(contents).map_err(|e| fail("write", e))?;
        tmp.sync_all().map_err(|e| fail("sync", e))?;
        match overwrite {
            Overwrite::Yes => fs::rename(&tmp_path, path).map_err(|e| fail("replace", e)),
            Overwrite::No => fs::hard_link(&tmp_path, path).map_err(|e| {
                if e.kind() == io::ErrorKind::AlreadyExists {
                    CliError::state(format_args!(
                        "{} already exists; pass --force to replace it",
                        path.display()
                    ))
                } else {
                    fail("create", e)
                }
            }),
        }
    })();
    // After a rename the temporary name is gone; after a link or a failure remove it.
    let _ = fs::remove_file(&tmp_path);
    result?;
    sync_dir(dir).map_err(|e| fail("sync the directory of", e))
}

fn create_temp(path: &Path) -> io::Result<(PathBuf, File)> {
    let pid = std::process::id();
    let mut attempt: u32 = 0;
    loop {
        let tmp = sidecar(path, &format!(".tmp-{pid}-{attempt}"));
        match private_options().write(true).create_new(true).open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt = attempt.saturating_add(1);
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(unix)]
fn private_options() -> OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = OpenOptions::new();
    options.mode(0o600);
    options
}

#[cfg(not(unix))]
fn private_options() -> OpenOptions {
    OpenOptions::new()
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

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

    #[cfg(unix)]
    #[test]
    fn atomic_write_is_private_and_refuses_to_clobber() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device");
        write_atomic(&path, b"one", Overwrite::No).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let e = write_atomic(&path, b"two", Overwrite::No).unwrap_err();
        assert!(e.message.contains("--force"), "{}", e.message);
        assert_eq!(fs::read(&path).unwrap(), b"one");
        write_atomic(&path, b"three", Overwrite::Yes).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"three");
        // No temporary files are left behind.
        assert_eq!(names(dir.path()), ["device"]);
    }

    #[test]
    fn lock_is_exclusive_and_creates_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device");
        // Nothing to lock yet, and nothing is created.
        drop(lock(&path).unwrap());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        fs::write(&path, b"x").unwrap();
        let held = lock(&path).unwrap();
        let other = File::open(&path).unwrap();
        assert!(other.try_lock().is_err());
        drop(held);
        assert!(other.try_lock().is_ok());
        assert_eq!(names(dir.path()), ["device"]);
    }

    #[test]
    fn lock_follows_a_replacement() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device");
        fs::write(&path, b"old").unwrap();
        let held = lock(&path).unwrap();
        let waiter = {
            let path = path.clone();
            std::thread::spawn(move || {
                let _l = lock(&path).unwrap();
                fs::read(&path).unwrap()
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(100));
        write_atomic(&path, b"new", Overwrite::Yes).unwrap();
        drop(held);
        // The waiter was queued on the old inode; it must end up holding the new one.
        assert_eq!(waiter.join().unwrap(), b"new");
    }

    #[cfg(unix)]
    #[test]
    fn refuses_links_and_oversized_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device");
        fs::write(&path, sample().to_text().as_bytes()).unwrap();
        assert!(read(&path, None).is_ok());
        let alias = dir.path().join("alias");
        std::os::unix::fs::symlink(&path, &alias).unwrap();
        for e in [
            lock(&alias).err().unwrap(),
            read(&alias, None).err().unwrap(),
        ] {
            assert!(e.message.contains("symbolic link"), "{}", e.message);
        }
        let hard = dir.path().join("hard");
        fs::hard_link(&path, &hard).unwrap();
        for p in [&path, &hard] {
            for e in [lock(p).err().unwrap(), read(p, None).err().unwrap()] {
                assert!(e.message.contains("2 hard links"), "{}", e.message);
            }
        }
        fs::remove_file(&hard).unwrap();
        let big = dir.path().join("big");
        let f = File::create(&big).unwrap();
        f.set_len(MAX_STATE_LEN + 1).unwrap();
        for e in [lock(&big).err().unwrap(), read(&big, None).err().unwrap()] {
            assert!(
                e.message.contains("larger than 65536 bytes"),
                "{}",
                e.message
            );
        }
    }
}
