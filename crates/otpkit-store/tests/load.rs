//! Load and faults, bounded and on loopback: many verifiers (threads in this
//! process and in two more processes) on shared devices, racing the same codes
//! and wrong codes, with the PostgreSQL or Redis server restarted mid-run.
//!
//! Asserted: no code accepted twice (per device and round, across every thread and
//! process), no failure count lost (a device that only gets wrong codes ends with
//! exactly as many failures as verifiers were told "invalid", plus at most the
//! requests whose store call broke mid-way), and every request answered with an
//! outcome or a typed error (only `Unavailable`, while the server is down, or
//! `Contention`). Prints verifications per second and the retry rate.
//!
//! In the same run, users of [`MAX_DEVICES_PER_USER`] (8) devices each, through
//! `MfaService::sign_in`:
//!
//! - "race" users: each round every verifier signs in with the current code of one
//!   of the user's devices (verifiers spread over all 8, two of them on some; by
//!   `DeviceChoice::Any` or `::Named`, alternating) and with a wrong code. No
//!   device accepts a step twice, and no wrong code is accepted;
//! - "guessed" users, under a strict policy (lock-out after 5, for 30 s then
//!   60 s): every verifier sends two wrong codes per round (one by `Any`, one
//!   `Named`). Each attempt is counted on the user before any code is checked, so
//!   the failure counts the attempts were told are all different (none lost or
//!   overwritten by a racing one), the user's stored count equals them (plus at
//!   most the attempts that broke with the connection), each device's count equals
//!   its `Named` answers "invalid" (same slack), and every attempt counted after a
//!   lock-out's last one (the `max_failures`-th) came at or after the lock-out's
//!   end: no more than `max_failures` checked wrong attempts per lock-out, and
//!   none past NIST's 100, however many verifiers race.
//!
//! ```text
//! eval "$(scripts/services.sh start)"
//! cargo test --release -p otpkit-store --all-features --test load -- --nocapture
//! ```
//!
//! `OTPKIT_LOAD_ROUNDS` (default 12) and `OTPKIT_LOAD_THREADS` (per process,
//! default 4) scale it; `OTPKIT_LOAD_RESTART=0` runs without the restart.
#![cfg(any(feature = "sqlite", feature = "postgres", feature = "redis"))]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::{Phone, T0};
use otpkit::Secret;
use otpkit::verifier::{NIST_MAX_FAILURES, Outcome, Policy};
use otpkit_store::{
    DeviceChoice, DeviceParams, DeviceStore, MAX_DEVICES_PER_USER, MfaService, ServiceError, SignIn,
};

const WORKER_ENV: &str = "OTPKIT_LOAD_WORKER";
const PROCESSES: usize = 3; // this one and two children
const RACE_DEVICES: usize = 4;
const WRONG_DEVICES: usize = 4;
/// Wrong codes per wrong-only device, over every verifier: under NIST's 100, so
/// each one is counted (none refused as locked).
const WRONG_BUDGET: usize = 90;
/// Users whose devices' right codes race (and a wrong code each round).
const RACE_USERS: usize = 3;
/// Users who only get wrong codes, under [`guessed_policy`].
const GUESSED_USERS: usize = 2;
/// Devices of each user.
const USER_DEVICES: usize = MAX_DEVICES_PER_USER;
/// Sign-ins per verifier per round: a right and a wrong code per race user, two
/// wrong codes per guessed user.
const SIGN_INS_PER_ROUND: usize = 2 * RACE_USERS + 2 * GUESSED_USERS;

fn env_num(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Clone, Debug)]
struct Config {
    store: String,
    target: String,
    prefix: String,
    threads: usize,
    rounds: usize,
}

impl Config {
    fn encode(&self) -> String {
        format!(
            "{}\t{}\t{}\t{}\t{}",
            self.store, self.target, self.prefix, self.threads, self.rounds
        )
    }

    fn decode(s: &str) -> Config {
        let f: Vec<&str> = s.split('\t').collect();
        Config {
            store: f[0].into(),
            target: f[1].into(),
            prefix: f[2].into(),
            threads: f[3].parse().unwrap(),
            rounds: f[4].parse().unwrap(),
        }
    }

    fn verifiers(&self) -> usize {
        self.threads * PROCESSES
    }
}

fn policy() -> Policy {
    Policy::default().with_max_failures(100).unwrap()
}

/// The guessed users' policy: a lock-out every 5 failures, 30 s (one round) and
/// then 60 s, so lock-outs start, end and start again within a run.
fn guessed_policy() -> Policy {
    Policy::default()
        .with_max_failures(5)
        .unwrap()
        .with_lockout(30, 60)
        .unwrap()
}

/// How long the `level`-th lock-out (1-based) of `policy` lasts: the base,
/// doubled for each further one, capped.
fn lockout_delay(policy: &Policy, level: u32) -> u64 {
    let doubled = 1u64.checked_shl(level - 1).unwrap_or(u64::MAX);
    policy
        .lockout_base_secs()
        .saturating_mul(doubled)
        .min(policy.lockout_max_secs())
}

fn open(cfg: &Config) -> Box<dyn DeviceStore + Send + Sync> {
    match cfg.store.as_str() {
        #[cfg(feature = "sqlite")]
        "sqlite" => Box::new(otpkit_store::SqliteStore::open(Path::new(&cfg.target)).unwrap()),
        #[cfg(feature = "postgres")]
        "postgres" => Box::new(otpkit_store::PostgresStore::connect(&cfg.target).unwrap()),
        #[cfg(feature = "redis")]
        "redis" => Box::new(otpkit_store::RedisStore::connect(&cfg.target).unwrap()),
        other => panic!("no store {other} in this build"),
    }
}

fn race_id(cfg: &Config, d: usize) -> String {
    format!("{}/race-{d}", cfg.prefix)
}

fn wrong_id(cfg: &Config, d: usize) -> String {
    format!("{}/wrong-{d}", cfg.prefix)
}

fn secret(d: usize) -> Secret {
    Secret::from_bytes(&[u8::try_from(d + 1).unwrap(); 20]).unwrap()
}

fn race_user(cfg: &Config, u: usize) -> String {
    format!("{}/race-user-{u}", cfg.prefix)
}

fn guessed_user(cfg: &Config, g: usize) -> String {
    format!("{}/guessed-user-{g}", cfg.prefix)
}

fn device_name(d: usize) -> String {
    format!("device {d}")
}

/// The secret of device `d` of a user: `kind` 0 for race users, 1 for guessed
/// ones; every device of the run its own.
fn user_secret(kind: u8, u: usize, d: usize) -> Secret {
    let mut b = [0x33; 20];
    b[0] = kind;
    b[1] = u8::try_from(u).unwrap();
    b[2] = u8::try_from(d).unwrap();
    Secret::from_bytes(&b).unwrap()
}

fn user_phones(kind: u8, u: usize) -> Vec<Phone> {
    (0..USER_DEVICES)
        .map(|d| Phone::new(&user_secret(kind, u, d)))
        .collect()
}

/// Adds and enrols the user's devices at T0.
fn enrolled_user<S: DeviceStore>(service: &MfaService<S>, user: &str, kind: u8, u: usize) {
    for (d, phone) in user_phones(kind, u).iter().enumerate() {
        let name = device_name(d);
        service
            .add_device(
                user,
                &name,
                &user_secret(kind, u, d),
                DeviceParams::default(),
                T0,
            )
            .unwrap();
        let a = service
            .enroll_device(user, &name, &phone.code(T0 - 30), &phone.code(T0), T0)
            .unwrap();
        assert!(a.outcome.is_enrolled(), "{user}/{name}: {:?}", a.outcome);
    }
}

/// Whether the attempt was counted on the user: every answer but the refusal of a
/// user locked out (which names no device; a chosen device that is itself locked
/// out answers `Locked` too, after the attempt was counted, and names itself).
fn counted(s: &SignIn) -> bool {
    !matches!(s.outcome(), Outcome::Locked { .. }) || s.device().is_some()
}

fn round_time(r: usize) -> u64 {
    T0 + 30 * (r as u64 + 1)
}

/// What one process's verifiers saw.
#[derive(Default, Debug)]
struct Tally {
    requests: u64,
    /// Requests answered with an outcome.
    outcomes: u64,
    conflicts: u64,
    /// (race device, round) accepted.
    accepted: Vec<(usize, usize)>,
    /// Per wrong-only device: failures reported, requests that ended in an error.
    wrong_failures: BTreeMap<usize, u64>,
    wrong_errors: BTreeMap<usize, u64>,
    /// Typed errors by kind.
    errors: BTreeMap<String, u64>,
    /// Sign-ins made, and answered with an outcome.
    sign_ins: u64,
    sign_in_outcomes: u64,
    /// Sign-ins' typed errors by kind.
    sign_in_errors: BTreeMap<String, u64>,
    /// (race user, device, step) of each accepted sign-in.
    user_accepted: Vec<(usize, usize, u64)>,
    /// Per guessed user, each counted attempt: (failures it was told, its time).
    guesses: BTreeMap<usize, Vec<(u32, u64)>>,
    /// Per guessed user: attempts refused as locked out (not counted).
    guesses_refused: BTreeMap<usize, u64>,
    /// Per guessed user: sign-ins that ended in an error.
    guess_errors: BTreeMap<usize, u64>,
    /// Per (guessed user, device): `Named` attempts answered "invalid", and those
    /// that ended in an error.
    named_invalid: BTreeMap<(usize, usize), u64>,
    named_errors: BTreeMap<(usize, usize), u64>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.requests += other.requests;
        self.outcomes += other.outcomes;
        self.conflicts += other.conflicts;
        self.accepted.extend(other.accepted);
        for (d, n) in other.wrong_failures {
            *self.wrong_failures.entry(d).or_default() += n;
        }
        for (d, n) in other.wrong_errors {
            *self.wrong_errors.entry(d).or_default() += n;
        }
        for (k, n) in other.errors {
            *self.errors.entry(k).or_default() += n;
        }
        self.sign_ins += other.sign_ins;
        self.sign_in_outcomes += other.sign_in_outcomes;
        for (k, n) in other.sign_in_errors {
            *self.sign_in_errors.entry(k).or_default() += n;
        }
        self.user_accepted.extend(other.user_accepted);
        for (g, v) in other.guesses {
            self.guesses.entry(g).or_default().extend(v);
        }
        for (g, n) in other.guesses_refused {
            *self.guesses_refused.entry(g).or_default() += n;
        }
        for (g, n) in other.guess_errors {
            *self.guess_errors.entry(g).or_default() += n;
        }
        for (k, n) in other.named_invalid {
            *self.named_invalid.entry(k).or_default() += n;
        }
        for (k, n) in other.named_errors {
            *self.named_errors.entry(k).or_default() += n;
        }
    }

    fn encode(&self) -> String {
        let mut out = format!(
            "LOAD-TALLY requests {}\nLOAD-TALLY outcomes {}\nLOAD-TALLY conflicts {}\n",
            self.requests, self.outcomes, self.conflicts
        );
        for (d, r) in &self.accepted {
            out += &format!("LOAD-TALLY accepted {d} {r}\n");
        }
        for (d, n) in &self.wrong_failures {
            out += &format!("LOAD-TALLY wfail {d} {n}\n");
        }
        for (d, n) in &self.wrong_errors {
            out += &format!("LOAD-TALLY werr {d} {n}\n");
        }
        for (k, n) in &self.errors {
            out += &format!("LOAD-TALLY error {k} {n}\n");
        }
        out += &format!(
            "LOAD-TALLY signins {}\nLOAD-TALLY soutcomes {}\n",
            self.sign_ins, self.sign_in_outcomes
        );
        for (k, n) in &self.sign_in_errors {
            out += &format!("LOAD-TALLY serror {k} {n}\n");
        }
        for (u, d, step) in &self.user_accepted {
            out += &format!("LOAD-TALLY uaccepted {u} {d} {step}\n");
        }
        for (g, v) in &self.guesses {
            for (failures, at) in v {
                out += &format!("LOAD-TALLY guess {g} {failures} {at}\n");
            }
        }
        for (g, n) in &self.guesses_refused {
            out += &format!("LOAD-TALLY grefused {g} {n}\n");
        }
        for (g, n) in &self.guess_errors {
            out += &format!("LOAD-TALLY gerr {g} {n}\n");
        }
        for ((g, d), n) in &self.named_invalid {
            out += &format!("LOAD-TALLY ninvalid {g} {d} {n}\n");
        }
        for ((g, d), n) in &self.named_errors {
            out += &format!("LOAD-TALLY nerr {g} {d} {n}\n");
        }
        out
    }

    fn decode(text: &str) -> Tally {
        let mut t = Tally::default();
        for line in text.lines() {
            // The harness may print "test load_worker ... " on the same line.
            let Some((_, rest)) = line.split_once("LOAD-TALLY ") else {
                continue;
            };
            let f: Vec<&str> = rest.split(' ').collect();
            let n = |i: usize| f[i].parse::<u64>().unwrap();
            match f[0] {
                "requests" => t.requests += n(1),
                "outcomes" => t.outcomes += n(1),
                "conflicts" => t.conflicts += n(1),
                "accepted" => t.accepted.push((n(1) as usize, n(2) as usize)),
                "wfail" => *t.wrong_failures.entry(n(1) as usize).or_default() += n(2),
                "werr" => *t.wrong_errors.entry(n(1) as usize).or_default() += n(2),
                "error" => *t.errors.entry(f[1].to_owned()).or_default() += n(2),
                "signins" => t.sign_ins += n(1),
                "soutcomes" => t.sign_in_outcomes += n(1),
                "serror" => *t.sign_in_errors.entry(f[1].to_owned()).or_default() += n(2),
                "uaccepted" => t.user_accepted.push((n(1) as usize, n(2) as usize, n(3))),
                "guess" => t
                    .guesses
                    .entry(n(1) as usize)
                    .or_default()
                    .push((u32::try_from(n(2)).unwrap(), n(3))),
                "grefused" => *t.guesses_refused.entry(n(1) as usize).or_default() += n(2),
                "gerr" => *t.guess_errors.entry(n(1) as usize).or_default() += n(2),
                "ninvalid" => {
                    *t.named_invalid
                        .entry((n(1) as usize, n(2) as usize))
                        .or_default() += n(3)
                }
                "nerr" => {
                    *t.named_errors
                        .entry((n(1) as usize, n(2) as usize))
                        .or_default() += n(3)
                }
                other => panic!("unknown tally line {other}"),
            }
        }
        t
    }
}

fn error_kind(e: &ServiceError) -> String {
    match e {
        ServiceError::Store(s) if s.is_unavailable() => "unavailable".into(),
        ServiceError::Contention { .. } => "contention".into(),
        // Anything else is a bug: keep its text for the assertion message.
        other => format!("unexpected:{}", other.to_string().replace(' ', "_")),
    }
}

/// How the coordinator's own verifiers and the server restart meet: the restart
/// starts once a quarter of this process's requests are made, and the last round
/// waits until it is over, so the run always spans the outage and goes on after it.
#[derive(Default)]
struct Gate {
    progress: AtomicU64,
    restarted: AtomicBool,
}

/// The codes near a time of every device of a user, to pick wrong codes from.
struct Near(Vec<String>);

impl Near {
    fn new(phones: &[Phone], t: u64) -> Self {
        Near(
            phones
                .iter()
                .flat_map(|p| (0..=40).map(move |k| p.code(t + k * 30 - 600)))
                .collect(),
        )
    }

    /// A code none of the devices shows within ±20 steps (the `nth` such).
    fn wrong(&self, nth: u32) -> String {
        (nth..)
            .map(|n| format!("{:06}", (n.wrapping_mul(7919) + 13) % 1_000_000))
            .find(|c| !self.0.contains(c))
            .unwrap()
    }
}

/// One sign-in of a verifier's round.
enum Attempt {
    /// The right code of a race user's device.
    Right { u: usize, d: usize },
    /// A wrong code to a race user.
    Wrong { u: usize },
    /// A wrong code to a guessed user.
    Guess { g: usize },
}

/// A verifier's sign-ins of round `r`: for each race user the right code of
/// device `me + r + u` (mod 8: the verifiers spread over every device, some
/// devices get two) and a wrong code; for each guessed user two wrong codes. The
/// choice alternates between `Any` and `Named` by verifier and round.
fn attempts(me: usize, r: usize) -> Vec<(Attempt, Option<usize>)> {
    let named_first = (me + r).is_multiple_of(2);
    let mut out = Vec::with_capacity(SIGN_INS_PER_ROUND);
    for u in 0..RACE_USERS {
        let d = (me + r + u) % USER_DEVICES;
        let (right, wrong) = if named_first {
            (Some(d), None)
        } else {
            (None, Some((d + 1) % USER_DEVICES))
        };
        out.push((Attempt::Right { u, d }, right));
        out.push((Attempt::Wrong { u }, wrong));
    }
    for g in 0..GUESSED_USERS {
        out.push((Attempt::Guess { g }, None));
        out.push((Attempt::Guess { g }, Some((me + r + g) % USER_DEVICES)));
    }
    out
}

/// One process's verifiers: `cfg.threads` threads, each its own connection,
/// rounds in lockstep within the process.
fn run_process(cfg: &Config, worker: usize, gate: Option<&Gate>) -> Tally {
    let phones: Vec<Phone> = (0..RACE_DEVICES.max(WRONG_DEVICES))
        .map(|d| Phone::new(&secret(d)))
        .collect();
    let race_phones: Vec<Vec<Phone>> = (0..RACE_USERS).map(|u| user_phones(0, u)).collect();
    let guessed_phones: Vec<Vec<Phone>> = (0..GUESSED_USERS).map(|g| user_phones(1, g)).collect();
    let names: Vec<String> = (0..USER_DEVICES).map(device_name).collect();
    let quota = WRONG_BUDGET / cfg.verifiers();
    let barrier = Barrier::new(cfg.threads);
    let tallies: Vec<Tally> = thread::scope(|scope| {
        let handles: Vec<_> = (0..cfg.threads)
            .map(|t| {
                let (barrier, phones) = (&barrier, &phones);
                let (race_phones, guessed_phones, names) = (&race_phones, &guessed_phones, &names);
                scope.spawn(move || {
                    // One connection for the thread's three services: devices, race
                    // users (the lenient policy) and guessed users (the strict one).
                    let store: Arc<dyn DeviceStore + Send + Sync> = Arc::from(open(cfg));
                    let service = MfaService::new(store.clone(), common::keyring(), policy());
                    let race = MfaService::new(store.clone(), common::keyring(), policy());
                    let guessed = MfaService::new(store, common::keyring(), guessed_policy());
                    let mut tally = Tally::default();
                    let me = (worker * cfg.threads + t) as u32;
                    for r in 0..cfg.rounds {
                        if let (Some(gate), true) = (gate, r + 1 == cfg.rounds) {
                            let waited = Instant::now();
                            while !gate.restarted.load(Ordering::SeqCst) {
                                assert!(waited.elapsed() < Duration::from_secs(120), "no restart");
                                thread::sleep(Duration::from_millis(10));
                            }
                        }
                        barrier.wait();
                        let now = round_time(r);
                        let mut requests: Vec<(Option<usize>, Option<usize>, String, String)> =
                            Vec::new();
                        for (d, phone) in phones.iter().enumerate().take(RACE_DEVICES) {
                            requests.push((Some(d), None, race_id(cfg, d), phone.code(now)));
                            requests.push((None, None, race_id(cfg, d), phone.wrong(now, me)));
                        }
                        if r < quota {
                            for (d, phone) in phones.iter().enumerate().take(WRONG_DEVICES) {
                                let wrong = phone.wrong(now, me * 31 + r as u32);
                                requests.push((None, Some(d), wrong_id(cfg, d), wrong));
                            }
                        }
                        for (race, wrong_dev, id, code) in requests {
                            if let Some(gate) = gate {
                                gate.progress.fetch_add(1, Ordering::SeqCst);
                            }
                            match service.verify(&id, &code, now) {
                                Ok(a) => {
                                    tally.outcomes += 1;
                                    if a.outcome.is_accepted() {
                                        let d = race.unwrap_or_else(|| {
                                            panic!("a wrong code was accepted on {id}")
                                        });
                                        tally.accepted.push((d, r));
                                    }
                                    if let Some(d) = wrong_dev {
                                        assert_eq!(a.outcome, Outcome::Invalid, "{id}");
                                        *tally.wrong_failures.entry(d).or_default() += 1;
                                    }
                                }
                                Err(e) => {
                                    let kind = error_kind(&e);
                                    if let Some(d) = wrong_dev {
                                        *tally.wrong_errors.entry(d).or_default() += 1;
                                    }
                                    if kind == "unavailable" {
                                        // The server is down: back off a little.
                                        thread::sleep(Duration::from_millis(50));
                                    }
                                    *tally.errors.entry(kind).or_default() += 1;
                                }
                            }
                        }
                        let race_near: Vec<Near> =
                            race_phones.iter().map(|p| Near::new(p, now)).collect();
                        let guessed_near: Vec<Near> =
                            guessed_phones.iter().map(|p| Near::new(p, now)).collect();
                        for (n, (attempt, named)) in
                            attempts(me as usize, r).into_iter().enumerate()
                        {
                            let nth = (me * 101 + r as u32) * 17 + n as u32;
                            let (svc, user, code) = match attempt {
                                Attempt::Right { u, d } => {
                                    (&race, race_user(cfg, u), race_phones[u][d].code(now))
                                }
                                Attempt::Wrong { u } => {
                                    (&race, race_user(cfg, u), race_near[u].wrong(nth))
                                }
                                Attempt::Guess { g } => {
                                    (&guessed, guessed_user(cfg, g), guessed_near[g].wrong(nth))
                                }
                            };
                            let choice = match named {
                                Some(d) => DeviceChoice::Named(&names[d]),
                                None => DeviceChoice::Any,
                            };
                            tally.sign_ins += 1;
                            match svc.sign_in(&user, &code, choice, now) {
                                Ok(s) => {
                                    tally.sign_in_outcomes += 1;
                                    match attempt {
                                        Attempt::Right { u, .. } => {
                                            if let Outcome::Accepted { step, .. } = s.outcome() {
                                                let device =
                                                    s.device().expect("accepted on a device");
                                                let d =
                                                    names.iter().position(|m| m == device).unwrap();
                                                tally.user_accepted.push((u, d, step));
                                            }
                                        }
                                        Attempt::Wrong { .. } => {
                                            assert!(
                                                !s.is_accepted(),
                                                "a wrong code signed {user} in"
                                            );
                                        }
                                        Attempt::Guess { g } => {
                                            assert!(
                                                !s.is_accepted(),
                                                "a wrong code signed {user} in"
                                            );
                                            if counted(&s) {
                                                tally
                                                    .guesses
                                                    .entry(g)
                                                    .or_default()
                                                    .push((s.failures(), now));
                                            } else {
                                                *tally.guesses_refused.entry(g).or_default() += 1;
                                            }
                                            if let (Some(d), Outcome::Invalid) =
                                                (named, s.outcome())
                                            {
                                                *tally.named_invalid.entry((g, d)).or_default() +=
                                                    1;
                                            }
                                        }
                                    }
                                }
                                Err(e) => {
                                    let kind = error_kind(&e);
                                    if let Attempt::Guess { g } = attempt {
                                        *tally.guess_errors.entry(g).or_default() += 1;
                                        if let Some(d) = named {
                                            *tally.named_errors.entry((g, d)).or_default() += 1;
                                        }
                                    }
                                    if kind == "unavailable" {
                                        thread::sleep(Duration::from_millis(50));
                                    }
                                    *tally.sign_in_errors.entry(kind).or_default() += 1;
                                }
                            }
                        }
                    }
                    let stats = service.stats();
                    tally.requests = stats.requests;
                    tally.conflicts = stats.conflicts;
                    tally
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut total = Tally::default();
    for t in tallies {
        total.merge(t);
    }
    total
}

/// The child processes' entry point: does nothing unless started by the
/// coordinator below.
#[test]
fn load_worker() {
    let Ok(spec) = std::env::var(WORKER_ENV) else {
        return;
    };
    let (worker, cfg) = spec.split_once('\t').unwrap();
    let cfg = Config::decode(cfg);
    let tally = run_process(&cfg, worker.parse().unwrap(), None);
    print!("\n{}", tally.encode());
}

fn services_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/services.sh")
}

/// One load test at a time: they share the machine's cores and measure throughput.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn run(cfg: Config, restart: Option<&str>) {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // The devices, enrolled at T0.
    let setup = MfaService::new(open(&cfg), common::keyring(), policy());
    for d in 0..RACE_DEVICES {
        common::enrolled(&setup, &race_id(&cfg, d), u8::try_from(d + 1).unwrap());
    }
    for d in 0..WRONG_DEVICES {
        common::enrolled(&setup, &wrong_id(&cfg, d), u8::try_from(d + 1).unwrap());
    }
    for u in 0..RACE_USERS {
        enrolled_user(&setup, &race_user(&cfg, u), 0, u);
    }
    for g in 0..GUESSED_USERS {
        enrolled_user(&setup, &guessed_user(&cfg, g), 1, g);
    }
    let started = Instant::now();
    let children: Vec<_> = (1..PROCESSES)
        .map(|w| {
            Command::new(std::env::current_exe().unwrap())
                .args([
                    "load_worker",
                    "--exact",
                    "--nocapture",
                    "--test-threads",
                    "1",
                ])
                .env(WORKER_ENV, format!("{w}\t{}", cfg.encode()))
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .unwrap()
        })
        .collect();
    // The fault: restart the server once the run is under way.
    let gate = Arc::new(Gate::default());
    let per_process = (cfg.rounds * RACE_DEVICES * 2
        + (WRONG_BUDGET / cfg.verifiers()).min(cfg.rounds) * WRONG_DEVICES)
        * cfg.threads;
    let restarter = restart.map(|what| {
        let what = what.to_owned();
        let gate = gate.clone();
        thread::spawn(move || {
            while gate.progress.load(Ordering::SeqCst) < (per_process / 4) as u64 {
                thread::sleep(Duration::from_millis(2));
            }
            let status = Command::new("bash")
                .arg(services_script())
                .args(["restart", &what])
                .status()
                .unwrap();
            gate.restarted.store(true, Ordering::SeqCst);
            assert!(status.success(), "restarting {what} failed");
        })
    });
    let mut tally = run_process(&cfg, 0, restart.map(|_| &*gate));
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "a worker process failed");
        tally.merge(Tally::decode(&String::from_utf8(out.stdout).unwrap()));
    }
    let elapsed = started.elapsed();
    if let Some(h) = restarter {
        h.join().unwrap();
    }

    // Every request answered: an outcome, or one of the expected typed errors.
    let per_round = RACE_DEVICES * 2;
    let quota = WRONG_BUDGET / cfg.verifiers();
    let expected =
        cfg.verifiers() * (cfg.rounds * per_round + quota.min(cfg.rounds) * WRONG_DEVICES);
    let errors: u64 = tally.errors.values().sum();
    let unexpected: Vec<_> = tally
        .errors
        .keys()
        .filter(|k| k.starts_with("unexpected"))
        .collect();
    assert!(
        unexpected.is_empty(),
        "unexpected errors: {:?}",
        tally.errors
    );
    let contention = tally.errors.get("contention").copied().unwrap_or(0);
    // The service counts a request once its compare-and-swap loop starts;
    // `verify` reads the state before that (for its lock-out event), so a request
    // whose first read failed (the server down) is answered but not counted.
    let unavailable = tally.errors.get("unavailable").copied().unwrap_or(0);
    assert!(
        tally.requests <= expected as u64 && tally.requests + unavailable >= expected as u64,
        "requests made: {} counted, {expected} made, {unavailable} unavailable",
        tally.requests
    );
    assert_eq!(
        tally.outcomes + errors,
        expected as u64,
        "requests unanswered"
    );

    // No code accepted twice.
    let mut seen = BTreeMap::new();
    for (d, r) in &tally.accepted {
        *seen.entry((d, r)).or_insert(0u32) += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "codes accepted more than once: {twice:?}");
    assert!(!tally.accepted.is_empty(), "nothing was accepted at all");

    // No failure lost: each wrong-only device counts every "invalid" it answered,
    // and at most the requests whose outcome was lost with the connection on top.
    for d in 0..WRONG_DEVICES {
        let stored = setup.state(&wrong_id(&cfg, d)).unwrap().failures() as u64;
        let reported = tally.wrong_failures.get(&d).copied().unwrap_or(0);
        let broken = tally.wrong_errors.get(&d).copied().unwrap_or(0);
        assert!(
            stored >= reported && stored <= reported + broken,
            "device wrong-{d}: {stored} failures stored, {reported} reported, {broken} broken"
        );
        if broken == 0 {
            assert_eq!(stored, reported);
        }
    }

    let guessed_counts = check_users(&cfg, &setup, &tally);

    let secs = elapsed.as_secs_f64();
    println!(
        "LOAD {}: {} verifiers ({} processes x {} threads), {} verifications in {:.2} s = {:.0}/s; \
         retries {} ({:.1}% of requests); {} accepted; errors: {} unavailable, {} contention{}",
        cfg.store,
        cfg.verifiers(),
        PROCESSES,
        cfg.threads,
        tally.requests,
        secs,
        tally.requests as f64 / secs,
        tally.conflicts,
        100.0 * tally.conflicts as f64 / tally.requests.max(1) as f64,
        tally.accepted.len(),
        tally.errors.get("unavailable").copied().unwrap_or(0),
        contention,
        restart.map_or(String::new(), |w| format!("; {w} restarted mid-run")),
    );
    println!(
        "LOAD {} users: {} users x {} devices, {} sign-ins; {} accepted on race users; \
         guessed users' failures {:?} (locked-out refusals {:?}); sign-in errors: {:?}",
        cfg.store,
        RACE_USERS + GUESSED_USERS,
        USER_DEVICES,
        tally.sign_ins,
        tally.user_accepted.len(),
        guessed_counts,
        tally.guesses_refused.values().collect::<Vec<_>>(),
        tally.sign_in_errors,
    );
}

/// The several-device users' invariants (see the module docs); returns each
/// guessed user's stored failure count.
fn check_users<S: DeviceStore>(cfg: &Config, setup: &MfaService<S>, tally: &Tally) -> Vec<u32> {
    // Every sign-in answered: an outcome, or one of the expected typed errors.
    let expected = cfg.verifiers() * cfg.rounds * SIGN_INS_PER_ROUND;
    assert_eq!(tally.sign_ins, expected as u64, "sign-ins made");
    assert!(
        tally
            .sign_in_errors
            .keys()
            .all(|k| !k.starts_with("unexpected")),
        "unexpected sign-in errors: {:?}",
        tally.sign_in_errors
    );
    let errors: u64 = tally.sign_in_errors.values().sum();
    assert_eq!(
        tally.sign_in_outcomes + errors,
        expected as u64,
        "sign-ins unanswered"
    );

    // No device of a race user accepted a step twice, and every user signed in.
    let mut seen = BTreeMap::new();
    for a in &tally.user_accepted {
        *seen.entry(a).or_insert(0u32) += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "steps accepted more than once: {twice:?}");
    for u in 0..RACE_USERS {
        assert!(
            tally.user_accepted.iter().any(|a| a.0 == u),
            "race user {u} never signed in"
        );
    }

    let strict = guessed_policy();
    let max = strict.max_failures();
    let mut stored_counts = Vec::new();
    for g in 0..GUESSED_USERS {
        let user = guessed_user(cfg, g);
        let stored = setup.user_status(&user).unwrap().failures;
        stored_counts.push(stored);
        let broken = tally.guess_errors.get(&g).copied().unwrap_or(0);
        let mut counted = tally.guesses.get(&g).cloned().unwrap_or_default();
        counted.sort_unstable();
        // No count lost: each counted attempt was told a count of its own, and
        // the stored count is the attempts counted (those whose answer broke on
        // top, at most).
        let told: Vec<u32> = counted.iter().map(|c| c.0).collect();
        let mut distinct = told.clone();
        distinct.dedup();
        assert_eq!(
            distinct.len(),
            told.len(),
            "{user}: two attempts were told the same failure count: {told:?}"
        );
        assert!(stored <= NIST_MAX_FAILURES, "{user}: {stored} failures");
        assert!(
            told.last().is_none_or(|&v| v <= stored),
            "{user}: an attempt was told more failures than stored ({stored})"
        );
        let unanswered = u64::from(stored) - told.len() as u64;
        assert!(
            unanswered <= broken,
            "{user}: {stored} failures stored, {} counted attempts answered, {broken} broken",
            told.len()
        );
        // The bound: after every `max`-th failure the user is locked out, and the
        // next attempt counted comes at or after the lock-out's end.
        let at: BTreeMap<u32, u64> = counted.iter().copied().collect();
        for (&v, &t) in &at {
            let level = (v - 1) / max;
            if v > 1
                && (v - 1) % max == 0
                && let Some(&locked_at) = at.get(&(v - 1))
            {
                let until = locked_at + lockout_delay(&strict, level);
                assert!(
                    t >= until,
                    "{user}: attempt {v} counted at {t}, in lock-out {level} (until {until})"
                );
            }
        }
        assert!(
            tally.guesses_refused.get(&g).copied().unwrap_or(0) > 0,
            "{user}: no attempt was refused as locked out"
        );
        // Each device counted its `Named` attempts answered "invalid".
        let listed = setup.devices(&user).unwrap();
        assert_eq!(listed.len(), USER_DEVICES, "{user}");
        for (d, info) in listed.iter().enumerate() {
            assert_eq!(info.name, device_name(d));
            let invalid = tally.named_invalid.get(&(g, d)).copied().unwrap_or(0);
            let broken = tally.named_errors.get(&(g, d)).copied().unwrap_or(0);
            let stored = u64::from(info.failures);
            assert!(
                stored >= invalid && stored <= invalid + broken,
                "{user}/{}: {stored} failures stored, {invalid} answered invalid, {broken} broken",
                info.name
            );
        }
    }
    stored_counts
}

fn config(store: &str, target: String) -> Config {
    Config {
        store: store.into(),
        target,
        prefix: common::run_prefix(&format!("load-{store}")),
        threads: env_num("OTPKIT_LOAD_THREADS", 4),
        rounds: env_num("OTPKIT_LOAD_ROUNDS", 12),
    }
}

#[cfg(any(feature = "postgres", feature = "redis"))]
/// The server restart needs `scripts/services.sh`'s directory; without it (a server
/// started some other way) the load runs without the fault, and says so.
/// `OTPKIT_LOAD_RESTART=0` leaves it out on purpose (throughput alone).
fn restart_target(what: &'static str) -> Option<&'static str> {
    if std::env::var("OTPKIT_LOAD_RESTART").is_ok_and(|v| v == "0") {
        eprintln!("OTPKIT_LOAD_RESTART=0: {what} is not restarted mid-run");
        None
    } else if std::env::var_os("OTPKIT_SERVICES_DIR").is_some() {
        Some(what)
    } else if std::env::var_os("CI").is_some() {
        panic!(
            "OTPKIT_SERVICES_DIR is not set but CI is: start the servers with scripts/services.sh"
        );
    } else {
        eprintln!("SKIP restart: OTPKIT_SERVICES_DIR is not set, {what} is not restarted mid-run");
        None
    }
}

#[cfg(feature = "sqlite")]
#[test]
fn load_sqlite() {
    if std::env::var_os(WORKER_ENV).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("load.sqlite");
    run(config("sqlite", path.display().to_string()), None);
}

#[cfg(feature = "postgres")]
#[test]
fn load_postgres_with_restart() {
    if std::env::var_os(WORKER_ENV).is_some() {
        return;
    }
    let Some(url) = common::server_url("OTPKIT_TEST_POSTGRES_URL", "PostgreSQL") else {
        return;
    };
    run(config("postgres", url), restart_target("postgres"));
}

#[cfg(feature = "redis")]
#[test]
fn load_redis_with_restart() {
    if std::env::var_os(WORKER_ENV).is_some() {
        return;
    }
    let Some(url) = common::server_url("OTPKIT_TEST_REDIS_URL", "Redis") else {
        return;
    };
    run(config("redis", url), restart_target("redis"));
}
