//! `otpkit resync`: two consecutive codes bring a drifted device back in step.

use otpkit::verifier::{ResyncError, ResyncOutcome};

use crate::cli::ResyncArgs;
use crate::error::{CliError, Exit};
use crate::secrets;
use crate::state;

use super::device::{failure_note, load, locked_message, save};
use super::{Io, now_or, out, read_value};

pub(super) fn run(args: ResyncArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    // Read `-` codes before waiting for the lock.
    let code1 = read_value(args.code1, "first code", io)?;
    let code2 = read_value(args.code2, "second code", io)?;
    let _lock = state::lock(&args.state)?;
    let mut loaded = load(&args.state)?;
    let now = now_or(args.time)?;
    let (outcome, new) = loaded.verifier.resync(&loaded.state, &code1, &code2, now);
    // A refused resync is a failure, counted in the new state: save it whatever the
    // outcome.
    let counted = new.failures() > loaded.state.failures();
    save(&args.state, &mut loaded, new)?;
    match outcome {
        ResyncOutcome::Resynced { drift, .. } => out(
            io,
            format_args!(
                "resynchronised (the device's clock is {})",
                secrets::drift_text(drift)
            ),
        ),
        ResyncOutcome::Rejected(ResyncError::Locked { until }) => {
            Err(CliError::new(Exit::Locked, locked_message(until, now)))
        }
        ResyncOutcome::Rejected(e) => {
            let exit = match e {
                ResyncError::Malformed(_) | ResyncError::Time(_) => Exit::Usage,
                ResyncError::WrongKind | ResyncError::NotEnrolled => Exit::State,
                _ => Exit::Invalid,
            };
            let note = if counted {
                failure_note(&loaded, now)
            } else {
                String::new()
            };
            Err(CliError::new(
                exit,
                format_args!("resynchronisation failed: {e}{note}"),
            ))
        }
        other => Err(CliError::new(Exit::Invalid, other)),
    }
}
