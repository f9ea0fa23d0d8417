//! The standard streams as the subcommands use them: values given as `-` read from
//! stdin, prompts, passwords, output and warnings.
//!
//! Every buffer here that may hold a secret (a `-` value, a password) is wiped when
//! dropped, and the ones read from stdin are reserved at their largest size first so
//! that no reallocation leaves a copy behind.

use std::io::{BufRead, Read, Write};

use zeroize::Zeroizing;

use crate::error::{self, CliError};

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

/// `value`, or the first line of stdin when `value` is `-` (so secrets stay out of
/// `ps`). The text is wiped from memory when dropped.
pub fn read_value(
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
pub const MAX_LINE: u64 = 128 * 1024;

/// One line of stdin without its line ending; `None` at end of input.
pub fn read_line(io: &mut Io<'_>) -> Result<Option<Zeroizing<String>>, CliError> {
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
pub fn prompt(io: &mut Io<'_>, question: &str) -> Result<Option<Zeroizing<String>>, CliError> {
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

/// The longest password or key line read from stdin, line ending included.
const MAX_SECRET_LINE: usize = 4095;

/// One line of stdin without its line ending (wiped when dropped); `what` names it in
/// the error when stdin has nothing.
pub fn stdin_line(io: &mut Io<'_>, what: &str) -> Result<Zeroizing<String>, CliError> {
    // Reserved up front so that a password line never makes the buffer reallocate
    // (which would leave an unwiped copy behind).
    let mut line = Zeroizing::new(String::with_capacity(MAX_SECRET_LINE.saturating_add(1)));
    (&mut io.stdin)
        .take(MAX_SECRET_LINE as u64)
        .read_line(&mut line)
        .map_err(|e| CliError::usage(format_args!("cannot read stdin: {e}")))?;
    if !line.ends_with('\n') && line.len() >= MAX_SECRET_LINE {
        return Err(CliError::usage(format_args!(
            "the {what} line on stdin is longer than {} bytes",
            MAX_SECRET_LINE.saturating_sub(1)
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
pub fn password(io: &mut Io<'_>, prompt: &str, what: &str) -> Result<Zeroizing<String>, CliError> {
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

/// One line of output on stdout.
pub fn out(io: &mut Io<'_>, text: impl std::fmt::Display) -> Result<(), CliError> {
    writeln!(io.stdout, "{text}").map_err(error::output)
}

/// One line on stderr, `otpkit: warning: TEXT`.
pub fn warn(io: &mut Io<'_>, text: impl std::fmt::Display) {
    // A closed stderr is no reason to fail the command.
    let _ = writeln!(io.stderr, "otpkit: warning: {text}");
}

/// One line on stderr, `otpkit: TEXT`: a report line or a note, not a failure.
pub fn note(io: &mut Io<'_>, text: impl std::fmt::Display) {
    let _ = writeln!(io.stderr, "otpkit: {text}");
}
