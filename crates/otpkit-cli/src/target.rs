//! Where a device lives: a state file (`--state FILE`) or a device store
//! (`--store URL --device ID`), and the server key that seals its secret
//! (`--seal-key-file FILE`, `OTPKIT_SEAL_KEY_FILE` or `OTPKIT_SEAL_KEY`; never argv).
//!
//! # The key file
//!
//! One key per line, `ID:KEY`, where KEY is 32 bytes as 64 hex digits or as base64
//! (43 or 44 characters); a line without `ID:` is the key with id `default`. The
//! first key seals new secrets; the others still open what they sealed (rotation:
//! put the new key first, keep the old one below it). Blank lines and lines starting
//! with `#` are ignored. Errors name the line, never its text.

use std::path::{Path, PathBuf};

use clap::Args;
use otpkit::verifier::Policy;
use otpkit_store::seal::{Keyring, SealingKey};
use otpkit_store::{
    DeviceStore, MAX_DEVICE_NAME_LEN, MAX_DEVICES_PER_USER, MfaService, ServiceError,
};
use zeroize::Zeroizing;

use crate::error::{CliError, Exit};

/// The environment variable holding the store URL (same as `--store`; keeps a
/// password in the URL out of the process list).
pub const STORE_ENV: &str = "OTPKIT_STORE";
/// The environment variable naming the key file (same as `--seal-key-file`).
pub const KEY_FILE_ENV: &str = "OTPKIT_SEAL_KEY_FILE";
/// The environment variable holding the keys themselves (the key file's lines,
/// separated by newlines or `,`).
pub const KEY_ENV: &str = "OTPKIT_SEAL_KEY";

/// `--state FILE` or `--store URL` (exactly one), `--device ID`, and the sealing key.
#[derive(Args)]
pub struct Target {
    /// The device file (mode 0600; `enroll` writes it).
    #[arg(long, value_name = "FILE", required_unless_present = "store")]
    pub state: Option<PathBuf>,
    /// A device store instead of a file: `sqlite:PATH`, `postgres://…` or `redis://…`
    /// (PostgreSQL and Redis when built with the `postgres`/`redis` features). Its
    /// secrets are sealed: needs the sealing key (--seal-key-file). A URL with a
    /// password belongs in OTPKIT_STORE, not on the command line (`ps` shows it).
    #[arg(long, value_name = "URL", conflicts_with = "state", env = STORE_ENV, hide_env_values = true)]
    pub store: Option<String>,
    /// The device's id in the store (for `enroll`: default the account name).
    #[arg(long, value_name = "ID", requires = "store", conflicts_with = "user")]
    pub device: Option<String>,
    /// A user of the store with up to 8 named devices, instead of --device ID:
    /// `verify` accepts a code of any of the user's devices (or of --device-name's),
    /// `enroll` and `resync` work on the device --device-name names. Failures and
    /// the lock-out count on the user, whatever the device.
    #[arg(long, value_name = "USER", requires = "store")]
    pub user: Option<String>,
    /// One of --user's devices, by name (`otpkit devices --user USER` lists them).
    #[arg(long, value_name = "NAME", requires = "user")]
    pub device_name: Option<String>,
    /// The sealing key.
    #[command(flatten)]
    pub key: SealKey,
}

/// `--store URL --user USER` and the sealing key: the devices of one user
/// (`otpkit devices`). The fields are options so that a subcommand may stand in for
/// them; clap requires them otherwise.
#[derive(Args)]
pub struct UserTarget {
    /// The device store: `sqlite:PATH`, `postgres://…` or `redis://…` (a URL with a
    /// password belongs in OTPKIT_STORE, not on the command line).
    #[arg(long, value_name = "URL", required = true, env = STORE_ENV, hide_env_values = true)]
    pub store: Option<String>,
    /// The user whose devices these are.
    #[arg(long, value_name = "USER", required = true)]
    pub user: Option<String>,
    /// The sealing key.
    #[command(flatten)]
    pub key: SealKey,
}

impl UserTarget {
    /// The service over the store, and the user.
    pub fn open(&self) -> Result<(Service, String), CliError> {
        let (Some(url), Some(user)) = (&self.store, &self.user) else {
            return Err(CliError::usage("give --store URL and --user USER"));
        };
        let keyring = self.key.required("--store")?;
        Ok((open_store(url, keyring)?, user.clone()))
    }
}

/// `--seal-key-file FILE`.
#[derive(Args)]
pub struct SealKey {
    /// The server's sealing keys (`ID:KEY` per line, hex or base64, the first one
    /// seals; also OTPKIT_SEAL_KEY_FILE, or the keys themselves in OTPKIT_SEAL_KEY).
    /// With --state: the file keeps its secret sealed (AES-256-GCM, bound to the
    /// account name) and opens only with this key.
    #[arg(long, value_name = "FILE")]
    pub seal_key_file: Option<PathBuf>,
}

impl SealKey {
    /// The keyring from the flag or the environment; `None` when no key is given.
    pub fn keyring(&self) -> Result<Option<Keyring>, CliError> {
        if let Some(path) = &self.seal_key_file {
            return read_key_file(path, "--seal-key-file").map(Some);
        }
        if let Some(path) = std::env::var_os(KEY_FILE_ENV).filter(|p| !p.is_empty()) {
            return read_key_file(Path::new(&path), KEY_FILE_ENV).map(Some);
        }
        match std::env::var(KEY_ENV) {
            Ok(text) if !text.trim().is_empty() => {
                let text = Zeroizing::new(text);
                let lines = Zeroizing::new(text.replace(',', "\n"));
                parse_keys(&lines, KEY_ENV).map(Some)
            }
            Ok(_) | Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => {
                Err(CliError::usage(format_args!("{KEY_ENV} is not UTF-8 text")))
            }
        }
    }

    /// The keyring, or an error saying which flag gives it.
    pub fn required(&self, why: &str) -> Result<Keyring, CliError> {
        self.keyring()?.ok_or_else(|| {
            CliError::usage(format_args!(
                "{why} needs the sealing key: pass --seal-key-file FILE (or set \
                 {KEY_FILE_ENV} or {KEY_ENV})"
            ))
        })
    }
}

fn read_key_file(path: &Path, from: &str) -> Result<Keyring, CliError> {
    warn_if_shared(path);
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        CliError::usage(format_args!(
            "cannot read the sealing key file {} ({from}): {e}",
            path.display()
        ))
    })?);
    parse_keys(&text, &format!("the sealing key file {}", path.display()))
}

/// Warns (one line on stderr, the path and mode, never the content) when the key
/// file is readable by its group or by others. A warning, not a refusal: a key
/// deliberately shared with a service group (0640) or mounted by a secrets
/// manager with its own mode is a legitimate setup the tool cannot judge, and
/// refusing would stop verification on every server at once.
#[cfg(unix)]
fn warn_if_shared(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            eprintln!(
                "otpkit: warning: the sealing key file {} is readable by others than its \
                 owner (mode {mode:04o}); chmod 600 it",
                path.display()
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_path: &Path) {}

/// Parses key lines; `source` names where they came from in errors.
pub fn parse_keys(text: &str, source: &str) -> Result<Keyring, CliError> {
    let mut keyring: Option<Keyring> = None;
    for (index, line) in text.lines().enumerate() {
        let number = index.saturating_add(1);
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (id, key) = line.split_once(':').unwrap_or(("default", line));
        let key = parse_key(id.trim(), key.trim())
            .map_err(|e| CliError::usage(format_args!("{source}, line {number}: {e}")))?;
        keyring = Some(match keyring {
            None => Keyring::new(key),
            Some(k) => k
                .with_old_key(key)
                .map_err(|e| CliError::usage(format_args!("{source}, line {number}: {e}")))?,
        });
    }
    keyring.ok_or_else(|| CliError::usage(format_args!("{source} holds no key")))
}

fn parse_key(id: &str, text: &str) -> Result<SealingKey, otpkit_store::seal::SealError> {
    if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        let mut key = Zeroizing::new([0u8; 32]);
        for (slot, pair) in key.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
            let hex = std::str::from_utf8(pair).unwrap_or("00");
            *slot = u8::from_str_radix(hex, 16).unwrap_or(0);
        }
        return SealingKey::new(id, *key);
    }
    SealingKey::from_base64(id, text)
}

/// The service over the store at `url`, sealing with `keyring`.
pub type Service = MfaService<Box<dyn DeviceStore>>;

/// Opens the store named by `url`. Errors never repeat the URL (it may hold a
/// password).
pub fn open_store(url: &str, keyring: Keyring) -> Result<Service, CliError> {
    Ok(MfaService::new(
        open_device_store(url)?,
        keyring,
        Policy::default(),
    ))
}

/// The store named by `url`, without a service (no key needed to read states).
pub fn open_device_store(url: &str) -> Result<Box<dyn DeviceStore>, CliError> {
    let store: Box<dyn DeviceStore> = if let Some(path) = url.strip_prefix("sqlite:") {
        if path.is_empty() {
            return Err(CliError::usage("--store sqlite:PATH needs a path"));
        }
        Box::new(otpkit_store::SqliteStore::open(Path::new(path)).map_err(store_error)?)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        postgres(url)?
    } else if url.starts_with("redis://") || url.starts_with("rediss://") {
        redis(url)?
    } else {
        return Err(CliError::usage(
            "--store must be sqlite:PATH, postgres://… or redis://…",
        ));
    };
    Ok(store)
}

#[cfg(feature = "postgres")]
fn postgres(url: &str) -> Result<Box<dyn DeviceStore>, CliError> {
    Ok(Box::new(
        otpkit_store::PostgresStore::connect(url).map_err(store_error)?,
    ))
}

#[cfg(not(feature = "postgres"))]
fn postgres(_url: &str) -> Result<Box<dyn DeviceStore>, CliError> {
    Err(CliError::usage(
        "this otpkit was built without PostgreSQL support (cargo feature `postgres`)",
    ))
}

#[cfg(feature = "redis")]
fn redis(url: &str) -> Result<Box<dyn DeviceStore>, CliError> {
    Ok(Box::new(
        otpkit_store::RedisStore::connect(url).map_err(store_error)?,
    ))
}

#[cfg(not(feature = "redis"))]
fn redis(_url: &str) -> Result<Box<dyn DeviceStore>, CliError> {
    Err(CliError::usage(
        "this otpkit was built without Redis support (cargo feature `redis`)",
    ))
}

fn store_error(e: otpkit_store::StoreError) -> CliError {
    CliError::state(e)
}

/// A store request's failure, as the tool reports it.
pub fn service_error(e: ServiceError) -> CliError {
    match e {
        ServiceError::NoSuchDevice { id } => CliError::state(format_args!(
            "no device {id:?} in the store (create one with `otpkit enroll --store`, or \
             one of a user's with `otpkit enroll --store URL --user USER --device-name NAME`)"
        )),
        ServiceError::DeviceExists { id } => CliError::state(format_args!(
            "device {id:?} exists in the store; pass --force to replace it"
        )),
        ServiceError::InvalidDeviceId => CliError::usage(format_args!("--device: {e}")),
        ServiceError::Seal(e) => CliError::state(format_args!(
            "cannot open the device's sealed secret: {e} (check --seal-key-file)"
        )),
        ServiceError::UnknownDevice { user, name } => CliError::state(format_args!(
            "user {user:?} has no device named {name:?} (--device-name; `otpkit devices \
             --user {user}` lists them)"
        )),
        ServiceError::DeviceNameTaken { user, name } => CliError::state(format_args!(
            "user {user:?} has a device named {name:?} already; choose another name \
             (--device-name, or the new name of `otpkit devices rename`)"
        )),
        ServiceError::InvalidDeviceName => CliError::usage(format_args!(
            "--device-name: a device name must be 1 to {MAX_DEVICE_NAME_LEN} characters, \
             not only spaces, without control characters"
        )),
        ServiceError::TooManyDevices { user } => CliError::state(format_args!(
            "user {user:?} has {MAX_DEVICES_PER_USER} devices, the most allowed: remove one \
             first (`otpkit devices remove --user {user} --device-name NAME`)"
        )),
        ServiceError::NotAllowed { setting, value } => {
            let flag = match setting {
                "algorithm" => "--algorithm",
                "digits" => "--digits",
                "period" => "--period",
                _ => "the device's kind",
            };
            CliError::usage(format_args!(
                "the device store does not accept devices with {setting} {value}: choose \
                 another {flag}"
            ))
        }
        ServiceError::NoRecoveryCodes { user } => CliError::state(format_args!(
            "user {user:?} has no recovery codes in the store"
        )),
        ServiceError::NotSignedIn => CliError::usage(
            "a device is remembered only after an accepted `otpkit verify --user USER` of the \
             same user",
        ),
        ServiceError::InvalidRememberLifetime { secs } => CliError::usage(format_args!(
            "a remember-this-device lifetime of {secs} s is out of range"
        )),
        ServiceError::Random => CliError::state(
            "cannot make a secret: the operating system's random number generator failed",
        ),
        e @ (ServiceError::Store(_)
        | ServiceError::AlreadyEnrolled { .. }
        | ServiceError::Corrupt { .. }
        | ServiceError::Contention { .. }) => CliError::new(Exit::State, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn key_lines_hex_base64_ids_and_rotation() {
        let b64 = SealingKey::new("x", [7; 32]).unwrap().to_base64();
        let text = format!("# keys\nnew:{HEX}\n\nold:{}\n", b64.as_str());
        let ring = parse_keys(&text, "test").unwrap();
        assert_eq!(ring.current_key_id(), "new");
        assert_eq!(ring.key_ids().collect::<Vec<_>>(), ["new", "old"]);
        let bare = parse_keys(HEX, "test").unwrap();
        assert_eq!(bare.current_key_id(), "default");
    }

    #[test]
    fn bad_key_lines_name_the_line_never_the_key() {
        for text in [
            format!("k:{}", &HEX[..62]),
            "k:not-a-key".to_owned(),
            format!("bad id!:{HEX}"),
            format!("a:{HEX}\na:{HEX}"),
            "# nothing\n".to_owned(),
        ] {
            let e = parse_keys(&text, "the key file").err().unwrap();
            assert_eq!(e.exit, Exit::Usage);
            assert!(e.message.starts_with("the key file"), "{}", e.message);
            assert!(!e.message.contains(&HEX[..16]), "{}", e.message);
            assert!(!e.message.contains("not-a-key"), "{}", e.message);
        }
    }

    /// The user-level errors read in the tool's terms: the flag to change or the
    /// command to run, and the exit code of their kind.
    #[test]
    fn user_errors_name_the_flags() {
        let user = || "alice".to_owned();
        let cases = [
            (
                ServiceError::UnknownDevice {
                    user: user(),
                    name: "tablet".into(),
                },
                Exit::State,
                "--device-name",
            ),
            (
                ServiceError::DeviceNameTaken {
                    user: user(),
                    name: "phone".into(),
                },
                Exit::State,
                "--device-name",
            ),
            (
                ServiceError::InvalidDeviceName,
                Exit::Usage,
                "--device-name: ",
            ),
            (
                ServiceError::TooManyDevices { user: user() },
                Exit::State,
                "otpkit devices remove",
            ),
            (
                ServiceError::NotAllowed {
                    setting: "digits",
                    value: "8".into(),
                },
                Exit::Usage,
                "--digits",
            ),
            (
                ServiceError::NoRecoveryCodes { user: user() },
                Exit::State,
                "no recovery codes",
            ),
            (
                ServiceError::NotSignedIn,
                Exit::Usage,
                "otpkit verify --user",
            ),
            (
                ServiceError::InvalidRememberLifetime { secs: 0 },
                Exit::Usage,
                "0 s",
            ),
            (ServiceError::Random, Exit::State, "random number generator"),
        ];
        for (error, exit, says) in cases {
            let e = service_error(error);
            assert_eq!(e.exit, exit, "{}", e.message);
            assert!(e.message.contains(says), "{}", e.message);
        }
    }
}
