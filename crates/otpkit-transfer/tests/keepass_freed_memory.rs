//! Freed-memory hygiene of the KeePass reader: opening the test databases (every OTP
//! convention, KDBX 4 with gzip and ChaCha20-protected values, KDBX 3.1 with
//! Salsa20) leaves no copy of an account's key, in any form the probe knows, in the
//! heap blocks freed meanwhile (`otpkit/tests/support/freed_memory.rs`).

#[path = "../../otpkit/tests/support/freed_memory.rs"]
mod freed_memory;

use freed_memory::{assert_none_left, copies_left};
use otpkit_transfer::{Format, import};

fn data(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn opening_a_database_leaves_no_key_in_freed_memory() {
    // The fixtures' keys: the RFC 4226 key (TimeOtp, HmacOtp, KeeOtp's hex, and
    // Base32 GEZDGNBV… twice), `JBSWY3DPEHPK3PXP` and `STEAMSECRETSTEAM`.
    let hello = [0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x21, 0xde, 0xad, 0xbe, 0xef];
    let steam = data_encoding::BASE32_NOPAD
        .decode(b"STEAMSECRETSTEAM")
        .unwrap();
    let keys: [&[u8]; 3] = [b"12345678901234567890", &hello, &steam];
    let mut calls = Vec::new();
    for name in ["keepass_kdbx4_argon2d_aes.kdbx", "keepass_kdbx3_aes.kdbx"] {
        let file = data(name);
        let read = import(Format::KeePass, &file, Some(b"otpkit-test")).unwrap();
        assert_eq!(read.accounts.len(), 12, "{name}");
        drop(read);
        let copies = copies_left(&keys, || {
            let read = import(Format::KeePass, &file, Some(b"otpkit-test")).unwrap();
            drop(read);
        });
        calls.push((name, copies));
    }
    assert_none_left(&calls);
}
