//! `otpkit recovery generate` and `otpkit recovery use`: single-use recovery codes
//! ([`otpkit::recovery`]) kept in a recovery state file.
//!
//! The state file holds one line, the set's encoded [`RecoveryState`] (`otpr1.…`):
//! salted hashes and which codes are used, never a code. It is written like a device
//! file: under a lock on the file itself, atomically, mode 0600 ([`crate::safe_file`]).

use std::fs::File;
use std::io::{self, BufRead, Read};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use otpkit::recovery::{
    MAX_ENCODED_LEN, RecoveryCodes, RecoveryOutcome, RecoveryPolicy, RecoveryState,
};
use otpkit::verifier::Policy;
use zeroize::Zeroizing;

use crate::error::{self, CliError, Exit};
use crate::io::{Io, out};
use crate::options::now_or;
use crate::safe_file::{self, Overwrite};

/// `otpkit recovery`.
#[derive(Args)]
pub struct RecoveryArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: RecoveryCommand,
}

/// The recovery subcommands.
#[derive(Subcommand)]
pub enum RecoveryCommand {
    /// Make a new set of single-use codes: print them once, store only their hashes.
    Generate(GenerateArgs),
    /// Check one recovery code against a state file and mark it used.
    Use(UseArgs),
}

/// `otpkit recovery generate`.
#[derive(Args)]
pub struct GenerateArgs {
    /// How many codes (1 to 64).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub count: usize,
    /// Characters per code (5 bits each; at least 13, i.e. 64 bits).
    #[arg(long, value_name = "N", default_value_t = 16)]
    pub length: usize,
    /// Where to write the recovery state (mode 0600). Without it the state is printed
    /// after the codes, for a server to store.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Replace FILE if it exists: every code of the old set stops working.
    #[arg(long, requires = "state")]
    pub force: bool,
}

/// `otpkit recovery use`.
#[derive(Args)]
pub struct UseArgs {
    /// The recovery state file written by `otpkit recovery generate`.
    #[arg(long, value_name = "FILE")]
    pub state: PathBuf,
    /// The recovery code (case, spaces and hyphens ignored); `-` or nothing reads it
    /// from stdin (a prompt on a terminal).
    #[arg(value_name = "CODE|-")]
    pub code: Option<String>,
    /// Unix time to check at (default: now; for tests and replays).
    #[arg(long, value_name = "UNIX")]
    pub time: Option<u64>,
}

/// Runs `otpkit recovery …`.
pub fn run(args: RecoveryArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    match args.command {
        RecoveryCommand::Generate(args) => generate(args, io),
        RecoveryCommand::Use(args) => use_code(args, io),
    }
}

fn generate(args: GenerateArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    let policy = RecoveryPolicy::default()
        .with_count(args.count)
        .map_err(|e| CliError::usage(format_args!("--count: {e}")))?
        .with_length(args.length)
        .map_err(|e| CliError::usage(format_args!("--length: {e}")))?;
    policy
        .check()
        .map_err(|e| CliError::usage(format_args!("--length: {e}")))?;
    // Lock and check first: codes must not be shown for a set that is not stored.
    let lock = match &args.state {
        Some(path) => {
            let lock = safe_file::lock(path)?;
            if !args.force && path.exists() {
                return Err(CliError::state(format_args!(
                    "{} already exists; pass --force to replace it (the old codes stop working)",
                    path.display()
                )));
            }
            Some(lock)
        }
        None => None,
    };
    let set = RecoveryCodes::generate(&policy).map_err(CliError::state)?;
    let encoded = set.state().encode();
    if let Some(path) = &args.state {
        let overwrite = Overwrite::when(args.force);
        safe_file::write_atomic(path, format!("{encoded}\n").as_bytes(), overwrite)?;
    }
    drop(lock);
    out(
        io,
        format_args!(
            "Recovery codes (set {}); each works once. Keep them somewhere safe, they are not shown again:",
            set.state().set_id()
        ),
    )?;
    out(io, "")?;
    let width = set.codes().len().to_string().len();
    for (number, code) in (1usize..).zip(set.codes()) {
        let line = Zeroizing::new(format!("{number:>width$}. {code}"));
        out(io, line.as_str())?;
    }
    out(io, "")?;
    match &args.state {
        Some(path) => out(
            io,
            format_args!(
                "Saved the set's hashes (no code) to {}{}",
                path.display(),
                if args.force {
                    "; the previous set no longer works"
                } else {
                    ""
                }
            ),
        ),
        None => {
            out(
                io,
                "Recovery state (hashes only; store it in place of any older set):",
            )?;
            out(io, &encoded)
        }
    }
}

/// The longest state file read (the encoded state, a line ending and some slack).
const MAX_FILE: u64 = MAX_ENCODED_LEN as u64 + 64;

fn read_state(path: &Path) -> Result<RecoveryState, CliError> {
    let file = File::open(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => CliError::state(format_args!(
            "no recovery state file at {} (create one with `otpkit recovery generate --state`)",
            path.display()
        )),
        _ => CliError::state(format_args!("cannot read {}: {e}", path.display())),
    })?;
    let mut text = String::new();
    file.take(MAX_FILE)
        .read_to_string(&mut text)
        .map_err(|e| CliError::state(format_args!("cannot read {}: {e}", path.display())))?;
    RecoveryState::decode(text.trim()).map_err(|e| {
        CliError::state(format_args!(
            "{} is not a valid recovery state file: {e}",
            path.display()
        ))
    })
}

/// The code from argv, or the first line of stdin for `-` or no argument.
fn read_code(code: Option<String>, io: &mut Io<'_>) -> Result<Zeroizing<String>, CliError> {
    if let Some(code) = code.filter(|c| c != "-") {
        return Ok(Zeroizing::new(code));
    }
    if io.stdin_is_terminal {
        write!(io.stderr, "Enter a recovery code: ")
            .and_then(|()| io.stderr.flush())
            .map_err(error::output)?;
    }
    let mut line = Zeroizing::new(String::new());
    // A code is at most 128 characters; a longer line is malformed either way.
    (&mut io.stdin)
        .take(1024)
        .read_line(&mut line)
        .map_err(|e| CliError::usage(format_args!("cannot read stdin: {e}")))?;
    let trimmed = line.trim_end_matches(['\r', '\n']).len();
    line.truncate(trimmed);
    if line.trim().is_empty() {
        return Err(CliError::usage(
            "expected a recovery code on stdin, got nothing",
        ));
    }
    Ok(line)
}

fn locked_message(until: u64, now: u64) -> String {
    if until == u64::MAX {
        "too many failed attempts: recovery is locked until an administrator resets it \
         or generates a new set"
            .to_owned()
    } else {
        format!(
            "too many failed attempts: locked for {} more s (until Unix time {until})",
            until.saturating_sub(now)
        )
    }
}

fn use_code(args: UseArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    let code = read_code(args.code, io)?;
    let now = now_or(args.time)?;
    let _lock = safe_file::lock(&args.state)?;
    let current = read_state(&args.state)?;
    let (outcome, new) = current.verify(&code, now, &Policy::default());
    // Failures and used codes are state too: save whatever the outcome.
    if new != current {
        safe_file::write_atomic(
            &args.state,
            format!("{}\n", new.encode()).as_bytes(),
            Overwrite::Yes,
        )?;
    }
    let note = || {
        if new.is_locked_at(now) {
            format!(
                "; {}",
                new.locked_until()
                    .map_or_else(String::new, |u| locked_message(u, now))
            )
        } else {
            format!(
                " ({} of {} failed attempts before lock-out)",
                new.failures(),
                Policy::default().max_failures()
            )
        }
    };
    match outcome {
        RecoveryOutcome::Accepted { remaining, .. } => {
            out(
                io,
                format_args!("accepted; {remaining} recovery code(s) left"),
            )?;
            if remaining <= 2 {
                let _ = writeln!(
                    io.stderr,
                    "otpkit: warning: only {remaining} recovery code(s) left; generate a new set"
                );
            }
            Ok(())
        }
        RecoveryOutcome::Invalid => Err(CliError::new(
            Exit::Invalid,
            format_args!("not a valid recovery code{}", note()),
        )),
        RecoveryOutcome::AlreadyUsed => Err(CliError::new(
            Exit::Replayed,
            format_args!("the recovery code was already used{}", note()),
        )),
        RecoveryOutcome::Locked { until } => {
            Err(CliError::new(Exit::Locked, locked_message(until, now)))
        }
        RecoveryOutcome::Malformed => Err(CliError::usage(format_args!(
            "not a recovery code of this set's form (wrong length or a character outside \
             the alphabet){}",
            note()
        ))),
    }
}
