//! The learned drift: it widens the sign-in scan back for a slow device clock and
//! forward for a fast one, never away from the server's own clock; it is learned only
//! from evidence (a code typed late is not a slow clock), bounded when learned and
//! when read, and recovers once the clock is corrected; and the widened window is
//! cut at the first and last step rather than wrapping around.

use otpkit::verifier::{DeviceKind, DeviceState, Outcome, Policy, Verifier};
use otpkit::{Algorithm, Digits, Period, Secret, Totp};

const NOW: u64 = 1_700_000_000;

fn totp(period: u64) -> Totp {
    Totp::new(
        &Secret::from_bytes(b"12345678901234567890").unwrap(),
        Algorithm::Sha1,
        Digits::SIX,
        Period::new(period).unwrap(),
    )
}

fn state(last: u64, drift: i64) -> DeviceState {
    DeviceState::from_parts(DeviceKind::Totp, last, drift, 0, 0)
}

/// The start of a step.
const T: u64 = 1_700_000_010;

fn code(t: u64) -> String {
    totp(30).code_at(t).unwrap().to_string()
}

fn verifier() -> Verifier {
    Verifier::totp(totp(30), Policy::default())
}

fn enroll(v: &Verifier, c1: &str, c2: &str, now: u64) -> DeviceState {
    let (outcome, state) = v.enroll(&v.begin_enrollment(), c1, c2, now);
    assert!(outcome.is_enrolled(), "{outcome:?}");
    state
}

#[test]
fn a_slow_clock_is_looked_for_behind_now() {
    let t = totp(30);
    let v = Verifier::totp(t.clone(), Policy::default());
    let now_step = t.step_at(NOW).unwrap();
    let before = state(now_step - 20, -5);
    let slow = t.code_at_step(now_step - 5).to_string();
    assert_eq!(
        v.verify(&before, &slow, NOW).0,
        Outcome::Accepted {
            step: now_step - 5,
            drift: -5
        }
    );
    // Drift only widens the scan: a correct clock's code is still accepted,
    // and a code past the policy's steps ahead of now is not.
    let on_time = t.code_at_step(now_step).to_string();
    assert!(v.verify(&before, &on_time, NOW).0.is_accepted());
    let too_far = t.code_at_step(now_step + 3).to_string();
    assert_eq!(v.verify(&before, &too_far, NOW).0, Outcome::Invalid);
}

#[test]
fn a_fast_clock_is_looked_for_ahead_of_now() {
    let t = totp(30);
    let v = Verifier::totp(t.clone(), Policy::default());
    let now_step = t.step_at(NOW).unwrap();
    let before = state(now_step - 20, 5);
    let fast = t.code_at_step(now_step + 5).to_string();
    assert_eq!(
        v.verify(&before, &fast, NOW).0,
        Outcome::Accepted {
            step: now_step + 5,
            drift: 5
        }
    );
    // Drift only widens the scan: a correct clock's code is still accepted,
    // and a code past the policy's steps behind now is not.
    let on_time = t.code_at_step(now_step).to_string();
    assert!(v.verify(&before, &on_time, NOW).0.is_accepted());
    let too_far = t.code_at_step(now_step - 5).to_string();
    assert_eq!(v.verify(&before, &too_far, NOW).0, Outcome::Invalid);
}

#[test]
fn a_slow_clock_near_the_first_step_gets_a_window_cut_at_step_zero() {
    let t = totp(30);
    let v = Verifier::totp(t.clone(), Policy::default());
    // Now is step 1; drift -5 would centre the window at step -4: it is cut at 0.
    let before = state(0, -5);
    let code = t.code_at_step(1).to_string();
    let (outcome, after) = v.verify(&before, &code, 45);
    assert_eq!(outcome, Outcome::Accepted { step: 1, drift: 0 });
    assert_eq!(after.last_step(), Some(1));
}

#[test]
fn a_fast_clock_near_the_last_step_gets_a_window_cut_at_the_last_step() {
    // With a 1-second period the step is the time itself, so u64::MAX is a step.
    let t = totp(1);
    let v = Verifier::totp(t.clone(), Policy::default());
    let before = state(u64::MAX - 3, 5);
    let code = t.code_at_step(u64::MAX).to_string();
    let (outcome, after) = v.verify(&before, &code, u64::MAX);
    assert_eq!(
        outcome,
        Outcome::Accepted {
            step: u64::MAX,
            drift: 0
        }
    );
    assert_eq!(after.last_step(), Some(u64::MAX));
    // Nothing follows the last step: its code again is a replay.
    assert_eq!(v.verify(&after, &code, u64::MAX).0, Outcome::Replayed);
}

#[test]
fn a_window_far_from_the_device_steps_rejects_without_wrapping() {
    // A drift that would wrap past u64::MAX or below 0 must not bring codes of
    // steps at the other end of the range into the window.
    let t = totp(1);
    let v = Verifier::totp(t.clone(), Policy::default());
    let low = t.code_at_step(0).to_string();
    let near_max = state(u64::MAX - 30, 20);
    let (outcome, _) = v.verify(&near_max, &low, u64::MAX - 1);
    assert!(
        matches!(outcome, Outcome::Invalid | Outcome::Replayed),
        "{outcome:?}"
    );
    let high = t.code_at_step(u64::MAX).to_string();
    let (outcome, _) = v.verify(&state(0, -20), &high, 3);
    assert_eq!(outcome, Outcome::Invalid);
}

/// A code from the step ahead of the server's is evidence of a fast clock (a
/// delay never makes a code early), so it is learned as drift; the on-time code
/// is no evidence and leaves no drift. With one step behind (no allowance for a
/// late code), the fastest clock that code allows is one step ahead.
#[test]
fn a_code_from_the_next_step_is_learned_as_a_fast_clock() {
    let t = totp(30);
    let policy = Policy::default()
        .with_window(otpkit::Window::new(1, 1).unwrap())
        .unwrap();
    let v = Verifier::totp(t.clone(), policy);
    let now_step = t.step_at(NOW).unwrap();
    let fresh = state(now_step - 10, 0);
    let ahead = t.code_at_step(now_step + 1).to_string();
    let (outcome, after) = v.verify(&fresh, &ahead, NOW);
    assert_eq!(
        outcome,
        Outcome::Accepted {
            step: now_step + 1,
            drift: 1
        }
    );
    assert_eq!(after.drift(), 1);
    let on_time = t.code_at_step(now_step).to_string();
    let (outcome, after) = v.verify(&fresh, &on_time, NOW);
    assert!(outcome.is_accepted());
    assert_eq!(after.drift(), 0);
}

/// A learned slow clock is kept while a code is still consistent with it (three
/// steps behind allow a code two steps late from a correct clock, or on time from
/// a clock two steps slow: no evidence either way), and otherwise decays towards 0
/// only as far as the code allows.
#[test]
fn a_slow_clock_is_kept_while_its_codes_allow_it() {
    let t = totp(30);
    let policy = Policy::default()
        .with_window(otpkit::Window::new(3, 1).unwrap())
        .unwrap()
        .with_max_drift_steps(10)
        .unwrap();
    let v = Verifier::totp(t.clone(), policy);
    let now_step = t.step_at(NOW).unwrap();
    let late = t.code_at_step(now_step - 2).to_string();
    let (outcome, after) = v.verify(&state(now_step - 10, -2), &late, NOW);
    assert!(outcome.is_accepted());
    assert_eq!(after.drift(), -2);
    // An on-time code allows a clock at most one step slow: -3 becomes -1.
    let on_time = t.code_at_step(now_step).to_string();
    let (outcome, after) = v.verify(&state(now_step - 10, -3), &on_time, NOW);
    assert!(outcome.is_accepted());
    assert_eq!(after.drift(), -1);
}

/// Codes of T-30 and T submitted at T+65 are a person typing late, not a slow clock:
/// enrolment learns no drift, and the phone's correct codes are accepted 10 min, 1 h
/// and 1 day later.
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
    // Codes of T-120 and T-90 submitted at T: a late person too.
    let state = enroll(&v, &code(T - 120), &code(T - 90), T);
    assert_eq!(state.drift(), 0);
    let (outcome, _) = v.verify(&state, &code(T + 600), T + 600);
    assert!(outcome.is_accepted());
}

/// Whatever drift a state carries, the scan still covers the server's own clock, and
/// a stored drift is clamped to the policy's bound when it is read.
#[test]
fn drift_never_excludes_the_servers_clock_and_is_clamped_when_read() {
    let v = verifier();
    let now_step = totp(30).step_at(T).unwrap();
    for drift in [-20, -5, 5, 20, i64::MIN, i64::MAX] {
        let state = DeviceState::from_parts(DeviceKind::Totp, now_step - 10, drift, 0, 0);
        let (outcome, _) = v.verify(&state, &code(T), T);
        assert!(outcome.is_accepted(), "drift {drift}: {outcome:?}");
    }
    // A state carrying drift 1,000,000 does not accept a code a million steps ahead.
    let state = DeviceState::from_parts(DeviceKind::Totp, now_step - 1, 1_000_000, 0, 0);
    let far = totp(30).code_at_step(now_step + 1_000_000).to_string();
    assert_eq!(v.verify(&state, &far, T).0, Outcome::Invalid);
    // ...nor one just past the policy's bound (20 steps, plus the window's 2 ahead).
    let edge = totp(30).code_at_step(now_step + 22).to_string();
    let (outcome, new) = v.verify(&state, &edge, T);
    assert!(outcome.is_accepted());
    assert!(
        new.drift() <= 20,
        "learned drift stays bounded: {}",
        new.drift()
    );
    let beyond = totp(30).code_at_step(now_step + 23).to_string();
    assert_eq!(v.verify(&state, &beyond, T).0, Outcome::Invalid);
}

/// Drift recovers by itself once the phone's clock is corrected.
#[test]
fn drift_recovers_when_the_clock_is_corrected() {
    let v = verifier();
    let now_step = totp(30).step_at(T).unwrap();
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
