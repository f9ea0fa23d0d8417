//! # otpkit-lanes
//!
//! HMAC-SHA1 and HMAC-SHA256 of 8-byte counters, several at once, dynamically
//! truncated as RFC 4226 §5.3 says: the hot loop of HOTP/TOTP window verification.
//!
//! Verifying a code against a window of steps computes one HMAC per step. With the
//! key absorbed once, each HMAC is two compressions (inner, then outer), and the
//! outer one waits for the inner one; but the steps do not depend on each other. On
//! x86-64 CPUs with the SHA extensions ("SHA-NI") this crate computes up to
//! [`LANES`] HMACs with their instructions interleaved, so the latency of one lane's
//! rounds is hidden behind the others'. Everywhere else (other CPUs, other
//! architectures, `no_std` targets such as `thumbv7em`) it uses RustCrypto's
//! `sha1::block_api::compress` and `sha2::block_api::compress256`, one HMAC at a
//! time, with the same results.
//!
//! ```
//! use otpkit_lanes::KeyedSha1;
//!
//! let key = KeyedSha1::new(b"12345678901234567890");
//! // RFC 4226 Appendix D: the truncated values for counters 0, 1 and 2.
//! assert_eq!(key.truncated_batch(&[0, 1, 2]), [1284755224, 1094287082, 137359152]);
//! assert_eq!(key.truncated(9), 645520489);
//! ```
//!
//! SHA-512 has no SHA-NI instructions; callers keep using RustCrypto for it.
//!
//! ## Safety argument
//!
//! This crate is the only one in the otpkit workspace with `unsafe`, and it has
//! exactly two `unsafe` blocks, both in this file (`ShaNi::sha1` and
//! `ShaNi::sha256`): the calls to the kernels `x86::sha1_hmac` and
//! `x86::sha256_hmac`. Those kernels are safe functions marked
//! `#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]`; calling one is `unsafe`
//! only because running it on a CPU without those features is undefined behaviour.
//! The blocks are sound because:
//!
//! 1. **The features are detected before any call.** Both blocks sit in methods of
//!    `ShaNi`, a private zero-sized proof type whose only constructor,
//!    `ShaNi::detect`, returns one only after `cpufeatures` (CPUID, cached) reported
//!    all four features. A key holds `Option<ShaNi>`, set by `new` from `detect`, or
//!    `None` for `new_portable`. CPU features do not disappear while a process
//!    runs, so a proof stays valid for as long as it (and its copies) exist.
//! 2. **No memory is touched through pointers.** Inside the kernels, Rust's
//!    target-feature rules make every intrinsic used a safe call, and none of them
//!    takes a pointer: messages and states enter with `_mm_set_epi32` from
//!    fixed-size arrays and leave with `_mm_extract_epi32` into fixed-size arrays.
//!    There is no pointer arithmetic, no unaligned load or store and no `transmute`.
//! 3. **Everything else is ordinary safe Rust**: lane counts are const generics and
//!    all arrays have fixed sizes, so nothing can run out of bounds.
//!
//! `#![deny(unsafe_op_in_unsafe_fn)]` holds trivially (there is no `unsafe fn`).
//! The kernels are written by hand because no crate offers multi-lane SHA-NI
//! hashing; they are the one place otpkit does not defer to RustCrypto, and the
//! differential tests (`tests/differential.rs`, `fuzz/fuzz_targets/
//! lanes_differential.rs`) check every lane count against RustCrypto's `hmac` on
//! both paths.
//!
//! ## Secrets and timing
//!
//! The keyed states are as sensitive as the key. They are wiped on drop and not
//! printed by `Debug`. As with every Rust SHA implementation, copies that the
//! compiler makes in registers or on the stack while hashing are not wiped.
//!
//! Which path runs and how a batch is split depend only on the CPU and on the
//! batch size `N`, never on keys or counters. The kernels run one fixed instruction
//! sequence per `N`, with no branch or memory index depending on the data (the
//! truncation picks its word with masks and a shift, not an index); the SHA-NI
//! instructions, like the SSE moves and adds around them, are not known to take
//! data-dependent time.
//!
//! ## Performance
//!
//! On the AMD EPYC (Zen 5) development machine, with the key absorbed: one SHA-1
//! HMAC takes about 43 ns; three (a ±1 window) about 85 ns, less than six
//! independent one-block `sha1::block_api::compress` calls (about 98 ns) and a
//! third of the portable path's 270 ns. SHA-256: 58 ns for one, 108 ns for
//! three. `examples/lanes_timing.rs` prints these figures for the machine it runs
//! on.
#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(missing_docs)]

use core::fmt;

use zeroize::Zeroize;

mod portable;
#[cfg(target_arch = "x86_64")]
mod x86;

/// The most HMACs one kernel call interleaves; longer batches are split.
pub const LANES: usize = 4;

#[cfg(target_arch = "x86_64")]
cpufeatures::new!(sha_ni, "sha", "sse2", "ssse3", "sse4.1");

/// Whether this CPU runs the SHA-NI kernels.
///
/// ```
/// // On x86-64 this is the CPU's SHA extension; elsewhere always false.
/// let _ = otpkit_lanes::accelerated();
/// ```
pub fn accelerated() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        sha_ni::get()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// RFC 4226 §5.3 dynamic truncation of a tag given as big-endian words: the low
/// four bits of the last byte pick a byte offset (0..=15) into the tag, and the four
/// bytes there, top bit cleared, are the result.
///
/// Branch-free and without a tag-dependent memory index: each of the four possible
/// word pairs is masked in, and the byte offset within the word becomes a shift.
#[inline]
fn dynamic_truncation(first: &[u32; 5], last_word: u32) -> u32 {
    let offset = last_word & 0x0f;
    let index = u64::from(offset >> 2);
    let mut pair: u64 = 0;
    for (i, window) in (0u64..).zip(first.windows(2)) {
        // 1 when i == index, else 0 (both are below 4).
        let hit = (i ^ index).wrapping_sub(1) >> 63;
        let mask = 0u64.wrapping_sub(hit);
        let words = window
            .iter()
            .fold(0u64, |acc, w| (acc << 32) | u64::from(*w));
        pair |= words & mask;
    }
    let shift = (offset & 3) * 8;
    // Bytes `offset % 4 .. offset % 4 + 4` of the pair: the top 32 bits after the
    // shift (the truncating cast keeps the lower half, the wanted word).
    (((pair << shift) >> 32) as u32) & 0x7fff_ffff
}

/// Split `counters` into kernel calls of at most [`LANES`] lanes.
#[cfg(target_arch = "x86_64")]
fn batched<const N: usize>(
    counters: &[u64; N],
    mut lanes: impl FnMut(&[u64]) -> [u32; LANES],
) -> [u32; N] {
    let mut out = [0u32; N];
    for (chunk, out) in counters.chunks(LANES).zip(out.chunks_mut(LANES)) {
        let results = lanes(chunk);
        out.iter_mut()
            .zip(results)
            .for_each(|(slot, value)| *slot = value);
    }
    out
}

/// Proof that this CPU has the features the SHA-NI kernels are compiled for: the
/// only way to get one is [`ShaNi::detect`].
#[derive(Clone, Copy)]
struct ShaNi(());

impl ShaNi {
    /// `Some` if and only if `cpufeatures` detected sha, sse2, ssse3 and sse4.1.
    fn detect() -> Option<Self> {
        accelerated().then_some(ShaNi(()))
    }

    /// The SHA-1 kernel on `N` lanes.
    #[cfg(target_arch = "x86_64")]
    fn sha1<const N: usize>(
        self,
        inner: &[u32; 5],
        outer: &[u32; 5],
        counters: &[u64; N],
    ) -> [u32; N] {
        // SAFETY: `self` proves the kernel's target features were detected (see
        // "Safety argument" in the crate docs); the kernel takes no pointers.
        unsafe { x86::sha1_hmac(inner, outer, counters) }
    }

    /// The SHA-256 kernel on `N` lanes.
    #[cfg(target_arch = "x86_64")]
    fn sha256<const N: usize>(
        self,
        inner: &[u32; 8],
        outer: &[u32; 8],
        counters: &[u64; N],
    ) -> [u32; N] {
        // SAFETY: as in `sha1` above.
        unsafe { x86::sha256_hmac(inner, outer, counters) }
    }
}

/// Run `kernel` on exactly `N` lanes for `chunk` (whose length is `N`), results
/// into the first `N` slots of `out`.
#[cfg(target_arch = "x86_64")]
fn on_lanes<const N: usize, T>(
    chunk: &[u64],
    out: &mut [T; LANES],
    kernel: impl FnOnce(&[u64; N]) -> [T; N],
) {
    let mut counters = [0u64; N];
    counters
        .iter_mut()
        .zip(chunk)
        .for_each(|(slot, c)| *slot = *c);
    out.iter_mut()
        .zip(kernel(&counters))
        .for_each(|(slot, tag)| *slot = tag);
}

/// Run a kernel on as many lanes as `chunk` has counters (1..=[`LANES`]).
#[cfg(target_arch = "x86_64")]
macro_rules! dispatch {
    ($token:expr, $kernel:ident, $inner:expr, $outer:expr, $chunk:expr) => {{
        let (token, inner, outer, chunk) = ($token, $inner, $outer, $chunk);
        let mut out = [0u32; LANES];
        match chunk.len() {
            1 => on_lanes::<1, _>(chunk, &mut out, |c| token.$kernel(inner, outer, c)),
            2 => on_lanes::<2, _>(chunk, &mut out, |c| token.$kernel(inner, outer, c)),
            3 => on_lanes::<3, _>(chunk, &mut out, |c| token.$kernel(inner, outer, c)),
            _ => on_lanes::<4, _>(chunk, &mut out, |c| token.$kernel(inner, outer, c)),
        }
        out
    }};
}

/// HMAC-SHA1 with the key absorbed, ready for counters.
///
/// `Debug` shows only which path it uses, never key material; the states are wiped
/// on drop.
#[derive(Clone)]
pub struct KeyedSha1 {
    inner: [u32; 5],
    outer: [u32; 5],
    sha_ni: Option<ShaNi>,
}

impl KeyedSha1 {
    /// Absorb `key` (any length; longer than 64 bytes is hashed first, RFC 2104),
    /// using the SHA-NI kernel if this CPU has it.
    pub fn new(key: &[u8]) -> Self {
        let (inner, outer) = portable::sha1_key(key);
        KeyedSha1 {
            inner,
            outer,
            sha_ni: ShaNi::detect(),
        }
    }

    /// Like [`new`](Self::new) but always on the portable RustCrypto path: for
    /// differential tests and benchmarks.
    ///
    /// ```
    /// use otpkit_lanes::KeyedSha1;
    /// let key = b"12345678901234567890";
    /// let portable = KeyedSha1::new_portable(key);
    /// assert!(!portable.is_accelerated());
    /// assert_eq!(portable.truncated_batch(&[7, 8]), KeyedSha1::new(key).truncated_batch(&[7, 8]));
    /// ```
    pub fn new_portable(key: &[u8]) -> Self {
        let (inner, outer) = portable::sha1_key(key);
        KeyedSha1 {
            inner,
            outer,
            sha_ni: None,
        }
    }

    /// Whether this key runs on the SHA-NI kernel.
    pub fn is_accelerated(&self) -> bool {
        self.sha_ni.is_some()
    }

    /// HMAC-SHA1(K, `counter` as 8 big-endian bytes), dynamically truncated to 31
    /// bits (RFC 4226 §5.3).
    ///
    /// ```
    /// let key = otpkit_lanes::KeyedSha1::new(b"12345678901234567890");
    /// assert_eq!(key.truncated(0), 0x4c93cf18); // RFC 4226 Appendix D
    /// ```
    pub fn truncated(&self, counter: u64) -> u32 {
        let [t] = self.truncated_batch(&[counter]);
        t
    }

    /// [`truncated`](Self::truncated) for each of `counters`. When accelerated, a
    /// batch of up to [`LANES`] is one kernel call with the HMACs' instructions
    /// interleaved; longer batches are split into such calls. The time taken
    /// depends only on `N`.
    pub fn truncated_batch<const N: usize>(&self, counters: &[u64; N]) -> [u32; N] {
        #[cfg(target_arch = "x86_64")]
        if let Some(token) = self.sha_ni {
            // A compile-time choice: small batches go to the kernel whole.
            if N <= LANES {
                return token.sha1(&self.inner, &self.outer, counters);
            }
            return batched(counters, |chunk| {
                dispatch!(token, sha1, &self.inner, &self.outer, chunk)
            });
        }
        counters.map(|counter| {
            let tag = portable::sha1_tag(&self.inner, &self.outer, counter);
            dynamic_truncation(&tag, tag[4])
        })
    }
}

impl Drop for KeyedSha1 {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

impl zeroize::ZeroizeOnDrop for KeyedSha1 {}

impl fmt::Debug for KeyedSha1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyedSha1")
            .field("accelerated", &self.sha_ni.is_some())
            .finish_non_exhaustive()
    }
}

/// HMAC-SHA256 with the key absorbed, ready for counters.
///
/// `Debug` shows only which path it uses, never key material; the states are wiped
/// on drop.
#[derive(Clone)]
pub struct KeyedSha256 {
    inner: [u32; 8],
    outer: [u32; 8],
    sha_ni: Option<ShaNi>,
}

impl KeyedSha256 {
    /// Absorb `key` (any length; longer than 64 bytes is hashed first, RFC 2104),
    /// using the SHA-NI kernel if this CPU has it.
    pub fn new(key: &[u8]) -> Self {
        let (inner, outer) = portable::sha256_key(key);
        KeyedSha256 {
            inner,
            outer,
            sha_ni: ShaNi::detect(),
        }
    }

    /// Like [`new`](Self::new) but always on the portable RustCrypto path: for
    /// differential tests and benchmarks.
    ///
    /// ```
    /// use otpkit_lanes::KeyedSha256;
    /// let key = b"12345678901234567890123456789012";
    /// let portable = KeyedSha256::new_portable(key);
    /// assert!(!portable.is_accelerated());
    /// assert_eq!(portable.truncated_batch(&[7, 8]), KeyedSha256::new(key).truncated_batch(&[7, 8]));
    /// ```
    pub fn new_portable(key: &[u8]) -> Self {
        let (inner, outer) = portable::sha256_key(key);
        KeyedSha256 {
            inner,
            outer,
            sha_ni: None,
        }
    }

    /// Whether this key runs on the SHA-NI kernel.
    pub fn is_accelerated(&self) -> bool {
        self.sha_ni.is_some()
    }

    /// HMAC-SHA256(K, `counter` as 8 big-endian bytes), dynamically truncated to 31
    /// bits (RFC 4226 §5.3).
    ///
    /// ```
    /// // RFC 6238 Appendix B, SHA-256, T = 1 (time 59): code 46119246.
    /// let key = otpkit_lanes::KeyedSha256::new(b"12345678901234567890123456789012");
    /// assert_eq!(key.truncated(1) % 100_000_000, 46119246);
    /// ```
    pub fn truncated(&self, counter: u64) -> u32 {
        let [t] = self.truncated_batch(&[counter]);
        t
    }

    /// [`truncated`](Self::truncated) for each of `counters`. When accelerated, a
    /// batch of up to [`LANES`] is one kernel call with the HMACs' instructions
    /// interleaved; longer batches are split into such calls. The time taken
    /// depends only on `N`.
    pub fn truncated_batch<const N: usize>(&self, counters: &[u64; N]) -> [u32; N] {
        #[cfg(target_arch = "x86_64")]
        if let Some(token) = self.sha_ni {
            // A compile-time choice: small batches go to the kernel whole.
            if N <= LANES {
                return token.sha256(&self.inner, &self.outer, counters);
            }
            return batched(counters, |chunk| {
                dispatch!(token, sha256, &self.inner, &self.outer, chunk)
            });
        }
        counters.map(|counter| {
            let [a, b, c, d, e, _, _, h] = portable::sha256_tag(&self.inner, &self.outer, counter);
            dynamic_truncation(&[a, b, c, d, e], h)
        })
    }
}

impl Drop for KeyedSha256 {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

impl zeroize::ZeroizeOnDrop for KeyedSha256 {}

impl fmt::Debug for KeyedSha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyedSha256")
            .field("accelerated", &self.sha_ni.is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::format;

    #[test]
    fn truncation_matches_the_rfc_example() {
        // RFC 4226 §5.4: tag 1f8698690e02ca16618550ef7f19da8e945b555a -> 0x50ef7f19.
        let words = [0x1f869869, 0x0e02ca16, 0x618550ef, 0x7f19da8e, 0x945b555a];
        assert_eq!(dynamic_truncation(&words, words[4]), 0x50ef7f19);
    }

    #[test]
    fn truncation_at_every_offset() {
        let bytes: [u8; 20] = core::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ 0xa5);
        let mut words = [0u32; 5];
        for (w, chunk) in words.iter_mut().zip(bytes.chunks(4)) {
            *w = u32::from_be_bytes(chunk.try_into().unwrap());
        }
        for offset in 0..16u32 {
            let last = (words[4] & !0xf) | offset;
            let mut tag = words;
            tag[4] = last;
            let mut b = [0u8; 20];
            for (chunk, w) in b.chunks_mut(4).zip(tag) {
                chunk.copy_from_slice(&w.to_be_bytes());
            }
            let o = offset as usize;
            let expected = u32::from_be_bytes(b[o..o + 4].try_into().unwrap()) & 0x7fff_ffff;
            assert_eq!(dynamic_truncation(&tag, last), expected, "offset {offset}");
        }
    }

    #[test]
    fn debug_shows_no_key_material() {
        let key = KeyedSha1::new_portable(&[0xAB; 20]);
        let shown = format!("{key:?}");
        assert_eq!(shown, "KeyedSha1 { accelerated: false, .. }");
    }
}
