//! The service's device ids and settings: an id is 1 to `MAX_DEVICE_ID_LEN`
//! bytes without control characters at every entry point, and the service gives
//! back the policy and keyring it was made with.

use otpkit::Secret;
use otpkit::verifier::Policy;
use otpkit_store::seal::{Keyring, SealingKey};
use otpkit_store::{DeviceParams, MAX_DEVICE_ID_LEN, MemoryStore, MfaService, ServiceError};

const T0: u64 = 1_800_000_000;

fn service() -> MfaService<MemoryStore> {
    let keyring = Keyring::new(SealingKey::new("k1", [1; 32]).unwrap());
    MfaService::new(MemoryStore::new(), keyring, Policy::default())
}

fn secret() -> Secret {
    Secret::from_bytes(&[3; 20]).unwrap()
}

/// Each entry point, called in order with `id`, and whether it refused the id
/// as invalid (any other answer, success or error, is `false`).
fn refusals(service: &MfaService<MemoryStore>, id: &str) -> Vec<(&'static str, bool)> {
    let invalid = |r: Result<(), ServiceError>| matches!(r, Err(ServiceError::InvalidDeviceId));
    vec![
        (
            "begin_enrollment",
            invalid(
                service
                    .begin_enrollment(id, &secret(), DeviceParams::default())
                    .map(drop),
            ),
        ),
        (
            "pending_secret",
            invalid(service.pending_secret(id).map(drop)),
        ),
        (
            "enroll",
            invalid(service.enroll(id, "123456", "654321", T0).map(drop)),
        ),
        (
            "enroll_code",
            invalid(service.enroll_code(id, "123456", T0).map(drop)),
        ),
        (
            "verify",
            invalid(service.verify(id, "123456", T0).map(drop)),
        ),
        (
            "resync",
            invalid(service.resync(id, "123456", "654321", T0).map(drop)),
        ),
        (
            "clear_lockout",
            invalid(service.clear_lockout(id).map(drop)),
        ),
        ("state", invalid(service.state(id).map(drop))),
        ("reseal", invalid(service.reseal(id).map(drop))),
        ("remove", invalid(service.remove(id).map(drop))),
    ]
}

#[test]
fn a_device_id_of_up_to_255_bytes_is_accepted_everywhere() {
    let service = service();
    // The bound counts bytes, not characters: 127 two-byte letters and one more.
    let longest = format!("{}x", "é".repeat(127));
    assert_eq!(longest.len(), MAX_DEVICE_ID_LEN);
    for id in ["a", longest.as_str()] {
        for (entry, refused) in refusals(&service, id) {
            assert!(!refused, "{entry} refused an id of {} bytes", id.len());
        }
        // The device was stored under that id, and removed again by the last call.
        assert!(matches!(
            service.state(id),
            Err(ServiceError::NoSuchDevice { .. })
        ));
    }
}

#[test]
fn a_device_id_that_is_empty_too_long_or_has_a_control_character_is_refused_everywhere() {
    let service = service();
    let too_long = "x".repeat(MAX_DEVICE_ID_LEN + 1);
    for id in [
        "",
        too_long.as_str(),
        "ali\nce",
        "tab\there",
        "\u{7f}",
        "a\u{85}b",
    ] {
        for (entry, refused) in refusals(&service, id) {
            assert!(refused, "{entry} did not refuse {id:?}");
        }
    }
}

#[test]
fn the_service_gives_back_its_policy_and_keyring() {
    let policy = Policy::default().with_max_failures(7).unwrap();
    assert_ne!(policy, Policy::default());
    let keyring = Keyring::new(SealingKey::new("2026", [2; 32]).unwrap())
        .with_old_key(SealingKey::new("2025", [1; 32]).unwrap())
        .unwrap();
    let service = MfaService::new(MemoryStore::new(), keyring, policy);
    assert_eq!(*service.policy(), policy);
    assert_eq!(service.keyring().current_key_id(), "2026");
    assert_eq!(
        service.keyring().key_ids().collect::<Vec<_>>(),
        ["2025", "2026"]
    );
}
