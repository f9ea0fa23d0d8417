//! The AWS MFA flow end to end: EnableMFADevice (enrol with two consecutive codes),
//! sign-in, replay, ResyncMFADevice after a large drift, lock-out and unlock.
//! The "authenticator" is simulated with its own copy of the secret (scanned from the
//! otpauth:// URI the server builds) and its own, wrong, clock.
#![cfg(all(feature = "alloc", feature = "getrandom"))]

use otpkit::otpauth::Account;
use otpkit::verifier::{
    DeviceState, EnrollOutcome, Outcome, Policy, ResyncError, ResyncOutcome, Verifier,
};
use otpkit::{Algorithm, Digits, Hotp, Period, Secret, Totp, Window};

type Result = std::result::Result<(), Box<dyn std::error::Error>>;

/// An authenticator app whose clock is `skew` seconds off the server's.
struct App {
    totp: Totp,
    skew: i64,
}

impl App {
    fn code(&self, server_now: u64) -> String {
        let t = server_now.checked_add_signed(self.skew).unwrap();
        self.totp.code_at(t).unwrap().to_string()
    }
}

fn policy() -> Policy {
    Policy::default()
        .with_window(Window::new(1, 1).unwrap())
        .unwrap()
        .with_enroll_window(10)
        .unwrap()
        .with_resync_window(20)
        .unwrap()
        .with_max_drift_steps(20)
        .unwrap()
        .with_max_failures(3)
        .unwrap()
        .with_lockout(60, 600)
        .unwrap()
}

/// `n` codes that match none of the steps `near` (so a "wrong code" is surely wrong).
fn wrong_codes(near: impl Iterator<Item = String>, n: usize) -> Vec<String> {
    let near: Vec<String> = near.collect();
    (0u64..)
        .map(|i| format!("{:06}", i * 111_111 % 1_000_000))
        .filter(|c| !near.contains(c))
        .take(n)
        .collect()
}

/// Enrolls with two codes at once from a fresh pending enrolment.
fn enroll(verifier: &Verifier, code1: &str, code2: &str, now: u64) -> DeviceState {
    let (outcome, state) = verifier.enroll(&verifier.begin_enrollment(), code1, code2, now);
    assert!(
        matches!(outcome, EnrollOutcome::Enrolled { .. }),
        "{outcome:?}"
    );
    state
}

/// A sign-in accepted at `step`, the device's clock `drift` steps off the server's.
fn accepted(step: u64, drift: i64) -> Outcome {
    Outcome::Accepted { step, drift }
}

/// Stores the state as its text column, as a server would.
fn persist(state: &DeviceState) -> String {
    state.to_string()
}

fn load(column: &str) -> DeviceState {
    column.parse().unwrap()
}

#[test]
fn totp_enrol_sign_in_replay_resync_lockout() -> Result {
    // The server makes a secret and shows it: as the otpauth:// URI of a QR code, and
    // as Base32 text for typing by hand.
    let secret = Secret::generate(Algorithm::Sha1)?;
    let account = Account::totp_with_secret("Example Corp", "alice@example.com", secret.clone());
    let uri = account.to_uri();
    assert!(uri.starts_with("otpauth://totp/Example%20Corp:alice%40example.com?secret="));
    let shown = secret.base32_grouped().to_string();
    assert_eq!(shown.replace(' ', "").len(), 32);

    // The user scans the QR code into an app whose clock runs 3 steps (90 s) fast.
    let scanned = Account::parse(&uri)?;
    assert!(scanned.warnings.is_empty(), "{:?}", scanned.warnings);
    assert_eq!(scanned.account.secret, Secret::from_base32(&shown)?);
    let app = App {
        totp: scanned.account.totp().expect("a TOTP account"),
        skew: 90,
    };
    let server_totp = Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::DEFAULT);
    let verifier = Verifier::totp(server_totp.clone(), policy());
    let mut now: u64 = 1_700_000_005;
    let now_step = |t: u64| server_totp.step_at(t).unwrap();

    // EnableMFADevice: a code, then the next one 30 s later.
    let code1 = app.code(now);
    now += 30;
    let code2 = app.code(now);
    let state = enroll(&verifier, &code1, &code2, now);
    assert_eq!(state.drift(), 3, "the app's clock offset is learned");
    assert_eq!(state.last_step(), Some(now_step(now) + 3));
    assert_eq!(state.failures(), 0);
    let mut column = persist(&state);
    // Neither enrolment code can be used to sign in.
    assert_eq!(verifier.verify(&state, &code2, now).0, Outcome::Replayed);
    assert_eq!(verifier.verify(&state, &code1, now).0, Outcome::Replayed);

    // Sign-in a minute later: accepted although the app is 3 steps ahead,
    // because the scan is widened to now + learned drift.
    now += 60;
    let code = app.code(now);
    let (outcome, new) = verifier.verify(&load(&column), &code, now);
    assert_eq!(outcome, accepted(now_step(now) + 3, 3));
    column = persist(&new);

    // The same code again, 5 s later: a replay.
    let (outcome, new) = verifier.verify(&load(&column), &code, now + 5);
    assert_eq!(outcome, Outcome::Replayed);
    assert_eq!(new.failures(), 1, "a replay counts as a failure");
    column = persist(&new);

    // A correct code resets the failure count.
    now += 30;
    let (outcome, new) = verifier.verify(&load(&column), &app.code(now), now);
    assert!(outcome.is_accepted());
    assert_eq!(new.failures(), 0);
    column = persist(&new);

    // The app's clock jumps 15 steps ahead: out of the sign-in window.
    let far = App {
        skew: 15 * 30,
        ..app
    };
    now += 30;
    let (outcome, new) = verifier.verify(&load(&column), &far.code(now), now);
    assert_eq!(outcome, Outcome::Invalid);
    column = persist(&new);
    assert_eq!(load(&column).failures(), 1);

    // ResyncMFADevice: two consecutive codes, searched ±20 steps.
    let r1 = far.code(now);
    now += 30;
    let r2 = far.code(now);
    let (outcome, resynced) = verifier.resync(&load(&column), &r1, &r2, now);
    assert!(outcome.is_resynced(), "{outcome:?}");
    assert_eq!(resynced.drift(), 15);
    assert_eq!(resynced.failures(), 0);
    assert_eq!(resynced.last_step(), Some(now_step(now) + 15));
    column = persist(&resynced);
    // Neither resync code signs in afterwards...
    assert_eq!(verifier.verify(&resynced, &r2, now).0, Outcome::Replayed);
    // ...but the next one does.
    now += 30;
    let (outcome, new) = verifier.verify(&load(&column), &far.code(now), now);
    assert_eq!(outcome, accepted(now_step(now) + 15, 15));
    column = persist(&new);

    // Three wrong codes lock the device for 60 s.
    now += 30;
    let wrong = wrong_codes((0..12).map(|k| far.code(now - 90 + k * 30)), 3);
    for (i, w) in wrong.iter().enumerate() {
        let (outcome, new) = verifier.verify(&load(&column), w, now);
        assert_eq!(outcome, Outcome::Invalid, "attempt {i}");
        column = persist(&new);
    }
    let locked = load(&column);
    assert_eq!(locked.locked_until(), Some(now + 60));
    // While locked even the right code is refused, and the state does not change.
    let (outcome, same) = verifier.verify(&locked, &far.code(now + 59), now + 59);
    assert_eq!(outcome, Outcome::Locked { until: now + 60 });
    assert_eq!(same, locked);
    assert_eq!(
        verifier.resync(&locked, &far.code(now), &far.code(now + 30), now + 30),
        (
            ResyncOutcome::Rejected(ResyncError::Locked { until: now + 60 }),
            locked
        )
    );

    // Three more failures after it ends: the next lock-out lasts twice as long.
    now += 60;
    for w in &wrong {
        let (outcome, new) = verifier.verify(&load(&column), w, now);
        assert_eq!(outcome, Outcome::Invalid);
        column = persist(&new);
    }
    assert_eq!(load(&column).locked_until(), Some(now + 120));

    // After the delay, the right code signs in and clears everything.
    now += 120;
    let (outcome, new) = verifier.verify(&load(&column), &far.code(now), now);
    assert!(outcome.is_accepted(), "{outcome:?}");
    assert_eq!((new.failures(), new.locked_until()), (0, None));
    Ok(())
}

#[test]
fn hotp_enrol_sign_in_replay_resync_lockout() -> Result {
    let secret = Secret::generate(Algorithm::Sha1)?;
    let token = Hotp::new(
        &Secret::from_base32(&secret.base32().to_string())?,
        Algorithm::Sha1,
        Digits::SIX,
    );
    let verifier = Verifier::hotp(Hotp::new(&secret, Algorithm::Sha1, Digits::SIX), policy());
    let pressed = std::cell::Cell::new(0u64); // the token's own counter
    let press = || {
        let code = token.code(pressed.get()).to_string();
        pressed.set(pressed.get() + 1);
        code
    };
    let now = 1_700_000_000;

    // The user presses the button once to test it, then enrols with the next two.
    let _ = press();
    let (c1, c2) = (press(), press());
    let state = enroll(&verifier, &c1, &c2, now);
    assert_eq!(state.next_counter(), Some(3));
    assert_eq!(verifier.verify(&state, &c2, now).0, Outcome::Replayed);

    // Sign-in, then a replay of the same code.
    let code = press();
    let (outcome, state) = verifier.verify(&state, &code, now);
    assert_eq!(outcome, Outcome::Accepted { step: 3, drift: 0 });
    let (outcome, state) = verifier.verify(&state, &code, now + 1);
    assert_eq!(outcome, Outcome::Replayed);

    // A few presses in a pocket: still inside the look-ahead of 10.
    for _ in 0..4 {
        press();
    }
    let (outcome, state) = verifier.verify(&state, &press(), now + 2);
    assert_eq!(outcome, Outcome::Accepted { step: 8, drift: 4 });
    assert_eq!(state.next_counter(), Some(9));

    // Fifty presses: beyond the look-ahead, so resync (look-ahead 100).
    for _ in 0..50 {
        press();
    }
    let lost = press();
    let (outcome, state) = verifier.verify(&state, &lost, now + 3);
    assert_eq!(outcome, Outcome::Invalid);
    let (outcome, state) = verifier.resync(&state, &press(), &press(), now + 4);
    assert!(outcome.is_resynced(), "{outcome:?}");
    assert_eq!(state.next_counter(), Some(pressed.get()));
    assert_eq!(state.failures(), 0);
    let (outcome, mut state) = verifier.verify(&state, &press(), now + 5);
    assert!(outcome.is_accepted());

    // Lock-out after three wrong codes; unlock after 60 s.
    let next = token.code(pressed.get()).to_string();
    let near =
        (pressed.get().saturating_sub(20)..pressed.get() + 20).map(|c| token.code(c).to_string());
    for w in wrong_codes(near, 3) {
        let (outcome, new) = verifier.verify(&state, &w, now + 10);
        assert_eq!(outcome, Outcome::Invalid);
        state = new;
    }
    assert_eq!(
        verifier.verify(&state, &next, now + 69).0,
        Outcome::Locked { until: now + 70 }
    );
    let (outcome, state) = verifier.verify(&state, &press(), now + 70);
    assert!(outcome.is_accepted());
    assert_eq!(state.failures(), 0);
    Ok(())
}

#[test]
fn totp_drift_is_learned_at_each_sign_in() -> Result {
    // An app whose clock gains one step between sign-ins: each sign-in widens the
    // scan further (RFC 6238 §6), so a ±1 window keeps up with a drift of 5 steps.
    let secret = Secret::from_bytes(b"12345678901234567890")?;
    let totp = Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::DEFAULT);
    let verifier = Verifier::totp(totp.clone(), policy());
    let mut now: u64 = 1_700_000_005;
    let mut state = enroll(
        &verifier,
        &totp.code_at(now - 30)?.to_string(),
        &totp.code_at(now)?.to_string(),
        now,
    );
    assert_eq!(state.drift(), 0);
    for gained in 1..=5i64 {
        now += 300;
        let app = App {
            totp: totp.clone(),
            skew: gained * 30,
        };
        let (outcome, new) = verifier.verify(&state, &app.code(now), now);
        assert!(
            matches!(outcome, Outcome::Accepted { drift, .. } if drift == gained),
            "{outcome:?}"
        );
        assert_eq!(new.drift(), gained);
        state = new;
    }
    Ok(())
}
