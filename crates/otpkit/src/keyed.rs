//! The keyed HMAC state: the secret processed once, reused for every code.
//!
//! HMAC(K, m) = H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)). The two padded-key blocks do not
//! depend on the message, so we hash them once when a generator is built and keep
//! the two partial hash states. Each code then clones those states and costs two
//! compressions (the 8-byte counter and the inner digest each fit one block) instead
//! of four. The kept states are as sensitive as the secret: they are wiped on drop
//! (the hash crates' `zeroize` feature) and never printed.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha512};

use crate::{Algorithm, Secret, truncate};

/// HMAC with the key already absorbed, for one of the three algorithms.
#[derive(Clone)]
pub(crate) enum KeyedHmac {
    Sha1(Hmac<Sha1>),
    Sha256(Hmac<Sha256>),
    Sha512(Hmac<Sha512>),
}

impl KeyedHmac {
    /// Absorb `secret` into the inner and outer HMAC states.
    pub(crate) fn new(algorithm: Algorithm, secret: &Secret) -> Self {
        let key = secret.as_bytes();
        match algorithm {
            Algorithm::Sha1 => KeyedHmac::Sha1(keyed(key)),
            Algorithm::Sha256 => KeyedHmac::Sha256(keyed(key)),
            Algorithm::Sha512 => KeyedHmac::Sha512(keyed(key)),
        }
    }

    /// HMAC(K, counter as 8 big-endian bytes), dynamically truncated to 31 bits
    /// (RFC 4226 §5.3).
    pub(crate) fn truncated(&self, counter: u64) -> u32 {
        match self {
            KeyedHmac::Sha1(mac) => tag_truncated(mac, counter),
            KeyedHmac::Sha256(mac) => tag_truncated(mac, counter),
            KeyedHmac::Sha512(mac) => tag_truncated(mac, counter),
        }
    }
}

fn keyed<M: KeyInit>(key: &[u8]) -> M {
    // HMAC is defined for keys of every length (RFC 2104 §2: longer keys are hashed,
    // shorter ones padded), and hmac's `new_from_slice` never returns an error for
    // it; `hmac::Hmac::new` relies on the same fact.
    #[allow(clippy::expect_used)]
    M::new_from_slice(key).expect("HMAC accepts keys of any length")
}

fn tag_truncated<M: Mac + Clone>(keyed: &M, counter: u64) -> u32 {
    let mut mac = keyed.clone();
    mac.update(&counter.to_be_bytes());
    let tag = mac.finalize().into_bytes();
    truncate::dynamic_truncation(&tag)
}
