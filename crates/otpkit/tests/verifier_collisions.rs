//! The verifier's tie rules, with real colliding codes.
//!
//! Two steps of one window share a 6-digit code about once per million steps. The
//! steps below were found by computing the RFC 6238 SHA-1 codes of the RFC's test
//! secret over a few million steps around 2023; every test first checks that the
//! collision is real, so the codes are inputs, not expected results.
//!
//! The rules stated here:
//! - sign-in: a code that matches two steps of the window is credited to the
//!   **latest** one, so a fresh step is preferred to a used one;
//! - enrolment and resynchronisation: a pair of consecutive codes is found even when
//!   its first or its second code also belongs to another step of the window; the
//!   step credited is the one of the consecutive pair, never the stray collision.
//!
//! If the verifier's tie rules change, change them here.

use otpkit::verifier::{DeviceKind, DeviceState, Outcome, Policy, Verifier};
use otpkit::{Algorithm, Digits, Hotp, Secret, Totp, Window};

const SECRET: &[u8; 20] = b"12345678901234567890";
/// Steps `A` and `A + 2` share the code "769717"; `A + 1` has another code.
const A: u64 = 56_295_193;
const SHARED: &str = "769717";
/// Two consecutive steps sharing the code "617002".
const C: u64 = 56_188_870;
const DOUBLE: &str = "617002";

fn secret() -> Secret {
    Secret::from_bytes(SECRET).unwrap()
}

fn totp() -> Totp {
    Totp::from_secret(&secret()) // HMAC-SHA-1, six digits, 30 s
}

fn verifier() -> Verifier {
    Verifier::totp(totp(), Policy::default())
}

fn code(step: u64) -> String {
    totp().code_at_step(step).to_string()
}

/// A time inside `step`.
fn time_of(step: u64) -> u64 {
    step * 30 + 7
}

/// The collisions are real, and no other step near them has those codes.
#[test]
fn the_collisions_are_real() {
    assert_eq!(code(A), SHARED);
    assert_eq!(code(A + 2), SHARED);
    assert_eq!(code(C), DOUBLE);
    assert_eq!(code(C + 1), DOUBLE);
    for step in A - 30..=A + 30 {
        if step != A && step != A + 2 {
            assert_ne!(code(step), SHARED, "step {step}");
        }
    }
    for other in [A - 1, A + 1, A + 3] {
        for step in A - 30..=A + 30 {
            if step != other {
                assert_ne!(code(step), code(other), "steps {step} and {other}");
            }
        }
    }
    // The same holds for the verifier's primitive: a window holding both steps
    // reports the latest.
    let m = totp()
        .verify(SHARED, time_of(A + 1), Window::default())
        .unwrap();
    assert_eq!((m.step, m.offset), (A + 2, 1));
}

#[test]
fn sign_in_credits_the_latest_of_two_matching_steps() {
    let v = verifier();
    // Window A ..= A + 2 around now; nothing in it used yet.
    let (outcome, state) = v.verify(&DeviceState::totp_at(A - 1), SHARED, time_of(A + 1));
    assert_eq!(
        outcome,
        Outcome::Accepted {
            step: A + 2,
            drift: 1
        }
    );
    assert_eq!(state.last_step(), Some(A + 2));
    // Both steps are now behind the last accepted one: the code is a replay.
    let (outcome, _) = v.verify(&state, SHARED, time_of(A + 1));
    assert_eq!(outcome, Outcome::Replayed);
}

#[test]
fn sign_in_prefers_the_fresh_step_to_the_used_one() {
    let v = verifier();
    // Step A was already used; the code also belongs to the fresh step A + 2.
    let (outcome, state) = v.verify(&DeviceState::totp_at(A), SHARED, time_of(A + 1));
    assert_eq!(
        outcome,
        Outcome::Accepted {
            step: A + 2,
            drift: 1
        }
    );
    assert_eq!(state.failures(), 0);
}

#[test]
fn hotp_sign_in_credits_the_latest_matching_counter() {
    let hotp = Hotp::new(&secret(), Algorithm::Sha1, Digits::SIX);
    assert_eq!(hotp.code(A).to_string(), SHARED);
    let v = Verifier::hotp(hotp, Policy::default());
    let (outcome, state) = v.verify(&DeviceState::hotp_at(A), SHARED, 0);
    assert_eq!(
        outcome,
        Outcome::Accepted {
            step: A + 2,
            drift: 2
        }
    );
    assert_eq!(state.next_counter(), Some(A + 3));
}

/// Enrols from a fresh pending state; the enrolment must succeed.
fn enrolled(c1: &str, c2: &str, now: u64) -> DeviceState {
    let v = verifier();
    let (outcome, state) = v.enroll(&v.begin_enrollment(), c1, c2, now);
    assert!(outcome.is_enrolled(), "{outcome:?}");
    state
}

/// Resynchronises; the resync must succeed.
fn resynced(before: &DeviceState, c1: &str, c2: &str, now: u64) -> DeviceState {
    let (outcome, state) = verifier().resync(before, c1, c2, now);
    assert!(outcome.is_resynced(), "{outcome:?}");
    state
}

#[test]
fn enrol_finds_the_pair_when_its_first_code_recurs_later_in_the_window() {
    // Codes of A and A + 1; A's code also belongs to A + 2.
    let state = enrolled(SHARED, &code(A + 1), time_of(A + 3));
    assert_eq!(state.last_step(), Some(A + 1));
}

#[test]
fn enrol_finds_the_pair_when_its_second_code_recurs_later_in_the_window() {
    // Codes of A - 1 and A; A's code also belongs to A + 2.
    let state = enrolled(&code(A - 1), SHARED, time_of(A + 3));
    assert_eq!(state.last_step(), Some(A));
}

#[test]
fn enrol_credits_the_pair_not_the_later_step_sharing_a_code() {
    // Codes of A + 2 and A + 3: the first code also belongs to A, which is not
    // followed by A + 3's code.
    let state = enrolled(SHARED, &code(A + 3), time_of(A + 3));
    assert_eq!(state.last_step(), Some(A + 3));
    assert_eq!(state.drift(), 0);
}

#[test]
fn resync_finds_the_pair_when_either_code_recurs_later_in_the_window() {
    let before = DeviceState::from_parts(DeviceKind::Totp, A - 25, 0, 3, 0);
    let now = time_of(A + 10);
    let first = resynced(&before, SHARED, &code(A + 1), now);
    assert_eq!((first.last_step(), first.failures()), (Some(A + 1), 0));
    // A slow clock (codes 9 and 10 steps old): the drift learned says behind.
    assert!(first.drift() < 0, "{}", first.drift());
    let second = resynced(&before, &code(A - 1), SHARED, now);
    assert_eq!(second.last_step(), Some(A));
    assert!(second.drift() < 0, "{}", second.drift());
}

#[test]
fn two_consecutive_steps_sharing_a_code_enrol_with_that_code_twice() {
    // The same code twice is normally refused (SameCodeTwice), but here the two
    // steps really share it, so it is a valid consecutive pair.
    let state = enrolled(DOUBLE, DOUBLE, time_of(C + 1));
    assert_eq!(state.last_step(), Some(C + 1));
    assert_eq!(state.drift(), 0);
}
