//! `otpkit import`: the accounts of an authenticator app's backup or export, of a
//! PSKC container, or of one Google Authenticator export URI, printed as `otpauth://`
//! URIs or as `inspect --json`'s objects, with a report of every entry on stderr.
//!
//! Every file takes one path, whatever its format: it is read whole (bounded, in a
//! wiped buffer); its format is the one `--from` names or, without `--from`, the one
//! its content shows (said on stderr); an image is refused as an image; the flags
//! only one format reads are refused with the others; then the format's reader runs:
//! `otpkit-transfer` for the app formats ([`crate::input_file`]), [`crate::pskc`]
//! for PSKC. A lone `otpauth-migration://` URI given as the argument is read as it is.

use std::path::{Path, PathBuf};

use clap::Args;
use otpkit::migration;
use otpkit::otpauth::Account;
use otpkit_transfer::Format;
use serde_json::Value;
use zeroize::Zeroizing;

use crate::error::{CliError, Exit};
use crate::input_file::{self, InputFormat, KdfArgs, MAX_FILE_LEN};
use crate::io::{self, Io, out, read_value};
use crate::json;
use crate::pskc;
use crate::uri::is_migration;

/// `otpkit import --help`'s closing text.
const IMPORT_HELP: &str = "\
Examples:
  otpkit import 'otpauth-migration://offline?data=...'      # one Google export QR code
  otpkit import backup.2fas                                  # the format told from the content
  otpkit import backup.2fas --from 2fas                      # otpauth:// URIs on stdout
  otpkit import vault.json --from aegis --json < pw.txt      # password: stdin's first line
  otpkit import scans.txt --from google-migration            # multi-QR transfer, any order
  otpkit import tokens.xml --from pskc --key-hex -           # PSKC, pre-shared key on stdin

Without --from the format is told from the file's content and named on stderr
(`otpkit: reading FILE as aegis (detected)`); an encrypted andOTP backup cannot be told
from other binary files and needs --from andotp. The PSKC options (--key-hex, --key-file,
--enroll-dir, --allow-unauthenticated, --allow-short-secret) need --from pskc.
A report of every entry (imported, its warnings, or why it was not) goes to stderr,
never with a secret. Passwords are never arguments: a prompt at a terminal, else the
first line of stdin (so an encrypted FILE cannot be `-`). Exit 6: some entries failed
or QR codes of a transfer are missing; 7: wrong password or failed integrity check.
An encrypted file asking for more key-derivation work or memory than --kdf-budget and
--kdf-memory allow is refused before the work is done (exit 2).";

/// `otpkit import`.
#[derive(Args)]
#[command(after_help = IMPORT_HELP)]
pub struct ImportArgs {
    /// The file to read (`-` reads the whole of stdin; an encrypted file must then be
    /// given by path, as its password comes from stdin), or the otpauth-migration://
    /// URI from Google Authenticator's export QR code (`-` at a terminal reads one
    /// URI line).
    #[arg(value_name = "URI|FILE")]
    pub input: String,
    /// Print a JSON array of account objects (the same objects as `inspect --json`).
    #[arg(long)]
    pub json: bool,
    /// The file's format; without it, the format is told from the content (an
    /// encrypted andOTP backup cannot be, and needs --from andotp). Encrypted files
    /// take their password from a prompt, or from the first line of stdin when stdin
    /// is not a terminal (never from the command line).
    #[arg(long, value_name = "FORMAT")]
    pub from: Option<InputFormat>,
    /// PSKC: the container's pre-shared key (RFC 6030 §6.1) in hex; `-` reads it from
    /// stdin.
    #[arg(
        long,
        value_name = "HEX",
        requires = "from",
        conflicts_with = "key_file"
    )]
    pub key_hex: Option<String>,
    /// PSKC: a file holding the pre-shared key in hex.
    #[arg(long, value_name = "FILE", requires = "from")]
    pub key_file: Option<PathBuf>,
    /// PSKC: write one device file per TOTP token into DIR (named by serial number,
    /// mode 0600), ready for `otpkit verify`.
    #[arg(long, value_name = "DIR", requires = "from")]
    pub enroll_dir: Option<PathBuf>,
    /// PSKC: import encrypted keys from a file that has no MAC: nothing then shows
    /// whether the file was altered, and an altered file can change a secret
    /// unnoticed. Each such token gets a warning.
    #[arg(long, requires = "from")]
    pub allow_unauthenticated: bool,
    /// PSKC: import secrets shorter than the 128 bits RFC 4226 requires (the other
    /// formats import them with a warning).
    #[arg(long, requires = "from")]
    pub allow_short_secret: bool,
    /// The key-derivation budget of an encrypted file.
    #[command(flatten)]
    pub kdf: KdfArgs,
}

impl ImportArgs {
    /// Refuses the flags `format` does not read: the PSKC ones for every other
    /// format.
    fn check_flags_for(&self, format: InputFormat) -> Result<(), CliError> {
        match format {
            InputFormat::Pskc => Ok(()),
            InputFormat::Transfer(_) => {
                if self.key_hex.is_some() || self.key_file.is_some() {
                    return Err(CliError::usage(
                        "--key-hex and --key-file are for --from pskc; other formats take a \
                         password",
                    ));
                }
                if self.enroll_dir.is_some() {
                    return Err(CliError::usage("--enroll-dir is for --from pskc"));
                }
                if self.allow_unauthenticated {
                    return Err(CliError::usage(
                        "--allow-unauthenticated is for --from pskc",
                    ));
                }
                if self.allow_short_secret {
                    return Err(CliError::usage(
                        "--allow-short-secret is for --from pskc (the other formats import \
                         short secrets with a warning)",
                    ));
                }
                Ok(())
            }
        }
    }
}

/// Reads the input and prints its accounts.
pub fn run(args: ImportArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    if let Some(format) = args.from {
        args.check_flags_for(format)?;
    } else if is_migration(&args.input) || (args.input == "-" && io.stdin_is_terminal) {
        let uri = read_value(args.input.clone(), "URI", io)?;
        return migration_uri(&uri, &args, io);
    } else if args.input.contains("://") && !Path::new(&args.input).exists() {
        return Err(CliError::usage(
            "expected an otpauth-migration:// URI (Google Authenticator's export QR code)",
        ));
    }
    let (max, what) = match args.from {
        Some(InputFormat::Pskc) => (
            pskc::max_bytes(),
            format!("the PSKC file {}", input_file::describe(&args.input)),
        ),
        Some(InputFormat::Transfer(_)) | None => (MAX_FILE_LEN, "the input".to_owned()),
    };
    let data = input_file::read(&args.input, max, &what, io)?;
    let format = match args.from {
        Some(format) => format,
        None => {
            if let Some(uri) = lone_migration_uri(&data) {
                return migration_uri(uri, &args, io);
            }
            let format = detect(&args.input, &data, io)?;
            args.check_flags_for(format)?;
            format
        }
    };
    match format.transfer() {
        Some(transfer) => import_accounts(format, transfer, &data, &args, io),
        None => {
            let flags = pskc::Flags {
                key_hex: args.key_hex.as_deref(),
                key_file: args.key_file.as_deref(),
                enroll_dir: args.enroll_dir.as_deref(),
                allow_unauthenticated: args.allow_unauthenticated,
                allow_short_secret: args.allow_short_secret,
                json: args.json,
                budget: args.kdf.options().budget,
                format_named: args.from.is_some(),
            };
            pskc::import(&data, &args.input, &flags, io)
        }
    }
}

/// The format `data` (read from `file`) shows, said on stderr; an error that lists
/// the formats (or says the file is an image) when it shows none.
fn detect(file: &str, data: &[u8], io: &mut Io<'_>) -> Result<InputFormat, CliError> {
    let name = input_file::describe(file);
    if let Some(format) = InputFormat::detect(data)? {
        io::note(io, format_args!("reading {name} as {format} (detected)"));
        return Ok(format);
    }
    if let Some(kind) = input_file::image_kind(data) {
        return Err(input_file::image_error(file, kind));
    }
    Err(CliError::usage(format_args!(
        "cannot tell the format of {name} from its content: give it with --from FORMAT \
         (one of {}); an encrypted andOTP backup is never recognised: use --from andotp",
        InputFormat::names()
    )))
}

/// The text of `data` when it is one `otpauth-migration://` URI and nothing else but
/// blank lines: read as the URI argument is.
fn lone_migration_uri(data: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(data.trim_ascii()).ok()?;
    (is_migration(text) && !text.contains('\n')).then_some(text)
}

/// The accounts of one Google Authenticator export URI, each entry checked on its
/// own.
fn migration_uri(uri: &str, args: &ImportArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    if args.kdf.given() {
        return Err(CliError::usage(
            "--kdf-budget and --kdf-memory are for encrypted files read with --from FORMAT",
        ));
    }
    if !is_migration(uri) {
        return Err(CliError::usage(
            "expected an otpauth-migration:// URI (Google Authenticator's export QR code)",
        ));
    }
    let entries = migration::decode(uri)
        .map_err(|e| CliError::usage(format_args!("invalid migration URI: {e}")))?;
    let total = entries.len();
    let mut failed = 0usize;
    let mut objects = Vec::new();
    for (index, entry) in entries.into_iter().enumerate() {
        let number = index.saturating_add(1);
        // Re-reading the written URI yields the same warnings `inspect` would give.
        let checked = entry.map_err(|e| e.to_string()).and_then(|account| {
            let uri = Zeroizing::new(account.to_uri());
            Account::parse(&uri)
                .map(|p| (uri, p))
                .map_err(|e| e.to_string())
        });
        match checked {
            Ok((uri, parsed)) => {
                if args.json {
                    let warnings: Vec<String> =
                        parsed.warnings.iter().map(ToString::to_string).collect();
                    objects.push(json::account(&parsed.account, &warnings)?);
                } else {
                    out(io, uri.as_str())?;
                }
            }
            Err(e) => {
                failed = failed.saturating_add(1);
                io::note(io, format_args!("entry {number} of {total}: {e}"));
            }
        }
    }
    if args.json {
        let text = json::to_text(Value::Array(objects));
        out(io, text.as_str())?;
    }
    if failed > 0 {
        return Err(CliError::new(
            Exit::Partial,
            format_args!("{failed} of {total} entries could not be imported"),
        ));
    }
    Ok(())
}

/// The accounts of an app's file (`data`, read from `args.input`) in `format`.
fn import_accounts(
    format: InputFormat,
    transfer: Format,
    data: &[u8],
    args: &ImportArgs,
    io: &mut Io<'_>,
) -> Result<(), CliError> {
    let imported = input_file::import(format, transfer, data, &args.input, &args.kdf, io)?;
    if imported.report.is_empty() && imported.missing_batches.is_empty() {
        return Err(CliError::usage(format_args!(
            "the {format} file holds no account"
        )));
    }
    let failed = input_file::report(format, &imported, io);
    let mut objects = Vec::new();
    for (account, mut warnings) in input_file::accounts_with_warnings(&imported) {
        let uri = Zeroizing::new(account.to_uri());
        if args.json {
            // The notes `inspect` gives for the same URI, too.
            if let Ok(parsed) = Account::parse(&uri) {
                for w in parsed.warnings.iter().map(ToString::to_string) {
                    if !warnings.contains(&w) {
                        warnings.push(w);
                    }
                }
            }
            objects.push(json::account(account, &warnings)?);
        } else {
            out(io, uri.as_str())?;
        }
    }
    if args.json {
        let text = json::to_text(Value::Array(objects));
        out(io, text.as_str())?;
    }
    let imported_count = imported.accounts.len();
    let total = imported.report.len();
    io::note(
        io,
        format_args!("{imported_count} of {total} entries imported from the {format} file"),
    );
    input_file::outcome(&imported, failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_migration_uri_is_told_from_a_file_of_them() {
        let uri = "otpauth-migration://offline?data=x";
        assert_eq!(
            lone_migration_uri(format!("\n {uri}\r\n\n").as_bytes()),
            Some(uri)
        );
        assert_eq!(
            lone_migration_uri(format!("{uri}\n{uri}\n").as_bytes()),
            None
        );
        assert_eq!(lone_migration_uri(b"otpauth://totp/a?secret=A"), None);
        assert_eq!(lone_migration_uri(b"\xff"), None);
    }
}
