//! Verifier state strings: any text, never a panic, and a decoded state re-encodes to
//! the identical string.
//!
//! Random text almost never carries a valid SHA-256 checksum, so the input is read in
//! one of three ways (first byte mod 3):
//! - 0: the rest is the whole string, decoded as is;
//! - 1: the rest is the body after `otpk1.`; the target appends the checksum the
//!   format defines (first 6 bytes of SHA-256 of everything before it, lowercase
//!   hex), so the field parsers are reached;
//! - 2: the rest gives the fields for `DeviceState::from_parts` (kind, position,
//!   drift, failures, locked-until).
//!
//! Properties asserted: decode never panics; `decode(s) == Ok(x)` implies
//! `x.encode() == s` and `x.to_string() == s`; every state encodes to at most
//! `MAX_ENCODED_LEN` bytes and decodes back to itself; any one-character change to a
//! valid string is rejected; error messages never repeat the input's fields.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otpkit::verifier::{DeviceKind, DeviceState, MAX_ENCODED_LEN, StateError};
use sha2::{Digest, Sha256};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 3 {
        0 => {
            if let Ok(text) = core::str::from_utf8(rest) {
                check_text(text);
            }
        }
        1 => {
            if let Ok(body) = core::str::from_utf8(rest) {
                let body = format!("otpk1.{body}");
                let digest = Sha256::digest(body.as_bytes());
                let sum: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
                check_text(&format!("{body}.{sum}"));
            }
        }
        _ => {
            let mut fields = [0u8; 29];
            let n = rest.len().min(fields.len());
            fields[..n].copy_from_slice(&rest[..n]);
            let kind = if fields[0] % 2 == 0 {
                DeviceKind::Totp
            } else {
                DeviceKind::Hotp
            };
            let position = u64::from_be_bytes(fields[1..9].try_into().unwrap());
            let drift = i64::from_be_bytes(fields[9..17].try_into().unwrap());
            let failures = u32::from_be_bytes(fields[17..21].try_into().unwrap());
            let locked_until = u64::from_be_bytes(fields[21..29].try_into().unwrap());
            let state = DeviceState::from_parts(kind, position, drift, failures, locked_until);
            let text = state.encode();
            assert!(text.len() <= MAX_ENCODED_LEN, "{} bytes", text.len());
            assert_eq!(text, state.to_string());
            assert_eq!(DeviceState::decode(&text), Ok(state));
            check_text(&text);
            check_mutations(&text, rest);
        }
    }
});

fn check_text(text: &str) {
    match DeviceState::decode(text) {
        Ok(state) => {
            assert_eq!(state.encode(), text, "decoded state re-encodes differently");
            assert_eq!(state.to_string(), text);
            assert_eq!(text.parse::<DeviceState>(), Ok(state));
        }
        Err(e) => {
            assert_eq!(text.parse::<DeviceState>(), Err(e));
            // No message repeats the input: apart from `TooLong`'s length, messages
            // carry no digits at all, so no field of the input can come back in one.
            if !matches!(e, StateError::TooLong { .. }) {
                let message = format!("{e} {e:?}");
                assert!(
                    !message.bytes().any(|b| b.is_ascii_digit()),
                    "message carries a number: {message}"
                );
            }
        }
    }
}

/// Flips, deletes and inserts one character of a valid string at positions the fuzzer
/// picks; each must be rejected (a checksum collision would need 2^-48 luck).
fn check_mutations(text: &str, choices: &[u8]) {
    let bytes = text.as_bytes();
    for &pick in choices.iter().take(4) {
        let at = usize::from(pick) % bytes.len();
        let mut flipped = bytes.to_vec();
        flipped[at] = if flipped[at] == b'1' { b'2' } else { b'1' };
        let mut deleted = bytes.to_vec();
        deleted.remove(at);
        let mut inserted = bytes.to_vec();
        inserted.insert(at, b'0');
        for changed in [flipped, deleted, inserted] {
            let changed = String::from_utf8(changed).expect("ASCII");
            assert!(
                DeviceState::decode(&changed).is_err(),
                "a changed state string {changed:?} (from {text:?}) was accepted"
            );
        }
    }
}
