//! The short paths of the crate root: a new TOTP enrolment, an account's generator, a
//! TOTP with defaults, and the server flow imported from the crate root alone.
#![cfg(all(feature = "alloc", feature = "getrandom"))]

use otpkit::{
    Account, Algorithm, DeviceState, Digits, EnrollOutcome, GeneratedCode, Generator, Hotp, Kind,
    Outcome, Period, Policy, ResyncOutcome, Secret, Totp, Verifier,
};

const RFC: &[u8] = b"12345678901234567890";

#[test]
fn new_totp_generates_a_fresh_default_secret() {
    let a = Account::new_totp("Example", "alice@example.com").unwrap();
    let b = Account::new_totp("Example", "alice@example.com").unwrap();
    assert_ne!(a.secret, b.secret, "each enrolment gets its own secret");
    assert_eq!(a.secret.len(), 20);
    assert_eq!(a.algorithm, Algorithm::Sha1);
    assert_eq!(a.digits, Digits::SIX);
    assert_eq!(
        a.kind,
        Kind::Totp {
            period: Period::DEFAULT
        }
    );
    assert_eq!(a.issuer.as_deref(), Some("Example"));
    assert!(a.extra.is_empty());
    // The URI round-trips to the same account.
    let back = Account::parse(&a.to_uri()).unwrap().account;
    assert_eq!(back, a);
}

#[test]
fn empty_issuer_is_none() {
    let a = Account::totp_with_secret("", "bob", Secret::from_bytes(RFC).unwrap());
    assert_eq!(a.issuer, None);
    assert_eq!(a.label(), "bob");
}

#[test]
fn from_secret_equals_the_explicit_form() {
    let secret = Secret::from_bytes(RFC).unwrap();
    let short = Totp::from_secret(&secret);
    let long = Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::DEFAULT);
    for t in [0, 59, 1_111_111_109, 2_000_000_000] {
        assert_eq!(short.code_at(t).unwrap(), long.code_at(t).unwrap());
    }
    assert_eq!(short.algorithm(), Algorithm::Sha1);
    assert_eq!(short.digits(), Digits::SIX);
    assert_eq!(short.period(), Period::DEFAULT);
}

#[test]
fn generator_follows_the_account_kind() {
    let secret = Secret::from_bytes(RFC).unwrap();
    let mut account = Account::totp_with_secret("X", "y", secret.clone());
    account.digits = Digits::EIGHT;
    // RFC 6238 Appendix B, SHA-1, T = 59.
    assert_eq!(
        account
            .generator()
            .unwrap()
            .code_at(59)
            .unwrap()
            .to_string(),
        "94287082"
    );
    assert!(matches!(account.generator(), Ok(Generator::Totp(_))));

    account.kind = Kind::Hotp { counter: 5 };
    account.digits = Digits::SIX;
    let g = account.generator().unwrap();
    assert_eq!(g.counter(), Some(5));
    // RFC 4226 Appendix D, counter 5.
    assert_eq!(g.code_at(0).unwrap().to_string(), "254676");
    assert_eq!(
        g.code_at(0).unwrap(),
        GeneratedCode::Digits(Hotp::new(&secret, Algorithm::Sha1, Digits::SIX).code(5))
    );

    account.kind = Kind::Steam;
    let g = account.generator().unwrap();
    assert!(matches!(g.code_at(0).unwrap(), GeneratedCode::Steam(_)));
    assert_eq!(g.code_at(0).unwrap().to_string().len(), 5);

    // mOTP and Yandex need the PIN; without it there is no generator.
    account.kind = Kind::Motp;
    assert_eq!(
        account.generator().unwrap_err(),
        otpkit::otpauth::PinRequired
    );
    account.pin = Some(otpkit::Pin::new("1234").unwrap());
    let g = account.generator().unwrap();
    assert!(matches!(g.code_at(0).unwrap(), GeneratedCode::Motp(_)));
    assert_eq!(g.seconds_left(3).unwrap(), Some(7));
    account.kind = Kind::Yandex;
    let g = account.generator().unwrap();
    assert!(matches!(g.code_at(0).unwrap(), GeneratedCode::Yandex(_)));
    assert_eq!(g.code_at(0).unwrap().to_string().len(), 8);
    assert_eq!(g.counter(), None);
}

#[test]
fn server_flow_from_the_crate_root() {
    let secret = Secret::from_bytes(RFC).unwrap();
    let totp = Totp::from_secret(&secret);
    let verifier = Verifier::totp(totp.clone(), Policy::default());
    let now = 1_700_000_000;
    let first = totp.code_at(now - 30).unwrap().to_string();
    let second = totp.code_at(now).unwrap().to_string();
    let pending: DeviceState = verifier.begin_enrollment();
    let (outcome, state) = verifier.enroll(&pending, &first, &second, now);
    assert!(
        matches!(outcome, EnrollOutcome::Enrolled { .. }),
        "{outcome:?}"
    );
    let code = totp.code_at(now + 60).unwrap().to_string();
    let (outcome, state) = verifier.verify(&state, &code, now + 60);
    assert!(matches!(outcome, Outcome::Accepted { .. }));
    let (outcome, _) = verifier.verify(&state, &code, now + 61);
    assert_eq!(outcome, Outcome::Replayed);
    let (outcome, _) = verifier.resync(
        &state,
        &totp.code_at(now + 600).unwrap().to_string(),
        &totp.code_at(now + 630).unwrap().to_string(),
        now + 630,
    );
    assert!(
        matches!(outcome, ResyncOutcome::Resynced { .. }),
        "{outcome:?}"
    );
}
