//! The interop corpus: every PSKC file in `../shared/interop/samples/pskc` (RFC 6030
//! figures as python-pskc and privacyIDEA copy them, Feitian, multiOTP and NagraID
//! seed files, python-pskc's encryption variants) imported with the key or password
//! `expected.json` gives, and compared with what it lists. Third-party files: read
//! from the shared folder, never copied here; the test SKIPs when it is absent.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use otpkit::{Algorithm, LengthPolicy};
use otpkit_pskc::{Decryption, Import, KeyError, Kind, Options, PskcError, import_with};
use serde_json::Value;

fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/interop");
    dir.join("expected.json").is_file().then_some(dir)
}

fn options() -> Options {
    Options {
        length_policy: LengthPolicy::AllowShort,
        ..Options::default()
    }
}

/// python-pskc's `encryption/` fixtures name no algorithm on their `<Key>`; for
/// checking decryption the copy in memory gets an HOTP one.
const ADD_ALGORITHM: (&str, &str) = (
    "<Key>",
    r#"<Key Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp">"#,
);

fn run(dir: &Path, record: &Value) -> Result<Import, PskcError> {
    run_patched(dir, record, None)
}

fn run_patched(
    dir: &Path,
    record: &Value,
    patch: Option<(&str, &str)>,
) -> Result<Import, PskcError> {
    let file = record["file"].as_str().unwrap();
    let mut bytes = std::fs::read(dir.join(file)).unwrap();
    if let Some((from, to)) = patch {
        bytes = String::from_utf8(bytes)
            .unwrap()
            .replace(from, to)
            .into_bytes();
    }
    let key = record["key_hex"].as_str().map(|h| {
        data_encoding::HEXLOWER_PERMISSIVE
            .decode(h.as_bytes())
            .unwrap()
    });
    let password = record["password"].as_str();
    let decryption = match (&key, password) {
        (Some(k), _) => Decryption::PreSharedKey(k),
        (None, Some(p)) => Decryption::Password(p.as_bytes()),
        (None, None) => Decryption::None,
    };
    import_with(&bytes, decryption, &options())
}

/// Files the importer refuses as a whole, and why: they are not well-formed XML
/// (privacyIDEA's parser is lenient), or need keys the corpus does not give.
const REFUSED: &[(&str, &str)] = &[
    (
        "privacyidea-privacyidea/pskc-aes.xml",
        "truncated: no closing tag",
    ),
    (
        "privacyidea-privacyidea/inline_YUBIKEY_PSKC_HOTP.xml",
        "no closing tag",
    ),
    (
        "privacyidea-privacyidea/inline_XML_PSKC_PASSWORD_PREFIX.xml",
        "mismatched tag",
    ),
];

/// Per-key refusals expected for listed entries: (file suffix, key id, why).
fn expected_key_error(file: &str, entry: &Value, error: &KeyError) -> bool {
    let kind = entry["type"].as_str().unwrap_or_default();
    match error {
        KeyError::UnsupportedAlgorithm(_) => kind != "hotp" && kind != "totp",
        // Figure 4 (key held by reference) and Figure 8 (RSA key transport).
        KeyError::NoSecret => file.ends_with("figure4.pskcxml"),
        KeyError::UnsupportedCipher(uri) => {
            file.ends_with("figure8.pskcxml") && uri.ends_with("#rsa_1_5")
        }
        _ => false,
    }
}

#[test]
fn pskc_corpus_matches_expected_json() {
    let Some(dir) = shared() else {
        println!("SKIP: ../shared/interop not found; the PSKC corpus test did not run");
        return;
    };
    let expected: Value =
        serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
    let mut compared_keys = 0;
    let mut seen_files = BTreeSet::new();
    for record in expected["files"].as_array().unwrap() {
        let file = record["file"].as_str().unwrap();
        if !file.starts_with("samples/pskc/") || file.contains("/_doctests/") {
            continue;
        }
        seen_files.insert(file.to_owned());
        let short = file.trim_start_matches("samples/pskc/");
        let result = run(&dir, record);
        if let Some((_, why)) = REFUSED.iter().find(|(f, _)| *f == short) {
            assert!(
                matches!(result, Err(PskcError::Xml(_))),
                "{short} ({why}) should be refused as malformed XML, got {result:?}"
            );
            continue;
        }
        let Some(entries) = record["entries"].as_array() else {
            if short.contains("/encryption/") {
                // Unpatched, every key that decrypts is refused for its missing
                // algorithm, never guessed.
                if let Ok(import) = &result {
                    assert!(
                        import.keys.iter().all(|k| matches!(
                            k.result,
                            Err(KeyError::NoAlgorithm | KeyError::UnsupportedCipher(_))
                        )),
                        "{short}: {:?}",
                        import.keys
                    );
                }
                let patched = run_patched(&dir, record, Some(ADD_ALGORITHM));
                check_without_entries(short, record, patched);
            } else {
                check_without_entries(short, record, result);
            }
            continue;
        };
        let import = result.unwrap_or_else(|e| panic!("{short}: {e}"));
        assert_eq!(import.keys.len(), entries.len(), "{short}: key count");
        for (entry, report) in entries.iter().zip(&import.keys) {
            let id = entry["key_id"].as_str();
            assert_eq!(report.key_id.as_deref(), id, "{short}: key order");
            let token = match &report.result {
                Ok(t) => t,
                Err(e) => {
                    assert!(
                        expected_key_error(short, entry, e),
                        "{short} key {id:?}: unexpected {e:?}"
                    );
                    continue;
                }
            };
            let kind = entry["type"].as_str().unwrap();
            assert_eq!(
                token.secret.base32().to_string(),
                entry["secret"].as_str().unwrap(),
                "{short} key {id:?}: secret"
            );
            let algorithm = match entry["algorithm"].as_str().unwrap() {
                "SHA1" => Algorithm::Sha1,
                "SHA256" => Algorithm::Sha256,
                "SHA512" => Algorithm::Sha512,
                other => panic!("{other}"),
            };
            assert_eq!(token.algorithm, algorithm, "{short} key {id:?}: algorithm");
            if let Some(d) = entry["digits"].as_u64() {
                assert_eq!(
                    u64::from(token.digits.get()),
                    d,
                    "{short} key {id:?}: digits"
                );
            }
            assert_eq!(
                token.device.serial_number.as_deref(),
                entry["serial"].as_str(),
                "{short} key {id:?}: serial"
            );
            if entry.get("issuer").is_some() {
                assert_eq!(
                    token.issuer.as_deref(),
                    entry["issuer"].as_str(),
                    "{short} key {id:?}: issuer"
                );
            }
            match (kind, token.kind) {
                ("hotp", Kind::Hotp { counter }) => {
                    assert_eq!(counter, entry["counter"].as_u64().unwrap_or(0), "{short}")
                }
                ("totp", Kind::Totp { period, t0, drift }) => {
                    assert_eq!(period.seconds(), entry["period"].as_u64().unwrap_or(30));
                    assert_eq!(t0, entry["time"].as_u64().unwrap_or(0));
                    assert_eq!(drift, entry["time_drift"].as_i64().unwrap_or(0));
                }
                other => panic!("{short} key {id:?}: kind {other:?}"),
            }
            compared_keys += 1;
        }
    }
    assert!(
        seen_files.len() >= 40,
        "only {} PSKC records",
        seen_files.len()
    );
    assert!(compared_keys >= 25, "only {compared_keys} keys compared");
    println!(
        "PSKC corpus: {} files, {compared_keys} keys compared",
        seen_files.len()
    );
}

/// Records without `entries`: their expected values are in `source_test_assertions`.
fn check_without_entries(short: &str, record: &Value, result: Result<Import, PskcError>) {
    let assertions: Vec<&str> = record["source_test_assertions"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let has_key = record["key_hex"].is_string() || record["password"].is_string();
    // "keys[0].secret == <hex> (hex)" (multiOTP).
    let first_hex = assertions.iter().find_map(|a| {
        a.strip_prefix("keys[0].secret == ")
            .and_then(|r| r.split_whitespace().next())
    });
    let ascii_secret = assertions
        .iter()
        .any(|a| a.starts_with("secret ASCII \"12345678901234567890\""));
    let unsupported_cipher = ["camellia", "kw-", "tripledes"]
        .iter()
        .any(|c| short.contains(c));
    if !has_key {
        // No key or password in the corpus for it: must ask for one, never guess.
        assert!(
            matches!(
                result,
                Err(PskcError::NeedsPreSharedKey | PskcError::NeedsPassword)
            ),
            "{short}: {result:?}"
        );
        return;
    }
    if unsupported_cipher {
        // Camellia, key wrap and Triple DES are not decrypted: every key (or the MAC
        // key) is refused with a typed error, never a wrong secret.
        match result {
            Err(PskcError::MacKey(_)) => {}
            Ok(import) => assert!(
                import
                    .keys
                    .iter()
                    .all(|k| matches!(k.result, Err(KeyError::UnsupportedCipher(_)))),
                "{short}: {:?}",
                import.keys
            ),
            Err(e) => panic!("{short}: {e:?}"),
        }
        return;
    }
    let import = result.unwrap_or_else(|e| panic!("{short}: {e}"));
    let first = import.keys.first().expect("at least one key");
    println!(
        "{short}: first key {:?}",
        first.result.as_ref().map(|t| t.kind)
    );
    if let Some(hex) = first_hex {
        match &first.result {
            Ok(t) => assert_eq!(
                data_encoding::HEXLOWER.encode(t.secret.as_bytes()),
                hex,
                "{short}: first key's secret"
            ),
            // multiOTP's OCRA tokens are neither HOTP nor TOTP.
            Err(KeyError::UnsupportedAlgorithm(uri)) => {
                assert!(
                    short.contains("ocra") && uri.contains("ocra"),
                    "{short}: {uri}"
                )
            }
            Err(e) => panic!("{short}: {e:?}"),
        }
    } else if ascii_secret {
        assert_eq!(
            first
                .result
                .as_ref()
                .unwrap_or_else(|e| panic!("{short}: {e:?}"))
                .secret
                .as_bytes(),
            b"12345678901234567890",
            "{short}"
        );
    }
}

/// python-pskc's legacy variants, with the pre-shared key its doctest gives
/// (12345678901234567890123456789012): the importer holds to RFC 6030 and refuses
/// both rather than fall back.
#[test]
fn legacy_mac_variants_are_refused() {
    let Some(dir) = shared() else {
        println!("SKIP: ../shared/interop not found");
        return;
    };
    let key = data_encoding::HEXLOWER
        .decode(b"12345678901234567890123456789012")
        .unwrap();
    let read = |name: &str| {
        let path = dir
            .join("samples/pskc/arthurdejong-python-pskc/encryption")
            .join(name);
        let text = std::fs::read_to_string(path)
            .unwrap()
            .replace(ADD_ALGORITHM.0, ADD_ALGORITHM.1);
        import_with(text.as_bytes(), Decryption::PreSharedKey(&key), &options())
    };
    // A MACMethod without MACKey: older drafts used the encryption key.
    assert_eq!(
        read("no-mac-key.pskcxml").unwrap_err(),
        PskcError::MacKey("no MACKey")
    );
    // Older drafts put the MAC over the plaintext: it does not match the ciphertext.
    let over_plaintext = read("mac-over-plaintext.pskcxml").unwrap();
    assert_eq!(
        over_plaintext.keys[0].result.clone().unwrap_err(),
        KeyError::MacMismatch { field: "Secret" }
    );
}
