//! `DeviceState`: the enrolment phase it reports, and its text form for every kind
//! and phase (the stored column is a compatibility contract).

use otpkit::verifier::{
    DeviceKind, DeviceState, EnrollOutcome, MAX_ENCODED_LEN, Policy, StateError, Verifier,
};
use otpkit::{Algorithm, Digits, Hotp, Period, Secret, Totp};

const NOW: u64 = 1_700_000_010;

fn secret() -> Secret {
    Secret::from_bytes(b"12345678901234567890").unwrap()
}

fn totp() -> Totp {
    Totp::new(&secret(), Algorithm::Sha1, Digits::SIX, Period::DEFAULT)
}

fn totp_code(now: u64) -> String {
    totp().code_at(now).unwrap().to_string()
}

fn verifiers() -> [(Verifier, [String; 2]); 2] {
    [
        (
            Verifier::totp(totp(), Policy::default()),
            [totp_code(NOW), totp_code(NOW + 30)],
        ),
        (
            Verifier::hotp(
                Hotp::new(&secret(), Algorithm::Sha1, Digits::SIX),
                Policy::default(),
            ),
            // RFC 4226 Appendix D: counters 0 and 1.
            ["755224".to_owned(), "287082".to_owned()],
        ),
    ]
}

/// What a sign-up page asks for next: the first code, the second code, or nothing.
#[test]
fn the_state_says_which_enrolment_code_comes_next() {
    for (v, [c1, c2]) in verifiers() {
        let pending = v.begin_enrollment();
        assert!(!pending.is_enrolled() && !pending.awaits_second_code());

        // A wrong first code leaves it waiting for a first code.
        let (outcome, refused) = v.enroll_code(&pending, "000000", NOW);
        assert!(matches!(outcome, EnrollOutcome::Rejected(_)), "{outcome:?}");
        assert!(!refused.is_enrolled() && !refused.awaits_second_code());

        let (outcome, half) = v.enroll_code(&pending, &c1, NOW);
        assert_eq!(outcome, EnrollOutcome::NeedNextCode);
        assert!(!half.is_enrolled() && half.awaits_second_code());

        let (outcome, done) = v.enroll_code(&half, &c2, NOW + 30);
        assert!(outcome.is_enrolled(), "{outcome:?}");
        assert!(done.is_enrolled() && !done.awaits_second_code());
    }
}

/// Each kind and phase has its own tag in the text form and reads back as itself.
#[test]
fn every_kind_and_phase_round_trips_through_its_text() {
    let mut seen = Vec::new();
    for (v, [c1, c2]) in verifiers() {
        let first = v.begin_enrollment();
        let (_, second) = v.enroll_code(&first, &c1, NOW);
        let (_, enrolled) = v.enroll_code(&second, &c2, NOW + 30);
        for state in [first, second, enrolled] {
            let text = state.encode();
            let tag = text.split('.').nth(1).unwrap().to_owned();
            let back = DeviceState::decode(&text).unwrap();
            assert_eq!(back, state, "{text}");
            assert_eq!(
                (back.kind(), back.is_enrolled(), back.awaits_second_code()),
                (
                    state.kind(),
                    state.is_enrolled(),
                    state.awaits_second_code()
                ),
            );
            seen.push((tag, state.kind()));
        }
    }
    // Pending, half-enrolled and enrolled: the TOTP device's three, then the HOTP one's.
    let (tags, kinds): (Vec<String>, Vec<DeviceKind>) = seen.into_iter().unzip();
    assert_eq!(tags, ["t0", "t1", "t", "h0", "h1", "h"]);
    assert_eq!(
        kinds,
        [[DeviceKind::Totp; 3], [DeviceKind::Hotp; 3]].concat()
    );
}

/// The length limit is inclusive: a text of exactly [`MAX_ENCODED_LEN`] bytes is
/// read (and refused for what it is), one byte more is too long.
#[test]
fn the_length_limit_is_inclusive() {
    let at_max = format!("otpk1.t.{}", "1".repeat(MAX_ENCODED_LEN - 8));
    assert_eq!(at_max.len(), MAX_ENCODED_LEN);
    assert_eq!(
        DeviceState::decode(&at_max),
        Err(StateError::ChecksumMismatch)
    );
    let over = format!("{at_max}1");
    assert_eq!(
        DeviceState::decode(&over),
        Err(StateError::TooLong {
            len: MAX_ENCODED_LEN + 1
        })
    );
}
