//! PSKC import (otpkit-pskc): any bytes as a key container, never a panic, bounded
//! work, no key material in any message, and no token past a MAC it did not pass.
//!
//! Byte 0 picks the options, the rest is the document:
//! - bits 0-1 the decryption: 0 (and 3) none, 1 the RFC 6030 Figure 6 pre-shared
//!   key, 2 the Figure 7 password `qwerty`;
//! - bit 2 sets `allow_unauthenticated_encryption`;
//! - bit 3 tightens the XML limits (depth 8, 4 attributes per element, 3 namespaces
//!   in scope, 40-byte namespace URIs), so that the scan's refusals are reached
//!   from small inputs.
//!
//! Small limits (64 KiB, a key-derivation budget of about 10 000 PBKDF2
//! iterations) keep every input fast.
//!
//! Properties asserted: no panic; imported secrets fit `otpkit::Secret`; error
//! messages and `Debug` output never contain the pre-shared key or password, nor an
//! imported secret's Base32; a token is flagged not integrity-protected only under
//! the opt-in, and one whose MAC was checked comes from a document with a
//! `MACMethod`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otpkit::LengthPolicy;
use otpkit_pskc::{Decryption, Options, Protection, WorkBudget, import_with};

const PSK: [u8; 16] = [
    0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12,
];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, xml)) = data.split_first() else {
        return;
    };
    let decryption = match mode & 3 {
        1 => Decryption::PreSharedKey(&PSK),
        2 => Decryption::Password(b"qwerty"),
        _ => Decryption::None,
    };
    let mut options = Options {
        max_bytes: 64 << 10,
        // About 10 000 PBKDF2-HMAC-SHA-1 iterations for a 16-byte key.
        budget: WorkBudget::new(1_250, 16 << 20),
        length_policy: LengthPolicy::AllowShort,
        allow_unauthenticated_encryption: mode & 4 != 0,
        ..Options::default()
    };
    if mode & 8 != 0 {
        options.max_depth = 8;
        options.max_attributes = 4;
        options.max_namespaces = 3;
        options.max_namespace_uri = 40;
    }
    let has_mac_method = xml.windows(9).any(|w| w == b"MACMethod");
    match import_with(xml, decryption, &options) {
        Ok(import) => {
            let debug = format!("{import:?}");
            assert!(!debug.contains("qwerty"));
            for report in &import.keys {
                match &report.result {
                    Ok(token) => {
                        assert!(!token.secret.as_bytes().is_empty());
                        let b32 = token.secret.base32().to_string();
                        if b32.len() >= 16 {
                            assert!(!debug.contains(&b32), "Debug shows a secret");
                        }
                        match token.protection {
                            Protection::NotIntegrityProtected => {
                                assert!(options.allow_unauthenticated_encryption);
                            }
                            Protection::MacChecked => assert!(has_mac_method),
                            Protection::InTheClear => {}
                        }
                        let _ = token.totp();
                        let _ = token.hotp();
                        let _ = token.device_state();
                        let _ = token.to_account();
                    }
                    Err(e) => {
                        let message = format!("{e} {e:?}");
                        assert!(!message.contains("qwerty"));
                    }
                }
            }
        }
        Err(e) => {
            let message = format!("{e} {e:?}");
            assert!(!message.contains("qwerty"));
            assert!(!message.contains("1234567890"));
        }
    }
});
