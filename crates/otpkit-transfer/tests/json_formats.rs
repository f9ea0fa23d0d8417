//! The JSON and text formats of issue 29: LastPass, Proton Authenticator, Duo, Ente
//! (plain and encrypted), Bitwarden CSV and Steam Guard files. Plain inputs are built
//! here; the encrypted ones are `tests/data/ente_*.json` and `tests/data/steam_*`,
//! made by `make_json_fixtures.py` with libsodium (PyNaCl) and Python's
//! `cryptography`, independently of this crate. Password: "otpkit-test".

use otpkit::otpauth::{Account, Kind};
use otpkit::{Algorithm, LengthPolicy, Secret};
use otpkit_transfer::{
    EntryError, EntryWarning, Format, Import, ImportError, ImportOptions, MAX_ENTRIES, WorkBudget,
    import, import_with,
};

const PW: &[u8] = b"otpkit-test";

fn data(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn b32(text: &str) -> Secret {
    Secret::from_base32_with(text, LengthPolicy::AllowShort).unwrap()
}

/// (issuer, name, algorithm, digits, kind) of an account, for comparing.
fn shape(a: &Account) -> (Option<&str>, &str, Algorithm, u8, Kind) {
    (
        a.issuer.as_deref(),
        a.name.as_str(),
        a.algorithm,
        a.digits.get(),
        a.kind,
    )
}

fn totp(period: u64) -> Kind {
    Kind::Totp {
        period: otpkit::Period::new(period).unwrap(),
    }
}

fn ok(import: &Import) -> Vec<&Result<Vec<EntryWarning>, EntryError>> {
    import.report.iter().map(|r| &r.outcome).collect()
}

#[test]
fn format_names_parse() {
    for (name, format) in [
        ("lastpass", Format::LastPass),
        ("proton-authenticator", Format::ProtonAuthenticator),
        ("duo", Format::Duo),
        ("ente", Format::Ente),
        ("steam", Format::Steam),
    ] {
        assert_eq!(name.parse::<Format>(), Ok(format));
        assert_eq!(format.name(), name);
        assert!(Format::ALL.contains(&format));
    }
}

// ------------------------------------------------------------------ LastPass

const LASTPASS: &str = r#"{"version":3,"accounts":[
 {"issuerName":"Example","originalIssuerName":"Old","userName":"alice","originalUserName":"old",
  "secret":"JBSWY3DPEHPK3PXP","timeStep":60,"digits":8,"algorithm":"SHA256"},
 {"issuerName":"","userName":"bob","secret":"GEZDGNBVGY3TQOJQ","timeStep":30,"digits":6,"algorithm":"SHA512"},
 {"issuerName":"NoSecret","userName":"x","timeStep":30,"digits":6,"algorithm":"SHA1"},
 {"issuerName":"Odd","userName":"y","secret":"STEAMSECRET","timeStep":30,"digits":11,"algorithm":"SHA1"},
 {"issuerName":"Md5","userName":"z","secret":"GEZDGNBV","algorithm":"MD5"}
],"folders":[]}"#;

#[test]
fn lastpass_reads_shown_names_and_parameters() {
    let out = import(Format::LastPass, LASTPASS.as_bytes(), None).unwrap();
    assert_eq!(out.accounts.len(), 2);
    assert_eq!(
        shape(&out.accounts[0]),
        (Some("Example"), "alice", Algorithm::Sha256, 8, totp(60))
    );
    assert_eq!(out.accounts[0].secret, b32("JBSWY3DPEHPK3PXP"));
    assert_eq!(
        shape(&out.accounts[1]),
        (None, "bob", Algorithm::Sha512, 6, totp(30))
    );
    let outcomes = ok(&out);
    assert_eq!(outcomes[2], &Err(EntryError::MissingField("secret")));
    assert_eq!(outcomes[3], &Err(EntryError::InvalidDigits(11)));
    assert!(matches!(
        outcomes[4],
        Err(EntryError::UnsupportedAlgorithm(_))
    ));
    assert_eq!(out.report[2].label, "NoSecret:x");
}

#[test]
fn lastpass_refuses_other_json_and_too_many_accounts() {
    assert!(matches!(
        import(Format::LastPass, br#"{"items":[]}"#, None),
        Err(ImportError::Malformed {
            format: Format::LastPass,
            ..
        })
    ));
    assert!(matches!(
        import(Format::LastPass, &LASTPASS.as_bytes()[..100], None),
        Err(ImportError::Malformed { .. })
    ));
    let many = format!(
        r#"{{"accounts":[{}]}}"#,
        vec!["{}"; MAX_ENTRIES + 1].join(",")
    );
    assert_eq!(
        import(Format::LastPass, many.as_bytes(), None),
        Err(ImportError::TooManyEntries { max: MAX_ENTRIES })
    );
}

// ------------------------------------------------------------------ Proton

#[test]
fn proton_reads_uris_and_named_steam_entries() {
    let file = br#"{"version":1,"entries":[
     {"id":"1","content":{"uri":"otpauth://totp/Plain?secret=JBSWY3DPEHPK3PXP&issuer=Example&digits=7&period=20","entry_type":"Totp","name":"Plain"},"note":null},
     {"id":"2","content":{"uri":"steam://jbswy3dpehpk3pxp","entry_type":"Steam","name":"My Steam"},"note":null},
     {"id":"3","content":{"uri":"otpauth://totp/x?secret=1","entry_type":"Totp","name":"x"}},
     {"id":"4","note":null}
    ]}"#;
    let out = import(Format::ProtonAuthenticator, file, None).unwrap();
    assert_eq!(
        shape(&out.accounts[0]),
        (Some("Example"), "Plain", Algorithm::Sha1, 7, totp(20))
    );
    assert_eq!(
        (out.accounts[1].name.as_str(), out.accounts[1].kind),
        ("My Steam", Kind::Steam)
    );
    assert_eq!(out.accounts[1].secret, b32("JBSWY3DPEHPK3PXP"));
    let outcomes = ok(&out);
    assert!(matches!(outcomes[2], Err(EntryError::Uri(_))));
    assert_eq!(outcomes[3], &Err(EntryError::MissingField("content")));
}

#[test]
fn proton_refuses_other_versions_and_shapes() {
    assert_eq!(
        import(
            Format::ProtonAuthenticator,
            br#"{"version":2,"entries":[]}"#,
            None
        ),
        Err(ImportError::UnsupportedVersion {
            format: Format::ProtonAuthenticator,
            version: 2
        })
    );
    assert!(matches!(
        import(Format::ProtonAuthenticator, br#"{"entries":[]}"#, None),
        Err(ImportError::Malformed { .. })
    ));
    assert!(matches!(
        import(Format::ProtonAuthenticator, b"[]", None),
        Err(ImportError::Malformed { .. })
    ));
}

// ------------------------------------------------------------------ Duo

#[test]
fn duo_reads_totp_and_hotp_and_refuses_push_accounts() {
    let file = br#"[
     {"version":1.0,"accountType":"OtpAccount","name":"alice","otpGenerator":{"otpSecret":"JBSWY3DPEHPK3PXP"}},
     {"version":1.0,"accountType":"OtpAccount","name":"bob","otpGenerator":{"otpSecret":"GEZDGNBVGY3TQOJQ","counter":7}},
     {"version":1.0,"accountType":"DuoPushAccount","name":"work"},
     {"accountType":"OtpAccount","name":"neg","otpGenerator":{"otpSecret":"GEZDGNBV","counter":-1}},
     {"accountType":"OtpAccount","name":"none"}
    ]"#;
    let out = import(Format::Duo, file, None).unwrap();
    assert_eq!(
        shape(&out.accounts[0]),
        (None, "alice", Algorithm::Sha1, 6, totp(30))
    );
    assert_eq!(
        shape(&out.accounts[1]),
        (None, "bob", Algorithm::Sha1, 6, Kind::Hotp { counter: 7 })
    );
    let outcomes = ok(&out);
    assert!(matches!(outcomes[2], Err(EntryError::UnsupportedType(t)) if t == "DuoPushAccount"));
    assert_eq!(outcomes[3], &Err(EntryError::InvalidCounter));
    assert_eq!(outcomes[4], &Err(EntryError::MissingField("otpGenerator")));
    assert!(matches!(
        import(Format::Duo, br#"{"accounts":[]}"#, None),
        Err(ImportError::Malformed {
            format: Format::Duo,
            ..
        })
    ));
}

// ------------------------------------------------------------------ Ente

fn check_ente_lines(out: &Import) {
    assert_eq!(out.accounts.len(), 3, "{:?}", out.report);
    assert_eq!(
        shape(&out.accounts[0]),
        (Some("Example"), "alice", Algorithm::Sha256, 8, totp(60))
    );
    assert_eq!(out.accounts[0].secret, b32("JBSWY3DPEHPK3PXP"));
    // No counter= in the URI: Ente counts from 0.
    assert_eq!(out.accounts[1].kind, Kind::Hotp { counter: 0 });
    assert!(
        out.report[1]
            .outcome
            .as_ref()
            .unwrap()
            .contains(&EntryWarning::Defaulted { field: "counter" })
    );
    assert_eq!(
        (out.accounts[2].name.as_str(), out.accounts[2].kind),
        ("gamer", Kind::Steam)
    );
}

const ENTE_PLAIN: &str = "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example&algorithm=SHA256&digits=8&period=60&codeDisplay=%7B%22pinned%22%3Afalse%7D\n\
\n\
otpauth://hotp/Counter:bob?secret=GEZDGNBVGY3TQOJQ&issuer=Counter&algorithm=SHA1&digits=6\n\
otpauth://steam/Steam:gamer?secret=STEAMSECRET&issuer=Steam&algorithm=SHA1&digits=5&period=30\n";

#[test]
fn ente_plain_export() {
    check_ente_lines(&import(Format::Ente, ENTE_PLAIN.as_bytes(), None).unwrap());
    assert!(matches!(
        import(
            Format::Ente,
            b"otpauth://totp/a?secret=JBSWY3DPEHPK3PXP\nnot a uri\n",
            None
        ),
        Err(ImportError::Malformed { line: 2, .. })
    ));
    assert!(matches!(
        import(Format::Ente, b"\xff\xfe", None),
        Err(ImportError::Malformed { .. })
    ));
}

#[test]
fn ente_encrypted_export_final_and_message_tags() {
    for name in ["ente_encrypted.json", "ente_encrypted_message_tag.json"] {
        check_ente_lines(&import(Format::Ente, &data(name), Some(PW)).unwrap());
    }
}

#[test]
fn ente_encrypted_refusals() {
    let file = data("ente_encrypted.json");
    assert_eq!(
        import(Format::Ente, &file, Some(b"wrong")),
        Err(ImportError::WrongPassword {
            format: Format::Ente
        })
    );
    assert_eq!(
        import(Format::Ente, &file, None),
        Err(ImportError::PasswordRequired {
            format: Format::Ente
        })
    );
    // A stream tag Ente does not write (PUSH), in an authentic message.
    assert_eq!(
        import(
            Format::Ente,
            &data("ente_encrypted_push_tag.json"),
            Some(PW)
        ),
        Err(ImportError::IntegrityCheckFailed {
            format: Format::Ente
        })
    );
    let mut json: serde_json::Value = serde_json::from_slice(&file).unwrap();
    // One changed ciphertext byte fails the MAC.
    let mut bytes = base64_decode(json["encryptedData"].as_str().unwrap());
    bytes[5] ^= 1;
    let mut changed = json.clone();
    changed["encryptedData"] = base64_encode(&bytes).into();
    assert_eq!(
        import(Format::Ente, changed.to_string().as_bytes(), Some(PW)),
        Err(ImportError::WrongPassword {
            format: Format::Ente
        })
    );
    // Truncated data and header.
    let mut short = json.clone();
    short["encryptedData"] = base64_encode(&bytes[..16]).into();
    assert!(matches!(
        import(Format::Ente, short.to_string().as_bytes(), Some(PW)),
        Err(ImportError::Malformed { .. })
    ));
    let mut header = json.clone();
    header["encryptionNonce"] = base64_encode(&[0; 16]).into();
    assert!(matches!(
        import(Format::Ente, header.to_string().as_bytes(), Some(PW)),
        Err(ImportError::Malformed { .. })
    ));
    assert!(matches!(
        import(Format::Ente, &file[..file.len() / 2], Some(PW)),
        Err(ImportError::Malformed { .. })
    ));
    // libsodium's minimums: 8 KiB, one pass.
    json["kdfParams"]["memLimit"] = 4096.into();
    assert_eq!(
        import(Format::Ente, json.to_string().as_bytes(), Some(PW)),
        Err(ImportError::KdfParameters {
            format: Format::Ente,
            what: "memLimit"
        })
    );
    json["kdfParams"]["memLimit"] = (1 << 20).into();
    json["kdfParams"]["opsLimit"] = 0.into();
    assert_eq!(
        import(Format::Ente, json.to_string().as_bytes(), Some(PW)),
        Err(ImportError::KdfParameters {
            format: Format::Ente,
            what: "opsLimit"
        })
    );
}

#[test]
fn ente_derivation_is_charged_to_the_budget() {
    let file = data("ente_encrypted.json");
    let small = ImportOptions {
        budget: WorkBudget::new(1_000, 64 << 20),
    };
    assert!(matches!(
        import_with(Format::Ente, &file, Some(PW), &small),
        Err(ImportError::KdfBudget {
            format: Format::Ente,
            ..
        })
    ));
    let mut json: serde_json::Value = serde_json::from_slice(&file).unwrap();
    json["kdfParams"]["memLimit"] = (1u64 << 30).into();
    assert!(matches!(
        import(Format::Ente, json.to_string().as_bytes(), Some(PW)),
        Err(ImportError::KdfBudget { .. })
    ));
}

fn base64_decode(s: &str) -> Vec<u8> {
    data_encoding::BASE64.decode(s.as_bytes()).unwrap()
}

fn base64_encode(b: &[u8]) -> String {
    data_encoding::BASE64.encode(b)
}

// ------------------------------------------------------------------ Bitwarden CSV

#[test]
fn bitwarden_csv_reads_quoted_fields_and_skips_rows_without_totp() {
    let csv = "folder,favorite,type,name,notes,fields,login_uri,login_username,login_password,login_totp\r\n\
,,login,\"Quoted, name\",\"a note\nover two lines with \"\"quotes\"\"\",,,alice,pw,otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example&digits=8\r\n\
,,login,No totp,,,,bob,pw,\r\n\
\r\n\
,,login,Steam item,,,,gamer,pw,steam://STEAMSECRET\r\n\
,,login,Bare,,,,carol,pw,GEZDGNBVGY3TQOJQ\r\n\
,,login,Bad,,,,dave,pw,not base32!\n";
    let out = import(Format::Bitwarden, csv.as_bytes(), None).unwrap();
    assert_eq!(out.report.len(), 4);
    assert_eq!(
        shape(&out.accounts[0]),
        (Some("Example"), "alice", Algorithm::Sha1, 8, totp(30))
    );
    assert_eq!(
        (
            out.accounts[1].issuer.as_deref(),
            out.accounts[1].name.as_str(),
            out.accounts[1].kind
        ),
        (Some("Steam item"), "gamer", Kind::Steam)
    );
    assert_eq!(
        shape(&out.accounts[2]),
        (Some("Bare"), "carol", Algorithm::Sha1, 6, totp(30))
    );
    assert!(out.report[3].outcome.is_err());
    assert_eq!(out.report[3].label, "Bad:dave");
}

#[test]
fn bitwarden_csv_refusals() {
    assert!(matches!(
        import(Format::Bitwarden, b"folder,name,login_uri\n,,x\n", None),
        Err(ImportError::Malformed { what, .. }) if what.contains("login_totp")
    ));
    assert!(matches!(
        import(Format::Bitwarden, b"name,login_totp\n\"open,JBSWY3DPEHPK3PXP\n", None),
        Err(ImportError::Malformed { what, .. }) if what.contains("quote")
    ));
    assert!(matches!(
        import(Format::Bitwarden, b"", None),
        Err(ImportError::Malformed { .. })
    ));
}

// ------------------------------------------------------------------ Steam

const APP_ACCOUNT: &str = r#"{"steamid":"1","shared_secret":"AQIDBAUGBwgJCgsMDQ4PEBESExQ=","uri":"otpauth://totp/Steam:alice?secret=ASDF&issuer=Steam","account_name":"alice","status":1}"#;

fn steam_secret(first: u8) -> Secret {
    let bytes: Vec<u8> = (first..first + 20).collect();
    Secret::from_bytes(&bytes).unwrap()
}

#[test]
fn steam_app_files_and_plain_mafiles() {
    let out = import(Format::Steam, APP_ACCOUNT.as_bytes(), None).unwrap();
    assert_eq!(
        shape(&out.accounts[0]),
        (Some("Steam"), "alice", Algorithm::Sha1, 6, Kind::Steam)
    );
    // The secret is shared_secret's, not the uri's placeholder.
    assert_eq!(out.accounts[0].secret, steam_secret(1));
    let map = format!(
        r#"{{"accounts":{{"a":{APP_ACCOUNT},"b":{{"account_name":"bob"}},"c":{{"shared_secret":"%%","account_name":"c"}}}}}}"#
    );
    let out = import(Format::Steam, map.as_bytes(), None).unwrap();
    assert_eq!(out.accounts.len(), 1);
    assert_eq!(ok(&out)[1], &Err(EntryError::MissingField("shared_secret")));
    assert_eq!(
        ok(&out)[2],
        &Err(EntryError::Steam(otpkit::steam::SteamUriError::Secret(
            otpkit::SecretError::InvalidCharacter { position: 1 }
        )))
    );
    let out = import(Format::Steam, &data("steam_plain.maFile"), None).unwrap();
    assert_eq!(out.accounts[0].name, "gamma");
    assert_eq!(out.accounts[0].secret, steam_secret(50));
}

#[test]
fn steam_winauth_text_export() {
    let mafile =
        percent_encoding::utf8_percent_encode(APP_ACCOUNT, percent_encoding::NON_ALPHANUMERIC);
    let text = format!(
        "otpauth://totp/Steam:alice?secret=ASDF&issuer=Steam&data={mafile}\n\
         otpauth://totp/Example:bob?secret=JBSWY3DPEHPK3PXP&issuer=Example\n\
         otpauth://totp/Steam:broken?secret=ASDF&issuer=Steam&data=%7Bnot%20json\n"
    );
    let out = import(Format::Steam, text.as_bytes(), None).unwrap();
    assert_eq!(
        (out.accounts[0].name.as_str(), out.accounts[0].kind),
        ("alice", Kind::Steam)
    );
    assert_eq!(out.accounts[0].secret, steam_secret(1));
    assert_eq!(
        shape(&out.accounts[1]),
        (Some("Example"), "bob", Algorithm::Sha1, 6, totp(30))
    );
    assert!(matches!(ok(&out)[2], Err(EntryError::Malformed { .. })));
}

fn bundle(parts: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        out.extend(data(p));
        out.push(b'\n');
    }
    out
}

#[test]
fn steam_encrypted_mafiles_after_their_manifest_in_any_order() {
    let input = bundle(&[
        "steam_manifest.json",
        "steam_beta.maFile",
        "steam_plain.maFile",
        "steam_alpha.maFile",
    ]);
    let out = import(Format::Steam, &input, Some(PW)).unwrap();
    let names: Vec<&str> = out.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["beta", "gamma", "alpha"]);
    assert_eq!(out.accounts[0].secret, steam_secret(101));
    assert_eq!(out.accounts[2].secret, steam_secret(1));
    assert_eq!(
        import(Format::Steam, &input, Some(b"wrong")),
        Err(ImportError::WrongPassword {
            format: Format::Steam
        })
    );
    assert_eq!(
        import(Format::Steam, &input, None),
        Err(ImportError::PasswordRequired {
            format: Format::Steam
        })
    );
}

#[test]
fn steam_manifest_and_encrypted_mafile_alone_are_typed_errors() {
    assert!(matches!(
        import(Format::Steam, &data("steam_manifest.json"), Some(PW)),
        Err(ImportError::Malformed { what, .. }) if what.contains("manifest, not an account file")
    ));
    assert!(matches!(
        import(Format::Steam, &data("steam_alpha.maFile"), Some(PW)),
        Err(ImportError::UnsupportedEncryption {
            format: Format::Steam,
            ..
        })
    ));
    // A manifest after an account file.
    assert!(matches!(
        import(
            Format::Steam,
            &bundle(&["steam_plain.maFile", "steam_manifest.json"]),
            Some(PW)
        ),
        Err(ImportError::Malformed { .. })
    ));
    // Truncated base64, not base64, and text of no Steam form.
    let mut cut = bundle(&["steam_manifest.json"]);
    cut.extend(&data("steam_alpha.maFile")[..50]);
    assert!(matches!(
        import(Format::Steam, &cut, Some(PW)),
        Err(ImportError::Malformed { .. })
    ));
    assert!(matches!(
        import(Format::Steam, b"hello, world", None),
        Err(ImportError::Malformed { .. })
    ));
    assert!(matches!(
        import(Format::Steam, b"{\"shared_secret\":", None),
        Err(ImportError::Malformed { .. })
    ));
    assert!(matches!(
        import(Format::Steam, b"  ", None),
        Err(ImportError::Malformed { .. })
    ));
}

#[test]
fn steam_v1_manifest_schemes_and_budget() {
    let manifest = String::from_utf8(data("steam_manifest.json")).unwrap();
    let m: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let entry = &m["entries"][0];
    let v1 = |scheme: &str| {
        let mut input = serde_json::json!({"version": 1, "entries": [{"filename": "alpha.maFile",
            "steam_id": 1, "account_name": "alpha", "encryption": {"iv": entry["encryption_iv"],
            "salt": entry["encryption_salt"], "scheme": scheme}}]})
        .to_string()
        .into_bytes();
        input.push(b'\n');
        input.extend(data("steam_alpha.maFile"));
        input
    };
    let out = import(Format::Steam, &v1("LegacySdaCompatible"), Some(PW)).unwrap();
    assert_eq!(out.accounts[0].name, "alpha");
    assert!(matches!(
        import(Format::Steam, &v1("Argon2idAes256"), Some(PW)),
        Err(ImportError::UnsupportedEncryption { .. })
    ));
    let small = ImportOptions {
        budget: WorkBudget::new(1_000, 64 << 20),
    };
    assert!(matches!(
        import_with(Format::Steam, &v1("LegacySdaCompatible"), Some(PW), &small),
        Err(ImportError::KdfBudget {
            format: Format::Steam,
            ..
        })
    ));
}

#[test]
fn steam_input_of_too_many_files_is_refused_whole() {
    let many = "{}\n".repeat(MAX_ENTRIES + 1);
    assert_eq!(
        import(Format::Steam, many.as_bytes(), None),
        Err(ImportError::TooManyEntries { max: MAX_ENTRIES })
    );
    let mut accounts = String::from(r#"{"accounts":{"#);
    for i in 0..=MAX_ENTRIES {
        if i > 0 {
            accounts.push(',');
        }
        accounts.push_str(&format!(r#""{i}":{{}}"#));
    }
    accounts.push_str("}}");
    assert_eq!(
        import(Format::Steam, accounts.as_bytes(), None),
        Err(ImportError::TooManyEntries { max: MAX_ENTRIES })
    );
}

/// `cat manifest.json NAME.maFile`: the encrypted maFile right after the manifest's
/// closing brace (the generated manifest's trailing newline removed), as one file.
#[test]
fn steam_manifest_and_mafile_concatenated_without_a_separator() {
    let mut input = data("steam_manifest.json");
    while input.last().is_some_and(u8::is_ascii_whitespace) {
        input.pop();
    }
    input.extend(data("steam_alpha.maFile"));
    assert_eq!(otpkit_transfer::detect(&input), Some(Format::Steam));
    let out = import(Format::Steam, &input, Some(PW)).unwrap();
    assert_eq!(out.accounts[0].name, "alpha");
}
