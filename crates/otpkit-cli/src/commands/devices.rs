//! `otpkit devices`: the named devices of a device store's user (`--store URL
//! --user USER`): list them, rename one, remove one. `otpkit enroll --user`
//! adds them; `verify --user` and `resync --user` use them.

use clap::{Args, Subcommand};
use otpkit_store::DeviceInfo;
use serde_json::Value;

use crate::error::CliError;
use crate::io::{Io, out};
use crate::json;
use crate::options::now_or;
use crate::target::{self, UserTarget};
use crate::when;

/// `otpkit devices`.
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct DevicesArgs {
    /// Whose devices to list: --store URL --user USER.
    #[command(flatten)]
    pub target: UserTarget,
    /// Print a JSON array of devices (keys `name`, `type`, `algorithm`, `digits`,
    /// `period`, `enrolled`, `failures`, `added_at`).
    #[arg(long)]
    pub json: bool,
    /// Rename or remove a device instead of listing them.
    #[command(subcommand)]
    pub command: Option<DevicesCommand>,
}

/// The devices subcommands (without one, `devices` lists).
#[derive(Subcommand)]
pub enum DevicesCommand {
    /// Give the device --device-name a new name.
    Rename(RenameArgs),
    /// Remove the device --device-name (it no longer signs in); every
    /// remember-this-device token of the user is revoked with it.
    Remove(RemoveArgs),
}

/// `otpkit devices rename`.
#[derive(Args)]
pub struct RenameArgs {
    /// The user: --store URL --user USER.
    #[command(flatten)]
    pub target: UserTarget,
    /// The device's name now.
    #[arg(long, value_name = "NAME")]
    pub device_name: String,
    /// Its new name (1 to 64 characters).
    #[arg(value_name = "NEW_NAME")]
    pub new_name: String,
}

/// `otpkit devices remove`.
#[derive(Args)]
pub struct RemoveArgs {
    /// The user: --store URL --user USER.
    #[command(flatten)]
    pub target: UserTarget,
    /// The device to remove.
    #[arg(long, value_name = "NAME")]
    pub device_name: String,
}

/// Runs `otpkit devices …`.
pub fn run(args: DevicesArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    match args.command {
        None => list(&args.target, args.json, io),
        Some(DevicesCommand::Rename(args)) => rename(&args, io),
        Some(DevicesCommand::Remove(args)) => remove(&args, io),
    }
}

fn list(target: &UserTarget, as_json: bool, io: &mut Io<'_>) -> Result<(), CliError> {
    let (service, user) = target.open()?;
    let devices = service.devices(&user).map_err(target::service_error)?;
    if as_json {
        let items: Vec<Value> = devices.iter().map(json::device).collect();
        return out(io, Value::Array(items));
    }
    if devices.is_empty() {
        return out(
            io,
            format_args!(
                "user {user:?} has no devices (add one with `otpkit enroll --user {user} \
                 --device-name NAME`)"
            ),
        );
    }
    let width = devices
        .iter()
        .map(|d| d.name.chars().count())
        .max()
        .unwrap_or(0);
    for device in &devices {
        out(io, line(device, width))?;
    }
    Ok(())
}

/// One device: `phone   TOTP SHA1, 6 digits, 30 s   enrolled   0 failures   added …`.
fn line(device: &DeviceInfo, width: usize) -> String {
    let params = match device.params {
        Some(params) => params_text(params),
        None => "(its row is missing)".to_owned(),
    };
    let status = if device.enrolled {
        "enrolled"
    } else {
        "pending "
    };
    let added = match when::local(device.added_at) {
        Some(local) => format!("{local} (Unix time {})", device.added_at),
        None => format!("Unix time {}", device.added_at),
    };
    let failures = match device.failures {
        1 => "1 failure ".to_owned(),
        n => format!("{n} failures"),
    };
    format!(
        "{name:<width$}  {params:<25}  {status}  {failures}  added {added}",
        name = device.name
    )
}

/// `TOTP SHA1, 6 digits, 30 s` or `HOTP SHA1, 6 digits`.
fn params_text(params: otpkit_store::DeviceParams) -> String {
    match params {
        otpkit_store::DeviceParams::Totp {
            algorithm,
            digits,
            period,
        } => format!(
            "TOTP {}, {} digits, {} s",
            algorithm.name(),
            digits.get(),
            period.seconds()
        ),
        otpkit_store::DeviceParams::Hotp { algorithm, digits } => {
            format!("HOTP {}, {} digits", algorithm.name(), digits.get())
        }
    }
}

fn rename(args: &RenameArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    let (service, user) = args.target.open()?;
    let now = now_or(None)?;
    service
        .rename_device(&user, &args.device_name, &args.new_name, now)
        .map_err(target::service_error)?;
    out(
        io,
        format_args!(
            "renamed device {:?} of user {user:?} to {:?}",
            args.device_name, args.new_name
        ),
    )
}

fn remove(args: &RemoveArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    let (service, user) = args.target.open()?;
    let now = now_or(None)?;
    let removed = service
        .remove_device(&user, &args.device_name, now)
        .map_err(target::service_error)?;
    if !removed {
        return Err(target::service_error(
            otpkit_store::ServiceError::UnknownDevice {
                user,
                name: args.device_name.clone(),
            },
        ));
    }
    out(
        io,
        format_args!("removed device {:?} of user {user:?}", args.device_name),
    )
}
