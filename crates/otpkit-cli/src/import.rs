//! `otpkit import FILE --from FORMAT`: the accounts of an authenticator app's backup
//! or export ([`otpkit_transfer`]), printed as `otpauth://` URIs or as `inspect
//! --json`'s objects, with a report of every entry on stderr.
//!
//! The file's password (for encrypted backups) comes from a prompt on the terminal
//! (not echoed) or from the first line of stdin when stdin is not a terminal — never
//! from the command line. The reading and password handling here are shared with
//! `otpkit export`, which converts between formats.

use std::fs::File;
use std::io::{BufRead, Read};
use std::path::Path;

use clap::{Args, ValueEnum};
use otpkit::otpauth::Account;
use otpkit_transfer::{
    EntryReport, Format, Import, ImportError, ImportOptions, MAX_INPUT_LEN, OverBudget, WorkBudget,
};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::cli::ImportArgs;
use crate::commands::Io;
use crate::error::{self, CliError, Exit};
use crate::json;

/// `otpkit import --help`'s closing text.
pub const IMPORT_HELP: &str = "\
Examples:
  otpkit import 'otpauth-migration://offline?data=...'      # one Google export QR code
  otpkit import backup.2fas --from 2fas                      # otpauth:// URIs on stdout
  otpkit import vault.json --from aegis --json < pw.txt      # password: stdin's first line
  otpkit import scans.txt --from google-migration            # multi-QR transfer, any order
  otpkit import tokens.xml --from pskc --key-hex -           # PSKC, pre-shared key on stdin

A report of every entry (imported, its warnings, or why it was not) goes to stderr,
never with a secret. Passwords are never arguments: a prompt at a terminal, else the
first line of stdin (so an encrypted FILE cannot be `-`). Exit 6: some entries failed
or QR codes of a transfer are missing; 7: wrong password or failed integrity check.
An encrypted file asking for more key-derivation work or memory than --kdf-budget and
--kdf-memory allow is refused before the work is done (exit 2).";

/// The formats `import --from` (and `export --from`) read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum From {
    /// Aegis vault JSON, plain or password-encrypted.
    Aegis,
    /// 2FAS backup (.2fas), plain or encrypted.
    #[value(name = "2fas")]
    TwoFas,
    /// andOTP backup: plain JSON or encrypted (.json.aes).
    Andotp,
    /// Bitwarden JSON export, plain or password-protected.
    Bitwarden,
    /// FreeOTP+ JSON export.
    FreeotpPlus,
    /// Authenticator Pro (Stratum) plain JSON backup.
    AuthenticatorPro,
    /// Google Authenticator's "Transfer accounts" QR codes: one otpauth-migration://
    /// URI per line, in any order, duplicates allowed.
    GoogleMigration,
    /// Plain text, one otpauth:// URI per line.
    OtpauthList,
    /// A PSKC key container (RFC 6030), as hardware token vendors deliver seeds.
    Pskc,
}

impl From {
    /// The transfer format, or `None` for PSKC (read by `crate::pskc`).
    pub fn transfer(self) -> Option<Format> {
        Some(match self {
            From::Aegis => Format::Aegis,
            From::TwoFas => Format::TwoFas,
            From::Andotp => Format::AndOtp,
            From::Bitwarden => Format::Bitwarden,
            From::FreeotpPlus => Format::FreeOtpPlus,
            From::AuthenticatorPro => Format::AuthenticatorPro,
            From::GoogleMigration => Format::GoogleMigration,
            From::OtpauthList => Format::OtpauthList,
            From::Pskc => return None,
        })
    }
}

/// `--kdf-budget` and `--kdf-memory`: how much key derivation an encrypted file may
/// ask for (`otpkit_transfer::WorkBudget`).
#[derive(Args, Clone, Copy, Debug, Default)]
pub struct KdfArgs {
    /// The key-derivation work an encrypted file may ask for, over all its password
    /// slots, in work units: a number with an optional k, M or G (default 1M, about a
    /// second of one core). Raise it only for a file you trust.
    #[arg(long, value_name = "UNITS", value_parser = parse_work)]
    pub kdf_budget: Option<u64>,
    /// The memory one key derivation may use: a number of bytes with an optional KiB,
    /// MiB or GiB (default 256MiB). Raise it only for a file you trust.
    #[arg(long, value_name = "SIZE", value_parser = parse_memory)]
    pub kdf_memory: Option<u64>,
}

impl KdfArgs {
    /// Whether either flag was given.
    pub fn given(&self) -> bool {
        self.kdf_budget.is_some() || self.kdf_memory.is_some()
    }

    /// The import's options: the flags' budget, the defaults for what is not given.
    pub fn options(&self) -> ImportOptions {
        ImportOptions {
            budget: WorkBudget::new(
                self.kdf_budget.unwrap_or(WorkBudget::DEFAULT_WORK),
                self.kdf_memory.unwrap_or(WorkBudget::DEFAULT_MAX_MEMORY),
            ),
        }
    }
}

/// A number with an optional decimal fraction and a suffix multiplying it; rounded up
/// to a whole number. `None` when it is not one or does not fit a `u64`.
fn scaled(text: &str, suffixes: &[(&str, u64)]) -> Option<u64> {
    let text = text.trim();
    let (number, multiplier) = suffixes
        .iter()
        .find_map(|(suffix, m)| {
            let cut = text.len().checked_sub(suffix.len())?;
            let (number, end) = (text.get(..cut)?, text.get(cut..)?);
            end.eq_ignore_ascii_case(suffix).then_some((number, *m))
        })
        .unwrap_or((text, 1));
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !(fraction.is_empty() || digits(fraction)) || fraction.len() > 9 {
        return None;
    }
    let scale = 10u64.checked_pow(u32::try_from(fraction.len()).ok()?)?;
    let fraction_value: u64 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().ok()?
    };
    whole
        .parse::<u64>()
        .ok()?
        .checked_mul(multiplier)?
        .checked_add(
            u64::try_from(
                u128::from(fraction_value)
                    .saturating_mul(u128::from(multiplier))
                    .div_ceil(u128::from(scale)),
            )
            .ok()?,
        )
}

/// `--kdf-budget`: work units, `1000000`, `1M`, `1500k`, `2.5M`.
fn parse_work(text: &str) -> Result<u64, String> {
    scaled(
        text,
        &[("k", 1_000), ("M", 1_000_000), ("G", 1_000_000_000)],
    )
    .ok_or_else(|| {
        "expected a number of work units, with an optional k, M or G (1M, 2.5M, 800k)".to_owned()
    })
}

/// `--kdf-memory`: bytes, `268435456`, `256MiB`, `1GiB` (K, M, G are binary too).
fn parse_memory(text: &str) -> Result<u64, String> {
    scaled(
        text,
        &[
            ("KiB", 1 << 10),
            ("MiB", 1 << 20),
            ("GiB", 1 << 30),
            ("K", 1 << 10),
            ("M", 1 << 20),
            ("G", 1 << 30),
        ],
    )
    .ok_or_else(|| {
        "expected a size in bytes, with an optional KiB, MiB or GiB (512MiB, 1GiB)".to_owned()
    })
}

/// The flags that would let a refused derivation run, with values `parse_work` and
/// `parse_memory` read back as at least what was needed.
fn kdf_flags(exceeded: &OverBudget) -> String {
    let mut flags = Vec::new();
    if exceeded.work_exceeded() {
        let needed = exceeded.work_needed;
        let value = [(1_000_000_000u128, "G"), (1_000_000, "M"), (1_000, "k")]
            .into_iter()
            .find(|(unit, _)| u128::from(needed) >= *unit)
            .map_or_else(
                || needed.to_string(),
                |(unit, suffix)| {
                    // Two decimals, rounded up, trailing zeros dropped.
                    let hundredths = u128::from(needed).saturating_mul(100).div_ceil(unit);
                    let text = format!("{}.{:02}", hundredths / 100, hundredths % 100);
                    format!(
                        "{}{suffix}",
                        text.trim_end_matches('0').trim_end_matches('.')
                    )
                },
            );
        flags.push(format!("--kdf-budget {value}"));
    }
    if exceeded.memory_exceeded() {
        let mib = exceeded.memory_needed.div_ceil(1 << 20);
        let value = if mib.is_multiple_of(1024) {
            format!("{}GiB", mib / 1024)
        } else {
            format!("{mib}MiB")
        };
        flags.push(format!("--kdf-memory {value}"));
    }
    flags.join(" ")
}

/// The error of a file whose key derivation the budget refused (`file`: `aegis`,
/// `PSKC`, …), naming the flags that would let it through.
pub(crate) fn kdf_budget_error(file: &str, exceeded: &OverBudget) -> CliError {
    CliError::usage(format_args!(
        "cannot import the {file} file: it asks for more key-derivation work than \
         allowed: {exceeded}; if you trust the file, run again with {}",
        kdf_flags(exceeded)
    ))
}

/// The exit code of an import that failed as a whole.
fn import_error(format: Format, e: &ImportError) -> CliError {
    if let ImportError::KdfBudget { exceeded, .. } = e {
        return kdf_budget_error(format.name(), exceeded);
    }
    let exit = match e {
        ImportError::WrongPassword { .. } | ImportError::IntegrityCheckFailed { .. } => {
            Exit::Password
        }
        _ => Exit::Usage,
    };
    CliError::new(exit, format_args!("cannot import the {format} file: {e}"))
}

/// The whole of `file` (`-`: stdin), at most [`MAX_INPUT_LEN`] bytes, in a buffer
/// wiped when dropped.
fn read_input(file: &str, io: &mut Io<'_>) -> Result<Zeroizing<Vec<u8>>, CliError> {
    let limit = u64::try_from(MAX_INPUT_LEN)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let data = if file == "-" {
        read_wiped(&mut (&mut io.stdin).take(limit), 0)
            .map_err(|e| CliError::usage(format_args!("cannot read stdin: {e}")))?
    } else {
        let path = Path::new(file);
        let fail = |e: std::io::Error| {
            CliError::state(format_args!("cannot read {}: {e}", path.display()))
        };
        let file = File::open(path).map_err(fail)?;
        let size = file
            .metadata()
            .ok()
            .and_then(|m| usize::try_from(m.len()).ok())
            .unwrap_or(0)
            .min(MAX_INPUT_LEN);
        read_wiped(&mut file.take(limit), size).map_err(fail)?
    };
    if data.len() > MAX_INPUT_LEN {
        return Err(CliError::usage(format_args!(
            "the input is larger than {MAX_INPUT_LEN} bytes"
        )));
    }
    Ok(data)
}

/// Everything `reader` gives, in a buffer that never leaves an unwiped copy behind:
/// it starts at `expected` bytes (plus room to see the end) and, when it must grow, the
/// contents move to a new wiped buffer twice as large and the old one is wiped.
fn read_wiped(reader: &mut dyn Read, expected: usize) -> std::io::Result<Zeroizing<Vec<u8>>> {
    let mut data = Zeroizing::new(Vec::with_capacity(expected.saturating_add(1).max(4096)));
    let mut chunk = Zeroizing::new([0u8; 4096]);
    loop {
        let n = match reader.read(&mut chunk[..]) {
            Ok(0) => return Ok(data),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let part = chunk.get(..n).unwrap_or_default();
        if data.len().saturating_add(n) > data.capacity() {
            let mut bigger = Zeroizing::new(Vec::with_capacity(
                data.capacity()
                    .saturating_mul(2)
                    .max(data.len().saturating_add(n)),
            ));
            bigger.extend_from_slice(&data);
            data = bigger;
        }
        data.extend_from_slice(part);
    }
}

/// One line of stdin without its line ending (wiped when dropped); `what` names it in
/// the error when stdin has nothing.
pub(crate) fn stdin_line(io: &mut Io<'_>, what: &str) -> Result<Zeroizing<String>, CliError> {
    // Reserved up front so that a password line never makes the buffer reallocate
    // (which would leave an unwiped copy behind).
    let mut line = Zeroizing::new(String::with_capacity(4096));
    (&mut io.stdin)
        .take(4095)
        .read_line(&mut line)
        .map_err(|e| CliError::usage(format_args!("cannot read stdin: {e}")))?;
    if !line.ends_with('\n') && line.len() >= 4095 {
        return Err(CliError::usage(format_args!(
            "the {what} line on stdin is longer than 4094 bytes"
        )));
    }
    let trimmed = line.trim_end_matches(['\r', '\n']).len();
    line.truncate(trimmed);
    if line.is_empty() {
        return Err(CliError::usage(format_args!(
            "expected the {what} on the first line of stdin, got nothing"
        )));
    }
    Ok(line)
}

/// A password: a prompt on the terminal (not echoed), else the next line of stdin.
pub(crate) fn password(
    io: &mut Io<'_>,
    prompt: &str,
    what: &str,
) -> Result<Zeroizing<String>, CliError> {
    if io.stdin_is_terminal {
        io.stdout.flush().map_err(error::output)?;
        let typed = Zeroizing::new(
            rpassword::prompt_password(prompt)
                .map_err(|e| CliError::usage(format_args!("cannot read the {what}: {e}")))?,
        );
        if typed.is_empty() {
            return Err(CliError::usage(format_args!("the {what} is empty")));
        }
        return Ok(typed);
    }
    stdin_line(io, what)
}

/// Reads `file` (`-`: stdin) as `format`, asking for the password when the file turns
/// out to be encrypted, its key derivation bounded by `kdf`. Errors about the file as a
/// whole end the command.
pub(crate) fn load(
    format: Format,
    file: &str,
    kdf: &KdfArgs,
    io: &mut Io<'_>,
) -> Result<Import, CliError> {
    let data = read_input(file, io)?;
    let options = kdf.options();
    match otpkit_transfer::import_with(format, &data, None, &options) {
        Err(ImportError::PasswordRequired { .. }) => {
            if file == "-" && !io.stdin_is_terminal {
                return Err(CliError::usage(format_args!(
                    "the {format} file is encrypted and was read from stdin, so its \
                     password cannot come from stdin too: give the file's path instead \
                     of `-` (the password is then read from the first line of stdin, \
                     or from a prompt at a terminal)"
                )));
            }
            let pw = password(
                io,
                &format!("Password of the {format} file: "),
                "file's password",
            )?;
            otpkit_transfer::import_with(format, &data, Some(pw.as_bytes()), &options)
                .map_err(|e| import_error(format, &e))
        }
        other => other.map_err(|e| import_error(format, &e)),
    }
}

/// Text from a file as shown in a message: control characters dropped, clipped.
pub(crate) fn printable(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(64).collect()
}

/// Where an entry is: `line N` for a list of URIs (numbered as an editor shows them),
/// else `entry N of TOTAL` (a migration entry's index counts accounts, not lines).
pub(crate) fn position(format: Format, entry: &EntryReport, total: usize) -> String {
    let n = entry.index.saturating_add(1);
    match format {
        Format::OtpauthList => format!("line {n}"),
        _ => format!("entry {n} of {total}"),
    }
}

/// Prints the per-entry report on stderr: every entry imported or not, with its
/// warnings and, for a failure, the reason (never a secret), then the batches of a
/// multi-QR transfer still missing. Returns the number of entries not imported.
pub(crate) fn report(format: Format, imported: &Import, io: &mut Io<'_>) -> usize {
    let total = imported.report.len();
    let mut failed = 0usize;
    for entry in &imported.report {
        let at = position(format, entry, total);
        let label = if entry.label.is_empty() {
            String::new()
        } else {
            format!(" \"{}\"", printable(&entry.label))
        };
        match &entry.outcome {
            Ok(warnings) => {
                let _ = writeln!(io.stderr, "otpkit: {at}{label}: imported");
                for w in warnings {
                    let _ = writeln!(io.stderr, "otpkit: warning: {at}{label}: {w}");
                }
            }
            Err(e) => {
                failed = failed.saturating_add(1);
                let _ = writeln!(io.stderr, "otpkit: {at}{label}: not imported: {e}");
            }
        }
    }
    if !imported.missing_batches.is_empty() {
        let missing: Vec<String> = imported
            .missing_batches
            .iter()
            .map(|i| i.saturating_add(1).to_string())
            .collect();
        let _ = writeln!(
            io.stderr,
            "otpkit: QR codes of the transfer not given (batch numbers, from 1): {}",
            missing.join(", ")
        );
    }
    failed
}

/// The imported accounts with their entries' warnings, in order.
pub(crate) fn accounts_with_warnings(imported: &Import) -> Vec<(&Account, Vec<String>)> {
    let warnings = imported
        .report
        .iter()
        .filter_map(|r: &EntryReport| r.outcome.as_ref().ok());
    imported
        .accounts
        .iter()
        .zip(warnings)
        .map(|(account, w)| (account, w.iter().map(ToString::to_string).collect()))
        .collect()
}

/// The end of a command that imported: exit 6 when entries failed or QR codes are
/// missing, with a summary line.
pub(crate) fn outcome(imported: &Import, failed: usize) -> Result<(), CliError> {
    let total = imported.report.len();
    let missing = imported.missing_batches.len();
    match (failed, missing) {
        (0, 0) => Ok(()),
        (f, 0) => Err(CliError::new(
            Exit::Partial,
            format_args!("{f} of {total} entries could not be imported"),
        )),
        (f, m) => Err(CliError::new(
            Exit::Partial,
            format_args!(
                "{m} QR code(s) of the transfer are missing (see above); \
                 {f} of {total} entries read could not be imported"
            ),
        )),
    }
}

/// `otpkit import FILE --from FORMAT` for the app formats.
pub fn import(args: ImportArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    let Some(format) = args.pskc.from.and_then(From::transfer) else {
        return Err(CliError::usage("--from: expected an app format"));
    };
    if args.pskc.key_hex.is_some() || args.pskc.key_file.is_some() {
        return Err(CliError::usage(
            "--key-hex and --key-file are for --from pskc; other formats take a password",
        ));
    }
    if args.pskc.enroll_dir.is_some() {
        return Err(CliError::usage("--enroll-dir is for --from pskc"));
    }
    if args.pskc.allow_unauthenticated {
        return Err(CliError::usage(
            "--allow-unauthenticated is for --from pskc",
        ));
    }
    let imported = load(format, &args.uri, &args.kdf, io)?;
    if imported.report.is_empty() && imported.missing_batches.is_empty() {
        return Err(CliError::usage(format_args!(
            "the {format} file holds no account"
        )));
    }
    let failed = report(format, &imported, io);
    let mut objects = Vec::new();
    for (account, mut warnings) in accounts_with_warnings(&imported) {
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
            objects.push(json::account(account, &warnings));
        } else {
            writeln!(io.stdout, "{}", uri.as_str()).map_err(error::output)?;
        }
    }
    if args.json {
        let text = json::to_text(Value::Array(objects));
        writeln!(io.stdout, "{}", text.as_str()).map_err(error::output)?;
    }
    let imported_count = imported.accounts.len();
    let total = imported.report.len();
    let _ = writeln!(
        io.stderr,
        "otpkit: {imported_count} of {total} entries imported from the {format} file"
    );
    outcome(&imported, failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_transfer_format_has_a_name_the_cli_accepts() {
        for format in Format::ALL {
            let parsed = From::from_str(format.name(), false).unwrap();
            assert_eq!(parsed.transfer(), Some(format));
        }
        assert_eq!(From::from_str("pskc", false).unwrap().transfer(), None);
    }

    #[test]
    fn kdf_flag_values_read_as_people_write_them() {
        assert_eq!(parse_work("1000000"), Ok(1_000_000));
        assert_eq!(parse_work("1M"), Ok(1_000_000));
        assert_eq!(parse_work("2.5m"), Ok(2_500_000));
        assert_eq!(parse_work("800k"), Ok(800_000));
        assert_eq!(parse_work(" 3G "), Ok(3_000_000_000));
        assert_eq!(parse_work("1.0000001k"), Ok(1001), "rounded up");
        for bad in [
            "",
            "M",
            "1.5.5M",
            "-1",
            "1e6",
            "1 M",
            "18446744073709551616",
            "99999999999G",
        ] {
            assert!(parse_work(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_memory("256MiB"), Ok(256 << 20));
        assert_eq!(parse_memory("1GiB"), Ok(1 << 30));
        assert_eq!(parse_memory("1.5g"), Ok(3 << 29));
        assert_eq!(parse_memory("64K"), Ok(64 << 10));
        assert_eq!(parse_memory("4096"), Ok(4096));
        assert!(parse_memory("lots").is_err());
    }

    #[test]
    fn kdf_flags_suggest_values_that_let_the_file_through() {
        let over = |work_needed, memory_needed| OverBudget {
            work_needed,
            work_allowed: 1_000,
            memory_needed,
            memory_allowed: 1 << 20,
        };
        for needed in [
            1_001,
            72_096,
            1_153_800,
            999_999_999,
            5_000_000_001,
            u64::MAX / 200,
        ] {
            let flags = kdf_flags(&over(needed, 0));
            let value = flags.strip_prefix("--kdf-budget ").unwrap();
            let back = parse_work(value).unwrap();
            assert!(
                back >= needed && back - needed <= needed / 100,
                "{needed}: {flags}"
            );
        }
        assert_eq!(kdf_flags(&over(72_096, 0)), "--kdf-budget 72.1k");
        assert_eq!(kdf_flags(&over(2_000_000, 0)), "--kdf-budget 2M");
        assert_eq!(kdf_flags(&over(500, 1 << 30)), "--kdf-memory 1GiB");
        assert_eq!(
            kdf_flags(&over(1_500, (32 << 20) + 2048)),
            "--kdf-budget 1.5k --kdf-memory 33MiB"
        );
    }

    #[test]
    fn printable_drops_control_characters() {
        assert_eq!(printable("a\u{1b}[31mb\nc"), "a[31mbc");
        assert_eq!(printable(&"x".repeat(100)).len(), 64);
    }
}
