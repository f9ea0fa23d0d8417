//! `otpkit inspect --state FILE`: a device file's account and verifier state for
//! people (local date-times, time left) and for scripts (`--json`, raw Unix times).
//! The secret is not shown: only its length.

use std::path::Path;

use otpkit::verifier::{DeviceState, Policy};
use serde_json::json;

use crate::commands::{Io, out};
use crate::error::CliError;
use crate::{secrets, state, when};

/// Prints the device file at `path` as judged at `now`.
pub fn inspect_state(
    path: &Path,
    key: &crate::target::SealKey,
    json: bool,
    now: u64,
    io: &mut Io<'_>,
) -> Result<(), CliError> {
    let device = state::read(path, key.keyring()?.as_ref())?;
    let device_state: DeviceState = device.state.parse().map_err(|e| {
        CliError::state(format_args!(
            "the state file's verifier state is damaged: {e}"
        ))
    })?;
    let totp = device.totp();
    let max_failures = Policy::default().max_failures();
    let last_step = device_state.last_step();
    let last_time = last_step.and_then(|s| totp.step_start(s).ok());
    let locked_until = device_state.locked_until().filter(|&u| u > now);
    let secret_bits = device.secret.len().saturating_mul(8);
    if json {
        let value = json!({
            "issuer": device.issuer,
            "account": device.account,
            "algorithm": device.algorithm.name(),
            "digits": device.digits.get(),
            "period": device.period.seconds(),
            "secret_bits": secret_bits,
            "last_step": last_step,
            "last_step_time": last_time,
            "drift": device_state.drift(),
            "failures": device_state.failures(),
            "max_failures": max_failures,
            "locked": locked_until.is_some(),
            "locked_until": locked_until,
            "now": now,
        });
        return out(io, value);
    }
    let none = "(none)".to_owned();
    let lines: [(&str, String); 11] = [
        ("file", path.display().to_string()),
        ("issuer", device.issuer.clone().unwrap_or(none)),
        ("account", device.account.clone()),
        ("algorithm", device.algorithm.name().to_owned()),
        ("digits", device.digits.get().to_string()),
        ("period", format!("{} s", device.period.seconds())),
        (
            "secret bits",
            format!("{secret_bits} (the secret is not shown)"),
        ),
        (
            "last code",
            match (last_step, last_time) {
                (Some(step), Some(t)) => format!(
                    "step {step}, shown from {} (Unix time {t})",
                    when::local(t).unwrap_or_else(|| "a time out of range".to_owned())
                ),
                (Some(step), None) => format!("step {step}"),
                _ => "none yet".to_owned(),
            },
        ),
        ("drift", secrets::drift_text(device_state.drift())),
        (
            "failures",
            format!(
                "{} of {max_failures} before lock-out",
                device_state.failures()
            ),
        ),
        (
            "locked",
            match locked_until {
                None => "no".to_owned(),
                Some(u64::MAX) => "until an administrator re-enrols the device".to_owned(),
                Some(until) => format!("until {}", when::until(until, now)),
            },
        ),
    ];
    for (key, value) in lines {
        out(io, format_args!("{key:<12}{value}"))?;
    }
    Ok(())
}
