//! The narrated server flow: enroll (after a typo, with the same secret), sign in, a replayed code, two servers racing,
//! a guessing attacker locked out, a drifted phone resynchronised. A simulated
//! authenticator app (which reads the QR code's URI like a real one) supplies the
//! codes and a simulated clock moves time on, so it runs in milliseconds.

use std::fmt;
use std::io::{self, Write};

use otpkit::otpauth::{Account, UriError};
use otpkit::verifier::{DeviceState, Outcome, Policy};
use otpkit::{Secret, SecretError, Totp};

use otpkit_store::seal::{Keyring, SealingKey};
use otpkit_store::{DeviceStore, SqliteStore};

use crate::server::{MfaServer, ServerError};

/// An authenticator app on a phone whose clock may be off.
pub struct Phone {
    label: String,
    totp: Totp,
    clock_offset: i64,
}

impl Phone {
    /// Scans a QR code: reads its `otpauth://` URI as an authenticator app does.
    pub fn scan(uri: &str) -> Result<Self, UriError> {
        let account = Account::parse(uri)?.account;
        let totp = account.totp().ok_or(UriError::MissingSecret)?;
        Ok(Phone {
            label: account.label(),
            totp,
            clock_offset: 0,
        })
    }

    /// What the app shows as the account's name.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Sets how far the phone's clock is from the server's, in seconds.
    pub fn set_clock_offset(&mut self, seconds: i64) {
        self.clock_offset = seconds;
    }

    /// The code on the screen when the server's clock reads `server_now`.
    pub fn code(&self, server_now: u64) -> String {
        let phone_now = server_now.saturating_add_signed(self.clock_offset);
        self.totp
            .code_at(phone_now)
            .map(|c| c.to_string())
            .unwrap_or_default()
    }
}

/// What happened at each step, for tests and for the summary.
#[derive(Debug)]
pub struct Transcript {
    /// Whether the mistyped first enrolment attempt was refused (and the second,
    /// with the same secret, went through).
    pub retried_enrolment: bool,
    /// The device id (the user name) and state after enrolment.
    pub enrolled: (String, DeviceState),
    /// The first sign-in.
    pub sign_in: Outcome,
    /// The same code again.
    pub replay: Outcome,
    /// Two servers with the same code and the same stored state: each one's
    /// outcome and whether its compare-and-swap went through.
    pub race: [(Outcome, bool); 2],
    /// What the losing server got after reading the state again.
    pub race_retry: Outcome,
    /// The attacker's guesses, in order.
    pub guesses: Vec<Outcome>,
    /// The right code while locked out.
    pub while_locked: Outcome,
    /// A sign-in from the phone after its clock jumped.
    pub drifted: Outcome,
    /// The learned drift after resynchronisation, in steps.
    pub resync_drift: i64,
    /// The sign-in after resynchronisation.
    pub after_resync: Outcome,
}

/// Why the demo stopped.
#[derive(Debug)]
pub enum DemoError {
    /// Writing the narration failed.
    Io(io::Error),
    /// The server failed.
    Server(ServerError),
    /// The phone could not read the QR code.
    Uri(UriError),
    /// A step did not turn out as a correct verifier must make it turn out.
    Unexpected(String),
}

impl fmt::Display for DemoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DemoError::Io(e) => write!(f, "cannot write: {e}"),
            DemoError::Server(e) => write!(f, "server error: {e}"),
            DemoError::Uri(e) => write!(f, "the phone cannot read the QR code: {e}"),
            DemoError::Unexpected(what) => write!(f, "unexpected: {what}"),
        }
    }
}

impl std::error::Error for DemoError {}

impl From<io::Error> for DemoError {
    fn from(e: io::Error) -> Self {
        DemoError::Io(e)
    }
}

impl From<ServerError> for DemoError {
    fn from(e: ServerError) -> Self {
        DemoError::Server(e)
    }
}

impl From<otpkit_store::ServiceError> for DemoError {
    fn from(e: otpkit_store::ServiceError) -> Self {
        DemoError::Server(ServerError::Service(e))
    }
}

impl From<UriError> for DemoError {
    fn from(e: UriError) -> Self {
        DemoError::Uri(e)
    }
}

/// How the demo is set up.
pub struct Setup {
    /// The server clock at the start (Unix seconds).
    pub start: u64,
    /// The device secret; `None` draws a random one.
    pub secret: Option<Secret>,
    /// The SQLite store.
    pub store: SqliteStore,
}

/// Narrates to `out`.
struct Narrator<'a> {
    out: &'a mut dyn Write,
    start: u64,
}

impl Narrator<'_> {
    fn say(&mut self, now: u64, who: &str, text: fmt::Arguments<'_>) -> io::Result<()> {
        let t = now.saturating_sub(self.start);
        writeln!(self.out, "[{t:>4} s] {who:<8} {text}")
    }

    fn more(&mut self, text: fmt::Arguments<'_>) -> io::Result<()> {
        writeln!(self.out, "{:18}{text}", "")
    }

    fn heading(&mut self, text: &str) -> io::Result<()> {
        writeln!(self.out)?;
        writeln!(self.out, "── {text}")
    }
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Locked { until } if *until == u64::MAX => {
            "REJECTED: locked until an administrator clears it".to_owned()
        }
        Outcome::Locked { .. } => "REJECTED: locked out, the code was not even checked".to_owned(),
        Outcome::Accepted { step, drift: 0 } => format!("ACCEPTED (time step {step})"),
        Outcome::Accepted { step, drift } => {
            format!("ACCEPTED (time step {step}, phone clock {drift:+} step(s))")
        }
        other => format!("REJECTED: {other}"),
    }
}

/// The `nth` guess of an attacker: a popular code that no step near `now` (±5 steps
/// of the phone's clock) produces, so it is wrong whatever the secret.
fn wrong_code(phone: &Phone, now: u64, nth: usize) -> String {
    const POPULAR: [&str; 8] = [
        "123456", "000000", "111111", "654321", "123123", "999999", "112233", "121212",
    ];
    let near: Vec<String> = (0..=10u64)
        .map(|i| phone.code(now.saturating_add(i * 30).saturating_sub(150)))
        .collect();
    POPULAR
        .iter()
        .cycle()
        .skip(nth % POPULAR.len())
        .take(POPULAR.len())
        .find(|c| !near.iter().any(|n| n == *c))
        .map_or_else(|| "012345".to_owned(), |c| (*c).to_owned())
}

fn expect(ok: bool, what: &str) -> Result<(), DemoError> {
    if ok {
        Ok(())
    } else {
        Err(DemoError::Unexpected(what.to_owned()))
    }
}

/// Runs the whole flow, narrating to `out`.
pub fn run(setup: Setup, out: &mut dyn Write) -> Result<Transcript, DemoError> {
    let start = setup.start;
    let mut now = start;
    let mut n = Narrator { out, start };
    let policy = Policy::default();
    // The key that seals device secrets at rest. A real server loads it from a
    // secrets manager (SealingKey::from_base64); a demo run makes a fresh one.
    let key = SealingKey::generate("demo").map_err(otpkit_store::ServiceError::Seal)?;
    let server = MfaServer::new(setup.store, Keyring::new(key), "Example Corp", policy);

    writeln!(
        n.out,
        "otpkit server flow: an AWS-style virtual MFA device on otpkit-store (SQLite, sealed secret),"
    )?;
    writeln!(
        n.out,
        "a simulated authenticator app and a simulated clock (times are since the start)."
    )?;

    n.heading("Enrolment (CreateVirtualMFADevice, EnableMFADevice)")?;
    let user = "alice@example.com";
    let pending = match setup.secret {
        Some(secret) => server.create_device_with(user, Ok(secret))?,
        None => server.create_device(user)?,
    };
    let uri = pending.uri();
    n.say(
        now,
        "server",
        format_args!("creates a virtual MFA device for {user}"),
    )?;
    n.more(format_args!("QR code: {uri}"))?;
    n.more(format_args!(
        "or type the key: {}",
        pending.account.secret.base32_grouped()
    ))?;
    let mut phone = Phone::scan(&uri)?;
    phone.set_clock_offset(-40);
    n.say(
        now,
        "phone",
        format_args!(
            "scans it and shows \"{}\"; its clock is 40 s slow",
            phone.label()
        ),
    )?;
    let code1 = phone.code(now);
    n.say(now, "phone", format_args!("shows {code1}"))?;
    now += 30;
    let code2 = phone.code(now);
    n.say(now, "phone", format_args!("shows {code2}"))?;
    // A slip of the finger: the first code typed wrong (one digit off, and not by
    // chance the code of any step the server searches).
    let nearby: Vec<String> = (0..=24u64)
        .map(|k| phone.code((now + k * 30).saturating_sub(360)))
        .collect();
    let typo = (1..)
        .map(|k| format!("{:06}", (code1.parse::<u32>().unwrap_or(0) + k) % 1_000_000))
        .find(|c| !nearby.contains(c))
        .unwrap_or_default();
    let refused = server.enable_device(&pending, &typo, &code2, now);
    n.say(
        now,
        "server",
        format_args!(
            "EnableMFADevice({typo}, {code2}) -> {}",
            match &refused {
                Ok(_) => "enabled".to_owned(),
                Err(e) => format!("REFUSED: {e} (attempt counted; same QR code, try again)"),
            }
        ),
    )?;
    expect(
        refused.is_err() && server.state(user)?.failures() == 1,
        "a mistyped enrolment code was not refused and counted",
    )?;
    let enrolled_typo = refused.is_err();
    let enrolled = server.enable_device(&pending, &code1, &code2, now)?;
    let id = pending.user_name.clone();
    n.say(
        now,
        "server",
        format_args!(
            "EnableMFADevice({code1}, {code2}) -> device {id} enabled, learned drift {:+} step(s)",
            enrolled.drift()
        ),
    )?;
    n.more(format_args!("otpkit_devices.state = '{enrolled}'"))?;
    let sealed = server
        .service()
        .store()
        .load(&id)
        .map_err(otpkit_store::ServiceError::Store)?
        .map(|read| read.row.secret)
        .unwrap_or_default();
    n.more(format_args!(
        "otpkit_devices.secret = '{}…' (AES-256-GCM, bound to the device id)",
        sealed.chars().take(24).collect::<String>()
    ))?;

    n.heading("Sign-in and replay protection")?;
    now += 65;
    let code = phone.code(now);
    let before = server.read_device(&id)?;
    let (sign_in, _) = server.sign_in(&id, &code, now)?;
    n.say(
        now,
        "user",
        format_args!("signs in with {code} -> {}", describe(&sign_in)),
    )?;
    let after = server.read_device(&id)?;
    n.more(format_args!(
        "UPDATE otpkit_devices SET state = '{}', version = '{}' WHERE id = '{id}' AND version = '{}' AND state = '{}' -> 1 row",
        after.row.state, after.version, before.version, before.row.state
    ))?;
    expect(
        sign_in.is_accepted(),
        "the phone's current code was refused",
    )?;
    now += 5;
    let (replay, _) = server.sign_in(&id, &code, now)?;
    n.say(
        now,
        "attacker",
        format_args!(
            "replays {code} (phished or shoulder-surfed) -> {}",
            describe(&replay)
        ),
    )?;
    expect(replay == Outcome::Replayed, "a used code was not a replay")?;

    n.heading("Two servers race on one code (compare-and-swap)")?;
    now += 30;
    let code = phone.code(now);
    let read = server.read_device(&id)?;
    n.say(
        now,
        "servers",
        format_args!(
            "A and B both receive {code} and both read state '{}' (version {})",
            read.row.state, read.version
        ),
    )?;
    let a = server.sign_in_once(&read, &code, now)?;
    let b = server.sign_in_once(&read, &code, now)?;
    for (name, (outcome, won)) in [("A", &a), ("B", &b)] {
        n.more(format_args!(
            "server {name}: verifier says {}; its UPDATE changed {} row(s)",
            describe(outcome),
            u8::from(*won)
        ))?;
    }
    let (race_retry, _) = server.sign_in(&id, &code, now)?;
    n.more(format_args!(
        "server B re-reads the device and verifies again -> {}",
        describe(&race_retry)
    ))?;
    n.more(format_args!(
        "Only A's answer counts: the code signed in exactly once."
    ))?;
    expect(a.1 && !b.1, "both racing writes went through")?;
    expect(race_retry == Outcome::Replayed, "the race loser accepted")?;

    n.heading("Guessing is throttled")?;
    now += 10;
    let mut guesses = Vec::new();
    let max = policy.max_failures();
    n.more(format_args!(
        "(the policy locks a device after {max} consecutive failures; it has {} so far)",
        server.state(&id)?.failures()
    ))?;
    while server.state(&id)?.locked_until().is_none() && guesses.len() <= max as usize {
        let guess = wrong_code(&phone, now, guesses.len());
        let (outcome, _) = server.sign_in(&id, &guess, now)?;
        n.say(
            now,
            "attacker",
            format_args!("guesses {guess} -> {}", describe(&outcome)),
        )?;
        guesses.push(outcome);
        now += 2;
    }
    let state = server.state(&id)?;
    let until = state.locked_until().unwrap_or_default();
    n.more(format_args!(
        "{} consecutive failures: device locked until +{} s ({} s from now)",
        state.failures(),
        until.saturating_sub(start),
        until.saturating_sub(now)
    ))?;
    let code = phone.code(now);
    let (while_locked, _) = server.sign_in(&id, &code, now)?;
    n.say(
        now,
        "user",
        format_args!("types the right code {code} -> {}", describe(&while_locked)),
    )?;
    expect(
        matches!(while_locked, Outcome::Locked { .. }),
        "not locked out",
    )?;

    n.heading("Clock drift and resynchronisation (ResyncMFADevice)")?;
    now = state.locked_until().unwrap_or(now).saturating_add(60);
    phone.set_clock_offset(240);
    let code = phone.code(now);
    let (drifted, _) = server.sign_in(&id, &code, now)?;
    n.say(
        now,
        "phone",
        format_args!(
            "clock jumps to 4 min fast; sign-in with {code} -> {}",
            describe(&drifted)
        ),
    )?;
    expect(
        drifted == Outcome::Invalid,
        "a code 8 steps off was accepted",
    )?;
    let r1 = phone.code(now);
    now += 30;
    let r2 = phone.code(now);
    let state = server.resync(&id, &r1, &r2, now)?;
    n.say(
        now,
        "server",
        format_args!(
            "ResyncMFADevice({r1}, {r2}) -> resynchronised, learned drift {:+} step(s)",
            state.drift()
        ),
    )?;
    now += 40;
    let code = phone.code(now);
    let (after_resync, _) = server.sign_in(&id, &code, now)?;
    n.say(
        now,
        "user",
        format_args!("signs in with {code} -> {}", describe(&after_resync)),
    )?;
    expect(after_resync.is_accepted(), "sign-in after resync refused")?;

    let final_state = server.state(&id)?;
    n.heading("Done")?;
    n.more(format_args!(
        "device {id}: state '{final_state}' (last step {}, drift {:+}, {} failures)",
        final_state.last_step().unwrap_or_default(),
        final_state.drift(),
        final_state.failures()
    ))?;

    Ok(Transcript {
        retried_enrolment: enrolled_typo,
        enrolled: (id, enrolled),
        sign_in,
        replay,
        race: [a, b],
        race_retry,
        guesses,
        while_locked,
        drifted,
        resync_drift: state.drift(),
        after_resync,
    })
}

/// A fixed secret for reproducible runs.
pub fn fixed_secret() -> Result<Secret, SecretError> {
    Secret::from_bytes(b"otpkit example flow!")
}
