//! What each subcommand does.

use std::io::{BufRead, Write};

use otpkit::{Algorithm, Digits, Hotp, LengthPolicy, Period, Secret, Totp};
use zeroize::Zeroizing;

use crate::cli::{CodeArgs, Command, QrArgs};
use crate::error::{self, CliError};
use crate::qr;
use crate::state::{self, Overwrite};

/// The standard streams, passed in so that prompts and output stay separate.
pub struct Io<'a> {
    /// Codes typed at prompts and `-` values.
    pub stdin: &'a mut dyn BufRead,
    /// Results: codes, URIs, JSON.
    pub stdout: &'a mut dyn Write,
    /// Prompts and warnings.
    pub stderr: &'a mut dyn Write,
}

/// Runs one subcommand.
pub fn run(command: Command, io: &mut Io<'_>) -> Result<(), CliError> {
    match command {
        Command::Code(args) => code(args, io),
        Command::Qr(args) => qr_files(args, io),
        Command::Enroll(_)
        | Command::Verify(_)
        | Command::Resync(_)
        | Command::Inspect(_)
        | Command::Import(_) => Err(CliError::usage("this command is not available yet")),
    }
}

/// `value`, or the first line of stdin when `value` is `-` (so secrets stay out of
/// `ps`). The line is wiped from memory when dropped.
fn read_value(value: String, what: &str, io: &mut Io<'_>) -> Result<Zeroizing<String>, CliError> {
    let value = Zeroizing::new(value);
    if value.as_str() != "-" {
        return Ok(value);
    }
    let line = read_line(io)?
        .ok_or_else(|| CliError::usage(format_args!("expected the {what} on stdin, got nothing")))?;
    if line.trim().is_empty() {
        return Err(CliError::usage(format_args!("the {what} read from stdin is empty")));
    }
    Ok(line)
}

/// One line of stdin without its line ending; `None` at end of input.
fn read_line(io: &mut Io<'_>) -> Result<Option<Zeroizing<String>>, CliError> {
    let mut line = Zeroizing::new(String::new());
    let n = io
        .stdin
        .read_line(&mut line)
        .map_err(|e| CliError::usage(format_args!("cannot read stdin: {e}")))?;
    if n == 0 {
        return Ok(None);
    }
    let trimmed = line.trim_end_matches(['\r', '\n']).len();
    line.truncate(trimmed);
    Ok(Some(line))
}

fn now_or(time: Option<u64>) -> Result<u64, CliError> {
    match time {
        Some(t) => Ok(t),
        None => otpkit::unix_now().map_err(|e| CliError::usage(format_args!("{e}"))),
    }
}

fn digits(n: u8) -> Result<Digits, CliError> {
    Digits::new(n).map_err(|e| CliError::usage(format_args!("--digits: {e}")))
}

fn period(seconds: u64) -> Result<Period, CliError> {
    Period::new(seconds).map_err(|e| CliError::usage(format_args!("--period: {e}")))
}

fn out(io: &mut Io<'_>, text: impl std::fmt::Display) -> Result<(), CliError> {
    writeln!(io.stdout, "{text}").map_err(error::output)
}

// ---- code -------------------------------------------------------------------------

fn code(args: CodeArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    if let Some(uri) = args.source.uri {
        let _uri = read_value(uri, "URI", io)?;
        return Err(CliError::usage("--uri is not available yet"));
    }
    let Some(text) = args.source.secret else {
        return Err(CliError::usage("give --secret or --uri"));
    };
    let text = read_value(text, "secret", io)?;
    // Existing accounts often have 80-bit secrets: computing their codes is fine.
    let secret = Secret::from_base32_with(&text, LengthPolicy::AllowShort)
        .map_err(|e| CliError::usage(format_args!("invalid secret: {e}")))?;
    let algorithm = args.algorithm.unwrap_or(Algorithm::Sha1);
    let digits = digits(args.digits.unwrap_or(6))?;
    if args.hotp {
        let counter = args
            .counter
            .ok_or_else(|| CliError::usage("--hotp needs --counter"))?;
        return out(io, Hotp::new(&secret, algorithm, digits).code(counter));
    }
    if args.counter.is_some() {
        return Err(CliError::usage("--counter needs --hotp (or an hotp URI)"));
    }
    let totp = Totp::new(&secret, algorithm, digits, period(args.period.unwrap_or(30))?);
    print_totp(&totp, now_or(args.time)?, args.verbose, io)
}

fn print_totp(totp: &Totp, now: u64, verbose: bool, io: &mut Io<'_>) -> Result<(), CliError> {
    let code = totp
        .code_at(now)
        .map_err(|e| CliError::usage(format_args!("{e}")))?;
    out(io, code)?;
    if verbose {
        let left = totp
            .seconds_left(now)
            .map_err(|e| CliError::usage(format_args!("{e}")))?;
        out(io, format_args!("{left} s left"))?;
    }
    Ok(())
}

// ---- qr ---------------------------------------------------------------------------

fn qr_files(args: QrArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    let uri = read_value(args.uri, "URI", io)?;
    if !uri.starts_with("otpauth://") && !uri.starts_with("otpauth-migration://") {
        return Err(CliError::usage(
            "expected an otpauth:// or otpauth-migration:// URI",
        ));
    }
    let overwrite = if args.force {
        Overwrite::Yes
    } else {
        Overwrite::No
    };
    if let Some(path) = &args.svg {
        state::write_atomic(path, qr::svg(&uri)?.as_bytes(), overwrite)?;
    }
    if let Some(path) = &args.png {
        state::write_atomic(path, &qr::png(&uri)?, overwrite)?;
    }
    Ok(())
}
