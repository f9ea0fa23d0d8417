//! The cryptography of the encrypted formats, all from RustCrypto crates. Keys and
//! plaintexts are returned in `Zeroizing` buffers.

use aes::Aes256;
use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, KeyIvInit};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// A 256-bit key, wiped on drop.
pub(crate) type Key = Zeroizing<[u8; 32]>;

/// The cost bounds for key derivation parameters read from a file. Real files use
/// scrypt N=2^15 r=8 p=1 (Aegis), PBKDF2 10 000 to 600 000 iterations and Argon2id
/// 64 MiB; the bounds leave headroom without letting a hostile file demand
/// gigabytes or hours.
pub(crate) const MAX_SCRYPT_MEMORY: u64 = 256 * 1024 * 1024;
pub(crate) const MAX_SCRYPT_P: u32 = 16;
pub(crate) const MAX_PBKDF2_ITERATIONS: u32 = 5_000_000;
pub(crate) const MAX_ARGON2_MEMORY_KIB: u32 = 1024 * 1024;
pub(crate) const MAX_ARGON2_ITERATIONS: u32 = 64;
pub(crate) const MAX_ARGON2_LANES: u32 = 64;

/// Why a KDF did not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BadKdf(pub &'static str);

pub(crate) fn scrypt(password: &[u8], salt: &[u8], n: u64, r: u32, p: u32) -> Result<Key, BadKdf> {
    if n < 2 || !n.is_power_of_two() {
        return Err(BadKdf("n"));
    }
    let memory = 128u64
        .checked_mul(u64::from(r))
        .and_then(|m| m.checked_mul(n))
        .ok_or(BadKdf("n"))?;
    if memory > MAX_SCRYPT_MEMORY {
        return Err(BadKdf("n"));
    }
    if p == 0 || p > MAX_SCRYPT_P {
        return Err(BadKdf("p"));
    }
    let log_n = u8::try_from(n.trailing_zeros()).map_err(|_| BadKdf("n"))?;
    let params = scrypt::Params::new(log_n, r, p).map_err(|_| BadKdf("r"))?;
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password, salt, &params, key.as_mut_slice()).map_err(|_| BadKdf("n"))?;
    Ok(key)
}

fn check_iterations(iterations: u32) -> Result<(), BadKdf> {
    if iterations == 0 || iterations > MAX_PBKDF2_ITERATIONS {
        return Err(BadKdf("iterations"));
    }
    Ok(())
}

pub(crate) fn pbkdf2_sha1(password: &[u8], salt: &[u8], iterations: u32) -> Result<Key, BadKdf> {
    check_iterations(iterations)?;
    let mut key = Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, iterations, key.as_mut_slice());
    Ok(key)
}

pub(crate) fn pbkdf2_sha256(password: &[u8], salt: &[u8], iterations: u32) -> Result<Key, BadKdf> {
    check_iterations(iterations)?;
    let mut key = Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, key.as_mut_slice());
    Ok(key)
}

pub(crate) fn argon2id(
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    memory_kib: u32,
    lanes: u32,
) -> Result<Key, BadKdf> {
    if iterations == 0 || iterations > MAX_ARGON2_ITERATIONS {
        return Err(BadKdf("iterations"));
    }
    if memory_kib > MAX_ARGON2_MEMORY_KIB {
        return Err(BadKdf("memory"));
    }
    if lanes == 0 || lanes > MAX_ARGON2_LANES {
        return Err(BadKdf("parallelism"));
    }
    let params = argon2::Params::new(memory_kib, iterations, lanes, Some(32))
        .map_err(|_| BadKdf("memory"))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(password, salt, key.as_mut_slice())
        .map_err(|_| BadKdf("salt"))?;
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
    let cipher = Aes256Gcm::new_from_slice(key).ok()?;
    let nonce = Nonce::try_from(nonce).ok()?;
    let tag = Tag::try_from(tag).ok()?;
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    cipher
        .decrypt_inout_detached(&nonce, &[], buf.as_mut_slice().into(), &tag)
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

/// AES-256-GCM encryption; returns the ciphertext and the 16-byte tag.
pub(crate) fn gcm_seal(
    key: &[u8],
    nonce: &[u8; 12],
    plaintext: &[u8],
) -> Option<(Vec<u8>, [u8; 16])> {
    let cipher = Aes256Gcm::new_from_slice(key).ok()?;
    let nonce = Nonce::from(*nonce);
    let mut buf = plaintext.to_vec();
    let tag = cipher
        .encrypt_inout_detached(&nonce, &[], buf.as_mut_slice().into())
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
    fn kdf_bounds() {
        assert_eq!(scrypt(b"p", b"s", 3, 8, 1), Err(BadKdf("n")));
        assert_eq!(scrypt(b"p", b"s", 1 << 30, 8, 1), Err(BadKdf("n")));
        assert_eq!(scrypt(b"p", b"s", 1024, 8, 0), Err(BadKdf("p")));
        assert!(scrypt(b"p", b"s", 1024, 8, 1).is_ok());
        assert_eq!(pbkdf2_sha1(b"p", b"s", 0), Err(BadKdf("iterations")));
        assert_eq!(pbkdf2_sha1(b"p", b"s", u32::MAX), Err(BadKdf("iterations")));
        assert_eq!(
            argon2id(b"p", b"saltsalt", 3, u32::MAX, 4),
            Err(BadKdf("memory"))
        );
    }
}
