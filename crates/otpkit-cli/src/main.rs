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

mod check;
mod cli;
mod commands;
mod error;
mod export;
mod import;
mod inspect_state;
mod json;
mod pskc;
mod qr;
mod recovery;
mod secrets;
mod state;
mod target;
mod when;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use clap::error::{ContextKind, ContextValue, ErrorKind};

use crate::cli::Cli;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_failure(&e),
    };
    let stdin = io::stdin();
    let mut io = commands::Io {
        stdin: &mut stdin.lock(),
        stdout: &mut io::stdout().lock(),
        stderr: &mut io::stderr(),
        stdin_is_terminal: stdin.is_terminal(),
    };
    let result = commands::run(cli.command, &mut io);
    let _ = io.stdout.flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(io::stderr(), "otpkit: {}", e.message);
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
    let _ = writeln!(io::stderr(), "otpkit: {} (see `{help}`)", usage_message(e));
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

const SUBCOMMANDS: [&str; 9] = [
    "code", "check", "enroll", "verify", "resync", "inspect", "import", "export", "qr",
];

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
            format!("invalid value for {args}{reason}")
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
            "expected a command: code, check, enroll, verify, resync, inspect, import, export, qr or recovery"
                .to_owned()
        }
        kind if args.is_empty() => kind.to_string(),
        kind => format!("{kind}: {args}"),
    }
}
