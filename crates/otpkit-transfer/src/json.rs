//! Shared pieces of the JSON importers: field values to otpkit types.

use otpkit::otpauth::{Account, Kind};
use otpkit::{Algorithm, Digits, Period, Secret};
use serde::Deserialize;
use serde_json::value::RawValue;
use zeroize::Zeroizing;

use crate::secret::wiped_vec;
use crate::{EntryError, EntryWarning, ImportError, clip};

/// A string field that may hold a secret: wiped on drop. Numbers are accepted and
/// read as their decimal text (some apps write numeric-looking values as numbers).
#[derive(Default)]
pub(crate) struct SecretText(pub Zeroizing<String>);

impl<'de> Deserialize<'de> for SecretText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = SecretText;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SecretText, E> {
                Ok(SecretText(Zeroizing::new(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// A JSON number or numeric string as `i64` (apps disagree on which they write).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Num(pub i64);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a whole number")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Num, E> {
                // Never saturate: a changed counter would give wrong codes.
                i64::try_from(v)
                    .map(Num)
                    .map_err(|_| E::custom("number too large"))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Num, E> {
                v.trim()
                    .parse()
                    .map(Num)
                    .map_err(|_| E::custom("not a whole number"))
            }
        }
        d.deserialize_any(V)
    }
}

/// The entries of a JSON array (each kept as raw text borrowed from the file, so each
/// is read on its own and no unwiped copy of an entry's secret is made),
/// refused whole above [`crate::MAX_ENTRIES`].
pub(crate) fn entries<'a, 'b>(raw: &'b [&'a RawValue]) -> Result<&'b [&'a RawValue], ImportError> {
    if raw.len() > crate::MAX_ENTRIES {
        return Err(ImportError::TooManyEntries {
            max: crate::MAX_ENTRIES,
        });
    }
    Ok(raw)
}

/// Reads one entry of type `T` from its raw JSON.
pub(crate) fn entry<'a, T: Deserialize<'a>>(raw: &'a RawValue) -> Result<T, EntryError> {
    serde_json::from_str(raw.get()).map_err(|e| EntryError::json(&e))
}

pub(crate) fn algorithm(
    name: Option<&str>,
    field: &'static str,
    warnings: &mut Vec<EntryWarning>,
) -> Result<Algorithm, EntryError> {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => {
            wiped_vec::push(warnings, EntryWarning::Defaulted { field });
            Ok(Algorithm::Sha1)
        }
        Some(n) => {
            let n = n
                .strip_prefix("Hmac")
                .or_else(|| n.strip_prefix("HMAC"))
                .unwrap_or(n);
            n.parse()
                .map_err(|_| EntryError::UnsupportedAlgorithm(clip(n)))
        }
    }
}

pub(crate) fn digits(
    value: Option<i64>,
    field: &'static str,
    warnings: &mut Vec<EntryWarning>,
) -> Result<Digits, EntryError> {
    match value {
        None => {
            wiped_vec::push(warnings, EntryWarning::Defaulted { field });
            Ok(Digits::SIX)
        }
        Some(d) => u8::try_from(d)
            .ok()
            .and_then(|d| Digits::new(d).ok())
            .ok_or(EntryError::InvalidDigits(d)),
    }
}

pub(crate) fn period(
    value: Option<i64>,
    field: &'static str,
    warnings: &mut Vec<EntryWarning>,
) -> Result<Period, EntryError> {
    match value {
        None => {
            wiped_vec::push(warnings, EntryWarning::Defaulted { field });
            Ok(Period::DEFAULT)
        }
        Some(p) => u64::try_from(p)
            .ok()
            .and_then(|p| Period::new(p).ok())
            .ok_or(EntryError::InvalidPeriod(p)),
    }
}

pub(crate) fn counter(
    value: Option<i64>,
    field: &'static str,
    warnings: &mut Vec<EntryWarning>,
) -> Result<u64, EntryError> {
    match value {
        None => {
            wiped_vec::push(warnings, EntryWarning::Defaulted { field });
            Ok(0)
        }
        Some(c) => u64::try_from(c).map_err(|_| EntryError::InvalidCounter),
    }
}

/// The OTP kinds the JSON formats name.
pub(crate) enum OtpType {
    Totp,
    Hotp,
    Steam,
    Motp,
    Yandex,
}

/// `totp`/`hotp`/`steam`/`motp`/`yandex` in any case; anything else is unsupported.
pub(crate) fn otp_type(name: &str) -> Result<OtpType, EntryError> {
    match name.trim().to_ascii_lowercase().as_str() {
        "totp" => Ok(OtpType::Totp),
        "hotp" => Ok(OtpType::Hotp),
        "steam" => Ok(OtpType::Steam),
        "motp" => Ok(OtpType::Motp),
        "yandex" => Ok(OtpType::Yandex),
        _ => Err(EntryError::UnsupportedType(clip(name))),
    }
}

/// Puts an account together; an empty issuer becomes `None`. A Steam account is
/// always HMAC-SHA-1 (Steam Guard has no other form; `digits` is unused by its
/// five-character codes), whatever algorithm or digits its file wrote, so every
/// importer gives the same account for it and an export and re-import keep it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn account(
    issuer: Option<&str>,
    name: &str,
    secret: Secret,
    algorithm: Algorithm,
    digits: Digits,
    kind: Kind,
) -> Account {
    let (algorithm, digits) = match kind {
        // Like Steam, mOTP and Yandex have one hash and length each; the canonical
        // values keep every importer's account equal (the PIN is set by the caller).
        Kind::Steam | Kind::Motp | Kind::Yandex => (Algorithm::Sha1, Digits::SIX),
        Kind::Totp { .. } | Kind::Hotp { .. } => (algorithm, digits),
    };
    Account {
        // As the file writes them: only an empty issuer becomes `None`.
        issuer: issuer.filter(|i| !i.is_empty()).map(str::to_owned),
        name: name.to_owned(),
        secret,
        algorithm,
        digits,
        kind,
        pin: None,
        extra: Vec::new(),
    }
}

/// The PIN of an mOTP or Yandex entry: `Some` from the file's text, or `None` with a
/// [`EntryWarning::PinNotStored`] note when the file has none (or an empty one).
pub(crate) fn pin(
    text: Option<&str>,
    warnings: &mut Vec<crate::EntryWarning>,
) -> Result<Option<otpkit::Pin>, EntryError> {
    match text.filter(|t| !t.is_empty()) {
        Some(text) => otpkit::Pin::new(text).map(Some).map_err(EntryError::Pin),
        None => {
            crate::secret::wiped_vec::push(warnings, crate::EntryWarning::PinNotStored);
            Ok(None)
        }
    }
}

/// Checks that an mOTP or Yandex entry's code length and period, where the file
/// gives them, are the scheme's own (mOTP: 6 digits, 10 s; Yandex: 8 letters, 30 s).
/// `period_free`: the format's period is only how often the app refreshes the code
/// (Authenticator Pro, andOTP), not part of it, so any is accepted.
pub(crate) fn fixed_shape(
    kind: Kind,
    digits: Option<i64>,
    period: Option<i64>,
    period_free: bool,
) -> Result<(), EntryError> {
    let (name, want_digits, want_period) = match kind {
        Kind::Motp => ("mOTP", 6, 10),
        Kind::Yandex => ("Yandex", 8, 30),
        Kind::Totp { .. } | Kind::Hotp { .. } | Kind::Steam => return Ok(()),
    };
    if let Some(got) = digits.filter(|d| *d != want_digits) {
        return Err(EntryError::DigitsFixed { kind: name, got });
    }
    if let Some(got) = period.filter(|p| *p != want_period && !period_free) {
        return Err(EntryError::PeriodFixed { kind: name, got });
    }
    Ok(())
}
