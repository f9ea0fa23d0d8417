//! `otpkit enroll`: a new secret shown as URI and QR code, confirmed by two consecutive codes.

use clap::Args;
use otpkit::Algorithm;
use otpkit::otpauth::{Account, Kind};
use otpkit::verifier::{DeviceState, EnrollError, EnrollOutcome, NIST_MAX_FAILURES, Policy};
use otpkit::{Digits, Period, Secret, Totp, Verifier};
use otpkit_store::seal::Keyring;
use otpkit_store::{DeviceParams, DeviceRow, DeviceStore as _, ServiceError};
use zeroize::Zeroizing;

use crate::device_file::{self, DeviceFile};
use crate::error::{CliError, Exit};
use crate::io::{Io, out, prompt};
use crate::options::{digits, now_or, parse_algorithm, period};
use crate::qr;
use crate::safe_file::{self, FileLock, Overwrite};
use crate::target::{self, Service};

use super::device::{UserDevices, locked_message};

/// `otpkit enroll`.
#[derive(Args)]
pub struct EnrollArgs {
    /// The service name shown in the app (e.g. your company).
    #[arg(long, value_name = "NAME")]
    pub issuer: String,
    /// The user's account name shown in the app (e.g. an email address).
    #[arg(long, value_name = "NAME")]
    pub account: String,
    /// Where to keep the device: --state FILE or --store URL.
    #[command(flatten)]
    pub target: target::Target,
    /// Replace FILE (or the store's device) if it exists. With --user: remove the
    /// user's device --device-name first (enrolled or pending), then add it anew.
    #[arg(long)]
    pub force: bool,
    /// HMAC algorithm. Google and Microsoft Authenticator compute SHA1 whatever the QR
    /// code says, so only choose another for apps known to honour it.
    #[arg(long, value_name = "SHA1|SHA256|SHA512", value_parser = parse_algorithm, default_value = "SHA1")]
    pub algorithm: Algorithm,
    /// Code length (6 to 10); most apps only show 6 or 8.
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub digits: u8,
    /// TOTP period in seconds; most apps only support 30.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub period: u64,
    /// Draw the terminal QR code for a light background (dark modules as blocks).
    #[arg(long)]
    pub light_terminal: bool,
    /// Unix time to check the codes at (default: now; for tests and replays).
    #[arg(long, value_name = "UNIX")]
    pub time: Option<u64>,
}

/// Enrols the device.
pub fn run(args: EnrollArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    device_file::check_field("issuer", &args.issuer)?;
    device_file::check_field("account name", &args.account)?;
    if args.account.trim().is_empty() {
        return Err(CliError::usage("the account name is empty"));
    }
    let digits = digits(args.digits)?;
    let period = period(args.period)?;
    if let Some(user) = UserDevices::open(&args.target)? {
        return enroll_user(&args, &user, digits, period, io);
    }
    // Everything that can fail before the secret is shown fails now.
    let target = open_target(&args)?;
    let secret = Secret::generate(args.algorithm)
        .map_err(|e| CliError::state(format_args!("cannot make a secret: {e}")))?;
    let account = Account {
        issuer: Some(args.issuer.clone()).filter(|i| !i.is_empty()),
        name: args.account.clone(),
        secret,
        algorithm: args.algorithm,
        digits,
        kind: Kind::Totp { period },
        pin: None,
        extra: Vec::new(),
    };
    show(&account, period, args.light_terminal, io)?;

    let totp = Totp::new(&account.secret, account.algorithm, digits, period);
    let verifier = Verifier::totp(totp, Policy::default());
    let device_state = enroll_codes(&verifier, args.time, io)?;
    match target {
        Target::File {
            path,
            _lock,
            keyring,
        } => {
            let mut device = DeviceFile {
                issuer: account.issuer.clone(),
                account: account.name.clone(),
                algorithm: account.algorithm,
                digits,
                period,
                secret: account.secret.clone(),
                state: device_state.to_string(),
                sealed: None,
            };
            if let Some(keyring) = &keyring {
                device.seal(keyring)?;
            }
            safe_file::write_atomic(
                &path,
                device.to_text().as_bytes(),
                Overwrite::when(args.force),
            )?;
            let sealed = if keyring.is_some() {
                " (secret sealed)"
            } else {
                ""
            };
            out(
                io,
                format_args!(
                    "Enrolled {}; device saved to {}{sealed}",
                    account.label(),
                    path.display()
                ),
            )
        }
        Target::Store { service, id } => {
            let generator = DeviceParams::Totp {
                algorithm: account.algorithm,
                digits,
                period,
            };
            store_device(
                &service,
                &id,
                &account.secret,
                generator,
                device_state,
                args.force,
            )?;
            out(
                io,
                format_args!(
                    "Enrolled {}; device {id:?} saved to the store (secret sealed)",
                    account.label()
                ),
            )
        }
    }
}

/// Shows the account to add: QR code, Base32 key and otpauth URI.
fn show(
    account: &Account,
    period: Period,
    light_terminal: bool,
    io: &mut Io<'_>,
) -> Result<(), CliError> {
    let uri = Zeroizing::new(account.to_uri());
    let background = if light_terminal {
        qr::Background::Light
    } else {
        qr::Background::Dark
    };
    let drawing = qr::terminal(&uri, background)?;
    out(io, "Scan this QR code with your authenticator app:")?;
    out(io, "")?;
    out(io, drawing.as_str())?;
    out(io, "")?;
    out(
        io,
        if light_terminal {
            "(Drawn for a light background; on a dark terminal, run without --light-terminal.)"
        } else {
            "(Drawn for a dark background; if it does not scan on a light terminal, \
             run again with --light-terminal.)"
        },
    )?;
    out(
        io,
        format_args!(
            "Or add the account by hand with this key: {}",
            account.secret.base32_grouped()
        ),
    )?;
    out(
        io,
        format_args!(
            "  (time-based, {}, {} digits, every {} s)",
            account.algorithm,
            account.digits,
            period.seconds()
        ),
    )?;
    out(io, "")?;
    out(io, "otpauth URI:")?;
    out(io, uri.as_str())?;
    Ok(())
}

/// Where the enrolled device goes, checked before the secret is shown.
enum Target {
    File {
        path: std::path::PathBuf,
        _lock: FileLock,
        keyring: Option<Keyring>,
    },
    Store {
        service: Box<Service>,
        id: String,
    },
}

fn open_target(args: &EnrollArgs) -> Result<Target, CliError> {
    let t = &args.target;
    if let Some(url) = &t.store {
        let id = t.device.clone().unwrap_or_else(|| args.account.clone());
        let keyring = t.key.required("--store")?;
        let service = target::open_store(url, keyring)?;
        match service.state(&id) {
            Err(ServiceError::NoSuchDevice { .. }) => {}
            Err(e) => return Err(target::service_error(e)),
            Ok(_) if args.force => {}
            Ok(_) => {
                return Err(CliError::state(format_args!(
                    "device {id:?} exists in the store; pass --force to replace it"
                )));
            }
        }
        return Ok(Target::Store {
            service: Box::new(service),
            id,
        });
    }
    let Some(path) = t.state.clone() else {
        return Err(CliError::usage("give --state FILE or --store URL"));
    };
    let keyring = t.key.keyring()?;
    let lock = safe_file::lock(&path)?;
    if !args.force && path.exists() {
        return Err(CliError::state(format_args!(
            "{} already exists; pass --force to replace it",
            path.display()
        )));
    }
    Ok(Target::File {
        path,
        _lock: lock,
        keyring,
    })
}

/// Stores the enrolled device (sealed), like the file: nothing is stored before
/// the codes are confirmed. With `force` a device of the same id is replaced.
fn store_device(
    service: &Service,
    id: &str,
    secret: &Secret,
    generator: DeviceParams,
    state: DeviceState,
    force: bool,
) -> Result<(), CliError> {
    let sealed = service
        .keyring()
        .seal(id, secret)
        .map_err(|e| CliError::state(format_args!("cannot seal the secret: {e}")))?;
    let row = DeviceRow {
        id: id.to_owned(),
        params: generator.to_string(),
        secret: sealed.as_str().to_owned(),
        state: state.encode(),
    };
    if force {
        service.remove(id).map_err(target::service_error)?;
    }
    let store_failed = |e| target::service_error(ServiceError::Store(e));
    if service.store().insert(&row).map_err(store_failed)? {
        Ok(())
    } else {
        Err(CliError::state(format_args!(
            "device {id:?} was created in the store by someone else meanwhile; pass --force \
             to replace it"
        )))
    }
}

/// Asks for codes until enrolment succeeds, checking each code as it is typed: a
/// typo or a code that is not the next one asks again, with the same secret (the
/// user has already scanned it). The pending enrolment throttles guesses like a
/// sign-in. Fails only when stdin ends or the enrolment is locked for good.
fn enroll_codes(
    verifier: &Verifier,
    time: Option<u64>,
    io: &mut Io<'_>,
) -> Result<DeviceState, CliError> {
    let mut pending = verifier.begin_enrollment();
    let mut last_error: Option<EnrollError> = None;
    loop {
        let question = if pending.awaits_second_code() {
            "Wait for the next code and enter it: "
        } else {
            "Enter the code the app shows: "
        };
        let Some(code) = prompt(io, question)? else {
            return Err(match last_error {
                Some(e) => CliError::new(
                    Exit::Invalid,
                    format_args!("enrolment failed: {e}; nothing was saved"),
                ),
                None => CliError::usage("stdin ended before the codes were entered"),
            });
        };
        let now = now_or(time)?;
        let (outcome, next) = verifier.enroll_code(&pending, &code, now);
        pending = next;
        match outcome {
            EnrollOutcome::Enrolled { .. } => return Ok(pending),
            EnrollOutcome::NeedNextCode => last_error = None,
            EnrollOutcome::Rejected(EnrollError::Time(e)) => {
                return Err(CliError::usage(format_args!("enrolment failed: {e}")));
            }
            EnrollOutcome::Rejected(EnrollError::Locked { until: u64::MAX }) => {
                return Err(CliError::new(
                    Exit::Locked,
                    format_args!(
                        "enrolment failed: {NIST_MAX_FAILURES} wrong codes; run `otpkit enroll \
                         --force` to start again with a new secret"
                    ),
                ));
            }
            EnrollOutcome::Rejected(e) => {
                let note = match pending.locked_until().filter(|&u| u > now) {
                    Some(until) => format!("; {}", locked_message(until, now)),
                    None => String::new(),
                };
                let _ = writeln!(io.stderr, "otpkit: {e}{note}; try again");
                last_error = Some(e);
            }
        }
    }
}

/// `--user USER --device-name NAME`: the service adds the device pending (its
/// secret sealed in the store) before the secret is shown, then two consecutive
/// codes finish it. A device still pending from an earlier run is shown again and
/// finished; `--force` replaces the device of that name, enrolled or not.
fn enroll_user(
    args: &EnrollArgs,
    user: &UserDevices,
    digits: Digits,
    period: Period,
    io: &mut Io<'_>,
) -> Result<(), CliError> {
    let name = user.required_name("enroll")?;
    let (service, id) = (&user.service, user.user.as_str());
    let now = now_or(args.time)?;
    let pending = if args.force {
        service
            .remove_device(id, name, now)
            .map_err(target::service_error)?;
        None
    } else {
        match service.pending_device_secret(id, name) {
            Ok(pending) => Some(pending),
            Err(ServiceError::UnknownDevice { .. }) => None,
            Err(ServiceError::AlreadyEnrolled { .. }) => {
                return Err(CliError::state(format_args!(
                    "user {id:?} has an enrolled device named {name:?}; pass --force to \
                     replace it, or choose another --device-name"
                )));
            }
            Err(e) => return Err(target::service_error(e)),
        }
    };
    let (secret, algorithm, digits, period) = match pending {
        Some((
            secret,
            DeviceParams::Totp {
                algorithm,
                digits,
                period,
            },
        )) => {
            let _ = writeln!(
                io.stderr,
                "otpkit: device {name:?} of user {id:?} is still enrolling: its secret is \
                 shown again (pass --force for a new one)"
            );
            (secret, algorithm, digits, period)
        }
        Some((_, DeviceParams::Hotp { .. })) => {
            return Err(CliError::state(format_args!(
                "device {name:?} of user {id:?} is a pending HOTP device, which `otpkit \
                 enroll` cannot finish; pass --force to replace it with a TOTP device"
            )));
        }
        None => {
            let secret = Secret::generate(args.algorithm)
                .map_err(|e| CliError::state(format_args!("cannot make a secret: {e}")))?;
            let params = DeviceParams::Totp {
                algorithm: args.algorithm,
                digits,
                period,
            };
            service
                .add_device(id, name, &secret, params, now)
                .map_err(target::service_error)?;
            (secret, args.algorithm, digits, period)
        }
    };
    let account = Account {
        issuer: Some(args.issuer.clone()).filter(|i| !i.is_empty()),
        name: args.account.clone(),
        secret,
        algorithm,
        digits,
        kind: Kind::Totp { period },
        pin: None,
        extra: Vec::new(),
    };
    show(&account, period, args.light_terminal, io)?;
    enroll_user_codes(user, name, args.time, io)?;
    out(
        io,
        format_args!(
            "Enrolled {}; device {name:?} of user {id:?} saved to the store (secret sealed)",
            account.label()
        ),
    )
}

/// Asks for two consecutive codes until the service enrols the device; a refused
/// pair asks again for the same secret (the service throttles the pending device
/// like a sign-in). Fails when stdin ends or the enrolment is locked for good; the
/// device then stays pending in the store.
fn enroll_user_codes(
    user: &UserDevices,
    name: &str,
    time: Option<u64>,
    io: &mut Io<'_>,
) -> Result<(), CliError> {
    let id = user.user.as_str();
    let again = format!(
        "device {name:?} stays pending: run the same `otpkit enroll` again to show its \
         secret and finish, or `otpkit devices remove --user {id} --device-name NAME`"
    );
    let mut last_error: Option<EnrollError> = None;
    loop {
        let codes = match prompt(io, "Enter the code the app shows: ")? {
            Some(first) => {
                prompt(io, "Wait for the next code and enter it: ")?.map(|second| (first, second))
            }
            None => None,
        };
        let Some((code1, code2)) = codes else {
            return Err(match last_error {
                Some(e) => CliError::new(
                    Exit::Invalid,
                    format_args!("enrolment failed: {e}; {again}"),
                ),
                None => CliError::usage(format_args!(
                    "stdin ended before the codes were entered; {again}"
                )),
            });
        };
        let now = now_or(time)?;
        let answer = user
            .service
            .enroll_device(id, name, &code1, &code2, now)
            .map_err(target::service_error)?;
        match answer.outcome {
            EnrollOutcome::Enrolled { .. } => return Ok(()),
            EnrollOutcome::NeedNextCode => last_error = None,
            EnrollOutcome::Rejected(EnrollError::Time(e)) => {
                return Err(CliError::usage(format_args!("enrolment failed: {e}")));
            }
            EnrollOutcome::Rejected(EnrollError::Locked { until: u64::MAX }) => {
                return Err(CliError::new(
                    Exit::Locked,
                    format_args!(
                        "enrolment failed: {NIST_MAX_FAILURES} wrong codes; run `otpkit enroll \
                         --user {id} --device-name NAME --force` to start again with a new \
                         secret"
                    ),
                ));
            }
            EnrollOutcome::Rejected(e) => {
                let note = match answer.state.locked_until().filter(|&u| u > now) {
                    Some(until) => format!("; {}", locked_message(until, now)),
                    None => String::new(),
                };
                let _ = writeln!(io.stderr, "otpkit: {e}{note}; try again");
                last_error = Some(e);
            }
        }
    }
}
