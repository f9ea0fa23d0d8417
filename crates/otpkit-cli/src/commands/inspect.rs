//! `otpkit inspect`: what an otpauth URI, a device file or a device store's device
//! holds.
//!
//! A URI is shown with its secret and every warning; a device (`--state FILE` or
//! `--store URL --device ID`) with its account and verifier state for people (local
//! date-times, time left) and for scripts (`--json`, raw Unix times). A device's
//! secret is not shown: only its length (a store's sealed secret is not even opened,
//! so no key is needed).

use std::path::{Path, PathBuf};

use clap::Args;
use otpkit::Algorithm;
use otpkit::verifier::{DeviceState, Policy};
use otpkit_store::{DeviceParams, DeviceStore as _};
use serde_json::json;
use zeroize::Zeroizing;

use crate::device_file;
use crate::error::CliError;
use crate::io::{Io, out, read_value};
use crate::options::now_or;
use crate::target;
use crate::uri::{dropped_bits_warning, parse_account};
use crate::{json, secrets, when};

/// `otpkit inspect`.
#[derive(Args)]
pub struct InspectArgs {
    /// The otpauth:// URI; `-` reads it from stdin.
    #[arg(value_name = "URI", required_unless_present_any = ["state", "store"])]
    pub uri: Option<String>,
    /// Show a device file written by `otpkit enroll` instead: its account, its
    /// verifier state (last code, drift, failures, lock-out) with local times; the
    /// secret itself is not shown.
    #[arg(long, value_name = "FILE", conflicts_with = "uri")]
    pub state: Option<PathBuf>,
    /// Show device --device ID of a device store instead (`sqlite:PATH`, `postgres://…`,
    /// `redis://…`): its generator and verifier state; the sealed secret is not opened.
    /// A URL with a password belongs in OTPKIT_STORE, not on the command line.
    #[arg(
        long,
        value_name = "URL",
        conflicts_with_all = ["uri", "state"],
        requires = "device",
        env = target::STORE_ENV,
        hide_env_values = true
    )]
    pub store: Option<String>,
    /// The device's id, with --store.
    #[arg(long, value_name = "ID", requires = "store")]
    pub device: Option<String>,
    /// The time to judge the lock-out at, with --state or --store (default: now).
    #[arg(long, value_name = "UNIX", conflicts_with = "uri")]
    pub time: Option<u64>,
    /// The sealing key of a sealed device file.
    #[command(flatten)]
    pub key: target::SealKey,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Prints what the URI or the device holds.
pub fn run(args: InspectArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    if let (Some(url), Some(id)) = (&args.store, &args.device) {
        let now = now_or(args.time)?;
        return inspect_store(url, id, args.json, now, io);
    }
    if let Some(path) = &args.state {
        let now = now_or(args.time)?;
        return inspect_state(path, &args.key, args.json, now, io);
    }
    let Some(uri) = args.uri else {
        return Err(CliError::usage("give a URI or --state FILE"));
    };
    let uri = read_value(uri, "URI", io)?;
    let parsed = parse_account(&uri)?;
    let mut warnings: Vec<String> = parsed.warnings.iter().map(ToString::to_string).collect();
    warnings.extend(dropped_bits_warning(&uri));
    let account = &parsed.account;
    if args.json {
        let value = json::account(account, &warnings)?;
        return out(io, json::to_text(value).as_str());
    }
    let none = "(none)";
    let mut lines: Vec<(&str, String)> = vec![
        ("type", json::type_name(account).to_owned()),
        (
            "issuer",
            account
                .issuer
                .clone()
                .filter(|i| !i.is_empty())
                .unwrap_or_else(|| none.to_owned()),
        ),
        ("account", account.name.clone()),
        (
            "secret",
            std::mem::take(&mut *secrets::base32_text(&account.secret, true)),
        ),
        (
            "secret bits",
            account.secret.len().saturating_mul(8).to_string(),
        ),
        ("algorithm", account.algorithm.name().to_owned()),
        ("digits", json::digits(account).to_string()),
    ];
    if let Some(p) = json::period(account) {
        lines.push(("period", format!("{p} s")));
    }
    if let Some(c) = json::counter(account) {
        lines.push(("counter", c.to_string()));
    }
    for (key, value) in &account.extra {
        lines.push(("extra", format!("{key}={value}")));
    }
    if warnings.is_empty() {
        lines.push(("warnings", none.to_owned()));
    }
    for w in warnings {
        lines.push(("warning", w));
    }
    for (key, value) in lines {
        let value = Zeroizing::new(value);
        out(io, format_args!("{key:<12}{}", value.as_str()))?;
    }
    Ok(())
}

/// Prints the device file at `path` as judged at `now`.
fn inspect_state(
    path: &Path,
    key: &target::SealKey,
    json: bool,
    now: u64,
    io: &mut Io<'_>,
) -> Result<(), CliError> {
    let device = device_file::read(path, key.keyring()?.as_ref())?;
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
fn inspect_store(
    url: &str,
    id: &str,
    json: bool,
    now: u64,
    io: &mut Io<'_>,
) -> Result<(), CliError> {
    let store = target::open_device_store(url)?;
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
    let generator: DeviceParams = row.params.parse().map_err(|_| damaged("params"))?;
    let state: DeviceState = row.state.parse().map_err(|_| damaged("state"))?;
    let (algorithm, digits, period) = match generator {
        DeviceParams::Totp {
            algorithm,
            digits,
            period,
        } => (algorithm, digits.get(), Some(period.seconds())),
        DeviceParams::Hotp { algorithm, digits } => (algorithm, digits.get(), None),
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
                (None, _) => "none yet".to_owned(),
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
