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
//! # Safety of updates
//!
//! The file is written with mode 0600, atomically: a temporary file in the same
//! directory is created 0600, written, fsynced and renamed over the target (then the
//! directory is fsynced), so a crash leaves the old or the new file, never half of
//! one. Read-modify-write cycles (`verify`, `resync`, `enroll`) hold an exclusive lock
//! on the sidecar `FILE.lock` (created 0600, never deleted: deleting a lock file while
//! another process waits on it would let two writers in), so two concurrent `verify`
//! runs cannot both accept the same code.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use otpkit::{Algorithm, Digits, Period, Secret, Totp};
use zeroize::Zeroizing;

use crate::error::CliError;

/// The `format=` value this version writes and reads.
pub const FORMAT: &str = "otpkit-device/1";

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
}

impl DeviceFile {
    /// The TOTP generator this device's app runs.
    pub fn totp(&self) -> Totp {
        Totp::new(&self.secret, self.algorithm, self.digits, self.period)
    }

    /// The file's text. It contains the secret, so it is wiped when dropped.
    pub fn to_text(&self) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::with_capacity(512));
        out.push_str(
            "# otpkit device file: a TOTP secret and its verifier state. Keep it private.\n",
        );
        push_line(&mut out, "format", FORMAT);
        if let Some(issuer) = &self.issuer {
            push_line(&mut out, "issuer", issuer);
        }
        push_line(&mut out, "account", &self.account);
        push_line(&mut out, "algorithm", self.algorithm.name());
        push_line(&mut out, "digits", &self.digits.get().to_string());
        push_line(&mut out, "period", &self.period.seconds().to_string());
        push_line(&mut out, "secret", &self.secret.base32().to_string());
        push_line(&mut out, "state", &self.state);
        out
    }

    /// Reads the file's text. Errors name the line and key, never a value.
    pub fn parse(text: &str) -> Result<Self, CliError> {
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
        if format.as_str() != FORMAT {
            return Err(corrupt(format_args!(
                "unsupported format (this otpkit reads {FORMAT})"
            )));
        }
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
        let secret = Secret::from_base32(&required(fields.secret, "secret")?)
            .map_err(|e| corrupt(format_args!("secret: {e}")))?;
        Ok(DeviceFile {
            issuer: fields.issuer.map(|s| s.to_string()),
            account: required(fields.account, "account")?.to_string(),
            algorithm,
            digits,
            period,
            secret,
            state: required(fields.state, "state")?.to_string(),
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

/// `path` with `suffix` appended to its file name (`dev.state` → `dev.state.lock`).
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

/// An exclusive lock on `FILE.lock`, released when dropped.
pub struct StateLock {
    _file: File,
}

/// Takes the exclusive lock that serialises read-modify-write cycles on `path`,
/// waiting for another otpkit process that holds it.
pub fn lock(path: &Path) -> Result<StateLock, CliError> {
    let lock_path = sidecar(path, ".lock");
    let file = private_options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(|e| CliError::state(format_args!("cannot open {}: {e}", lock_path.display())))?;
    file.lock()
        .map_err(|e| CliError::state(format_args!("cannot lock {}: {e}", lock_path.display())))?;
    Ok(StateLock { _file: file })
}

/// Reads and parses the device file at `path`.
pub fn read(path: &Path) -> Result<DeviceFile, CliError> {
    let text = Zeroizing::new(fs::read_to_string(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => CliError::state(format_args!(
            "no state file at {} (create one with `otpkit enroll`)",
            path.display()
        )),
        _ => CliError::state(format_args!("cannot read {}: {e}", path.display())),
    })?);
    DeviceFile::parse(&text)
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

    fn sample() -> DeviceFile {
        DeviceFile {
            issuer: Some("Example Co".into()),
            account: "alice@example.com".into(),
            algorithm: Algorithm::Sha256,
            digits: Digits::EIGHT,
            period: Period::new(60).unwrap(),
            secret: Secret::from_bytes(b"12345678901234567890").unwrap(),
            state: "v1:abc".into(),
        }
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
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("device")]);
    }

    #[test]
    fn lock_is_exclusive() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device");
        let held = lock(&path).unwrap();
        let other = File::options()
            .write(true)
            .open(dir.path().join("device.lock"))
            .unwrap();
        assert!(other.try_lock().is_err());
        drop(held);
        assert!(other.try_lock().is_ok());
    }
}
