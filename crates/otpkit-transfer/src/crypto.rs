//! The cryptography of the encrypted formats, all from RustCrypto crates. Keys and
//! plaintexts are returned in `Zeroizing` buffers. Key derivation goes through
//! `otpkit_kdf`, which charges each derivation to the import's [`WorkBudget`] before
//! running it.

use aes::Aes256;
use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, KeyIvInit};
use hmac::{Hmac, Mac};
use otpkit_kdf::{Argon2Variant, KdfError, Prf, WorkBudget};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// A 256-bit key, wiped on drop.
pub(crate) type Key = Zeroizing<[u8; 32]>;

/// scrypt of `password` into a 256-bit key, charged to `budget`.
pub(crate) fn scrypt_key(
    budget: &mut WorkBudget,
    password: &[u8],
    salt: &[u8],
    n: u64,
    r: u32,
    p: u32,
) -> Result<Key, KdfError> {
    let mut key = Zeroizing::new([0u8; 32]);
    otpkit_kdf::scrypt(budget, password, salt, n, r, p, key.as_mut_slice())?;
    Ok(key)
}

/// The scrypt of a vault this crate writes ([`crate::export::aegis`], with its own
/// parameters), charged to a default budget of its own.
pub(crate) fn scrypt(
    password: &[u8],
    salt: &[u8],
    n: u64,
    r: u32,
    p: u32,
) -> Result<Key, KdfError> {
    scrypt_key(&mut WorkBudget::default(), password, salt, n, r, p)
}

/// PBKDF2-HMAC with `prf` of `password` into a 256-bit key, charged to `budget`.
pub(crate) fn pbkdf2_key(
    budget: &mut WorkBudget,
    prf: Prf,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
) -> Result<Key, KdfError> {
    let mut key = Zeroizing::new([0u8; 32]);
    otpkit_kdf::pbkdf2(budget, prf, password, salt, iterations, key.as_mut_slice())?;
    Ok(key)
}

/// Argon2id of `password` into a 256-bit key, charged to `budget`.
pub(crate) fn argon2id_key(
    budget: &mut WorkBudget,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    memory_kib: u32,
    lanes: u32,
) -> Result<Key, KdfError> {
    let mut key = Zeroizing::new([0u8; 32]);
    otpkit_kdf::argon2(
        budget,
        Argon2Variant::Argon2id,
        password,
        salt,
        iterations,
        memory_kib,
        lanes,
        key.as_mut_slice(),
    )?;
    Ok(key)
}

pub(crate) fn sha256(data: &[u8]) -> Key {
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&Sha256::digest(data));
    key
}

/// AES-256-GCM decryption of `ciphertext` with a separate 16-byte `tag`. `None` when
/// the tag does not verify (wrong key or damaged data) or the sizes are wrong.
pub(crate) fn gcm_open(
    key: &[u8],
    nonce: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    gcm_open_aad(key, nonce, &[], ciphertext, tag)
}

/// AES-256-GCM decryption as [`gcm_open`], with associated data `aad`.
pub(crate) fn gcm_open_aad(
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    let cipher = Aes256Gcm::new_from_slice(key).ok()?;
    let nonce = Nonce::try_from(nonce).ok()?;
    let tag = Tag::try_from(tag).ok()?;
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    cipher
        .decrypt_inout_detached(&nonce, aad, buf.as_mut_slice().into(), &tag)
        .ok()?;
    Some(buf)
}

/// AES-256-GCM decryption of `ciphertext ‖ tag`.
pub(crate) fn gcm_open_combined(
    key: &[u8],
    nonce: &[u8],
    sealed: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    let split = sealed.len().checked_sub(16)?;
    let (ciphertext, tag) = sealed.split_at_checked(split)?;
    gcm_open(key, nonce, ciphertext, tag)
}

/// AES-256-GCM decryption of `ciphertext ‖ tag` with associated data `aad`.
pub(crate) fn gcm_open_combined_aad(
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    sealed: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    let split = sealed.len().checked_sub(16)?;
    let (ciphertext, tag) = sealed.split_at_checked(split)?;
    gcm_open_aad(key, nonce, aad, ciphertext, tag)
}

/// AES-256-GCM encryption; returns the ciphertext and the 16-byte tag.
pub(crate) fn gcm_seal(
    key: &[u8],
    nonce: &[u8; 12],
    plaintext: &[u8],
) -> Option<(Vec<u8>, [u8; 16])> {
    gcm_seal_aad(key, nonce, &[], plaintext)
}

/// AES-256-GCM encryption with associated data `aad`.
pub(crate) fn gcm_seal_aad(
    key: &[u8],
    nonce: &[u8; 12],
    aad: &[u8],
    plaintext: &[u8],
) -> Option<(Vec<u8>, [u8; 16])> {
    let cipher = Aes256Gcm::new_from_slice(key).ok()?;
    let nonce = Nonce::from(*nonce);
    let mut buf = plaintext.to_vec();
    let tag = cipher
        .encrypt_inout_detached(&nonce, aad, buf.as_mut_slice().into())
        .ok()?;
    let mut out = [0u8; 16];
    out.copy_from_slice(&tag);
    Some((buf, out))
}

/// AES-256-CBC with PKCS#7 padding. `None` on bad sizes or padding.
pub(crate) fn cbc_open(key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let decryptor = cbc::Decryptor::<Aes256>::new_from_slices(key, iv).ok()?;
    decryptor
        .decrypt_padded_vec::<Pkcs7>(ciphertext)
        .ok()
        .map(Zeroizing::new)
}

/// Constant-time check of an HMAC-SHA256 over `parts`.
pub(crate) fn hmac_sha256_verify(key: &[u8], parts: &[&[u8]], expected: &[u8]) -> bool {
    let Ok(mut mac) = <Hmac<Sha256>>::new_from_slice(key) else {
        return false;
    };
    for part in parts {
        mac.update(part);
    }
    mac.verify_slice(expected).is_ok()
}

/// HKDF-Expand-SHA256 of a 32-byte PRK (Bitwarden's key stretching).
pub(crate) fn hkdf_expand(prk: &[u8], info: &[u8]) -> Option<Key> {
    let hk = hkdf::Hkdf::<Sha256>::from_prk(prk).ok()?;
    let mut okm = Zeroizing::new([0u8; 32]);
    hk.expand(info, okm.as_mut_slice()).ok()?;
    Some(okm)
}

/// Random bytes from the operating system.
pub(crate) fn random<const N: usize>() -> Option<Zeroizing<[u8; N]>> {
    let mut buf = Zeroizing::new([0u8; N]);
    getrandom::fill(buf.as_mut_slice()).ok()?;
    Some(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcm_round_trip_and_tamper() {
        let key = [7u8; 32];
        let nonce = [1u8; 12];
        let (ct, tag) = gcm_seal(&key, &nonce, b"hello").unwrap();
        assert_eq!(
            gcm_open(&key, &nonce, &ct, &tag).unwrap().as_slice(),
            b"hello"
        );
        let mut bad = tag;
        bad[0] ^= 1;
        assert!(gcm_open(&key, &nonce, &ct, &bad).is_none());
        assert!(gcm_open(&[8u8; 32], &nonce, &ct, &tag).is_none());
        assert!(gcm_open_combined(&key, &nonce, &[0u8; 3]).is_none());
    }

    #[test]
    fn key_derivations_are_charged_to_the_budget() {
        let mut budget = WorkBudget::new(10_000, 8 << 20);
        assert_eq!(
            scrypt_key(&mut budget, b"p", b"s", 3, 8, 1),
            Err(KdfError::Parameter("n"))
        );
        let key = scrypt_key(&mut budget, b"p", b"s", 1024, 8, 1).unwrap();
        let spent = budget.spent();
        assert!(spent > 2048);
        assert_eq!(*key, *scrypt(b"p", b"s", 1024, 8, 1).unwrap());
        assert!(matches!(
            scrypt_key(&mut budget, b"p", b"s", 1 << 30, 8, 1),
            Err(KdfError::OverBudget(o)) if o.memory_exceeded()
        ));
        assert!(matches!(
            pbkdf2_key(&mut budget, Prf::Sha1, b"p", b"s", u32::MAX),
            Err(KdfError::OverBudget(o)) if o.work_exceeded()
        ));
        assert!(matches!(
            argon2id_key(&mut budget, b"p", b"saltsalt", 3, u32::MAX, 4),
            Err(KdfError::OverBudget(o)) if o.memory_exceeded()
        ));
        assert_eq!(budget.spent(), spent, "refusals charge nothing");
    }
}
