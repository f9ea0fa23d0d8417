//! Enrolment as a user goes through it: a mistyped code keeps the secret shown and
//! counts as a failure, guesses are throttled like sign-ins, and an HOTP token
//! enrolled again starts from the counter the server last knew.

use otpkit::verifier::{DeviceState, EnrollError, EnrollOutcome, Outcome, Policy, Verifier};
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

/// A mistyped enrolment code is a failure counted in the pending state, and the user
/// goes on with the same secret; enrolment guesses are throttled like sign-ins, and a
/// pending enrolment cannot sign in.
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

/// An HOTP token enrolled again from the counter the server last knew refuses the
/// codes of earlier counters, at enrolment and at sign-in.
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
