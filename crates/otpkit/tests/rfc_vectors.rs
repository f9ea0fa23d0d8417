//! The published test vectors: RFC 4226 Appendix D and RFC 6238 Appendix B.
//!
//! RFC 6238's prose gives one 20-byte seed, but its reference code (and so its table)
//! uses a 32-byte seed for SHA-256 and a 64-byte seed for SHA-512.

use otpkit::{Algorithm, Digits, Hotp, Period, Secret, Totp, Window};

const SEED_SHA1: &[u8] = b"12345678901234567890";
const SEED_SHA256: &[u8] = b"12345678901234567890123456789012";
const SEED_SHA512: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

/// RFC 4226's generator (Appendix D): the 20-byte seed, HMAC-SHA-1, six digits.
fn rfc4226_hotp() -> Hotp {
    let seed = Secret::from_bytes(SEED_SHA1).unwrap();
    Hotp::new(&seed, Algorithm::Sha1, Digits::SIX)
}

#[test]
fn rfc4226_appendix_d() {
    let hotp = rfc4226_hotp();
    let expected = [
        "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
        "520489",
    ];
    for (counter, want) in expected.iter().enumerate() {
        let counter = counter as u64;
        assert_eq!(hotp.code(counter).to_string(), *want, "counter {counter}");
        assert_eq!(hotp.verify_range(want, counter, counter), Ok(counter));
    }
}

#[test]
fn rfc6238_appendix_b() {
    let times = [
        59u64,
        1111111109,
        1111111111,
        1234567890,
        2000000000,
        20000000000,
    ];
    let table: [(Algorithm, &[u8], [&str; 6]); 3] = [
        (
            Algorithm::Sha1,
            SEED_SHA1,
            [
                "94287082", "07081804", "14050471", "89005924", "69279037", "65353130",
            ],
        ),
        (
            Algorithm::Sha256,
            SEED_SHA256,
            [
                "46119246", "68084774", "67062674", "91819424", "90698825", "77737706",
            ],
        ),
        (
            Algorithm::Sha512,
            SEED_SHA512,
            [
                "90693936", "25091201", "99943326", "93441116", "38618901", "47863826",
            ],
        ),
    ];
    for (algorithm, seed, codes) in table {
        let totp = Totp::new(
            &Secret::from_bytes(seed).unwrap(),
            algorithm,
            Digits::EIGHT,
            Period::DEFAULT,
        );
        for (t, want) in times.iter().zip(codes) {
            assert_eq!(
                totp.code_at(*t).unwrap().to_string(),
                want,
                "{algorithm} at {t}"
            );
            let m = totp.verify(want, *t, Window::exact()).unwrap();
            assert_eq!((m.step, m.offset), (t / 30, 0));
        }
    }
}

#[test]
fn six_digit_codes_are_the_low_digits_of_eight() {
    // Truncation is modulo 10^digits, so the 6-digit code is the 8-digit one's tail.
    let secret = Secret::from_bytes(SEED_SHA1).unwrap();
    let six = Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::DEFAULT);
    assert_eq!(six.code_at(59).unwrap().to_string(), "287082");
    let ten = Totp::new(
        &secret,
        Algorithm::Sha1,
        Digits::new(10).unwrap(),
        Period::DEFAULT,
    );
    let code = ten.code_at(59).unwrap().to_string();
    assert_eq!(code.len(), 10);
    assert!(code.ends_with("94287082"), "{code}");
}

#[test]
fn time_edges_are_errors_not_wraps() {
    let secret = Secret::from_bytes(SEED_SHA1).unwrap();
    let totp = Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::DEFAULT).with_t0(100);
    assert_eq!(totp.step_at(99), Err(otpkit::TimeError::BeforeEpoch));
    assert_eq!(
        totp.code_at(99).unwrap_err(),
        otpkit::TimeError::BeforeEpoch
    );
    assert!(matches!(
        totp.verify("123456", 99, Window::default()),
        Err(otpkit::VerifyError::Time(otpkit::TimeError::BeforeEpoch))
    ));
    assert_eq!(totp.step_start(u64::MAX), Err(otpkit::TimeError::Overflow));
    // The largest time still works, and a window at the top of the range is cut, not wrapped.
    let one = Totp::new(
        &secret,
        Algorithm::Sha1,
        Digits::SIX,
        Period::new(1).unwrap(),
    );
    let top = one.code_at(u64::MAX).unwrap().to_string();
    let m = one
        .verify(&top, u64::MAX, Window::new(1, 5).unwrap())
        .unwrap();
    assert_eq!((m.step, m.offset), (u64::MAX, 0));
    // At step 0 a window reaching behind is cut at 0.
    let first = one.code_at(0).unwrap().to_string();
    assert_eq!(
        one.verify(&first, 0, Window::new(3, 0).unwrap())
            .unwrap()
            .step,
        0
    );
}

#[test]
fn period_of_one_second_and_odd_periods() {
    let secret = Secret::from_bytes(SEED_SHA1).unwrap();
    let hotp = Hotp::new(&secret, Algorithm::Sha1, Digits::SIX);
    for p in [1u64, 7, 60, 3600] {
        let totp = Totp::new(
            &secret,
            Algorithm::Sha1,
            Digits::SIX,
            Period::new(p).unwrap(),
        );
        assert_eq!(totp.code_at(10_000).unwrap(), hotp.code(10_000 / p));
        assert_eq!(totp.seconds_left(10_000).unwrap(), p - 10_000 % p);
    }
    assert_eq!(Period::new(0), Err(otpkit::TimeError::ZeroPeriod));
}

#[test]
fn hotp_look_ahead_reports_the_offset_and_rejects_behind() {
    let hotp = rfc4226_hotp();
    let m = hotp.verify("520489", 5, 4).unwrap();
    assert_eq!((m.step, m.offset), (9, 4));
    assert_eq!(
        hotp.verify("520489", 5, 3),
        Err(otpkit::VerifyError::Mismatch)
    );
    assert_eq!(
        hotp.verify("755224", 1, 100),
        Err(otpkit::VerifyError::Mismatch)
    );
    assert_eq!(
        hotp.verify_range("755224", 3, 2),
        Err(otpkit::VerifyError::Mismatch)
    );
    assert!(matches!(
        hotp.verify("75522", 0, 1),
        Err(otpkit::VerifyError::Malformed(_))
    ));
}

#[test]
fn debug_output_is_redacted() {
    let secret = Secret::from_bytes(SEED_SHA1).unwrap();
    let totp = Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::DEFAULT);
    let hotp = Hotp::new(&secret, Algorithm::Sha1, Digits::SIX);
    let code = totp.code_at(59).unwrap();
    let text = format!("{totp:?} {hotp:?} {code:?} {secret:?}");
    assert!(!text.contains("287082"), "{text}");
    assert!(!text.contains("GEZD"), "{text}");
    assert!(!text.contains("1234"), "{text}");
    assert!(text.contains("Sha1"), "{text}");
}
