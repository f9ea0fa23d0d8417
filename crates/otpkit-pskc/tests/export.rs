//! What `export` writes imports back through this crate's reader to the same
//! secrets and parameters, in the clear, under a pre-shared key and under a password;
//! a wrong key or password, a tampered value and unexpressible accounts are refused.

use otpkit::otpauth::{Account, Kind as AccountKind};
use otpkit_pskc::export::{DEFAULT_PBKDF2_ITERATIONS, Encryption, ExportError, MacHash, export};
use otpkit_pskc::{Decryption, KeyError, Kind, Protection, PskcError, import};

fn accounts() -> Vec<Account> {
    [
        "otpauth://totp/Acme%20%26%20Co:alice%3Cx%3E?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&period=60&digits=8&algorithm=SHA256",
        "otpauth://hotp/bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=18446744073709551615&issuer=Bank",
        "otpauth://totp/Corp:carol?secret=MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPIYTEMZUGU3DOOBZ&algorithm=SHA512&digits=7",
    ]
    .iter()
    .map(|u| u.parse().unwrap())
    .collect()
}

/// Every token matches its account: secret, hash, digits, period or counter,
/// issuer, and name (as `<FriendlyName>`).
fn assert_same(xml: &str, decryption: Decryption<'_>, expected: Protection) {
    let import = import(xml.as_bytes(), decryption).unwrap();
    let accounts = accounts();
    assert_eq!(import.keys.len(), accounts.len());
    for (report, account) in import.keys.iter().zip(&accounts) {
        let token = report.result.as_ref().unwrap();
        assert_eq!(token.secret, account.secret);
        assert_eq!(token.algorithm, account.algorithm);
        assert_eq!(token.digits, account.digits);
        assert_eq!(token.issuer, account.issuer);
        assert_eq!(token.friendly_name.as_deref(), Some(account.name.as_str()));
        assert_eq!(token.protection, expected);
        assert!(token.defaulted.is_empty(), "{:?}", token.defaulted);
        match (token.kind, &account.kind) {
            (Kind::Totp { period, t0, drift }, AccountKind::Totp { period: p }) => {
                assert_eq!((period, t0, drift), (*p, 0, 0));
            }
            (Kind::Hotp { counter }, AccountKind::Hotp { counter: c }) => assert_eq!(counter, *c),
            other => panic!("kind changed: {other:?}"),
        }
    }
}

#[test]
fn plain_round_trip() {
    let written = export(&accounts(), Encryption::None).unwrap();
    assert!(written.dropped_parameters.is_empty());
    assert!(written.xml.contains("<PlainValue>"));
    assert!(!written.xml.contains("EncryptedValue"));
    assert!(written.xml.contains("Acme &amp; Co"));
    assert_same(&written.xml, Decryption::None, Protection::InTheClear);
}

#[test]
fn pre_shared_key_round_trip_every_cipher_and_mac() {
    for (len, uri) in [(16, "aes128-cbc"), (24, "aes192-cbc"), (32, "aes256-cbc")] {
        for (mac, mac_uri) in [
            (MacHash::Sha1, "#hmac-sha1"),
            (MacHash::Sha256, "#hmac-sha256"),
        ] {
            let key = vec![0x42u8; len];
            let written = export(
                &accounts(),
                Encryption::PreSharedKey {
                    key: &key,
                    key_name: "Pre-shared-key <1>",
                    mac,
                },
            )
            .unwrap();
            assert!(written.xml.contains(uri));
            assert!(written.xml.contains(mac_uri));
            assert!(
                written
                    .xml
                    .contains("<ds:KeyName>Pre-shared-key &lt;1&gt;</ds:KeyName>")
            );
            assert!(!written.xml.contains("<Secret><PlainValue>"));
            assert_eq!(written.xml.matches("<ValueMAC>").count(), 3);
            assert_same(
                &written.xml,
                Decryption::PreSharedKey(&key),
                Protection::MacChecked,
            );
            let wrong = vec![0x43u8; len];
            assert_eq!(
                import(written.xml.as_bytes(), Decryption::PreSharedKey(&wrong)).err(),
                Some(PskcError::WrongKeyOrPassword)
            );
            assert_eq!(
                import(written.xml.as_bytes(), Decryption::None).err(),
                Some(PskcError::NeedsPreSharedKey)
            );
        }
    }
}

#[test]
fn password_round_trip() {
    let written = export(
        &accounts(),
        Encryption::Password {
            password: b"correct horse",
            iterations: 1000,
            mac: MacHash::Sha1,
        },
    )
    .unwrap();
    assert!(
        written
            .xml
            .contains("<IterationCount>1000</IterationCount>")
    );
    assert!(
        written
            .xml
            .contains("xmldsig-more#hmac-sha256\"/></pkcs5:PBKDF2-params>")
    );
    assert_same(
        &written.xml,
        Decryption::Password(b"correct horse"),
        Protection::MacChecked,
    );
    assert_eq!(
        import(
            written.xml.as_bytes(),
            Decryption::Password(b"correct horsf")
        )
        .err(),
        Some(PskcError::WrongKeyOrPassword)
    );
    assert_eq!(
        import(written.xml.as_bytes(), Decryption::None).err(),
        Some(PskcError::NeedsPassword)
    );
}

#[test]
fn default_password_export_fits_the_importers_default_budget() {
    let written = export(&accounts(), Encryption::password(b"pw")).unwrap();
    assert!(written.xml.contains(&format!(
        "<IterationCount>{DEFAULT_PBKDF2_ITERATIONS}</IterationCount>"
    )));
    assert_same(
        &written.xml,
        Decryption::Password(b"pw"),
        Protection::MacChecked,
    );
}

#[test]
fn salts_ivs_and_mac_keys_are_fresh_each_time() {
    let key = [9u8; 16];
    let enc = Encryption::PreSharedKey {
        key: &key,
        key_name: "k",
        mac: MacHash::Sha256,
    };
    let a = export(&accounts(), enc).unwrap();
    let b = export(&accounts(), enc).unwrap();
    assert_ne!(*a.xml, *b.xml);
    let values = |xml: &str| -> Vec<String> {
        xml.split("<xenc:CipherValue>")
            .skip(1)
            .map(|s| s.split('<').next().unwrap().to_owned())
            .collect()
    };
    let mut all = values(&a.xml);
    all.extend(values(&b.xml));
    assert_eq!(all.len(), 8); // a MAC key and three secrets, twice
    let ivs: std::collections::HashSet<Vec<u8>> = all
        .iter()
        .map(|v| data_encoding::BASE64.decode(v.as_bytes()).unwrap()[..16].to_vec())
        .collect();
    assert_eq!(ivs.len(), 8);
    let p1 = export(
        &accounts(),
        Encryption::Password {
            password: b"p",
            iterations: 1,
            mac: MacHash::Sha1,
        },
    )
    .unwrap();
    let p2 = export(
        &accounts(),
        Encryption::Password {
            password: b"p",
            iterations: 1,
            mac: MacHash::Sha1,
        },
    )
    .unwrap();
    let salt = |xml: &str| {
        xml.split("<Specified>")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_owned()
    };
    assert_ne!(salt(&p1.xml), salt(&p2.xml));
}

#[test]
fn a_tampered_secret_is_caught_by_its_mac() {
    let key = [1u8; 16];
    let written = export(
        &accounts()[..1],
        Encryption::PreSharedKey {
            key: &key,
            key_name: "k",
            mac: MacHash::Sha1,
        },
    )
    .unwrap();
    // The secret's CipherValue is the second one (after the MAC key's): flip a bit
    // of its IV, which AES-CBC alone would let through as a changed secret.
    let value = written
        .xml
        .split("<xenc:CipherValue>")
        .nth(2)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    let mut bytes = data_encoding::BASE64.decode(value.as_bytes()).unwrap();
    bytes[0] ^= 1;
    let tampered = written
        .xml
        .replace(value, &data_encoding::BASE64.encode(&bytes));
    let import = import(tampered.as_bytes(), Decryption::PreSharedKey(&key)).unwrap();
    assert_eq!(
        import.keys[0].result.as_ref().err(),
        Some(&KeyError::MacMismatch { field: "Secret" })
    );
}

#[test]
fn what_pskc_cannot_hold_is_refused_or_reported() {
    let mut list = accounts();
    list.push(
        "otpauth://totp/Steam:dave?secret=JBSWY3DPEHPK3PXP&issuer=Steam"
            .parse()
            .unwrap(),
    );
    assert!(matches!(list[3].kind, AccountKind::Steam));
    assert_eq!(
        export(&list, Encryption::None).err(),
        Some(ExportError::Steam { index: 3 })
    );

    let with_image: Account =
        "otpauth://totp/x?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&image=https%3A%2F%2Fa%2Fb.png"
            .parse()
            .unwrap();
    let written = export(&[with_image], Encryption::None).unwrap();
    assert_eq!(
        written.dropped_parameters,
        vec![(0, vec!["image".to_owned()])]
    );
}

#[test]
fn export_errors_have_stable_codes() {
    use otpkit::ErrorCode;
    assert_eq!(
        ExportError::Steam { index: 0 }.code(),
        ErrorCode::SteamUnsupported
    );
    assert_eq!(
        ExportError::KeyLength(15).code(),
        ErrorCode::UnsupportedEncryption
    );
    assert_eq!(ExportError::EmptyPassword.code(), ErrorCode::EmptyPassword);
    assert_eq!(ExportError::ZeroIterations.code(), ErrorCode::KdfParameters);
    assert_eq!(ExportError::Rng.code(), ErrorCode::RngFailed);
    assert_eq!(ExportError::Crypto.code(), ErrorCode::EncryptionFailed);
    assert!(ExportError::KeyLength(15).to_string().contains("15"));
}

#[test]
fn bad_parameters_are_refused() {
    let list = accounts();
    assert_eq!(
        export(
            &list,
            Encryption::PreSharedKey {
                key: &[0; 15],
                key_name: "k",
                mac: MacHash::Sha1
            }
        )
        .err(),
        Some(ExportError::KeyLength(15))
    );
    assert_eq!(
        export(
            &list,
            Encryption::Password {
                password: b"",
                iterations: 1,
                mac: MacHash::Sha1
            }
        )
        .err(),
        Some(ExportError::EmptyPassword)
    );
    assert_eq!(
        export(
            &list,
            Encryption::Password {
                password: b"p",
                iterations: 0,
                mac: MacHash::Sha1
            }
        )
        .err(),
        Some(ExportError::ZeroIterations)
    );
}

#[test]
fn debug_shows_no_key_or_password() {
    let shown = format!(
        "{:?} {:?}",
        Encryption::PreSharedKey {
            key: b"SECRETKEYSECRETK",
            key_name: "n",
            mac: MacHash::Sha1
        },
        Encryption::password(b"hunter2")
    );
    assert!(
        !shown.contains("SECRETKEY") && !shown.contains("hunter2"),
        "{shown}"
    );
    assert!(shown.contains("600000"));
    let written = export(&accounts(), Encryption::None).unwrap();
    let shown = format!("{written:?}");
    assert!(
        !shown.contains("PlainValue") && !shown.contains("SGVsbG8h"),
        "{shown}"
    );
    assert!(shown.contains("xml_len"));
}

#[test]
fn an_empty_list_is_an_empty_container() {
    let written = export(&[], Encryption::None).unwrap();
    assert!(
        import(written.xml.as_bytes(), Decryption::None)
            .unwrap()
            .keys
            .is_empty()
    );
}
