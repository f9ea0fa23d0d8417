//! What each subcommand does: one file per subcommand, each with a `run`;
//! [`run`] is the one place that maps a parsed [`Command`] to it, and the
//! helpers below (stdin, prompts, output, common arguments) are shared by all.

mod code;
mod device;
mod enroll;
mod import;
mod inspect;
mod qr;
mod resync;
mod verify;

use std::io::{BufRead, Read, Write};

use otpkit::otpauth::Account;
use otpkit::{Digits, Period};
use zeroize::Zeroizing;

use crate::cli::Command;
use crate::error::{self, CliError};
use crate::state::Overwrite;

/// The standard streams, passed in so that prompts and output stay separate.
pub struct Io<'a> {
    /// Codes typed at prompts and `-` values.
    pub stdin: &'a mut dyn BufRead,
    /// Results: codes, URIs, JSON.
    pub stdout: &'a mut dyn Write,
    /// Prompts and warnings.
    pub stderr: &'a mut dyn Write,
    /// Whether stdin is a terminal. When it is not, nothing echoes the typed line,
    /// so a newline is written after each prompt to keep stderr readable.
    pub stdin_is_terminal: bool,
}

/// Runs one subcommand. A new subcommand is its file (with a `run`) and one arm here.
pub fn run(command: Command, io: &mut Io<'_>) -> Result<(), CliError> {
    match command {
        Command::Code(args) => code::run(args, io),
        Command::Enroll(args) => enroll::run(args, io),
        Command::Verify(args) => verify::run(args, io),
        Command::Resync(args) => resync::run(args, io),
        Command::Inspect(args) => inspect::run(args, io),
        Command::Import(args) if args.pskc.is_pskc() => crate::pskc::import(args, io),
        Command::Import(args) if args.pskc.from.is_some() => crate::import::import(args, io),
        Command::Import(args) => import::run(args, io),
        Command::Export(args) => crate::export::export(args, io),
        Command::Qr(args) => qr::run(args, io),
        Command::Check(args) => crate::check::check(args, io),
        Command::Recovery(args) => crate::recovery::run(args, io),
    }
}

/// `value`, or the first line of stdin when `value` is `-` (so secrets stay out of
/// `ps`). The text is wiped from memory when dropped.
pub(crate) fn read_value(
    value: String,
    what: &str,
    io: &mut Io<'_>,
) -> Result<Zeroizing<String>, CliError> {
    let value = Zeroizing::new(value);
    if value.as_str() != "-" {
        return Ok(value);
    }
    let line = read_line(io)?.ok_or_else(|| {
        CliError::usage(format_args!("expected the {what} on stdin, got nothing"))
    })?;
    if line.trim().is_empty() {
        return Err(CliError::usage(format_args!(
            "the {what} read from stdin is empty"
        )));
    }
    Ok(line)
}

/// The longest line read from stdin: room for the longest migration URI the library
/// reads (64 KiB), and a bound on what a runaway producer can make us buffer.
const MAX_LINE: u64 = 128 * 1024;

/// One line of stdin without its line ending; `None` at end of input.
fn read_line(io: &mut Io<'_>) -> Result<Option<Zeroizing<String>>, CliError> {
    let mut line = Zeroizing::new(String::new());
    let n = (&mut io.stdin)
        .take(MAX_LINE)
        .read_line(&mut line)
        .map_err(|e| CliError::usage(format_args!("cannot read stdin: {e}")))?;
    if n == 0 {
        return Ok(None);
    }
    if !line.ends_with('\n') && u64::try_from(n).is_ok_and(|n| n >= MAX_LINE) {
        return Err(CliError::usage(format_args!(
            "the line read from stdin is longer than {MAX_LINE} bytes"
        )));
    }
    let trimmed = line.trim_end_matches(['\r', '\n']).len();
    line.truncate(trimmed);
    Ok(Some(line))
}

/// Prints `question` on stderr and reads the answer from stdin; `None` when stdin
/// has ended.
fn prompt(io: &mut Io<'_>, question: &str) -> Result<Option<Zeroizing<String>>, CliError> {
    io.stdout.flush().map_err(error::output)?;
    write!(io.stderr, "{question}")
        .and_then(|()| io.stderr.flush())
        .map_err(error::output)?;
    let line = read_line(io)?;
    if !io.stdin_is_terminal || line.is_none() {
        let _ = writeln!(io.stderr);
    }
    Ok(line)
}

fn now_or(time: Option<u64>) -> Result<u64, CliError> {
    match time {
        Some(t) => Ok(t),
        None => otpkit::unix_now().map_err(CliError::usage),
    }
}

fn digits(n: u8) -> Result<Digits, CliError> {
    Digits::new(n).map_err(|e| CliError::usage(format_args!("--digits: {e}")))
}

fn period(seconds: u64) -> Result<Period, CliError> {
    Period::new(seconds).map_err(|e| CliError::usage(format_args!("--period: {e}")))
}

pub(crate) fn out(io: &mut Io<'_>, text: impl std::fmt::Display) -> Result<(), CliError> {
    writeln!(io.stdout, "{text}").map_err(error::output)
}

pub(crate) fn warn(io: &mut Io<'_>, text: impl std::fmt::Display) {
    // A closed stderr is no reason to fail the command.
    let _ = writeln!(io.stderr, "otpkit: warning: {text}");
}

/// Parses an `otpauth://` URI; a migration URI gets a pointer to `import`.
fn parse_account(uri: &str) -> Result<otpkit::otpauth::Parsed, CliError> {
    if is_migration(uri) {
        return Err(CliError::usage(
            "this is a Google Authenticator export (otpauth-migration://); use `otpkit import`",
        ));
    }
    Account::parse(uri).map_err(|e| CliError::usage(format_args!("invalid otpauth URI: {e}")))
}

fn is_migration(uri: &str) -> bool {
    uri.trim()
        .get(..20)
        .is_some_and(|s| s.eq_ignore_ascii_case("otpauth-migration://"))
}

fn overwrite(force: bool) -> Overwrite {
    if force { Overwrite::Yes } else { Overwrite::No }
}

/// The warning for a URI whose Base32 secret has bits that do not fill a byte.
fn dropped_bits_warning(uri: &str) -> Option<String> {
    let text = crate::secrets::uri_secret_text(uri)?;
    let dropped = crate::secrets::dropped_bits(&text)?;
    Some(format!(
        "the Base32 secret is not canonical: its last {dropped} bit(s) do not fill a byte \
         and were dropped; check that it was copied whole"
    ))
}
