//! Secrets as real exports write them, including Base32 of an invalid length.

use otpkit::otpauth::{Account, Warning};
use otpkit::{LengthPolicy, Secret, SecretError};
use zeroize::Zeroizing;

use crate::{EntryError, EntryReport, EntryWarning, Import};

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
            wiped_vec::push(
                &mut warnings,
                EntryWarning::TrailingBitsDropped {
                    symbols,
                    dropped: 1,
                },
            );
            secret
        }
        Err(e) => return Err(e),
    };
    if secret.is_short() {
        wiped_vec::push(
            &mut warnings,
            EntryWarning::ShortSecret {
                bits: secret.len().saturating_mul(8),
            },
        );
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
        wiped_vec::push(
            warnings,
            EntryWarning::ShortSecret {
                bits: secret.len().saturating_mul(8),
            },
        );
    }
    Ok(secret)
}

/// Overwrites the stack below the caller's frame with zeros, by volatile writes the
/// optimiser keeps.
///
/// Reading an entry moves its key through the frames of the functions that decode it
/// and build the account, and a moved value's bytes stay behind in the slot it left.
/// A value built later in that stack area has padding bytes holding whatever was
/// there, and writing it into the heap (an [`EntryWarning`] pushed to a vector)
/// carries those bytes, key and all, into a buffer that is freed unwiped. The import
/// clears the area once an entry is read, before recording it ([`record`]), and
/// before returning.
#[inline(never)]
pub(crate) fn scrub_stack() {
    let mut area = [0u64; SCRUBBED_BYTES / 8];
    zeroize::Zeroize::zeroize(&mut area);
    core::hint::black_box(&area);
}

/// How much stack [`scrub_stack`] clears: 16 KiB, several times the depth the
/// decoding of a key and the reading of an entry take (in debug builds too). It
/// costs about 1.5 µs per entry in release (a 10 000-entry `otpauth://` list: 36 ms
/// instead of 20 ms).
const SCRUBBED_BYTES: usize = 16 * 1024;

/// Records one entry's outcome in `out`. Called right after [`scrub_stack`], so its
/// frame lies in the cleared area: the report is built there first (the entry's
/// warnings rebuilt into a new vector, the one filled while reading being wiped),
/// then the account is moved into `out.accounts` by [`wiped_vec::push`].
#[inline(never)]
pub(crate) fn record(
    out: &mut Import,
    index: usize,
    label: String,
    result: Result<(Account, Vec<EntryWarning>), EntryError>,
) {
    let outcome = match &result {
        Ok((_, warnings)) => {
            let mut copied = Vec::with_capacity(warnings.len());
            copied.extend(warnings.iter().map(rebuilt));
            Ok(copied)
        }
        Err(e) => Err(e.clone()),
    };
    out.report.push(EntryReport {
        index,
        label,
        outcome,
    });
    if let Ok((account, warnings)) = result {
        wiped_vec::wipe(warnings);
        wiped_vec::push(&mut out.accounts, account);
    }
}

/// A new warning with `warning`'s values, built field by field (through
/// `black_box`, so the optimiser cannot turn it into a byte copy of `warning`): its
/// padding comes from the frame it is built in, not from `warning`'s.
fn rebuilt(warning: &EntryWarning) -> EntryWarning {
    use core::hint::black_box;
    match warning {
        EntryWarning::Uri(w) => EntryWarning::Uri(rebuilt_uri(w)),
        EntryWarning::TrailingBitsDropped { symbols, dropped } => {
            EntryWarning::TrailingBitsDropped {
                symbols: black_box(*symbols),
                dropped: black_box(*dropped),
            }
        }
        EntryWarning::ShortSecret { bits } => EntryWarning::ShortSecret {
            bits: black_box(*bits),
        },
        EntryWarning::Defaulted { field } => EntryWarning::Defaulted {
            field: black_box(*field),
        },
        EntryWarning::TypeAssumedTotp => EntryWarning::TypeAssumedTotp,
        EntryWarning::PinNotStored => EntryWarning::PinNotStored,
        EntryWarning::FieldIgnored { field } => EntryWarning::FieldIgnored {
            field: black_box(*field),
        },
    }
}

/// [`rebuilt`] for the `otpauth://` parser's warnings.
fn rebuilt_uri(warning: &Warning) -> Warning {
    use core::hint::black_box;
    match warning {
        Warning::SecretLowercase => Warning::SecretLowercase,
        Warning::SecretPadded => Warning::SecretPadded,
        Warning::SecretSpaced => Warning::SecretSpaced,
        Warning::ShortSecret { bits } => Warning::ShortSecret {
            bits: black_box(*bits),
        },
        Warning::IssuerConflict { label, parameter } => Warning::IssuerConflict {
            label: label.clone(),
            parameter: parameter.clone(),
        },
        Warning::EmptyIssuerParameter => Warning::EmptyIssuerParameter,
        Warning::AlgorithmIgnoredByApps(a) => Warning::AlgorithmIgnoredByApps(black_box(*a)),
        Warning::DigitsIgnoredByApps(d) => Warning::DigitsIgnoredByApps(black_box(*d)),
        Warning::PeriodIgnoredByApps(p) => Warning::PeriodIgnoredByApps(black_box(*p)),
        Warning::IgnoredParameter { name } => Warning::IgnoredParameter {
            name: black_box(*name),
        },
    }
}

/// Vectors of values that may hold key bytes (an [`otpkit::otpauth::Account`] holds
/// its `Secret`'s bytes in place; an [`EntryWarning`] built after a key was decoded may
/// hold some in its padding, see [`scrub_stack`]): a value moved out of a vector's
/// buffer, or a buffer a growing vector leaves behind, keeps a copy that `Drop` never
/// sees. Every vector of accounts or of warnings this crate fills or empties goes
/// through these, so no freed buffer still holds a key.
pub(crate) mod wiped_vec {
    use zeroize::Zeroize;

    /// Appends `value`; when `vec` is full, it moves to a buffer twice the size and
    /// its old buffer is wiped before it is freed (where `Vec::push` frees it as is).
    pub(crate) fn push<T>(vec: &mut Vec<T>, value: T) {
        if vec.len() == vec.capacity() {
            grow(vec, vec.capacity().saturating_mul(2).max(4));
        }
        vec.push(value);
    }

    /// Moves every element of `from` to the end of `to`, wiping `from`'s buffer (and
    /// `to`'s old one, if it must grow).
    pub(crate) fn append<T>(to: &mut Vec<T>, mut from: Vec<T>) {
        let needed = to.len().saturating_add(from.len());
        if needed > to.capacity() {
            grow(to, needed);
        }
        to.append(&mut from);
        from.spare_capacity_mut().zeroize();
    }

    /// Hands each element of `vec` to `f` in order, then wipes the emptied buffer.
    pub(crate) fn drain<T>(mut vec: Vec<T>, mut f: impl FnMut(T)) {
        for value in vec.drain(..) {
            f(value);
        }
        vec.spare_capacity_mut().zeroize();
    }

    /// Drops `vec`'s elements and wipes its whole buffer before it is freed.
    pub(crate) fn wipe<T>(mut vec: Vec<T>) {
        vec.clear();
        vec.spare_capacity_mut().zeroize();
    }

    /// Moves `vec`'s elements to a buffer of `capacity`, wiping the old one.
    fn grow<T>(vec: &mut Vec<T>, capacity: usize) {
        let mut grown = Vec::with_capacity(capacity);
        grown.append(vec);
        vec.spare_capacity_mut().zeroize();
        *vec = grown;
    }
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
