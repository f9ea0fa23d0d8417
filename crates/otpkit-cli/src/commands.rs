//! What each subcommand does.

use std::io::{BufRead, Read, Write};
use std::path::Path;

use otpkit::otpauth::{Account, Kind};
use otpkit::verifier::{
    DeviceState, EnrollError, EnrollOutcome, NIST_MAX_FAILURES, Outcome, Policy, ResyncError,
    ResyncOutcome, SignInError,
};
use otpkit::{Algorithm, Digits, Hotp, Period, Secret, Totp, Verifier, migration};
use zeroize::Zeroizing;

use crate::cli::{
    CodeArgs, Command, EnrollArgs, ImportArgs, InspectArgs, QrArgs, ResyncArgs, VerifyArgs,
};
use crate::error::{self, CliError, Exit};
use crate::state::{self, DeviceFile, Overwrite};
use crate::{json, qr, secrets};

/// The standard streams, passed in so that prompts and output stay separate.
pub struct Io<'a> {
    /// Codes typed at prompts and `-` values.
    pub stdin: &'a mut dyn BufRead,
    /// Results: codes, URIs, JSON.
    pub stdout: &'a mut dyn Write,
    /// Prompts and warnings.
    pub stderr: &'a mut dyn Write,
    /// Whether stdin is a terminal. When it is not, nothing echoes the typed line,
    /// so a newline is written after each prompt to keep stderr readable.
    pub stdin_is_terminal: bool,
}

/// Runs one subcommand.
pub fn run(command: Command, io: &mut Io<'_>) -> Result<(), CliError> {
    match command {
        Command::Code(args) => code(args, io),
        Command::Enroll(args) => enroll(args, io),
        Command::Verify(args) => verify(args, io),
        Command::Resync(args) => resync(args, io),
        Command::Inspect(args) => inspect(args, io),
        Command::Import(args) if args.pskc.is_pskc() => crate::pskc::import(args, io),
        Command::Import(args) if args.pskc.from.is_some() => crate::import::import(args, io),
        Command::Export(args) => crate::export::export(args, io),
        Command::Import(args) => import(args, io),
        Command::Qr(args) => qr_files(args, io),
        Command::Check(args) => crate::check::check(args, io),
        Command::Recovery(args) => crate::recovery::run(args, io),
    }
}

// ---- helpers ----------------------------------------------------------------------

/// `value`, or the first line of stdin when `value` is `-` (so secrets stay out of
/// `ps`). The text is wiped from memory when dropped.
pub(crate) fn read_value(
    value: String,
    what: &str,
    io: &mut Io<'_>,
) -> Result<Zeroizing<String>, CliError> {
    let value = Zeroizing::new(value);
    if value.as_str() != "-" {
        return Ok(value);
    }
    let line = read_line(io)?.ok_or_else(|| {
        CliError::usage(format_args!("expected the {what} on stdin, got nothing"))
    })?;
    if line.trim().is_empty() {
        return Err(CliError::usage(format_args!(
            "the {what} read from stdin is empty"
        )));
    }
    Ok(line)
}

/// The longest line read from stdin: room for the longest migration URI the library
/// reads (64 KiB), and a bound on what a runaway producer can make us buffer.
const MAX_LINE: u64 = 128 * 1024;

/// One line of stdin without its line ending; `None` at end of input.
fn read_line(io: &mut Io<'_>) -> Result<Option<Zeroizing<String>>, CliError> {
    let mut line = Zeroizing::new(String::new());
    let n = (&mut io.stdin)
        .take(MAX_LINE)
        .read_line(&mut line)
        .map_err(|e| CliError::usage(format_args!("cannot read stdin: {e}")))?;
    if n == 0 {
        return Ok(None);
    }
    if !line.ends_with('\n') && u64::try_from(n).is_ok_and(|n| n >= MAX_LINE) {
        return Err(CliError::usage(format_args!(
            "the line read from stdin is longer than {MAX_LINE} bytes"
        )));
    }
    let trimmed = line.trim_end_matches(['\r', '\n']).len();
    line.truncate(trimmed);
    Ok(Some(line))
}

/// Prints `question` on stderr and reads the answer from stdin; `None` when stdin
/// has ended.
fn prompt(io: &mut Io<'_>, question: &str) -> Result<Option<Zeroizing<String>>, CliError> {
    io.stdout.flush().map_err(error::output)?;
    write!(io.stderr, "{question}")
        .and_then(|()| io.stderr.flush())
        .map_err(error::output)?;
    let line = read_line(io)?;
    if !io.stdin_is_terminal || line.is_none() {
        let _ = writeln!(io.stderr);
    }
    Ok(line)
}

fn now_or(time: Option<u64>) -> Result<u64, CliError> {
    match time {
        Some(t) => Ok(t),
        None => otpkit::unix_now().map_err(CliError::usage),
    }
}

fn digits(n: u8) -> Result<Digits, CliError> {
    Digits::new(n).map_err(|e| CliError::usage(format_args!("--digits: {e}")))
}

fn period(seconds: u64) -> Result<Period, CliError> {
    Period::new(seconds).map_err(|e| CliError::usage(format_args!("--period: {e}")))
}

pub(crate) fn out(io: &mut Io<'_>, text: impl std::fmt::Display) -> Result<(), CliError> {
    writeln!(io.stdout, "{text}").map_err(error::output)
}

pub(crate) fn warn(io: &mut Io<'_>, text: impl std::fmt::Display) {
    // A closed stderr is no reason to fail the command.
    let _ = writeln!(io.stderr, "otpkit: warning: {text}");
}

/// Parses an `otpauth://` URI; a migration URI gets a pointer to `import`.
fn parse_account(uri: &str) -> Result<otpkit::otpauth::Parsed, CliError> {
    if is_migration(uri) {
        return Err(CliError::usage(
            "this is a Google Authenticator export (otpauth-migration://); use `otpkit import`",
        ));
    }
    Account::parse(uri).map_err(|e| CliError::usage(format_args!("invalid otpauth URI: {e}")))
}

fn is_migration(uri: &str) -> bool {
    uri.trim()
        .get(..20)
        .is_some_and(|s| s.eq_ignore_ascii_case("otpauth-migration://"))
}

fn overwrite(force: bool) -> Overwrite {
    if force { Overwrite::Yes } else { Overwrite::No }
}

// ---- code -------------------------------------------------------------------------

fn code(args: CodeArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    if let Some(uri) = args.source.uri {
        let uri = read_value(uri, "URI", io)?;
        let parsed = parse_account(&uri)?;
        warn_dropped_bits(&uri, io);
        if args.verbose {
            for w in &parsed.warnings {
                warn(io, w);
            }
        }
        let account = parsed.account;
        return match account.kind {
            Kind::Steam if args.hotp => Err(CliError::usage(
                "--hotp cannot be used with a Steam account",
            )),
            Kind::Totp { .. } if args.hotp => {
                let counter = args
                    .counter
                    .ok_or_else(|| CliError::usage("--hotp needs --counter"))?;
                let hotp = Hotp::new(&account.secret, account.algorithm, account.digits);
                out(io, hotp.code(counter))
            }
            Kind::Hotp { counter } => {
                if args.time.is_some() {
                    return Err(CliError::usage(
                        "--time applies to time-based accounts only",
                    ));
                }
                let hotp = Hotp::new(&account.secret, account.algorithm, account.digits);
                out(io, hotp.code(args.counter.unwrap_or(counter)))
            }
            Kind::Steam => {
                no_counter(args.counter)?;
                let steam = otpkit::steam::SteamGuard::new(&account.secret);
                let now = now_or(args.time)?;
                out(io, steam.code_at(now).map_err(CliError::usage)?)?;
                if args.verbose {
                    out(io, format_args!("{} s left", steam.seconds_left(now)))?;
                }
                Ok(())
            }
            Kind::Totp { period } => {
                no_counter(args.counter)?;
                let totp = Totp::new(&account.secret, account.algorithm, account.digits, period);
                print_totp(&totp, now_or(args.time)?, args.verbose, io)
            }
            _ => Err(CliError::usage("this kind of account is not supported")),
        };
    }
    let Some(text) = args.source.secret.or(args.source.secret_arg) else {
        return Err(CliError::usage("give a SECRET, --secret or --uri"));
    };
    let text = read_value(text, "secret", io)?;
    // Existing accounts often have 80-bit secrets: computing their codes is fine.
    let (secret, warning) = secrets::parse(&text, args.hex)?;
    if let Some(w) = warning {
        warn(io, w);
    }
    let algorithm = args.algorithm.unwrap_or(Algorithm::Sha1);
    let digits = digits(args.digits.unwrap_or(6))?;
    if args.hotp {
        let counter = args
            .counter
            .ok_or_else(|| CliError::usage("--hotp needs --counter"))?;
        return out(io, Hotp::new(&secret, algorithm, digits).code(counter));
    }
    no_counter(args.counter)?;
    let totp = Totp::new(
        &secret,
        algorithm,
        digits,
        period(args.period.unwrap_or(30))?,
    );
    print_totp(&totp, now_or(args.time)?, args.verbose, io)
}

/// Warns when the URI's Base32 secret carries bits that do not fill a byte.
fn warn_dropped_bits(uri: &str, io: &mut Io<'_>) {
    if let Some(w) = dropped_bits_warning(uri) {
        warn(io, w);
    }
}

fn dropped_bits_warning(uri: &str) -> Option<String> {
    let text = secrets::uri_secret_text(uri)?;
    let dropped = secrets::dropped_bits(&text)?;
    Some(format!(
        "the Base32 secret is not canonical: its last {dropped} bit(s) do not fill a byte \
         and were dropped; check that it was copied whole"
    ))
}

fn no_counter(counter: Option<u64>) -> Result<(), CliError> {
    match counter {
        Some(_) => Err(CliError::usage(
            "--counter applies to HOTP only (--hotp, or an hotp URI)",
        )),
        None => Ok(()),
    }
}

fn print_totp(totp: &Totp, now: u64, verbose: bool, io: &mut Io<'_>) -> Result<(), CliError> {
    out(io, totp.code_at(now).map_err(CliError::usage)?)?;
    if verbose {
        let left = totp.seconds_left(now).map_err(CliError::usage)?;
        out(io, format_args!("{left} s left"))?;
    }
    Ok(())
}

// ---- enroll -----------------------------------------------------------------------

fn enroll(args: EnrollArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    state::check_field("issuer", &args.issuer)?;
    state::check_field("account name", &args.account)?;
    if args.account.trim().is_empty() {
        return Err(CliError::usage("the account name is empty"));
    }
    let digits = digits(args.digits)?;
    let period = period(args.period)?;
    let _lock = state::lock(&args.state)?;
    if !args.force && args.state.exists() {
        return Err(CliError::state(format_args!(
            "{} already exists; pass --force to replace it",
            args.state.display()
        )));
    }
    let secret = Secret::generate(args.algorithm)
        .map_err(|e| CliError::state(format_args!("cannot make a secret: {e}")))?;
    let account = Account {
        issuer: Some(args.issuer.clone()).filter(|i| !i.is_empty()),
        name: args.account.clone(),
        secret,
        algorithm: args.algorithm,
        digits,
        kind: Kind::Totp { period },
        extra: Vec::new(),
    };
    let uri = Zeroizing::new(account.to_uri());
    let background = if args.light_terminal {
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
        if args.light_terminal {
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
            digits,
            period.seconds()
        ),
    )?;
    out(io, "")?;
    out(io, "otpauth URI:")?;
    out(io, uri.as_str())?;

    let totp = Totp::new(&account.secret, account.algorithm, digits, period);
    let verifier = Verifier::totp(totp, Policy::default());
    let device_state = enroll_codes(&verifier, args.time, io)?;
    let device = DeviceFile {
        issuer: account.issuer.clone(),
        account: account.name.clone(),
        algorithm: account.algorithm,
        digits,
        period,
        secret: account.secret.clone(),
        state: device_state.to_string(),
    };
    state::write_atomic(
        &args.state,
        device.to_text().as_bytes(),
        overwrite(args.force),
    )?;
    out(
        io,
        format_args!(
            "Enrolled {}; device saved to {}",
            account.label(),
            args.state.display()
        ),
    )
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
            other => return Err(CliError::new(Exit::Invalid, other)),
        }
    }
}

// ---- verify and resync ------------------------------------------------------------

/// A device file read under its lock, with its decoded state and verifier.
struct Loaded {
    device: DeviceFile,
    state: DeviceState,
    verifier: Verifier,
}

fn load(path: &Path) -> Result<Loaded, CliError> {
    let device = state::read(path)?;
    let state: DeviceState = device.state.parse().map_err(|e| {
        CliError::state(format_args!(
            "the state file's verifier state is damaged: {e}"
        ))
    })?;
    let verifier = Verifier::totp(device.totp(), Policy::default());
    Ok(Loaded {
        device,
        state,
        verifier,
    })
}

fn save(path: &Path, loaded: &mut Loaded, new: DeviceState) -> Result<(), CliError> {
    if new == loaded.state {
        return Ok(());
    }
    loaded.device.state = new.to_string();
    state::write_atomic(path, loaded.device.to_text().as_bytes(), Overwrite::Yes)?;
    loaded.state = new;
    Ok(())
}

/// The lock-out message, with its end as a local date-time and the time left.
fn locked_message(until: u64, now: u64) -> String {
    if until == u64::MAX {
        "too many failed attempts: the device is locked until an administrator \
         re-enrols it"
            .to_owned()
    } else {
        format!(
            "too many failed attempts: locked for now; try again after {}",
            crate::when::until(until, now)
        )
    }
}

/// " (3 of 5 failed attempts before lock-out)" or "; locked until ...".
fn failure_note(loaded: &Loaded, now: u64) -> String {
    failure_note_for(&loaded.state, loaded.verifier.policy().max_failures(), now)
}

/// The failures since the last lock-out (the count itself goes on across ended
/// lock-outs, towards the permanent lock).
fn failure_note_for(state: &DeviceState, max: u32, now: u64) -> String {
    if let Some(until) = state.locked_until().filter(|&until| until > now) {
        return format!("; {}", locked_message(until, now));
    }
    let this_round = state.failures().checked_rem(max).unwrap_or(0);
    let for_good = NIST_MAX_FAILURES.saturating_sub(state.failures());
    if for_good < max {
        format!(" ({for_good} more failed attempts lock the device until it is reset)")
    } else {
        format!(" ({this_round} of {max} failed attempts before lock-out)")
    }
}

fn verify(args: VerifyArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    // Read a `-` code before waiting for the lock.
    let code = read_value(args.code, "code", io)?;
    let _lock = state::lock(&args.state)?;
    let mut loaded = load(&args.state)?;
    let now = now_or(args.time)?;
    let (outcome, new) = loaded.verifier.verify(&loaded.state, &code, now);
    // Failures and lock-outs are state too: save whatever the outcome.
    save(&args.state, &mut loaded, new)?;
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
            format_args!("the code is not valid{}", failure_note(&loaded, now)),
        )),
        Outcome::Replayed => Err(CliError::new(
            Exit::Replayed,
            format_args!(
                "the code was already used; wait for the next one{}",
                failure_note(&loaded, now)
            ),
        )),
        Outcome::Locked { until } => Err(CliError::new(Exit::Locked, locked_message(until, now))),
        Outcome::Malformed(e) => Err(CliError::usage(format_args!(
            "malformed code: {e}{}",
            failure_note(&loaded, now)
        ))),
        Outcome::Error(SignInError::WrongKind) => Err(CliError::state(
            "the state file's verifier state is for an HOTP device",
        )),
        Outcome::Error(SignInError::NotEnrolled) => Err(CliError::state(
            "the state file's device has not finished enrolling",
        )),
        Outcome::Error(e) => Err(CliError::usage(e)),
        other => Err(CliError::new(Exit::Invalid, other)),
    }
}

fn resync(args: ResyncArgs, io: &mut Io<'_>) -> Result<(), CliError> {
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

// ---- inspect and import -----------------------------------------------------------

fn inspect(args: InspectArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    if let Some(path) = &args.state {
        let now = now_or(args.time)?;
        return crate::inspect_state::inspect_state(path, args.json, now, io);
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
        let value = json::account(account, &warnings);
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

fn import(args: ImportArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    let uri = read_value(args.uri, "URI", io)?;
    if !is_migration(&uri) {
        return Err(CliError::usage(
            "expected an otpauth-migration:// URI (Google Authenticator's export QR code)",
        ));
    }
    let entries = migration::decode(&uri)
        .map_err(|e| CliError::usage(format_args!("invalid migration URI: {e}")))?;
    let total = entries.len();
    let mut failed = 0usize;
    let mut objects = Vec::new();
    for (index, entry) in entries.into_iter().enumerate() {
        let number = index.saturating_add(1);
        // Re-reading the written URI yields the same warnings `inspect` would give.
        let checked = entry.map_err(|e| e.to_string()).and_then(|account| {
            let uri = Zeroizing::new(account.to_uri());
            Account::parse(&uri)
                .map(|p| (uri, p))
                .map_err(|e| e.to_string())
        });
        match checked {
            Ok((uri, parsed)) => {
                if args.json {
                    let warnings: Vec<String> =
                        parsed.warnings.iter().map(ToString::to_string).collect();
                    objects.push(json::account(&parsed.account, &warnings));
                } else {
                    out(io, uri.as_str())?;
                }
            }
            Err(e) => {
                failed = failed.saturating_add(1);
                let _ = writeln!(io.stderr, "otpkit: entry {number} of {total}: {e}");
            }
        }
    }
    if args.json {
        let text = json::to_text(serde_json::Value::Array(objects));
        out(io, text.as_str())?;
    }
    if failed > 0 {
        return Err(CliError::new(
            Exit::Partial,
            format_args!("{failed} of {total} entries could not be imported"),
        ));
    }
    Ok(())
}

// ---- qr ---------------------------------------------------------------------------

fn qr_files(args: QrArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    let uri = read_value(args.uri, "URI", io)?;
    // Check the URI first: a QR code of a mistyped URI would only fail on the phone.
    if is_migration(&uri) {
        migration::decode(&uri)
            .map_err(|e| CliError::usage(format_args!("invalid migration URI: {e}")))?;
    } else {
        parse_account(&uri)?;
    }
    let overwrite = overwrite(args.force);
    if let Some(path) = &args.svg {
        state::write_atomic(path, qr::svg(&uri)?.as_bytes(), overwrite)?;
    }
    if let Some(path) = &args.png {
        state::write_atomic(path, &qr::png(&uri)?, overwrite)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use otpkit::verifier::DeviceKind;

    const NOW: u64 = 1_700_000_000; // 2023-11-14 22:13:20 UTC

    /// Defect 8 of issue 12: after an ended lock-out the message said "(22 of 5
    /// failed attempts before lock-out)".
    #[test]
    fn failure_count_restarts_after_each_lock_out() {
        let note = |failures, locked_until| {
            let s = DeviceState::from_parts(DeviceKind::Totp, 5, 0, failures, locked_until);
            failure_note_for(&s, 5, NOW)
        };
        assert_eq!(note(1, 0), " (1 of 5 failed attempts before lock-out)");
        assert_eq!(note(4, 0), " (4 of 5 failed attempts before lock-out)");
        // The fifth failure locked; it ended (locked_until in the past), then two more.
        assert_eq!(note(22, 0), " (2 of 5 failed attempts before lock-out)");
        assert_eq!(
            note(22, NOW - 1),
            " (2 of 5 failed attempts before lock-out)"
        );
        // Near the permanent NIST lock the note says so.
        assert_eq!(
            note(97, 0),
            " (3 more failed attempts lock the device until it is reset)"
        );
    }

    #[test]
    fn lock_out_end_is_a_local_time_with_the_time_left() {
        // The local date-time itself is tested in `when`; here: the note carries it.
        let s = DeviceState::from_parts(DeviceKind::Totp, 5, 0, 5, NOW + 125);
        let note = failure_note_for(&s, 5, NOW);
        assert!(
            note.starts_with("; too many failed attempts: locked for now; try again after "),
            "{note}"
        );
        assert!(
            note.ends_with(", in 2 min 5 s (Unix time 1700000125)"),
            "{note}"
        );
        assert_eq!(
            locked_message(u64::MAX, NOW),
            "too many failed attempts: the device is locked until an administrator re-enrols it"
        );
    }
}
