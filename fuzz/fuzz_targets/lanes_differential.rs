//! Differential: the `otpkit-lanes` SHA-NI kernel and its portable path against
//! RustCrypto's `hmac`, for HMAC-SHA1 and HMAC-SHA256 of 8-byte counters.
//!
//! The kernel is the one place otpkit hashes without RustCrypto (multi-lane SHA-NI
//! has no crate), so every batch size and every lane is checked against a fresh
//! `Hmac::new_from_slice` per counter with RFC 4226 §5.3 truncation done as the RFC
//! writes it. On CPUs without SHA-NI both variants run the portable path.
#![no_main]

use hmac::{Hmac, KeyInit, Mac};
use libfuzzer_sys::fuzz_target;
use otpkit_lanes::{KeyedSha1, KeyedSha256};
use sha1::Sha1;
use sha2::Sha256;

fn truncate(tag: &[u8]) -> u32 {
    let offset = usize::from(tag[tag.len() - 1] & 0x0f);
    u32::from_be_bytes(tag[offset..offset + 4].try_into().unwrap()) & 0x7fff_ffff
}

fn reference<M: Mac + KeyInit>(key: &[u8], counter: u64) -> u32 {
    let mut mac = <M as KeyInit>::new_from_slice(key).unwrap();
    mac.update(&counter.to_be_bytes());
    truncate(&mac.finalize().into_bytes())
}

/// Check a batch of `N` counters (cycled from `counters`) on both algorithms and
/// both paths, batch against single, everything against the reference.
fn check<const N: usize>(key: &[u8], counters: &[u64]) {
    let batch: [u64; N] = core::array::from_fn(|i| counters[i % counters.len()]);
    for sha1 in [KeyedSha1::new(key), KeyedSha1::new_portable(key)] {
        let got = sha1.truncated_batch(&batch);
        for (value, counter) in got.iter().zip(batch) {
            assert_eq!(
                *value,
                reference::<Hmac<Sha1>>(key, counter),
                "SHA-1 {counter}"
            );
            assert_eq!(*value, sha1.truncated(counter));
        }
    }
    for sha256 in [KeyedSha256::new(key), KeyedSha256::new_portable(key)] {
        let got = sha256.truncated_batch(&batch);
        for (value, counter) in got.iter().zip(batch) {
            assert_eq!(
                *value,
                reference::<Hmac<Sha256>>(key, counter),
                "SHA-256 {counter}"
            );
            assert_eq!(*value, sha256.truncated(counter));
        }
    }
}

// Layout: byte 0 picks the batch size (1..=9), then that many 8-byte big-endian
// counters (missing bytes read as zero), and the rest is the key (any length,
// including empty and longer than a block).
fuzz_target!(|data: &[u8]| {
    let Some((&size, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(size % 9) + 1;
    let mut counters = [0u64; 9];
    let mut rest = rest;
    for counter in counters.iter_mut().take(n) {
        let mut bytes = [0u8; 8];
        let take = rest.len().min(8);
        bytes[..take].copy_from_slice(&rest[..take]);
        rest = &rest[take..];
        *counter = u64::from_be_bytes(bytes);
    }
    let key = rest;
    let counters = &counters[..n];
    match n {
        1 => check::<1>(key, counters),
        2 => check::<2>(key, counters),
        3 => check::<3>(key, counters),
        4 => check::<4>(key, counters),
        5 => check::<5>(key, counters),
        6 => check::<6>(key, counters),
        7 => check::<7>(key, counters),
        8 => check::<8>(key, counters),
        _ => check::<9>(key, counters),
    }
});
