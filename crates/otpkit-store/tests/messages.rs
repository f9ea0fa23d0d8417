//! What the store crate's errors, keys, rows and services say when printed: every
//! message in full, each error's source, and no secret in any of them.

use std::error::Error as _;

use otpkit::Secret;
use otpkit::verifier::Policy;
use otpkit_store::remember::MAX_REMEMBER_SECS;
use otpkit_store::seal::{Keyring, MAX_KEY_ID_LEN, SealError, SealedSecret, SealingKey};
use otpkit_store::{
    DeviceRow, DeviceStore, MAX_DEVICE_ID_LEN, MAX_DEVICE_NAME_LEN, MAX_DEVICES_PER_USER,
    MemoryStore, MfaService, ServiceError, StoreError,
};

fn store_errors() -> [StoreError; 3] {
    [
        StoreError::Unavailable {
            store: "sqlite",
            source: "connection reset".into(),
        },
        StoreError::Failed {
            store: "postgres",
            source: "disk full".into(),
        },
        StoreError::Config {
            store: "redis",
            reason: "the URL has no host".to_owned(),
        },
    ]
}

#[test]
fn store_errors_name_the_store_and_the_driver_error() {
    let texts: Vec<String> = store_errors().iter().map(ToString::to_string).collect();
    assert_eq!(
        texts,
        [
            "the sqlite device store is unavailable: connection reset",
            "the postgres device store failed: disk full",
            "the redis device store is misconfigured: the URL has no host",
        ]
    );
    let [unavailable, failed, config] = store_errors();
    assert!(unavailable.is_unavailable());
    assert!(!failed.is_unavailable());
    assert!(!config.is_unavailable());
    // The driver's error is the source; a configuration error has none.
    assert_eq!(
        unavailable.source().map(ToString::to_string).as_deref(),
        Some("connection reset")
    );
    assert_eq!(
        failed.source().map(ToString::to_string).as_deref(),
        Some("disk full")
    );
    assert!(config.source().is_none());
}

#[test]
fn seal_errors_say_what_is_wrong_in_full() {
    let texts: Vec<String> = [
        SealError::InvalidKeyId,
        SealError::InvalidKey,
        SealError::DuplicateKeyId {
            key_id: "2026".to_owned(),
        },
        SealError::UnknownKey {
            key_id: "2025".to_owned(),
        },
        SealError::Malformed,
        SealError::NotAuthentic {
            key_id: "2026".to_owned(),
        },
        SealError::InvalidSecret,
        SealError::Rng,
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    assert_eq!(
        texts,
        [
            format!(
                "a sealing key id must be 1 to {MAX_KEY_ID_LEN} characters of A-Z, a-z, 0-9, _ and -"
            )
            .as_str(),
            "a sealing key must be 32 bytes (44 characters of base64)",
            "the keyring has two keys with the id \"2026\"",
            "the secret is sealed with key \"2025\", which is not in the keyring",
            "the sealed secret is not of the form otps1.KEY.DATA",
            "the sealed secret does not open with key \"2026\": it was changed, or sealed for \
             another device",
            "the opened secret is not a valid OTP secret",
            "the operating system's random number generator failed",
        ]
    );
}

#[test]
fn service_errors_say_what_is_wrong_and_wrap_their_cause() {
    let cases: Vec<(ServiceError, String)> = vec![
        (
            ServiceError::NoSuchDevice {
                id: "alice".to_owned(),
            },
            "no MFA device \"alice\"".to_owned(),
        ),
        (
            ServiceError::DeviceExists {
                id: "alice".to_owned(),
            },
            "MFA device \"alice\" exists already".to_owned(),
        ),
        (
            ServiceError::InvalidDeviceId,
            format!(
                "a device id must be 1 to {MAX_DEVICE_ID_LEN} bytes without control characters"
            ),
        ),
        (
            ServiceError::AlreadyEnrolled {
                id: "alice".to_owned(),
            },
            "MFA device \"alice\" is enrolled: its secret is not shown again".to_owned(),
        ),
        (
            ServiceError::Corrupt {
                id: "alice".to_owned(),
                column: "params",
            },
            "MFA device \"alice\" has a damaged params column".to_owned(),
        ),
        (
            ServiceError::Contention { attempts: 3 },
            "the device was changed by other requests 3 times in a row; try again".to_owned(),
        ),
        (
            ServiceError::UnknownDevice {
                user: "alice".to_owned(),
                name: "phone".to_owned(),
            },
            "user \"alice\" has no MFA device named \"phone\"".to_owned(),
        ),
        (
            ServiceError::DeviceNameTaken {
                user: "alice".to_owned(),
                name: "phone".to_owned(),
            },
            "user \"alice\" has an MFA device named \"phone\" already".to_owned(),
        ),
        (
            ServiceError::InvalidDeviceName,
            format!(
                "a device name must be 1 to {MAX_DEVICE_NAME_LEN} characters, not only spaces, \
                 without control characters"
            ),
        ),
        (
            ServiceError::TooManyDevices {
                user: "alice".to_owned(),
            },
            format!(
                "user \"alice\" has {MAX_DEVICES_PER_USER} MFA devices, the most allowed: remove one first"
            ),
        ),
        (
            ServiceError::NotAllowed {
                setting: "algorithm",
                value: "SHA512".to_owned(),
            },
            "this server does not accept MFA devices with algorithm SHA512".to_owned(),
        ),
        (
            ServiceError::NoRecoveryCodes {
                user: "alice".to_owned(),
            },
            "user \"alice\" has no recovery codes".to_owned(),
        ),
        (
            ServiceError::NotSignedIn,
            "a device is remembered only after an accepted sign-in of the same user".to_owned(),
        ),
        (
            ServiceError::InvalidRememberLifetime { secs: 0 },
            format!(
                "a remember-this-device lifetime must be 1 to {MAX_REMEMBER_SECS} seconds, got 0"
            ),
        ),
        (
            ServiceError::Random,
            "the operating system's random number generator failed".to_owned(),
        ),
    ];
    for (error, text) in &cases {
        assert_eq!(error.to_string(), *text);
        assert!(error.source().is_none(), "{error}");
    }
    // A store's or a seal's error is shown as it is, and is the source.
    let [unavailable, ..] = store_errors();
    let wrapped = ServiceError::from(unavailable);
    assert_eq!(
        wrapped.to_string(),
        "the sqlite device store is unavailable: connection reset"
    );
    let source = wrapped.source().expect("a store error is the source");
    assert!(
        matches!(
            source.downcast_ref::<StoreError>(),
            Some(StoreError::Unavailable {
                store: "sqlite",
                ..
            })
        ),
        "{source:?}"
    );
    let seal = SealError::UnknownKey {
        key_id: "2025".to_owned(),
    };
    let wrapped = ServiceError::from(seal.clone());
    assert_eq!(wrapped.to_string(), seal.to_string());
    assert_eq!(
        wrapped.source().and_then(|s| s.downcast_ref::<SealError>()),
        Some(&seal)
    );
}

#[test]
fn keys_show_their_id_only_and_sealed_secrets_show_their_stored_text() {
    let key = SealingKey::new("k9", [7; 32]).unwrap();
    let base64 = key.to_base64();
    assert_eq!(key.id(), "k9");
    assert_eq!(format!("{key:?}"), "SealingKey { id: \"k9\", .. }");
    let ring = Keyring::new(key);
    let sealed = ring
        .seal("alice", &Secret::from_bytes(&[5; 20]).unwrap())
        .unwrap();
    assert_eq!(sealed.to_string(), sealed.as_str());
    assert!(sealed.as_str().starts_with("otps1.k9."), "{sealed}");
    assert!(!format!("{ring:?}").contains(base64.as_str()));
    let stored = SealedSecret::from_stored("otps1.k9.AAAA".to_owned());
    assert_eq!(stored.to_string(), "otps1.k9.AAAA");
}

#[test]
fn a_device_row_shows_every_column_but_the_secret() {
    let row = DeviceRow {
        id: "alice".to_owned(),
        params: "totp.SHA1.6.30".to_owned(),
        secret: "otps1.k1.SEALEDSECRETTEXT".to_owned(),
        state: "otpk1.state".to_owned(),
    };
    assert_eq!(
        format!("{row:?}"),
        "DeviceRow { id: \"alice\", params: \"totp.SHA1.6.30\", state: \"otpk1.state\", .. }"
    );
    // A row's version prints as the token it is.
    let store = MemoryStore::new();
    assert!(store.insert(&row).unwrap());
    let read = store.load("alice").unwrap().unwrap();
    assert_eq!(read.version.to_string(), read.version.as_str());
    assert_eq!(read.version.to_string().len(), 32);
    assert!(
        !format!("{read:?}").contains("SEALEDSECRETTEXT"),
        "{read:?}"
    );
}

#[test]
fn a_service_shows_its_store_key_ids_policy_and_bound_but_no_key() {
    let key = SealingKey::new("k1", [9; 32]).unwrap();
    let base64 = key.to_base64();
    let policy = Policy::default().with_max_failures(7).unwrap();
    let service =
        MfaService::new(MemoryStore::new(), Keyring::new(key), policy).with_max_attempts(3);
    let shown = format!("{service:?}");
    assert!(
        shown.starts_with("MfaService { store: MemoryStore {"),
        "{shown}"
    );
    assert!(
        shown.contains("keyring: Keyring { current: \"k1\", keys: [\"k1\"] }"),
        "{shown}"
    );
    assert!(shown.contains(&format!("policy: {policy:?}")), "{shown}");
    assert!(
        shown.ends_with(
            "max_attempts: 3, allowed: AllowedParams { algorithms: None, digits: None, \
             periods: None, no_hotp: false }, remember_secs: 2592000, .. }"
        ),
        "{shown}"
    );
    assert!(!shown.contains(base64.as_str()), "{shown}");
    assert!(!shown.contains("9, 9"), "{shown}");
}

#[test]
fn each_service_error_has_its_own_stable_code() {
    let user = || "alice".to_owned();
    let codes: Vec<&str> = [
        ServiceError::NoSuchDevice { id: user() },
        ServiceError::UnknownDevice {
            user: user(),
            name: "phone".to_owned(),
        },
        ServiceError::DeviceExists { id: user() },
        ServiceError::DeviceNameTaken {
            user: user(),
            name: "phone".to_owned(),
        },
        ServiceError::TooManyDevices { user: user() },
        ServiceError::InvalidDeviceId,
        ServiceError::InvalidDeviceName,
        ServiceError::NotAllowed {
            setting: "digits",
            value: "8".to_owned(),
        },
        ServiceError::NoRecoveryCodes { user: user() },
        ServiceError::NotSignedIn,
        ServiceError::InvalidRememberLifetime { secs: 0 },
        ServiceError::Contention { attempts: 3 },
        ServiceError::Corrupt {
            id: user(),
            column: "state",
        },
        ServiceError::Random,
    ]
    .iter()
    .map(|e| e.code().as_str())
    .chain(store_errors().iter().map(|e| e.code().as_str()))
    .collect();
    assert_eq!(
        codes,
        [
            "UNKNOWN_DEVICE",
            "UNKNOWN_DEVICE",
            "DEVICE_EXISTS",
            "DEVICE_EXISTS",
            "TOO_MANY_DEVICES",
            "INVALID_DEVICE_ID",
            "INVALID_DEVICE_NAME",
            "DEVICE_NOT_ALLOWED",
            "NO_RECOVERY_CODES",
            "NOT_SIGNED_IN",
            "INVALID_REMEMBER_LIFETIME",
            "CONTENTION",
            "STORE_CORRUPT",
            "RNG_FAILED",
            "STORE_UNAVAILABLE",
            "STORE_FAILED",
            "STORE_MISCONFIGURED",
        ]
    );
}
