//! The edges of the encrypted formats' decryption: the shortest encrypted andOTP
//! backup that is decrypted rather than refused as too short, and a 2FAS
//! `reference` encrypted under the services' salt or under a salt of its own.

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use otpkit_kdf::{Prf, WorkBudget};
use otpkit_transfer::{Format, ImportError, ImportOptions, import, import_with};
use sha2::{Digest, Sha256};

const PW: &[u8] = b"otpkit-test";

/// AES-256-GCM of `plaintext`: `ciphertext ‖ tag`.
fn seal(key: &[u8], nonce: &[u8; 12], plaintext: &[u8]) -> Vec<u8> {
    let cipher = Aes256Gcm::new_from_slice(key).unwrap();
    let mut buf = plaintext.to_vec();
    let tag = cipher
        .encrypt_inout_detached(&Nonce::from(*nonce), &[], buf.as_mut_slice().into())
        .unwrap();
    buf.extend_from_slice(&tag);
    buf
}

#[test]
fn an_encrypted_andotp_backup_shorter_than_a_nonce_and_a_tag_is_refused_as_too_short() {
    for len in [1, 12, 27] {
        let file = vec![b'B'; len];
        assert_eq!(
            import(Format::AndOtp, &file, Some(PW)).unwrap_err(),
            ImportError::Malformed {
                format: Format::AndOtp,
                what: "too short for an encrypted andOTP backup",
                line: 0,
                column: 0,
            },
            "{len} bytes"
        );
    }
    // From 12 + 16 bytes on it is decrypted (and these bytes open under no key).
    let file = vec![b'B'; 28];
    assert_eq!(
        import(Format::AndOtp, &file, Some(PW)).unwrap_err(),
        ImportError::WrongPassword {
            format: Format::AndOtp
        }
    );
}

#[test]
fn the_smallest_old_format_andotp_backup_opens() {
    // The old format: a nonce, then `[]` sealed under SHA-256(password): 30 bytes.
    let key = Sha256::digest(PW);
    let nonce = [9u8; 12];
    let file = [&nonce[..], &seal(&key, &nonce, b"[]")].concat();
    assert_eq!(file.len(), 30);
    let out = import(Format::AndOtp, &file, Some(PW)).unwrap();
    assert!(out.accounts.is_empty() && out.report.is_empty());
}

const SERVICES: &str = r#"[{"name":"Example","secret":"JBSWY3DPEHPK3PXP","otp":{"account":"alice","digits":6,"period":30,"algorithm":"SHA1","tokenType":"TOTP"}}]"#;

/// 2FAS's `base64(ciphertext ‖ tag):base64(salt):base64(iv)`, keyed with
/// PBKDF2-HMAC-SHA256(password, salt, 10 000).
fn twofas_sealed(salt: &[u8], iv: &[u8; 12], plaintext: &[u8]) -> String {
    let mut key = [0u8; 32];
    let mut unlimited = WorkBudget::new(u64::MAX, u64::MAX);
    otpkit_kdf::pbkdf2(&mut unlimited, Prf::Sha256, PW, salt, 10_000, &mut key).unwrap();
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    format!(
        "{}:{}:{}",
        b64(&seal(&key, iv, plaintext)),
        b64(salt),
        b64(iv)
    )
}

fn twofas_backup(services_salt: &[u8], reference_salt: &[u8]) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "services": [],
        "schemaVersion": 4,
        "servicesEncrypted": twofas_sealed(services_salt, &[1; 12], SERVICES.as_bytes()),
        "reference": twofas_sealed(reference_salt, &[2; 12], b"tRViSsLKzd8P"),
    }))
    .unwrap()
}

/// What one 2FAS key derivation (a 256-byte salt, the test password) costs.
fn one_derivation() -> u64 {
    let mut unlimited = WorkBudget::new(u64::MAX, u64::MAX);
    otpkit_kdf::pbkdf2(
        &mut unlimited,
        Prf::Sha256,
        PW,
        &[0; 256],
        10_000,
        &mut [0; 32],
    )
    .unwrap();
    unlimited.spent()
}

#[test]
fn a_twofas_reference_under_a_salt_of_its_own_is_checked_with_its_own_key() {
    let file = twofas_backup(&[3; 256], &[4; 256]);
    let out = import(Format::TwoFas, &file, Some(PW)).unwrap();
    assert_eq!(out.accounts.len(), 1);
    // Both derivations are charged: one derivation's budget is not enough.
    let one = ImportOptions {
        budget: WorkBudget::new(one_derivation(), WorkBudget::DEFAULT_MAX_MEMORY),
    };
    assert!(matches!(
        import_with(Format::TwoFas, &file, Some(PW), &one),
        Err(ImportError::KdfBudget {
            format: Format::TwoFas,
            ..
        })
    ));
}

#[test]
fn a_twofas_reference_sharing_the_services_salt_costs_one_derivation() {
    let file = twofas_backup(&[3; 256], &[3; 256]);
    let one = ImportOptions {
        budget: WorkBudget::new(one_derivation(), WorkBudget::DEFAULT_MAX_MEMORY),
    };
    let out = import_with(Format::TwoFas, &file, Some(PW), &one).unwrap();
    assert_eq!(out.accounts.len(), 1);
    let less = ImportOptions {
        budget: WorkBudget::new(one_derivation() - 1, WorkBudget::DEFAULT_MAX_MEMORY),
    };
    assert!(matches!(
        import_with(Format::TwoFas, &file, Some(PW), &less),
        Err(ImportError::KdfBudget {
            format: Format::TwoFas,
            ..
        })
    ));
}
