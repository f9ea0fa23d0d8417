//! `otpkit resync`: two consecutive codes bring a drifted device back in step.

use clap::Args;
use otpkit::verifier::{ResyncError, ResyncOutcome};

use crate::error::{CliError, Exit};
use crate::io::{Io, out, read_value};
use crate::options::now_or;
use crate::secrets;
use crate::target::{self, Target};

use super::device::{Device, UserDevices, failure_note, locked_message};

/// `otpkit resync`.
#[derive(Args)]
pub struct ResyncArgs {
    /// The device: --state FILE, --store URL --device ID, or --store URL --user USER
    /// --device-name NAME.
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
    if let Some(user) = UserDevices::open(&args.target)? {
        return resync_user(&user, &code1, &code2, now_or(args.time)?, io);
    }
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
            let exit = refused_exit(&e);
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

/// The exit code of a refused resynchronisation.
fn refused_exit(e: &ResyncError) -> Exit {
    match e {
        ResyncError::Malformed(_) | ResyncError::Time(_) => Exit::Usage,
        ResyncError::WrongKind | ResyncError::NotEnrolled => Exit::State,
        ResyncError::Rejected
        | ResyncError::SameCodeTwice
        | ResyncError::CounterExhausted
        | ResyncError::Locked { .. } => Exit::Invalid,
    }
}

/// `--user USER --device-name NAME`: the service's resync of the named device,
/// counted on the user like a sign-in.
fn resync_user(
    user: &UserDevices,
    code1: &str,
    code2: &str,
    now: u64,
    io: &mut Io<'_>,
) -> Result<(), CliError> {
    let name = user.required_name("resync")?;
    let answer = user
        .service
        .resync_device(&user.user, name, code1, code2, now)
        .map_err(target::service_error)?;
    match answer.outcome {
        ResyncOutcome::Resynced { drift, .. } => out(
            io,
            format_args!(
                "resynchronised device {name:?} (its clock is {})",
                secrets::drift_text(drift)
            ),
        ),
        ResyncOutcome::Rejected(ResyncError::Locked { until }) => Err(CliError::new(
            Exit::Locked,
            user.locked_message(until, now)?,
        )),
        ResyncOutcome::Rejected(e) => Err(CliError::new(
            refused_exit(&e),
            format_args!(
                "resynchronisation of device {name:?} failed: {e}{}",
                user.failure_note(now)?
            ),
        )),
    }
}
