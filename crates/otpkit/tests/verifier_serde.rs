//! `DeviceState` through serde (feature `serde`): a JSON string holding the text
//! form, and a typed error for a bad one.
#![cfg(feature = "serde")]

use otpkit::verifier::{DeviceKind, DeviceState};

#[test]
fn serialises_as_its_text_form() {
    let s = DeviceState::from_parts(DeviceKind::Totp, 56_666_672, -2, 1, 0);
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(json, format!("\"{s}\""));
    assert_eq!(serde_json::from_str::<DeviceState>(&json).unwrap(), s);
}

#[test]
fn bad_strings_are_errors() {
    let e = serde_json::from_str::<DeviceState>("\"otpk1.t.1.0.0.0.000000000000\"").unwrap_err();
    assert!(e.to_string().contains("checksum mismatch"), "{e}");
    let e = serde_json::from_str::<DeviceState>("42").unwrap_err();
    assert!(
        e.to_string().contains("an otpkit device state string"),
        "{e}"
    );
}
