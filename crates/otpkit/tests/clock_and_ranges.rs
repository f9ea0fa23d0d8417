//! The system clock helpers (with the `std` feature), generator `Debug` output and
//! empty step ranges.

#[cfg(feature = "std")]
use std::time::{SystemTime, UNIX_EPOCH};

use otpkit::{Algorithm, Digits, Hotp, Period, Secret, Totp, VerifyError};

fn secret() -> Secret {
    Secret::from_bytes(b"12345678901234567890").unwrap()
}

#[cfg(feature = "std")]
fn system_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[cfg(feature = "std")]
#[test]
fn unix_now_reads_the_system_clock() {
    let before = system_seconds();
    let now = otpkit::unix_now().unwrap();
    let after = system_seconds();
    assert!(
        before <= now && now <= after,
        "{before} <= {now} <= {after}"
    );
}

#[cfg(feature = "std")]
#[test]
fn the_now_helpers_use_the_current_step() {
    let hour = Period::new(3600).unwrap();
    let t = Totp::new(&secret(), Algorithm::Sha1, Digits::SIX, hour);
    // An hour-long period, so the step does not change during the test (except
    // exactly at an hour boundary, which the one-step-behind window absorbs).
    let code = t.code_now().unwrap();
    assert_eq!(code, t.code_at(system_seconds()).unwrap());
    let m = t
        .verify_now(&code.to_string(), otpkit::Window::new(1, 0).unwrap())
        .unwrap();
    assert_eq!(
        m.step,
        t.step_at(system_seconds()).unwrap() - (-m.offset) as u64
    );
    assert!(m.offset == 0 || m.offset == -1);
}

#[test]
fn totp_debug_shows_its_parameters_only() {
    let minute = Period::new(60).unwrap();
    let t = Totp::new(&secret(), Algorithm::Sha256, Digits::EIGHT, minute).with_t0(5);
    assert_eq!(
        format!("{t:?}"),
        "Totp { algorithm: Sha256, digits: 8, period: 60, t0: 5, .. }"
    );
    let h = Hotp::new(&secret(), Algorithm::Sha1, Digits::SIX);
    assert_eq!(format!("{h:?}"), "Hotp { algorithm: Sha1, digits: 6, .. }");
}

#[test]
fn an_empty_range_matches_nothing_and_a_one_step_range_its_step() {
    // The range scan is public through `Hotp::verify_range` (a TOTP step is an HOTP
    // counter; the TOTP and verifier scans are the same crate-internal function).
    let h = Hotp::new(&secret(), Algorithm::Sha1, Digits::SIX);
    for step in [0u64, 5, 1_000] {
        // first > last is empty, even though `first`'s code is the one typed.
        let text = h.code(step + 1).to_string();
        assert_eq!(
            h.verify_range(&text, step + 1, step),
            Err(VerifyError::Mismatch)
        );
        // first == last: exactly that step.
        assert_eq!(
            h.verify_range(&h.code(step).to_string(), step, step),
            Ok(step)
        );
    }
}
