//! `otpkit verify`: one sign-in code against a device file.

use otpkit::verifier::{Outcome, SignInError};

use crate::cli::VerifyArgs;
use crate::error::{CliError, Exit};
use crate::secrets;
use crate::state;

use super::device::{failure_note, load, locked_message, save};
use super::{Io, now_or, out, read_value};

pub(super) fn run(args: VerifyArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    // Read a `-` code before waiting for the lock.
    let code = read_value(args.code, "code", io)?;
    let _lock = state::lock(&args.state)?;
    let mut loaded = load(&args.state)?;
    let now = now_or(args.time)?;
    let (outcome, new) = loaded.verifier.verify(&loaded.state, &code, now);
    // Failures and lock-outs are state too: save whatever the outcome.
    save(&args.state, &mut loaded, new)?;
    match outcome {
        Outcome::Accepted { drift, .. } => {
            // Only when the state learned that the clock is off (a late code is not a
            // slow clock) is the measured offset worth saying; the learned drift
            // itself is where the scan looks, with a margin, not the clock's offset.
            if new.drift() == 0 || drift == 0 {
                out(io, "accepted")
            } else {
                out(
                    io,
                    format_args!(
                        "accepted (the device's clock is {})",
                        secrets::drift_text(drift)
                    ),
                )
            }
        }
        Outcome::Invalid => Err(CliError::new(
            Exit::Invalid,
            format_args!("the code is not valid{}", failure_note(&loaded, now)),
        )),
        Outcome::Replayed => Err(CliError::new(
            Exit::Replayed,
            format_args!(
                "the code was already used; wait for the next one{}",
                failure_note(&loaded, now)
            ),
        )),
        Outcome::Locked { until } => Err(CliError::new(Exit::Locked, locked_message(until, now))),
        Outcome::Malformed(e) => Err(CliError::usage(format_args!(
            "malformed code: {e}{}",
            failure_note(&loaded, now)
        ))),
        Outcome::Error(SignInError::WrongKind) => Err(CliError::state(
            "the state file's verifier state is for an HOTP device",
        )),
        Outcome::Error(SignInError::NotEnrolled) => Err(CliError::state(
            "the state file's device has not finished enrolling",
        )),
        Outcome::Error(e) => Err(CliError::usage(e)),
        other => Err(CliError::new(Exit::Invalid, other)),
    }
}
