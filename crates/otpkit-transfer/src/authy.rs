//! Authy for Android's internal `shared_prefs` file
//! `com.authy.storage.tokens.authenticator.xml` (the layout and key derivation as
//! the interop corpus records them: the sample files of Aegis's importer tests,
//! beemdevelopment/Aegis, decoded and decrypted).
//!
//! The `<string name="com.authy.storage.tokens.authenticator.key">` holds a JSON
//! array of accounts: `originalIssuer`, `originalName` (`Issuer:name`), `name`
//! (`Issuer: name`), `digits`, and the Base32 secret either in clear
//! (`decryptedSecret`) or encrypted with the backup password (`encryptedSecret`,
//! `salt`): base64 AES-256-CBC (PKCS#7, zero IV) under PBKDF2-HMAC-SHA1(password, the
//! UTF-8 `salt` text, 1000 iterations, 32 bytes). Authy stores neither the period nor
//! the hash: every account is read as TOTP, HMAC-SHA-1, 30 s, as the app computes
//! its codes.
//!
//! CBC has no integrity check: a wrong password shows as bad padding or a plaintext
//! that is not Base32. The first encrypted secret that does not open is
//! [`ImportError::WrongPassword`]; once one has opened, a later one that does not is
//! [`ImportError::IntegrityCheckFailed`]. Bounds: each encrypted entry's PBKDF2
//! (1000 iterations, about 240 work units) is charged to the import's budget before
//! it runs, so the default budget opens some 4 000 encrypted entries (real files
//! hold tens) and refuses a larger file; the XML is bounded as [`crate::android`]
//! says, the entries by [`crate::MAX_ENTRIES`].

use otpkit::otpauth::{Account, Kind};
use otpkit::{Algorithm, Period};
use otpkit_kdf::{Prf, WorkBudget};
use serde::Deserialize;
use serde_json::value::RawValue;
use zeroize::Zeroizing;

use crate::json::{self, Num, SecretText};
use crate::secret::secret_from_base32_lenient;
use crate::{EntryError, EntryWarning, Format, Import, ImportError, android, crypto, label_of};

const F: Format = Format::Authy;
const KEY: &str = "com.authy.storage.tokens.authenticator.key";
const ITERATIONS: u32 = 1000;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    original_issuer: Option<String>,
    original_name: Option<String>,
    name: Option<String>,
    digits: Option<Num>,
    decrypted_secret: Option<SecretText>,
    encrypted_secret: Option<String>,
    salt: Option<String>,
}

pub(crate) fn import(
    data: &[u8],
    password: Option<&[u8]>,
    budget: &mut WorkBudget,
) -> Result<Import, ImportError> {
    let prefs = android::read(F, data)?;
    let list = android::string(&prefs, KEY)
        .ok_or(ImportError::malformed(F, "no Authy token list in the XML"))?;
    let raw: Vec<&RawValue> = serde_json::from_str(list)
        .map_err(|e| ImportError::json(F, "expected a JSON array of Authy tokens", &e))?;
    let raw = json::entries(&raw)?;
    let entries: Vec<Result<Entry, EntryError>> = raw.iter().map(|r| json::entry(r)).collect();
    let encrypted = entries.iter().any(
        |e| matches!(e, Ok(e) if e.decrypted_secret.is_none() && e.encrypted_secret.is_some()),
    );
    let password = match (encrypted, password) {
        (true, None) => return Err(ImportError::PasswordRequired { format: F }),
        (_, password) => password,
    };
    let mut opened_one = false;
    let mut out = Import::new();
    for entry in entries {
        let (label, result) = match entry {
            Ok(entry) => {
                let (issuer, name) = names(&entry);
                let secret = secret_text(&entry, password, budget, &mut opened_one)?;
                (
                    label_of(issuer.as_deref(), &name),
                    read_entry(&entry, issuer.as_deref(), &name, secret),
                )
            }
            Err(e) => (String::new(), Err(e)),
        };
        out.push(label, result)?;
    }
    Ok(out)
}

/// The issuer and name: `originalIssuer` (or the part of `originalName` before its
/// `:`) and the part of `originalName` (or `name`) after it.
fn names(entry: &Entry) -> (Option<String>, String) {
    let whole = entry
        .original_name
        .as_deref()
        .or(entry.name.as_deref())
        .unwrap_or_default();
    let (prefix, name) = match whole.split_once(':') {
        Some((issuer, name)) => (Some(issuer.trim()), name.trim()),
        None => (None, whole.trim()),
    };
    let issuer = entry
        .original_issuer
        .as_deref()
        .filter(|i| !i.is_empty())
        .or(prefix)
        .map(str::to_owned);
    (issuer, name.to_owned())
}

/// The entry's Base32 secret text: in clear, or decrypted with `password`.
fn secret_text(
    entry: &Entry,
    password: Option<&[u8]>,
    budget: &mut WorkBudget,
    opened_one: &mut bool,
) -> Result<Option<Zeroizing<String>>, ImportError> {
    if let Some(plain) = &entry.decrypted_secret {
        return Ok(Some(plain.0.clone()));
    }
    let (Some(sealed), Some(password)) = (&entry.encrypted_secret, password) else {
        return Ok(None);
    };
    let salt = entry.salt.as_deref().unwrap_or_default();
    let key = crypto::pbkdf2_key(budget, Prf::Sha1, password, salt.as_bytes(), ITERATIONS)
        .map_err(|e| ImportError::kdf(F, e))?;
    let failed = if *opened_one {
        ImportError::IntegrityCheckFailed { format: F }
    } else {
        ImportError::WrongPassword { format: F }
    };
    let ciphertext = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, sealed)
        .map_err(|_| ImportError::malformed(F, "an encryptedSecret is not base64"))?;
    let plain = crypto::cbc_open(key.as_slice(), &[0u8; 16], &ciphertext).ok_or(failed.clone())?;
    let text = std::str::from_utf8(&plain).map_err(|_| failed.clone())?;
    // A wrong key gives random bytes: not Base32 text.
    if secret_from_base32_lenient(text).is_err() {
        return Err(failed);
    }
    *opened_one = true;
    Ok(Some(Zeroizing::new(text.to_owned())))
}

fn read_entry(
    entry: &Entry,
    issuer: Option<&str>,
    name: &str,
    secret: Option<Zeroizing<String>>,
) -> Result<(Account, Vec<EntryWarning>), EntryError> {
    let text = secret.ok_or(EntryError::MissingField("decryptedSecret"))?;
    let read = secret_from_base32_lenient(&text).map_err(EntryError::Secret)?;
    let mut warnings = read.warnings;
    let digits = json::digits(entry.digits.map(|n| n.0), "digits", &mut warnings)?;
    let account = json::account(
        issuer,
        name,
        read.secret,
        Algorithm::Sha1,
        digits,
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

    fn encrypt(secret: &str, salt: &str, password: &[u8]) -> String {
        let key = crypto::pbkdf2_key(
            &mut WorkBudget::default(),
            Prf::Sha1,
            password,
            salt.as_bytes(),
            ITERATIONS,
        )
        .unwrap();
        let ct = cbc::Encryptor::<Aes256>::new_from_slices(key.as_slice(), &[0u8; 16])
            .unwrap()
            .encrypt_padded_vec::<Pkcs7>(secret.as_bytes());
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, ct)
    }

    fn file(tokens: &str) -> String {
        let escaped = tokens.replace('&', "&amp;").replace('"', "&quot;");
        format!(
            "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n    \
             <int name=\"key_version\" value=\"121\" />\n    <string name=\"{KEY}\">{escaped}</string>\n</map>\n"
        )
    }

    fn encrypted_file() -> String {
        let a = encrypt("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "saltA", PW);
        let b = encrypt("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "saltB", PW);
        file(&format!(
            r#"[{{"accountType":"authenticator","digits":6,"encryptedSecret":"{a}","originalIssuer":"Example","originalName":"Example:alice","salt":"saltA","name":"Example: alice"}},
               {{"accountType":"authenticator","digits":8,"encryptedSecret":"{b}","originalName":"Other:bob","salt":"saltB","name":"Other: bob"}}]"#
        ))
    }

    #[test]
    fn plain_file_reads_names_digits_and_defaults() {
        let xml = file(
            r#"[{"decryptedSecret":"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP","digits":7,"originalIssuer":"Example","originalName":"Example:alice","name":"Example: alice"},
                {"decryptedSecret":"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ","name":"solo"}]"#,
        );
        let out = crate::import(F, xml.as_bytes(), None).unwrap();
        assert_eq!(out.accounts.len(), 2);
        let a = &out.accounts[0];
        assert_eq!(
            (a.issuer.as_deref(), a.name.as_str()),
            (Some("Example"), "alice")
        );
        assert_eq!(a.digits.get(), 7);
        assert_eq!(a.algorithm, Algorithm::Sha1);
        assert_eq!(
            a.kind,
            Kind::Totp {
                period: Period::DEFAULT
            }
        );
        assert_eq!(
            a.secret.base32().to_string(),
            "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        );
        let b = &out.accounts[1];
        assert_eq!((b.issuer.as_deref(), b.name.as_str()), (None, "solo"));
        assert_eq!(b.digits.get(), 6);
        assert_eq!(
            out.report[1].outcome,
            Ok(vec![EntryWarning::Defaulted { field: "digits" }])
        );
    }

    #[test]
    fn encrypted_file_opens_with_the_password() {
        let xml = encrypted_file();
        let out = crate::import(F, xml.as_bytes(), Some(PW)).unwrap();
        let got: Vec<_> = out
            .accounts
            .iter()
            .map(|a| {
                (
                    a.issuer.clone(),
                    a.name.clone(),
                    a.secret.base32().to_string(),
                    a.digits.get(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    Some("Example".into()),
                    "alice".into(),
                    "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP".into(),
                    6
                ),
                (
                    Some("Other".into()),
                    "bob".into(),
                    "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ".into(),
                    8
                ),
            ]
        );
    }

    #[test]
    fn encrypted_file_wrong_or_missing_password() {
        let xml = encrypted_file();
        assert_eq!(
            crate::import(F, xml.as_bytes(), Some(b"wrong")).unwrap_err(),
            ImportError::WrongPassword { format: F }
        );
        assert_eq!(
            crate::import(F, xml.as_bytes(), None).unwrap_err(),
            ImportError::PasswordRequired { format: F }
        );
    }

    #[test]
    fn a_damaged_later_secret_fails_the_integrity_check() {
        let a = encrypt("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "s1", PW);
        let b = encrypt(
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "s2",
            b"another password",
        );
        let xml = file(&format!(
            r#"[{{"encryptedSecret":"{a}","salt":"s1","name":"a"}},{{"encryptedSecret":"{b}","salt":"s2","name":"b"}}]"#
        ));
        assert_eq!(
            crate::import(F, xml.as_bytes(), Some(PW)).unwrap_err(),
            ImportError::IntegrityCheckFailed { format: F }
        );
    }

    #[test]
    fn the_kdf_is_charged_to_the_budget() {
        let xml = encrypted_file();
        let small = crate::ImportOptions {
            budget: WorkBudget::new(1, 1 << 20),
        };
        assert!(matches!(
            crate::import_with(F, xml.as_bytes(), Some(PW), &small),
            Err(ImportError::KdfBudget { .. })
        ));
    }

    #[test]
    fn malformed_files() {
        for (data, what) in [
            ("<map></map>", "no Authy token list in the XML"),
            (&*file("{}"), "expected a JSON array of Authy tokens"),
            (
                &*file(r#"[{"encryptedSecret":"%%%","salt":"s"}]"#),
                "an encryptedSecret is not base64",
            ),
        ] {
            match crate::import(F, data.as_bytes(), Some(PW)) {
                Err(ImportError::Malformed { what: got, .. }) => assert_eq!(got, what),
                other => panic!("{data}: {other:?}"),
            }
        }
        // An entry without any secret is reported, the others read.
        let out = crate::import(
            F,
            file(r#"[{"name":"none"},{"decryptedSecret":"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP","name":"x"}]"#)
                .as_bytes(),
            None,
        )
        .unwrap();
        assert_eq!(
            out.report[0].outcome,
            Err(EntryError::MissingField("decryptedSecret"))
        );
        assert_eq!(out.accounts.len(), 1);
    }
}
