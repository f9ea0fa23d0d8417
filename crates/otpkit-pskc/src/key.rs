//! One `<Key>` read into a token's parts: its algorithm, code length and hash, its
//! secret and moving factor, the values the file left out.

use std::cell::Cell;

use otpkit::{Algorithm, Digits, Period, Secret};
use roxmltree::Node;

use crate::encryption::{Keys, ValueKind, read_value};
use crate::xml::{child, text_of};
use crate::{Defaulted, HOTP_URI, KeyError, Kind, Options, Protection, TOTP_URI};

/// What a `<Key>` yields; `import_with` adds what identifies it.
pub(crate) struct Parts {
    pub(crate) secret: Secret,
    pub(crate) algorithm: Algorithm,
    pub(crate) digits: Digits,
    pub(crate) kind: Kind,
    pub(crate) defaulted: Vec<Defaulted>,
    pub(crate) protection: Protection,
}

/// Reads `key` (its values per `keys`' rules) into a token's parts.
pub(crate) fn read_key(
    key: Node<'_, '_>,
    keys: &Keys,
    options: &Options,
) -> Result<Parts, KeyError> {
    let uri = key.attribute("Algorithm").ok_or(KeyError::NoAlgorithm)?;
    let is_totp = match uri {
        HOTP_URI => false,
        TOTP_URI => true,
        other => {
            return Err(KeyError::UnsupportedAlgorithm(
                other.chars().take(100).collect(),
            ));
        }
    };
    let mut defaulted = Vec::new();
    let params = child(key, "AlgorithmParameters");
    let algorithm = match params.and_then(|p| text_of(p, "Suite")) {
        None => Algorithm::Sha1,
        Some(suite) => {
            let name = suite.to_ascii_uppercase();
            let hash = name.strip_prefix("HMAC-").unwrap_or(&name);
            match hash {
                "SHA1" | "SHA-1" => Algorithm::Sha1,
                "SHA256" | "SHA-256" => Algorithm::Sha256,
                "SHA512" | "SHA-512" => Algorithm::Sha512,
                _ => return Err(KeyError::UnsupportedSuite(suite.chars().take(40).collect())),
            }
        }
    };
    let format = params.and_then(|p| child(p, "ResponseFormat"));
    if let Some(encoding) = format.and_then(|f| f.attribute("Encoding"))
        && encoding != "DECIMAL"
    {
        return Err(KeyError::UnsupportedEncoding(
            encoding.chars().take(40).collect(),
        ));
    }
    let digits = match format.and_then(|f| f.attribute("Length")) {
        None => {
            defaulted.push(Defaulted::Digits);
            Digits::SIX
        }
        Some(len) => {
            let n: u8 = len.trim().parse().map_err(|_| KeyError::InvalidValue {
                field: "ResponseFormat Length",
            })?;
            Digits::new(n).map_err(KeyError::Digits)?
        }
    };
    let data = child(key, "Data").ok_or(KeyError::NoSecret)?;
    let secret_node = child(data, "Secret").ok_or(KeyError::NoSecret)?;
    let (secret_bytes, secret_protection) =
        read_value(secret_node, "Secret", keys, ValueKind::Secret)?;
    // Every value read joins in: one without a MAC makes the token unprotected.
    let protection = Cell::new(secret_protection);
    let secret =
        Secret::from_bytes_with(&secret_bytes, options.length_policy).map_err(KeyError::Secret)?;
    // Read wide: `<Counter>` is an xs:unsignedLong, `<TimeDrift>` signed.
    let wide = |name: &'static str| -> Result<Option<i128>, KeyError> {
        match child(data, name) {
            None => Ok(None),
            Some(node) => {
                let (bytes, read) = read_value(node, name, keys, ValueKind::Integer)?;
                protection.set(protection.get().and(read));
                integer(&bytes)
                    .map(Some)
                    .ok_or(KeyError::InvalidValue { field: name })
            }
        }
    };
    let number = |name: &'static str| -> Result<Option<i64>, KeyError> {
        wide(name)?
            .map(|n| i64::try_from(n).map_err(|_| KeyError::InvalidValue { field: name }))
            .transpose()
    };
    let unsigned = |name: &'static str| -> Result<Option<u64>, KeyError> {
        wide(name)?
            .map(|n| u64::try_from(n).map_err(|_| KeyError::InvalidValue { field: name }))
            .transpose()
    };
    let kind = if is_totp {
        let period = match unsigned("TimeInterval")? {
            None => {
                defaulted.push(Defaulted::TimeInterval);
                Period::DEFAULT
            }
            Some(s) => Period::new(s).map_err(|_| KeyError::InvalidValue {
                field: "TimeInterval",
            })?,
        };
        Kind::Totp {
            period,
            t0: unsigned("Time")?.unwrap_or(0),
            drift: number("TimeDrift")?.unwrap_or(0),
        }
    } else {
        let counter = match unsigned("Counter")? {
            None => {
                defaulted.push(Defaulted::Counter);
                0
            }
            Some(c) => c,
        };
        Kind::Hotp { counter }
    };
    Ok(Parts {
        secret,
        algorithm,
        digits,
        kind,
        defaulted,
        protection: protection.get(),
    })
}

/// An integer value: decimal text in the clear; encrypted, either decimal text or
/// a big-endian binary integer of up to 8 bytes (as vendors write both). Wide
/// enough for both an unsigned 64-bit counter and a negative drift; the caller
/// narrows it.
fn integer(bytes: &[u8]) -> Option<i128> {
    let text = std::str::from_utf8(bytes).ok().map(str::trim);
    if let Some(t) = text
        && !t.is_empty()
        && t.strip_prefix('-')
            .unwrap_or(t)
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        return t.parse().ok();
    }
    if bytes.is_empty() || bytes.len() > 8 {
        return None;
    }
    let mut buf = [0u8; 8];
    buf.get_mut(8usize.saturating_sub(bytes.len())..)?
        .copy_from_slice(bytes);
    Some(i128::from(u64::from_be_bytes(buf)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_in_both_forms() {
        assert_eq!(integer(b"0"), Some(0));
        assert_eq!(integer(b" 42\n"), Some(42));
        assert_eq!(integer(b"-3"), Some(-3));
        assert_eq!(integer(&[0, 0, 1, 0]), Some(256));
        assert_eq!(integer(&[1; 9]), None);
        assert_eq!(integer(b""), None);
        assert_eq!(integer(&[0xff; 8]), Some(i128::from(u64::MAX)));
        assert_eq!(integer(b"18446744073709551615"), Some(i128::from(u64::MAX)));
        assert_eq!(integer(b"-9223372036854775808"), Some(i128::from(i64::MIN)));
    }
}
