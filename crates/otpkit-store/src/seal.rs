//! Device secrets sealed at rest: AES-256-GCM under a server key, bound to the
//! device they belong to.
//!
//! A sealed secret is one text column:
//!
//! ```text
//! otps1.2026-11.Q2hh…   (format, key id, base64url of nonce ‖ ciphertext ‖ tag)
//! ```
//!
//! - **AEAD**: AES-256-GCM (RustCrypto `aes-gcm`), a fresh random 96-bit nonce per
//!   seal from the operating system. A device secret is sealed once per enrolment
//!   (and once per re-seal), far below the 2^32 seals per key after which random
//!   96-bit nonces start to risk a collision.
//! - **Bound to the device**: the associated data is the format tag, the key id
//!   and the device id, so a sealed secret copied into another device's row (or
//!   relabelled with another key id) does not open: [`SealError::NotAuthentic`].
//! - **Rotation**: a [`Keyring`] has one current key, used for every new seal, and
//!   any number of older keys that still open what they sealed. [`Keyring::reseal`]
//!   moves one secret to the current key ([`crate::MfaService::reseal`] does it
//!   with a compare-and-swap on the row); once every row is resealed the old key
//!   can be dropped, after which its secrets are [`SealError::UnknownKey`].
//! - **Hygiene**: keys are zeroized when dropped and never appear in `Debug`,
//!   `Display` or an error: a key shows as its id only.

use std::collections::BTreeMap;
use std::fmt;

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use otpkit::{LengthPolicy, Secret};
use zeroize::Zeroizing;

const FORMAT: &str = "otps1";
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// The longest key id, in bytes.
pub const MAX_KEY_ID_LEN: usize = 32;

/// Why a key could not be made, or a secret sealed or opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SealError {
    /// A key id must be 1 to [`MAX_KEY_ID_LEN`] characters of `A-Z a-z 0-9 _ -`.
    InvalidKeyId,
    /// A key must be 32 bytes (given as base64: 43 or 44 characters).
    InvalidKey,
    /// Two keys of a keyring have the same id.
    DuplicateKeyId {
        /// The id given twice.
        key_id: String,
    },
    /// The sealed text names a key this keyring does not hold (a key retired too
    /// early, or a row from another deployment).
    UnknownKey {
        /// The key id in the sealed text.
        key_id: String,
    },
    /// The sealed text is not of the form `otps1.KEYID.BASE64`.
    Malformed,
    /// The key opened nothing: the ciphertext was changed, it was sealed for another
    /// device, or under another key with the same id.
    NotAuthentic {
        /// The key id in the sealed text.
        key_id: String,
    },
    /// The opened secret is not a valid OTP secret.
    InvalidSecret,
    /// The operating system's random number generator failed.
    Rng,
}

impl SealError {
    /// The stable code of this error.
    #[must_use]
    pub const fn code(&self) -> otpkit::ErrorCode {
        use otpkit::ErrorCode as C;
        match self {
            SealError::InvalidKeyId => C::Rejected,
            SealError::InvalidKey => C::SecretInvalidLength,
            SealError::DuplicateKeyId { .. } => C::ConflictingDuplicate,
            SealError::UnknownKey { .. } | SealError::NotAuthentic { .. } => C::WrongKeyOrPassword,
            SealError::Malformed | SealError::InvalidSecret => C::StoreCorrupt,
            SealError::Rng => C::RngFailed,
        }
    }
}

impl fmt::Display for SealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SealError::InvalidKeyId => write!(
                f,
                "a sealing key id must be 1 to {MAX_KEY_ID_LEN} characters of A-Z, a-z, 0-9, _ and -"
            ),
            SealError::InvalidKey => {
                f.write_str("a sealing key must be 32 bytes (44 characters of base64)")
            }
            SealError::DuplicateKeyId { key_id } => {
                write!(f, "the keyring has two keys with the id {key_id:?}")
            }
            SealError::UnknownKey { key_id } => write!(
                f,
                "the secret is sealed with key {key_id:?}, which is not in the keyring"
            ),
            SealError::Malformed => {
                f.write_str("the sealed secret is not of the form otps1.KEY.DATA")
            }
            SealError::NotAuthentic { key_id } => write!(
                f,
                "the sealed secret does not open with key {key_id:?}: it was changed, or sealed \
                 for another device"
            ),
            SealError::InvalidSecret => f.write_str("the opened secret is not a valid OTP secret"),
            SealError::Rng => f.write_str("the operating system's random number generator failed"),
        }
    }
}

impl std::error::Error for SealError {}

fn valid_key_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_KEY_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// One 256-bit sealing key and its id. Zeroized on drop; `Debug` shows the id only.
pub struct SealingKey {
    id: String,
    key: Zeroizing<[u8; 32]>,
}

impl SealingKey {
    /// A key from its 32 bytes.
    pub fn new(id: &str, key: [u8; 32]) -> Result<Self, SealError> {
        let key = Zeroizing::new(key);
        if !valid_key_id(id) {
            return Err(SealError::InvalidKeyId);
        }
        Ok(SealingKey {
            id: id.to_owned(),
            key,
        })
    }

    /// A key from base64 (standard or URL-safe alphabet, padded or not), as kept in
    /// a secrets manager or an environment variable.
    pub fn from_base64(id: &str, text: &str) -> Result<Self, SealError> {
        // The standard alphabet ('+', '/') maps onto the URL-safe one ('-', '_').
        let text: Zeroizing<String> = Zeroizing::new(
            text.trim()
                .trim_end_matches('=')
                .chars()
                .map(|c| match c {
                    '+' => '-',
                    '/' => '_',
                    c => c,
                })
                .collect(),
        );
        let bytes = Zeroizing::new(
            URL_SAFE_NO_PAD
                .decode(text.as_bytes())
                .map_err(|_| SealError::InvalidKey)?,
        );
        let key: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| SealError::InvalidKey)?;
        Self::new(id, key)
    }

    /// A fresh random key (to print once and keep in a secrets manager).
    pub fn generate(id: &str) -> Result<Self, SealError> {
        let mut key = Zeroizing::new([0u8; 32]);
        getrandom::fill(key.as_mut_slice()).map_err(|_| SealError::Rng)?;
        Self::new(id, *key)
    }

    /// The key as base64 (URL-safe, unpadded): what [`SealingKey::from_base64`] reads.
    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(URL_SAFE_NO_PAD.encode(self.key.as_slice()))
    }

    /// The key's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn cipher(&self) -> Result<Aes256Gcm, SealError> {
        Aes256Gcm::new_from_slice(self.key.as_slice()).map_err(|_| SealError::InvalidKey)
    }
}

impl fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealingKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// The associated data: format, key id and device id, length-prefixed so no two
/// different (key id, device id) pairs give the same bytes.
fn associated_data(key_id: &str, device_id: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(
        FORMAT
            .len()
            .saturating_add(key_id.len())
            .saturating_add(device_id.len())
            .saturating_add(8),
    );
    aad.extend_from_slice(FORMAT.as_bytes());
    aad.push(0);
    aad.extend_from_slice(
        &u16::try_from(key_id.len())
            .unwrap_or(u16::MAX)
            .to_be_bytes(),
    );
    aad.extend_from_slice(key_id.as_bytes());
    aad.extend_from_slice(device_id.as_bytes());
    aad
}

/// The server's sealing keys: one current key for new seals, older keys to open
/// what they sealed. `Debug` lists the key ids only.
pub struct Keyring {
    current: String,
    keys: BTreeMap<String, SealingKey>,
}

impl Keyring {
    /// A keyring whose current key is `current`.
    pub fn new(current: SealingKey) -> Self {
        let id = current.id.clone();
        let mut keys = BTreeMap::new();
        keys.insert(id.clone(), current);
        Keyring { current: id, keys }
    }

    /// Adds an older key, still used to open what it sealed.
    pub fn with_old_key(mut self, key: SealingKey) -> Result<Self, SealError> {
        if self.keys.contains_key(&key.id) {
            return Err(SealError::DuplicateKeyId { key_id: key.id });
        }
        self.keys.insert(key.id.clone(), key);
        Ok(self)
    }

    /// The id of the key new seals use.
    pub fn current_key_id(&self) -> &str {
        &self.current
    }

    /// The key ids held, current and old.
    pub fn key_ids(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }

    fn current(&self) -> Result<&SealingKey, SealError> {
        self.keys
            .get(&self.current)
            .ok_or_else(|| SealError::UnknownKey {
                key_id: self.current.clone(),
            })
    }

    /// Seals `secret` for `device_id` with the current key.
    pub fn seal(&self, device_id: &str, secret: &Secret) -> Result<SealedSecret, SealError> {
        let key = self.current()?;
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| SealError::Rng)?;
        let mut buf = Zeroizing::new(secret.as_bytes().to_vec());
        let tag = key
            .cipher()?
            .encrypt_inout_detached(
                &Nonce::from(nonce),
                &associated_data(&key.id, device_id),
                buf.as_mut_slice().into(),
            )
            .map_err(|_| SealError::InvalidSecret)?;
        let mut raw =
            Vec::with_capacity(NONCE_LEN.saturating_add(buf.len()).saturating_add(TAG_LEN));
        raw.extend_from_slice(&nonce);
        raw.extend_from_slice(&buf);
        raw.extend_from_slice(tag.as_slice());
        Ok(SealedSecret(format!(
            "{FORMAT}.{}.{}",
            key.id,
            URL_SAFE_NO_PAD.encode(raw)
        )))
    }

    /// Opens a secret sealed for `device_id`.
    pub fn open(&self, device_id: &str, sealed: &SealedSecret) -> Result<Secret, SealError> {
        let (key_id, data) = sealed.parts()?;
        let key = self.keys.get(key_id).ok_or_else(|| SealError::UnknownKey {
            key_id: key_id.to_owned(),
        })?;
        let raw = URL_SAFE_NO_PAD
            .decode(data.as_bytes())
            .map_err(|_| SealError::Malformed)?;
        let (nonce, rest) = raw
            .split_at_checked(NONCE_LEN)
            .ok_or(SealError::Malformed)?;
        let split = rest
            .len()
            .checked_sub(TAG_LEN)
            .ok_or(SealError::Malformed)?;
        let (ciphertext, tag) = rest.split_at_checked(split).ok_or(SealError::Malformed)?;
        let nonce = Nonce::try_from(nonce).map_err(|_| SealError::Malformed)?;
        let tag = Tag::try_from(tag).map_err(|_| SealError::Malformed)?;
        let mut buf = Zeroizing::new(ciphertext.to_vec());
        key.cipher()?
            .decrypt_inout_detached(
                &nonce,
                &associated_data(key_id, device_id),
                buf.as_mut_slice().into(),
                &tag,
            )
            .map_err(|_| SealError::NotAuthentic {
                key_id: key_id.to_owned(),
            })?;
        // Authenticated: this is a secret that was a valid `Secret` when sealed,
        // including an 80-bit one a service chose to accept (hardware tokens).
        Secret::from_bytes_with(&buf, LengthPolicy::AllowShort)
            .map_err(|_| SealError::InvalidSecret)
    }

    /// `sealed` again under the current key, or `None` if it already uses it. The
    /// secret is opened first, so a sealed secret that does not open is an error,
    /// never resealed.
    pub fn reseal(
        &self,
        device_id: &str,
        sealed: &SealedSecret,
    ) -> Result<Option<SealedSecret>, SealError> {
        let secret = self.open(device_id, sealed)?;
        if sealed.key_id()? == self.current {
            return Ok(None);
        }
        self.seal(device_id, &secret).map(Some)
    }
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("current", &self.current)
            .field("keys", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A secret as stored: `otps1.KEYID.DATA`. Holds no plaintext.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedSecret(String);

impl SealedSecret {
    /// Wraps a stored column; checked when opened.
    pub fn from_stored(text: String) -> Self {
        SealedSecret(text)
    }

    /// The text to store.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id of the key it was sealed with.
    pub fn key_id(&self) -> Result<&str, SealError> {
        self.parts().map(|(id, _)| id)
    }

    fn parts(&self) -> Result<(&str, &str), SealError> {
        let rest = self
            .0
            .strip_prefix(FORMAT)
            .and_then(|r| r.strip_prefix('.'))
            .ok_or(SealError::Malformed)?;
        let (key_id, data) = rest.split_once('.').ok_or(SealError::Malformed)?;
        if !valid_key_id(key_id) || data.is_empty() {
            return Err(SealError::Malformed);
        }
        Ok((key_id, data))
    }
}

impl fmt::Display for SealedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, byte: u8) -> SealingKey {
        SealingKey::new(id, [byte; 32]).unwrap()
    }

    fn secret() -> Secret {
        Secret::from_bytes(b"12345678901234567890").unwrap()
    }

    #[test]
    fn seal_then_open_gives_the_secret_back_and_hides_it() {
        let ring = Keyring::new(key("k1", 1));
        let sealed = ring.seal("alice", &secret()).unwrap();
        assert!(sealed.as_str().starts_with("otps1.k1."), "{sealed}");
        assert!(!sealed.as_str().contains("GEZD"));
        assert_eq!(
            ring.open("alice", &sealed).unwrap().as_bytes(),
            secret().as_bytes()
        );
        // A fresh nonce per seal: the same secret never seals to the same text.
        assert_ne!(ring.seal("alice", &secret()).unwrap(), sealed);
    }

    #[test]
    fn short_secrets_accepted_at_enrolment_open_again() {
        let ring = Keyring::new(key("k1", 1));
        let short = Secret::from_bytes_with(&[9; 10], LengthPolicy::AllowShort).unwrap();
        let sealed = ring.seal("token-1", &short).unwrap();
        assert_eq!(ring.open("token-1", &sealed).unwrap().as_bytes(), &[9; 10]);
    }

    #[test]
    fn a_sealed_secret_does_not_open_for_another_device() {
        let ring = Keyring::new(key("k1", 1));
        let sealed = ring.seal("alice", &secret()).unwrap();
        assert_eq!(
            ring.open("mallory", &sealed).map(|_| ()),
            Err(SealError::NotAuthentic {
                key_id: "k1".into()
            })
        );
    }

    #[test]
    fn a_tampered_ciphertext_does_not_open() {
        let ring = Keyring::new(key("k1", 1));
        let sealed = ring.seal("alice", &secret()).unwrap();
        let (head, data) = sealed.as_str().rsplit_once('.').unwrap();
        let mut raw = URL_SAFE_NO_PAD.decode(data).unwrap();
        for i in 0..raw.len() {
            raw[i] ^= 0x01;
            let tampered =
                SealedSecret::from_stored(format!("{head}.{}", URL_SAFE_NO_PAD.encode(&raw)));
            assert_eq!(
                ring.open("alice", &tampered).map(|_| ()),
                Err(SealError::NotAuthentic {
                    key_id: "k1".into()
                }),
                "byte {i}"
            );
            raw[i] ^= 0x01;
        }
        // Relabelled with another key id of the ring: the id is authenticated too.
        let ring2 = Keyring::new(key("k2", 1))
            .with_old_key(key("k1", 1))
            .unwrap();
        let relabelled = SealedSecret::from_stored(sealed.as_str().replacen(".k1.", ".k2.", 1));
        assert_eq!(
            ring2.open("alice", &relabelled).map(|_| ()),
            Err(SealError::NotAuthentic {
                key_id: "k2".into()
            })
        );
        for bad in [
            "",
            "otps1",
            "otps1.k1",
            "otps1.k1.",
            "otps2.k1.AAAA",
            "otps1.k 1.AAAA",
            "otps1.k1.AA",
        ] {
            assert_eq!(
                ring.open("alice", &SealedSecret::from_stored(bad.into()))
                    .map(|_| ()),
                Err(SealError::Malformed),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn rotation_old_keys_open_new_seals_use_the_current_key_reseal_moves() {
        let old = Keyring::new(key("2025", 1));
        let sealed_old = old.seal("alice", &secret()).unwrap();
        let ring = Keyring::new(key("2026", 2))
            .with_old_key(key("2025", 1))
            .unwrap();
        assert_eq!(ring.current_key_id(), "2026");
        assert_eq!(ring.key_ids().collect::<Vec<_>>(), ["2025", "2026"]);
        assert_eq!(
            ring.open("alice", &sealed_old).unwrap().as_bytes(),
            secret().as_bytes()
        );
        let sealed_new = ring.seal("alice", &secret()).unwrap();
        assert_eq!(sealed_new.key_id().unwrap(), "2026");
        let resealed = ring.reseal("alice", &sealed_old).unwrap().unwrap();
        assert_eq!(resealed.key_id().unwrap(), "2026");
        assert_eq!(ring.reseal("alice", &resealed).unwrap(), None);
        // The old key retired: what it sealed is an unknown key, what was resealed opens.
        let retired = Keyring::new(key("2026", 2));
        assert_eq!(
            retired.open("alice", &sealed_old).map(|_| ()),
            Err(SealError::UnknownKey {
                key_id: "2025".into()
            })
        );
        assert!(retired.open("alice", &resealed).is_ok());
        // Resealing for the wrong device refuses rather than resealing garbage.
        assert!(matches!(
            ring.reseal("bob", &sealed_old),
            Err(SealError::NotAuthentic { .. })
        ));
    }

    #[test]
    fn keys_are_checked_and_never_shown() {
        assert_eq!(
            SealingKey::new("", [0; 32]).map(|_| ()),
            Err(SealError::InvalidKeyId)
        );
        assert_eq!(
            SealingKey::new("a.b", [0; 32]).map(|_| ()),
            Err(SealError::InvalidKeyId)
        );
        assert_eq!(
            SealingKey::new(&"k".repeat(MAX_KEY_ID_LEN + 1), [0; 32]).map(|_| ()),
            Err(SealError::InvalidKeyId)
        );
        assert_eq!(
            SealingKey::from_base64("k", "AAAA").map(|_| ()),
            Err(SealError::InvalidKey)
        );
        let k = SealingKey::generate("k1").unwrap();
        let text = k.to_base64();
        let again = SealingKey::from_base64("k1", &text).unwrap();
        assert_eq!(again.key.as_slice(), k.key.as_slice());
        // The standard alphabet with padding is accepted too.
        let std_b64 = base64::engine::general_purpose::STANDARD.encode(k.key.as_slice());
        let again = SealingKey::from_base64("k1", &std_b64).unwrap();
        assert_eq!(again.key.as_slice(), k.key.as_slice());
        let ring = Keyring::new(k).with_old_key(key("k0", 7)).unwrap();
        let shown = format!("{ring:?} {:?}", key("k9", 7));
        assert!(!shown.contains(text.as_str()), "{shown}");
        assert!(!shown.contains("7, 7"), "{shown}");
        assert!(shown.contains("k1") && shown.contains("k0"), "{shown}");
        assert_eq!(
            ring.with_old_key(key("k0", 8)).map(|_| ()),
            Err(SealError::DuplicateKeyId {
                key_id: "k0".into()
            })
        );
    }
}
