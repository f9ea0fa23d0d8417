//! The container's encryption (RFC 6030 §6): the key that decrypts its values, its
//! MAC key, and the rules every value is read under.
//!
//! AES-CBC, the cipher PSKC uses, does not protect integrity: flipping bits of an
//! IV flips the same bits of the first plaintext block. The MAC (§6.1.1: HMAC over
//! `IV ‖ ciphertext`, with a MAC key that is itself encrypted) is what shows a value
//! was not altered, so each rule here closes one way of doing without it:
//!
//! - a container with a `<MACMethod>` needs a MAC algorithm this crate computes and
//!   a `<MACKey>` that decrypts, is at least [`MIN_MAC_KEY_BYTES`] long and is not
//!   made of another value's ciphertext; every encrypted value then needs its
//!   `<ValueMAC>`, checked (in constant time) before the value is decrypted;
//! - a container with encrypted values and no `<MACMethod>` is refused unless the
//!   caller opts in ([`Options::allow_unauthenticated_encryption`]), and its tokens
//!   then say [`Protection::NotIntegrityProtected`];
//! - a secret in the clear is refused where an encrypted one is expected (the
//!   container has a `<MACMethod>`, or a key or password was given), and a value
//!   both in the clear and encrypted is refused everywhere.

use std::collections::HashSet;

use roxmltree::Node;
use zeroize::Zeroizing;

use crate::crypto::{self, Cipher, DecryptError, KeyedMac, MacAlgorithm, Prf};
use crate::xml::{base64, child, text_of};
use crate::{Decryption, KeyError, Options, Protection, PskcError};

const PBKDF2_URI: &str = "http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2";

/// The shortest MAC key accepted, in bytes: one AES block. A key short enough to
/// fit one block with its padding could be forged from any block whose plaintext
/// is known (of this file or of another under the same key) by choosing the IV.
pub(crate) const MIN_MAC_KEY_BYTES: usize = 16;

/// The container's decryption and MAC keys, and what its values must look like.
pub(crate) struct Keys {
    /// The pre-shared or derived key, if the file is encrypted and one was given.
    encryption: Option<Zeroizing<Vec<u8>>>,
    /// The HMAC keyed with the decrypted MAC key.
    mac: Option<KeyedMac>,
    /// The container has no `<MACMethod>` and the caller accepts encrypted values
    /// without a MAC.
    unauthenticated_accepted: bool,
    /// Secrets must be encrypted: the container has a `<MACMethod>`, or a key or
    /// password was given.
    secrets_encrypted: bool,
}

impl Keys {
    pub(crate) fn from_container(
        root: Node<'_, '_>,
        decryption: Decryption<'_>,
        options: &Options,
    ) -> Result<Self, PskcError> {
        let mac_method = child(root, "MACMethod");
        let encryption_key = child(root, "EncryptionKey");
        let derived = encryption_key.and_then(|k| child(k, "DerivedKey"));
        // Keys transported with a public key (RFC 6030 §6.3, `<ds:X509Data>`) need
        // the recipient's private key: not decrypted here, each key says so.
        let asymmetric = encryption_key.is_some_and(|k| child(k, "X509Data").is_some());
        let mut encrypted_values = root
            .descendants()
            .filter(|n| n.is_element() && n.tag_name().name() == "EncryptedValue");
        // Checked before a key or password is asked for: without a MAC no key helps.
        let decryptable_without_mac = !asymmetric
            && mac_method.is_none()
            && encrypted_values.clone().any(|v| {
                child(v, "EncryptionMethod")
                    .and_then(|m| m.attribute("Algorithm"))
                    .and_then(Cipher::from_uri)
                    .is_some()
            });
        if decryptable_without_mac && !options.allow_unauthenticated_encryption {
            return Err(PskcError::NotIntegrityProtected);
        }
        let encrypted = encrypted_values.next().is_some() || mac_method.is_some();
        let encryption = match (encrypted && !asymmetric, derived, decryption) {
            (false, _, _) => None,
            (true, Some(derived), Decryption::Password(password)) => {
                Some(derive_key(derived, password, options)?)
            }
            (true, Some(_), _) => return Err(PskcError::NeedsPassword),
            (true, None, Decryption::PreSharedKey(key)) => Some(Zeroizing::new(key.to_vec())),
            (true, None, _) => return Err(PskcError::NeedsPreSharedKey),
        };
        let mac = match (mac_method, &encryption) {
            (Some(method), Some(key)) => Some(mac_key(root, method, key)?),
            _ => None,
        };
        Ok(Keys {
            encryption,
            mac,
            unauthenticated_accepted: mac_method.is_none()
                && options.allow_unauthenticated_encryption,
            secrets_encrypted: mac_method.is_some() || !matches!(decryption, Decryption::None),
        })
    }
}

/// The HMAC of `<MACMethod>`'s algorithm keyed with its decrypted `<MACKey>`.
fn mac_key(root: Node<'_, '_>, method: Node<'_, '_>, key: &[u8]) -> Result<KeyedMac, PskcError> {
    let uri = method.attribute("Algorithm").unwrap_or_default();
    let algorithm = MacAlgorithm::from_uri(uri)
        .ok_or_else(|| PskcError::UnsupportedMac(uri.chars().take(100).collect()))?;
    let mac_key = child(method, "MACKey").ok_or(PskcError::MacKey("no MACKey"))?;
    let (cipher, value) = encrypted_parts(mac_key).map_err(|e| match e {
        PartsError::UnsupportedCipher(_) => PskcError::MacKey("unsupported cipher"),
        PartsError::Malformed => PskcError::MacKey("malformed MACKey"),
    })?;
    let plain = crypto::decrypt(cipher, key, &value).map_err(|e| match e {
        DecryptError::KeyLength { .. } => {
            PskcError::MacKey("the key's length does not fit the cipher")
        }
        DecryptError::BadLength | DecryptError::BadPadding => PskcError::WrongKeyOrPassword,
    })?;
    if plain.len() < MIN_MAC_KEY_BYTES {
        return Err(PskcError::MacKey("shorter than 16 bytes"));
    }
    if reuses_ciphertext(root, mac_key, &value) {
        return Err(PskcError::MacKey(
            "its ciphertext repeats a block of another encrypted value",
        ));
    }
    KeyedMac::new(algorithm, &plain).ok_or(PskcError::MacKey("refused by the MAC"))
}

/// Whether a ciphertext block of `value` (the MAC key's `IV ‖ ciphertext`) occurs
/// in another `<CipherValue>` of the document. Legitimate files never share blocks
/// (each value has its own random IV); a MAC key assembled from blocks whose
/// plaintext is known, with a chosen IV, would, and its owner could then compute
/// every MAC.
fn reuses_ciphertext(root: Node<'_, '_>, mac_key: Node<'_, '_>, value: &[u8]) -> bool {
    let own: HashSet<&[u8]> = value.chunks_exact(16).skip(1).collect();
    root.descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "CipherValue")
        .filter(|n| !n.ancestors().any(|a| a == mac_key))
        .filter_map(|n| n.text().and_then(base64))
        .any(|other| other.chunks_exact(16).any(|block| own.contains(block)))
}

/// PBKDF2 (RFC 6030 §6.2) of `password` per `<DerivedKey>`.
fn derive_key(
    derived: Node<'_, '_>,
    password: &[u8],
    options: &Options,
) -> Result<Zeroizing<Vec<u8>>, PskcError> {
    let method = child(derived, "KeyDerivationMethod")
        .ok_or(PskcError::KeyDerivation("no KeyDerivationMethod"))?;
    if method.attribute("Algorithm") != Some(PBKDF2_URI) {
        return Err(PskcError::KeyDerivation("not PBKDF2"));
    }
    let params =
        child(method, "PBKDF2-params").ok_or(PskcError::KeyDerivation("no PBKDF2-params"))?;
    let salt = child(params, "Salt")
        .and_then(|s| child(s, "Specified"))
        .and_then(|s| s.text())
        .and_then(base64)
        .ok_or(PskcError::KeyDerivation("no usable salt"))?;
    let iterations: u32 = text_of(params, "IterationCount")
        .and_then(|t| t.parse().ok())
        .filter(|n| *n > 0)
        .ok_or(PskcError::KeyDerivation("no usable iteration count"))?;
    let len: usize = text_of(params, "KeyLength")
        .and_then(|t| t.parse().ok())
        .filter(|n| matches!(n, 16 | 24 | 32))
        .ok_or(PskcError::KeyDerivation("key length is not 16, 24 or 32"))?;
    let prf_uri = child(params, "PRF")
        .and_then(|p| p.attribute("Algorithm"))
        .unwrap_or_default();
    let prf = Prf::from_uri(prf_uri).ok_or(PskcError::KeyDerivation("unsupported PRF"))?;
    let mut budget = options.budget;
    crypto::pbkdf2(&mut budget, prf, password, &salt, iterations, len).map_err(|e| match e {
        otpkit_kdf::KdfError::Parameter(what) => PskcError::KeyDerivation(what),
        otpkit_kdf::KdfError::OverBudget(exceeded) => PskcError::KdfBudget(exceeded),
    })
}

/// Why [`encrypted_parts`] found nothing to decrypt.
enum PartsError {
    /// No `<EncryptionMethod Algorithm>`, or no Base64 `<CipherValue>`.
    Malformed,
    /// A cipher this crate does not decrypt: its URI (at most 100 characters).
    UnsupportedCipher(String),
}

/// The cipher and `IV ‖ ciphertext` of an element holding `<EncryptionMethod>` and
/// `<CipherData><CipherValue>`.
fn encrypted_parts(node: Node<'_, '_>) -> Result<(Cipher, Zeroizing<Vec<u8>>), PartsError> {
    let uri = child(node, "EncryptionMethod")
        .and_then(|m| m.attribute("Algorithm"))
        .ok_or(PartsError::Malformed)?;
    let cipher = Cipher::from_uri(uri)
        .ok_or_else(|| PartsError::UnsupportedCipher(uri.chars().take(100).collect()))?;
    let value = child(node, "CipherData")
        .and_then(|d| child(d, "CipherValue"))
        .and_then(|v| v.text())
        .and_then(base64)
        .ok_or(PartsError::Malformed)?;
    Ok((cipher, value))
}

/// What a value holds once read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueKind {
    /// The key's secret: `<PlainValue>` is base64, and it must be encrypted where
    /// the container is.
    Secret,
    /// An integer (counter, time, …): `<PlainValue>` is decimal text.
    Integer,
}

/// The plaintext of a `<PlainValue>` or `<EncryptedValue>` (its `<ValueMAC>` checked
/// first), wiped when dropped, and how it was protected. Integers in the clear come
/// back as their decimal text.
pub(crate) fn read_value(
    node: Node<'_, '_>,
    field: &'static str,
    keys: &Keys,
    kind: ValueKind,
) -> Result<(Zeroizing<Vec<u8>>, Protection), KeyError> {
    let encrypted = match (child(node, "PlainValue"), child(node, "EncryptedValue")) {
        (Some(_), Some(_)) => return Err(KeyError::InvalidValue { field }),
        (None, None) => {
            return Err(match kind {
                ValueKind::Secret => KeyError::NoSecret,
                ValueKind::Integer => KeyError::InvalidValue { field },
            });
        }
        (Some(plain), None) => {
            let text = plain.text().unwrap_or_default();
            let value = match kind {
                ValueKind::Secret if keys.secrets_encrypted => {
                    return Err(KeyError::SecretNotEncrypted);
                }
                ValueKind::Secret => base64(text).ok_or(KeyError::InvalidValue { field })?,
                ValueKind::Integer => Zeroizing::new(text.trim().as_bytes().to_vec()),
            };
            return Ok((value, Protection::InTheClear));
        }
        (None, Some(encrypted)) => encrypted,
    };
    let (cipher, value) = encrypted_parts(encrypted).map_err(|e| match e {
        PartsError::Malformed => KeyError::InvalidValue {
            field: "EncryptedValue",
        },
        PartsError::UnsupportedCipher(uri) => KeyError::UnsupportedCipher(uri),
    })?;
    let key = keys.encryption.as_ref().ok_or(KeyError::NotDecrypted)?;
    let protection = match (&keys.mac, child(node, "ValueMAC")) {
        (Some(keyed), Some(mac_node)) => {
            let mac = mac_node
                .text()
                .and_then(base64)
                .ok_or(KeyError::InvalidValue { field: "ValueMAC" })?;
            if !keyed.matches(&value, &mac) {
                return Err(KeyError::MacMismatch { field });
            }
            Protection::MacChecked
        }
        (None, Some(_)) => return Err(KeyError::NoMacKey { field }),
        (None, None) if keys.unauthenticated_accepted => Protection::NotIntegrityProtected,
        (Some(_) | None, None) => return Err(KeyError::MissingValueMac { field }),
    };
    let plain = crypto::decrypt(cipher, key, &value).map_err(|e| match e {
        DecryptError::KeyLength { expected, got } => KeyError::KeyLength { expected, got },
        DecryptError::BadLength | DecryptError::BadPadding => KeyError::DecryptionFailed { field },
    })?;
    Ok((plain, protection))
}
