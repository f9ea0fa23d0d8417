//! Every error variant of the verifier: how it is reached, what it says, and that
//! neither its message nor any `Debug` output carries the secret or a typed code.

use std::error::Error as _;

use otpkit::verifier::{
    DeviceKind, DeviceState, EnrollError, EnrollOutcome, NIST_MAX_FAILURES, Outcome, Policy,
    PolicyError, ResyncError, ResyncOutcome, SignInError, StateError, Verifier,
};
use otpkit::{Algorithm, CodeError, Digits, Hotp, Period, Secret, TimeError, Totp};

#[path = "support/state_checksum.rs"]
mod state_checksum;
use state_checksum::{checksum, sealed};

const NOW: u64 = 1_700_000_000;
const SECRET: &[u8; 20] = b"12345678901234567890";

fn secret() -> Secret {
    Secret::from_bytes(SECRET).unwrap()
}

fn totp() -> Totp {
    Totp::new(&secret(), Algorithm::Sha1, Digits::SIX, Period::DEFAULT)
}

fn hotp() -> Hotp {
    Hotp::new(&secret(), Algorithm::Sha1, Digits::SIX)
}

fn tv() -> Verifier {
    Verifier::totp(totp(), Policy::default())
}

fn hv() -> Verifier {
    Verifier::hotp(hotp(), Policy::default())
}

fn at(offset: i64) -> String {
    let t = totp();
    let s = t.step_at(NOW).unwrap().checked_add_signed(offset).unwrap();
    t.code_at_step(s).to_string()
}

/// A code matching no step within ±60 of NOW.
fn wrong() -> String {
    let near: Vec<String> = (-60..=60).map(at).collect();
    (0u64..)
        .map(|i| format!("{:06}", i * 7_919 % 1_000_000))
        .find(|c| !near.contains(c))
        .unwrap()
}

/// Two-code enrolment from a fresh pending state, as a `Result`.
fn enroll(v: &Verifier, a: &str, b: &str, now: u64) -> Result<DeviceState, EnrollError> {
    match v.enroll(&v.begin_enrollment(), a, b, now) {
        (EnrollOutcome::Enrolled { .. }, state) => Ok(state),
        (EnrollOutcome::Rejected(e), _) => Err(e),
        (other, _) => panic!("{other:?}"),
    }
}

/// `resync` as a `Result`, checking that a refusal counts as one failure exactly
/// when it judged the codes.
fn resync(
    v: &Verifier,
    state: &DeviceState,
    a: &str,
    b: &str,
    now: u64,
) -> Result<DeviceState, ResyncError> {
    match v.resync(state, a, b, now) {
        (ResyncOutcome::Resynced { drift, .. }, new) => {
            assert_eq!(new.drift(), drift);
            Ok(new)
        }
        (ResyncOutcome::Rejected(e), new) => {
            let judged = matches!(
                e,
                ResyncError::Rejected | ResyncError::SameCodeTwice | ResyncError::Malformed(_)
            );
            let expected = if judged {
                state.failures() + 1
            } else {
                state.failures()
            };
            assert_eq!(new.failures(), expected, "{e:?}");
            Err(e)
        }
    }
}

/// The message and Debug must not carry the secret (bytes or Base32) or the codes.
fn assert_clean(text: &str, codes: &[&str]) {
    let b32 = secret().base32().to_string();
    assert!(!text.contains(&b32), "{text}");
    assert!(!text.contains("12345678901234567890"), "{text}");
    assert!(!text.contains("GEZDGNBV"), "{text}");
    for c in codes {
        assert!(!text.contains(c), "{text} contains a typed code");
    }
}

fn check<E: std::error::Error>(e: E, message: &str, codes: &[&str]) {
    assert_eq!(e.to_string(), message);
    assert_clean(&e.to_string(), codes);
    assert_clean(&format!("{e:?}"), codes);
}

#[test]
fn enroll_errors() {
    let v = tv();
    let (a, b, w) = (at(0), at(1), wrong());
    assert_eq!(
        enroll(&v, &a, &b, NOW).map(|s| s.last_step()),
        Ok(Some(totp().step_at(NOW).unwrap() + 1))
    );

    let e = enroll(&v, &w, &b, NOW).unwrap_err();
    assert_eq!(e, EnrollError::FirstCodeNotFound);
    check(
        e,
        "the first code is not valid: check the secret was entered correctly and the device's clock",
        &[&w, &b],
    );

    let e = enroll(&v, &a, &w, NOW).unwrap_err();
    assert_eq!(e, EnrollError::SecondCodeNotFound);
    check(e, "the second code is not valid", &[&a, &w]);

    let far = at(5);
    let e = enroll(&v, &a, &far, NOW).unwrap_err();
    assert_eq!(e, EnrollError::NotConsecutive);
    check(
        e,
        "the two codes are not consecutive: enter a code, wait for the next one, and enter that",
        &[&a, &far],
    );
    // Reversed order is not consecutive either.
    assert_eq!(enroll(&v, &b, &a, NOW), Err(EnrollError::NotConsecutive));
    // Outside the enrolment window (±10) the first code is not found.
    assert_eq!(
        enroll(&v, &at(11), &at(12), NOW),
        Err(EnrollError::FirstCodeNotFound)
    );
    assert!(enroll(&v, &at(9), &at(10), NOW).is_ok());
    assert!(enroll(&v, &at(-10), &at(-9), NOW).is_ok());

    let e = enroll(&v, &a, &a, NOW).unwrap_err();
    assert_eq!(e, EnrollError::SameCodeTwice);
    check(
        e,
        "the same code was entered twice: wait for the next code and enter that",
        &[&a],
    );

    let e = enroll(&v, "12345", &b, NOW).unwrap_err();
    assert_eq!(
        e,
        EnrollError::Malformed(CodeError::WrongLength {
            expected: 6,
            got: 5
        })
    );
    assert!(e.source().is_some());
    check(
        e,
        "malformed code: the code must have 6 digits, got 5",
        &[&b],
    );
    assert_eq!(
        enroll(&v, &a, "12a456", NOW),
        Err(EnrollError::Malformed(CodeError::InvalidCharacter {
            position: 3
        }))
    );

    let late = Verifier::totp(totp().with_t0(NOW + 1), Policy::default());
    let e = enroll(&late, &a, &b, NOW).unwrap_err();
    assert_eq!(e, EnrollError::Time(TimeError::BeforeEpoch));
    check(
        e,
        "cannot verify at this time: the time is before the TOTP epoch T0",
        &[],
    );
}

#[test]
fn hotp_enroll_searches_from_counter_zero() {
    let v = hv();
    let h = hotp();
    let c = |n: u64| h.code(n).to_string();
    assert_eq!(enroll(&v, &c(0), &c(1), 0).unwrap().next_counter(), Some(2));
    assert_eq!(
        enroll(&v, &c(9), &c(10), 0).unwrap().next_counter(),
        Some(11)
    );
    assert_eq!(
        enroll(&v, &c(10), &c(11), 0),
        Err(EnrollError::SecondCodeNotFound)
    );
    assert_eq!(
        enroll(&v, &c(11), &c(12), 0),
        Err(EnrollError::FirstCodeNotFound)
    );
}

#[test]
fn resync_errors() {
    let v = tv();
    let state = enroll(&v, &at(-1), &at(0), NOW).unwrap();
    let (a, b, w) = (at(12), at(13), wrong());
    // A code 13 steps ahead: a clock at least that fast, maybe 3 more if typed late.
    assert_eq!(resync(&v, &state, &a, &b, NOW).map(|s| s.drift()), Ok(15));

    // Whatever is wrong with the pair, the answer is the same: no oracle for
    // which code was valid or how close either came.
    let rejected = "the codes are not two consecutive valid codes";
    let cases: [(ResyncError, &str, Result<DeviceState, ResyncError>); 6] = [
        (
            ResyncError::Rejected,
            rejected,
            resync(&v, &state, &w, &b, NOW),
        ),
        (
            ResyncError::Rejected,
            rejected,
            resync(&v, &state, &a, &w, NOW),
        ),
        (
            ResyncError::Rejected,
            rejected,
            resync(&v, &state, &a, &at(15), NOW),
        ),
        (
            ResyncError::Rejected,
            rejected,
            resync(&v, &state, &b, &a, NOW),
        ),
        (
            ResyncError::SameCodeTwice,
            "the same code was entered twice: wait for the next code and enter that",
            resync(&v, &state, &a, &a, NOW),
        ),
        (
            ResyncError::Malformed(CodeError::WrongLength {
                expected: 6,
                got: 0,
            }),
            "malformed code: the code must have 6 digits, got 0",
            resync(&v, &state, "", &b, NOW),
        ),
    ];
    for (expected, message, got) in cases {
        assert_eq!(got, Err(expected));
        check(expected, message, &[&a, &b, &w]);
    }
    // Codes at or before the last accepted step cannot resync (no replay by resync).
    assert_eq!(
        resync(&v, &state, &at(-1), &at(0), NOW),
        Err(ResyncError::Rejected)
    );
    // Beyond ±20 steps.
    assert_eq!(
        resync(&v, &state, &at(21), &at(22), NOW),
        Err(ResyncError::Rejected)
    );
    assert!(resync(&v, &state, &at(19), &at(20), NOW).is_ok());
    assert!(resync(&v, &state, &at(1), &at(2), NOW).is_ok());
    assert!(
        resync(&v, &state, &at(-20), &at(-19), NOW).is_err(),
        "before the last step"
    );

    let locked = DeviceState::from_parts(DeviceKind::Totp, 5, 0, 5, NOW + 10);
    let e = resync(&v, &locked, &a, &b, NOW).unwrap_err();
    assert_eq!(e, ResyncError::Locked { until: NOW + 10 });
    check(
        e,
        &format!("too many failed attempts: locked until {}", NOW + 10),
        &[],
    );
    let forever = DeviceState::from_parts(DeviceKind::Totp, 5, 0, 100, u64::MAX);
    check(
        resync(&v, &forever, &a, &b, NOW).unwrap_err(),
        "too many failed attempts: locked until reset",
        &[],
    );

    let late = Verifier::totp(totp().with_t0(NOW + 1), Policy::default());
    let e = resync(&late, &state, &a, &b, NOW).unwrap_err();
    assert_eq!(e, ResyncError::Time(TimeError::BeforeEpoch));
    check(
        e,
        "cannot verify at this time: the time is before the TOTP epoch T0",
        &[],
    );

    let e = resync(&hv(), &state, &a, &b, NOW).unwrap_err();
    assert_eq!(e, ResyncError::WrongKind);
    check(
        e,
        "the device state is for TOTP but the verifier is HOTP, or the reverse",
        &[],
    );

    // HOTP: the counter never wraps.
    let h = hotp();
    let end = DeviceState::hotp_at(u64::MAX - 1);
    let e = resync(
        &hv(),
        &end,
        &h.code(u64::MAX - 1).to_string(),
        &h.code(u64::MAX).to_string(),
        NOW,
    )
    .unwrap_err();
    assert_eq!(e, ResyncError::CounterExhausted);
    check(
        e,
        "the HOTP counter is exhausted; the device must be enrolled again",
        &[],
    );
}

/// A refused resync is a failure counted in the state `resync` returns, without the
/// caller's help: enough of them lock the device, and 1,000 reach the permanent
/// NIST lock.
#[test]
fn failed_resyncs_are_counted_by_resync_itself() {
    let v = Verifier::totp(totp(), Policy::default().with_max_failures(2).unwrap());
    let mut state = enroll(&v, &at(-1), &at(0), NOW).unwrap();
    for i in 1..=2 {
        let (outcome, new) = v.resync(&state, &wrong(), &at(1), NOW);
        assert_eq!(outcome, ResyncOutcome::Rejected(ResyncError::Rejected));
        assert_eq!(new.failures(), i);
        state = new;
    }
    assert_eq!(
        v.resync(&state, &at(5), &at(6), NOW + 59),
        (
            ResyncOutcome::Rejected(ResyncError::Locked { until: NOW + 60 }),
            state
        )
    );
    let ok = resync(&v, &state, &at(5), &at(6), NOW + 60).unwrap();
    assert_eq!((ok.failures(), ok.locked_until()), (0, None));

    // Many wrong attempts reach the permanent NIST lock.
    let v = Verifier::totp(totp(), Policy::default().with_max_failures(100).unwrap());
    let mut state = enroll(&v, &at(-1), &at(0), NOW).unwrap();
    for _ in 0..1_000 {
        state = v.resync(&state, &wrong(), &at(1), NOW).1;
    }
    assert_eq!(state.failures(), NIST_MAX_FAILURES);
    assert_eq!(state.locked_until(), Some(u64::MAX));
}

#[test]
fn sign_in_outcomes_and_errors() {
    let v = tv();
    let state = enroll(&v, &at(-1), &at(0), NOW).unwrap();
    let w = wrong();

    let (o, s) = v.verify(&state, &w, NOW);
    assert_eq!((o, s.failures()), (Outcome::Invalid, 1));
    assert_eq!(o.to_string(), "the code is not valid");
    let (o, s) = v.verify(&state, &at(0), NOW);
    assert_eq!((o, s.failures()), (Outcome::Replayed, 1));
    assert_eq!(o.to_string(), "the code was already used");
    let (o, s) = v.verify(&state, "1234567", NOW);
    assert_eq!(
        o,
        Outcome::Malformed(CodeError::WrongLength {
            expected: 6,
            got: 7
        })
    );
    assert_eq!(s.failures(), 1, "malformed codes are throttled too");
    assert_eq!(
        o.to_string(),
        "malformed code: the code must have 6 digits, got 7"
    );
    let (o, _) = v.verify(&state, &at(1), NOW);
    assert_eq!(
        o,
        Outcome::Accepted {
            step: totp().step_at(NOW).unwrap() + 1,
            drift: 1
        }
    );
    assert_eq!(o.to_string(), "the code was accepted");
    assert_clean(&format!("{o:?}"), &[&at(1)]);

    let late = Verifier::totp(totp().with_t0(NOW + 1), Policy::default());
    let (o, s) = late.verify(&state, &at(1), NOW);
    assert_eq!(o, Outcome::Error(SignInError::Time(TimeError::BeforeEpoch)));
    assert_eq!(s, state, "a server-side error changes nothing");
    check(
        SignInError::Time(TimeError::BeforeEpoch),
        "cannot verify at this time: the time is before the TOTP epoch T0",
        &[],
    );

    let (o, s) = hv().verify(&state, &at(1), NOW);
    assert_eq!((o, s), (Outcome::Error(SignInError::WrongKind), state));
    check(
        SignInError::WrongKind,
        "the device state is for TOTP but the verifier is HOTP, or the reverse",
        &[],
    );

    let h = hotp();
    let end = DeviceState::hotp_at(u64::MAX);
    let (o, s) = hv().verify(&end, &h.code(u64::MAX).to_string(), NOW);
    assert_eq!((o, s), (Outcome::Error(SignInError::CounterExhausted), end));
    check(
        SignInError::CounterExhausted,
        "the HOTP counter is exhausted; the device must be enrolled again",
        &[],
    );

    let locked = DeviceState::from_parts(DeviceKind::Totp, 5, 0, 5, NOW + 1);
    let (o, s) = v.verify(&locked, "not even a code", NOW);
    assert_eq!(
        (o, s),
        (Outcome::Locked { until: NOW + 1 }, locked),
        "the code is not evaluated"
    );
    assert_eq!(
        o.to_string(),
        format!("too many failed attempts: locked until {}", NOW + 1)
    );
}

#[test]
fn nist_limit_locks_until_cleared() {
    let v = Verifier::totp(totp(), Policy::default().with_max_failures(100).unwrap());
    let mut state = enroll(&v, &at(-1), &at(0), NOW).unwrap();
    for _ in 0..NIST_MAX_FAILURES {
        state = v.verify(&state, &wrong(), NOW).1;
    }
    assert_eq!(state.locked_until(), Some(u64::MAX));
    let (o, _) = v.verify(&state, &at(1), NOW + 100 * 365 * 86_400);
    assert_eq!(o, Outcome::Locked { until: u64::MAX });
    assert_eq!(
        o.to_string(),
        "too many failed attempts: locked until reset"
    );
    let (o, _) = v.verify(&state.with_failures_cleared(), &at(1), NOW);
    assert!(o.is_accepted());
}

#[test]
fn hotp_replay_and_invalid() {
    let v = hv();
    let h = hotp();
    let state = DeviceState::hotp_at(20);
    // What a sign-in with the code of `counter` comes to.
    let outcome = |counter: u64| v.verify(&state, &h.code(counter).to_string(), NOW).0;
    assert_eq!(outcome(19), Outcome::Replayed);
    assert_eq!(outcome(9), Outcome::Replayed);
    // Further back than the look-ahead: just invalid.
    assert_eq!(outcome(8), Outcome::Invalid);
    assert_eq!(outcome(31), Outcome::Invalid);
    assert!(outcome(30).is_accepted());
}

#[test]
fn policy_errors() {
    let e = Policy::default().with_max_failures(0).unwrap_err();
    assert_eq!(e, PolicyError::MaxFailuresOutOfRange { got: 0 });
    check(
        e,
        "max_failures must be between 1 and 100 (NIST SP 800-63B), got 0",
        &[],
    );
    assert!(
        Policy::default()
            .with_max_failures(NIST_MAX_FAILURES)
            .is_ok()
    );
    assert!(
        Policy::default()
            .with_max_failures(NIST_MAX_FAILURES + 1)
            .is_err()
    );
    let e = Policy::default().with_lockout(10, 5).unwrap_err();
    assert_eq!(
        e,
        PolicyError::InvalidLockout {
            base_secs: 10,
            max_secs: 5
        }
    );
    check(
        e,
        "the lock-out base delay must be at least 1 s and at most the maximum delay, got base 10 s and maximum 5 s",
        &[],
    );
    let d = Policy::default();
    assert_eq!(
        (
            d.enroll_window(),
            d.window(),
            d.resync_window(),
            d.hotp_look_ahead(),
            d.hotp_resync_look_ahead()
        ),
        (10, otpkit::Window::new(4, 2).unwrap(), 20, 10, 100)
    );
    assert_eq!(
        (
            d.max_drift_steps(),
            d.max_failures(),
            d.lockout_base_secs(),
            d.lockout_max_secs()
        ),
        (20, 5, 60, 3600)
    );
}

/// Every window and look-ahead setter refuses a value past its bound (a window of a
/// million steps either side would accept most arbitrary codes).
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

#[test]
fn learned_drift_is_clamped() {
    let v = Verifier::totp(totp(), Policy::default().with_max_drift_steps(4).unwrap());
    let s = enroll(&v, &at(7), &at(8), NOW).unwrap();
    assert_eq!(s.drift(), 4);
    assert_eq!(s.last_step(), Some(totp().step_at(NOW).unwrap() + 8));
}

/// `text` is refused with `e`, which says `message`.
fn refused_state(text: &str, e: StateError, message: &str) {
    assert_eq!(DeviceState::decode(text), Err(e), "{text}");
    check(e, message, &[]);
}

#[test]
fn state_errors() {
    let good = DeviceState::totp_at(42).to_string();
    let (body, sum) = good.rsplit_once('.').unwrap();
    refused_state(
        &"x".repeat(97),
        StateError::TooLong { len: 97 },
        "a device state is at most 96 bytes, got 97",
    );
    for text in ["{\"step\":42}", "otpk", "otpkx.t.1"] {
        refused_state(text, StateError::NotAState, "not an otpkit device state");
    }
    refused_state(
        &good.replacen("otpk1", "otpk2", 1),
        StateError::UnsupportedVersion,
        "an otpkit device state of an unsupported format version",
    );
    for text in [
        format!("{body}.{}", "0".repeat(sum.len())),
        body.to_string(),
        good.to_uppercase().replacen("OTPK", "otpk", 1),
    ] {
        let message = "the device state is corrupted (checksum mismatch)";
        refused_state(&text, StateError::ChecksumMismatch, message);
    }
    // Well-checksummed but ill-formed bodies (as a buggy or foreign writer makes them).
    refused_state(
        &sealed("otpk1.t.1.0.0"),
        StateError::MissingField {
            field: "locked_until",
        },
        "the device state lacks its locked_until field",
    );
    for (body, field) in [
        ("otpk1.x.1.0.0.0", "kind"),
        ("otpk1.t.01.0.0.0", "position"),
        ("otpk1.t.1.-0.0.0", "drift"),
        ("otpk1.t.1.+1.0.0", "drift"),
        ("otpk1.t.1.0.4294967296.0", "failures"),
        ("otpk1.t.18446744073709551616.0.0.0", "position"),
    ] {
        let message = format!("the device state's {field} field is invalid");
        refused_state(&sealed(body), StateError::InvalidField { field }, &message);
    }
    refused_state(
        &sealed("otpk1.t.1.0.0.0.0"),
        StateError::TrailingFields,
        "the device state has extra fields",
    );
}

#[test]
fn documented_checksum_matches() {
    let s = DeviceState::from_parts(DeviceKind::Hotp, 7, 0, 100, u64::MAX);
    let text = s.to_string();
    let (body, sum) = text.rsplit_once('.').unwrap();
    assert_eq!(sum, checksum(body));
}

#[test]
fn debug_output_has_no_secret() {
    let v = tv();
    let d = format!("{v:?}");
    assert!(d.contains("Sha1") && d.contains("policy"), "{d}");
    assert_clean(&d, &[]);
    let d = format!("{:?}", hv());
    assert_clean(&d, &[]);
    let state = enroll(&v, &at(-1), &at(0), NOW).unwrap();
    assert_clean(&format!("{state:?} {state}"), &[]);
}

/// Two-code enrolment counts a refusal as a failed attempt unless both codes were
/// valid (the user typed real codes, just not two consecutive ones): the same
/// error can be a failure or not, depending on whether the first code is valid.
#[test]
fn two_code_enrolment_counts_a_refusal_unless_both_codes_were_valid() {
    let v = tv();
    let pending = v.begin_enrollment();
    let failures_after = |a: &str, b: &str| match v.enroll(&pending, a, b, NOW) {
        (EnrollOutcome::Rejected(e), state) => (e, state.failures()),
        (other, _) => panic!("{other:?}"),
    };
    let (a, b, far, w) = (at(0), at(1), at(5), wrong());
    // Valid codes, refused: not an attempt at guessing, not counted.
    assert_eq!(failures_after(&a, &far), (EnrollError::NotConsecutive, 0));
    assert_eq!(failures_after(&b, &a), (EnrollError::NotConsecutive, 0));
    assert_eq!(failures_after(&a, &a), (EnrollError::SameCodeTwice, 0));
    // The same wrong code twice is refused as the same code, and counted.
    assert_eq!(failures_after(&w, &w), (EnrollError::SameCodeTwice, 1));
    // A wrong code anywhere is counted.
    assert_eq!(failures_after(&w, &b), (EnrollError::FirstCodeNotFound, 1));
    assert_eq!(failures_after(&a, &w), (EnrollError::SecondCodeNotFound, 1));
}

/// A malformed code's or a clock's error is the `source` of every verifier error
/// that wraps it; the other variants have none.
#[test]
fn wrapped_errors_are_the_sources() {
    let code = CodeError::WrongLength {
        expected: 6,
        got: 5,
    };
    let time = TimeError::BeforeEpoch;
    let code_of = |e: &dyn std::error::Error| {
        e.source()
            .and_then(|s| s.downcast_ref::<CodeError>())
            .copied()
    };
    let time_of = |e: &dyn std::error::Error| {
        e.source()
            .and_then(|s| s.downcast_ref::<TimeError>())
            .copied()
    };
    assert_eq!(code_of(&ResyncError::Malformed(code)), Some(code));
    assert_eq!(time_of(&ResyncError::Time(time)), Some(time));
    assert_eq!(code_of(&EnrollError::Malformed(code)), Some(code));
    assert_eq!(time_of(&EnrollError::Time(time)), Some(time));
    assert_eq!(time_of(&SignInError::Time(time)), Some(time));
    // Every other variant wraps no error.
    let unwrapped: [&dyn std::error::Error; 17] = [
        &ResyncError::Locked { until: 5 },
        &ResyncError::Rejected,
        &ResyncError::SameCodeTwice,
        &ResyncError::CounterExhausted,
        &ResyncError::WrongKind,
        &ResyncError::NotEnrolled,
        &EnrollError::FirstCodeNotFound,
        &EnrollError::SecondCodeNotFound,
        &EnrollError::NotConsecutive,
        &EnrollError::SameCodeTwice,
        &EnrollError::Locked { until: 5 },
        &EnrollError::AlreadyEnrolled,
        &EnrollError::WrongKind,
        &EnrollError::CounterExhausted,
        &SignInError::CounterExhausted,
        &SignInError::WrongKind,
        &SignInError::NotEnrolled,
    ];
    for e in unwrapped {
        assert!(e.source().is_none(), "{e:?}");
    }
}

/// An enrolment's drift comes from its codes only: an HOTP device enrolls with no
/// drift even from a stored pending state that carries one (decoded text is the
/// only way to get such a state).
#[test]
fn enrolment_ignores_a_drift_carried_by_the_pending_state() {
    let v = hv();
    for (kind, code) in [("h1", "287082"), ("h0", "755224")] {
        let body = format!("otpk1.{kind}.0.4.0.0");
        let pending = DeviceState::decode(&sealed(&body)).unwrap();
        assert_eq!((pending.drift(), pending.is_enrolled()), (4, false));
        let (outcome, state) = v.enroll_code(&pending, code, NOW);
        if kind == "h0" {
            // RFC 4226's codes for counters 0 and 1: one at a time.
            assert_eq!(outcome, EnrollOutcome::NeedNextCode);
            let (outcome, state) = v.enroll_code(&state, "287082", NOW);
            assert_eq!(outcome, EnrollOutcome::Enrolled { step: 1, drift: 0 });
            assert_eq!((state.drift(), state.next_counter()), (0, Some(2)));
        } else {
            assert_eq!(outcome, EnrollOutcome::Enrolled { step: 1, drift: 0 });
            assert_eq!((state.drift(), state.next_counter()), (0, Some(2)));
        }
    }
}

/// What each outcome says (e.g. shown to the user) and its predicate.
#[test]
fn outcome_messages_and_predicates() {
    let enrolled = EnrollOutcome::Enrolled { step: 3, drift: 0 };
    assert_eq!(enrolled.to_string(), "the device is enrolled");
    assert!(enrolled.is_enrolled());
    assert_eq!(
        EnrollOutcome::NeedNextCode.to_string(),
        "the code is valid: now enter the next code the device shows"
    );
    assert!(!EnrollOutcome::NeedNextCode.is_enrolled());
    let rejected = EnrollOutcome::Rejected(EnrollError::SameCodeTwice);
    assert_eq!(rejected.to_string(), EnrollError::SameCodeTwice.to_string());
    assert!(!rejected.is_enrolled());

    let resynced = ResyncOutcome::Resynced { step: 3, drift: -2 };
    assert_eq!(resynced.to_string(), "the device is in sync again");
    assert!(resynced.is_resynced());
    for e in [
        ResyncError::Rejected,
        ResyncError::Locked { until: u64::MAX },
    ] {
        let o = ResyncOutcome::Rejected(e);
        assert_eq!(o.to_string(), e.to_string());
        assert!(!o.is_resynced(), "{o:?}");
    }
}
