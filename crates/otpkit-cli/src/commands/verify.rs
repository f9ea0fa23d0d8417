//! `otpkit verify`: one sign-in code against a device file, a store's device, or
//! the devices of a store's user.

use clap::Args;
use otpkit::verifier::{Outcome, SignInError};
use otpkit_store::DeviceChoice;

use crate::error::{CliError, Exit};
use crate::io::{Io, out, read_value};
use crate::options::now_or;
use crate::secrets;
use crate::target::{self, Target};

use super::device::{Device, UserDevices, failure_note, locked_message};

/// `otpkit verify`.
#[derive(Args)]
pub struct VerifyArgs {
    /// The device: --state FILE, --store URL --device ID, or --store URL --user USER
    /// [--device-name NAME].
    #[command(flatten)]
    pub target: Target,
    /// The code the user typed; `-` reads it from stdin (keeps it out of `ps`).
    #[arg(value_name = "CODE")]
    pub code: String,
    /// Unix time to verify at (default: now; for tests and replays).
    #[arg(long, value_name = "UNIX")]
    pub time: Option<u64>,
}

/// Checks the code and stores the new state.
pub fn run(args: VerifyArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    // Read a `-` code before waiting for the lock.
    let code = read_value(args.code, "code", io)?;
    if let Some(user) = UserDevices::open(&args.target)? {
        return sign_in(&user, &code, now_or(args.time)?, io);
    }
    let mut device = Device::open(&args.target)?;
    let now = now_or(args.time)?;
    // Failures and lock-outs are state too: stored whatever the outcome.
    let (outcome, new) = device.verify(&code, now)?;
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
            format_args!("the code is not valid{}", failure_note(&new, now)),
        )),
        Outcome::Replayed => Err(CliError::new(
            Exit::Replayed,
            format_args!(
                "the code was already used; wait for the next one{}",
                failure_note(&new, now)
            ),
        )),
        Outcome::Locked { until } => Err(CliError::new(Exit::Locked, locked_message(until, now))),
        Outcome::Malformed(e) => Err(CliError::usage(format_args!(
            "malformed code: {e}{}",
            failure_note(&new, now)
        ))),
        Outcome::Error(SignInError::WrongKind) => Err(CliError::state(
            "the device's verifier state is for an HOTP device",
        )),
        Outcome::Error(SignInError::NotEnrolled) => {
            Err(CliError::state("the device has not finished enrolling"))
        }
        Outcome::Error(e @ (SignInError::Time(_) | SignInError::CounterExhausted)) => {
            Err(CliError::usage(e))
        }
    }
}

/// `--user USER [--device-name NAME]`: the service's sign-in, with any of the
/// user's devices or the one named; says which device the code was of.
fn sign_in(user: &UserDevices, code: &str, now: u64, io: &mut Io<'_>) -> Result<(), CliError> {
    let choice = match &user.name {
        Some(name) => DeviceChoice::Named(name),
        None => DeviceChoice::Any,
    };
    let signed = user
        .service
        .sign_in(&user.user, code, choice, now)
        .map_err(target::service_error)?;
    let device = match signed.device() {
        Some(name) => format!(" (device {name:?})"),
        None => String::new(),
    };
    match signed.outcome() {
        Outcome::Accepted { .. } => out(io, format_args!("accepted{device}")),
        Outcome::Invalid => Err(CliError::new(
            Exit::Invalid,
            format_args!("the code is not valid{device}{}", user.failure_note(now)?),
        )),
        Outcome::Replayed => Err(CliError::new(
            Exit::Replayed,
            format_args!(
                "the code was already used{device}; wait for the next one{}",
                user.failure_note(now)?
            ),
        )),
        Outcome::Locked { until } => Err(CliError::new(
            Exit::Locked,
            user.locked_message(until, now)?,
        )),
        Outcome::Malformed(e) => Err(CliError::usage(format_args!(
            "malformed code: {e}{}",
            user.failure_note(now)?
        ))),
        Outcome::Error(SignInError::WrongKind) => Err(CliError::state(format_args!(
            "the verifier state of the device{device} is of another kind"
        ))),
        Outcome::Error(SignInError::NotEnrolled) => Err(CliError::state(format_args!(
            "the device{device} has not finished enrolling (run `otpkit enroll --user {} \
             --device-name NAME` again to finish it)",
            user.user
        ))),
        Outcome::Error(e @ (SignInError::Time(_) | SignInError::CounterExhausted)) => {
            Err(CliError::usage(e))
        }
    }
}
