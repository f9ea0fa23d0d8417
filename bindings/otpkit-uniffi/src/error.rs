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

use core::fmt;

/// Declares a flat binding error wrapping a core error, with one variant per core
/// variant and `Other` for variants added to the core later.
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
            /// A kind of error these bindings do not know by name; the message says
            /// what happened.
            Other($core),
        }

        impl $name {
            /// The core error this was made from.
            pub fn core(&self) -> &$core {
                match self {
                    $( $name::$variant(e) )|+ | $name::Other(e) => e,
                }
            }
        }

        impl From<$core> for $name {
            fn from(e: $core) -> Self {
                #[allow(unreachable_patterns)]
                match e {
                    $( $pattern => $name::$variant(e), )+
                    _ => $name::Other(e),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(self.core(), f)
            }
        }

        impl std::error::Error for $name {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(self.core())
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
