//! The keyed HMAC state: the secret processed once, reused for every code.
//!
//! HMAC(K, m) = H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)). The two padded-key blocks do not
//! depend on the message, so we hash them once when a generator is built and keep
//! the two partial hash states. Each code then clones those states and costs two
//! compressions (the 8-byte counter and the inner digest each fit one block) instead
//! of four. The kept states are as sensitive as the secret: they are wiped on drop
//! (the hash crates' `zeroize` feature) and never printed.
//!
//! With the `lanes` feature (default) SHA-1 and SHA-256 keys live in
//! `otpkit-lanes`, which computes a window's candidates with interleaved SHA-NI
//! instructions on x86-64 CPUs that have them and with RustCrypto's compression
//! functions elsewhere; without it they use RustCrypto's `hmac`. SHA-512 keys always
//! live in `otpkit-lanes` (no `unsafe` on that path): its keyed states are plain
//! words and each code is two calls of RustCrypto's compression function, without
//! an `Hmac` object cloned and finalised per code, which costs a measurable part of
//! a SHA-512 HMAC (docs/benchmarks.md, "Floor").

#[cfg(not(feature = "lanes"))]
use hmac::{Hmac, KeyInit, Mac};
#[cfg(not(feature = "lanes"))]
use sha1::Sha1;
#[cfg(not(feature = "lanes"))]
use sha2::Sha256;

#[cfg(not(feature = "lanes"))]
use crate::truncate;
use crate::{Algorithm, Secret};

/// How many candidates [`KeyedHmac::truncated_batch`] computes at once at most.
#[cfg(feature = "lanes")]
pub(crate) const BATCH: usize = otpkit_lanes::LANES;
/// How many candidates [`KeyedHmac::truncated_batch`] computes at once at most.
#[cfg(not(feature = "lanes"))]
pub(crate) const BATCH: usize = 4;

#[cfg(feature = "lanes")]
type Sha1Key = otpkit_lanes::KeyedSha1;
#[cfg(not(feature = "lanes"))]
type Sha1Key = Hmac<Sha1>;
#[cfg(feature = "lanes")]
type Sha256Key = otpkit_lanes::KeyedSha256;
#[cfg(not(feature = "lanes"))]
type Sha256Key = Hmac<Sha256>;

/// HMAC with the key already absorbed, for one of the three algorithms.
// One value per generator, and `no_std` without an allocator cannot box the
// SHA-512 state: the size difference is accepted.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub(crate) enum KeyedHmac {
    Sha1(Sha1Key),
    Sha256(Sha256Key),
    Sha512(otpkit_lanes::KeyedSha512),
}

impl KeyedHmac {
    /// Absorb `secret` into the inner and outer HMAC states.
    pub(crate) fn new(algorithm: Algorithm, secret: &Secret) -> Self {
        let key = secret.as_bytes();
        match algorithm {
            #[cfg(feature = "lanes")]
            Algorithm::Sha1 => KeyedHmac::Sha1(otpkit_lanes::KeyedSha1::new(key)),
            #[cfg(feature = "lanes")]
            Algorithm::Sha256 => KeyedHmac::Sha256(otpkit_lanes::KeyedSha256::new(key)),
            #[cfg(not(feature = "lanes"))]
            Algorithm::Sha1 => KeyedHmac::Sha1(keyed(key)),
            #[cfg(not(feature = "lanes"))]
            Algorithm::Sha256 => KeyedHmac::Sha256(keyed(key)),
            Algorithm::Sha512 => KeyedHmac::Sha512(otpkit_lanes::KeyedSha512::new(key)),
        }
    }

    /// HMAC(K, counter as 8 big-endian bytes), dynamically truncated to 31 bits
    /// (RFC 4226 §5.3). One candidate: with `lanes`, a single-lane kernel call.
    pub(crate) fn truncated(&self, counter: u64) -> u32 {
        match self {
            #[cfg(feature = "lanes")]
            KeyedHmac::Sha1(key) => key.truncated(counter),
            #[cfg(feature = "lanes")]
            KeyedHmac::Sha256(key) => key.truncated(counter),
            #[cfg(not(feature = "lanes"))]
            KeyedHmac::Sha1(mac) => tag_truncated(mac, counter),
            #[cfg(not(feature = "lanes"))]
            KeyedHmac::Sha256(mac) => tag_truncated(mac, counter),
            KeyedHmac::Sha512(key) => key.truncated(counter),
        }
    }
}

/// A keyed state that computes a batch of candidates: [`KeyedHmac`] and each
/// algorithm's own key type. The scan of `verify` picks the algorithm once, before
/// its loop, and runs a loop compiled for that key type alone.
pub(crate) trait Candidates {
    /// [`KeyedHmac::truncated`] for each of `counters` (at most [`BATCH`] of them),
    /// computed together where the algorithm and CPU allow. Every counter is
    /// computed: the time depends only on `N`.
    fn truncated_batch<const N: usize>(&self, counters: &[u64; N]) -> [u32; N];
}

impl Candidates for KeyedHmac {
    fn truncated_batch<const N: usize>(&self, counters: &[u64; N]) -> [u32; N] {
        match self {
            #[cfg(feature = "lanes")]
            KeyedHmac::Sha1(key) => key.truncated_batch(counters),
            #[cfg(feature = "lanes")]
            KeyedHmac::Sha256(key) => key.truncated_batch(counters),
            #[cfg(not(feature = "lanes"))]
            KeyedHmac::Sha1(_) | KeyedHmac::Sha256(_) => {
                counters.map(|counter| self.truncated(counter))
            }
            KeyedHmac::Sha512(key) => key.truncated_batch(counters),
        }
    }
}

#[cfg(feature = "lanes")]
impl Candidates for otpkit_lanes::KeyedSha1 {
    fn truncated_batch<const N: usize>(&self, counters: &[u64; N]) -> [u32; N] {
        otpkit_lanes::KeyedSha1::truncated_batch(self, counters)
    }
}

#[cfg(feature = "lanes")]
impl Candidates for otpkit_lanes::KeyedSha256 {
    fn truncated_batch<const N: usize>(&self, counters: &[u64; N]) -> [u32; N] {
        otpkit_lanes::KeyedSha256::truncated_batch(self, counters)
    }
}

#[cfg(not(feature = "lanes"))]
impl Candidates for Hmac<Sha1> {
    fn truncated_batch<const N: usize>(&self, counters: &[u64; N]) -> [u32; N] {
        counters.map(|counter| tag_truncated(self, counter))
    }
}

#[cfg(not(feature = "lanes"))]
impl Candidates for Hmac<Sha256> {
    fn truncated_batch<const N: usize>(&self, counters: &[u64; N]) -> [u32; N] {
        counters.map(|counter| tag_truncated(self, counter))
    }
}

impl Candidates for otpkit_lanes::KeyedSha512 {
    fn truncated_batch<const N: usize>(&self, counters: &[u64; N]) -> [u32; N] {
        otpkit_lanes::KeyedSha512::truncated_batch(self, counters)
    }
}

#[cfg(not(feature = "lanes"))]
fn keyed<M: KeyInit>(key: &[u8]) -> M {
    // HMAC is defined for keys of every length (RFC 2104 §2: longer keys are hashed,
    // shorter ones padded), and hmac's `new_from_slice` never returns an error for
    // it; `hmac::Hmac::new` relies on the same fact.
    #[allow(clippy::expect_used)]
    M::new_from_slice(key).expect("HMAC accepts keys of any length")
}

#[cfg(not(feature = "lanes"))]
fn tag_truncated<M: Mac + Clone>(keyed: &M, counter: u64) -> u32 {
    let mut mac = keyed.clone();
    mac.update(&counter.to_be_bytes());
    let tag = mac.finalize().into_bytes();
    truncate::dynamic_truncation(&tag)
}
