//! `Window`'s getters and `VerifyError`'s messages and sources, as callers see them.

use std::error::Error as _;

use otpkit::{Algorithm, CodeError, Digits, Period, Secret, TimeError, Totp, VerifyError, Window};

#[test]
fn window_getters_return_what_it_was_built_with() {
    let w = Window::new(3, 7).unwrap();
    assert_eq!((w.behind(), w.ahead()), (3, 7));
    assert_eq!(w.len(), 11);
    let max = Window::MAX_STEPS_PER_SIDE;
    let big = Window::new(max, max - 1).unwrap();
    assert_eq!((big.behind(), big.ahead()), (max, max - 1));
    assert_eq!(big.len(), 2 * u64::from(max));
    assert_eq!(Window::symmetric(4).unwrap().behind(), 4);
    assert_eq!(Window::symmetric(4).unwrap().ahead(), 4);
    assert_eq!((Window::exact().behind(), Window::exact().ahead()), (0, 0));
    assert_eq!((Window::DEFAULT.behind(), Window::DEFAULT.ahead()), (1, 1));
}

#[test]
fn the_window_getters_describe_the_steps_verify_accepts() {
    let totp = Totp::new(
        &Secret::from_bytes(b"12345678901234567890").unwrap(),
        Algorithm::Sha1,
        Digits::SIX,
        Period::DEFAULT,
    );
    let now: u64 = 1_700_000_000;
    let center = totp.step_at(now).unwrap();
    let w = Window::new(2, 5).unwrap();
    let accepted: Vec<i64> = (-8i64..=8)
        .filter(|d| {
            let code = totp.code_at_step(center.checked_add_signed(*d).unwrap());
            totp.verify(&code.to_string(), now, w)
                .is_ok_and(|m| m.offset == *d)
        })
        .collect();
    let behind = i64::from(w.behind());
    let ahead = i64::from(w.ahead());
    assert_eq!(accepted, (-behind..=ahead).collect::<Vec<_>>());
}

#[test]
fn verify_error_messages_name_the_problem_and_its_cause() {
    let malformed = VerifyError::Malformed(CodeError::WrongLength {
        expected: 6,
        got: 5,
    });
    assert_eq!(
        malformed.to_string(),
        "malformed code: the code must have 6 digits, got 5"
    );
    assert_eq!(VerifyError::Mismatch.to_string(), "the code is not valid");
    assert_eq!(
        VerifyError::Time(TimeError::BeforeEpoch).to_string(),
        "cannot verify at this time: the time is before the TOTP epoch T0"
    );
}

#[test]
fn verify_error_sources_are_the_underlying_errors() {
    let code_error = CodeError::InvalidCharacter { position: 2 };
    let e = VerifyError::Malformed(code_error);
    let source = e
        .source()
        .expect("a malformed code has its CodeError as source");
    assert_eq!(source.to_string(), code_error.to_string());
    assert_eq!(source.downcast_ref::<CodeError>(), Some(&code_error));

    let e = VerifyError::Time(TimeError::Overflow);
    let source = e.source().expect("a time error is the source");
    assert_eq!(
        source.downcast_ref::<TimeError>(),
        Some(&TimeError::Overflow)
    );

    assert!(VerifyError::Mismatch.source().is_none());
}

#[test]
fn verify_errors_convert_from_their_causes() {
    assert_eq!(
        VerifyError::from(TimeError::ZeroPeriod),
        VerifyError::Time(TimeError::ZeroPeriod)
    );
    let c = CodeError::WrongLength {
        expected: 8,
        got: 6,
    };
    assert_eq!(VerifyError::from(c), VerifyError::Malformed(c));
}
