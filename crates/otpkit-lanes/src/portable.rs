//! The portable path: message blocks built here, compressed by RustCrypto.
//!
//! HOTP's HMAC messages have fixed shapes, so each HMAC is exactly two compressions
//! of one block each once the padded key blocks are absorbed:
//!
//! - inner: the 8-byte big-endian counter, `0x80`, zeros, and the bit length of
//!   (key block ‖ counter) = (64 + 8) · 8 = 576 in the last 8 bytes;
//! - outer: the inner digest (20 or 32 bytes), `0x80`, zeros, and the bit length
//!   (64 + 20) · 8 = 672 for SHA-1 or (64 + 32) · 8 = 768 for SHA-256.
//!
//! The compressions themselves are `sha1::block_api::compress` and
//! `sha2::block_api::compress256` (which use SHA-NI themselves where available, one
//! block at a time).

use sha1::Digest;
use zeroize::Zeroize;

/// The 64-byte block HMAC pads a key to.
pub(crate) const BLOCK: usize = 64;

/// Bit length of the inner message: one key block and the 8-byte counter.
pub(crate) const INNER_BITS: u64 = (64 + 8) * 8;
/// Bit length of the SHA-1 outer message: one key block and a 20-byte digest.
pub(crate) const SHA1_OUTER_BITS: u64 = (64 + 20) * 8;
/// Bit length of the SHA-256 outer message: one key block and a 32-byte digest.
pub(crate) const SHA256_OUTER_BITS: u64 = (64 + 32) * 8;

/// SHA-1 initial hash value (FIPS 180-4 §5.3.1).
const SHA1_IV: [u32; 5] = [
    0x6745_2301,
    0xEFCD_AB89,
    0x98BA_DCFE,
    0x1032_5476,
    0xC3D2_E1F0,
];
/// SHA-256 initial hash value (FIPS 180-4 §5.3.3).
const SHA256_IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// The key padded to one block (RFC 2104 §2): keys longer than a block are hashed
/// first, shorter ones zero-padded.
fn key_block(key: &[u8], hash_long: impl FnOnce(&[u8], &mut [u8; BLOCK])) -> [u8; BLOCK] {
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        hash_long(key, &mut block);
    } else {
        block
            .iter_mut()
            .zip(key)
            .for_each(|(slot, byte)| *slot = *byte);
    }
    block
}

/// `state` after absorbing `key_block ⊕ pad` (one compression).
fn absorb<S: Copy>(
    iv: S,
    key_block: &[u8; BLOCK],
    pad: u8,
    compress: fn(&mut S, &[[u8; BLOCK]]),
) -> S {
    let mut block = *key_block;
    block.iter_mut().for_each(|b| *b ^= pad);
    let mut state = iv;
    compress(&mut state, core::slice::from_ref(&block));
    block.zeroize();
    state
}

/// HMAC's inner and outer states for `key` with hash `D`, whose initial value is
/// `iv` and compression function `compress`.
fn keyed<D: Digest, S: Copy>(key: &[u8], iv: S, compress: fn(&mut S, &[[u8; BLOCK]])) -> (S, S) {
    let mut block = key_block(key, |long, out| {
        let digest = D::digest(long);
        out.iter_mut()
            .zip(digest.iter())
            .for_each(|(slot, b)| *slot = *b);
    });
    let inner = absorb(iv, &block, 0x36, compress);
    let outer = absorb(iv, &block, 0x5c, compress);
    block.zeroize();
    (inner, outer)
}

/// HMAC-SHA1's inner and outer states for `key`.
pub(crate) fn sha1_key(key: &[u8]) -> ([u32; 5], [u32; 5]) {
    keyed::<sha1::Sha1, _>(key, SHA1_IV, sha1::block_api::compress)
}

/// HMAC-SHA256's inner and outer states for `key`.
pub(crate) fn sha256_key(key: &[u8]) -> ([u32; 8], [u32; 8]) {
    keyed::<sha2::Sha256, _>(key, SHA256_IV, sha2::block_api::compress256)
}

/// One padded final block: `words` as big-endian bytes, `0x80`, zeros, bit length.
fn final_block(words: &[u32], bits: u64) -> [u8; BLOCK] {
    let mut block = [0u8; BLOCK];
    let mut bytes = block.iter_mut();
    for word in words {
        // The word's bytes drive the zip, so no extra slot is consumed after them.
        for (b, slot) in word.to_be_bytes().into_iter().zip(bytes.by_ref()) {
            *slot = b;
        }
    }
    if let Some(slot) = bytes.next() {
        *slot = 0x80;
    }
    for (slot, b) in block.iter_mut().skip(BLOCK - 8).zip(bits.to_be_bytes()) {
        *slot = b;
    }
    block
}

/// The two counter words of the inner block, as SHA reads them (big-endian).
pub(crate) fn counter_words(counter: u64) -> [u32; 2] {
    // Truncating casts on purpose: the high and the low half.
    [(counter >> 32) as u32, counter as u32]
}

/// HMAC(key, counter) as the `W` digest words: the inner block (counter), then the
/// outer block (inner digest, `outer_bits` long), each one compression.
fn tag<const W: usize>(
    inner: &[u32; W],
    outer: &[u32; W],
    counter: u64,
    outer_bits: u64,
    compress: fn(&mut [u32; W], &[[u8; BLOCK]]),
) -> [u32; W] {
    let mut inner_state = *inner;
    let block = final_block(&counter_words(counter), INNER_BITS);
    compress(&mut inner_state, core::slice::from_ref(&block));
    let mut outer_state = *outer;
    let mut block = final_block(&inner_state, outer_bits);
    compress(&mut outer_state, core::slice::from_ref(&block));
    inner_state.zeroize();
    block.zeroize();
    outer_state
}

/// HMAC-SHA1(key, counter) as the five digest words.
pub(crate) fn sha1_tag(inner: &[u32; 5], outer: &[u32; 5], counter: u64) -> [u32; 5] {
    tag(
        inner,
        outer,
        counter,
        SHA1_OUTER_BITS,
        sha1::block_api::compress,
    )
}

/// HMAC-SHA256(key, counter) as the eight digest words.
pub(crate) fn sha256_tag(inner: &[u32; 8], outer: &[u32; 8], counter: u64) -> [u32; 8] {
    tag(
        inner,
        outer,
        counter,
        SHA256_OUTER_BITS,
        sha2::block_api::compress256,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_block_layout() {
        let block = final_block(&[0x0102_0304, 0x0506_0708], 576);
        assert_eq!(&block[..9], &[1, 2, 3, 4, 5, 6, 7, 8, 0x80]);
        assert!(block[9..56].iter().all(|b| *b == 0));
        assert_eq!(&block[56..], &576u64.to_be_bytes());
    }

    #[test]
    fn long_keys_are_hashed_short_ones_padded() {
        let long = [7u8; 65];
        let hashed = sha1_key(&long);
        let digest: [u8; 20] = {
            use sha1::Digest;
            sha1::Sha1::digest(long).into()
        };
        assert_eq!(hashed, sha1_key(&digest));
        // A 64-byte key is used as is, not hashed.
        assert_ne!(
            sha1_key(&[7u8; 64]),
            sha1_key(&{
                use sha1::Digest;
                <[u8; 20]>::from(sha1::Sha1::digest([7u8; 64]))
            })
        );
    }
}
