//! `otpkit resync`: two consecutive codes bring a drifted device back in step.

use otpkit::verifier::{ResyncError, ResyncOutcome};

use crate::cli::ResyncArgs;
use crate::error::{CliError, Exit};
use crate::secrets;

use super::device::{Device, failure_note, locked_message};
use super::{Io, now_or, out, read_value};

pub(super) fn run(args: ResyncArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    // Read `-` codes before waiting for the lock.
    let code1 = read_value(args.code1, "first code", io)?;
    let code2 = read_value(args.code2, "second code", io)?;
    let mut device = Device::open(&args.target)?;
    let before = device.state()?;
    let now = now_or(args.time)?;
    // A refused resync is a failure, counted in the new state: stored whatever the
    // outcome.
    let (outcome, new) = device.resync(&code1, &code2, now)?;
    let counted = new.failures() > before.failures();
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
                failure_note(&new, now)
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
