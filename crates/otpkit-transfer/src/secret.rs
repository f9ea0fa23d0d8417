//! Secrets as real exports write them, including Base32 of an invalid length.

use otpkit::{LengthPolicy, Secret, SecretError};
use zeroize::Zeroizing;

use crate::EntryWarning;

/// A secret read by [`secret_from_base32_lenient`], with what was done to read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LenientSecret {
    /// The secret.
    pub secret: Secret,
    /// [`EntryWarning::TrailingBitsDropped`] and/or [`EntryWarning::ShortSecret`].
    pub warnings: Vec<EntryWarning>,
}

/// Reads Base32 like [`Secret::from_base32_with`] (any case, spaces, hyphens,
/// padding; secrets of any length from 1 byte, as apps accept them), and also
/// secrets whose length no RFC 4648 encoder produces: 1, 3 or 6 symbols past a
/// multiple of 8 (e.g. the 11-character `STEAMSECRET`). The apps read those by
/// dropping the incomplete trailing bits, and so does this, with a
/// [`EntryWarning::TrailingBitsDropped`].
///
/// The core's `Secret` parsing rejects such lengths on purpose (a typo should not
/// silently change a key a user types in); import is different, as the file's app
/// has been computing codes from exactly these bytes.
///
/// ```
/// use otpkit_transfer::{secret_from_base32_lenient, EntryWarning};
/// let read = secret_from_base32_lenient("STEAMSECRET")?;
/// assert_eq!(read.secret.len(), 6);
/// assert!(read.warnings.contains(&EntryWarning::TrailingBitsDropped { symbols: 11, dropped: 1 }));
/// # Ok::<(), otpkit::SecretError>(())
/// ```
pub fn secret_from_base32_lenient(text: &str) -> Result<LenientSecret, SecretError> {
    let mut warnings = Vec::new();
    let secret = match Secret::from_base32_with(text, LengthPolicy::AllowShort) {
        Ok(secret) => secret,
        Err(SecretError::InvalidLength { symbols }) => {
            // Lengths 1, 3 and 6 (mod 8) hold 5, 15 and 30 bits past the last full
            // 40-bit group: dropping the last symbol leaves 0, 10 and 25 bits, the
            // same whole bytes (0, 1 and 3) with fewer spare bits.
            let mut kept = Zeroizing::new(String::with_capacity(text.len()));
            let mut seen = 0usize;
            for ch in text.chars() {
                if ch.is_ascii_alphanumeric() {
                    seen = seen.saturating_add(1);
                    if seen == symbols {
                        continue;
                    }
                }
                kept.push(ch);
            }
            // A lone symbol holds no whole byte: that stays an invalid length.
            let secret =
                Secret::from_base32_with(&kept, LengthPolicy::AllowShort).map_err(|e| {
                    if e == SecretError::Empty {
                        SecretError::InvalidLength { symbols }
                    } else {
                        e
                    }
                })?;
            warnings.push(EntryWarning::TrailingBitsDropped {
                symbols,
                dropped: 1,
            });
            secret
        }
        Err(e) => return Err(e),
    };
    if secret.is_short() {
        warnings.push(EntryWarning::ShortSecret {
            bits: secret.len().saturating_mul(8),
        });
    }
    Ok(LenientSecret { secret, warnings })
}

/// Raw secret bytes (a format that stores them so), any length from 1 byte.
pub(crate) fn secret_from_bytes(
    bytes: &[u8],
    warnings: &mut Vec<EntryWarning>,
) -> Result<Secret, SecretError> {
    let secret = Secret::from_bytes_with(bytes, LengthPolicy::AllowShort)?;
    if secret.is_short() {
        warnings.push(EntryWarning::ShortSecret {
            bits: secret.len().saturating_mul(8),
        });
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_lengths_drop_only_spare_bits() {
        // 11 symbols (3 mod 8) → 6 bytes; the same as the first 10 symbols.
        let a = secret_from_base32_lenient("STEAMSECRET").unwrap();
        let b = secret_from_base32_lenient("STEAMSECRE").unwrap();
        assert_eq!(a.secret, b.secret);
        // 17 symbols (1 mod 8) → 10 bytes.
        let c = secret_from_base32_lenient("JDJDBDBDDBDBBXBXB").unwrap();
        assert_eq!(c.secret.len(), 10);
        // 14 symbols (6 mod 8) → 8 bytes.
        let d = secret_from_base32_lenient("ABCDEFGHIJKLMN").unwrap();
        assert_eq!(d.secret.len(), 8);
        assert!(d.warnings.contains(&EntryWarning::TrailingBitsDropped {
            symbols: 14,
            dropped: 1
        }));
    }

    #[test]
    fn valid_secrets_have_no_trailing_warning() {
        let s = secret_from_base32_lenient("jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp").unwrap();
        assert!(s.warnings.is_empty());
        let short = secret_from_base32_lenient("MYSECRET").unwrap();
        assert_eq!(short.warnings, vec![EntryWarning::ShortSecret { bits: 40 }]);
    }

    #[test]
    fn bad_characters_and_single_symbols_are_errors() {
        assert!(matches!(
            secret_from_base32_lenient("ABC1EFGH"),
            Err(SecretError::InvalidCharacter { position: 4 })
        ));
        assert_eq!(
            secret_from_base32_lenient("A"),
            Err(SecretError::InvalidLength { symbols: 1 })
        );
        assert!(secret_from_base32_lenient("").is_err());
    }
}
