//! The project's own test files (`tests/data/`, built by `make_fixtures.py` from the
//! formats' documented layouts with Python's `cryptography`, independently of this
//! crate). They cover the fields and odd cases of each format; encrypted files open
//! with "otpkit-test" and refuse a wrong password.

use otpkit::otpauth::{Account, Kind, UriError};
use otpkit::{Algorithm, Digits, LengthPolicy, Period, Secret, SecretError};
use otpkit_transfer::{EntryError, EntryWarning, Format, Import, ImportError, import};

const PW: &[u8] = b"otpkit-test";

fn data(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn b32(text: &str) -> Secret {
    Secret::from_base32_with(text, LengthPolicy::AllowShort).unwrap()
}

fn totp(
    issuer: Option<&str>,
    name: &str,
    secret: Secret,
    algorithm: Algorithm,
    digits: u8,
    period: u64,
) -> Account {
    Account {
        issuer: issuer.map(str::to_owned),
        name: name.to_owned(),
        secret,
        algorithm,
        digits: Digits::new(digits).unwrap(),
        kind: Kind::Totp {
            period: Period::new(period).unwrap(),
        },
        pin: None,
        extra: Vec::new(),
    }
}

fn hotp(
    issuer: &str,
    name: &str,
    secret: Secret,
    algorithm: Algorithm,
    digits: u8,
    counter: u64,
) -> Account {
    Account {
        kind: Kind::Hotp { counter },
        ..totp(Some(issuer), name, secret, algorithm, digits, 30)
    }
}

fn steam(name: &str) -> Account {
    // STEAMSECRET: 11 symbols, read as its first 10 (6 bytes).
    Account {
        kind: Kind::Steam,
        digits: Digits::SIX,
        ..totp(
            Some("Steam"),
            name,
            b32("STEAMSECRE"),
            Algorithm::Sha1,
            6,
            30,
        )
    }
}

/// An mOTP account: the secret text as the app hashes it, and the PIN if stored.
fn motp(name: &str, text: &[u8], pin: Option<&str>) -> Account {
    Account {
        kind: Kind::Motp,
        pin: pin.map(|p| otpkit::Pin::new(p).unwrap()),
        ..totp(
            Some("mOTP"),
            name,
            Secret::from_bytes_with(text, otpkit::LengthPolicy::AllowShort).unwrap(),
            Algorithm::Sha1,
            6,
            30,
        )
    }
}

const ALICE: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const DIGITS20: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

fn trailing() -> EntryWarning {
    EntryWarning::TrailingBitsDropped {
        symbols: 11,
        dropped: 1,
    }
}

fn errors(import: &Import) -> Vec<(usize, EntryError)> {
    import
        .report
        .iter()
        .filter_map(|r| r.outcome.clone().err().map(|e| (r.index, e)))
        .collect()
}

fn check_aegis(out: &Import) {
    assert_eq!(
        out.accounts,
        vec![
            totp(
                Some("Example"),
                "alice@example.com",
                b32(ALICE),
                Algorithm::Sha1,
                6,
                30
            ),
            totp(
                Some("Sixty"),
                "bob",
                b32(DIGITS20),
                Algorithm::Sha256,
                8,
                60
            ),
            hotp(
                "Counter",
                "carol",
                b32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
                Algorithm::Sha512,
                7,
                5
            ),
            steam("gamer"),
            // Aegis keeps the bytes "12345"; the text hashed is their lowercase hex.
            motp("vpn", b"3132333435", Some("1234")),
        ]
    );
    assert_eq!(
        errors(out),
        vec![
            (5, EntryError::MissingField("info.secret")),
            (6, EntryError::InvalidDigits(11)),
        ]
    );
    assert_eq!(out.report[3].label, "Steam:gamer");
    assert!(
        out.report[3]
            .outcome
            .as_ref()
            .unwrap()
            .contains(&trailing())
    );
}

#[test]
fn aegis_plain() {
    check_aegis(&import(Format::Aegis, &data("aegis_plain.json"), None).unwrap());
}

#[test]
fn aegis_encrypted_right_wrong_missing_tampered() {
    let file = data("aegis_encrypted.json");
    check_aegis(&import(Format::Aegis, &file, Some(PW)).unwrap());
    let f = Format::Aegis;
    assert_eq!(
        import(f, &file, Some(b"otpkit-Test")).unwrap_err(),
        ImportError::WrongPassword { format: f }
    );
    assert_eq!(
        import(f, &file, None).unwrap_err(),
        ImportError::PasswordRequired { format: f }
    );
    let mut vault: serde_json::Value = serde_json::from_slice(&file).unwrap();
    let tag = vault["header"]["params"]["tag"]
        .as_str()
        .unwrap()
        .to_owned();
    let flipped = format!(
        "{}{}",
        if tag.starts_with('0') { '1' } else { '0' },
        &tag[1..]
    );
    vault["header"]["params"]["tag"] = flipped.into();
    assert_eq!(
        import(
            f,
            serde_json::to_string(&vault).unwrap().as_bytes(),
            Some(PW)
        )
        .unwrap_err(),
        ImportError::IntegrityCheckFailed { format: f }
    );
    // A hostile scrypt cost is refused before any work.
    let mut vault: serde_json::Value = serde_json::from_slice(&file).unwrap();
    vault["header"]["slots"][1]["n"] = (1u64 << 40).into();
    let refused = import(
        f,
        serde_json::to_string(&vault).unwrap().as_bytes(),
        Some(PW),
    );
    assert!(
        matches!(refused, Err(ImportError::KdfBudget { format, exceeded })
            if format == f && exceeded.memory_exceeded()),
        "{refused:?}"
    );
}

fn check_twofas(out: &Import) {
    assert_eq!(
        out.accounts,
        vec![
            totp(
                Some("Example"),
                "alice@example.com",
                b32(ALICE),
                Algorithm::Sha1,
                6,
                30
            ),
            hotp("Counter", "carol", b32(DIGITS20), Algorithm::Sha256, 8, 42),
            Account {
                name: String::new(),
                ..steam("")
            },
            totp(
                Some("Defaults"),
                "dave",
                b32("GEZDGNBVGY3TQOJQ"),
                Algorithm::Sha1,
                6,
                30
            ),
        ]
    );
    assert_eq!(
        errors(out),
        vec![(4, EntryError::UnsupportedAlgorithm("SHA384".into()))]
    );
    let defaults = out.report[3].outcome.as_ref().unwrap();
    assert!(defaults.contains(&EntryWarning::Defaulted {
        field: "otp.algorithm"
    }));
    assert!(defaults.contains(&EntryWarning::Defaulted {
        field: "otp.period"
    }));
    assert!(defaults.contains(&EntryWarning::ShortSecret { bits: 80 }));
}

#[test]
fn twofas_plain() {
    check_twofas(&import(Format::TwoFas, &data("twofas_plain.2fas"), None).unwrap());
}

#[test]
fn twofas_encrypted_right_wrong_tampered() {
    let f = Format::TwoFas;
    let file = data("twofas_encrypted.2fas");
    check_twofas(&import(f, &file, Some(PW)).unwrap());
    assert_eq!(
        import(f, &file, Some(b"wrong")).unwrap_err(),
        ImportError::WrongPassword { format: f }
    );
    assert_eq!(
        import(f, &file, None).unwrap_err(),
        ImportError::PasswordRequired { format: f }
    );
    // The reference still opens, the services do not: damage, not a wrong password.
    let mut backup: serde_json::Value = serde_json::from_slice(&file).unwrap();
    let sealed = backup["servicesEncrypted"].as_str().unwrap().to_owned();
    let flipped = format!(
        "{}{}",
        if sealed.starts_with('A') { 'B' } else { 'A' },
        &sealed[1..]
    );
    backup["servicesEncrypted"] = flipped.into();
    assert_eq!(
        import(
            f,
            serde_json::to_string(&backup).unwrap().as_bytes(),
            Some(PW)
        )
        .unwrap_err(),
        ImportError::IntegrityCheckFailed { format: f }
    );
}

fn check_andotp(out: &Import) {
    assert_eq!(
        out.accounts,
        vec![
            totp(
                Some("Example"),
                "alice@example.com",
                b32(ALICE),
                Algorithm::Sha1,
                6,
                30
            ),
            hotp("Legacy", "frank", b32(DIGITS20), Algorithm::Sha1, 6, 3),
            steam("gamer"),
            // andOTP keeps the text typed ("12345") and no PIN.
            motp("vpn", b"12345", None),
        ]
    );
    assert_eq!(errors(out), vec![]);
    assert_eq!(out.report[3].outcome, Ok(vec![EntryWarning::PinNotStored]));
}

#[test]
fn andotp_plain_new_and_old_encryption() {
    let f = Format::AndOtp;
    check_andotp(&import(f, &data("andotp_plain.json"), None).unwrap());
    for name in ["andotp_encrypted.bin", "andotp_encrypted_old.bin"] {
        let file = data(name);
        check_andotp(&import(f, &file, Some(PW)).unwrap());
        assert_eq!(
            import(f, &file, Some(b"nope")).unwrap_err(),
            ImportError::WrongPassword { format: f }
        );
        assert_eq!(
            import(f, &file, None).unwrap_err(),
            ImportError::PasswordRequired { format: f }
        );
    }
}

fn check_bitwarden(out: &Import) {
    assert_eq!(
        out.accounts,
        vec![
            totp(
                Some("Example"),
                "alice@example.com",
                b32(ALICE),
                Algorithm::Sha256,
                8,
                60
            ),
            totp(
                Some("Bare"),
                "bob",
                b32("GEZDGNBVGY3TQOJQ"),
                Algorithm::Sha1,
                6,
                30
            ),
            steam("gamer"),
        ]
    );
    // The card and the login without TOTP are not OTP entries: 4 reports, not 6.
    assert_eq!(out.report.len(), 4);
    assert_eq!(
        errors(out),
        vec![(
            3,
            EntryError::Uri(UriError::Secret(SecretError::InvalidCharacter {
                position: 4
            }))
        )]
    );
    assert_eq!(out.report[3].label, "Broken:dave");
}

#[test]
fn bitwarden_plain_and_password_protected() {
    let f = Format::Bitwarden;
    check_bitwarden(&import(f, &data("bitwarden_plain.json"), None).unwrap());
    let file = data("bitwarden_encrypted.json");
    check_bitwarden(&import(f, &file, Some(PW)).unwrap());
    assert_eq!(
        import(f, &file, Some(b"x")).unwrap_err(),
        ImportError::WrongPassword { format: f }
    );
    assert_eq!(
        import(f, &file, None).unwrap_err(),
        ImportError::PasswordRequired { format: f }
    );
    let mut export: serde_json::Value = serde_json::from_slice(&file).unwrap();
    let d = export["data"].as_str().unwrap().to_owned();
    let (head, mac) = d.rsplit_once('|').unwrap();
    let mac = format!(
        "{}{}",
        if mac.starts_with('A') { 'B' } else { 'A' },
        &mac[1..]
    );
    export["data"] = format!("{head}|{mac}").into();
    assert_eq!(
        import(
            f,
            serde_json::to_string(&export).unwrap().as_bytes(),
            Some(PW)
        )
        .unwrap_err(),
        ImportError::IntegrityCheckFailed { format: f }
    );
    let locked = br#"{"encrypted": true, "encKeyValidation_DO_NOT_EDIT": "2.x|y|z", "items": []}"#;
    assert!(matches!(
        import(f, locked, Some(PW)),
        Err(ImportError::UnsupportedEncryption { .. })
    ));
}

#[test]
fn freeotp_plus() {
    let out = import(Format::FreeOtpPlus, &data("freeotp_plus.json"), None).unwrap();
    assert_eq!(
        out.accounts,
        vec![
            totp(
                Some("Example"),
                "alice@example.com",
                b32(ALICE),
                Algorithm::Sha1,
                6,
                30
            ),
            hotp("Counter", "carol", b32(DIGITS20), Algorithm::Sha512, 8, 9),
        ]
    );
    assert!(matches!(
        errors(&out)[..],
        [(2, EntryError::Malformed { .. })]
    ));
}

#[test]
fn authenticator_pro() {
    let out = import(Format::AuthenticatorPro, &data("authpro_plain.json"), None).unwrap();
    assert_eq!(
        out.accounts,
        vec![
            totp(
                Some("Example"),
                "alice@example.com",
                b32(ALICE),
                Algorithm::Sha256,
                8,
                60
            ),
            hotp("Counter", "carol", b32(DIGITS20), Algorithm::Sha512, 6, 12),
            steam("gamer"),
            // No `Pin` field (older versions): the PIN ends `Secret`.
            motp("vpn", b"abcdef012345", Some("6789")),
        ]
    );
    assert_eq!(errors(&out), vec![]);
    // Encrypted backups (read in `authpro`'s own tests) need the password.
    assert!(matches!(
        import(Format::AuthenticatorPro, b"AUTHENTICATORPRO\x00\x01", None),
        Err(ImportError::PasswordRequired { .. })
    ));
    assert!(matches!(
        import(
            Format::AuthenticatorPro,
            b"AUTHENTICATORPRO\x00\x01",
            Some(b"pw")
        ),
        Err(ImportError::Malformed { .. })
    ));
}

#[test]
fn otpauth_list() {
    let out = import(Format::OtpauthList, &data("otpauth_list.txt"), None).unwrap();
    let mut icon = totp(
        Some("Example"),
        "icon",
        b32("JBSWY3DPEHPK3PXP"),
        Algorithm::Sha1,
        6,
        45,
    );
    icon.extra
        .push(("image".into(), "https://example.com/i.png".into()));
    assert_eq!(
        out.accounts,
        vec![
            totp(
                Some("Example"),
                "alice@example.com",
                b32(ALICE),
                Algorithm::Sha1,
                6,
                30
            ),
            hotp("Counter", "carol", b32(DIGITS20), Algorithm::Sha256, 8, 7),
            steam("gamer"),
            icon,
        ]
    );
    assert_eq!(
        errors(&out),
        vec![
            (6, EntryError::Uri(UriError::MissingSecret)),
            (7, EntryError::Uri(UriError::NotOtpauth))
        ]
    );
    assert_eq!(
        out.report.iter().map(|r| r.index).collect::<Vec<_>>(),
        vec![1, 3, 4, 5, 6, 7]
    );
}

/// Every prefix of every file is refused or read without a panic, and no report,
/// error or `Debug` output shows a secret.
#[test]
fn truncations_never_panic_and_nothing_leaks() {
    let files = [
        (Format::Aegis, "aegis_plain.json"),
        (Format::Aegis, "aegis_encrypted.json"),
        (Format::TwoFas, "twofas_plain.2fas"),
        (Format::TwoFas, "twofas_encrypted.2fas"),
        (Format::AndOtp, "andotp_plain.json"),
        (Format::AndOtp, "andotp_encrypted.bin"),
        (Format::Bitwarden, "bitwarden_plain.json"),
        (Format::Bitwarden, "bitwarden_encrypted.json"),
        (Format::FreeOtpPlus, "freeotp_plus.json"),
        (Format::AuthenticatorPro, "authpro_plain.json"),
        (Format::OtpauthList, "otpauth_list.txt"),
    ];
    for (format, name) in files {
        let file = data(name);
        for len in 0..file.len() {
            let result = import(format, &file[..len], None);
            let shown = match &result {
                Ok(out) => format!(
                    "{out:?} {:?}",
                    out.report
                        .iter()
                        .map(|r| match &r.outcome {
                            Ok(w) => w
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join(";"),
                            Err(e) => e.to_string(),
                        })
                        .collect::<Vec<_>>()
                ),
                Err(e) => format!("{e:?} {e}"),
            };
            for secret in [ALICE, DIGITS20, "STEAMSECRET", "GEZDGNBVGY3TQOJQ"] {
                assert!(
                    !shown.contains(secret),
                    "{name}[..{len}] shows a secret: {shown}"
                );
            }
        }
    }
}

/// A counter beyond `i64` is refused for that entry, never saturated (a changed
/// counter would give wrong codes).
#[test]
fn huge_counters_are_refused_not_saturated() {
    let vault = r#"{"version":1,"header":{"slots":null,"params":null},"db":{"version":3,"entries":[
        {"type":"hotp","name":"big","issuer":"X","info":{"secret":"JBSWY3DPEHPK3PXP","algo":"SHA1","digits":6,"counter":18446744073709551615}},
        {"type":"hotp","name":"ok","issuer":"X","info":{"secret":"JBSWY3DPEHPK3PXP","algo":"SHA1","digits":6,"counter":9223372036854775807}}]}}"#;
    let out = import(Format::Aegis, vault.as_bytes(), None).unwrap();
    assert!(matches!(
        out.report[0].outcome,
        Err(EntryError::Malformed { .. })
    ));
    assert_eq!(out.accounts.len(), 1);
    assert_eq!(
        out.accounts[0].kind,
        Kind::Hotp {
            counter: 9_223_372_036_854_775_807
        }
    );
}
