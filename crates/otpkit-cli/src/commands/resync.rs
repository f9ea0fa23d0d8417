//! `otpkit resync`: two consecutive codes bring a drifted device back in step.

use clap::Args;
use otpkit::verifier::{ResyncError, ResyncOutcome};

use crate::error::{CliError, Exit};
use crate::io::{Io, out, read_value};
use crate::options::now_or;
use crate::secrets;
use crate::target::Target;

use super::device::{Device, failure_note, locked_message};

/// `otpkit resync`.
#[derive(Args)]
pub struct ResyncArgs {
    /// The device: --state FILE or --store URL --device ID.
    #[command(flatten)]
    pub target: Target,
    /// A code from the device; `-` reads it from stdin (one line per `-`).
    #[arg(value_name = "CODE1")]
    pub code1: String,
    /// The next code the device shows after CODE1; `-` reads it from stdin.
    #[arg(value_name = "CODE2")]
    pub code2: String,
    /// Unix time to verify at (default: now; for tests and replays).
    #[arg(long, value_name = "UNIX")]
    pub time: Option<u64>,
}

/// Re-learns the drift and stores the new state.
pub fn run(args: ResyncArgs, io: &mut Io<'_>) -> Result<(), CliError> {
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
                ResyncError::Rejected
                | ResyncError::SameCodeTwice
                | ResyncError::CounterExhausted
                | ResyncError::Locked { .. } => Exit::Invalid,
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
    }
}
