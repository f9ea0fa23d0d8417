//! Recovery-code state strings (`otpr1.…`): any text, never a panic; a decoded state
//! re-encodes to the identical string; verifying against it never panics and keeps
//! it decodable.
//!
//! Byte 0 mod 2: 0 the rest is the whole string; 1 the rest is the body after
//! `otpr1.` and the target appends the checksum the format defines (first 6 bytes of
//! SHA-256 of everything before it, lowercase hex), so the field parsers are reached.
//! Stored states may ask for up to 10 000 000 PBKDF2 iterations; states asking for
//! more than 1 000 are decoded but not verified, to keep inputs fast.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otpkit::recovery::RecoveryState;
use otpkit::verifier::Policy;
use sha2::{Digest, Sha256};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = core::str::from_utf8(rest) else {
        return;
    };
    let text = if mode % 2 == 0 {
        text.to_owned()
    } else {
        let body = format!("otpr1.{text}");
        let digest = Sha256::digest(body.as_bytes());
        let sum: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        format!("{body}.{sum}")
    };
    let Ok(state) = RecoveryState::decode(&text) else {
        return;
    };
    assert_eq!(state.encode(), text, "decoded state re-encodes differently");
    if text.split('.').nth(3).and_then(|i| i.parse::<u32>().ok()) <= Some(1_000) {
        let (_, next) = state.verify("2222-2222-2222-2222", 1_700_000_000, &Policy::default());
        assert_eq!(RecoveryState::decode(&next.encode()), Ok(next));
    }
});
