//! `otpkit inspect --state FILE` (or `--store URL --device ID`): a device's account
//! and verifier state for people (local date-times, time left) and for scripts
//! (`--json`, raw Unix times). The secret is not shown: only its length (a store's
//! sealed secret is not even opened, so no key is needed).

use std::path::Path;

use otpkit::Algorithm;
use otpkit::verifier::{DeviceState, Policy};
use otpkit_store::{DeviceStore as _, Generator};
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
    let view = View {
        place: ("file", path.display().to_string()),
        issuer: device.issuer.clone(),
        account: Some(device.account.clone()),
        algorithm: device.algorithm,
        digits: device.digits.get(),
        period: Some(device.period.seconds()),
        secret_bits: Some(device.secret.len().saturating_mul(8)),
        state: device_state,
    };
    print(&view, json, now, io)
}

/// Prints device `id` of the store at `url` as judged at `now`, without opening
/// its sealed secret.
pub fn inspect_store(
    url: &str,
    id: &str,
    json: bool,
    now: u64,
    io: &mut Io<'_>,
) -> Result<(), CliError> {
    let store = crate::target::open_device_store(url)?;
    let row = store
        .load(id)
        .map_err(CliError::state)?
        .map(|read| read.row)
        .ok_or_else(|| {
            CliError::state(format_args!(
                "no device {id:?} in the store (create one with `otpkit enroll --store`)"
            ))
        })?;
    let damaged =
        |column: &str| CliError::state(format_args!("device {id:?} has a damaged {column} column"));
    let generator: Generator = row.params.parse().map_err(|_| damaged("params"))?;
    let state: DeviceState = row.state.parse().map_err(|_| damaged("state"))?;
    let (algorithm, digits, period) = match generator {
        Generator::Totp {
            algorithm,
            digits,
            period,
        } => (algorithm, digits.get(), Some(period.seconds())),
        Generator::Hotp { algorithm, digits } => (algorithm, digits.get(), None),
        _ => return Err(damaged("params")),
    };
    let view = View {
        place: ("device", id.to_owned()),
        issuer: None,
        account: None,
        algorithm,
        digits,
        period,
        secret_bits: None,
        state,
    };
    print(&view, json, now, io)
}

/// What `inspect` shows of a device, wherever it is kept.
struct View {
    /// `("file", PATH)` or `("device", ID)`.
    place: (&'static str, String),
    issuer: Option<String>,
    account: Option<String>,
    algorithm: Algorithm,
    digits: u8,
    /// `None` for HOTP.
    period: Option<u64>,
    /// `None` when the secret stays sealed.
    secret_bits: Option<usize>,
    state: DeviceState,
}

fn print(view: &View, json: bool, now: u64, io: &mut Io<'_>) -> Result<(), CliError> {
    let device_state = view.state;
    let max_failures = Policy::default().max_failures();
    let last_step = device_state.last_step();
    let last_time = match view.period {
        Some(p) => last_step.and_then(|s| s.checked_mul(p)),
        None => None,
    };
    let locked_until = device_state.locked_until().filter(|&u| u > now);
    if json {
        let mut value = json!({
            "issuer": view.issuer,
            "account": view.account,
            "algorithm": view.algorithm.name(),
            "digits": view.digits,
            "period": view.period,
            "secret_bits": view.secret_bits,
            "last_step": last_step,
            "last_step_time": last_time,
            "drift": device_state.drift(),
            "failures": device_state.failures(),
            "max_failures": max_failures,
            "locked": locked_until.is_some(),
            "locked_until": locked_until,
            "now": now,
        });
        if let (("device", id), Some(map)) = (&view.place, value.as_object_mut()) {
            map.insert("device".to_owned(), json!(id));
        }
        return out(io, value);
    }
    let none = || "(none)".to_owned();
    let lines: [(&str, String); 11] = [
        (view.place.0, view.place.1.clone()),
        ("issuer", view.issuer.clone().unwrap_or_else(none)),
        ("account", view.account.clone().unwrap_or_else(none)),
        ("algorithm", view.algorithm.name().to_owned()),
        ("digits", view.digits.to_string()),
        (
            "period",
            view.period
                .map_or_else(|| "(HOTP)".to_owned(), |p| format!("{p} s")),
        ),
        (
            "secret bits",
            match view.secret_bits {
                Some(bits) => format!("{bits} (the secret is not shown)"),
                None => "(sealed in the store; not opened)".to_owned(),
            },
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
