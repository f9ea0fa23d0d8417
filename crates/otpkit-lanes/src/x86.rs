//! The SHA-NI kernel: `N` HMACs of one counter each, their compressions interleaved.
//!
//! Each lane's HMAC is two dependent one-block compressions (inner, then outer over
//! the inner digest), but different lanes do not depend on each other. The kernel
//! runs the lanes in lock step, issuing each round group's instructions for every
//! lane before the next group, so one lane's latency (a `sha1rnds4` or `sha256rnds2`
//! waits for the previous one) is filled with the other lanes' independent work.
//!
//! Measured on the development machine (AMD Zen 5), three SHA-1 HMACs: 85 ns in
//! lock step, 96 ns with the same code run lane after lane, 129 ns one at a time.
//! Beyond three or four lanes the SHA unit's throughput, not latency, is the limit
//! (about 24 ns per SHA-1 HMAC, against 43 ns for a lone one); without the message
//! schedule's `sha1msg1`/`sha1msg2` the three would take 71 ns, which is as far as
//! reordering could go.
//!
//! Message blocks never touch memory: HOTP's blocks are the counter (or the inner
//! digest, already in registers), a `0x80` byte and the bit length, so they are
//! built with `_mm_set_epi32` and the digest registers are reused as the outer
//! message directly. Every function here is safe to call once the `sha`, `sse2`,
//! `ssse3` and `sse4.1` features are known to be present (Rust's target-feature
//! rules: the intrinsics used are safe inside a function enabling them, and none of
//! them takes a pointer).
//!
//! The register layouts follow RustCrypto's single-block `x86_sha` backends in
//! `sha1` 0.11 and `sha2` 0.11; the tests compare every lane with RustCrypto's
//! `hmac`.

use core::arch::x86_64::{
    __m128i, _mm_add_epi32, _mm_alignr_epi8, _mm_blend_epi16, _mm_extract_epi32, _mm_or_si128,
    _mm_set_epi32, _mm_setzero_si128, _mm_sha1msg1_epu32, _mm_sha1msg2_epu32, _mm_sha1nexte_epu32,
    _mm_sha1rnds4_epu32, _mm_sha256msg1_epu32, _mm_sha256msg2_epu32, _mm_sha256rnds2_epu32,
    _mm_shuffle_epi32, _mm_xor_si128,
};

use crate::portable::{INNER_BITS, SHA1_OUTER_BITS, SHA256_OUTER_BITS, counter_words};
use crate::truncate::dynamic_truncation;

/// `_mm_set_epi32` from `u32`s, highest element first (the intrinsic takes `i32`).
#[inline]
#[target_feature(enable = "sse2")]
fn set(e3: u32, e2: u32, e1: u32, e0: u32) -> __m128i {
    // Bit-for-bit reinterpretation, as the intrinsic's signature requires.
    _mm_set_epi32(e3 as i32, e2 as i32, e1 as i32, e0 as i32)
}

/// Element `I` of a vector as `u32`.
#[inline]
#[target_feature(enable = "sse4.1")]
fn get<const I: i32>(v: __m128i) -> u32 {
    _mm_extract_epi32::<I>(v) as u32
}

/// Four message words as one vector: `W[0]` in the lowest element when `LOW_FIRST`
/// (SHA-256's layout), in the highest otherwise (SHA-1's).
#[inline]
#[target_feature(enable = "sse2")]
fn message<const LOW_FIRST: bool>([w0, w1, w2, w3]: [u32; 4]) -> __m128i {
    if LOW_FIRST {
        set(w3, w2, w1, w0)
    } else {
        set(w0, w1, w2, w3)
    }
}

/// Each lane's inner message block, the same for SHA-1 and SHA-256 but for the word
/// order: the 8-byte counter, the `0x80` padding byte, zeros, and the bit length.
#[inline]
#[target_feature(enable = "sse2")]
fn inner_blocks<const N: usize, const LOW_FIRST: bool>(counters: &[u64; N]) -> [[__m128i; 4]; N] {
    let zero = _mm_setzero_si128();
    let length = message::<LOW_FIRST>([0, 0, 0, bits(INNER_BITS)]);
    let mut blocks = [[zero; 4]; N];
    for (block, counter) in blocks.iter_mut().zip(counters) {
        let [hi, lo] = counter_words(*counter);
        *block = [
            message::<LOW_FIRST>([hi, lo, 0x8000_0000, 0]),
            zero,
            zero,
            length,
        ];
    }
    blocks
}

/// The 32-bit big-endian length word, from a bit count below 2^32.
const fn bits(n: u64) -> u32 {
    // All three bit counts are below 1024.
    n as u32
}

/// `group::<N, C...>(args)` once for each listed set of const arguments `[C...]`, in
/// order: the unrolled round groups of one compression.
macro_rules! groups {
    ($group:ident::<$n:ident> $args:tt : $([$($c:literal),*])*) => {
        $( $group::<$n, $($c),*> $args; )*
    };
}

/// The one HMAC definition both hashes share: `N` lanes of HMAC(K, counter) from
/// the key's inner and outer states, each dynamically truncated (RFC 4226 §5.3).
/// The inner compression over the counter block, the outer over the inner digest
/// (passed in registers), then truncation; the hash supplies how its state is held
/// (`$state`: two vectors), its compression macro, its outer block and its
/// truncation; `$low_first`: the word order of its message vectors (see
/// [`message`]).
macro_rules! hmac_kernel {
    (
        $(#[$doc:meta])*
        $name:ident: $words:ty, low first: $low_first:literal, $state:ident, $compress:ident,
        $outer_block:ident, $truncate:ident
    ) => {
        $(#[$doc])*
        #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
        pub(crate) fn $name<const N: usize>(
            inner: &$words,
            outer: &$words,
            counters: &[u64; N],
        ) -> [u32; N] {
            let (x, y) = $state(*inner);
            let (mut x, mut y) = ([x; N], [y; N]);
            let mut block = inner_blocks::<N, $low_first>(counters);
            $compress!(N, x, y, block);

            for ((block, x), y) in block.iter_mut().zip(&x).zip(&y) {
                *block = $outer_block(*x, *y);
            }
            let (outer_x, outer_y) = $state(*outer);
            (x, y) = ([outer_x; N], [outer_y; N]);
            $compress!(N, x, y, block);

            let mut truncated = [0u32; N];
            for ((t, x), y) in truncated.iter_mut().zip(&x).zip(&y) {
                *t = $truncate(*x, *y);
            }
            truncated
        }
    };
}

// ---------------------------------------------------------------------------------
// SHA-1. State: `abcd` holds (a, b, c, d) from the highest element down; `e` holds
// e in the highest element and zeros below. A message block is four vectors of
// four words, W[4i] in the highest element.

/// One group of four SHA-1 rounds (`K` = 0..20) for every lane; the message
/// schedule for groups 4 and later is computed in place in the five-vector ring `w`.
#[inline]
#[target_feature(enable = "sha,sse2")]
fn sha1_group<const N: usize, const K: usize, const F: i32>(
    h0: &mut [__m128i; N],
    h1: &mut [__m128i; N],
    w: &mut [[__m128i; 5]; N],
) {
    for ((h0, h1), w) in h0.iter_mut().zip(h1.iter_mut()).zip(w.iter_mut()) {
        if K >= 4 {
            w[K % 5] = _mm_sha1msg2_epu32(
                _mm_xor_si128(
                    _mm_sha1msg1_epu32(w[(K + 1) % 5], w[(K + 2) % 5]),
                    w[(K + 3) % 5],
                ),
                w[(K + 4) % 5],
            );
        }
        if K == 0 {
            // `h1` already holds e + W[0..4].
            *h1 = _mm_sha1rnds4_epu32::<F>(*h0, *h1);
        } else if K.is_multiple_of(2) {
            *h1 = _mm_sha1rnds4_epu32::<F>(*h0, _mm_sha1nexte_epu32(*h1, w[K % 5]));
        } else {
            *h0 = _mm_sha1rnds4_epu32::<F>(*h1, _mm_sha1nexte_epu32(*h0, w[K % 5]));
        }
    }
}

/// Compress one block per lane into `abcd`/`e` (arrays of `N` vectors).
///
/// A macro rather than a function so that both compressions of an HMAC sit in one
/// function body (a `#[target_feature]` function cannot be `#[inline(always)]`):
/// the inner digest then passes to the outer block in registers.
macro_rules! sha1_compress {
    ($n:ident, $abcd:ident, $e:ident, $block:ident) => {{
        let zero = _mm_setzero_si128();
        let mut h0 = $abcd;
        let mut h1 = [zero; $n];
        let mut w = [[zero; 5]; $n];
        for (((h1, w), e), block) in h1.iter_mut().zip(w.iter_mut()).zip(&$e).zip(&$block) {
            *h1 = _mm_add_epi32(*e, block[0]);
            w[..4].copy_from_slice(block);
        }
        // Groups 0..20; the round function (and constant) changes every five.
        groups!(sha1_group::<$n>(&mut h0, &mut h1, &mut w):
            [0, 0] [1, 0] [2, 0] [3, 0] [4, 0] [5, 1] [6, 1] [7, 1] [8, 1] [9, 1]
            [10, 2] [11, 2] [12, 2] [13, 2] [14, 2] [15, 3] [16, 3] [17, 3] [18, 3] [19, 3]);
        for (((abcd, e), h0), h1) in $abcd.iter_mut().zip($e.iter_mut()).zip(h0).zip(h1) {
            *abcd = _mm_add_epi32(*abcd, h0);
            *e = _mm_sha1nexte_epu32(h1, *e);
        }
    }};
}

/// A SHA-1 state as the kernel holds it: (`abcd`, `e`).
#[inline]
#[target_feature(enable = "sse2")]
fn sha1_state([a, b, c, d, e]: [u32; 5]) -> (__m128i, __m128i) {
    (set(a, b, c, d), set(e, 0, 0, 0))
}

/// The outer message block from the inner digest: (a, b, c, d) is already W[0..4]
/// in order, and `e` (zeros below) becomes W[4..8] with the 0x80 padding byte.
#[inline]
#[target_feature(enable = "sse2")]
fn sha1_outer_block(abcd: __m128i, e: __m128i) -> [__m128i; 4] {
    let padding = set(0, 0x8000_0000, 0, 0);
    let length = set(0, 0, 0, bits(SHA1_OUTER_BITS));
    [abcd, _mm_or_si128(e, padding), _mm_setzero_si128(), length]
}

/// The dynamically truncated tag (a, b, c, d, e), straight from the registers:
/// storing the words for a wider reload would stall on store-to-load forwarding.
#[inline]
#[target_feature(enable = "sse4.1")]
fn sha1_truncate(abcd: __m128i, e: __m128i) -> u32 {
    let e = get::<3>(e);
    let words = [
        get::<3>(abcd),
        get::<2>(abcd),
        get::<1>(abcd),
        get::<0>(abcd),
        e,
    ];
    dynamic_truncation(&words, e)
}

hmac_kernel! {
    /// HMAC-SHA1(K, counter) for `N` counters, from the key's inner and outer
    /// states; each dynamically truncated (RFC 4226 §5.3).
    sha1_hmac: [u32; 5], low first: false, sha1_state, sha1_compress, sha1_outer_block, sha1_truncate
}

// ---------------------------------------------------------------------------------
// SHA-256. State: `abef` holds (a, b, e, f) and `cdgh` holds (c, d, g, h), highest
// element first. A message block is four vectors of four words, W[4i] in the
// lowest element.

/// SHA-256 round constants (FIPS 180-4 §4.2.2).
const K32: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// One group of four SHA-256 rounds (`R` = 0..16) for every lane; the message
/// schedule for groups 4 and later is computed in place in the four-vector ring `w`.
#[inline]
#[target_feature(enable = "sha,sse2,ssse3")]
fn sha256_group<const N: usize, const R: usize>(
    abef: &mut [__m128i; N],
    cdgh: &mut [__m128i; N],
    w: &mut [[__m128i; 4]; N],
) {
    let k = set(K32[4 * R + 3], K32[4 * R + 2], K32[4 * R + 1], K32[4 * R]);
    for ((abef, cdgh), w) in abef.iter_mut().zip(cdgh.iter_mut()).zip(w.iter_mut()) {
        if R >= 4 {
            let (w0, w1, w2, w3) = (w[R % 4], w[(R + 1) % 4], w[(R + 2) % 4], w[(R + 3) % 4]);
            let t = _mm_add_epi32(_mm_sha256msg1_epu32(w0, w1), _mm_alignr_epi8::<4>(w3, w2));
            w[R % 4] = _mm_sha256msg2_epu32(t, w3);
        }
        let t1 = _mm_add_epi32(w[R % 4], k);
        *cdgh = _mm_sha256rnds2_epu32(*cdgh, *abef, t1);
        let t2 = _mm_shuffle_epi32::<0x0E>(t1);
        *abef = _mm_sha256rnds2_epu32(*abef, *cdgh, t2);
    }
}

/// Compress one block per lane into `abef`/`cdgh` (arrays of `N` vectors); a macro
/// for the same reason as `sha1_compress!`.
macro_rules! sha256_compress {
    ($n:ident, $abef:ident, $cdgh:ident, $block:ident) => {{
        let (mut x, mut y, mut w) = ($abef, $cdgh, $block);
        groups!(sha256_group::<$n>(&mut x, &mut y, &mut w):
            [0] [1] [2] [3] [4] [5] [6] [7] [8] [9] [10] [11] [12] [13] [14] [15]);
        for (((abef, cdgh), x), y) in $abef.iter_mut().zip($cdgh.iter_mut()).zip(x).zip(y) {
            *abef = _mm_add_epi32(*abef, x);
            *cdgh = _mm_add_epi32(*cdgh, y);
        }
    }};
}

/// A SHA-256 state as the kernel holds it: (`abef`, `cdgh`).
#[inline]
#[target_feature(enable = "sse2")]
fn sha256_state([a, b, c, d, e, f, g, h]: [u32; 8]) -> (__m128i, __m128i) {
    (set(a, b, e, f), set(c, d, g, h))
}

/// The outer message block from the inner digest: (a..h) is W[0..8], lowest
/// element first, then the padding and the length.
#[inline]
#[target_feature(enable = "sse2,ssse3,sse4.1")]
fn sha256_outer_block(abef: __m128i, cdgh: __m128i) -> [__m128i; 4] {
    let padding = set(0, 0, 0, 0x8000_0000);
    let length = set(bits(SHA256_OUTER_BITS), 0, 0, 0);
    let feba = _mm_shuffle_epi32::<0x1B>(abef);
    let dchg = _mm_shuffle_epi32::<0xB1>(cdgh);
    let dcba = _mm_blend_epi16::<0xF0>(feba, dchg);
    let hgfe = _mm_alignr_epi8::<8>(dchg, feba);
    [dcba, hgfe, padding, length]
}

/// The dynamically truncated tag a..h: truncation reads at most its first 19
/// bytes (a..e) and takes the offset from the last byte (of h).
#[inline]
#[target_feature(enable = "sse4.1")]
fn sha256_truncate(abef: __m128i, cdgh: __m128i) -> u32 {
    let words = [
        get::<3>(abef),
        get::<2>(abef),
        get::<3>(cdgh),
        get::<2>(cdgh),
        get::<1>(abef),
    ];
    dynamic_truncation(&words, get::<0>(cdgh))
}

hmac_kernel! {
    /// HMAC-SHA256(K, counter) for `N` counters, from the key's inner and outer
    /// states; each dynamically truncated (RFC 4226 §5.3).
    sha256_hmac: [u32; 8], low first: true, sha256_state, sha256_compress, sha256_outer_block, sha256_truncate
}
