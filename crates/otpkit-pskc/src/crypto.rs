//! The cryptography of RFC 6030 §6: AES-CBC decryption of `<EncryptedValue>`s and
//! the MAC key, HMAC `<ValueMAC>` checks, and PBKDF2 key derivation (§6.2).

use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
use hmac::{Hmac, KeyInit, Mac};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// xmlenc block ciphers this crate decrypts, all in CBC mode (RFC 6030 §6.1
/// requires AES-128-CBC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cipher {
    Aes128,
    Aes192,
    Aes256,
}

impl Cipher {
    pub(crate) fn from_uri(uri: &str) -> Option<Self> {
        match uri {
            "http://www.w3.org/2001/04/xmlenc#aes128-cbc" => Some(Cipher::Aes128),
            "http://www.w3.org/2001/04/xmlenc#aes192-cbc" => Some(Cipher::Aes192),
            "http://www.w3.org/2001/04/xmlenc#aes256-cbc" => Some(Cipher::Aes256),
            _ => None,
        }
    }

    pub(crate) fn key_len(self) -> usize {
        match self {
            Cipher::Aes128 => 16,
            Cipher::Aes192 => 24,
            Cipher::Aes256 => 32,
        }
    }
}

/// Why a value could not be decrypted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DecryptError {
    /// The key's length does not fit the cipher.
    KeyLength { expected: usize, got: usize },
    /// Shorter than an IV plus one block, or not whole blocks.
    BadLength,
    /// The padding is wrong: almost always a wrong key or password.
    BadPadding,
}

/// Decrypts `iv ‖ ciphertext` (xmlenc's CipherValue layout) into a wiped buffer.
pub(crate) fn decrypt(
    cipher: Cipher,
    key: &[u8],
    value: &[u8],
) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
    if key.len() != cipher.key_len() {
        return Err(DecryptError::KeyLength {
            expected: cipher.key_len(),
            got: key.len(),
        });
    }
    if value.len() < 32 || !value.len().is_multiple_of(16) {
        return Err(DecryptError::BadLength);
    }
    let (iv, body) = value.split_at(16);
    let mut buf = Zeroizing::new(body.to_vec());
    let len = match cipher {
        Cipher::Aes128 => run::<aes::Aes128>(key, iv, &mut buf)?,
        Cipher::Aes192 => run::<aes::Aes192>(key, iv, &mut buf)?,
        Cipher::Aes256 => run::<aes::Aes256>(key, iv, &mut buf)?,
    };
    // Shrinking in place: the padding bytes are overwritten, the buffer is not moved.
    for b in buf.iter_mut().skip(len) {
        *b = 0;
    }
    buf.truncate(len);
    Ok(buf)
}

/// Encrypts `plain` under `key` with `iv` into xmlenc's `iv ‖ ciphertext` (PKCS #7
/// padding), in a wiped buffer; `None` if the key's length does not fit the cipher.
pub(crate) fn encrypt(
    cipher: Cipher,
    key: &[u8],
    iv: &[u8; 16],
    plain: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    if key.len() != cipher.key_len() {
        return None;
    }
    // IV, the plaintext, and up to one block of padding: reserved up front so the
    // buffer holding the plaintext never reallocates.
    let padded = plain
        .len()
        .checked_div(16)?
        .checked_add(1)?
        .checked_mul(16)?;
    let mut out = Zeroizing::new(Vec::with_capacity(padded.checked_add(16)?));
    out.extend_from_slice(iv);
    out.extend_from_slice(plain);
    out.resize(padded.checked_add(16)?, 0);
    let body = out.get_mut(16..)?;
    let len = match cipher {
        Cipher::Aes128 => seal::<aes::Aes128>(key, iv, body, plain.len())?,
        Cipher::Aes192 => seal::<aes::Aes192>(key, iv, body, plain.len())?,
        Cipher::Aes256 => seal::<aes::Aes256>(key, iv, body, plain.len())?,
    };
    (len == padded).then_some(out)
}

fn seal<C>(key: &[u8], iv: &[u8], buf: &mut [u8], msg_len: usize) -> Option<usize>
where
    C: aes::cipher::BlockCipherEncrypt + aes::cipher::KeyInit,
    cbc::Encryptor<C>: KeyIvInit + BlockModeEncrypt,
{
    let enc = cbc::Encryptor::<C>::new_from_slices(key, iv).ok()?;
    enc.encrypt_padded::<Pkcs7>(buf, msg_len)
        .ok()
        .map(<[u8]>::len)
}

fn run<C>(key: &[u8], iv: &[u8], buf: &mut [u8]) -> Result<usize, DecryptError>
where
    C: aes::cipher::BlockCipherDecrypt + aes::cipher::KeyInit,
    cbc::Decryptor<C>: KeyIvInit + BlockModeDecrypt,
{
    let dec = cbc::Decryptor::<C>::new_from_slices(key, iv).map_err(|_| DecryptError::BadLength)?;
    dec.decrypt_padded::<Pkcs7>(buf)
        .map(|pt| pt.len())
        .map_err(|_| DecryptError::BadPadding)
}

/// HMAC algorithms for `<MACMethod>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MacAlgorithm {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl MacAlgorithm {
    pub(crate) fn from_uri(uri: &str) -> Option<Self> {
        match uri {
            // The second spelling is not in RFC 6030 but python-pskc writes it.
            "http://www.w3.org/2000/09/xmldsig#hmac-sha1"
            | "http://www.w3.org/2001/04/xmldsig-more#hmac-sha1" => Some(MacAlgorithm::Sha1),
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha224" => Some(MacAlgorithm::Sha224),
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256" => Some(MacAlgorithm::Sha256),
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha384" => Some(MacAlgorithm::Sha384),
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha512" => Some(MacAlgorithm::Sha512),
            _ => None,
        }
    }
}

/// An HMAC keyed once with the container's MAC key: each check starts from a copy
/// of its state, so a long MAC key is hashed once, not once per value.
#[derive(Clone)]
pub(crate) enum KeyedMac {
    Sha1(Hmac<sha1::Sha1>),
    Sha224(Hmac<sha2::Sha224>),
    Sha256(Hmac<sha2::Sha256>),
    Sha384(Hmac<sha2::Sha384>),
    Sha512(Hmac<sha2::Sha512>),
}

impl KeyedMac {
    /// The HMAC of `algorithm` under `key` (`None` only if the hash refused the key,
    /// which HMAC never does).
    pub(crate) fn new(algorithm: MacAlgorithm, key: &[u8]) -> Option<Self> {
        Some(match algorithm {
            MacAlgorithm::Sha1 => KeyedMac::Sha1(KeyInit::new_from_slice(key).ok()?),
            MacAlgorithm::Sha224 => KeyedMac::Sha224(KeyInit::new_from_slice(key).ok()?),
            MacAlgorithm::Sha256 => KeyedMac::Sha256(KeyInit::new_from_slice(key).ok()?),
            MacAlgorithm::Sha384 => KeyedMac::Sha384(KeyInit::new_from_slice(key).ok()?),
            MacAlgorithm::Sha512 => KeyedMac::Sha512(KeyInit::new_from_slice(key).ok()?),
        })
    }

    /// The HMAC of `data`.
    pub(crate) fn compute(&self, data: &[u8]) -> Vec<u8> {
        fn tag<M: Mac + Clone>(keyed: &M, data: &[u8]) -> Vec<u8> {
            let mut m = keyed.clone();
            m.update(data);
            m.finalize().into_bytes().to_vec()
        }
        match self {
            KeyedMac::Sha1(m) => tag(m, data),
            KeyedMac::Sha224(m) => tag(m, data),
            KeyedMac::Sha256(m) => tag(m, data),
            KeyedMac::Sha384(m) => tag(m, data),
            KeyedMac::Sha512(m) => tag(m, data),
        }
    }

    /// Whether `mac` is the HMAC of `data`, compared in constant time (its length,
    /// which is no secret, first).
    pub(crate) fn matches(&self, data: &[u8], mac: &[u8]) -> bool {
        fn check<M: Mac + Clone>(keyed: &M, data: &[u8], mac: &[u8]) -> bool {
            let mut m = keyed.clone();
            m.update(data);
            let tag = m.finalize().into_bytes();
            tag.len() == mac.len() && bool::from(tag.as_slice().ct_eq(mac))
        }
        match self {
            KeyedMac::Sha1(m) => check(m, data, mac),
            KeyedMac::Sha224(m) => check(m, data, mac),
            KeyedMac::Sha256(m) => check(m, data, mac),
            KeyedMac::Sha384(m) => check(m, data, mac),
            KeyedMac::Sha512(m) => check(m, data, mac),
        }
    }
}

/// PBKDF2 pseudo-random functions (`<PRF>`; HMAC-SHA1 when absent, PKCS #5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Prf {
    Sha1,
    Sha256,
    Sha512,
}

impl Prf {
    pub(crate) fn from_uri(uri: &str) -> Option<Self> {
        match uri {
            "" | "http://www.w3.org/2000/09/xmldsig#hmac-sha1" => Some(Prf::Sha1),
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256" => Some(Prf::Sha256),
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha512" => Some(Prf::Sha512),
            _ => None,
        }
    }
}

/// PBKDF2 of `password` into `len` wiped bytes, charged to `budget` before it runs.
pub(crate) fn pbkdf2(
    budget: &mut otpkit_kdf::WorkBudget,
    prf: Prf,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    len: usize,
) -> Result<Zeroizing<Vec<u8>>, otpkit_kdf::KdfError> {
    let prf = match prf {
        Prf::Sha1 => otpkit_kdf::Prf::Sha1,
        Prf::Sha256 => otpkit_kdf::Prf::Sha256,
        Prf::Sha512 => otpkit_kdf::Prf::Sha512,
    };
    let mut out = Zeroizing::new(vec![0u8; len]);
    otpkit_kdf::pbkdf2(budget, prf, password, salt, iterations, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6030_figure7_key_derivation() {
        // Password "qwerty", salt Ej7/PEpyEpw= (base64), 1000 iterations, 16 bytes.
        let salt = [0x12, 0x3e, 0xff, 0x3c, 0x4a, 0x72, 0x12, 0x9c];
        let mut budget = otpkit_kdf::WorkBudget::default();
        let key = pbkdf2(&mut budget, Prf::Sha1, b"qwerty", &salt, 1000, 16).unwrap();
        assert!(budget.spent() > 0);
        assert_eq!(
            data_encoding::HEXLOWER.encode(&key),
            "651e63cd57008476af1ff6422cd02e41"
        );
    }

    #[test]
    fn short_or_ragged_values_are_refused() {
        let key = [0u8; 16];
        assert_eq!(
            decrypt(Cipher::Aes128, &key, &[0; 16]),
            Err(DecryptError::BadLength)
        );
        assert_eq!(
            decrypt(Cipher::Aes128, &key, &[0; 33]),
            Err(DecryptError::BadLength)
        );
        assert_eq!(
            decrypt(Cipher::Aes256, &key, &[0; 32]),
            Err(DecryptError::KeyLength {
                expected: 32,
                got: 16
            })
        );
    }
}
