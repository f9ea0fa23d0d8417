//! PSKC key containers (RFC 6030, [`otpkit_pskc`]) as `import` reads them: hardware
//! tokens printed as accounts or enrolled into device files. One of `import`'s
//! formats (`--from pskc`, or detected by its root element); its flags are
//! [`Flags`].
//!
//! The pre-shared key comes from `--key-hex` or `--key-file`; a container encrypted
//! with a password gets it from a prompt on the terminal (not echoed) or from the
//! first line of stdin, never from the command line. A container whose encrypted
//! keys carry no MAC is refused unless `--allow-unauthenticated` is given, and each
//! of its tokens is then flagged as not integrity-protected. A secret under 128 bits
//! is refused per key unless `--allow-short-secret` is given.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use otpkit::otpauth::Account;
use otpkit::{LengthPolicy, SecretError};
use otpkit_pskc::{
    Decryption, Import, KeyError, Kind, Options, Protection, PskcError, Token, WorkBudget,
};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::device_file::{self, DeviceFile};
use crate::error::{CliError, Exit};
use crate::input_file::{self, InputFormat, printable};
use crate::io::{self, Io, out};
use crate::json;
use crate::safe_file::{self, Overwrite};
use crate::secrets;

/// What `import` was given for a PSKC container: the flags only PSKC reads (refused
/// with every other format) and the ones all formats share.
pub struct Flags<'a> {
    /// `--key-hex HEX` (`-`: from stdin).
    pub key_hex: Option<&'a str>,
    /// `--key-file FILE`.
    pub key_file: Option<&'a Path>,
    /// `--enroll-dir DIR`.
    pub enroll_dir: Option<&'a Path>,
    /// `--allow-unauthenticated`.
    pub allow_unauthenticated: bool,
    /// `--allow-short-secret`.
    pub allow_short_secret: bool,
    /// `--json`.
    pub json: bool,
    /// `--kdf-budget` and `--kdf-memory`.
    pub budget: WorkBudget,
    /// Whether `--from pskc` was given (else the format was detected, and a message
    /// naming a PSKC flag names `--from pskc` with it, as the flags need it).
    pub format_named: bool,
}

impl Flags<'_> {
    /// `flag` as a message tells the user to add it.
    fn named(&self, flag: &str) -> String {
        if self.format_named {
            flag.to_owned()
        } else {
            format!("--from pskc {flag}")
        }
    }
}

/// The largest container read: `otpkit-pskc`'s default limit (4 MiB).
pub fn max_bytes() -> usize {
    Options::default().max_bytes
}

fn hex_key(text: &str, what: &str) -> Result<Zeroizing<Vec<u8>>, CliError> {
    let clean: Zeroizing<String> = Zeroizing::new(
        text.chars()
            .filter(|c| !c.is_ascii_whitespace() && *c != ':')
            .collect(),
    );
    let bytes = clean.as_bytes();
    if bytes.is_empty()
        || !bytes.len().is_multiple_of(2)
        || !bytes.iter().all(u8::is_ascii_hexdigit)
    {
        return Err(CliError::usage(format_args!(
            "{what}: expected the key as an even number of hex digits"
        )));
    }
    let key = bytes
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|s| u8::from_str_radix(s, 16).ok())
                .unwrap_or_default()
        })
        .collect();
    Ok(Zeroizing::new(key))
}

fn read_key_file(path: &Path, max: usize, what: &str) -> Result<Zeroizing<Vec<u8>>, CliError> {
    let file = File::open(path)
        .map_err(|e| CliError::state(format_args!("cannot read {}: {e}", path.display())))?;
    let mut data = Zeroizing::new(Vec::new());
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    file.take(limit)
        .read_to_end(&mut data)
        .map_err(|e| CliError::state(format_args!("cannot read {}: {e}", path.display())))?;
    if data.len() > max {
        return Err(CliError::usage(format_args!(
            "{what} {} is larger than {max} bytes",
            path.display()
        )));
    }
    Ok(data)
}

/// The largest key file read (`--key-file`).
const MAX_KEY_FILE: usize = 4096;

/// The exit code and message of an import that failed as a whole: a wrong
/// pre-shared key or password is exit 7, as a wrong password for any other import
/// format; everything else (not PSKC, hostile, unsupported) is a usage error.
fn pskc_error(e: &PskcError, password: bool, flags: &Flags<'_>) -> CliError {
    match e {
        PskcError::WrongKeyOrPassword => CliError::new(
            Exit::Password,
            format_args!(
                "cannot import the PSKC file: wrong {} for the PSKC file",
                if password {
                    "password"
                } else {
                    "pre-shared key"
                }
            ),
        ),
        PskcError::NotIntegrityProtected => CliError::usage(format_args!(
            "cannot import the PSKC file: its encrypted keys carry no MAC, so nothing shows \
             whether the file was altered (an altered file can change a secret unnoticed); \
             to import them anyway, add {}",
            flags.named("--allow-unauthenticated")
        )),
        PskcError::KdfBudget(exceeded) => input_file::kdf_budget_error("PSKC", exceeded),
        PskcError::NeedsPreSharedKey => CliError::usage(format_args!(
            "cannot import the PSKC file: it is encrypted with a pre-shared key; give the key \
             with {} (`-` reads it from stdin) or --key-file FILE",
            flags.named("--key-hex HEX")
        )),
        PskcError::TooLarge { .. }
        | PskcError::NotUtf8
        | PskcError::DtdNotAllowed
        | PskcError::TooDeep { .. }
        | PskcError::TooManyNodes { .. }
        | PskcError::TooManyAttributes { .. }
        | PskcError::TooManyNamespaces { .. }
        | PskcError::NamespaceUriTooLong { .. }
        | PskcError::Xml(_)
        | PskcError::NotPskc
        | PskcError::UnsupportedVersion(_)
        | PskcError::NeedsPassword
        | PskcError::KeyDerivation(_)
        | PskcError::UnsupportedMac(_)
        | PskcError::MacKey(_) => CliError::usage(format_args!("cannot import the PSKC file: {e}")),
    }
}

/// Why one key was not imported, with a remedy in the tool's terms where the
/// library's names its Rust API.
fn key_error(e: &KeyError, flags: &Flags<'_>) -> String {
    if let KeyError::Secret(secret @ SecretError::TooShort { .. }) = e {
        return format!(
            "{}; to import it anyway, add {}",
            secrets::message(secret),
            flags.named(secrets::ALLOW_SHORT_FLAG)
        );
    }
    e.to_string()
}

/// The key given with `--key-hex` or `--key-file`, if any.
fn pre_shared_key(
    flags: &Flags<'_>,
    file: &str,
    io: &mut Io<'_>,
) -> Result<Option<Zeroizing<Vec<u8>>>, CliError> {
    match (flags.key_hex, flags.key_file) {
        (Some("-"), _) if file == "-" => Err(CliError::usage(
            "--key-hex - reads the key from stdin, which already holds the PSKC file: give \
             the file's path, or the key with --key-file",
        )),
        (Some("-"), _) => Ok(Some(hex_key(&io::stdin_line(io, "key")?, "--key-hex")?)),
        (Some(hex), _) => Ok(Some(hex_key(hex, "--key-hex")?)),
        (None, Some(path)) => {
            let text = read_key_file(path, MAX_KEY_FILE, "the key file")?;
            let text = std::str::from_utf8(&text)
                .map_err(|_| CliError::usage("--key-file: expected the key as hex text"))?;
            Ok(Some(hex_key(text, "--key-file")?))
        }
        (None, None) => Ok(None),
    }
}

/// Imports the container `data` (read from `file`, `-`: stdin): prints its tokens
/// (or their JSON), reports every key on stderr, enrols the TOTP ones into
/// `--enroll-dir`.
pub fn import(data: &[u8], file: &str, flags: &Flags<'_>, io: &mut Io<'_>) -> Result<(), CliError> {
    let options = Options {
        allow_unauthenticated_encryption: flags.allow_unauthenticated,
        budget: flags.budget,
        length_policy: if flags.allow_short_secret {
            LengthPolicy::AllowShort
        } else {
            LengthPolicy::Rfc4226
        },
        ..Options::default()
    };
    input_file::refuse_image(InputFormat::Pskc, file, data)?;
    if data.len() > options.max_bytes {
        return Err(CliError::usage(format_args!(
            "the PSKC file {} is larger than {} bytes",
            input_file::describe(file),
            options.max_bytes
        )));
    }
    if let Some(dir) = flags.enroll_dir.filter(|d| !d.is_dir()) {
        return Err(CliError::state(format_args!(
            "--enroll-dir: {} is not a directory",
            dir.display()
        )));
    }
    let key = pre_shared_key(flags, file, io)?;
    let decryption = key
        .as_ref()
        .map_or(Decryption::None, |k| Decryption::PreSharedKey(k));
    let imported = match otpkit_pskc::import_with(data, decryption, &options) {
        Err(PskcError::NeedsPassword) if key.is_none() => {
            if file == "-" && !io.stdin_is_terminal {
                return Err(CliError::usage(
                    "the PSKC file is encrypted with a password and was read from stdin, so \
                     its password cannot come from stdin too: give the file's path instead \
                     of `-` (the password is then read from the first line of stdin, or \
                     from a prompt at a terminal)",
                ));
            }
            let pw = io::password(io, "PSKC container password: ", "container password")?;
            otpkit_pskc::import_with(data, Decryption::Password(pw.as_bytes()), &options)
                .map_err(|e| pskc_error(&e, true, flags))?
        }
        Err(PskcError::NeedsPassword) => {
            return Err(CliError::usage(
                "this container is encrypted with a password, not a pre-shared key: \
                 leave out --key-hex/--key-file and give the password at the prompt or on stdin",
            ));
        }
        Err(e) => return Err(pskc_error(&e, false, flags)),
        Ok(imported) => imported,
    };
    report(&imported, flags, io)
}

fn report(imported: &Import, flags: &Flags<'_>, io: &mut Io<'_>) -> Result<(), CliError> {
    let total = imported.keys.len();
    if total == 0 {
        return Err(CliError::usage("the PSKC file holds no key"));
    }
    let mut failed = 0usize;
    let mut objects = Vec::new();
    for (number, key) in (1usize..).zip(&imported.keys) {
        let who = key
            .serial_number
            .as_deref()
            .map(|s| format!(" (serial {})", printable(s)))
            .unwrap_or_default();
        let done = key
            .result
            .as_ref()
            .map_err(|e| key_error(e, flags))
            .and_then(|token| {
                let object = token_json(token)?;
                if let Some(dir) = flags.enroll_dir {
                    enroll(dir, token).map_err(|e| e.message)?;
                }
                Ok((token, object))
            });
        match done {
            Ok((token, object)) => {
                if let Some(warning) = protection_warning(token.protection) {
                    io::warn(io, format_args!("key {number} of {total}{who}: {warning}"));
                }
                if flags.json {
                    objects.push(object);
                } else {
                    let uri = Zeroizing::new(token.to_account().to_uri());
                    out(io, uri.as_str())?;
                }
            }
            Err(e) => {
                failed = failed.saturating_add(1);
                io::note(io, format_args!("key {number} of {total}{who}: {e}"));
            }
        }
    }
    if flags.json {
        let text = Zeroizing::new(Value::Array(objects).to_string());
        out(io, text.as_str())?;
    }
    if failed > 0 {
        return Err(CliError::new(
            Exit::Partial,
            format_args!("{failed} of {total} keys could not be imported"),
        ));
    }
    Ok(())
}

/// The warning for a token whose values no MAC protected, if it is one.
fn protection_warning(protection: Protection) -> Option<&'static str> {
    match protection {
        Protection::NotIntegrityProtected => Some(
            "not integrity-protected: the PSKC file has no MAC, so an altered file could \
             have changed this secret unnoticed (imported under --allow-unauthenticated)",
        ),
        Protection::InTheClear | Protection::MacChecked => None,
    }
}

/// `inspect --json`'s object for the token's account, plus what the URI cannot
/// carry: the device, the key id, T0 and drift, and the values the file left out.
fn token_json(token: &Token) -> Result<Value, String> {
    let account = token.to_account();
    let uri = Zeroizing::new(account.to_uri());
    let parsed = Account::parse(&uri).map_err(|e| e.to_string())?;
    let warnings: Vec<String> = parsed.warnings.iter().map(ToString::to_string).collect();
    let mut value = json::account(&parsed.account, &warnings).map_err(|e| e.message)?;
    if let Value::Object(map) = &mut value {
        map.insert("manufacturer".into(), json!(token.device.manufacturer));
        map.insert("serial_number".into(), json!(token.device.serial_number));
        map.insert("model".into(), json!(token.device.model));
        map.insert("key_id".into(), json!(token.key_id));
        if let Kind::Totp { t0, drift, .. } = token.kind {
            map.insert("t0".into(), json!(t0));
            map.insert("drift".into(), json!(drift));
        }
        let defaulted: Vec<&str> = token.defaulted.iter().map(|d| d.parameter()).collect();
        map.insert("defaulted".into(), json!(defaulted));
        map.insert(
            "protection".into(),
            json!(match token.protection {
                Protection::InTheClear => "in-the-clear",
                Protection::MacChecked => "mac-checked",
                Protection::NotIntegrityProtected => "not-integrity-protected",
            }),
        );
        if let Some(warning) = protection_warning(token.protection)
            && let Some(Value::Array(list)) = map.get_mut("warnings")
        {
            list.push(json!(warning));
        }
    }
    Ok(value)
}

/// A file name from a serial number: ASCII letters, digits, `-`, `_` and `.` kept,
/// everything else `_`, no leading dot, at most 64 characters.
fn file_name(serial: &str) -> Option<String> {
    let name: String = serial
        .trim()
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = name.trim_start_matches('.').to_owned();
    (!name.is_empty()).then_some(name)
}

/// Writes `token`'s device file into `dir`.
fn enroll(dir: &Path, token: &Token) -> Result<(), CliError> {
    let (period, t0) = match token.kind {
        Kind::Totp { period, t0, .. } => (period, t0),
        Kind::Hotp { .. } => {
            return Err(CliError::usage(
                "an HOTP token cannot be enrolled: device files are for TOTP (print it instead)",
            ));
        }
    };
    if t0 != 0 {
        return Err(CliError::usage(format_args!(
            "a TOTP token with T0 = {t0} cannot be enrolled: device files count from T0 = 0"
        )));
    }
    let serial = token
        .device
        .serial_number
        .as_deref()
        .or(token.key_id.as_deref())
        .ok_or_else(|| {
            CliError::usage("the token has no serial number or key id to name its file")
        })?;
    let name = file_name(serial)
        .ok_or_else(|| CliError::usage("the serial number gives no usable file name"))?;
    let account = token.to_account();
    if let Some(issuer) = &account.issuer {
        device_file::check_field("issuer", issuer)?;
    }
    device_file::check_field("account name", &account.name)?;
    let path = dir.join(format!("{name}.device"));
    let device = DeviceFile {
        issuer: account.issuer.clone().filter(|i| !i.is_empty()),
        account: account.name.clone(),
        algorithm: token.algorithm,
        digits: token.digits,
        period,
        secret: token.secret.clone(),
        state: token.device_state().to_string(),
        sealed: None,
    };
    let _lock = safe_file::lock(&path)?;
    safe_file::write_atomic(&path, device.to_text().as_bytes(), Overwrite::No)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_sanitised() {
        assert_eq!(file_name("987654321").as_deref(), Some("987654321"));
        assert_eq!(
            file_name("../../etc/passwd").as_deref(),
            Some("_.._etc_passwd")
        );
        assert_eq!(file_name("..").as_deref(), None);
        assert_eq!(file_name(" a b/c\n").as_deref(), Some("a_b_c"));
        assert_eq!(file_name("").as_deref(), None);
    }

    #[test]
    fn a_short_secret_names_the_flag_not_the_rust_api() {
        let flags = Flags {
            key_hex: None,
            key_file: None,
            enroll_dir: None,
            allow_unauthenticated: false,
            allow_short_secret: false,
            json: false,
            budget: WorkBudget::default(),
            format_named: true,
        };
        let e = key_error(
            &KeyError::Secret(SecretError::TooShort { bits: 32 }),
            &flags,
        );
        assert_eq!(
            e,
            "the secret is 32 bits, shorter than the 128 bits RFC 4226 requires; to import \
             it anyway, add --allow-short-secret"
        );
        assert!(
            KeyError::Secret(SecretError::TooShort { bits: 32 })
                .to_string()
                .contains("LengthPolicy")
        );
    }

    #[test]
    fn hex_keys() {
        assert_eq!(
            hex_key("12 34:ab\n", "k").unwrap().as_slice(),
            &[0x12, 0x34, 0xab]
        );
        assert!(hex_key("123", "k").is_err());
        assert!(hex_key("zz", "k").is_err());
        assert!(hex_key("", "k").is_err());
    }
}
