//! FreeOTP for Android (Red Hat): the 1.x internal `tokens.xml` and the 2.x
//! encrypted backup `externalBackup.xml` (the layouts and cryptography as the interop
//! corpus records them: the sample files of Aegis's importer tests, FreeOTP 2 backups
//! written on Android API 23, 25, 27 and 34, and of Stratum's (Authenticator Pro's)
//! converter tests, decoded and decrypted).
//!
//! **1.x** (and FreeOTP+'s internal file, [`Format::FreeOtpPlus`]): a `shared_prefs`
//! `<map>` with one `<string>` per token, named by its label, holding the token JSON
//! that FreeOTP+ exports ([`crate::freeotp_plus`]), and a `tokenOrder` string that
//! is not a token. Tokens are read in file order; the HOTP counter as stored (the
//! app stores the next counter − 1). The XML is bounded as [`crate::android`] says.
//!
//! **2.x**: despite its name, a Java-serialised `HashMap<String, String>` (read by
//! [`crate::javaser`], which refuses anything else). `masterKey` is JSON:
//! `mAlgorithm` (`PBKDF2withHmacSHA512`, or `…SHA1` on old Android), `mIterations`,
//! `mSalt` and `mEncryptedKey`, the AES key sealed with AES-256-GCM under
//! PBKDF2(password) (`mCipherText` = ciphertext ‖ tag, the nonce in `mParameters`, a
//! DER `GCMParameters` SEQUENCE or, on API 23/25, a bare OCTET STRING, and
//! `mToken` the associated data). Each token is a pair: `<uuid>` holds
//! `{"key": "<JSON of such a sealed secret>"}`, sealed with the master key, and
//! `<uuid>-token` the token JSON without its secret. Tokens are read in the stream's
//! order of their `<uuid>` keys; 2.x stores the real HOTP counter.
//!
//! A master key that does not open is [`ImportError::WrongPassword`]; a token secret
//! that does not open once it has is [`ImportError::IntegrityCheckFailed`]. The one
//! PBKDF2 is charged to the import's budget (100 000 iterations as the app writes
//! them; a file asking for more than the budget is refused before deriving).

use otpkit_kdf::{Prf, WorkBudget};
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::freeotp_plus::{self, SecretBytes, Token};
use crate::{EntryError, Format, Import, ImportError, android, crypto, javaser, label_of};

const F: Format = Format::FreeOtp;
/// Bytes of a sealed value, salt or parameters read (a secret is at most
/// [`otpkit::MAX_SECRET_LEN`] bytes, plus the tag).
const MAX_BYTES: usize = 1024;

pub(crate) fn import(
    data: &[u8],
    password: Option<&[u8]>,
    budget: &mut WorkBudget,
) -> Result<Import, ImportError> {
    if javaser::is_stream(data) {
        return import_v2(data, password, budget);
    }
    if android::looks_like_xml(data) {
        return import_tokens_xml(F, data);
    }
    Err(ImportError::malformed(
        F,
        "neither a FreeOTP tokens.xml nor a FreeOTP 2 backup",
    ))
}

/// The 1.x `tokens.xml` layout (FreeOTP 1, FreeOTP+).
pub(crate) fn import_tokens_xml(format: Format, data: &[u8]) -> Result<Import, ImportError> {
    let prefs = android::read(format, data)?;
    let mut out = Import::new();
    for pref in prefs
        .iter()
        .filter(|p| p.kind == "string" && p.name != "tokenOrder")
    {
        let result = serde_json::from_str::<Token>(&pref.value).map_err(|e| EntryError::json(&e));
        let (label, result) = match result {
            Ok(token) => (
                label_of(freeotp_plus::issuer(&token), &token.label),
                freeotp_plus::read_token(&token, None),
            ),
            Err(e) => (pref.name.clone(), Err(e)),
        };
        out.push(label, result)?;
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MasterKey {
    m_algorithm: String,
    m_encrypted_key: Sealed,
    m_iterations: u32,
    m_salt: SecretBytes<MAX_BYTES>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Sealed {
    m_cipher: String,
    m_cipher_text: SecretBytes<MAX_BYTES>,
    m_parameters: SecretBytes<MAX_BYTES>,
    m_token: String,
}

#[derive(Deserialize)]
struct Wrapped {
    key: String,
}

fn import_v2(
    data: &[u8],
    password: Option<&[u8]>,
    budget: &mut WorkBudget,
) -> Result<Import, ImportError> {
    let pairs = javaser::read_string_map(data).map_err(|r| ImportError::malformed(F, r.0))?;
    let master = pairs
        .iter()
        .find(|(k, _)| k.as_str() == "masterKey")
        .ok_or(ImportError::malformed(
            F,
            "no masterKey in the FreeOTP backup",
        ))?;
    let master: MasterKey = serde_json::from_str(&master.1)
        .map_err(|e| ImportError::json(F, "the masterKey is not FreeOTP's key JSON", &e))?;
    let password = password.ok_or(ImportError::PasswordRequired { format: F })?;
    let prf = match master.m_algorithm.to_ascii_lowercase().as_str() {
        "pbkdf2withhmacsha512" => Prf::Sha512,
        "pbkdf2withhmacsha256" => Prf::Sha256,
        "pbkdf2withhmacsha1" => Prf::Sha1,
        _ => {
            return Err(ImportError::UnsupportedEncryption {
                format: F,
                what: "a master key derivation other than PBKDF2-HMAC-SHA1/256/512",
            });
        }
    };
    let key = crypto::pbkdf2_key(budget, prf, password, &master.m_salt.0, master.m_iterations)
        .map_err(|e| ImportError::kdf(F, e))?;
    let master_key = open(&master.m_encrypted_key, key.as_slice())?
        .ok_or(ImportError::WrongPassword { format: F })?;
    if master_key.len() != 32 {
        return Err(ImportError::UnsupportedEncryption {
            format: F,
            what: "a master key that is not AES-256",
        });
    }
    // Token JSON by uuid (one pass, so pairing costs linear time in the map's size).
    let tokens: std::collections::HashMap<&str, &str> = pairs
        .iter()
        .filter_map(|(k, v)| Some((k.strip_suffix("-token")?, v.as_str())))
        .collect();
    let mut out = Import::new();
    for (uuid, value) in &pairs {
        if uuid.as_str() == "masterKey" || uuid.ends_with("-token") {
            continue;
        }
        let token = tokens
            .get(uuid.as_str())
            .map(|t| serde_json::from_str::<Token>(t));
        let label = match &token {
            Some(Ok(token)) => label_of(freeotp_plus::issuer(token), &token.label),
            Some(Err(_)) | None => String::new(),
        };
        // A key that is not FreeOTP's key JSON fails its entry alone.
        let sealed = serde_json::from_str::<Wrapped>(value)
            .and_then(|w| serde_json::from_str::<Sealed>(&w.key))
            .map_err(|e| EntryError::json(&e));
        let result = match (sealed, token) {
            (Err(e), _) => Err(e),
            (Ok(_), Some(Err(e))) => Err(EntryError::json(&e)),
            (Ok(_), None) => Err(EntryError::MissingField("token")),
            (Ok(sealed), Some(Ok(token))) => {
                // The master key opened: a secret that does not is damage.
                let secret = open(&sealed, &master_key)?
                    .ok_or(ImportError::IntegrityCheckFailed { format: F })?;
                freeotp_plus::read_token(&token, Some(&secret))
            }
        };
        out.push(label, result)?;
    }
    Ok(out)
}

/// Opens a sealed value with `key`: `None` when GCM's tag does not verify.
fn open(sealed: &Sealed, key: &[u8]) -> Result<Option<Zeroizing<Vec<u8>>>, ImportError> {
    if sealed.m_cipher != "AES/GCM/NoPadding" {
        return Err(ImportError::UnsupportedEncryption {
            format: F,
            what: "a cipher other than AES/GCM/NoPadding",
        });
    }
    let nonce = gcm_nonce(&sealed.m_parameters.0).ok_or(ImportError::malformed(
        F,
        "mParameters is not a 12-byte GCM nonce with a 16-byte tag",
    ))?;
    Ok(crypto::gcm_open_combined_aad(
        key,
        nonce,
        sealed.m_token.as_bytes(),
        &sealed.m_cipher_text.0,
    ))
}

/// The nonce of DER `GCMParameters ::= SEQUENCE { aes-nonce OCTET STRING,
/// aes-ICVlen INTEGER DEFAULT 12 }` (RFC 5084) or of a bare OCTET STRING; only a
/// 12-byte nonce and a 16-byte tag are read.
fn gcm_nonce(der: &[u8]) -> Option<&[u8]> {
    let (tag, body, rest) = tlv(der)?;
    if !rest.is_empty() {
        return None;
    }
    let nonce = match tag {
        0x04 => body,
        0x30 => {
            let (0x04, nonce, rest) = tlv(body)? else {
                return None;
            };
            if !rest.is_empty() {
                let (0x02, [16], []) = tlv(rest)? else {
                    return None;
                };
            }
            nonce
        }
        _ => return None,
    };
    (nonce.len() == 12).then_some(nonce)
}

/// One DER tag-length-value with a short-form length: (tag, value, what follows).
fn tlv(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&len, rest) = rest.split_first()?;
    if len >= 0x80 {
        return None;
    }
    let (body, rest) = rest.split_at_checked(usize::from(len))?;
    Some((tag, body, rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::javaser::tests::write_string_map;
    use otpkit::Algorithm;
    use otpkit::otpauth::Kind;

    const PW: &[u8] = b"otpkit-test";

    fn bytes_json(b: &[u8]) -> String {
        let signed: Vec<String> = b.iter().map(|&x| (x as i8).to_string()).collect();
        format!("[{}]", signed.join(","))
    }

    fn sealed_json(
        key: &[u8],
        nonce: [u8; 12],
        der_sequence: bool,
        aad: &str,
        plain: &[u8],
    ) -> String {
        let (mut ct, tag) = crypto::gcm_seal_aad(key, &nonce, aad.as_bytes(), plain).unwrap();
        ct.extend(tag);
        let mut params = Vec::new();
        if der_sequence {
            params.extend([0x30, 17, 0x04, 12]);
            params.extend(nonce);
            params.extend([0x02, 1, 16]);
        } else {
            params.extend([0x04, 12]);
            params.extend(nonce);
        }
        serde_json::json!({
            "mCipher": "AES/GCM/NoPadding",
            "mCipherText": serde_json::from_str::<serde_json::Value>(&bytes_json(&ct)).unwrap(),
            "mParameters": serde_json::from_str::<serde_json::Value>(&bytes_json(&params)).unwrap(),
            "mToken": aad,
        })
        .to_string()
    }

    const MASTER: [u8; 32] = [7; 32];
    const SALT: [u8; 32] = [3; 32];

    /// A FreeOTP 2 backup: a TOTP and an HOTP token, the master key sealed with
    /// PBKDF2-`prf`(`password`, 1000 iterations).
    fn backup(password: &[u8], prf: (Prf, &str), der_sequence: bool) -> Vec<u8> {
        let key =
            crypto::pbkdf2_key(&mut WorkBudget::default(), prf.0, password, &SALT, 1000).unwrap();
        let master = format!(
            r#"{{"mAlgorithm":"{}","mEncryptedKey":{},"mIterations":1000,"mSalt":{}}}"#,
            prf.1,
            sealed_json(key.as_slice(), [1; 12], der_sequence, "AES", &MASTER),
            bytes_json(&SALT)
        );
        let wrap = |secret: &[u8], n: u8, aad: &str| {
            serde_json::json!({ "key": sealed_json(&MASTER, [n; 12], der_sequence, aad, secret) })
                .to_string()
        };
        let a = wrap(b"12345678901234567890", 2, "HmacSHA1");
        let b = wrap(b"abcdefghijklmnopqrst", 3, "HmacSHA256");
        write_string_map(&[
            (
                "bbbb-token",
                r#"{"algo":"SHA256","counter":5,"digits":8,"issuerExt":"Other","issuerInt":"Other","label":"bob","type":"HOTP"}"#,
            ),
            ("aaaa", &a),
            ("masterKey", &master),
            ("bbbb", &b),
            (
                "aaaa-token",
                r#"{"algo":null,"issuerExt":"Example","label":"alice","period":60,"type":"TOTP"}"#,
            ),
        ])
    }

    #[test]
    fn v2_backup_round_trip_sha512_sequence_and_sha1_bare_nonce() {
        for (prf, der_sequence) in [
            ((Prf::Sha512, "PBKDF2withHmacSHA512"), true),
            ((Prf::Sha1, "PBKDF2withHmacSHA1"), false),
        ] {
            let file = backup(PW, prf, der_sequence);
            let out = crate::import(F, &file, Some(PW)).unwrap();
            assert_eq!(out.accounts.len(), 2);
            let (a, b) = (&out.accounts[0], &out.accounts[1]);
            assert_eq!(
                (a.issuer.as_deref(), a.name.as_str()),
                (Some("Example"), "alice")
            );
            assert_eq!(a.secret.as_bytes(), b"12345678901234567890");
            assert_eq!(a.algorithm, Algorithm::Sha1);
            assert_eq!(a.digits.get(), 6);
            assert_eq!(
                a.kind,
                Kind::Totp {
                    period: otpkit::Period::new(60).unwrap()
                }
            );
            assert_eq!(
                (b.issuer.as_deref(), b.name.as_str()),
                (Some("Other"), "bob")
            );
            assert_eq!(b.secret.as_bytes(), b"abcdefghijklmnopqrst");
            assert_eq!((b.algorithm, b.digits.get()), (Algorithm::Sha256, 8));
            // 2.x stores the real counter.
            assert_eq!(b.kind, Kind::Hotp { counter: 5 });
        }
    }

    #[test]
    fn v2_wrong_missing_password_and_budget() {
        let file = backup(PW, (Prf::Sha512, "PBKDF2withHmacSHA512"), true);
        assert_eq!(
            crate::import(F, &file, Some(b"wrong")).unwrap_err(),
            ImportError::WrongPassword { format: F }
        );
        assert_eq!(
            crate::import(F, &file, None).unwrap_err(),
            ImportError::PasswordRequired { format: F }
        );
        let small = crate::ImportOptions {
            budget: WorkBudget::new(10, 1 << 20),
        };
        assert!(matches!(
            crate::import_with(F, &file, Some(PW), &small),
            Err(ImportError::KdfBudget { .. })
        ));
    }

    #[test]
    fn v2_tampered_token_fails_integrity() {
        let file = backup(PW, (Prf::Sha512, "PBKDF2withHmacSHA512"), true);
        // The AAD of the first token's secret changed: its tag no longer verifies.
        let pos = file.windows(8).position(|w| w == b"HmacSHA1").unwrap();
        let mut tampered = file.clone();
        tampered[pos + 4] = b'X';
        assert_eq!(
            crate::import(F, &tampered, Some(PW)).unwrap_err(),
            ImportError::IntegrityCheckFailed { format: F }
        );
    }

    #[test]
    fn v2_refusals() {
        let no_master = write_string_map(&[("a", "{}")]);
        assert!(matches!(
            crate::import(F, &no_master, Some(PW)),
            Err(ImportError::Malformed {
                what: "no masterKey in the FreeOTP backup",
                ..
            })
        ));
        let other_kdf = write_string_map(&[(
            "masterKey",
            r#"{"mAlgorithm":"scrypt","mEncryptedKey":{"mCipher":"AES/GCM/NoPadding","mCipherText":[],"mParameters":[],"mToken":"AES"},"mIterations":1,"mSalt":[]}"#,
        )]);
        assert!(matches!(
            crate::import(F, &other_kdf, Some(PW)),
            Err(ImportError::UnsupportedEncryption { .. })
        ));
        let truncated = backup(PW, (Prf::Sha1, "PBKDF2withHmacSHA1"), false);
        assert!(matches!(
            crate::import(F, &truncated[..truncated.len() - 2], Some(PW)),
            Err(ImportError::Malformed {
                what: "truncated",
                ..
            })
        ));
        assert!(matches!(
            crate::import(F, b"hello", Some(PW)),
            Err(ImportError::Malformed { .. })
        ));
    }

    #[test]
    fn v2_entry_without_its_token_or_with_bad_key_json_fails_alone() {
        let key =
            crypto::pbkdf2_key(&mut WorkBudget::default(), Prf::Sha1, PW, &SALT, 1000).unwrap();
        let master = format!(
            r#"{{"mAlgorithm":"PBKDF2withHmacSHA1","mEncryptedKey":{},"mIterations":1000,"mSalt":{}}}"#,
            sealed_json(key.as_slice(), [1; 12], true, "AES", &MASTER),
            bytes_json(&SALT)
        );
        let good = serde_json::json!({
            "key": sealed_json(&MASTER, [2; 12], true, "HmacSHA1", b"12345678901234567890")
        })
        .to_string();
        let file = write_string_map(&[
            ("masterKey", &master),
            ("a", &good),
            ("b", &good),
            ("b-token", r#"{"label":"b","type":"TOTP"}"#),
            ("c", r#"{"key":"not json"}"#),
            ("c-token", r#"{"label":"c","type":"TOTP"}"#),
        ]);
        let out = crate::import(F, &file, Some(PW)).unwrap();
        assert_eq!(out.report.len(), 3);
        assert_eq!(
            out.report[0].outcome,
            Err(EntryError::MissingField("token"))
        );
        assert!(out.report[1].outcome.is_ok());
        assert_eq!(out.report[2].label, "c");
        assert!(matches!(
            out.report[2].outcome,
            Err(EntryError::Malformed { .. })
        ));
        assert_eq!(out.accounts.len(), 1);
    }

    #[test]
    fn gcm_parameters() {
        let n = [9u8; 12];
        let mut seq = vec![0x30, 14, 0x04, 12];
        seq.extend(n);
        assert_eq!(gcm_nonce(&seq), Some(&n[..]));
        let mut with_len = vec![0x30, 17, 0x04, 12];
        with_len.extend(n);
        with_len.extend([0x02, 1, 16]);
        assert_eq!(gcm_nonce(&with_len), Some(&n[..]));
        let mut tag12 = with_len.clone();
        tag12[18] = 12;
        assert_eq!(gcm_nonce(&tag12), None);
        let mut bare = vec![0x04, 12];
        bare.extend(n);
        assert_eq!(gcm_nonce(&bare), Some(&n[..]));
        assert_eq!(gcm_nonce(&bare[..13]), None);
        assert_eq!(gcm_nonce(&[0x04, 2, 1, 2]), None);
        assert_eq!(gcm_nonce(&[0x04, 0x81, 1]), None);
    }

    #[test]
    fn v1_tokens_xml_in_file_order() {
        let xml = "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n\
            <string name=\"B:bob\">{&quot;algo&quot;:&quot;SHA512&quot;,&quot;counter&quot;:9,&quot;digits&quot;:8,&quot;issuerExt&quot;:&quot;B&quot;,&quot;label&quot;:&quot;bob&quot;,&quot;secret&quot;:[-1,0,1,127,-128,5,6,7,8,9],&quot;type&quot;:&quot;HOTP&quot;}</string>\n\
            <string name=\"A:alice\">{&quot;issuerInt&quot;:&quot;A&quot;,&quot;label&quot;:&quot;alice&quot;,&quot;period&quot;:30,&quot;secret&quot;:[1,2,3,4,5,6,7,8,9,10],&quot;type&quot;:&quot;TOTP&quot;}</string>\n\
            <string name=\"bad\">{&quot;secret&quot;:7}</string>\n\
            <string name=\"tokenOrder\">[&quot;A:alice&quot;,&quot;B:bob&quot;]</string>\n</map>\n";
        for format in [F, Format::FreeOtpPlus] {
            let out = crate::import(format, xml.as_bytes(), None).unwrap();
            assert_eq!(out.report.len(), 3);
            let b = &out.accounts[0];
            assert_eq!(b.secret.as_bytes(), [255, 0, 1, 127, 128, 5, 6, 7, 8, 9]);
            // The counter as stored.
            assert_eq!(b.kind, Kind::Hotp { counter: 9 });
            assert_eq!((b.algorithm, b.digits.get()), (Algorithm::Sha512, 8));
            assert_eq!(out.accounts[1].issuer.as_deref(), Some("A"));
            assert_eq!(out.report[2].label, "bad");
            assert!(matches!(
                out.report[2].outcome,
                Err(EntryError::Malformed { .. })
            ));
        }
    }
}
