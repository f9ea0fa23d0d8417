//! Every public error's stable code: what the bindings show programs as `reason`.

use otpkit::otpauth::{Account, UriError};
use otpkit::verifier::{EnrollError, Outcome, SignInError, StateError};
use otpkit::{CodeError, ErrorCode, SecretError, TimeError, VerifyError};

#[test]
fn each_error_names_its_code_and_a_wrapper_keeps_its_causes() {
    assert_eq!(
        SecretError::TooShort { bits: 80 }.code(),
        ErrorCode::SecretTooShort
    );
    assert_eq!(SecretError::RngFailed.code().as_str(), "RNG_FAILED");
    assert_eq!(
        UriError::Secret(SecretError::InvalidCharacter { position: 3 }).code(),
        ErrorCode::SecretInvalidCharacter
    );
    assert_eq!(
        VerifyError::Time(TimeError::BeforeEpoch).code(),
        ErrorCode::BeforeEpoch
    );
    let wrong = CodeError::WrongLength {
        expected: 6,
        got: 5,
    };
    assert_eq!(
        VerifyError::Malformed(wrong).code(),
        ErrorCode::CodeMalformed
    );
    assert_eq!(
        StateError::ChecksumMismatch.code(),
        ErrorCode::StateChecksumMismatch
    );
    assert_eq!(
        "nonsense"
            .parse::<otpkit::recovery::RecoveryState>()
            .unwrap_err()
            .code(),
        ErrorCode::NotAState
    );
    assert_eq!(EnrollError::SameCodeTwice.code(), ErrorCode::SameCodeTwice);
    assert_eq!(SignInError::NotEnrolled.code(), ErrorCode::NotEnrolled);
    let e = Account::parse("https://example.com").unwrap_err();
    assert_eq!(e.code().to_string(), "NOT_OTPAUTH_URI");
}

#[test]
fn outcomes_name_why_they_refused_and_nothing_when_accepted() {
    assert_eq!(Outcome::Accepted { step: 1, drift: 0 }.code(), None);
    assert_eq!(Outcome::Invalid.code(), Some(ErrorCode::CodeMismatch));
    assert_eq!(Outcome::Replayed.code(), Some(ErrorCode::Replayed));
    assert_eq!(Outcome::Locked { until: 9 }.code(), Some(ErrorCode::Locked));
    assert_eq!(
        Outcome::Error(SignInError::WrongKind).code(),
        Some(ErrorCode::WrongKind)
    );
    use otpkit::recovery::RecoveryOutcome;
    assert_eq!(
        RecoveryOutcome::AlreadyUsed.code(),
        Some(ErrorCode::Replayed)
    );
    assert_eq!(
        RecoveryOutcome::Accepted {
            index: 0,
            remaining: 1
        }
        .code(),
        None
    );
}

#[test]
fn warnings_have_stable_names() {
    let parsed = Account::parse("otpauth://totp/x?secret=jbswy3dpehpk3pxp").unwrap();
    let codes: Vec<&str> = parsed.warnings.iter().map(|w| w.code()).collect();
    assert!(codes.contains(&"SECRET_LOWERCASE"), "{codes:?}");
}

#[test]
fn code_texts_are_unique() {
    let mut texts: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    texts.sort_unstable();
    let n = texts.len();
    texts.dedup();
    assert_eq!(texts.len(), n);
}
