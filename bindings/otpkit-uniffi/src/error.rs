//! The errors the bindings throw: one flat enum per concern, mirroring the core's.
//!
//! Each is `#[uniffi(flat_error)]`: Kotlin gets a sealed `…Exception` class with one
//! subclass per variant, Swift an `Error` enum, Python an exception class with one
//! subclass per variant. The foreign message is the core error's `Display` text,
//! which never contains secret material or what the user typed.
//!
//! Every variant keeps the core error it came from, so Rust callers lose nothing.
//! The core's error enums are `#[non_exhaustive]`; a variant these bindings were not
//! built to know becomes `Other`, still carrying the core's message (it is never
//! turned into a different, wrong variant).

use otpkit::migration::{EncodeError, MigrationError as CoreMigrationError};
use otpkit::otpauth::UriError as CoreUriError;
use otpkit::steam::SteamUriError as CoreSteamUriError;
use otpkit::verifier::{
    EnrollError as CoreEnrollError, PolicyError as CorePolicyError, ResyncError as CoreResyncError,
    SignInError as CoreSignInError, StateError as CoreStateError,
};

use core::fmt;

/// Declares a flat binding error wrapping a core error, with one variant per core
/// variant and `Other` for anything else (a variant added to the core later, or a
/// value these bindings cannot represent), which carries its message.
macro_rules! flat_error {
    (
        $(#[$meta:meta])*
        $name:ident wraps $core:ty {
            $( $(#[$vmeta:meta])* $variant:ident <= $pattern:pat ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, uniffi::Error)]
        #[uniffi(flat_error)]
        pub enum $name {
            $( $(#[$vmeta])* $variant($core), )+
            /// Something these bindings do not know by name; the message says what.
            Other(String),
        }

        impl From<$core> for $name {
            fn from(e: $core) -> Self {
                #[allow(unreachable_patterns)]
                match e {
                    $( $pattern => $name::$variant(e), )+
                    _ => $name::Other(e.to_string()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $( $name::$variant(e) )|+ => fmt::Display::fmt(e, f),
                    $name::Other(message) => f.write_str(message),
                }
            }
        }

        impl std::error::Error for $name {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                match self {
                    $( $name::$variant(e) )|+ => Some(e),
                    $name::Other(_) => None,
                }
            }
        }
    };
}

flat_error! {
    /// Why a secret was not accepted (from Base32 text, bytes or the RNG).
    SecretError wraps otpkit::SecretError {
        /// The secret has no bytes, or the text no Base32 characters.
        Empty <= otpkit::SecretError::Empty,
        /// Shorter than RFC 4226's 128 bits; pass `allow_short` to accept it.
        TooShort <= otpkit::SecretError::TooShort { .. },
        /// Longer than 128 bytes.
        TooLong <= otpkit::SecretError::TooLong { .. },
        /// A character that is not Base32; the message gives its position.
        InvalidCharacter <= otpkit::SecretError::InvalidCharacter { .. },
        /// A number of Base32 characters that encodes no whole number of bytes.
        InvalidLength <= otpkit::SecretError::InvalidLength { .. },
        /// The operating system's random number generator failed.
        RngFailed <= otpkit::SecretError::RngFailed,
    }
}

flat_error! {
    /// Why a time could not be turned into a TOTP step.
    TimeError wraps otpkit::TimeError {
        /// The period is zero seconds.
        ZeroPeriod <= otpkit::TimeError::ZeroPeriod,
        /// The time is before the TOTP epoch `t0`.
        BeforeEpoch <= otpkit::TimeError::BeforeEpoch,
        /// The time step is too large to compute.
        Overflow <= otpkit::TimeError::Overflow,
        /// The system clock is set before 1970.
        ClockBeforeUnixEpoch <= otpkit::TimeError::ClockBeforeUnixEpoch,
    }
}

flat_error! {
    /// Why a code could not be checked, or did not match.
    VerifyError wraps otpkit::VerifyError {
        /// What was typed is not a code of the right length; the message says why
        /// (without repeating it).
        Malformed <= otpkit::VerifyError::Malformed(_),
        /// The code matches no step of the window.
        Mismatch <= otpkit::VerifyError::Mismatch,
        /// The time cannot be turned into a step.
        Time <= otpkit::VerifyError::Time(_),
    }
}

flat_error! {
    /// Why an `otpauth://` URI was not accepted.
    UriError wraps CoreUriError {
        /// Longer than the 4096-byte limit.
        TooLong <= CoreUriError::TooLong { .. },
        /// Not an `otpauth://` URI.
        NotOtpauth <= CoreUriError::NotOtpauth,
        /// Not `totp`, `hotp` or `steam`.
        UnsupportedType <= CoreUriError::UnsupportedType,
        /// No `secret=` parameter.
        MissingSecret <= CoreUriError::MissingSecret,
        /// The secret is not valid Base32 or has an impossible length.
        Secret <= CoreUriError::Secret(_),
        /// `algorithm=` is not SHA1, SHA256 or SHA512.
        UnsupportedAlgorithm <= CoreUriError::UnsupportedAlgorithm,
        /// `digits=` is outside 6 to 10.
        DigitsOutOfRange <= CoreUriError::DigitsOutOfRange { .. },
        /// `period=0`.
        ZeroPeriod <= CoreUriError::ZeroPeriod,
        /// An `hotp` URI without `counter=`.
        MissingCounter <= CoreUriError::MissingCounter,
        /// A number parameter is not a decimal number that fits 64 bits.
        InvalidNumber <= CoreUriError::InvalidNumber { .. },
        /// A percent-decoded part is not UTF-8.
        InvalidUtf8 <= CoreUriError::InvalidUtf8 { .. },
        /// A parameter appears twice.
        DuplicateParameter <= CoreUriError::DuplicateParameter { .. },
    }
}

flat_error! {
    /// Why an `otpauth-migration://` export could not be read as a whole.
    MigrationError wraps CoreMigrationError {
        /// Longer than the 64 KiB limit.
        TooLong <= CoreMigrationError::TooLong { .. },
        /// Not `otpauth-migration://offline?…`.
        NotMigrationUri <= CoreMigrationError::NotMigrationUri,
        /// No `data=` parameter.
        MissingData <= CoreMigrationError::MissingData,
        /// `data=` appears more than once.
        DuplicateData <= CoreMigrationError::DuplicateData,
        /// `data` is not base64.
        InvalidBase64 <= CoreMigrationError::InvalidBase64,
        /// `data` is base64 but not a Google Authenticator export.
        InvalidProtobuf <= CoreMigrationError::InvalidProtobuf,
    }
}

flat_error! {
    /// Why accounts could not be written as `otpauth-migration://` URIs.
    MigrationEncodeError wraps EncodeError {
        /// Zero accounts per batch.
        ZeroBatchSize <= EncodeError::ZeroBatchSize,
        /// More batches than the format can number.
        TooManyBatches <= EncodeError::TooManyBatches,
        /// The format has 6 and 8 digits only.
        DigitsUnsupported <= EncodeError::DigitsUnsupported { .. },
        /// The format has no period: every TOTP entry is 30 s.
        PeriodUnsupported <= EncodeError::PeriodUnsupported { .. },
        /// The format has no Steam type.
        SteamUnsupported <= EncodeError::SteamUnsupported { .. },
        /// The counter does not fit the format's signed 64 bits.
        CounterTooLarge <= EncodeError::CounterTooLarge { .. },
    }
}

flat_error! {
    /// Why a `steam://` URI was not accepted.
    SteamUriError wraps CoreSteamUriError {
        /// Not a `steam://` URI.
        NotSteamUri <= CoreSteamUriError::NotSteamUri,
        /// Longer than the 1024-byte limit.
        TooLong <= CoreSteamUriError::TooLong { .. },
        /// The secret is not valid Base32.
        Secret <= CoreSteamUriError::Secret(_),
    }
}

flat_error! {
    /// Why a verifier policy was not accepted.
    PolicyError wraps CorePolicyError {
        /// `max_failures` outside 1 to 100 (NIST SP 800-63B).
        MaxFailuresOutOfRange <= CorePolicyError::MaxFailuresOutOfRange { .. },
        /// A lock-out base delay of zero or above the maximum.
        InvalidLockout <= CorePolicyError::InvalidLockout { .. },
        /// A window, look-ahead or drift bound above its documented maximum (a
        /// wider search would let guesses through).
        OutOfRange <= CorePolicyError::OutOfRange { .. },
    }
}

flat_error! {
    /// Why a stored device state could not be read.
    StateError wraps CoreStateError {
        /// Longer than any state.
        TooLong <= CoreStateError::TooLong { .. },
        /// Not an otpkit device state.
        NotAState <= CoreStateError::NotAState,
        /// A state of a format version this library does not read.
        UnsupportedVersion <= CoreStateError::UnsupportedVersion,
        /// The checksum does not match: the text was changed or truncated.
        ChecksumMismatch <= CoreStateError::ChecksumMismatch,
        /// A field is missing.
        MissingField <= CoreStateError::MissingField { .. },
        /// A field is not valid.
        InvalidField <= CoreStateError::InvalidField { .. },
        /// Extra fields after the last one.
        TrailingFields <= CoreStateError::TrailingFields,
    }
}

flat_error! {
    /// Why an enrolment attempt could not be evaluated at all (the state is
    /// unchanged and no failure was counted). Refused codes are not errors but an
    /// `EnrollOutcome.Refused`, which comes with the state to store.
    EnrollError wraps CoreEnrollError {
        /// The time could not be turned into a step.
        Time <= CoreEnrollError::Time(_),
        /// The state is not a pending enrolment: the device is enrolled already.
        AlreadyEnrolled <= CoreEnrollError::AlreadyEnrolled,
        /// The state is for the other kind of device.
        WrongKind <= CoreEnrollError::WrongKind,
        /// The HOTP counter would pass its maximum.
        CounterExhausted <= CoreEnrollError::CounterExhausted,
    }
}

flat_error! {
    /// Why a resynchronisation attempt could not be evaluated at all (the state is
    /// unchanged and no failure was counted). Refused codes are not errors but a
    /// `ResyncOutcome`, which comes with the state to store (the failure counted).
    ResyncError wraps CoreResyncError {
        /// The time could not be turned into a step.
        Time <= CoreResyncError::Time(_),
        /// The HOTP counter would pass its maximum.
        CounterExhausted <= CoreResyncError::CounterExhausted,
        /// The state is for the other kind of device.
        WrongKind <= CoreResyncError::WrongKind,
        /// The device has not finished enrolling.
        NotEnrolled <= CoreResyncError::NotEnrolled,
    }
}

flat_error! {
    /// Why a sign-in attempt could not be evaluated at all. The state is unchanged
    /// and no failure was counted.
    SignInError wraps CoreSignInError {
        /// The time could not be turned into a step.
        Time <= CoreSignInError::Time(_),
        /// The HOTP counter would pass its maximum: enrol the device again.
        CounterExhausted <= CoreSignInError::CounterExhausted,
        /// The state is for the other kind of device.
        WrongKind <= CoreSignInError::WrongKind,
        /// The state is a pending enrolment: finish it first.
        NotEnrolled <= CoreSignInError::NotEnrolled,
    }
}

/// Why a generator's settings were not accepted: the digit count or the period.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Error)]
#[uniffi(flat_error)]
pub enum ParameterError {
    /// Digits outside 6 to 10.
    Digits(otpkit::DigitsError),
    /// A period of zero seconds.
    Period(otpkit::TimeError),
}

impl From<otpkit::DigitsError> for ParameterError {
    fn from(e: otpkit::DigitsError) -> Self {
        ParameterError::Digits(e)
    }
}

impl fmt::Display for ParameterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParameterError::Digits(e) => fmt::Display::fmt(e, f),
            ParameterError::Period(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for ParameterError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ParameterError::Digits(e) => Some(e),
            ParameterError::Period(e) => Some(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_follow_the_core_and_keep_its_message() {
        let core = otpkit::SecretError::TooShort { bits: 80 };
        let e = SecretError::from(core);
        assert_eq!(e, SecretError::TooShort(core));
        assert_eq!(e.to_string(), core.to_string());
        assert_eq!(
            SecretError::from(otpkit::SecretError::InvalidCharacter { position: 3 }),
            SecretError::InvalidCharacter(otpkit::SecretError::InvalidCharacter { position: 3 })
        );
        assert_eq!(
            SecretError::from(otpkit::SecretError::RngFailed),
            SecretError::RngFailed(otpkit::SecretError::RngFailed)
        );
        let m = VerifyError::from(otpkit::VerifyError::Mismatch);
        assert_eq!(
            ResyncError::from(CoreResyncError::NotEnrolled),
            ResyncError::NotEnrolled(CoreResyncError::NotEnrolled)
        );
        assert_eq!(
            UriError::from(CoreUriError::MissingSecret).to_string(),
            CoreUriError::MissingSecret.to_string()
        );
        assert_eq!(m, VerifyError::Mismatch(otpkit::VerifyError::Mismatch));
        let t = TimeError::from(otpkit::TimeError::BeforeEpoch);
        assert_eq!(t, TimeError::BeforeEpoch(otpkit::TimeError::BeforeEpoch));
    }

    #[test]
    fn source_is_the_core_error() {
        use std::error::Error as _;
        let e = VerifyError::from(otpkit::VerifyError::Mismatch);
        let source = e.source().map(|s| s.to_string());
        assert_eq!(source, Some("the code is not valid".to_string()));
    }
}
