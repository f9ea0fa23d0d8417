//! Freed-memory hygiene of the binding's Rust side: every exported call that takes or
//! returns a secret (a `Secret` from bytes or Base32, `otpauth://`, `steam://` and
//! migration URIs, imports of every format, exports, PSKC) leaves no copy of a key in
//! freed heap memory. The calls are made from Rust, as the generated scaffolding makes
//! them, under the global allocator of `crates/otpkit/tests/support/freed_memory.rs`
//! (which scans every block freed on the calling thread, and says why that is sound).
//!
//! What a call takes by value is its own to drop (an input URI is freed by the call),
//! so inputs are made before the probe is armed and handed over inside it; what a call
//! returns is the caller's, so outputs that hold a key (`bytes`, `base32`, URIs, file
//! texts) are dropped after the probe is disarmed. Run in release too
//! (`cargo test -p otpkit-uniffi --release --test freed_memory`).

#[path = "../../../crates/otpkit/tests/support/freed_memory.rs"]
mod freed_memory;

use std::sync::Arc;

use freed_memory::{Copies, assert_none_left, copies_left};
use otpkit_ffi::{
    Account, Hotp, MigrationAssembler, Secret, SteamGuard, Totp, decode_migration,
    encode_migration, export_accounts, import_accounts, import_pskc, parse_otpauth_uri,
    parse_steam_uri,
};

/// `n` pseudo-random 20-byte keys (SplitMix64 from `seed`).
fn keys(seed: u64, n: usize) -> Vec<[u8; 20]> {
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) as u8
    };
    (0..n).map(|_| std::array::from_fn(|_| next())).collect()
}

fn base32(key: &[u8]) -> String {
    otpkit::Secret::from_bytes(key)
        .unwrap()
        .base32()
        .to_string()
}

/// Runs `call` under the probe; its output is dropped after the probe is disarmed.
fn measured<T>(keys: &[&[u8]], call: impl FnOnce() -> T) -> Copies {
    let mut output = None;
    let copies = copies_left(keys, || output = Some(call()));
    drop(output);
    copies
}

/// Nine accounts of every kind, as `otpauth://` URIs with their keys.
fn uris(seed: u64) -> (Vec<[u8; 20]>, Vec<String>) {
    let keys = keys(seed, 9);
    let uris = keys
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let secret = base32(key);
            match i % 3 {
                0 => format!("otpauth://totp/Example:user{i}?secret={secret}&issuer=Example"),
                1 => format!(
                    "otpauth://hotp/Bank:user{i}?secret={}&issuer=Bank&counter=7&digits=8",
                    secret.to_lowercase()
                ),
                _ => format!("otpauth://totp/Mail:user{i}?secret={secret}&algorithm=SHA256"),
            }
        })
        .collect();
    (keys, uris)
}

fn accounts(uris: &[String]) -> Vec<Account> {
    uris.iter()
        .map(|u| parse_otpauth_uri(u.clone()).unwrap().account)
        .collect()
}

fn slices(keys: &[[u8; 20]]) -> Vec<&[u8]> {
    keys.iter().map(|k| k.as_slice()).collect()
}

#[test]
fn secrets_leave_no_copy() {
    let key = keys(1, 1)[0];
    let keys = [key.as_slice()];
    let text = base32(&key);
    let grouped = otpkit::Secret::from_bytes(&key)
        .unwrap()
        .base32_grouped()
        .to_string()
        .to_lowercase();
    let secret = Secret::from_bytes(key.to_vec(), false).unwrap();
    let (t1, t2, b) = (text.clone(), grouped.clone(), key.to_vec());
    assert_none_left(&[
        (
            "Secret::from_base32",
            measured(&keys, || Secret::from_base32(t1, false).unwrap()),
        ),
        (
            "Secret::from_base32 (grouped, lowercase)",
            measured(&keys, || Secret::from_base32(t2, false).unwrap()),
        ),
        (
            "Secret::from_bytes",
            measured(&keys, || Secret::from_bytes(b, false).unwrap()),
        ),
        ("Secret::bytes", measured(&keys, || secret.bytes())),
        ("Secret::base32", measured(&keys, || secret.base32())),
        (
            "Secret::base32_grouped",
            measured(&keys, || secret.base32_grouped()),
        ),
        (
            "Totp, Hotp, SteamGuard",
            measured(&keys, || {
                let totp = Totp::new(secret.clone(), None, None, None, None).unwrap();
                let hotp = Hotp::new(secret.clone(), None, Some(8)).unwrap();
                let steam = SteamGuard::new(secret.clone());
                (
                    totp.code_at(59).unwrap(),
                    hotp.code(1),
                    steam.code_at(59).unwrap(),
                )
            }),
        ),
        (
            "dropping the last Secret",
            measured(&keys, || {
                assert_eq!(Arc::strong_count(&secret), 1);
                drop(secret)
            }),
        ),
    ]);
}

#[test]
fn uris_leave_no_copy() {
    let (keys, uris) = uris(2);
    let keys = slices(&keys);
    let accounts = accounts(&uris);
    let inputs: Vec<String> = uris.clone();
    let steam = format!("steam://{}", base32(keys[0]));
    let migration = encode_migration(accounts.clone(), None).unwrap();
    let (a, b) = (accounts.clone(), migration[0].clone());
    let account = accounts[1].clone();
    assert_none_left(&[
        (
            "parse_otpauth_uri",
            measured(&keys, || {
                inputs
                    .into_iter()
                    .map(|u| parse_otpauth_uri(u).unwrap())
                    .collect::<Vec<_>>()
            }),
        ),
        (
            "parse_steam_uri",
            measured(&keys, || parse_steam_uri(steam).unwrap()),
        ),
        (
            "Account::to_uri",
            measured(&keys, || account.to_uri().unwrap()),
        ),
        (
            "Account::totp, hotp, steam, label",
            measured(&keys, || {
                (
                    account.totp().unwrap(),
                    account.hotp().unwrap(),
                    account.steam().unwrap(),
                    account.label(),
                )
            }),
        ),
        (
            "encode_migration",
            measured(&keys, || encode_migration(a, None).unwrap()),
        ),
        (
            "decode_migration",
            measured(&keys, || decode_migration(b).unwrap()),
        ),
        (
            "check_portability",
            measured(&keys, || {
                otpkit_ffi::check_portability(account.clone()).unwrap()
            }),
        ),
        (
            "check_portability_uri",
            measured(&keys, || {
                otpkit_ffi::check_portability_uri(uris[2].clone()).unwrap()
            }),
        ),
    ]);
    drop(migration);
}

#[test]
fn imports_and_exports_leave_no_copy() {
    let (keys, uris) = uris(3);
    let keys = slices(&keys);
    let accounts = accounts(&uris);
    let export = |format: &str, password: Option<&str>| {
        export_accounts(format.into(), accounts.clone(), password.map(str::to_owned))
            .unwrap()
            .output
    };
    let list = export("otpauth-list", None).remove(0);
    let vault = export("aegis", None).remove(0);
    let sealed = export("aegis", Some("pw-probe")).remove(0);
    let qr = export("google-migration", None);
    let import = |format: &str, data: &String, password: Option<&str>| {
        let (format, data) = (format.to_owned(), data.clone().into_bytes());
        let password = password.map(str::to_owned);
        measured(&keys, move || {
            let read = import_accounts(format, data, password, None).unwrap();
            assert_eq!(read.accounts.len(), 9);
            read
        })
    };
    let assembler_input = qr.clone();
    let (a1, a2, a3, a4) = (
        accounts.clone(),
        accounts.clone(),
        accounts.clone(),
        accounts.clone(),
    );
    assert_none_left(&[
        (
            "import_accounts (otpauth-list)",
            import("otpauth-list", &list, None),
        ),
        (
            "import_accounts (google-migration)",
            import("google-migration", &qr.join("\n"), None),
        ),
        ("import_accounts (aegis)", import("aegis", &vault, None)),
        (
            "import_accounts (aegis, encrypted)",
            import("aegis", &sealed, Some("pw-probe")),
        ),
        (
            "MigrationAssembler",
            measured(&keys, || {
                let assembler = MigrationAssembler::new();
                for uri in assembler_input {
                    assembler.add(uri).unwrap();
                }
                assembler.finish().unwrap()
            }),
        ),
        (
            "export_accounts (otpauth-list)",
            measured(&keys, || {
                export_accounts("otpauth-list".into(), a1, None).unwrap()
            }),
        ),
        (
            "export_accounts (google-migration)",
            measured(&keys, || {
                export_accounts("google-migration".into(), a2, None).unwrap()
            }),
        ),
        (
            "export_accounts (aegis)",
            measured(&keys, || export_accounts("aegis".into(), a3, None).unwrap()),
        ),
        (
            "export_accounts (aegis, encrypted)",
            measured(&keys, || {
                export_accounts("aegis".into(), a4, Some("pw-probe".into())).unwrap()
            }),
        ),
    ]);
}

/// The committed test files of the other formats (`otpkit-transfer/tests/data`).
#[test]
fn imports_of_the_committed_files_leave_no_copy() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../crates/otpkit-transfer/tests/data");
    let mut calls = Vec::new();
    for (name, format) in [
        ("twofas_plain.2fas", "2fas"),
        ("twofas_encrypted.2fas", "2fas"),
        ("andotp_plain.json", "andotp"),
        ("andotp_encrypted.bin", "andotp"),
        ("bitwarden_plain.json", "bitwarden"),
        ("bitwarden_encrypted.json", "bitwarden"),
        ("freeotp_plus.json", "freeotp-plus"),
        ("authpro_plain.json", "authenticator-pro"),
    ] {
        let data = std::fs::read(dir.join(name)).unwrap();
        let password = Some("otpkit-test".to_owned());
        let read = import_accounts(format.into(), data.clone(), password.clone(), None).unwrap();
        let keys: Vec<Vec<u8>> = read.accounts.iter().map(|a| a.secret.bytes()).collect();
        drop(read);
        let keys: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
        let copies = measured(&keys, || {
            import_accounts(format.into(), data, password, None).unwrap()
        });
        calls.push((name, copies));
    }
    assert_none_left(&calls);
}

#[test]
fn pskc_import_leaves_no_copy() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../crates/otpkit-pskc/tests/data");
    let plain = std::fs::read_to_string(data.join("rfc6030-figure-3.xml")).unwrap();
    let sealed = std::fs::read_to_string(data.join("rfc6030-figure-6.xml")).unwrap();
    let psk = vec![
        0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90,
        0x12,
    ];
    let keys: [&[u8]; 1] = [b"12345678901234567890"];
    assert_none_left(&[
        (
            "import_pskc (keys in the clear)",
            measured(&keys, || {
                import_pskc(plain, None, None, false, None).unwrap()
            }),
        ),
        (
            "import_pskc (pre-shared key)",
            measured(&keys, || {
                import_pskc(sealed, Some(psk), None, false, None).unwrap()
            }),
        ),
    ]);
}

#[test]
fn the_probe_sees_an_unwiped_input() {
    // Guards the guard: a URI dropped as it is shows its key.
    let (keys, uris) = uris(4);
    let keys = slices(&keys);
    let copies = measured(&keys, || drop(uris));
    assert_eq!(copies.count, 9, "{copies}");
}
