//! `otpkit import FILE --from pskc`: hardware tokens from a PSKC key container
//! (RFC 6030, [`otpkit_pskc`]), printed as accounts or enrolled into device files.
//!
//! The pre-shared key comes from `--key-hex` or `--key-file`; a container encrypted
//! with a password gets it from a prompt on the terminal (not echoed) or from the
//! first line of stdin, never from the command line. A container whose encrypted
//! keys carry no MAC is refused unless `--allow-unauthenticated` is given, and each
//! of its tokens is then flagged as not integrity-protected.

use std::fs::File;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use clap::Args;
use otpkit::otpauth::Account;
use otpkit_pskc::{Decryption, Defaulted, Import, Kind, Options, Protection, PskcError, Token};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::cli::ImportArgs;
use crate::commands::Io;
use crate::error::{self, CliError, Exit};
use crate::json;
use crate::state::{self, DeviceFile, Overwrite};

/// `import`'s PSKC options.
#[derive(Args)]
pub struct PskcArgs {
    /// Read FILE as this format instead of an otpauth-migration:// URI. Encrypted
    /// files take their password from a prompt, or from the first line of stdin when
    /// stdin is not a terminal (never from the command line).
    #[arg(long, value_name = "FORMAT")]
    pub from: Option<crate::import::From>,
    /// The container's pre-shared key (RFC 6030 §6.1) in hex; `-` reads it from stdin.
    #[arg(
        long,
        value_name = "HEX",
        requires = "from",
        conflicts_with = "key_file"
    )]
    pub key_hex: Option<String>,
    /// A file holding the pre-shared key in hex.
    #[arg(long, value_name = "FILE", requires = "from")]
    pub key_file: Option<PathBuf>,
    /// Write one device file per TOTP token into DIR (named by serial number, mode
    /// 0600), ready for `otpkit verify`.
    #[arg(long, value_name = "DIR", requires = "from")]
    pub enroll_dir: Option<PathBuf>,
    /// Import encrypted keys from a PSKC file that has no MAC: nothing then shows
    /// whether the file was altered, and an altered file can change a secret
    /// unnoticed. Each such token gets a warning.
    #[arg(long, requires = "from")]
    pub allow_unauthenticated: bool,
}

impl PskcArgs {
    /// Whether `import` reads a PSKC file.
    pub fn is_pskc(&self) -> bool {
        self.from == Some(crate::import::From::Pskc)
    }
}

fn out(io: &mut Io<'_>, text: impl std::fmt::Display) -> Result<(), CliError> {
    writeln!(io.stdout, "{text}").map_err(error::output)
}

/// One line of stdin without its line ending (wiped when dropped).
fn stdin_line(io: &mut Io<'_>, what: &str) -> Result<Zeroizing<String>, CliError> {
    let mut line = Zeroizing::new(String::new());
    (&mut io.stdin)
        .take(64 * 1024)
        .read_line(&mut line)
        .map_err(|e| CliError::usage(format_args!("cannot read stdin: {e}")))?;
    let trimmed = line.trim_end_matches(['\r', '\n']).len();
    line.truncate(trimmed);
    if line.is_empty() {
        return Err(CliError::usage(format_args!(
            "expected the {what} on stdin, got nothing"
        )));
    }
    Ok(line)
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

fn read_bounded(path: &Path, max: usize, what: &str) -> Result<Zeroizing<Vec<u8>>, CliError> {
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

/// The password: a prompt on the terminal (not echoed), else stdin's first line.
fn password(io: &mut Io<'_>) -> Result<Zeroizing<String>, CliError> {
    if io.stdin_is_terminal {
        io.stdout.flush().map_err(error::output)?;
        let typed = rpassword::prompt_password("PSKC container password: ")
            .map_err(|e| CliError::usage(format_args!("cannot read the password: {e}")))?;
        return Ok(Zeroizing::new(typed));
    }
    stdin_line(io, "container password")
}

/// The exit code and message of an import that failed as a whole: a wrong
/// pre-shared key or password is exit 7, as a wrong password for any other import
/// format; everything else (not PSKC, hostile, unsupported) is a usage error.
fn pskc_error(e: &PskcError, password: bool) -> CliError {
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
        PskcError::NotIntegrityProtected => CliError::usage(
            "cannot import the PSKC file: its encrypted keys carry no MAC, so nothing shows \
             whether the file was altered (an altered file can change a secret unnoticed); \
             to import them anyway, add --allow-unauthenticated",
        ),
        PskcError::KdfBudget(exceeded) => crate::import::kdf_budget_error("PSKC", exceeded),
        _ => CliError::usage(format_args!("cannot import the PSKC file: {e}")),
    }
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

/// `otpkit import FILE --from pskc`.
pub fn import(args: ImportArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    let options = Options {
        allow_unauthenticated_encryption: args.pskc.allow_unauthenticated,
        budget: args.kdf.options().budget,
        ..Options::default()
    };
    if let Some(dir) = args.pskc.enroll_dir.as_ref().filter(|d| !d.is_dir()) {
        return Err(CliError::state(format_args!(
            "--enroll-dir: {} is not a directory",
            dir.display()
        )));
    }
    let path = PathBuf::from(&args.uri);
    let xml = read_bounded(&path, options.max_bytes, "the PSKC file")?;
    let key = match (&args.pskc.key_hex, &args.pskc.key_file) {
        (Some(hex), _) if hex == "-" => Some(hex_key(&stdin_line(io, "key")?, "--key-hex")?),
        (Some(hex), _) => Some(hex_key(hex, "--key-hex")?),
        (None, Some(file)) => {
            let text = read_bounded(file, 4096, "the key file")?;
            let text = std::str::from_utf8(&text)
                .map_err(|_| CliError::usage("--key-file: expected the key as hex text"))?;
            Some(hex_key(text, "--key-file")?)
        }
        (None, None) => None,
    };
    let decryption = key
        .as_ref()
        .map_or(Decryption::None, |k| Decryption::PreSharedKey(k));
    let imported = match otpkit_pskc::import_with(&xml, decryption, &options) {
        Err(PskcError::NeedsPassword) if key.is_none() => {
            let pw = password(io)?;
            otpkit_pskc::import_with(&xml, Decryption::Password(pw.as_bytes()), &options)
                .map_err(|e| pskc_error(&e, true))?
        }
        Err(PskcError::NeedsPassword) => {
            return Err(CliError::usage(
                "this container is encrypted with a password, not a pre-shared key: \
                 leave out --key-hex/--key-file and give the password at the prompt or on stdin",
            ));
        }
        Err(e) => return Err(pskc_error(&e, false)),
        Ok(imported) => imported,
    };
    report(&imported, &args, io)
}

fn report(imported: &Import, args: &ImportArgs, io: &mut Io<'_>) -> Result<(), CliError> {
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
            .map_err(ToString::to_string)
            .and_then(|token| {
                let object = token_json(token)?;
                if let Some(dir) = &args.pskc.enroll_dir {
                    enroll(dir, token).map_err(|e| e.message)?;
                }
                Ok((token, object))
            });
        match done {
            Ok((token, object)) => {
                if let Some(warning) = protection_warning(token.protection) {
                    crate::commands::warn(
                        io,
                        format_args!("key {number} of {total}{who}: {warning}"),
                    );
                }
                if args.json {
                    objects.push(object);
                } else {
                    let uri = Zeroizing::new(token.to_account().to_uri());
                    out(io, uri.as_str())?;
                }
            }
            Err(e) => {
                failed = failed.saturating_add(1);
                let _ = writeln!(io.stderr, "otpkit: key {number} of {total}{who}: {e}");
            }
        }
    }
    if args.json {
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

/// A serial number as shown in a message: control characters dropped.
fn printable(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(64).collect()
}

/// `inspect --json`'s object for the token's account, plus what the URI cannot
/// carry: the device, the key id, T0 and drift, and the values the file left out.
fn token_json(token: &Token) -> Result<Value, String> {
    let account = token.to_account();
    let uri = Zeroizing::new(account.to_uri());
    let parsed = Account::parse(&uri).map_err(|e| e.to_string())?;
    let warnings: Vec<String> = parsed.warnings.iter().map(ToString::to_string).collect();
    let mut value = json::account(&parsed.account, &warnings);
    if let Value::Object(map) = &mut value {
        map.insert("manufacturer".into(), json!(token.device.manufacturer));
        map.insert("serial_number".into(), json!(token.device.serial_number));
        map.insert("model".into(), json!(token.device.model));
        map.insert("key_id".into(), json!(token.key_id));
        if let Kind::Totp { t0, drift, .. } = token.kind {
            map.insert("t0".into(), json!(t0));
            map.insert("drift".into(), json!(drift));
        }
        let defaulted: Vec<&str> = token
            .defaulted
            .iter()
            .map(|d| match d {
                Defaulted::Digits => "digits",
                Defaulted::Counter => "counter",
                Defaulted::TimeInterval => "period",
                _ => "other",
            })
            .collect();
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
    let Kind::Totp { period, t0, .. } = token.kind else {
        return Err(CliError::usage(
            "an HOTP token cannot be enrolled: device files are for TOTP (print it instead)",
        ));
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
        state::check_field("issuer", issuer)?;
    }
    state::check_field("account name", &account.name)?;
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
    let _lock = state::lock(&path)?;
    state::write_atomic(&path, device.to_text().as_bytes(), Overwrite::No)
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
