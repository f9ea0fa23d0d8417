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
//! SHA-512's blocks are 128 bytes and its length field 16 bytes, so the same shapes
//! give (128 + 8) · 8 = 1088 and (128 + 64) · 8 = 1536 bits.
//!
//! The compressions themselves are `sha1::block_api::compress`,
//! `sha2::block_api::compress256` and `compress512` (which use SHA-NI, or AVX2 for
//! SHA-512's message schedule, themselves where available, one block at a time).

use sha1::Digest;
use zeroize::Zeroize;

/// The 64-byte block HMAC-SHA1 and HMAC-SHA256 pad a key to.
pub(crate) const BLOCK: usize = 64;
/// SHA-512's 128-byte block.
const BLOCK512: usize = 128;

/// Bit length of the inner message: one key block and the 8-byte counter.
pub(crate) const INNER_BITS: u64 = (64 + 8) * 8;
/// Bit length of the SHA-1 outer message: one key block and a 20-byte digest.
pub(crate) const SHA1_OUTER_BITS: u64 = (64 + 20) * 8;
/// Bit length of the SHA-256 outer message: one key block and a 32-byte digest.
pub(crate) const SHA256_OUTER_BITS: u64 = (64 + 32) * 8;
/// Bit length of the SHA-512 inner message: one 128-byte key block and the counter.
const SHA512_INNER_BITS: u64 = (128 + 8) * 8;
/// Bit length of the SHA-512 outer message: one key block and a 64-byte digest.
const SHA512_OUTER_BITS: u64 = (128 + 64) * 8;

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
/// SHA-512 initial hash value (FIPS 180-4 §5.3.5).
const SHA512_IV: [u64; 8] = [
    0x6a09_e667_f3bc_c908,
    0xbb67_ae85_84ca_a73b,
    0x3c6e_f372_fe94_f82b,
    0xa54f_f53a_5f1d_36f1,
    0x510e_527f_ade6_82d1,
    0x9b05_688c_2b3e_6c1f,
    0x1f83_d9ab_fb41_bd6b,
    0x5be0_cd19_137e_2179,
];

/// The key padded to one block (RFC 2104 §2): keys longer than a block are hashed
/// first, shorter ones zero-padded.
fn key_block<const B: usize>(key: &[u8], hash_long: impl FnOnce(&[u8], &mut [u8; B])) -> [u8; B] {
    let mut block = [0u8; B];
    if key.len() > B {
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
fn absorb<S: Copy, const B: usize>(
    iv: S,
    key_block: &[u8; B],
    pad: u8,
    compress: fn(&mut S, &[[u8; B]]),
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
fn keyed<D: Digest, S: Copy, const B: usize>(
    key: &[u8],
    iv: S,
    compress: fn(&mut S, &[[u8; B]]),
) -> (S, S) {
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
    keyed::<sha1::Sha1, _, BLOCK>(key, SHA1_IV, sha1::block_api::compress)
}

/// HMAC-SHA256's inner and outer states for `key`.
pub(crate) fn sha256_key(key: &[u8]) -> ([u32; 8], [u32; 8]) {
    keyed::<sha2::Sha256, _, BLOCK>(key, SHA256_IV, sha2::block_api::compress256)
}

/// HMAC-SHA512's inner and outer states for `key`.
pub(crate) fn sha512_key(key: &[u8]) -> ([u64; 8], [u64; 8]) {
    keyed::<sha2::Sha512, _, BLOCK512>(key, SHA512_IV, sha2::block_api::compress512)
}

/// The two counter words of the inner block, as SHA reads them (big-endian).
#[cfg(all(feature = "sha-ni", target_arch = "x86_64"))]
pub(crate) fn counter_words(counter: u64) -> [u32; 2] {
    // Truncating casts on purpose: the high and the low half.
    [(counter >> 32) as u32, counter as u32]
}

/// A final block for a message of `data_len` more bytes (left zero for the caller
/// to fill): `0x80` after them, zeros, and the bit length `bits` in the last 8
/// bytes (SHA-512's 16-byte length field has its upper half zero for every length
/// here).
fn padded_block<const B: usize>(data_len: usize, bits: u64) -> [u8; B] {
    let mut block = [0u8; B];
    if let Some(slot) = block.get_mut(data_len) {
        *slot = 0x80;
    }
    for (slot, b) in block
        .iter_mut()
        .skip(B.saturating_sub(8))
        .zip(bits.to_be_bytes())
    {
        *slot = b;
    }
    block
}

/// Writes `words` big-endian at the start of `block`.
fn put_words<T: Copy, const B: usize, const S: usize>(
    block: &mut [u8; B],
    words: &[T],
    to_be_bytes: impl Fn(T) -> [u8; S],
) {
    for (chunk, word) in block.chunks_exact_mut(S).zip(words) {
        chunk.copy_from_slice(&to_be_bytes(*word));
    }
}

/// HMAC(key, counter) for each of `counters`, as `W` digest words each: first
/// every inner compression over its counter block (independent of one another, so
/// the CPU overlaps them), then every outer one over its inner digest. One block
/// buffer serves each phase (only the message bytes change between candidates), and
/// the inner digests and the block that held them are wiped once at the end.
pub(crate) fn tags<
    T: Copy + Zeroize,
    const W: usize,
    const B: usize,
    const S: usize,
    const N: usize,
>(
    (inner, outer): (&[T; W], &[T; W]),
    counters: &[u64; N],
    (inner_bits, outer_bits): (u64, u64),
    to_be_bytes: impl Fn(T) -> [u8; S],
    compress: impl Fn(&mut [T; W], &[[u8; B]]),
) -> [[T; W]; N] {
    let mut block = padded_block::<B>(8, inner_bits);
    let mut digests = [*inner; N];
    for (digest, counter) in digests.iter_mut().zip(counters) {
        for (slot, b) in block.iter_mut().zip(counter.to_be_bytes()) {
            *slot = b;
        }
        compress(digest, core::slice::from_ref(&block));
    }
    let mut block = padded_block::<B>(W.saturating_mul(S), outer_bits);
    let mut tags = [*outer; N];
    for (tag, digest) in tags.iter_mut().zip(&digests) {
        put_words(&mut block, digest, &to_be_bytes);
        compress(tag, core::slice::from_ref(&block));
    }
    digests.iter_mut().for_each(Zeroize::zeroize);
    block.zeroize();
    tags
}

/// HMAC-SHA1(key, counter) for each of `counters`, as five digest words each.
pub(crate) fn sha1_tags<const N: usize>(
    inner: &[u32; 5],
    outer: &[u32; 5],
    counters: &[u64; N],
) -> [[u32; 5]; N] {
    tags(
        (inner, outer),
        counters,
        (INNER_BITS, SHA1_OUTER_BITS),
        u32::to_be_bytes,
        sha1::block_api::compress,
    )
}

/// HMAC-SHA256(key, counter) for each of `counters`, as eight digest words each.
pub(crate) fn sha256_tags<const N: usize>(
    inner: &[u32; 8],
    outer: &[u32; 8],
    counters: &[u64; N],
) -> [[u32; 8]; N] {
    tags(
        (inner, outer),
        counters,
        (INNER_BITS, SHA256_OUTER_BITS),
        u32::to_be_bytes,
        sha2::block_api::compress256,
    )
}

/// HMAC-SHA512(key, counter) for each of `counters`, as eight digest words each.
pub(crate) fn sha512_tags<const N: usize>(
    inner: &[u64; 8],
    outer: &[u64; 8],
    counters: &[u64; N],
) -> [[u64; 8]; N] {
    tags(
        (inner, outer),
        counters,
        (SHA512_INNER_BITS, SHA512_OUTER_BITS),
        u64::to_be_bytes,
        sha2::block_api::compress512,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_block_layout() {
        let mut block: [u8; BLOCK] = padded_block(8, 576);
        put_words(&mut block, &[0x0102_0304u32, 0x0506_0708], u32::to_be_bytes);
        assert_eq!(&block[..9], &[1, 2, 3, 4, 5, 6, 7, 8, 0x80]);
        assert!(block[9..56].iter().all(|b| *b == 0));
        assert_eq!(&block[56..], &576u64.to_be_bytes());
        let mut block: [u8; BLOCK512] = padded_block(64, SHA512_OUTER_BITS);
        put_words(&mut block, &[u64::MAX; 8], u64::to_be_bytes);
        assert!(block[..64].iter().all(|b| *b == 0xff));
        assert_eq!(block[64], 0x80);
        assert!(block[65..120].iter().all(|b| *b == 0));
        assert_eq!(&block[120..], &1536u64.to_be_bytes());
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
