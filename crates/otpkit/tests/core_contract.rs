//! What the core's small types promise their callers: getters return what was
//! given, `Display` texts say what went wrong in the caller's terms, defaults are
//! the RFCs' defaults.

use std::error::Error as _;

use otpkit::{
    Algorithm, AlgorithmError, Code, CodeError, Digits, DigitsError, Hotp, Period, Secret,
    TimeError, Totp,
};

fn secret() -> Secret {
    Secret::from_bytes(b"12345678901234567890").unwrap()
}

#[test]
fn digits_display_as_their_number_and_default_to_six() {
    for n in Digits::MIN..=Digits::MAX {
        let d = Digits::new(n).unwrap();
        assert_eq!(d.get(), n);
        assert_eq!(d.to_string(), n.to_string());
    }
    assert_eq!(Digits::default(), Digits::SIX);
    assert_eq!(Digits::SIX.get(), 6);
    assert_eq!(Digits::EIGHT.get(), 8);
}

#[test]
fn digits_error_names_the_allowed_range_and_the_value_given() {
    let e = Digits::new(11).unwrap_err();
    assert_eq!(e, DigitsError::OutOfRange { got: 11 });
    assert_eq!(e.to_string(), "digits must be from 6 to 10, got 11");
    assert!(e.source().is_none());
    assert_eq!(
        Digits::new(5).unwrap_err().to_string(),
        "digits must be from 6 to 10, got 5"
    );
}

#[test]
fn every_digit_count_yields_codes_of_that_many_digits() {
    let hotp_codes: Vec<String> = (Digits::MIN..=Digits::MAX)
        .map(|n| {
            let h = Hotp::new(&secret(), Algorithm::Sha1, Digits::new(n).unwrap());
            h.code(0).to_string()
        })
        .collect();
    for (code, n) in hotp_codes.iter().zip(Digits::MIN..=Digits::MAX) {
        assert_eq!(code.len(), usize::from(n), "{code}");
    }
    // Each is the previous one's value with more of the truncated number kept:
    // RFC 4226 counter 0 truncates to 1284755224, so the codes are its last digits.
    assert_eq!(
        hotp_codes,
        ["755224", "4755224", "84755224", "284755224", "1284755224"]
    );
}

#[test]
fn algorithm_names_and_default_secret_lengths() {
    let expected = [
        (Algorithm::Sha1, "SHA1", 20),
        (Algorithm::Sha256, "SHA256", 32),
        (Algorithm::Sha512, "SHA512", 64),
    ];
    for (algorithm, name, len) in expected {
        assert_eq!(algorithm.name(), name);
        assert_eq!(algorithm.to_string(), name);
        assert_eq!(algorithm.default_secret_len(), len);
        #[cfg(feature = "getrandom")]
        assert_eq!(Secret::generate(algorithm).unwrap().len(), len);
    }
    assert_eq!(Algorithm::default(), Algorithm::Sha1);
}

#[test]
fn algorithm_error_lists_what_is_supported() {
    let e = "MD5".parse::<Algorithm>().unwrap_err();
    assert_eq!(e, AlgorithmError::Unsupported);
    assert_eq!(
        e.to_string(),
        "unsupported algorithm: expected SHA1, SHA256 or SHA512"
    );
    assert!(e.source().is_none());
}

#[test]
fn code_error_messages_give_counts_and_positions_but_not_the_text() {
    assert_eq!(
        Code::parse("12345", Digits::SIX).unwrap_err().to_string(),
        "the code must have 6 digits, got 5"
    );
    assert_eq!(
        Code::parse("12x456", Digits::SIX).unwrap_err().to_string(),
        "the code has a character other than the digits 0-9 at position 3"
    );
    assert!(
        CodeError::WrongLength {
            expected: 6,
            got: 5
        }
        .source()
        .is_none()
    );
}

#[test]
fn codes_keep_their_digit_count_and_show_leading_zeros() {
    let c = Code::parse("012345", Digits::SIX).unwrap();
    assert_eq!((c.value(), c.digits()), (12_345, Digits::SIX));
    assert_eq!(c.to_string(), "012345");
    let eight = Code::parse("00012345", Digits::EIGHT).unwrap();
    assert_eq!(eight.to_string(), "00012345");
    assert_ne!(c, eight, "same value, different length: different codes");
    assert_eq!(c, Code::parse("012 345", Digits::SIX).unwrap());
    // Debug shows the length only.
    assert_eq!(format!("{c:?}"), "Code { digits: 6, .. }");
}

#[test]
fn time_error_messages() {
    for (e, text) in [
        (
            TimeError::ZeroPeriod,
            "the period must be at least one second",
        ),
        (
            TimeError::BeforeEpoch,
            "the time is before the TOTP epoch T0",
        ),
        (TimeError::Overflow, "the time step is too large to compute"),
        (
            TimeError::ClockBeforeUnixEpoch,
            "the system clock is set before 1970",
        ),
    ] {
        assert_eq!(e.to_string(), text);
        assert!(e.source().is_none());
    }
}

#[test]
fn period_reports_its_seconds_and_refuses_zero() {
    assert_eq!(Period::DEFAULT.seconds(), 30);
    assert_eq!(Period::default(), Period::DEFAULT);
    assert_eq!(Period::new(60).unwrap().seconds(), 60);
    assert_eq!(Period::new(1).unwrap().seconds(), 1);
    assert_eq!(Period::new(0), Err(TimeError::ZeroPeriod));
}

#[test]
fn generators_report_their_parameters() {
    let h = Hotp::new(&secret(), Algorithm::Sha256, Digits::EIGHT);
    assert_eq!(
        (h.algorithm(), h.digits()),
        (Algorithm::Sha256, Digits::EIGHT)
    );
    let t = Totp::new(
        &secret(),
        Algorithm::Sha512,
        Digits::new(7).unwrap(),
        Period::new(60).unwrap(),
    );
    assert_eq!(t.algorithm(), Algorithm::Sha512);
    assert_eq!(t.digits(), Digits::new(7).unwrap());
    assert_eq!(t.period(), Period::new(60).unwrap());
    assert_eq!(t.t0(), 0);
    assert_eq!(t.clone().with_t0(1_000).t0(), 1_000);
    // Debug names the parameters, never the secret.
    let debug = format!("{h:?}");
    assert!(debug.contains("Sha256") && debug.contains('8'), "{debug}");
}

#[test]
fn totp_steps_count_whole_periods_from_t0() {
    let t = Totp::new(&secret(), Algorithm::Sha1, Digits::SIX, Period::DEFAULT).with_t0(100);
    assert_eq!(t.step_at(100), Ok(0));
    assert_eq!(t.step_at(129), Ok(0));
    assert_eq!(t.step_at(130), Ok(1));
    assert_eq!(t.step_at(99), Err(TimeError::BeforeEpoch));
    assert_eq!(t.step_start(0), Ok(100));
    assert_eq!(t.step_start(2), Ok(160));
    assert_eq!(t.step_start(u64::MAX), Err(TimeError::Overflow));
    assert_eq!(t.seconds_left(100), Ok(30));
    assert_eq!(t.seconds_left(129), Ok(1));
    assert_eq!(t.seconds_left(130), Ok(30));
    assert_eq!(t.seconds_left(99), Err(TimeError::BeforeEpoch));
    // A code at a time is the code of that time's step.
    assert_eq!(t.code_at(175).unwrap(), t.code_at_step(2));
    assert_eq!(t.code_at(99).unwrap_err(), TimeError::BeforeEpoch);
}
