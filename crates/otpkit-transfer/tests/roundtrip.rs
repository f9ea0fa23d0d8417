//! Export → import round trips for every format this crate writes.

use otpkit::otpauth::{Account, Kind};
use otpkit::{Algorithm, Digits, LengthPolicy, Period, Secret};
use otpkit_transfer::export::{self, Omission, Unsupported};
use otpkit_transfer::{Format, ImportError, import};

fn account(
    issuer: Option<&str>,
    name: &str,
    seed: u8,
    kind: Kind,
    algorithm: Algorithm,
    digits: u8,
) -> Account {
    Account {
        issuer: issuer.map(str::to_owned),
        name: name.to_owned(),
        secret: Secret::from_bytes_with(&[seed; 20], LengthPolicy::AllowShort).unwrap(),
        algorithm,
        digits: Digits::new(digits).unwrap(),
        kind,
        pin: None,
        extra: Vec::new(),
    }
}

/// Every kind, algorithm and odd value an Account can hold, and awkward labels.
fn sample() -> Vec<Account> {
    let p = |s| Kind::Totp {
        period: Period::new(s).unwrap(),
    };
    vec![
        account(
            Some("Example"),
            "alice@example.com",
            1,
            p(30),
            Algorithm::Sha1,
            6,
        ),
        account(
            Some("Ünïcode: Co"),
            "bob & \"quotes\"",
            2,
            p(60),
            Algorithm::Sha256,
            8,
        ),
        account(None, "no issuer", 3, p(15), Algorithm::Sha512, 10),
        account(
            Some("Counter"),
            "h",
            4,
            Kind::Hotp { counter: 10_300 },
            Algorithm::Sha1,
            7,
        ),
        account(Some("Steam"), "gamer", 5, Kind::Steam, Algorithm::Sha1, 6),
        Account {
            secret: Secret::from_bytes_with(&[6; 10], LengthPolicy::AllowShort).unwrap(),
            ..account(Some("Short"), "80-bit", 6, p(30), Algorithm::Sha1, 6)
        },
    ]
}

#[test]
fn aegis_plain_round_trip() {
    let accounts = sample();
    let out = export::aegis(&accounts, None).unwrap();
    assert!(out.notes.is_empty());
    let back = import(Format::Aegis, out.output.as_bytes(), None).unwrap();
    assert_eq!(back.accounts, accounts);
    assert!(back.failures().next().is_none());
}

#[test]
fn aegis_encrypted_round_trip_and_wrong_password() {
    let accounts = sample();
    let out = export::aegis(&accounts, Some("pässwörd".as_bytes())).unwrap();
    assert!(!out.output.contains("alice"), "the vault must be encrypted");
    let back = import(
        Format::Aegis,
        out.output.as_bytes(),
        Some("pässwörd".as_bytes()),
    )
    .unwrap();
    assert_eq!(back.accounts, accounts);
    assert_eq!(
        import(Format::Aegis, out.output.as_bytes(), Some(b"wrong")).unwrap_err(),
        ImportError::WrongPassword {
            format: Format::Aegis
        }
    );
    assert_eq!(
        import(Format::Aegis, out.output.as_bytes(), None).unwrap_err(),
        ImportError::PasswordRequired {
            format: Format::Aegis
        }
    );
    // Two exports of the same accounts differ (fresh salt, key and nonces).
    let again = export::aegis(&accounts, Some("pässwörd".as_bytes())).unwrap();
    assert_ne!(*again.output, *out.output);
    assert_eq!(
        export::aegis(&accounts, Some(b"")).unwrap_err(),
        export::ExportError::EmptyPassword
    );
}

#[test]
fn aegis_tampered_database_fails_integrity() {
    let out = export::aegis(&sample(), Some(b"pw")).unwrap();
    let mut vault: serde_json::Value = serde_json::from_str(&out.output).unwrap();
    let db = vault["db"].as_str().unwrap().to_owned();
    // Flip one base64 character of the ciphertext.
    let mut chars: Vec<char> = db.chars().collect();
    chars[5] = if chars[5] == 'A' { 'B' } else { 'A' };
    vault["db"] = serde_json::Value::String(chars.into_iter().collect());
    let text = serde_json::to_string(&vault).unwrap();
    assert_eq!(
        import(Format::Aegis, text.as_bytes(), Some(b"pw")).unwrap_err(),
        ImportError::IntegrityCheckFailed {
            format: Format::Aegis
        }
    );
}

#[test]
fn otpauth_list_round_trip_keeps_extras() {
    let mut accounts = sample();
    accounts[0]
        .extra
        .push(("image".into(), "https://example.com/i.png".into()));
    let out = export::otpauth_list(&accounts);
    assert!(out.notes.is_empty());
    let back = import(Format::OtpauthList, out.output.as_bytes(), None).unwrap();
    assert_eq!(back.accounts, accounts);
}

#[test]
fn aegis_reports_dropped_extras() {
    let mut accounts = sample();
    accounts[1].extra.push(("icon".into(), "x".into()));
    let out = export::aegis(&accounts, None).unwrap();
    assert_eq!(out.notes.len(), 1);
    assert_eq!(out.notes[0].index, 1);
    assert_eq!(
        out.notes[0].what,
        Omission::ExtraParametersDropped(vec!["icon".into()])
    );
}

#[test]
fn google_migration_batches_and_omissions() {
    // 23 carried accounts → 3 QR codes of 10, 10 and 3; plus 4 that cannot be carried.
    let mut accounts: Vec<Account> = (0..23u8)
        .map(|i| {
            account(
                Some("Bulk"),
                &format!("user{i}"),
                i.wrapping_add(10),
                Kind::Totp {
                    period: Period::DEFAULT,
                },
                Algorithm::Sha256,
                8,
            )
        })
        .collect();
    accounts.insert(3, sample()[1].clone()); // 60 s
    accounts.insert(7, sample()[2].clone()); // 15 s, 10 digits
    accounts.insert(9, sample()[4].clone()); // Steam
    accounts.insert(
        11,
        account(
            Some("D"),
            "7 digits",
            9,
            Kind::Totp {
                period: Period::DEFAULT,
            },
            Algorithm::Sha1,
            7,
        ),
    );
    let out = export::google_migration(&accounts).unwrap();
    assert_eq!(out.output.len(), 3);
    let skipped: Vec<(usize, &Omission)> = out.notes.iter().map(|n| (n.index, &n.what)).collect();
    assert_eq!(
        skipped,
        vec![
            (3, &Omission::AccountSkipped(Unsupported::Period(60))),
            (7, &Omission::AccountSkipped(Unsupported::Period(15))),
            (9, &Omission::AccountSkipped(Unsupported::Steam)),
            (11, &Omission::AccountSkipped(Unsupported::Digits(7))),
        ]
    );
    let mut ids = Vec::new();
    for (i, uri) in out.output.iter().enumerate() {
        let batch = otpkit::migration::decode_batch(uri).unwrap();
        assert_eq!(batch.batch_size, 3);
        assert_eq!(batch.batch_index, i32::try_from(i).unwrap());
        assert!(batch.entries.len() <= 10);
        ids.push(batch.batch_id);
    }
    assert!(ids.iter().all(|id| *id == ids[0] && *id > 0));
    // Read back in a scrambled order with a duplicate: the same accounts.
    let text = format!(
        "{}\n{}\n{}\n{}\n",
        out.output[2].as_str(),
        out.output[0].as_str(),
        out.output[2].as_str(),
        out.output[1].as_str()
    );
    let back = import(Format::GoogleMigration, text.as_bytes(), None).unwrap();
    let carried: Vec<Account> = accounts
        .iter()
        .enumerate()
        .filter(|(i, _)| ![3, 7, 9, 11].contains(i))
        .map(|(_, a)| a.clone())
        .collect();
    assert_eq!(back.accounts, carried);
    assert!(back.missing_batches.is_empty());
    // Without the middle QR code, the import says which one is missing.
    let partial = format!("{}\n{}\n", out.output[0].as_str(), out.output[2].as_str());
    let back = import(Format::GoogleMigration, partial.as_bytes(), None).unwrap();
    assert_eq!(back.missing_batches, vec![1]);
    assert_eq!(back.accounts.len(), 13);
}

#[test]
fn google_migration_text_with_two_interleaved_exports() {
    let make = |prefix: &str, seed: u8| -> Vec<Account> {
        (0..12u8)
            .map(|i| {
                account(
                    Some(prefix),
                    &format!("u{i}"),
                    seed.wrapping_add(i),
                    Kind::Totp {
                        period: Period::DEFAULT,
                    },
                    Algorithm::Sha1,
                    6,
                )
            })
            .collect()
    };
    let (a, b) = (make("A", 1), make("B", 100));
    let ua = otpkit::migration::encode_with_batch_id(&a, 10, 111).unwrap();
    let ub = otpkit::migration::encode_with_batch_id(&b, 10, 222).unwrap();
    let text = format!("{}\n{}\n{}\n{}\n", ub[1], ua[0], ub[0], ua[1]);
    let out = import(Format::GoogleMigration, text.as_bytes(), None).unwrap();
    // Grouped by export in order of first appearance, each in batch order.
    let expected: Vec<Account> = b.iter().chain(a.iter()).cloned().collect();
    assert_eq!(out.accounts, expected);
    assert!(out.missing_batches.is_empty());
    assert_eq!(out.report.len(), 24);
    // The same batch index of one export twice with other contents is refused.
    let mut changed = a.clone();
    changed[0].name = "other".into();
    let uc = otpkit::migration::encode_with_batch_id(&changed, 10, 111).unwrap();
    let text = format!("{}\n{}\n", ua[0], uc[0]);
    assert!(matches!(
        import(Format::GoogleMigration, text.as_bytes(), None),
        Err(ImportError::InconsistentBatches { .. })
    ));
    // A line that is not a migration URI names its line.
    let text = format!("{}\n\nhello\n", ua[0]);
    assert!(matches!(
        import(Format::GoogleMigration, text.as_bytes(), None),
        Err(ImportError::Migration { line: 2, .. })
    ));
}

/// A Steam entry whose file names another algorithm or length (Aegis and FreeOTP+ keep
/// the fields of the TOTP entry it was made from) is Steam Guard all the same: it is
/// read as HMAC-SHA-1, so it survives an export and re-import unchanged. (The fuzz
/// target transfer_aegis found a SHA-512 Steam entry coming back as SHA-1.)
#[test]
fn a_steam_entry_is_sha1_whatever_its_file_says() {
    let aegis = r#"{"version":1,"header":{"slots":null,"params":null},"db":{"version":3,"entries":[
        {"type":"steam","uuid":"01234567-89ab-cdef-0123-456789abcdef","name":"gamer","issuer":"Steam",
         "info":{"secret":"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ","algo":"SHA512","digits":8,"period":30}}]}}"#;
    let first = import(Format::Aegis, aegis.as_bytes(), None).unwrap();
    assert_eq!(first.accounts.len(), 1, "{:?}", first.report);
    let steam = &first.accounts[0];
    assert_eq!(steam.kind, Kind::Steam);
    assert_eq!(
        (steam.algorithm, steam.digits),
        (Algorithm::Sha1, Digits::SIX)
    );
    let out = export::aegis(&first.accounts, None).unwrap();
    let back = import(Format::Aegis, out.output.as_bytes(), None).unwrap();
    assert_eq!(back.accounts, first.accounts);
}

#[test]
fn an_exports_debug_never_shows_its_output() {
    let accounts = sample();
    let b32: Vec<String> = accounts
        .iter()
        .map(|a| a.secret.base32().to_string())
        .collect();
    let list = format!("{:?}", export::otpauth_list(&accounts));
    let vault = format!("{:?}", export::aegis(&accounts, None).unwrap());
    let cxf = format!("{:?}", export::cxf(&accounts).unwrap());
    let google = format!("{:?}", export::google_migration(&accounts).unwrap());
    for shown in [list, vault, cxf, google] {
        assert!(shown.contains("<not shown>"), "{shown}");
        for secret in &b32 {
            assert!(!shown.contains(secret.as_str()), "{shown}");
        }
        assert!(!shown.contains("otpauth"), "{shown}");
    }
}
