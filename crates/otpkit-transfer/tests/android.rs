//! The Android app formats read from files written by `tests/data/make_android_fixtures.py`
//! (Python's `cryptography` and `hashlib`, an implementation apart from the Rust
//! code): FreeOTP 1 and 2, FreeOTP+'s internal XML, Authy, Battle.net, TOTP
//! Authenticator. Password of the encrypted files: "otpkit-test".

use otpkit::otpauth::Kind;
use otpkit::{Algorithm, Period};
use otpkit_transfer::{Format, ImportError, import};

const PW: &[u8] = b"otpkit-test";
const KEY_A: &[u8] = b"12345678901234567890";
const KEY_B: [u8; 20] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
];

fn file(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/android")
            .join(name),
    )
    .unwrap()
}

/// An account as compared: issuer, name, key, algorithm, digits, kind.
type Read = (Option<String>, String, Vec<u8>, Algorithm, u8, Kind);

/// Every account read.
fn accounts(format: Format, data: &[u8], password: Option<&[u8]>) -> Vec<Read> {
    let out = import(format, data, password).unwrap();
    assert_eq!(out.failures().count(), 0, "{:?}", out.report);
    out.accounts
        .iter()
        .map(|a| {
            (
                a.issuer.clone(),
                a.name.clone(),
                a.secret.as_bytes().to_vec(),
                a.algorithm,
                a.digits.get(),
                a.kind,
            )
        })
        .collect()
}

fn totp(seconds: u64) -> Kind {
    Kind::Totp {
        period: Period::new(seconds).unwrap(),
    }
}

fn some(s: &str) -> Option<String> {
    Some(s.to_owned())
}

/// Every encrypted file refuses a wrong password and asks for a missing one.
fn refuses_wrong_and_missing_password(format: Format, data: &[u8]) {
    assert_eq!(
        import(format, data, Some(b"not the password")).unwrap_err(),
        ImportError::WrongPassword { format }
    );
    assert_eq!(
        import(format, data, None).unwrap_err(),
        ImportError::PasswordRequired { format }
    );
}

#[test]
fn freeotp_v1_and_freeotp_plus_internal_xml() {
    let expected = vec![
        (
            some("Example"),
            "alice".to_owned(),
            KEY_A.to_vec(),
            Algorithm::Sha1,
            6,
            totp(30),
        ),
        // FreeOTP 1 stores the counter of the next code − 1: read as stored.
        (
            some("Bank"),
            "bob".to_owned(),
            KEY_B.to_vec(),
            Algorithm::Sha256,
            8,
            Kind::Hotp { counter: 4 },
        ),
    ];
    let v1 = file("freeotp_tokens.xml");
    assert_eq!(accounts(Format::FreeOtp, &v1, None), expected);
    let plus = file("freeotp_plus_internal.xml");
    assert_eq!(accounts(Format::FreeOtpPlus, &plus, None), expected);
}

#[test]
fn freeotp_v2_backup() {
    let data = file("freeotp_backup.xml");
    assert_eq!(
        accounts(Format::FreeOtp, &data, Some(PW)),
        vec![
            (
                some("Example"),
                "alice".to_owned(),
                KEY_A.to_vec(),
                Algorithm::Sha1,
                6,
                totp(30)
            ),
            (
                some("Bank"),
                "bob".to_owned(),
                KEY_B.to_vec(),
                Algorithm::Sha256,
                8,
                Kind::Hotp { counter: 5 }
            ),
        ]
    );
    refuses_wrong_and_missing_password(Format::FreeOtp, &data);
    for cut in [10, data.len() / 2, data.len() - 1] {
        assert!(matches!(
            import(Format::FreeOtp, &data[..cut], Some(PW)),
            Err(ImportError::Malformed { .. })
        ));
    }
}

#[test]
fn authy_plain_and_encrypted() {
    let plain = accounts(Format::Authy, &file("authy_plain.xml"), None);
    assert_eq!(
        plain,
        vec![
            (
                some("Example"),
                "alice".to_owned(),
                KEY_A.to_vec(),
                Algorithm::Sha1,
                6,
                totp(30)
            ),
            (
                some("Bank"),
                "bob".to_owned(),
                KEY_B.to_vec(),
                Algorithm::Sha1,
                7,
                totp(30)
            ),
        ]
    );
    let data = file("authy_encrypted.xml");
    let encrypted = accounts(Format::Authy, &data, Some(PW));
    assert_eq!(
        encrypted.iter().map(|a| &a.2).collect::<Vec<_>>(),
        [&KEY_A.to_vec(), &KEY_B.to_vec()]
    );
    assert_eq!(encrypted[1].0, some("Bank"));
    refuses_wrong_and_missing_password(Format::Authy, &data);
    assert!(matches!(
        import(Format::Authy, &data[..data.len() / 2], Some(PW)),
        Err(ImportError::Malformed { .. })
    ));
}

#[test]
fn battle_net() {
    let data = file("battle_net.xml");
    assert_eq!(
        accounts(Format::BattleNet, &data, None),
        vec![(
            some("Battle.net"),
            "EU-1234-5678-9012".to_owned(),
            KEY_A.to_vec(),
            Algorithm::Sha1,
            8,
            totp(30)
        )]
    );
    assert!(matches!(
        import(Format::BattleNet, &data[..data.len() / 2], None),
        Err(ImportError::Malformed { .. })
    ));
}

#[test]
fn totp_authenticator_backup_and_internal_xml() {
    let expected = vec![
        (
            some("Example"),
            "alice".to_owned(),
            KEY_A.to_vec(),
            Algorithm::Sha1,
            6,
            totp(30),
        ),
        (
            some("Bank"),
            "bob".to_owned(),
            KEY_B.to_vec(),
            Algorithm::Sha1,
            6,
            totp(30),
        ),
        (
            some("Mail"),
            "carol".to_owned(),
            KEY_A.to_vec(),
            Algorithm::Sha1,
            6,
            totp(30),
        ),
    ];
    let bin = file("totp_authenticator.bin");
    assert_eq!(
        accounts(Format::TotpAuthenticator, &bin, Some(PW)),
        expected
    );
    refuses_wrong_and_missing_password(Format::TotpAuthenticator, &bin);
    // Made without a password of the user's: the app's own opens it.
    let built_in = file("totp_authenticator_built_in.bin");
    assert_eq!(
        accounts(Format::TotpAuthenticator, &built_in, None),
        expected
    );
    let xml = file("totp_authenticator_internal.xml");
    assert_eq!(accounts(Format::TotpAuthenticator, &xml, None), expected);
    assert!(matches!(
        import(Format::TotpAuthenticator, &bin[..bin.len() - 3], Some(PW)),
        Err(ImportError::Malformed { .. })
    ));
}

#[test]
fn format_names_parse() {
    for (name, format) in [
        ("freeotp", Format::FreeOtp),
        ("authy", Format::Authy),
        ("battle-net", Format::BattleNet),
        ("totp-authenticator", Format::TotpAuthenticator),
    ] {
        assert_eq!(name.parse::<Format>(), Ok(format));
        assert_eq!(format.name(), name);
        assert!(Format::ALL.contains(&format));
    }
}
