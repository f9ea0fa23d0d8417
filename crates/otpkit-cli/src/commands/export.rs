//! `otpkit export --to FORMAT`: accounts written as an Aegis vault (plain or
//! encrypted), a plain `otpauth://` list, or Google Authenticator migration QR codes
//! ([`otpkit_transfer::export`]).
//!
//! The accounts come from `--input FILE` (default `-`, stdin) in the `--from` format
//! (default `otpauth-list`), so the same command converts one app's backup into
//! another's: `otpkit export --to aegis --from 2fas --input backup.2fas --out
//! vault.json`. What the target format cannot carry is said on stderr, never dropped
//! silently.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use otpkit_transfer::Import;
use otpkit_transfer::export::{self, ExportNote, Omission};
use zeroize::Zeroizing;

use crate::error::{self, CliError, Exit};
use crate::input_file::{self, InputFormat, KdfArgs};
use crate::io::{self, Io};
use crate::qr::{self, Background};
use crate::safe_file::{self, Overwrite};
use otpkit_pskc::export as pskc_export;

/// The formats `export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum To {
    /// Aegis vault JSON (plain, or encrypted with --encrypt), which Aegis imports.
    Aegis,
    /// Google Authenticator migration QR codes, at most 10 accounts each.
    GoogleMigration,
    /// Plain text, one otpauth:// URI per line.
    OtpauthList,
    /// FIDO Credential Exchange Format (CXF 1.0) JSON: one TOTP credential per account.
    Cxf,
    /// A PSKC key container (RFC 6030) for a validation server: in the clear, or with
    /// --encrypt under a password (PBKDF2-SHA256, AES-128-CBC, an HMAC per secret).
    Pskc,
}

impl To {
    fn name(self) -> &'static str {
        match self {
            To::Aegis => "aegis",
            To::GoogleMigration => "google-migration",
            To::OtpauthList => "otpauth-list",
            To::Cxf => "cxf",
            To::Pskc => "pskc",
        }
    }
}

const EXPORT_HELP: &str = "\
Examples:
  otpkit export --to aegis --from 2fas --input backup.2fas --out aegis.json
  otpkit export --to aegis --encrypt --from andotp --input otp.json.aes --out vault.json
  otpkit export --to google-migration --from aegis --input aegis.json
  otpkit export --to google-migration --input uris.txt --out-dir qr/
  otpkit export --to pskc --encrypt --from aegis --input aegis.json --out seeds.pskc
  otpkit import tokens.xml --from pskc | otpkit export --to otpauth-list --out list.txt

Passwords are never arguments. At a terminal they are prompted for (the new --encrypt
password twice); otherwise the input file's password is the first line of stdin and the
--encrypt password the next, so an encrypted input must be given by path, not as `-`.
What the target format cannot carry is listed on stderr; the exit code is 6 when
accounts were left out or input entries could not be read, 7 for a wrong password.";

/// `otpkit export`.
#[derive(Args)]
#[command(after_help = EXPORT_HELP)]
pub struct ExportArgs {
    /// The format to write.
    #[arg(long, value_name = "FORMAT")]
    pub to: To,
    /// The format of the input; the default is one otpauth:// URI per line, as
    /// `otpkit import` prints them.
    #[arg(long, value_name = "FORMAT", default_value = "otpauth-list")]
    pub from: InputFormat,
    /// The file holding the accounts; `-` reads them from stdin.
    #[arg(long, short, value_name = "FILE", default_value = "-")]
    pub input: String,
    /// Write the export to this file (created with mode 0600: it holds the secrets)
    /// instead of stdout. For google-migration: the otpauth-migration:// URIs, one
    /// per line.
    #[arg(long, value_name = "PATH", conflicts_with = "out_dir")]
    pub out: Option<PathBuf>,
    /// google-migration only: write one PNG per QR code into DIR (created if
    /// needed), named batch-1-of-N.png, ..., mode 0600.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Replace existing output files.
    #[arg(long)]
    pub force: bool,
    /// aegis only: encrypt the vault with a password (scrypt and AES-256-GCM, as
    /// Aegis does), read from a prompt, twice, or from stdin.
    #[arg(long)]
    pub encrypt: bool,
    /// Draw the terminal QR codes for a light background.
    #[arg(long)]
    pub light_terminal: bool,
    /// The key-derivation budget of an encrypted input.
    #[command(flatten)]
    pub kdf: KdfArgs,
}

/// Writes the accounts of the input in the target format.
pub fn run(args: ExportArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    if args.encrypt && !matches!(args.to, To::Aegis | To::Pskc) {
        return Err(CliError::usage("--encrypt is for --to aegis and --to pskc"));
    }
    if args.out_dir.is_some() && args.to != To::GoogleMigration {
        return Err(CliError::usage("--out-dir is for --to google-migration"));
    }
    let Some(transfer) = args.from.transfer() else {
        return Err(CliError::usage(
            "--from pskc: convert the container with `otpkit import FILE --from pskc` and \
             pipe its otpauth:// URIs into `otpkit export`",
        ));
    };
    if args.encrypt && args.input == "-" && !io.stdin_is_terminal {
        return Err(CliError::usage(
            "--encrypt needs the password from stdin, which already holds the accounts: \
             give them with --input FILE",
        ));
    }
    let format = args.from;
    let imported = input_file::load(format, transfer, &args.input, &args.kdf, io)?;
    let failed = quiet_report(format, &imported, io);
    if imported.accounts.is_empty() {
        return Err(CliError::usage(format_args!(
            "no account to export: the {format} input holds none that could be read"
        )));
    }
    let accounts = &imported.accounts;
    let notes = match args.to {
        To::OtpauthList => {
            let exported = export::otpauth_list(accounts);
            write_text(&args, exported.output.as_bytes(), io)?;
            exported.notes
        }
        To::Aegis => {
            let pw = if args.encrypt {
                Some(new_password(io)?)
            } else {
                None
            };
            let exported = export::aegis(accounts, pw.as_ref().map(|p| p.as_bytes()))
                .map_err(|e| CliError::usage(format_args!("cannot export: {e}")))?;
            // Copied into a buffer one byte larger, not pushed to: growing the vault's
            // text in place could leave an unwiped copy of it behind.
            let mut text = Zeroizing::new(String::with_capacity(
                exported.output.len().saturating_add(1),
            ));
            text.push_str(&exported.output);
            text.push('\n');
            write_text(&args, text.as_bytes(), io)?;
            exported.notes
        }
        To::GoogleMigration => {
            let exported = export::google_migration(accounts)
                .map_err(|e| CliError::usage(format_args!("cannot export: {e}")))?;
            write_batches(&args, &exported.output, io)?;
            exported.notes
        }
        To::Cxf => {
            let exported = export::cxf(accounts)
                .map_err(|e| CliError::usage(format_args!("cannot export: {e}")))?;
            write_text(&args, exported.output.as_bytes(), io)?;
            exported.notes
        }
        To::Pskc => {
            let pw = if args.encrypt {
                Some(new_password(io)?)
            } else {
                None
            };
            let encryption = pw.as_ref().map_or(pskc_export::Encryption::None, |p| {
                pskc_export::Encryption::password(p.as_bytes())
            });
            let exported = pskc_export::export(accounts, encryption)
                .map_err(|e| CliError::usage(format_args!("cannot export: {e}")))?;
            write_text(&args, exported.xml.as_bytes(), io)?;
            for (index, names) in &exported.dropped_parameters {
                let _ = writeln!(
                    io.stderr,
                    "otpkit: note: account {}: pskc does not carry its parameters {}",
                    index.saturating_add(1),
                    names.join(", ")
                );
            }
            Vec::new()
        }
    };
    let skipped = print_notes(args.to, &notes, io);
    let written = accounts.len().saturating_sub(skipped);
    let _ = writeln!(
        io.stderr,
        "otpkit: {written} of {} accounts exported to {}",
        accounts.len(),
        args.to.name()
    );
    if skipped > 0 {
        return Err(CliError::new(
            Exit::Partial,
            format_args!(
                "{skipped} account(s) could not be carried by {} (see above)",
                args.to.name()
            ),
        ));
    }
    input_file::outcome(&imported, failed)
}

/// The input's failures and warnings on stderr (the entries imported are not listed
/// one by one: the export is what the user asked for). Returns the failures.
fn quiet_report(format: InputFormat, imported: &Import, io: &mut Io<'_>) -> usize {
    let mut failed = 0usize;
    let total = imported.report.len();
    for entry in &imported.report {
        let label = input_file::printable(&entry.label);
        let at = format.position(entry, total);
        match &entry.outcome {
            Ok(warnings) => {
                for w in warnings {
                    let _ = writeln!(
                        io.stderr,
                        "otpkit: warning: {format} input, {at} \"{label}\": {w}"
                    );
                }
            }
            Err(e) => {
                failed = failed.saturating_add(1);
                let _ = writeln!(
                    io.stderr,
                    "otpkit: {format} input, {at} \"{label}\": not read: {e}"
                );
            }
        }
    }
    if !imported.missing_batches.is_empty() {
        let _ = writeln!(
            io.stderr,
            "otpkit: {} QR code(s) of the migration transfer are missing",
            imported.missing_batches.len()
        );
    }
    failed
}

/// What the export could not carry, on stderr. Returns how many accounts were left
/// out.
fn print_notes(to: To, notes: &[ExportNote], io: &mut Io<'_>) -> usize {
    let mut skipped = 0usize;
    for note in notes {
        let n = note.index.saturating_add(1);
        let label = input_file::printable(&note.label);
        let to = to.name();
        match &note.what {
            Omission::AccountSkipped(why) => {
                skipped = skipped.saturating_add(1);
                let _ = writeln!(
                    io.stderr,
                    "otpkit: account {n} \"{label}\" left out: {to} cannot carry {why}"
                );
            }
            Omission::ExtraParametersDropped(names) => {
                let _ = writeln!(
                    io.stderr,
                    "otpkit: note: account {n} \"{label}\": {to} does not carry its \
                     parameters {}",
                    names.join(", ")
                );
            }
        }
    }
    skipped
}

/// The password of an encrypted export: typed twice at a terminal, else the next
/// line of stdin.
fn new_password(io: &mut Io<'_>) -> Result<Zeroizing<String>, CliError> {
    let first = io::password(io, "New password for the Aegis vault: ", "export password")?;
    if io.stdin_is_terminal {
        let again = io::password(io, "Repeat the password: ", "export password")?;
        if again != first {
            return Err(CliError::usage(
                "the two passwords differ; nothing was written",
            ));
        }
    }
    Ok(first)
}

/// `bytes` to `--out` (mode 0600) or stdout.
fn write_text(args: &ExportArgs, bytes: &[u8], io: &mut Io<'_>) -> Result<(), CliError> {
    match &args.out {
        Some(path) => safe_file::write_atomic(path, bytes, Overwrite::when(args.force)),
        None => io
            .stdout
            .write_all(bytes)
            .and_then(|()| io.stdout.flush())
            .map_err(error::output),
    }
}

/// The migration batches: URIs to `--out`, PNGs to `--out-dir`, or QR codes drawn on
/// stdout, each under its number.
fn write_batches(
    args: &ExportArgs,
    uris: &[Zeroizing<String>],
    io: &mut Io<'_>,
) -> Result<(), CliError> {
    let n = uris.len();
    if args.out.is_some() {
        let mut text = Zeroizing::new(String::with_capacity(
            uris.iter()
                .map(|u| u.len().saturating_add(1))
                .fold(0usize, usize::saturating_add),
        ));
        for uri in uris {
            text.push_str(uri);
            text.push('\n');
        }
        return write_text(args, text.as_bytes(), io);
    }
    if let Some(dir) = &args.out_dir {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        // Private like the files in it: the QR codes carry the secrets.
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(dir)
            .map_err(|e| CliError::state(format_args!("cannot create {}: {e}", dir.display())))?;
        for (i, uri) in (1usize..).zip(uris) {
            let path = dir.join(format!("batch-{i}-of-{n}.png"));
            safe_file::write_atomic(&path, &qr::png(uri)?, Overwrite::when(args.force))?;
            let _ = writeln!(io.stderr, "otpkit: wrote {}", path.display());
        }
        return Ok(());
    }
    let background = if args.light_terminal {
        Background::Light
    } else {
        Background::Dark
    };
    for (i, uri) in (1usize..).zip(uris) {
        let drawing = qr::terminal(uri, background)?;
        writeln!(
            io.stdout,
            "QR code {i} of {n} (scan them all with Google Authenticator's \"Import accounts\"):"
        )
        .and_then(|()| writeln!(io.stdout, "{}", drawing.as_str()))
        .map_err(error::output)?;
    }
    io.stdout.flush().map_err(error::output)
}
