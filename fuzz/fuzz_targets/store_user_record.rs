//! A user's record as a store hands it back (a row edited outside otpkit, or a
//! damaged one), and a remember-me cookie as a browser sends it: any text, never a
//! panic, and a hostile record never lets a code or token in.
//!
//! The input is split at the first `\0`: before it, the user row's state column
//! (the record text, `otpu1` and a line per field); after it, the cookie. With no
//! `\0`, all of it is the cookie and the record is a real one with a device and a
//! remembered series. Every user call then runs on it: listing, status, a sign-in
//! with a code no device makes, a recovery code, the cookie. Each either answers
//! or returns a typed error; none accepts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otpkit::verifier::Policy;
use otpkit::{Secret, Totp};
use otpkit_store::seal::{Keyring, SealingKey};
use otpkit_store::{
    DeviceChoice, DeviceParams, DeviceRow, DeviceStore, MemoryStore, MfaService, Remembered,
};

const NOW: u64 = 1_800_000_000;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let Ok(key) = SealingKey::new("fuzz", [7; 32]) else {
        return;
    };
    let service = MfaService::new(MemoryStore::new(), Keyring::new(key), Policy::default());
    let (record, cookie) = match text.split_once('\0') {
        Some((record, cookie)) => (Some(record), cookie),
        None => (None, text),
    };
    let Ok(secret) = Secret::from_bytes(&[9; 20]) else {
        return;
    };
    let phone = Totp::new(
        &secret,
        otpkit::Algorithm::Sha1,
        otpkit::Digits::SIX,
        otpkit::Period::DEFAULT,
    );
    let code = |t: u64| phone.code_at(t).map(|c| c.to_string()).unwrap_or_default();
    service
        .add_device("alice", "phone", &secret, DeviceParams::default(), NOW)
        .expect("a device is added to an empty store");
    let enrolled = service
        .enroll_device("alice", "phone", &code(NOW - 30), &code(NOW), NOW)
        .expect("enrolment runs");
    assert!(enrolled.outcome.is_enrolled());
    let signed_in = service
        .sign_in("alice", &code(NOW + 30), DeviceChoice::Any, NOW + 30)
        .expect("sign-in runs");
    let _token = service.remember_device("alice", &signed_in, NOW + 30);
    if let Some(record) = record {
        // Replace the user's row with the hostile text.
        let store = service.store();
        let row = DeviceRow {
            id: "alice\u{1f}".to_owned(),
            params: "user.1".to_owned(),
            secret: "-".to_owned(),
            state: record.to_owned(),
        };
        let _ = store.remove("alice\u{1f}");
        let _ = store.insert(&row);
    }
    let _ = service.devices("alice");
    let _ = service.user_status("alice");
    // A code no step near NOW makes.
    let wrong = (0..1_000_000u32)
        .map(|n| format!("{n:06}"))
        .find(|g| (0..=20).all(|k| code(NOW - 300 + k * 30) != *g))
        .unwrap_or_default();
    if let Ok(answer) = service.sign_in("alice", &wrong, DeviceChoice::Any, NOW + 60) {
        assert!(!answer.is_accepted(), "a wrong code was accepted");
    }
    if let Ok(outcome) = service.use_recovery_code("alice", "2222-2222-2222-2222", NOW + 60) {
        assert!(!outcome.is_accepted(), "a made-up recovery code was accepted");
    }
    if let Ok(Remembered::Accepted { .. }) = service.check_remembered("alice", cookie, NOW + 60) {
        panic!("a made-up cookie was accepted");
    }
});
