//! FIDO Credential Exchange Format 1.0: TOTP credentials are read from a document of
//! the specification's shape (written here, with other credential types beside
//! them), what `export::cxf` writes reads back to the same accounts, and malformed
//! or hostile documents are refused with typed errors.

use otpkit::otpauth::{Account, Kind};
use otpkit::{Algorithm, Digits, Period};
use otpkit_transfer::export::{self, Omission, Unsupported};
use otpkit_transfer::{EntryError, EntryWarning, Format, ImportError, MAX_ENTRIES, detect, import};
use serde_json::{Value, json};

/// A document shaped as the specification's examples: a header, one account, items
/// holding a password, a passkey and TOTP credentials. The secrets are RFC 6238's.
fn document() -> Value {
    json!({
        "version": {"major": 1, "minor": 0},
        "exporterRpId": "exporter.example",
        "exporterDisplayName": "Example Exporter",
        "timestamp": 1_705_228_800u64,
        "accounts": [{
            "id": "AAECAwQFBgc",
            "username": "jdoe",
            "email": "jdoe@example.com",
            "fullName": "J. Doe",
            "collections": [],
            "items": [
                {
                    "id": "AQID",
                    "creationAt": 1_705_228_800u64,
                    "title": "Example Co",
                    "scope": {"urls": ["https://example.com"], "androidApps": []},
                    "credentials": [
                        {"type": "basic-auth",
                         "username": {"fieldType": "string", "value": "jdoe"},
                         "password": {"fieldType": "concealed-string", "value": "hunter2"}},
                        {"type": "totp",
                         "secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
                         "period": 30, "digits": 6, "username": "jdoe",
                         "algorithm": "sha1", "issuer": "Example Co"}
                    ]
                },
                {
                    "id": "BAUG",
                    "title": "Passkey only",
                    "credentials": [{"type": "passkey", "credentialId": "AA", "rpId": "p.example",
                                     "username": "u", "userDisplayName": "U", "userHandle": "AA",
                                     "key": "AA"}]
                },
                {
                    "id": "BwgJ",
                    "title": "Title Only",
                    "credentials": [
                        {"type": "totp",
                         "secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA",
                         "period": 60, "digits": 8, "algorithm": "sha256"},
                        {"type": "note", "content": {"fieldType": "string", "value": "x"}}
                    ]
                }
            ]
        }]
    })
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

#[test]
fn spec_shaped_document_reads_its_totp_credentials_only() {
    let out = import(Format::Cxf, &bytes(&document()), None).unwrap();
    assert_eq!(out.report.len(), 2, "{:?}", out.report);
    assert_eq!(out.accounts.len(), 2);
    let a = &out.accounts[0];
    assert_eq!(a.issuer.as_deref(), Some("Example Co"));
    assert_eq!(a.name, "jdoe");
    assert_eq!(a.secret.as_bytes(), b"12345678901234567890");
    assert_eq!((a.algorithm, a.digits), (Algorithm::Sha1, Digits::SIX));
    assert_eq!(
        a.kind,
        Kind::Totp {
            period: Period::new(30).unwrap()
        }
    );
    assert_eq!(out.report[0].label, "Example Co:jdoe");
    assert_eq!(out.report[0].outcome, Ok(vec![]));
    // No issuer: the item's title stands in for it.
    let b = &out.accounts[1];
    assert_eq!(b.issuer.as_deref(), Some("Title Only"));
    assert_eq!(b.name, "");
    assert_eq!(b.algorithm, Algorithm::Sha256);
    assert_eq!(b.digits.get(), 8);
    assert_eq!(
        b.kind,
        Kind::Totp {
            period: Period::new(60).unwrap()
        }
    );
    assert_eq!(b.secret.as_bytes(), b"12345678901234567890123456789012");
    // RFC 6238's test vector at T = 59 s.
    let totp = otpkit::Totp::new(
        &a.secret,
        a.algorithm,
        Digits::new(8).unwrap(),
        Period::new(30).unwrap(),
    );
    assert_eq!(totp.code_at(59).unwrap().to_string(), "94287082");
    assert_eq!(detect(&bytes(&document())), Some(Format::Cxf));
}

fn with_totp(credential: Value) -> Vec<u8> {
    let mut doc = document();
    doc["accounts"][0]["items"][0]["credentials"][1] = credential;
    bytes(&doc)
}

fn first_outcome(data: &[u8]) -> Result<Vec<EntryWarning>, EntryError> {
    let out = import(Format::Cxf, data, None).unwrap();
    // The other TOTP entry still imports.
    assert_eq!(out.report.len(), 2);
    assert!(out.report[1].outcome.is_ok());
    out.report[0].outcome.clone()
}

#[test]
fn unknown_algorithms_are_ignored_per_entry() {
    for name in ["md5", "SHA1", "sha384", ""] {
        let data = with_totp(json!({"type": "totp", "secret": "GEZDGNBVGY3TQOJQ",
            "period": 30, "digits": 6, "algorithm": name}));
        assert_eq!(
            first_outcome(&data),
            Err(EntryError::UnsupportedAlgorithm(name.to_owned()))
        );
    }
}

#[test]
fn out_of_range_numbers_are_refused_per_entry() {
    let totp = |period: Value, digits: Value| {
        with_totp(
            json!({"type": "totp", "secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "period": period, "digits": digits, "algorithm": "sha1"}),
        )
    };
    assert_eq!(
        first_outcome(&totp(json!(0), json!(6))),
        Err(EntryError::InvalidPeriod(0))
    );
    assert_eq!(
        first_outcome(&totp(json!(-30), json!(6))),
        Err(EntryError::InvalidPeriod(-30))
    );
    assert_eq!(
        first_outcome(&totp(json!(30), json!(5))),
        Err(EntryError::InvalidDigits(5))
    );
    assert_eq!(
        first_outcome(&totp(json!(30), json!(11))),
        Err(EntryError::InvalidDigits(11))
    );
    assert_eq!(
        first_outcome(&totp(json!(30), json!(256))),
        Err(EntryError::InvalidDigits(256))
    );
    assert!(matches!(
        first_outcome(&totp(json!(1e30), json!(6))),
        Err(EntryError::Malformed { .. })
    ));
    assert!(matches!(
        first_outcome(&totp(json!(30), json!(18_446_744_073_709_551_615u64))),
        Err(EntryError::Malformed { .. })
    ));
    assert!(matches!(
        first_outcome(&totp(json!(30), json!("six"))),
        Err(EntryError::Malformed { .. })
    ));
}

#[test]
fn missing_fields_are_defaulted_with_a_warning_or_refused() {
    let data = with_totp(json!({"type": "totp", "secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}));
    let warnings = first_outcome(&data).unwrap();
    for field in ["algorithm", "digits", "period"] {
        assert!(
            warnings.contains(&EntryWarning::Defaulted { field }),
            "{warnings:?}"
        );
    }
    let data = with_totp(json!({"type": "totp", "period": 30, "digits": 6, "algorithm": "sha1"}));
    assert_eq!(
        first_outcome(&data),
        Err(EntryError::MissingField("secret"))
    );
    let data = with_totp(json!({"type": "totp", "secret": "not base32!", "algorithm": "sha1"}));
    assert!(matches!(first_outcome(&data), Err(EntryError::Secret(_))));
}

#[test]
fn malformed_documents_are_refused_whole() {
    let malformed = |data: &[u8]| {
        matches!(
            import(Format::Cxf, data, None),
            Err(ImportError::Malformed {
                format: Format::Cxf,
                ..
            })
        )
    };
    assert!(malformed(b""));
    assert!(malformed(b"[]"));
    assert!(malformed(b"{\"accounts\": []}"));
    assert!(malformed(br#"{"version": {"major": 1}, "accounts": {}}"#));
    assert!(malformed(br#"{"version": {"major": 1}, "accounts": [[]]}"#));
    assert!(malformed(br#"{"version": [1], "accounts": []}"#));
    let full = bytes(&document());
    for cut in [1, full.len() / 3, full.len() / 2, full.len() - 1] {
        assert!(malformed(&full[..cut]), "cut at {cut}");
    }
    let mut doc = document();
    doc["version"]["major"] = json!(2);
    assert_eq!(
        import(Format::Cxf, &bytes(&doc), None).err(),
        Some(ImportError::UnsupportedVersion {
            format: Format::Cxf,
            version: 2
        })
    );
}

#[test]
fn an_item_or_credential_of_the_wrong_shape_is_reported_not_fatal() {
    let mut doc = document();
    doc["accounts"][0]["items"][1] = json!({"title": "bad", "credentials": 7});
    doc["accounts"][0]["items"][2]["credentials"][1] = json!(["totp", "GEZDGNBVGY3TQOJQ"]);
    let out = import(Format::Cxf, &bytes(&doc), None).unwrap();
    assert_eq!(out.accounts.len(), 2);
    let failures: Vec<_> = out.failures().map(|r| r.label.clone()).collect();
    assert_eq!(failures, vec!["".to_owned(), "Title Only".to_owned()]);
}

#[test]
fn hostile_sizes_and_nesting_are_bounded() {
    let credential =
        r#"{"type":"totp","secret":"GEZDGNBVGY3TQOJQ","period":30,"digits":6,"algorithm":"sha1"}"#;
    // More TOTP credentials than MAX_ENTRIES, spread over items.
    let item = format!(r#"{{"title":"t","credentials":[{credential},{credential}]}}"#);
    let items = vec![item; MAX_ENTRIES / 2 + 1].join(",");
    let doc = format!(r#"{{"version":{{"major":1}},"accounts":[{{"items":[{items}]}}]}}"#);
    assert_eq!(
        import(Format::Cxf, doc.as_bytes(), None).err(),
        Some(ImportError::TooManyEntries { max: MAX_ENTRIES })
    );
    // One array longer than MAX_ENTRIES, of credentials that are not TOTP.
    let many = vec![r#"{"type":"note"}"#; MAX_ENTRIES + 1].join(",");
    let doc = format!(
        r#"{{"version":{{"major":1}},"accounts":[{{"items":[{{"title":"t","credentials":[{many}]}}]}}]}}"#
    );
    assert_eq!(
        import(Format::Cxf, doc.as_bytes(), None).err(),
        Some(ImportError::TooManyEntries { max: MAX_ENTRIES })
    );
    // Deep nesting inside an ignored credential is skipped (serde_json skips values
    // without recursing) and nothing is imported from it.
    let deep = format!(
        r#"{{"version":{{"major":1}},"accounts":[{{"items":[{{"credentials":[{{"type":"x","v":{}{}}}]}}]}}]}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let r = import(Format::Cxf, deep.as_bytes(), None).unwrap();
    assert!(r.report.is_empty());
    // Deep nesting where a value is read: refused for that entry.
    let deep_issuer = format!(
        r#"{{"version":{{"major":1}},"accounts":[{{"items":[{{"credentials":[{{"type":"totp","issuer":{}{}}}]}}]}}]}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let r = import(Format::Cxf, deep_issuer.as_bytes(), None).unwrap();
    assert!(matches!(
        r.report[0].outcome,
        Err(EntryError::Malformed { .. })
    ));
    let over = vec![b' '; otpkit_transfer::MAX_INPUT_LEN + 1];
    assert!(matches!(
        import(Format::Cxf, &over, None),
        Err(ImportError::TooLarge { .. })
    ));
}

fn accounts() -> Vec<Account> {
    [
        "otpauth://totp/Example%20%22Co%22:alice%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        "otpauth://totp/bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA512&digits=10&period=90",
        "otpauth://totp/Caf%C3%A9:?secret=MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZ&algorithm=SHA256&digits=7&period=15",
    ]
    .iter()
    .map(|u| u.parse().unwrap())
    .collect()
}

#[test]
fn export_round_trips_every_totp_account() {
    let list = accounts();
    let written = export::cxf(&list).unwrap();
    assert!(written.notes.is_empty(), "{:?}", written.notes);
    assert_eq!(detect(written.output.as_bytes()), Some(Format::Cxf));
    let back = import(Format::Cxf, written.output.as_bytes(), None).unwrap();
    // bob has no issuer: the item's title is his name, which comes back as issuer.
    let mut expected = list.clone();
    expected[1].issuer = Some("bob".to_owned());
    assert_eq!(back.accounts, expected);
    assert!(back.report.iter().all(|r| r.outcome == Ok(vec![])));

    let doc: Value = serde_json::from_str(&written.output).unwrap();
    assert_eq!(doc["version"], json!({"major": 1, "minor": 0}));
    assert_eq!(doc["exporterRpId"], export::CXF_EXPORTER_RP_ID);
    assert!(doc["timestamp"].as_u64().unwrap() > 1_700_000_000);
    let items = doc["accounts"][0]["items"].as_array().unwrap();
    assert_eq!(items[0]["title"], "Example \"Co\"");
    let totp = &items[1]["credentials"][0];
    assert_eq!(totp["type"], "totp");
    assert_eq!(totp["algorithm"], "sha512");
    assert_eq!(totp["period"], 90);
    assert_eq!(totp["digits"], 10);
    assert_eq!(totp["username"], "bob");
    assert!(totp.get("issuer").is_none());
    assert!(items[2]["credentials"][0].get("username").is_none());
    // Ids are random and distinct.
    let again = export::cxf(&list).unwrap();
    let doc2: Value = serde_json::from_str(&again.output).unwrap();
    assert_ne!(doc["accounts"][0]["id"], doc2["accounts"][0]["id"]);
    assert_ne!(items[0]["id"], items[1]["id"]);
}

#[test]
fn export_leaves_out_what_cxf_cannot_hold_with_a_note() {
    let mut list = accounts();
    list.push(
        "otpauth://hotp/H:h?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&counter=5"
            .parse()
            .unwrap(),
    );
    list.push(
        "otpauth://totp/Steam:s?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Steam"
            .parse()
            .unwrap(),
    );
    list.push(
        "otpauth://totp/I:i?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&image=https%3A%2F%2Fx%2Fy.png"
            .parse()
            .unwrap(),
    );
    let written = export::cxf(&list).unwrap();
    let notes: Vec<_> = written
        .notes
        .iter()
        .map(|n| (n.index, n.what.clone()))
        .collect();
    assert_eq!(
        notes,
        vec![
            (3, Omission::AccountSkipped(Unsupported::Hotp)),
            (4, Omission::AccountSkipped(Unsupported::Steam)),
            (
                5,
                Omission::ExtraParametersDropped(vec!["image".to_owned()])
            ),
        ]
    );
    assert!(written.notes[0].to_string().contains("HOTP"));
    let back = import(Format::Cxf, written.output.as_bytes(), None).unwrap();
    assert_eq!(back.accounts.len(), 4);
    assert!(!written.output.contains("hotp"));
}

#[test]
fn format_name_is_cxf() {
    assert_eq!(Format::Cxf.name(), "cxf");
    assert_eq!("cxf".parse(), Ok(Format::Cxf));
    assert!(Format::ALL.contains(&Format::Cxf));
}
