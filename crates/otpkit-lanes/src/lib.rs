#![doc = include_str!("../README.md")]
// Examples in the docs and READMEs compile without a warning.
#![doc(test(attr(deny(warnings))))]
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(unsafe_code)]

use core::fmt;

use zeroize::Zeroize;

mod portable;
pub mod truncate;
#[cfg(all(feature = "sha-ni", target_arch = "x86_64"))]
mod x86;

use truncate::dynamic_truncation;

/// The most HMACs one kernel call interleaves: the widest batch otpkit sends.
pub const LANES: usize = 4;

#[cfg(all(feature = "sha-ni", target_arch = "x86_64"))]
cpufeatures::new!(sha_ni, "sha", "sse2", "ssse3", "sse4.1");

/// Whether this CPU runs the SHA-NI kernels.
///
/// ```
/// // On x86-64 with the `sha-ni` feature this is the CPU's SHA extension;
/// // elsewhere always false.
/// let _ = otpkit_lanes::accelerated();
/// ```
pub fn accelerated() -> bool {
    #[cfg(all(feature = "sha-ni", target_arch = "x86_64"))]
    {
        sha_ni::get()
    }
    #[cfg(not(all(feature = "sha-ni", target_arch = "x86_64")))]
    {
        false
    }
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
}

/// The portable path's truncated values for a batch of counters: the tags from
/// RustCrypto's compression function, truncated by the one rule.
fn sha1_portable<const N: usize>(
    inner: &[u32; 5],
    outer: &[u32; 5],
    counters: &[u64; N],
) -> [u32; N] {
    portable::sha1_tags(inner, outer, counters).map(|tag| dynamic_truncation(&tag, tag[4]))
}

/// As [`sha1_portable`], for SHA-256 (whose last byte is in the eighth word).
fn sha256_portable<const N: usize>(
    inner: &[u32; 8],
    outer: &[u32; 8],
    counters: &[u64; N],
) -> [u32; N] {
    portable::sha256_tags(inner, outer, counters)
        .map(|[a, b, c, d, e, _, _, h]| dynamic_truncation(&[a, b, c, d, e], h))
}

/// The truncated value of a SHA-512 tag: its first five big-endian 32-bit words are
/// the upper and lower halves of its first words, and its last byte is in `h`.
fn sha512_truncated([a, b, c, _, _, _, _, h]: [u64; 8]) -> u32 {
    // Truncating casts on purpose: each 64-bit word's high and low halves.
    let words = [
        (a >> 32) as u32,
        a as u32,
        (b >> 32) as u32,
        b as u32,
        (c >> 32) as u32,
    ];
    dynamic_truncation(&words, h as u32)
}

/// One keyed-HMAC type per hash, from one definition: the struct, its constructors,
/// the batch entry point, wiping and the redacted `Debug`.
macro_rules! keyed_hmac {
    (
        $(#[$type_doc:meta])*
        $name:ident, $hash:literal, words: $words:literal,
        key: $key:path, portable: $portable:path, kernel: $kernel:ident,
        test_key: $test_key:literal,
        $(#[$truncated_doc:meta])*
    ) => {
        $(#[$type_doc])*
        ///
        /// `Debug` shows only which path it uses, never key material; the states are
        /// wiped on drop.
        #[derive(Clone)]
        pub struct $name {
            inner: [u32; $words],
            outer: [u32; $words],
            sha_ni: Option<ShaNi>,
        }

        impl $name {
            #[doc = concat!("Absorb `key` (any length; longer than 64 bytes is hashed first, RFC 2104),")]
            /// using the SHA-NI kernel if this CPU has it.
            pub fn new(key: &[u8]) -> Self {
                let (inner, outer) = $key(key);
                $name { inner, outer, sha_ni: ShaNi::detect() }
            }

            /// Like [`new`](Self::new) but always on the portable RustCrypto path: for
            /// differential tests and benchmarks.
            ///
            /// ```
            #[doc = concat!("use otpkit_lanes::", stringify!($name), ";")]
            #[doc = concat!("let key = ", $test_key, ";")]
            #[doc = concat!("let portable = ", stringify!($name), "::new_portable(key);")]
            /// assert!(!portable.is_accelerated());
            #[doc = concat!("assert_eq!(portable.truncated_batch(&[7, 8]), ", stringify!($name), "::new(key).truncated_batch(&[7, 8]));")]
            /// ```
            pub fn new_portable(key: &[u8]) -> Self {
                let (inner, outer) = $key(key);
                $name { inner, outer, sha_ni: None }
            }

            /// Whether this key runs on the SHA-NI kernel.
            pub fn is_accelerated(&self) -> bool {
                self.sha_ni.is_some()
            }

            #[doc = concat!("HMAC-", $hash, "(K, `counter` as 8 big-endian bytes), dynamically truncated to 31")]
            /// bits (RFC 4226 §5.3).
            ///
            $(#[$truncated_doc])*
            pub fn truncated(&self, counter: u64) -> u32 {
                let [t] = self.truncated_batch(&[counter]);
                t
            }

            /// [`truncated`](Self::truncated) for each of `counters`. When
            /// accelerated, a batch of up to [`LANES`] is one kernel call with the
            /// HMACs' instructions interleaved; wider batches (otpkit never sends
            /// them) take the portable path. The time taken depends only on `N`.
            pub fn truncated_batch<const N: usize>(&self, counters: &[u64; N]) -> [u32; N] {
                #[cfg(all(feature = "sha-ni", target_arch = "x86_64"))]
                // A compile-time choice on `N`, never on the data.
                if let (Some(ShaNi(())), true) = (self.sha_ni, N <= LANES) {
                    #[allow(unsafe_code)] // the crate's one `unsafe` block
                    // SAFETY: a `ShaNi` exists only once the kernel's target features
                    // were detected (README: "Safety argument"); the kernel takes no
                    // pointers, and all its arrays have sizes fixed by `N`.
                    let truncated = unsafe { x86::$kernel(&self.inner, &self.outer, counters) };
                    return truncated;
                }
                $portable(&self.inner, &self.outer, counters)
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                self.inner.zeroize();
                self.outer.zeroize();
            }
        }

        impl zeroize::ZeroizeOnDrop for $name {}

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("accelerated", &self.sha_ni.is_some())
                    .finish_non_exhaustive()
            }
        }
    };
}

keyed_hmac! {
    /// HMAC-SHA1 with the key absorbed, ready for counters.
    KeyedSha1, "SHA1", words: 5,
    key: portable::sha1_key, portable: sha1_portable, kernel: sha1_hmac,
    test_key: "b\"12345678901234567890\"",
    /// ```
    /// let key = otpkit_lanes::KeyedSha1::new(b"12345678901234567890");
    /// assert_eq!(key.truncated(0), 0x4c93cf18); // RFC 4226 Appendix D
    /// ```
}

keyed_hmac! {
    /// HMAC-SHA256 with the key absorbed, ready for counters.
    KeyedSha256, "SHA256", words: 8,
    key: portable::sha256_key, portable: sha256_portable, kernel: sha256_hmac,
    test_key: "b\"12345678901234567890123456789012\"",
    /// ```
    /// // RFC 6238 Appendix B, SHA-256, T = 1 (time 59): code 46119246.
    /// let key = otpkit_lanes::KeyedSha256::new(b"12345678901234567890123456789012");
    /// assert_eq!(key.truncated(1) % 100_000_000, 46119246);
    /// ```
}

/// HMAC-SHA512 with the key absorbed, ready for counters.
///
/// SHA-512 has no SHA-NI instructions, so every CPU takes the same path: the keyed
/// states are kept as plain words, and each candidate is two calls of RustCrypto's
/// `sha2::block_api::compress512` on message blocks built here, with no `Hmac`
/// object cloned, buffered or finalised per code. A batch runs every inner
/// compression before any outer one, so the independent ones are adjacent.
///
/// `Debug` shows no key material; the states are wiped on drop.
///
/// ```
/// // RFC 6238 Appendix B, SHA-512, T = 1 (time 59): code 90693936.
/// let key = otpkit_lanes::KeyedSha512::new(
///     b"1234567890123456789012345678901234567890123456789012345678901234",
/// );
/// assert_eq!(key.truncated(1) % 100_000_000, 90693936);
/// assert_eq!(key.truncated_batch(&[1, 2]), [key.truncated(1), key.truncated(2)]);
/// ```
#[derive(Clone)]
pub struct KeyedSha512 {
    inner: [u64; 8],
    outer: [u64; 8],
}

impl KeyedSha512 {
    /// Absorb `key` (any length; longer than 128 bytes is hashed first, RFC 2104).
    pub fn new(key: &[u8]) -> Self {
        let (inner, outer) = portable::sha512_key(key);
        KeyedSha512 { inner, outer }
    }

    /// HMAC-SHA512(K, `counter` as 8 big-endian bytes), dynamically truncated to 31
    /// bits (RFC 4226 §5.3).
    pub fn truncated(&self, counter: u64) -> u32 {
        let [t] = self.truncated_batch(&[counter]);
        t
    }

    /// [`truncated`](Self::truncated) for each of `counters`; the time taken depends
    /// only on `N`.
    pub fn truncated_batch<const N: usize>(&self, counters: &[u64; N]) -> [u32; N] {
        portable::sha512_tags(&self.inner, &self.outer, counters).map(sha512_truncated)
    }
}

impl Drop for KeyedSha512 {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

impl zeroize::ZeroizeOnDrop for KeyedSha512 {}

impl fmt::Debug for KeyedSha512 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyedSha512").finish_non_exhaustive()
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
    fn debug_shows_no_key_material() {
        let key = KeyedSha1::new_portable(&[0xAB; 20]);
        let shown = format!("{key:?}");
        assert_eq!(shown, "KeyedSha1 { accelerated: false, .. }");
        let key = KeyedSha512::new(&[0xAB; 64]);
        assert_eq!(format!("{key:?}"), "KeyedSha512 { .. }");
    }
}
