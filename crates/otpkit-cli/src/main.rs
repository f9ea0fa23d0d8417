//! `otpkit`: one-time passwords from the command line.
//!
//! Run `otpkit --help` for the commands; the exit codes are listed on
//! [`error::Exit`]. Every failure prints one line, `otpkit: <message>`, on stderr and
//! never a secret; no input makes the tool panic.
#![forbid(unsafe_code)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )
)]

mod cli;
mod commands;
mod device_file;
mod error;
mod input_file;
mod io;
mod json;
mod options;
mod pskc;
mod qr;
mod safe_file;
mod secrets;
mod target;
mod uri;
mod when;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use clap::error::{ContextKind, ContextValue, ErrorKind};

use crate::cli::Cli;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_failure(&e),
    };
    let stdin = std::io::stdin();
    let mut io = io::Io {
        stdin: &mut stdin.lock(),
        stdout: &mut std::io::stdout().lock(),
        stderr: &mut std::io::stderr(),
        stdin_is_terminal: stdin.is_terminal(),
    };
    let result = cli.command.run(&mut io);
    let _ = io.stdout.flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "otpkit: {}", e.message);
            e.exit.into()
        }
    }
}

/// Help and version go to stdout as clap prints them; every other parse failure
/// becomes one line on stderr and exit 2. The line names arguments but never repeats
/// a value the user typed, which may be a secret in the wrong place.
fn clap_failure(e: &clap::Error) -> ExitCode {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let help = match subcommand(std::env::args_os().skip(1)) {
        Some(name) => format!("otpkit {name} --help"),
        None => "otpkit --help".to_owned(),
    };
    let _ = writeln!(
        std::io::stderr(),
        "otpkit: {} (see `{help}`)",
        usage_message(e)
    );
    error::Exit::Usage.into()
}

/// The subcommand named on the command line, if any: the first argument that is one
/// of the subcommands' names (never any other value, which may be a secret).
fn subcommand(args: impl Iterator<Item = std::ffi::OsString>) -> Option<&'static str> {
    use clap::CommandFactory;
    let command = Cli::command();
    let names: Vec<&'static str> = command
        .get_subcommands()
        .map(|c| c.get_name())
        .filter_map(|n| SUBCOMMANDS.iter().copied().find(|k| *k == n))
        .collect();
    args.take(1)
        .filter_map(|a| a.into_string().ok())
        .find_map(|a| names.iter().copied().find(|n| *n == a))
}

const SUBCOMMANDS: [&str; 10] = [
    "code", "check", "enroll", "verify", "devices", "resync", "inspect", "import", "export", "qr",
];

/// For a value outside an option's list (`--from aegsi`): `; expected one of aegis,
/// 2fas, …` and, when one is close to what was typed, `(did you mean aegis?)`. The
/// typed value is compared, never repeated.
fn possible_values(e: &clap::Error) -> String {
    let Some(ContextValue::Strings(valid)) = e.get(ContextKind::ValidValue) else {
        return String::new();
    };
    let typed = match e.get(ContextKind::InvalidValue) {
        Some(ContextValue::String(typed)) => typed.as_str(),
        _ => "",
    };
    let list = valid.join(", ");
    match nearest(typed, valid) {
        Some(near) => format!("; expected one of {list} (did you mean {near}?)"),
        None => format!("; expected one of {list}"),
    }
}

/// The longest typed value compared with the valid ones (the comparison takes time
/// in the product of the lengths; no valid value is half as long).
const MAX_COMPARED: usize = 64;

/// The value of `valid` closest to `typed`: one edit away per three characters
/// (at least one), or the only one that starts with it (three characters or more).
/// Nothing for a value longer than [`MAX_COMPARED`] bytes.
fn nearest<'v>(typed: &str, valid: &'v [String]) -> Option<&'v str> {
    if typed.len() > MAX_COMPARED {
        return None;
    }
    let typed = typed.to_ascii_lowercase();
    let allowed = (typed.chars().count() / 3).max(1);
    let closest = valid
        .iter()
        .map(|v| (edit_distance(&typed, &v.to_ascii_lowercase()), v))
        .min_by_key(|(d, _)| *d)
        .filter(|(d, _)| *d <= allowed)
        .map(|(_, v)| v.as_str());
    if closest.is_some() {
        return closest;
    }
    let mut starting = valid.iter().filter(|v| v.starts_with(typed.as_str()));
    match (starting.next(), starting.next()) {
        (Some(only), None) if typed.len() >= 3 => Some(only.as_str()),
        _ => None,
    }
}

/// The edits (insertion, deletion, substitution, swap of two neighbours) that turn
/// `a` into `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Rows i-2, i-1 and i of the table, each b.len() + 1 wide.
    let mut before: Vec<usize> = vec![0; b.len().saturating_add(1)];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len().saturating_add(1)];
    for (i, &ca) in a.iter().enumerate() {
        if let Some(first) = current.first_mut() {
            *first = i.saturating_add(1);
        }
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let at = |row: &[usize], k: usize| row.get(k).copied().unwrap_or(usize::MAX);
            let mut best = at(&previous, j)
                .saturating_add(cost)
                .min(at(&previous, j.saturating_add(1)).saturating_add(1))
                .min(at(&current, j).saturating_add(1));
            let swapped = i > 0
                && j > 0
                && a.get(i.wrapping_sub(1)) == Some(&cb)
                && b.get(j.wrapping_sub(1)) == Some(&ca);
            if swapped {
                best = best.min(at(&before, j.wrapping_sub(1)).saturating_add(1));
            }
            if let Some(slot) = current.get_mut(j.saturating_add(1)) {
                *slot = best;
            }
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous.last().copied().unwrap_or(0)
}

fn usage_message(e: &clap::Error) -> String {
    let args = match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(", "),
        _ => String::new(),
    };
    match e.kind() {
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let reason = std::error::Error::source(e)
                .map(|s| format!(": {s}"))
                .unwrap_or_default();
            format!("invalid value for {args}{reason}{}", possible_values(e))
        }
        ErrorKind::MissingRequiredArgument => format!("missing required argument {args}"),
        ErrorKind::ArgumentConflict => match e.get(ContextKind::PriorArg) {
            Some(ContextValue::String(prior)) => format!("{args} cannot be used with {prior}"),
            Some(ContextValue::Strings(prior)) => {
                format!("{args} cannot be used with {}", prior.join(", "))
            }
            _ => format!("{args} cannot be used with the other arguments given"),
        },
        ErrorKind::UnknownArgument => match e.get(ContextKind::InvalidArg) {
            // A flag's name is safe to repeat; a stray positional value may be a secret.
            Some(ContextValue::String(s)) if s.starts_with('-') => {
                let name = s.split('=').next().unwrap_or_default();
                format!("unknown option {name}")
            }
            // Named by position only: the value itself is not repeated.
            _ => match subcommand(std::env::args_os().skip(1)) {
                Some(name) => format!("unexpected extra argument (a value) for `otpkit {name}`"),
                None => "unexpected argument".to_owned(),
            },
        },
        ErrorKind::InvalidSubcommand
        | ErrorKind::MissingSubcommand
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "expected a command: code, check, enroll, verify, devices, resync, inspect, import, export, qr or \
             recovery"
                .to_owned()
        }
        kind if args.is_empty() => kind.to_string(),
        kind => format!("{kind}: {args}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("aegsi", "aegis"), 1);
        assert_eq!(edit_distance("aegis", "aegis"), 0);
        assert_eq!(edit_distance("2fa", "2fas"), 1);
        assert_eq!(edit_distance("bitwardn", "bitwarden"), 1);
        assert_eq!(edit_distance("", "pskc"), 4);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn the_nearest_value_is_suggested_only_when_close() {
        let valid: Vec<String> = ["aegis", "2fas", "andotp", "google-migration", "pskc"]
            .map(String::from)
            .to_vec();
        assert_eq!(nearest("aegsi", &valid), Some("aegis"));
        assert_eq!(nearest("AEGIS", &valid), Some("aegis"));
        assert_eq!(nearest("2FA", &valid), Some("2fas"));
        assert_eq!(nearest("google", &valid), Some("google-migration"));
        assert_eq!(nearest("keepass", &valid), None);
        assert_eq!(nearest("GEZDGNBVGY3TQOJQ", &valid), None);
        assert_eq!(nearest("", &valid), None);
        assert_eq!(nearest(&"aegis".repeat(100), &valid), None);
    }
}
