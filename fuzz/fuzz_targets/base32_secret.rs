//! Base32 secret parsing: any text, never a panic, and every accepted secret
//! round-trips through its canonical and grouped Base32 forms.
//!
//! Properties asserted:
//! - `Secret::from_base32_with` never panics, for either `LengthPolicy`;
//! - the default policy accepts exactly what `AllowShort` accepts at 16+ bytes, with
//!   the same bytes, and otherwise reports `TooShort` with the right bit count;
//! - an accepted secret re-encodes (`base32`, `base32_grouped`) to text that parses
//!   back to the same bytes, and pasting variants (lowercase, padded, grouped with
//!   hyphens) of that text parse to the same bytes too;
//! - neither `Debug` nor any error message contains the secret's Base32 text or a run
//!   of the typed Base32 symbols.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otpkit::{LengthPolicy, MAX_SECRET_LEN, MIN_SECRET_LEN, Secret, SecretError};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let short = Secret::from_base32_with(text, LengthPolicy::AllowShort);
    let strict = Secret::from_base32(text);

    match (&short, &strict) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.as_bytes(), b.as_bytes());
            assert!(b.len() >= MIN_SECRET_LEN);
        }
        (Ok(a), Err(e)) => {
            assert!(
                a.len() < MIN_SECRET_LEN,
                "strict rejected a long secret: {e}"
            );
            assert_eq!(*e, SecretError::TooShort { bits: a.len() * 8 });
        }
        (Err(e), Ok(_)) => panic!("strict accepted what AllowShort rejected: {e}"),
        (Err(a), Err(b)) => assert_eq!(a, b),
    }

    if let Err(e) = &short {
        check_message_hides_input(&e.to_string(), text);
        check_message_hides_input(&format!("{e:?}"), text);
        return;
    }
    let Ok(secret) = short else { return };
    assert!((1..=MAX_SECRET_LEN).contains(&secret.len()));
    assert_eq!(secret.is_short(), secret.len() < MIN_SECRET_LEN);

    let canonical = secret.base32().to_string();
    let grouped = secret.base32_grouped().to_string();
    assert!(
        canonical
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
    );
    assert_eq!(grouped.replace(' ', ""), canonical);

    let padding = "=".repeat((8 - canonical.len() % 8) % 8);
    let hyphenated = grouped.replace(' ', "-");
    for variant in [
        canonical.clone(),
        grouped.clone(),
        canonical.to_lowercase(),
        format!("{canonical}{padding}"),
        format!(" \t{hyphenated}\n"),
    ] {
        let again = Secret::from_base32_with(&variant, LengthPolicy::AllowShort)
            .unwrap_or_else(|e| panic!("re-encoded secret rejected: {e}"));
        assert_eq!(again.as_bytes(), secret.as_bytes());
        assert!(again == secret);
    }

    // Redaction: Debug output shows the length only.
    let debug = format!(
        "{secret:?} {:?} {:?}",
        secret.base32(),
        secret.base32_grouped()
    );
    assert!(
        !debug.contains(&canonical),
        "Debug leaks the secret: {debug}"
    );
    assert_eq!(
        format!("{secret:?}"),
        format!("Secret {{ len: {}, .. }}", secret.len())
    );
});

/// No run of 8 typed symbols (normalised to uppercase) that holds a letter may appear
/// in a message. Messages have no uppercase run that long of their own, so a hit is a
/// leak. (All-digit runs are skipped: a message may carry a number such as a length.)
fn check_message_hides_input(message: &str, text: &str) {
    let symbols: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if symbols.len() < 8 {
        return;
    }
    for window in symbols.as_bytes().windows(8) {
        let Ok(run) = core::str::from_utf8(window) else {
            continue;
        };
        if !window.iter().any(u8::is_ascii_alphabetic) {
            continue;
        }
        assert!(
            !message.contains(run),
            "message leaks input {run:?}: {message}"
        );
    }
}
