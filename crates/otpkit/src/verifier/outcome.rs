//! What a sign-in attempt came to.

use core::fmt;

use crate::{CodeError, TimeError};

/// The result of [`Verifier::verify`](super::Verifier::verify).
///
/// Only `Accepted` lets the user in. A rejection never says how close a wrong code
/// came: `Invalid` is the same for every wrong code, and `Replayed` only says the
/// code belongs to a step already used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The code is valid and fresh.
    Accepted {
        /// The time step (TOTP) or counter (HOTP) it belongs to.
        step: u64,
        /// TOTP: the device's clock offset in steps measured by this code
        /// (`step` minus the server's current step). HOTP: how many counter values
        /// the device skipped (`step` minus the expected counter).
        drift: i64,
    },
    /// The code matches no step in the window. Counts as a failure.
    Invalid,
    /// The code matches a step at or before the last accepted one (NIST SP 800-63B
    /// §5.1.4.2 / §5.1.5.2: each code is accepted once). Counts as a failure.
    Replayed,
    /// Too many failures: the code was not looked at. Try again at `until`
    /// (Unix seconds); `u64::MAX` means until an administrator clears the lock
    /// ([`DeviceState::with_failures_cleared`](super::DeviceState::with_failures_cleared)).
    Locked {
        /// When the lock-out ends.
        until: u64,
    },
    /// The text is not a code of the right form (wrong length, not digits).
    /// Counts as a failure, so malformed guesses are throttled like wrong ones.
    Malformed(CodeError),
    /// The attempt could not be evaluated; the state is unchanged and no failure
    /// is counted.
    Error(SignInError),
}

impl Outcome {
    /// Whether the user may sign in.
    ///
    /// ```
    /// use otpkit::verifier::Outcome;
    /// assert!(Outcome::Accepted { step: 1, drift: 0 }.is_accepted());
    /// assert!(!Outcome::Replayed.is_accepted());
    /// ```
    pub const fn is_accepted(&self) -> bool {
        matches!(self, Outcome::Accepted { .. })
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Accepted { .. } => f.write_str("the code was accepted"),
            Outcome::Invalid => f.write_str("the code is not valid"),
            Outcome::Replayed => f.write_str("the code was already used"),
            Outcome::Locked { until: u64::MAX } => {
                f.write_str("too many failed attempts: locked until reset")
            }
            Outcome::Locked { until } => {
                write!(f, "too many failed attempts: locked until {until}")
            }
            Outcome::Malformed(e) => write!(f, "malformed code: {e}"),
            Outcome::Error(e) => write!(f, "{e}"),
        }
    }
}

/// Why a sign-in attempt could not be evaluated at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignInError {
    /// The time could not be turned into a step.
    Time(TimeError),
    /// The HOTP counter would pass `u64::MAX`; it never wraps. Re-enrol the device.
    CounterExhausted,
    /// The state belongs to the other kind of device (TOTP state given to an HOTP
    /// verifier or the reverse).
    WrongKind,
}

impl fmt::Display for SignInError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignInError::Time(e) => write!(f, "cannot verify at this time: {e}"),
            SignInError::CounterExhausted => {
                f.write_str("the HOTP counter is exhausted; the device must be enrolled again")
            }
            SignInError::WrongKind => {
                f.write_str("the device state is for TOTP but the verifier is HOTP, or the reverse")
            }
        }
    }
}

impl core::error::Error for SignInError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            SignInError::Time(e) => Some(e),
            _ => None,
        }
    }
}
