//! KeePass databases (`tests/data/keepass_*.kdbx`, built by `make_keepass_fixtures.py`
//! with its own KDBX writer on pycryptodomex, argon2-cffi and pykeepass's Twofish,
//! independently of this crate, and cross-checked by opening them with pykeepass).
//! Every OTP convention, each cipher, KDF and compression, KDBX 3.1 and 4, wrong and
//! missing passwords, damaged and truncated files, and hostile sizes.

use otpkit::otpauth::{Account, Kind};
use otpkit::{Algorithm, Digits, LengthPolicy, Period, Secret, SecretError};
use otpkit_transfer::{
    EntryError, EntryWarning, Format, Import, ImportError, ImportOptions, WorkBudget, detect,
    import, import_with,
};

const PW: &[u8] = b"otpkit-test";

fn data(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn b32(text: &str) -> Secret {
    Secret::from_base32_with(text, LengthPolicy::AllowShort).unwrap()
}

fn rfc() -> Secret {
    Secret::from_bytes(b"12345678901234567890").unwrap()
}

fn account(
    issuer: &str,
    name: &str,
    secret: Secret,
    algorithm: Algorithm,
    digits: u8,
    kind: Kind,
) -> Account {
    Account {
        issuer: Some(issuer.to_owned()),
        name: name.to_owned(),
        secret,
        algorithm,
        digits: Digits::new(digits).unwrap(),
        kind,
        extra: Vec::new(),
        pin: None,
    }
}

fn totp(period: u64) -> Kind {
    Kind::Totp {
        period: Period::new(period).unwrap(),
    }
}

fn open(name: &str) -> Import {
    import(Format::KeePass, &data(name), Some(PW)).unwrap()
}

/// The accounts of `every_convention` in `make_keepass_fixtures.py`: the plain
/// password entry, the entry's history and the recycle bin's entry are not there.
fn every_convention() -> Vec<Account> {
    let a = Algorithm::Sha1;
    vec![
        account("GitHub", "alice", b32("JBSWY3DPEHPK3PXP"), a, 6, totp(30)),
        account("Steam", "bob", b32("STEAMSECRETSTEAM"), a, 6, Kind::Steam),
        account(
            "KeeOtp",
            "carol",
            b32("GEZDGNBVGY3TQOJQ"),
            Algorithm::Sha256,
            8,
            totp(60),
        ),
        account(
            "KeeOtp HOTP",
            "dave",
            rfc(),
            a,
            6,
            Kind::Hotp { counter: 5 },
        ),
        account("TrayTOTP", "erin", b32("JBSWY3DPEHPK3PXP"), a, 7, totp(30)),
        account(
            "TraySteam",
            "frank",
            b32("STEAMSECRETSTEAM"),
            a,
            6,
            Kind::Steam,
        ),
        account(
            "KP Base32",
            "grace",
            b32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            Algorithm::Sha512,
            8,
            totp(45),
        ),
        account("KP Hex", "heidi", rfc(), a, 6, totp(30)),
        account("KP Text", "ivan", rfc(), Algorithm::Sha256, 6, totp(30)),
        account("KP Base64", "judy", rfc(), a, 6, totp(30)),
        account(
            "KP HOTP",
            "mallory",
            b32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            a,
            6,
            Kind::Hotp { counter: 7 },
        ),
        account("Both", "niaj", b32("JBSWY3DPEHPK3PXP"), a, 6, totp(30)),
    ]
}

fn check_every_convention(out: &Import) {
    assert_eq!(out.accounts, every_convention());
    let labels: Vec<&str> = out.report.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "GitHub:alice",
            "Steam:bob",
            "KeeOtp:carol",
            "KeeOtp HOTP:dave",
            "TrayTOTP:erin",
            "TraySteam:frank",
            "KP Base32:grace",
            "KP Hex:heidi",
            "KP Text:ivan",
            "KP Base64:judy",
            "KP HOTP:mallory",
            "Both:niaj",
            "Broken:olivia",
        ]
    );
    let outcome = |i: usize| out.report[i].outcome.clone();
    // Defaults are reported where the fields were absent.
    let hotp = outcome(3).unwrap();
    assert!(hotp.contains(&EntryWarning::Defaulted {
        field: "otpHashMode"
    }));
    assert!(hotp.contains(&EntryWarning::Defaulted { field: "size" }));
    let hex = outcome(7).unwrap();
    for field in ["TimeOtp-Length", "TimeOtp-Period", "TimeOtp-Algorithm"] {
        assert!(hex.contains(&EntryWarning::Defaulted { field }), "{field}");
    }
    // Every field given: nothing to report.
    assert_eq!(outcome(10), Ok(vec![]));
    assert_eq!(outcome(6), Ok(vec![]));
    // The `otp` URI is read, the `TOTP Seed` beside it reported as not used.
    assert_eq!(
        outcome(11),
        Ok(vec![
            EntryWarning::FieldIgnored { field: "TOTP Seed" },
            EntryWarning::Uri(otpkit::otpauth::Warning::ShortSecret { bits: 80 })
        ])
    );
    assert_eq!(
        outcome(12),
        Err(EntryError::Secret(SecretError::InvalidCharacter {
            position: 1
        }))
    );
}

#[test]
fn kdbx4_argon2d_aes_gzip_reads_every_otp_convention() {
    check_every_convention(&open("keepass_kdbx4_argon2d_aes.kdbx"));
}

#[test]
fn kdbx3_aes_kdf_salsa20_reads_every_otp_convention() {
    check_every_convention(&open("keepass_kdbx3_aes.kdbx"));
}

#[test]
fn chacha20_argon2id_uncompressed_and_twofish_aes_kdf() {
    let one = vec![account(
        "GitHub",
        "alice",
        b32("JBSWY3DPEHPK3PXP"),
        Algorithm::Sha1,
        6,
        totp(30),
    )];
    for name in [
        "keepass_kdbx4_argon2id_chacha20_plain.kdbx",
        "keepass_kdbx4_aeskdf_twofish.kdbx",
    ] {
        let out = open(name);
        assert_eq!(out.accounts, one, "{name}");
        assert_eq!(out.report.len(), 1, "{name}");
    }
}

const FILES: [&str; 4] = [
    "keepass_kdbx4_argon2d_aes.kdbx",
    "keepass_kdbx3_aes.kdbx",
    "keepass_kdbx4_argon2id_chacha20_plain.kdbx",
    "keepass_kdbx4_aeskdf_twofish.kdbx",
];

#[test]
fn wrong_and_missing_passwords_are_typed_errors() {
    for name in FILES {
        let file = data(name);
        assert_eq!(
            import(Format::KeePass, &file, Some(b"otpkit-tesT")),
            Err(ImportError::WrongPassword {
                format: Format::KeePass
            }),
            "{name}"
        );
        assert_eq!(
            import(Format::KeePass, &file, None),
            Err(ImportError::PasswordRequired {
                format: Format::KeePass
            }),
            "{name}"
        );
        assert_eq!(detect(&file), Some(Format::KeePass), "{name}");
    }
}

#[test]
fn a_damaged_kdbx4_header_is_refused_before_the_key_derivation() {
    let mut file = data("keepass_kdbx4_argon2d_aes.kdbx");
    // A byte of the master seed (after the signature, version, cipher and compression).
    file[50] ^= 1;
    // With no budget at all: the header hash fails before any derivation is charged.
    let nothing = ImportOptions {
        budget: WorkBudget::new(0, 0),
    };
    assert_eq!(
        import_with(Format::KeePass, &file, Some(PW), &nothing),
        Err(ImportError::IntegrityCheckFailed {
            format: Format::KeePass
        })
    );
}

#[test]
fn a_damaged_block_is_an_integrity_failure() {
    for name in [
        "keepass_kdbx4_argon2d_aes.kdbx",
        "keepass_kdbx4_aeskdf_twofish.kdbx",
        "keepass_kdbx3_aes.kdbx",
    ] {
        let mut file = data(name);
        // Well inside the payload, far from its last block (whose damage could
        // instead show as bad padding).
        let at = file.len() - 200;
        file[at] ^= 0x40;
        let got = import(Format::KeePass, &file, Some(PW));
        assert!(
            matches!(got, Err(ImportError::IntegrityCheckFailed { .. })),
            "{name}: {got:?}"
        );
    }
}

#[test]
fn every_truncation_is_a_typed_error() {
    for name in [
        "keepass_kdbx4_aeskdf_twofish.kdbx",
        "keepass_kdbx3_aes.kdbx",
        "keepass_kdbx4_argon2id_chacha20_plain.kdbx",
    ] {
        let file = data(name);
        let step = if name.contains("argon2") { 7 } else { 1 };
        for len in (0..file.len()).step_by(step) {
            let got = import(Format::KeePass, &file[..len], Some(PW));
            assert!(got.is_err(), "{name} cut at {len}: {got:?}");
        }
    }
    assert_eq!(
        import(Format::KeePass, b"", Some(PW)),
        Err(ImportError::Malformed {
            format: Format::KeePass,
            what: "not a KeePass database",
            line: 0,
            column: 0
        })
    );
}

#[test]
fn other_versions_are_refused_by_number() {
    let mut kdb = data("keepass_kdbx3_aes.kdbx");
    kdb[4] = 0x65; // KeePass 1.x's second signature.
    assert_eq!(detect(&kdb), Some(Format::KeePass));
    assert_eq!(
        import(Format::KeePass, &kdb, Some(PW)),
        Err(ImportError::UnsupportedVersion {
            format: Format::KeePass,
            version: 1
        })
    );
    let mut v5 = data("keepass_kdbx4_aeskdf_twofish.kdbx");
    v5[10] = 5;
    assert_eq!(
        import(Format::KeePass, &v5, Some(PW)),
        Err(ImportError::UnsupportedVersion {
            format: Format::KeePass,
            version: 5
        })
    );
}

#[test]
fn hostile_key_derivations_are_refused_before_they_run() {
    let aes = import(
        Format::KeePass,
        &data("keepass_hostile_aeskdf.kdbx"),
        Some(PW),
    );
    assert!(
        matches!(aes, Err(ImportError::KdfBudget { exceeded, .. }) if exceeded.work_exceeded()),
        "{aes:?}"
    );
    let argon = import(
        Format::KeePass,
        &data("keepass_hostile_argon2.kdbx"),
        Some(PW),
    );
    assert!(
        matches!(argon, Err(ImportError::KdfBudget { exceeded, .. })
            if exceeded.memory_exceeded() && exceeded.memory_needed == 1 << 30),
        "{argon:?}"
    );
    // The real fixture, with a budget below its Argon2d (1 MiB × 2 passes).
    let small = ImportOptions {
        budget: WorkBudget::new(1_000, 256 << 20),
    };
    let refused = import_with(
        Format::KeePass,
        &data("keepass_kdbx4_argon2d_aes.kdbx"),
        Some(PW),
        &small,
    );
    assert!(
        matches!(refused, Err(ImportError::KdfBudget { .. })),
        "{refused:?}"
    );
}

#[test]
fn a_gzip_bomb_is_cut_at_the_input_limit() {
    let got = import(Format::KeePass, &data("keepass_gzip_bomb.kdbx"), Some(PW));
    assert!(
        matches!(got, Err(ImportError::TooLarge { max, .. }) if max == otpkit_transfer::MAX_INPUT_LEN),
        "{got:?}"
    );
}

#[test]
fn deeply_nested_groups_are_walked_without_recursion() {
    // 20 000 nested groups (lxml refuses past 256).
    let out = open("keepass_deep.kdbx");
    assert_eq!(
        out.accounts,
        vec![account(
            "Deep",
            "zed",
            b32("JBSWY3DPEHPK3PXP"),
            Algorithm::Sha1,
            6,
            totp(30)
        )]
    );
}

#[test]
fn the_format_is_named_keepass() {
    assert_eq!(Format::KeePass.name(), "keepass");
    assert_eq!("keepass".parse(), Ok(Format::KeePass));
    assert!(Format::ALL.contains(&Format::KeePass));
}

#[test]
fn odd_fields_and_a_disabled_recycle_bin() {
    let out = open("keepass_odd_fields.kdbx");
    let a = Algorithm::Sha1;
    assert_eq!(
        out.accounts,
        vec![
            account("KeeOtp b64", "a", rfc(), a, 6, totp(30)),
            account("KeeOtp text", "b", rfc(), a, 6, totp(30)),
            account("Tray default", "c", b32("JBSWY3DPEHPK3PXP"), a, 6, totp(30)),
            // Its group is the named bin, but the bin is disabled: an ordinary group.
            account("Kept", "h", b32("JBSWY3DPEHPK3PXP"), a, 6, totp(30)),
        ]
    );
    let outcome = |label: &str| {
        out.report
            .iter()
            .find(|r| r.label == label)
            .unwrap()
            .outcome
            .clone()
    };
    assert!(
        outcome("Tray default:c")
            .unwrap()
            .contains(&EntryWarning::Defaulted {
                field: "TOTP Settings"
            })
    );
    assert_eq!(
        outcome("Garbage:d"),
        Err(EntryError::MissingField("otp key"))
    );
    assert_eq!(
        outcome("KeeOtp odd type:e"),
        Err(EntryError::UnsupportedType("motp".into()))
    );
    assert_eq!(
        outcome("Bad algorithm:f"),
        Err(EntryError::UnsupportedAlgorithm("HMAC-MD5".into()))
    );
    assert!(matches!(
        outcome("Bad settings:g"),
        Err(EntryError::Malformed { .. })
    ));
    assert_eq!(out.report.len(), 8);
}

#[test]
fn unsupported_parameters_are_named() {
    let unsupported = |name: &str| match import(Format::KeePass, &data(name), Some(PW)) {
        Err(ImportError::UnsupportedEncryption { what, .. }) => what,
        other => panic!("{name}: {other:?}"),
    };
    assert!(unsupported("keepass_argon2_v10.kdbx").contains("1.3"));
    assert!(unsupported("keepass_unknown_cipher.kdbx").contains("cipher"));
    assert!(unsupported("keepass_unknown_kdf.kdbx").contains("key derivation"));
}
