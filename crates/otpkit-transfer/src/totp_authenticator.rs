//! TOTP Authenticator (`com.authenticator.authservice2`): its encrypted `.bin` backup
//! and its internal `shared_prefs` XML (the layout and cryptography as the interop
//! corpus records them: the sample files of Aegis's importer tests and Stratum's
//! (Authenticator Pro's) converter tests, decoded and decrypted).
//!
//! The backup is base64 of AES-256-CBC (PKCS#7, zero IV) with key SHA-256(password).
//! Its plaintext is a JSON object whose first *key* is the JSON text of the entry
//! array (its value is a timestamp). A backup made without a password of the user's
//! uses the app's built-in one, `TotpAuthenticator`: without a password that one is
//! tried, and if it does not open the file the result is
//! [`ImportError::PasswordRequired`]. CBC has no integrity check: bad padding or a
//! plaintext that is not that JSON is [`ImportError::WrongPassword`]. The internal
//! XML keeps the same array in the `<string name="STATIC_TOTP_CODES_LIST">`.
//!
//! Entries: `issuer`, `name`, `key` with `base` 16, 32 or 64 giving its encoding.
//! The app supports only TOTP, HMAC-SHA-1, 6 digits, 30 s (so the corpus records
//! it, and its expected accounts, from Aegis's importer test, are so even where a
//! file's `digits` and `period` say otherwise): those two fields are not used, and
//! an [`EntryWarning::FieldIgnored`] says so when they are not 6 and 30. Bounds: the file is at most [`crate::MAX_INPUT_LEN`], its
//! entries at most [`crate::MAX_ENTRIES`]; no key derivation beyond one SHA-256.

use otpkit::otpauth::{Account, Kind};
use otpkit::{Algorithm, Digits, Period, SecretError};
use serde::Deserialize;
use serde_json::value::RawValue;
use zeroize::Zeroizing;

use crate::json::{self, SecretText};
use crate::secret::{secret_from_base32_lenient, secret_from_bytes, wiped_vec};
use crate::{EntryError, EntryWarning, Format, Import, ImportError, android, crypto, label_of};

const F: Format = Format::TotpAuthenticator;
const PREF: &str = "STATIC_TOTP_CODES_LIST";
/// The password the app encrypts with when the user set none.
const BUILT_IN_PASSWORD: &[u8] = b"TotpAuthenticator";

#[derive(Deserialize)]
struct Entry {
    issuer: Option<String>,
    #[serde(default)]
    name: String,
    key: Option<SecretText>,
    base: Option<json::Num>,
    digits: Option<serde_json::Value>,
    period: Option<serde_json::Value>,
}

pub(crate) fn import(data: &[u8], password: Option<&[u8]>) -> Result<Import, ImportError> {
    if android::looks_like_xml(data) {
        let prefs = android::read(F, data)?;
        let list = android::string(&prefs, PREF).ok_or(ImportError::malformed(
            F,
            "no TOTP Authenticator list in the XML",
        ))?;
        return read_entries(list);
    }
    let text: Vec<u8> = data
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let sealed = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &text)
        .map_err(|_| ImportError::malformed(F, "the backup is not base64"))?;
    if sealed.is_empty() || sealed.len() % 16 != 0 {
        return Err(ImportError::malformed(
            F,
            "the backup is not whole AES blocks",
        ));
    }
    let list = match password {
        Some(password) => {
            open(&sealed, password).ok_or(ImportError::WrongPassword { format: F })?
        }
        None => {
            open(&sealed, BUILT_IN_PASSWORD).ok_or(ImportError::PasswordRequired { format: F })?
        }
    };
    read_entries(&list)
}

/// The entry list's JSON text, if `password` opens the backup.
fn open(sealed: &[u8], password: &[u8]) -> Option<Zeroizing<String>> {
    let key = crypto::sha256(password);
    let plain = crypto::cbc_open(key.as_slice(), &[0u8; 16], sealed)?;
    first_key(&plain)
}

/// The first key of the JSON object `plain`, unescaped into a buffer wiped on drop.
/// (serde_json would unescape it in a scratch buffer freed unwiped, and the key holds
/// every secret of the file.) `None` if `plain` is not a JSON object with a key.
fn first_key(plain: &[u8]) -> Option<Zeroizing<String>> {
    // The whole object is checked by skipping it, which copies no string.
    serde_json::from_slice::<serde::de::IgnoredAny>(plain).ok()?;
    let text = std::str::from_utf8(plain).ok()?;
    let rest = text
        .trim_start()
        .strip_prefix('{')?
        .trim_start()
        .strip_prefix('"')?;
    let mut out = Zeroizing::new(String::with_capacity(rest.len()));
    let mut chars = rest.chars();
    loop {
        match chars.next()? {
            '"' => return Some(out),
            '\\' => {
                let c = match chars.next()? {
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'u' => {
                        let unit = hex4(&mut chars)?;
                        if (0xD800..0xDC00).contains(&unit) {
                            let (Some('\\'), Some('u')) = (chars.next(), chars.next()) else {
                                return None;
                            };
                            let low = hex4(&mut chars)?
                                .checked_sub(0xDC00)
                                .filter(|l| *l < 0x400)?;
                            let high = unit.checked_sub(0xD800)?;
                            let code = high.checked_mul(0x400)?.checked_add(low)?;
                            char::from_u32(code.checked_add(0x1_0000)?)?
                        } else {
                            char::from_u32(unit)?
                        }
                    }
                    c => c,
                };
                out.push(c);
            }
            c => out.push(c),
        }
    }
}

/// Four hex digits of a JSON `\\u` escape.
fn hex4(chars: &mut core::str::Chars<'_>) -> Option<u32> {
    let mut value = 0u32;
    for _ in 0..4 {
        value = value
            .checked_mul(16)?
            .checked_add(chars.next()?.to_digit(16)?)?;
    }
    Some(value)
}

fn read_entries(list: &str) -> Result<Import, ImportError> {
    let raw: Vec<&RawValue> = serde_json::from_str(list).map_err(|e| {
        ImportError::json(F, "expected a JSON array of TOTP Authenticator entries", &e)
    })?;
    let mut out = Import::new();
    for raw in json::entries(&raw)? {
        let (label, result) = match json::entry::<Entry>(raw) {
            Ok(entry) => (
                label_of(entry.issuer.as_deref(), &entry.name),
                read_entry(&entry),
            ),
            Err(e) => (String::new(), Err(e)),
        };
        out.push(label, result)?;
    }
    Ok(out)
}

/// Whether a `digits`/`period` value the app does not use says what it computes
/// with: absent, null, empty text, or `default` as a number or text.
fn unused_value_is_default(value: Option<&serde_json::Value>, default: i64) -> bool {
    match value {
        None | Some(serde_json::Value::Null) => true,
        Some(serde_json::Value::Number(n)) => n.as_i64() == Some(default),
        Some(serde_json::Value::String(s)) => {
            s.trim().is_empty() || s.trim().parse::<i64>() == Ok(default)
        }
        Some(_) => false,
    }
}

fn read_entry(entry: &Entry) -> Result<(Account, Vec<EntryWarning>), EntryError> {
    let key = entry.key.as_ref().ok_or(EntryError::MissingField("key"))?;
    let text = key.0.trim();
    let mut warnings = Vec::new();
    let secret = match entry.base.map(|b| b.0) {
        Some(16) => {
            let bytes = Zeroizing::new(
                data_encoding::HEXLOWER_PERMISSIVE
                    .decode(text.as_bytes())
                    .map_err(|e| {
                        EntryError::Secret(match e.kind {
                            data_encoding::DecodeKind::Length => SecretError::InvalidLength {
                                symbols: text.len(),
                            },
                            _ => SecretError::InvalidCharacter {
                                position: e.position.saturating_add(1),
                            },
                        })
                    })?,
            );
            secret_from_bytes(&bytes, &mut warnings).map_err(EntryError::Secret)?
        }
        Some(64) => {
            let bytes = Zeroizing::new(
                base64::Engine::decode(&base64::engine::general_purpose::STANDARD, text).map_err(
                    |_| EntryError::Secret(SecretError::InvalidCharacter { position: 1 }),
                )?,
            );
            secret_from_bytes(&bytes, &mut warnings).map_err(EntryError::Secret)?
        }
        None | Some(32) => {
            let read = secret_from_base32_lenient(text).map_err(EntryError::Secret)?;
            warnings = read.warnings;
            read.secret
        }
        Some(_) => return Err(EntryError::MissingField("base")),
    };
    for (field, value, default) in [("digits", &entry.digits, 6), ("period", &entry.period, 30)] {
        if !unused_value_is_default(value.as_ref(), default) {
            wiped_vec::push(&mut warnings, EntryWarning::FieldIgnored { field });
        }
    }
    let account = json::account(
        entry.issuer.as_deref(),
        &entry.name,
        secret,
        Algorithm::Sha1,
        Digits::SIX,
        Kind::Totp {
            period: Period::DEFAULT,
        },
    );
    Ok((account, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::Aes256;
    use cbc::cipher::block_padding::Pkcs7;
    use cbc::cipher::{BlockModeEncrypt, KeyIvInit};

    const PW: &[u8] = b"otpkit-test";
    const ENTRIES: &str = r#"[{"issuer":"Example","name":"alice","key":"48656c6c6f21deadbeef48656c6c6f21deadbeef","base":16,"digits":"6","period":"30"},
        {"issuer":"Other","name":"bob","key":"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP","base":32,"digits":"8","period":""},
        {"issuer":"B64","name":"carol","key":"SGVsbG8h3q2+70hlbGxvId6tvu8=","base":64,"digits":"","period":30}]"#;

    fn backup(entries: &str, password: &[u8]) -> String {
        let plain = serde_json::json!({ entries: "1700000000" }).to_string();
        let key = crypto::sha256(password);
        let ct = cbc::Encryptor::<Aes256>::new_from_slices(key.as_slice(), &[0u8; 16])
            .unwrap()
            .encrypt_padded_vec::<Pkcs7>(plain.as_bytes());
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, ct)
    }

    fn check(out: &Import) {
        let got: Vec<_> = out
            .accounts
            .iter()
            .map(|a| {
                (
                    a.issuer.clone().unwrap_or_default(),
                    a.name.clone(),
                    a.secret.base32().to_string(),
                )
            })
            .collect();
        let hello = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        assert_eq!(
            got,
            [
                ("Example".to_owned(), "alice".to_owned(), hello.to_owned()),
                ("Other".to_owned(), "bob".to_owned(), hello.to_owned()),
                ("B64".to_owned(), "carol".to_owned(), hello.to_owned()),
            ]
        );
        for a in &out.accounts {
            assert_eq!((a.algorithm, a.digits), (Algorithm::Sha1, Digits::SIX));
            assert_eq!(
                a.kind,
                Kind::Totp {
                    period: Period::DEFAULT
                }
            );
        }
        assert_eq!(out.report[0].outcome, Ok(vec![]));
        assert_eq!(
            out.report[1].outcome,
            Ok(vec![EntryWarning::FieldIgnored { field: "digits" }])
        );
        assert_eq!(out.report[2].outcome, Ok(vec![]));
    }

    #[test]
    fn first_key_unescapes_json() {
        let key =
            first_key(br#" { "a\"b\\c\/\n\u00e9\ud83d\ude00" : 1, "x": [{"y": "\""}] }"#).unwrap();
        assert_eq!(key.as_str(), "a\"b\\c/\n\u{e9}\u{1F600}");
        for bad in [
            &br#"[1]"#[..],
            br#"{}"#,
            br#"{"a":1"#,
            br#"{"\ud83d":1}"#,
            br#"{"\uzzzz":1}"#,
        ] {
            assert!(first_key(bad).is_none(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn encrypted_backup_round_trip() {
        let file = backup(ENTRIES, PW);
        check(&crate::import(F, file.as_bytes(), Some(PW)).unwrap());
    }

    #[test]
    fn built_in_password_is_tried_without_one() {
        let file = backup(ENTRIES, BUILT_IN_PASSWORD);
        check(&crate::import(F, file.as_bytes(), None).unwrap());
        let file = backup(ENTRIES, PW);
        assert_eq!(
            crate::import(F, file.as_bytes(), None).unwrap_err(),
            ImportError::PasswordRequired { format: F }
        );
        assert_eq!(
            crate::import(F, file.as_bytes(), Some(b"wrong")).unwrap_err(),
            ImportError::WrongPassword { format: F }
        );
    }

    #[test]
    fn internal_xml() {
        let xml = format!(
            "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n\
             <int name=\"RATE_US_COUNTER\" value=\"13\" />\n<string name=\"{PREF}\">{}</string>\n</map>\n",
            ENTRIES.replace('"', "&quot;")
        );
        check(&crate::import(F, xml.as_bytes(), None).unwrap());
    }

    #[test]
    fn malformed_backups_and_entries() {
        for (data, what) in [
            (&b"not base64!"[..], "the backup is not base64"),
            (b"AAAA", "the backup is not whole AES blocks"),
            (b"<map/>", "no TOTP Authenticator list in the XML"),
        ] {
            match crate::import(F, data, Some(PW)) {
                Err(ImportError::Malformed { what: got, .. }) => assert_eq!(got, what),
                other => panic!("{other:?}"),
            }
        }
        // Decrypts, but is not the JSON object: as a wrong password.
        let key = crypto::sha256(PW);
        let ct = cbc::Encryptor::<Aes256>::new_from_slices(key.as_slice(), &[0u8; 16])
            .unwrap()
            .encrypt_padded_vec::<Pkcs7>(b"[1,2]");
        let file = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, ct);
        assert_eq!(
            crate::import(F, file.as_bytes(), Some(PW)).unwrap_err(),
            ImportError::WrongPassword { format: F }
        );
        let file = backup(
            r#"[{"name":"a","key":"zz","base":16},{"name":"b","base":16},{"name":"c","key":"AA","base":8}]"#,
            PW,
        );
        let out = crate::import(F, file.as_bytes(), Some(PW)).unwrap();
        assert_eq!(
            out.report
                .iter()
                .map(|r| r.outcome.clone().unwrap_err())
                .collect::<Vec<_>>(),
            [
                EntryError::Secret(SecretError::InvalidCharacter { position: 1 }),
                EntryError::MissingField("key"),
                EntryError::MissingField("base"),
            ]
        );
    }
}
