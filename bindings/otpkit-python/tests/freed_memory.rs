//! Freed-memory hygiene of the binding's Rust side: what a key goes through in this
//! crate's Rust code (`src/keys.rs`: Base32 and URIs out, `otpauth://` and `steam://`
//! URIs in, the facade's account records read and wiped) and the facade calls the
//! Python functions make (keys from Base32 text and bytes, imports of every format,
//! exports, the migration assembler, a migration URI decoded, the portability
//! check) leave no copy of a key in freed heap memory.
//!
//! `src/keys.rs` is free of Python types and compiled into this test on its own
//! (`#[path]`), so no interpreter is needed and libpython is not linked; the
//! Python-facing functions only convert their arguments (into wiped buffers) and make
//! a Python `str` from the wiped buffers these functions return, which they then drop:
//! so each output is dropped under the probe here too. The probe is the
//! global allocator of `crates/otpkit/tests/support/freed_memory.rs` (which scans every
//! block freed on the calling thread, and says why that is sound). Run in release too
//! (`cargo test -p otpkit-python --release --test freed_memory`).

#![allow(dead_code)]

#[path = "../../../crates/otpkit/tests/support/freed_memory.rs"]
mod freed_memory;
#[path = "../src/keys.rs"]
mod keys;

use freed_memory::{Copies, assert_none_left, copies_left};
use otpkit::otpauth::{Account, Kind};
use otpkit::{Algorithm, Digits, Secret};
use otpkit_facade::assembler::MigrationAssembler;
use otpkit_facade::records::AccountKind;
use otpkit_facade::{accounts as fa_accounts, args as fa, transfer};
use otpkit_transfer::export;

/// `n` random 20-byte keys from the operating system's RNG, made before any probe
/// is armed.
fn keys(n: usize) -> Vec<[u8; 20]> {
    (0..n)
        .map(|_| {
            let secret = Secret::generate_len(20).unwrap();
            let mut key = [0u8; 20];
            key.copy_from_slice(secret.as_bytes());
            key
        })
        .collect()
}

fn slices(keys: &[[u8; 20]]) -> Vec<&[u8]> {
    keys.iter().map(|k| k.as_slice()).collect()
}

/// Runs `call` under the probe, and drops its output there too: the Python-facing
/// functions free what these return once they made a Python `str` or object of it,
/// so a returned key must be in a buffer wiped on drop.
fn measured<T>(keys: &[&[u8]], call: impl FnOnce() -> T) -> Copies {
    copies_left(keys, || drop(call()))
}

/// Nine accounts of every kind.
fn accounts(keys: &[[u8; 20]]) -> Vec<Account> {
    keys.iter()
        .enumerate()
        .map(|(i, key)| Account {
            issuer: Some(["Example", "Bank", "Mail"][i % 3].to_owned()),
            name: format!("user{i}"),
            secret: Secret::from_bytes(key).unwrap(),
            algorithm: [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512][i % 3],
            digits: [Digits::SIX, Digits::EIGHT][i % 2],
            kind: if i % 3 == 1 {
                Kind::Hotp { counter: 3 }
            } else {
                Kind::Totp {
                    period: otpkit::Period::DEFAULT,
                }
            },
            pin: None,
            extra: Vec::new(),
        })
        .collect()
}

/// A stand-in of the Python `Account` (`src/account.rs`), of its shape: larger than
/// the core account, so a vector of them is a new buffer, not the old one reused.
struct PyAccount(Account, AccountKind, Vec<String>);

fn py_account(account: Account) -> PyAccount {
    let kind = AccountKind::of(account.kind);
    PyAccount(account, kind, Vec::new())
}

#[test]
fn keys_leave_no_copy() {
    let all = keys(9);
    let key = all[0];
    let k = [key.as_slice()];
    let secret = Secret::from_bytes(&key).unwrap();
    let text = secret.base32().to_string();
    let grouped = secret.base32_grouped().to_string().to_lowercase();
    let accounts = accounts(&all);
    let uris: Vec<String> = accounts.iter().map(Account::to_uri).collect();
    let steam = format!("steam://{text}");
    let params = (Algorithm::Sha1, Digits::SIX, Kind::Hotp { counter: 0 });
    assert_none_left(&[
        (
            "args::secret_base32",
            measured(&k, || fa::secret_base32(&text, true).unwrap()),
        ),
        (
            "args::secret_base32 (grouped, lowercase)",
            measured(&k, || fa::secret_base32(&grouped, true).unwrap()),
        ),
        (
            "args::secret_bytes",
            measured(&k, || fa::secret_bytes(&key, true).unwrap()),
        ),
        ("base32", measured(&k, || keys::base32(&secret))),
        (
            "base32_grouped",
            measured(&k, || keys::base32_grouped(&secret)),
        ),
        (
            "generator_uri",
            measured(&k, || {
                keys::generator_uri(&secret, params, "alice", Some("ACME"))
            }),
        ),
        ("uri", measured(&k, || keys::uri(&accounts[0]))),
        (
            "parse_uri (otpauth)",
            measured(&slices(&all), || {
                uris.iter()
                    .map(|u| keys::parse_uri(u).unwrap())
                    .collect::<Vec<_>>()
            }),
        ),
        (
            "parse_uri (steam)",
            measured(&k, || keys::parse_uri(&steam).unwrap()),
        ),
    ]);
    // A random key cannot be looked for before it exists: the text of one is kept
    // (outside the probe) and read back, and its buffer is checked as it is dropped.
    let mut random = None;
    let _ = copies_left(&[], || random = Some(keys::random_base32(20).unwrap()));
    let random = random.unwrap();
    let key = Secret::from_base32(&random).unwrap();
    let copies = copies_left(&[key.as_bytes()], || drop(random));
    assert_eq!(copies.count, 0, "random_base32's text: {copies}");
}

/// The facade's import and export calls the Python functions make, and the hand-over
/// of their account records (`keys::take_accounts`, `keys::Wiped`) and of the core
/// accounts (`keys::each_account`, here into a stand-in of the Python `Account`).
#[test]
fn imports_and_exports_leave_no_copy() {
    let all = keys(9);
    let k = slices(&all);
    let accounts = accounts(&all);
    let list = export::otpauth_list(&accounts).output;
    let vault = export::aegis(&accounts, None).unwrap().output;
    let sealed = export::aegis(&accounts, Some(b"pw-probe")).unwrap().output;
    let qr = export::google_migration(&accounts).unwrap().output;
    let qr_text = qr.iter().map(|u| u.as_str()).collect::<Vec<_>>().join("\n");
    let read = |format, data: &str, password: Option<&[u8]>| {
        measured(&k, || {
            let budget = fa::kdf_budget(None, None);
            let record = transfer::import_accounts(format, data.as_bytes(), password, budget);
            let (read, _) = keys::take_accounts(record.unwrap()).unwrap();
            assert_eq!(read.len(), 9);
            keys::each_account(&read, py_account)
        })
    };
    assert_none_left(&[
        ("import (otpauth-list)", read("otpauth-list", &list, None)),
        (
            "import (google-migration)",
            read("google-migration", &qr_text, None),
        ),
        ("import (aegis)", read("aegis", &vault, None)),
        (
            "import (aegis, encrypted)",
            read("aegis", &sealed, Some(b"pw-probe")),
        ),
        (
            "MigrationAssembler",
            measured(&k, || {
                let mut assembler = MigrationAssembler::new();
                for uri in &qr {
                    assembler.add(uri).unwrap();
                }
                let (read, _) = keys::take_accounts(assembler.finish()).unwrap();
                keys::each_account(&read, py_account)
            }),
        ),
        (
            "decode_migration",
            measured(&k, || {
                let batch = fa_accounts::decode_migration(&qr[0]).unwrap();
                let records = batch.entries.into_iter().map(Result::unwrap).collect();
                let read = keys::Wiped(records).core().unwrap();
                keys::each_account(&read, py_account)
            }),
        ),
        (
            "export (otpauth-list)",
            measured(&k, || {
                keys::export("otpauth-list", &accounts, None).unwrap()
            }),
        ),
        (
            "export (google-migration)",
            measured(&k, || {
                keys::export("google-migration", &accounts, None).unwrap()
            }),
        ),
        (
            "export (aegis)",
            measured(&k, || keys::export("aegis", &accounts, None).unwrap()),
        ),
        (
            "portability",
            measured(&k, || {
                otpkit_facade::portability::check_core_account(&accounts[0])
            }),
        ),
    ]);
}

/// `import_pskc`: the facade's key records, their accounts read and wiped
/// (`keys::Wiped`), as the Python function hands them over.
#[test]
fn a_pskc_import_leaves_no_copy() {
    let key: &[u8] = b"12345678901234567890";
    let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">
  <KeyPackage>
    <Key Id="1" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
      <Data><Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret></Data>
    </Key>
  </KeyPackage>
</KeyContainer>"#;
    assert_none_left(&[(
        "import_pskc",
        measured(&[key], || {
            let budget = fa::kdf_budget(None, None);
            let mut read = transfer::import_pskc(xml, None, None, false, budget).unwrap();
            let record = read[0].account.take().unwrap();
            let read = keys::Wiped(vec![record]).core().unwrap();
            py_account(read.first().cloned().unwrap())
        }),
    )]);
}

#[test]
fn the_probe_sees_accounts_moved_out_of_their_vector() {
    // Guards the guard: handing the accounts over by moving them out of the import's
    // vector (as `into_iter` does) leaves their keys in its freed buffer.
    let all = keys(9);
    let accounts = accounts(&all);
    let copies = measured(&slices(&all), || {
        let mut moved = Vec::new();
        for account in accounts {
            moved.push(Box::new(account));
        }
        moved
    });
    assert!(copies.count >= 9, "{copies}");
}
