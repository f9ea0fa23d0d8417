//! Simulated people with simulated phones, over months of sign-ins.
//!
//! Each user enrolls (both ways: two codes in one form, or one code at a time with
//! retries), then signs in every one to seven days for `OTPKIT_SIM_DAYS` days. A
//! person reads a code and takes 0 to 90 s to type and submit it. Phones are exact,
//! a few steps slow or fast, drift slowly (up to up to 3 s a day, either way),
//! or jump far off (a wrong manual time) so that the user must resync, and are
//! corrected later. The state is stored as its string and read back at every step.
//!
//! Properties:
//! - an honest user whose phone's clock is correct is never refused;
//! - a slowly drifting phone never needs a resync (a refused person tries again
//!   at once, as people do, and gets in without one);
//! - no step is ever accepted twice (replays of earlier codes are tried too);
//! - the failure count never drops without a success.
//!
//! CI runs a bounded number of users and days. A longer run:
//!
//! ```text
//! OTPKIT_SIM_USERS=2000 OTPKIT_SIM_DAYS=730 cargo test --release -p otpkit --test verifier_simulation
//! ```

use std::collections::HashSet;

use otpkit::verifier::{DeviceState, EnrollOutcome, Outcome, Policy, ResyncOutcome, Verifier};
use otpkit::{Algorithm, Digits, Period, Secret, Totp};

const DAY: u64 = 86_400;
const START: u64 = 1_700_000_000;
const MAX_DELAY: u64 = 90;

fn env_or(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a whole number, got {v:?}")),
        Err(_) => default,
    }
}

/// splitmix64: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo ..= hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    fn signed(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % ((hi - lo + 1) as u64)) as i64
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

#[derive(Clone, Copy, Debug)]
enum Clock {
    /// Always right.
    Exact,
    /// Off by a constant number of seconds (a few steps either way).
    Offset(i64),
    /// Off by `rate` milliseconds per day since enrolment.
    Drifting { rate_ms_per_day: i64 },
    /// Right until `from`, then off by `by` seconds (far outside the sign-in scan)
    /// until `until`, then right again (corrected).
    Jumped { from: u64, until: u64, by: i64 },
}

struct Phone {
    totp: Totp,
    clock: Clock,
}

impl Phone {
    /// The phone's clock error in seconds at server time `t`.
    fn error(&self, t: u64) -> i64 {
        match self.clock {
            Clock::Exact => 0,
            Clock::Offset(s) => s,
            Clock::Drifting { rate_ms_per_day } => {
                (t - START) as i64 * rate_ms_per_day / DAY as i64 / 1000
            }
            Clock::Jumped { from, until, by } => {
                if (from..until).contains(&t) {
                    by
                } else {
                    0
                }
            }
        }
    }
    fn is_correct(&self, t: u64) -> bool {
        self.error(t) == 0
    }
    /// The step the phone shows at server time `t`.
    fn step(&self, t: u64) -> u64 {
        self.totp
            .step_at(t.checked_add_signed(self.error(t)).unwrap())
            .unwrap()
    }
    fn code(&self, t: u64) -> String {
        self.totp.code_at_step(self.step(t)).to_string()
    }
}

/// Everything the checks need to remember about one user's device.
struct Device {
    verifier: Verifier,
    column: String,
    accepted: HashSet<u64>,
}

impl Device {
    fn load(&self) -> DeviceState {
        let state: DeviceState = self.column.parse().expect("a stored state reads back");
        assert_eq!(state.to_string(), self.column, "the text form is canonical");
        state
    }

    /// Stores `new` after an operation, checking the invariants.
    fn store(&mut self, old: &DeviceState, new: DeviceState, success: Option<u64>, what: &str) {
        if new.failures() < old.failures() {
            assert!(
                success.is_some(),
                "{what}: failures dropped from {} to {} without a success",
                old.failures(),
                new.failures()
            );
        }
        if let Some(step) = success {
            assert!(
                self.accepted.insert(step),
                "{what}: step {step} accepted twice"
            );
        }
        self.column = new.to_string();
        let back: DeviceState = self.column.parse().unwrap();
        assert_eq!(back, new, "{what}: state round-trips through its string");
    }
}

/// Counters for the summary line.
#[derive(Default, Debug)]
struct Tally {
    sign_ins: u64,
    retries: u64,
    resyncs: u64,
    replays_refused: u64,
}

fn enroll(rng: &mut Rng, phone: &Phone, device: &mut Device, t0: u64) -> u64 {
    let v = device.verifier.clone();
    let mut state = v.begin_enrollment();
    device.column = state.to_string();
    let mut t = t0;
    if rng.chance(50) {
        // Two codes in one form: read one, wait for the next, read it, submit late.
        let first = phone.step(t);
        let c1 = phone.code(t);
        while phone.step(t) == first {
            t += 1;
        }
        t += rng.range(0, 10);
        let c2 = phone.code(t);
        t += rng.range(0, MAX_DELAY);
        state = device.load();
        let (outcome, new) = v.enroll(&state, &c1, &c2, t);
        let EnrollOutcome::Enrolled { step, drift } = outcome else {
            panic!(
                "{:?}: two-code enrolment refused at +{}: {outcome:?}",
                phone.clock,
                t - t0
            );
        };
        if phone.is_correct(t) {
            assert_eq!(drift, 0, "a late enrolment is not drift");
        }
        device.accepted.insert(step - 1);
        device.store(&state, new, Some(step), "enroll");
        return t;
    }
    // One code at a time: the form checks each code as it is typed.
    for attempt in 0.. {
        assert!(attempt < 6, "{:?}: enrolment did not finish", phone.clock);
        // The first code may be submitted late; then the form asks for the next
        // code, and the person types it as soon as it shows.
        let code = phone.code(t);
        t += if attempt == 0 {
            rng.range(0, MAX_DELAY)
        } else {
            rng.range(0, 25)
        };
        state = device.load();
        let (outcome, new) = v.enroll_code(&state, &code, t);
        match outcome {
            EnrollOutcome::NeedNextCode => device.store(&state, new, None, "enroll_code"),
            EnrollOutcome::Enrolled { step, drift } => {
                if phone.is_correct(t) {
                    assert_eq!(drift, 0, "a late enrolment is not drift");
                }
                device.accepted.insert(step - 1);
                device.store(&state, new, Some(step), "enroll_code");
                return t;
            }
            other => panic!("{:?}: valid enrolment code refused: {other:?}", phone.clock),
        }
        // Wait for the phone to show a new code.
        let seen = phone.step(t);
        while phone.step(t) == seen {
            t += 1;
        }
        t += rng.range(0, 3);
    }
    unreachable!()
}

/// One sign-in at about `t`; returns whether it needed a resync.
fn sign_in(rng: &mut Rng, phone: &Phone, device: &mut Device, t: u64, tally: &mut Tally) -> bool {
    let v = device.verifier.clone();
    let mut t = t;
    for attempt in 0..3 {
        let code = phone.code(t);
        let delay = if attempt == 0 {
            rng.range(0, MAX_DELAY)
        } else {
            rng.range(0, 20)
        };
        let submit = t + delay;
        let state = device.load();
        let (outcome, new) = v.verify(&state, &code, submit);
        match outcome {
            Outcome::Accepted { step, .. } => {
                device.store(&state, new, Some(step), "verify");
                tally.sign_ins += 1;
                // Now and then the same code is submitted again (a double click, or
                // someone who watched it being typed).
                if rng.chance(10) {
                    let state = device.load();
                    let (again, new) = v.verify(&state, &code, submit + rng.range(0, 30));
                    // Replayed, or Invalid once it has left the scan.
                    assert!(
                        matches!(again, Outcome::Replayed | Outcome::Invalid),
                        "a used code is refused: {again:?}"
                    );
                    device.store(&state, new, None, "replay");
                    tally.replays_refused += 1;
                }
                return false;
            }
            Outcome::Invalid => {
                assert!(
                    !phone.is_correct(t) || !phone.is_correct(submit),
                    "a correct clock was refused: read at {t}, submitted {delay} s later, state {}",
                    device.column
                );
                device.store(&state, new, None, "verify");
                tally.retries += 1;
                t = submit + rng.range(1, 10);
            }
            // Guesses and replays count too: a person locked out waits.
            Outcome::Locked { until } => {
                assert!(until < u64::MAX, "locked for good");
                t = until + rng.range(0, 600);
            }
            other => panic!("{:?}: unexpected {other:?}", phone.clock),
        }
    }
    // Still refused: resync with two consecutive codes (after any lock-out).
    let mut state = device.load();
    if let Some(until) = state.locked_until().filter(|_| state.is_locked_at(t + 30)) {
        t = until + 1;
        state = device.load();
    }
    let first = phone.step(t);
    let c1 = phone.code(t);
    while phone.step(t) == first {
        t += 1;
    }
    let c2 = phone.code(t);
    let (outcome, new) = v.resync(&state, &c1, &c2, t + rng.range(0, 30));
    let ResyncOutcome::Resynced { step, .. } = outcome else {
        panic!("{:?}: resync refused: {outcome:?}", phone.clock);
    };
    device.store(&state, new, Some(step), "resync");
    tally.resyncs += 1;
    true
}

#[test]
fn simulated_people_and_phones() {
    let users = env_or("OTPKIT_SIM_USERS", 48);
    let days = env_or("OTPKIT_SIM_DAYS", 240);
    let mut rng = Rng(env_or("OTPKIT_SIM_SEED", 12));
    let mut tally = Tally::default();
    for user in 0..users {
        let mut secret = [0u8; 20];
        for b in secret.iter_mut() {
            *b = rng.next() as u8;
        }
        let totp = Totp::new(
            &Secret::from_bytes(&secret).unwrap(),
            Algorithm::Sha1,
            Digits::SIX,
            Period::DEFAULT,
        );
        let clock = match user % 4 {
            0 => Clock::Exact,
            1 => Clock::Offset(rng.signed(-100, 100)),
            // Up to 15 steps off by the end (the policy follows up to 20).
            2 => {
                let max_rate = (15 * 30 * 1000 / days.max(1)) as i64;
                Clock::Drifting {
                    rate_ms_per_day: rng.signed(-max_rate, max_rate),
                }
            }
            _ => {
                let from = START + rng.range(10, days.max(20) / 2) * DAY;
                let by = rng.signed(12, 18) * 30 * if rng.chance(50) { 1 } else { -1 };
                Clock::Jumped {
                    from,
                    until: from + rng.range(3, 40) * DAY,
                    by,
                }
            }
        };
        let phone = Phone {
            totp: totp.clone(),
            clock,
        };
        let mut device = Device {
            verifier: Verifier::totp(totp, Policy::default()),
            column: String::new(),
            accepted: HashSet::new(),
        };
        let start = START + rng.range(0, 3600);
        let enrolled_at = enroll(&mut rng, &phone, &mut device, start);
        let mut t = enrolled_at;
        let mut offset_resyncs = 0u32;
        while t < START + days * DAY {
            t += rng.range(1, 7) * DAY + rng.range(0, DAY / 2);
            // Now and then an attacker guesses a code.
            if rng.chance(5) {
                let state = device.load();
                let guess = format!("{:06}", rng.range(0, 999_999));
                let (outcome, new) = device.verifier.verify(&state, &guess, t - 600);
                let success = match outcome {
                    Outcome::Accepted { step, .. } => Some(step),
                    _ => None,
                };
                device.store(&state, new, success, "guess");
            }
            let resynced = sign_in(&mut rng, &phone, &mut device, t, &mut tally);
            match phone.clock {
                Clock::Exact | Clock::Drifting { .. } => assert!(
                    !resynced,
                    "user {user} {clock:?} needed a resync on day {}",
                    (t - START) / DAY,
                    clock = phone.clock
                ),
                // A phone that was already off when it enrolled, with codes submitted
                // late enough to hide it, may need one resync; never a second.
                Clock::Offset(_) => {
                    offset_resyncs += u32::from(resynced);
                    assert!(
                        offset_resyncs <= 1,
                        "user {user} {:?} resynced twice",
                        phone.clock
                    );
                }
                Clock::Jumped { .. } => {}
            }
            if let Clock::Drifting { .. } = phone.clock {
                // The learned drift follows the phone's clock within the policy.
                let state = device.load();
                assert!(state.drift().abs() <= 20);
            }
        }
        if let Clock::Jumped { until, .. } = phone.clock
            && t > until + 30 * DAY
        {
            // Corrected for a month: the drift recovered.
            let state = device.load();
            assert!(
                state.drift().abs() <= 2,
                "user {user}: drift {} a month after the clock was corrected",
                state.drift()
            );
        }
    }
    println!("{users} users, {days} days: {tally:?}");
    assert!(tally.sign_ins > users * days / 8);
}
