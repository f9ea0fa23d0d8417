//! The secret's length rules at their edges, its text forms and its error messages.

use std::error::Error as _;

use otpkit::{LengthPolicy, MAX_SECRET_LEN, MIN_SECRET_LEN, Secret, SecretError};

#[test]
fn length_limits_are_inclusive() {
    let bytes = [7u8; MAX_SECRET_LEN + 1];
    assert_eq!(
        Secret::from_bytes(&bytes[..MIN_SECRET_LEN]).unwrap().len(),
        16
    );
    assert_eq!(
        Secret::from_bytes(&bytes[..MIN_SECRET_LEN - 1]).unwrap_err(),
        SecretError::TooShort { bits: 120 }
    );
    assert_eq!(
        Secret::from_bytes(&bytes[..MAX_SECRET_LEN]).unwrap().len(),
        128
    );
    assert_eq!(
        Secret::from_bytes(&bytes).unwrap_err(),
        SecretError::TooLong { len: 129 }
    );
    assert_eq!(Secret::from_bytes(&[]).unwrap_err(), SecretError::Empty);
    // AllowShort lowers the floor to one byte, not to zero, and keeps the ceiling.
    let short = Secret::from_bytes_with(&bytes[..1], LengthPolicy::AllowShort).unwrap();
    assert_eq!(short.as_bytes(), &[7]);
    assert_eq!(
        Secret::from_bytes_with(&[], LengthPolicy::AllowShort).unwrap_err(),
        SecretError::Empty
    );
    assert_eq!(
        Secret::from_bytes_with(&bytes, LengthPolicy::AllowShort).unwrap_err(),
        SecretError::TooLong { len: 129 }
    );
    assert_eq!(LengthPolicy::default(), LengthPolicy::Rfc4226);
}

#[test]
fn is_short_means_below_the_rfc_minimum() {
    let bytes = [1u8; MIN_SECRET_LEN];
    let at = |n: usize| Secret::from_bytes_with(&bytes[..n], LengthPolicy::AllowShort).unwrap();
    assert!(at(1).is_short());
    assert!(at(MIN_SECRET_LEN - 1).is_short());
    assert!(!at(MIN_SECRET_LEN).is_short());
}

#[test]
fn base32_forms() {
    let s = Secret::from_bytes(b"12345678901234567890").unwrap();
    assert_eq!(s.base32().to_string(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert_eq!(
        s.base32_grouped().to_string(),
        "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
    );
    // A length that is not a multiple of 5 bytes ends in a short group, unpadded.
    let odd = Secret::from_bytes(&[0xff; 17]).unwrap();
    let grouped = odd.base32_grouped().to_string();
    assert_eq!(grouped.replace(' ', ""), odd.base32().to_string());
    assert_eq!(odd.base32().to_string().len(), 28);
    assert_eq!(grouped.split(' ').count(), 7, "{grouped}");
    assert!(grouped.split(' ').all(|g| g.len() == 4), "{grouped}");
    assert_eq!(Secret::from_base32(&grouped).unwrap(), odd);
    // The longest secret fits the text buffer and round-trips.
    let max = Secret::from_bytes(&[0xa5; MAX_SECRET_LEN]).unwrap();
    let text = max.base32_grouped().to_string();
    assert_eq!(Secret::from_base32(&text).unwrap(), max);
    // Neither form shows the text in Debug.
    assert_eq!(format!("{:?}", s.base32()), "Base32(<redacted>)");
    assert_eq!(format!("{s:?}"), "Secret { len: 20, .. }");
}

#[test]
fn secrets_compare_by_their_bytes() {
    let a = Secret::from_bytes(&[1; 20]).unwrap();
    assert_eq!(a, Secret::from_bytes(&[1; 20]).unwrap());
    assert_ne!(a, Secret::from_bytes(&[2; 20]).unwrap());
    assert_ne!(a, Secret::from_bytes(&[1; 21]).unwrap());
}

#[test]
fn base32_decoding_edges() {
    assert_eq!(Secret::from_base32("").unwrap_err(), SecretError::Empty);
    assert_eq!(
        Secret::from_base32(" - \t").unwrap_err(),
        SecretError::Empty
    );
    assert_eq!(Secret::from_base32("====").unwrap_err(), SecretError::Empty);
    // 33 symbols cannot be whole bytes (33 * 5 bits leaves a partial byte that
    // needs more than the one extra symbol).
    let e = Secret::from_base32(&"A".repeat(33)).unwrap_err();
    assert_eq!(e, SecretError::InvalidLength { symbols: 33 });
    // The RFC minimum of 16 bytes takes 26 symbols; 24 symbols are 15 bytes.
    assert_eq!(Secret::from_base32(&"A".repeat(26)).unwrap().len(), 16);
    assert_eq!(
        Secret::from_base32(&"A".repeat(24)).unwrap_err(),
        SecretError::TooShort { bits: 120 }
    );
    // More symbols than the longest secret takes.
    let e = Secret::from_base32(&"A".repeat(300)).unwrap_err();
    assert_eq!(
        e,
        SecretError::TooLong {
            len: MAX_SECRET_LEN + 1
        }
    );
}

#[test]
fn secret_error_messages() {
    let cases = [
        (SecretError::Empty, "the secret is empty".to_string()),
        (
            SecretError::TooShort { bits: 80 },
            "the secret is 80 bits, shorter than the 128 bits RFC 4226 requires; to accept \
             it anyway use LengthPolicy::AllowShort"
                .to_string(),
        ),
        (
            SecretError::TooLong { len: 200 },
            "the secret is 200 bytes, longer than the 128-byte maximum".to_string(),
        ),
        (
            SecretError::InvalidCharacter { position: 3 },
            "invalid Base32 character at position 3: Base32 uses the letters A-Z and the \
             digits 2-7 (0, 1, 8 and 9 are not Base32)"
                .to_string(),
        ),
        (
            SecretError::InvalidLength { symbols: 9 },
            "9 Base32 characters cannot encode whole bytes; a character is missing or extra"
                .to_string(),
        ),
        (
            SecretError::RngFailed,
            "the random number generator failed".to_string(),
        ),
    ];
    for (e, text) in cases {
        assert_eq!(e.to_string(), text);
        assert!(e.source().is_none());
    }
}
