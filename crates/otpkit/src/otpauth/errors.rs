//! What parsing an `otpauth://` URI reports: warnings it got past, errors it did not.

use alloc::string::String;
use core::fmt;

#[cfg(doc)]
use super::Account;
use super::MAX_URI_LEN;
use crate::{Algorithm, Digits, Period, SecretError};

/// Something [`Account::parse`] accepted but an app may want to tell its user about.
/// `Display` gives a short sentence. Never contains secret material.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// The secret had lowercase letters (read as uppercase).
    SecretLowercase,
    /// The secret had `=` padding (ignored).
    SecretPadded,
    /// The secret had spaces, tabs or hyphens (ignored).
    SecretSpaced,
    /// The secret is shorter than RFC 4226's 128 bits. Accepted, because real services
    /// issue 80-bit secrets, but weaker.
    ShortSecret {
        /// The secret's length in bits.
        bits: usize,
    },
    /// The label's issuer prefix differs from `issuer=` (other than in ASCII case);
    /// the parameter was used (as
    /// Google Authenticator does; Microsoft's external accounts look like this).
    IssuerConflict {
        /// The issuer in the label.
        label: String,
        /// The issuer in the `issuer=` parameter, which was used.
        parameter: String,
    },
    /// `issuer=` was present but empty; the label's prefix (if any) was used.
    EmptyIssuerParameter,
    /// A non-SHA-1 algorithm: Google and Microsoft Authenticator ignore it and
    /// compute SHA-1 codes, which the service will reject.
    AlgorithmIgnoredByApps(Algorithm),
    /// A code length other than 6: some apps (older Google Authenticator, Microsoft
    /// Authenticator) ignore it and show six digits.
    DigitsIgnoredByApps(Digits),
    /// A period other than 30 s: Google and Microsoft Authenticator ignore it.
    PeriodIgnoredByApps(Period),
    /// A parameter that does not apply to this kind of account (e.g. `counter` on a
    /// TOTP URI, `period` on HOTP, `digits` on Steam) was ignored.
    IgnoredParameter {
        /// The parameter's name, lowercase.
        name: &'static str,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::SecretLowercase => f.write_str("the secret was lowercase; read as uppercase"),
            Warning::SecretPadded => f.write_str("the secret had '=' padding, which was removed"),
            Warning::SecretSpaced => {
                f.write_str("the secret had spaces or hyphens, which were removed")
            }
            Warning::ShortSecret { bits } => write!(
                f,
                "the secret is only {bits} bits, shorter than the 128 bits RFC 4226 requires"
            ),
            Warning::IssuerConflict { label, parameter } => write!(
                f,
                "the label says the issuer is \"{label}\" but the issuer parameter says \
                 \"{parameter}\"; using \"{parameter}\""
            ),
            Warning::EmptyIssuerParameter => {
                f.write_str("the issuer parameter is empty; using the label's issuer")
            }
            Warning::AlgorithmIgnoredByApps(a) => write!(
                f,
                "algorithm {a}: Google and Microsoft Authenticator ignore it and use SHA1"
            ),
            Warning::DigitsIgnoredByApps(d) => write!(
                f,
                "{d}-digit codes: some authenticator apps ignore this and show 6 digits"
            ),
            Warning::PeriodIgnoredByApps(p) => write!(
                f,
                "a {}-second period: Google and Microsoft Authenticator ignore it and use 30",
                p.seconds()
            ),
            Warning::IgnoredParameter { name } => write!(
                f,
                "the {name} parameter does not apply to this kind of account and was ignored"
            ),
        }
    }
}

/// Why an `otpauth://` URI was not accepted. Messages never contain secret material.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UriError {
    /// Longer than [`MAX_URI_LEN`] bytes.
    TooLong {
        /// The input's length in bytes.
        len: usize,
    },
    /// The scheme is not `otpauth://`.
    NotOtpauth,
    /// The type is not `totp`, `hotp`, `steam`, `motp` or `yaotp` (`yandex`).
    UnsupportedType,
    /// No `secret=` parameter.
    MissingSecret,
    /// The secret is not valid Base32 or has an impossible length.
    Secret(SecretError),
    /// `algorithm=` is not SHA1, SHA256 or SHA512.
    UnsupportedAlgorithm,
    /// `digits=` is outside 6 to 10.
    DigitsOutOfRange {
        /// The value given.
        got: u64,
    },
    /// `period=0`.
    ZeroPeriod,
    /// An `hotp` URI without `counter=`.
    MissingCounter,
    /// A number parameter is not a decimal number (or does not fit 64 bits).
    InvalidNumber {
        /// The parameter's name.
        parameter: &'static str,
    },
    /// A percent-decoded part is not UTF-8.
    InvalidUtf8 {
        /// Which part: `"label"`, a parameter name, or `"parameter name"`.
        part: &'static str,
    },
    /// A parameter this library reads appears twice, so which one an app uses is
    /// anybody's guess.
    DuplicateParameter {
        /// The parameter's name, lowercase.
        parameter: &'static str,
    },
    /// `pin=` (mOTP, Yandex) is not Base32 of non-empty UTF-8 text of at most
    /// [`MAX_PIN_LEN`](crate::MAX_PIN_LEN) bytes.
    InvalidPin,
    /// The secret of an `otpauth://yaotp/` URI is not a Yandex secret.
    YandexSecret(crate::yandex::YandexSecretError),
}

impl fmt::Display for UriError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UriError::TooLong { len } => write!(
                f,
                "the URI is {len} bytes, longer than the {MAX_URI_LEN}-byte limit"
            ),
            UriError::NotOtpauth => f.write_str("not an otpauth:// URI"),
            UriError::UnsupportedType => {
                f.write_str("unsupported OTP type: expected otpauth://totp/ or otpauth://hotp/")
            }
            UriError::MissingSecret => f.write_str("the URI has no secret parameter"),
            UriError::Secret(e) => write!(f, "bad secret: {e}"),
            UriError::UnsupportedAlgorithm => {
                f.write_str("unsupported algorithm: expected SHA1, SHA256 or SHA512")
            }
            UriError::DigitsOutOfRange { got } => write!(
                f,
                "digits must be from {} to {}, got {got}",
                Digits::MIN,
                Digits::MAX
            ),
            UriError::ZeroPeriod => f.write_str("the period must be at least one second"),
            UriError::MissingCounter => f.write_str("an hotp URI needs a counter parameter"),
            UriError::InvalidNumber { parameter } => write!(
                f,
                "the {parameter} parameter is not a whole number from 0 to 18446744073709551615"
            ),
            UriError::InvalidUtf8 { part } => {
                write!(f, "the {part} is not valid UTF-8 after percent-decoding")
            }
            UriError::DuplicateParameter { parameter } => {
                write!(f, "the {parameter} parameter appears more than once")
            }
            UriError::InvalidPin => {
                f.write_str("the pin parameter is not Base32 of a PIN of 1 to 64 bytes of text")
            }
            UriError::YandexSecret(e) => write!(f, "bad Yandex secret: {e}"),
        }
    }
}

impl core::error::Error for UriError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            UriError::Secret(e) => Some(e),
            UriError::YandexSecret(e) => Some(e),
            UriError::TooLong { .. }
            | UriError::NotOtpauth
            | UriError::UnsupportedType
            | UriError::MissingSecret
            | UriError::UnsupportedAlgorithm
            | UriError::DigitsOutOfRange { .. }
            | UriError::ZeroPeriod
            | UriError::MissingCounter
            | UriError::InvalidNumber { .. }
            | UriError::InvalidUtf8 { .. }
            | UriError::DuplicateParameter { .. }
            | UriError::InvalidPin => None,
        }
    }
}

impl From<SecretError> for UriError {
    fn from(e: SecretError) -> Self {
        UriError::Secret(e)
    }
}

impl UriError {
    /// The stable [`ErrorCode`](crate::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> crate::ErrorCode {
        use crate::ErrorCode as C;
        match self {
            UriError::TooLong { .. } => C::UriTooLong,
            UriError::NotOtpauth => C::NotOtpauthUri,
            UriError::UnsupportedType => C::UnsupportedType,
            UriError::MissingSecret => C::MissingSecret,
            UriError::Secret(e) => e.code(),
            UriError::UnsupportedAlgorithm => C::UnsupportedAlgorithm,
            UriError::DigitsOutOfRange { .. } => C::DigitsOutOfRange,
            UriError::ZeroPeriod => C::ZeroPeriod,
            UriError::MissingCounter => C::MissingCounter,
            UriError::InvalidNumber { .. } => C::InvalidNumber,
            UriError::InvalidUtf8 { .. } => C::InvalidUtf8,
            UriError::DuplicateParameter { .. } => C::DuplicateParameter,
            UriError::InvalidPin => C::InvalidPin,
            UriError::YandexSecret(_) => C::InvalidYandexSecret,
        }
    }
}

impl Warning {
    /// The warning's stable name in `SCREAMING_SNAKE_CASE`, e.g. `"SECRET_LOWERCASE"`.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Warning::SecretLowercase => "SECRET_LOWERCASE",
            Warning::SecretPadded => "SECRET_PADDED",
            Warning::SecretSpaced => "SECRET_SPACED",
            Warning::ShortSecret { .. } => "SHORT_SECRET",
            Warning::IssuerConflict { .. } => "ISSUER_CONFLICT",
            Warning::EmptyIssuerParameter => "EMPTY_ISSUER_PARAMETER",
            Warning::AlgorithmIgnoredByApps(_) => "ALGORITHM_IGNORED_BY_APPS",
            Warning::DigitsIgnoredByApps(_) => "DIGITS_IGNORED_BY_APPS",
            Warning::PeriodIgnoredByApps(_) => "PERIOD_IGNORED_BY_APPS",
            Warning::IgnoredParameter { .. } => "IGNORED_PARAMETER",
        }
    }
}
