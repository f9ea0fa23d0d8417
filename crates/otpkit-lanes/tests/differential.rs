//! Differential tests: both paths (SHA-NI kernel where the CPU has it, portable
//! always) against RustCrypto's `hmac`, for every batch size up to two full kernel
//! calls and more; SHA-512 (one path) likewise.

use hmac::{Hmac, KeyInit, Mac};
use otpkit_lanes::{KeyedSha1, KeyedSha256, KeyedSha512, LANES};
use proptest::prelude::*;
use sha1::Sha1;
use sha2::{Sha256, Sha512};

/// The RFC 4226 §5.3 reference, on RustCrypto's tag bytes.
fn truncate(tag: &[u8]) -> u32 {
    let offset = usize::from(tag[tag.len() - 1] & 0x0f);
    u32::from_be_bytes(tag[offset..offset + 4].try_into().unwrap()) & 0x7fff_ffff
}

fn reference_sha1(key: &[u8], counter: u64) -> u32 {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(&counter.to_be_bytes());
    truncate(&mac.finalize().into_bytes())
}

fn reference_sha256(key: &[u8], counter: u64) -> u32 {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(&counter.to_be_bytes());
    truncate(&mac.finalize().into_bytes())
}

fn reference_sha512(key: &[u8], counter: u64) -> u32 {
    let mut mac = <Hmac<Sha512> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(&counter.to_be_bytes());
    truncate(&mac.finalize().into_bytes())
}

/// Both variants of a key: the detected path and the forced portable one.
fn sha1_keys(key: &[u8]) -> [KeyedSha1; 2] {
    [KeyedSha1::new(key), KeyedSha1::new_portable(key)]
}

fn sha256_keys(key: &[u8]) -> [KeyedSha256; 2] {
    [KeyedSha256::new(key), KeyedSha256::new_portable(key)]
}

/// Check a batch of size `N` (taken from the front of `counters`, cycled).
fn check_batch<const N: usize>(key: &[u8], counters: &[u64]) {
    let batch: [u64; N] = core::array::from_fn(|i| counters[i % counters.len()]);
    for keyed in sha1_keys(key) {
        let got = keyed.truncated_batch(&batch);
        assert_lanes("SHA-1", &got, &batch, keyed.is_accelerated(), |c| {
            reference_sha1(key, c)
        });
    }
    for keyed in sha256_keys(key) {
        let got = keyed.truncated_batch(&batch);
        assert_lanes("SHA-256", &got, &batch, keyed.is_accelerated(), |c| {
            reference_sha256(key, c)
        });
    }
    let got = KeyedSha512::new(key).truncated_batch(&batch);
    assert_lanes("SHA-512", &got, &batch, false, |c| reference_sha512(key, c));
}

/// Every lane of `got` is the reference value of its counter.
fn assert_lanes(
    hash: &str,
    got: &[u32],
    batch: &[u64],
    accelerated: bool,
    reference: impl Fn(u64) -> u32,
) {
    assert_eq!(got.len(), batch.len());
    for (i, (g, c)) in got.iter().zip(batch).enumerate() {
        assert_eq!(
            *g,
            reference(*c),
            "{hash} lane {i} of {}, counter {c}, accelerated {accelerated}",
            batch.len()
        );
    }
}

/// Every batch size from 0 to 2·LANES + 1 (one full call, two, and ragged tails).
fn check_all_sizes(key: &[u8], counters: &[u64]) {
    assert_eq!(LANES, 4, "extend the sizes below if LANES grows");
    check_batch::<0>(key, counters);
    check_batch::<1>(key, counters);
    check_batch::<2>(key, counters);
    check_batch::<3>(key, counters);
    check_batch::<4>(key, counters);
    check_batch::<5>(key, counters);
    check_batch::<6>(key, counters);
    check_batch::<7>(key, counters);
    check_batch::<8>(key, counters);
    check_batch::<9>(key, counters);
    check_batch::<21>(key, counters);
}

#[test]
fn the_kernel_is_used_exactly_when_the_cpu_has_sha_ni() {
    let expected = {
        #[cfg(target_arch = "x86_64")]
        {
            std::arch::is_x86_feature_detected!("sha")
                && std::arch::is_x86_feature_detected!("sse4.1")
                && std::arch::is_x86_feature_detected!("ssse3")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    };
    assert_eq!(otpkit_lanes::accelerated(), expected);
    assert_eq!(KeyedSha1::new(b"k").is_accelerated(), expected);
    assert_eq!(KeyedSha256::new(b"k").is_accelerated(), expected);
    assert!(!KeyedSha1::new_portable(b"k").is_accelerated());
    assert!(!KeyedSha256::new_portable(b"k").is_accelerated());
}

#[test]
fn rfc4226_appendix_d() {
    let expected = [
        1284755224, 1094287082, 137359152, 1726969429, 1640338314, 868254676, 1918287922, 82162583,
        673399871, 645520489,
    ];
    let counters: [u64; 10] = core::array::from_fn(|i| i as u64);
    for keyed in sha1_keys(b"12345678901234567890") {
        assert_eq!(keyed.truncated_batch(&counters), expected);
        for (c, e) in counters.iter().zip(expected) {
            assert_eq!(keyed.truncated(*c), e);
        }
    }
}

#[test]
fn edge_counters_and_key_lengths() {
    let counters = [
        0,
        1,
        u64::MAX,
        u64::MAX - 1,
        1 << 32,
        (1 << 32) - 1,
        0x8000_0000_0000_0000,
    ];
    // Empty, one byte, around the 64-byte block and SHA-512's 128-byte one (hashed
    // above them) and very long.
    for len in [
        0usize, 1, 19, 20, 32, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 200, 1000,
    ] {
        let key: Vec<u8> = (0..len)
            .map(|i| (i as u8).wrapping_mul(31) ^ 0x5a)
            .collect();
        check_all_sizes(&key, &counters);
    }
}

#[test]
fn sha512_rfc6238_appendix_b() {
    // RFC 6238 Appendix B, SHA-512, 8 digits: steps of times 59 and 1111111109.
    let keyed =
        KeyedSha512::new(b"1234567890123456789012345678901234567890123456789012345678901234");
    let [a, b] = keyed.truncated_batch(&[1, 37_037_036]);
    assert_eq!([a % 100_000_000, b % 100_000_000], [90693936, 25091201]);
}

#[test]
fn lanes_are_independent() {
    // The same counter in every lane gives the same value; neighbours differ.
    let key = b"lanes do not bleed into each other";
    for keyed in sha1_keys(key) {
        let same = keyed.truncated_batch(&[42; 4]);
        assert!(same.iter().all(|v| *v == same[0]));
        assert_eq!(keyed.truncated_batch(&[41, 42, 43, 42])[3], same[0]);
    }
}

#[test]
fn clones_compute_the_same() {
    let keyed = KeyedSha256::new(b"clone me");
    let copy = keyed.clone();
    drop(keyed);
    assert_eq!(copy.truncated(5), reference_sha256(b"clone me", 5));
}

#[test]
fn debug_is_redacted() {
    let keyed = KeyedSha256::new(&[0x42; 32]);
    let shown = format!("{keyed:?}");
    assert!(shown.starts_with("KeyedSha256 { accelerated: "), "{shown}");
    assert!(!shown.contains("42") && !shown.contains("66"), "{shown}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn matches_rustcrypto_hmac(
        key in prop::collection::vec(any::<u8>(), 1..=200),
        counters in prop::collection::vec(
            prop_oneof![any::<u64>(), Just(0u64), Just(u64::MAX), 0u64..100],
            1..=9,
        ),
    ) {
        check_all_sizes(&key, &counters);
    }
}
