//! One regression test per defect of issue 12 ("Verifier v2"), each failing on the
//! verifier before it. Defect 3 (a failed resync not counted) is
//! `verifier_errors::failed_resyncs_are_counted_by_resync_itself`; defect 7 (a
//! dropped state compiles silently) is the `compile_fail` example in the
//! `verifier` module docs; defect 8 (the CLI's count) is in the CLI's tests.

use otpkit::verifier::{
    DeviceKind, DeviceState, EnrollError, EnrollOutcome, Outcome, Policy, PolicyError, Verifier,
};
use otpkit::{Algorithm, Digits, Hotp, Period, Secret, Totp};

const T: u64 = 1_700_000_010; // the start of a step

fn totp() -> Totp {
    Totp::new(
        &Secret::from_bytes(b"12345678901234567890").unwrap(),
        Algorithm::Sha1,
        Digits::SIX,
        Period::DEFAULT,
    )
}

fn code(t: u64) -> String {
    totp().code_at(t).unwrap().to_string()
}

fn verifier() -> Verifier {
    Verifier::totp(totp(), Policy::default())
}

fn enroll(v: &Verifier, c1: &str, c2: &str, now: u64) -> DeviceState {
    let (outcome, state) = v.enroll(&v.begin_enrollment(), c1, c2, now);
    assert!(outcome.is_enrolled(), "{outcome:?}");
    state
}

/// Defect 1: codes for T-30 and T submitted at T+65 stored drift -2, and then the
/// phone's correct codes were refused 10 min, 1 h and 1 day later.
#[test]
fn late_enrolment_is_not_drift_and_a_correct_phone_signs_in() {
    let v = verifier();
    let state = enroll(&v, &code(T - 30), &code(T), T + 65);
    assert_eq!(state.drift(), 0);
    let mut column = state.to_string();
    for later in [600, 3_600, 86_400] {
        let now = T + later;
        let (outcome, new) = v.verify(&column.parse().unwrap(), &code(now), now);
        assert!(outcome.is_accepted(), "{later} s later: {outcome:?}");
        column = new.to_string();
    }
    // As reported from Python: codes of T-120 and T-90, submitted at T.
    let state = enroll(&v, &code(T - 120), &code(T - 90), T);
    assert_eq!(state.drift(), 0);
    let (outcome, _) = v.verify(&state, &code(T + 600), T + 600);
    assert!(outcome.is_accepted());
}

/// Defect 2: a wrong learned drift moved the whole window away from the server's
/// clock, and a stored drift was never re-clamped when read.
#[test]
fn drift_never_excludes_the_servers_clock_and_is_clamped_when_read() {
    let v = verifier();
    let now_step = totp().step_at(T).unwrap();
    for drift in [-20, -5, 5, 20, i64::MIN, i64::MAX] {
        let state = DeviceState::from_parts(DeviceKind::Totp, now_step - 10, drift, 0, 0);
        let (outcome, _) = v.verify(&state, &code(T), T);
        assert!(outcome.is_accepted(), "drift {drift}: {outcome:?}");
    }
    // A state carrying drift 1,000,000 does not accept a code a million steps ahead.
    let state = DeviceState::from_parts(DeviceKind::Totp, now_step - 1, 1_000_000, 0, 0);
    let far = totp().code_at_step(now_step + 1_000_000).to_string();
    assert_eq!(v.verify(&state, &far, T).0, Outcome::Invalid);
    // ...nor one just past the policy's bound (20 steps, plus the window's 2 ahead).
    let edge = totp().code_at_step(now_step + 22).to_string();
    let (outcome, new) = v.verify(&state, &edge, T);
    assert!(outcome.is_accepted());
    assert!(
        new.drift() <= 20,
        "learned drift stays bounded: {}",
        new.drift()
    );
    let beyond = totp().code_at_step(now_step + 23).to_string();
    assert_eq!(v.verify(&state, &beyond, T).0, Outcome::Invalid);
}

/// Drift recovers by itself once the phone's clock is corrected.
#[test]
fn drift_recovers_when_the_clock_is_corrected() {
    let v = verifier();
    let now_step = totp().step_at(T).unwrap();
    let mut state = DeviceState::from_parts(DeviceKind::Totp, now_step - 1, 15, 0, 0);
    // The corrected phone signs in at once, every time, and the drift decays: to
    // 2 while codes arrive at once (a phone 2 steps fast typing late shows the same
    // codes), to 0 once codes typed at a person's pace show the clock is right.
    let mut drifts = Vec::new();
    for (k, delay) in [0, 0, 0, 0, 70, 70, 0].into_iter().enumerate() {
        let read = T + 600 * k as u64;
        let (outcome, new) = v.verify(&state, &code(read), read + delay);
        assert!(outcome.is_accepted());
        state = new;
        drifts.push(state.drift());
    }
    assert_eq!(drifts, [4, 3, 2, 2, 1, 0, 0]);
}

/// Defect 4: no bound on windows (`Window::symmetric(1_000_000)` accepted 9 of 10
/// arbitrary codes).
#[test]
fn windows_and_look_aheads_are_bounded() {
    let p = Policy::default();
    assert!(matches!(
        p.with_window_steps(1_000_000, 1_000_000),
        Err(PolicyError::OutOfRange { .. })
    ));
    assert!(p.with_window_steps(u32::MAX, 0).is_err());
    assert!(p.with_enroll_window(u32::MAX).is_err());
    assert!(p.with_resync_window(u32::MAX).is_err());
    assert!(p.with_hotp_look_ahead(u32::MAX).is_err());
    assert!(p.with_hotp_resync_look_ahead(u32::MAX).is_err());
    assert!(p.with_max_drift_steps(u32::MAX).is_err());
}

/// Defect 5: enrolment had no state, so its guesses were not counted, and one typo
/// threw the shown secret away.
#[test]
fn enrolment_keeps_the_secret_and_counts_guesses() {
    let v = Verifier::totp(
        totp(),
        Policy::default()
            .with_max_failures(3)
            .unwrap()
            .with_lockout(60, 600)
            .unwrap(),
    );
    let near: Vec<String> = (-12i64..=12)
        .map(|k| code(T.checked_add_signed(30 * k).unwrap()))
        .collect();
    let wrong: Vec<String> = (0u64..)
        .map(|i| format!("{:06}", i * 7_919 % 1_000_000))
        .filter(|c| !near.contains(c))
        .take(3)
        .collect();
    let mut column = v.begin_enrollment().to_string();
    // A typo, then the right code, then a typo in the second code: the user keeps
    // going with the same secret.
    let steps = [
        (
            wrong[0].as_str(),
            T,
            EnrollOutcome::Rejected(EnrollError::FirstCodeNotFound),
            1,
        ),
        (&code(T), T + 2, EnrollOutcome::NeedNextCode, 1),
        (
            wrong[1].as_str(),
            T + 25,
            EnrollOutcome::Rejected(EnrollError::SecondCodeNotFound),
            2,
        ),
        // The same code again is not the next one: wait for it.
        (
            &code(T),
            T + 26,
            EnrollOutcome::Rejected(EnrollError::SameCodeTwice),
            2,
        ),
    ];
    for (typed, now, expected, failures) in steps {
        let (outcome, state) = v.enroll_code(&column.parse().unwrap(), typed, now);
        assert_eq!(outcome, expected);
        assert_eq!(state.failures(), failures);
        assert!(!state.is_enrolled());
        column = state.to_string();
    }
    let (outcome, state) = v.enroll_code(&column.parse().unwrap(), &code(T + 30), T + 31);
    assert_eq!(
        outcome,
        EnrollOutcome::Enrolled {
            step: totp().step_at(T).unwrap() + 1,
            drift: 0
        }
    );
    assert_eq!(state.failures(), 0);

    // Guesses are throttled like sign-ins.
    let mut state = v.begin_enrollment();
    for w in &wrong {
        state = v.enroll_code(&state, w, T).1;
    }
    assert_eq!(state.locked_until(), Some(T + 60));
    assert_eq!(
        v.enroll_code(&state, &code(T), T + 1).0,
        EnrollOutcome::Rejected(EnrollError::Locked { until: T + 60 })
    );
    assert_eq!(
        v.enroll(&state, &code(T), &code(T + 30), T + 31).0,
        EnrollOutcome::Rejected(EnrollError::Locked { until: T + 60 })
    );
    // A pending enrolment cannot sign in or resync.
    assert_eq!(
        v.verify(&v.begin_enrollment(), &code(T), T).0,
        Outcome::Error(otpkit::verifier::SignInError::NotEnrolled)
    );
}

/// Defect 6: HOTP re-enrolment started at counter 0, so a token re-enrolled with
/// the same secret accepted its old codes again.
#[test]
fn hotp_enrolment_from_a_counter_refuses_old_codes() {
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let hotp = Hotp::new(&secret, Algorithm::Sha1, Digits::SIX);
    let v = Verifier::hotp(hotp.clone(), Policy::default());
    let c = |n: u64| hotp.code(n).to_string();
    // The server last knew counter 40.
    let pending = DeviceState::enrolling_hotp(40);
    let (outcome, pending) = v.enroll(&pending, &c(3), &c(4), 0);
    assert_eq!(
        outcome,
        EnrollOutcome::Rejected(EnrollError::FirstCodeNotFound)
    );
    let (outcome, pending) = v.enroll_code(&pending, &c(39), 0);
    assert_eq!(
        outcome,
        EnrollOutcome::Rejected(EnrollError::FirstCodeNotFound)
    );
    let (outcome, pending) = v.enroll(&pending, &c(41), &c(42), 0);
    assert_eq!(outcome, EnrollOutcome::Enrolled { step: 42, drift: 0 });
    assert_eq!(pending.next_counter(), Some(43));
    for old in [3, 4, 39, 41, 42] {
        assert!(!v.verify(&pending, &c(old), 0).0.is_accepted());
    }
}
