//! Why enrolment or resynchronisation failed.

use core::fmt;

use super::SignInError;
use super::throttle::LockedUntil;
use crate::{CodeError, TimeError, VerifyError};

/// Why two codes were not accepted as a consecutive pair (shared by enrolment and
/// resynchronisation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PairError {
    FirstNotFound,
    SecondNotFound,
    NotConsecutive,
    SameCodeTwice,
}

/// Why [`Verifier::enroll`](super::Verifier::enroll) refused two codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnrollError {
    /// The first code matches no step in the enrolment window (wrong secret
    /// scanned, or a clock further off than the window).
    FirstCodeNotFound,
    /// The first code was found but the second matches no step in the window.
    SecondCodeNotFound,
    /// Both codes match steps in the window, but not consecutive ones: the second
    /// must be the very next code after the first.
    NotConsecutive,
    /// The same code was given twice; wait for the next code.
    SameCodeTwice,
    /// A code is not of the right form (the first malformed one's error).
    Malformed(CodeError),
    /// The time could not be turned into a step.
    Time(TimeError),
    /// Too many failed attempts: the codes were not looked at.
    Locked {
        /// When the lock-out ends (Unix seconds; `u64::MAX`: until cleared).
        until: u64,
    },
    /// The state is not a pending enrolment: the device is enrolled already.
    AlreadyEnrolled,
    /// The state belongs to the other kind of device.
    WrongKind,
    /// The HOTP counter would pass `u64::MAX`.
    CounterExhausted,
}

impl From<PairError> for EnrollError {
    fn from(e: PairError) -> Self {
        match e {
            PairError::FirstNotFound => EnrollError::FirstCodeNotFound,
            PairError::SecondNotFound => EnrollError::SecondCodeNotFound,
            PairError::NotConsecutive => EnrollError::NotConsecutive,
            PairError::SameCodeTwice => EnrollError::SameCodeTwice,
        }
    }
}

impl fmt::Display for EnrollError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnrollError::FirstCodeNotFound => f.write_str(
                "the first code is not valid: check the secret was entered correctly \
                 and the device's clock",
            ),
            EnrollError::SecondCodeNotFound => f.write_str("the second code is not valid"),
            EnrollError::NotConsecutive => f.write_str(
                "the two codes are not consecutive: enter a code, wait for the next one, \
                 and enter that",
            ),
            EnrollError::SameCodeTwice => f.write_str(
                "the same code was entered twice: wait for the next code and enter that",
            ),
            EnrollError::Malformed(e) => write!(f, "{}", VerifyError::Malformed(*e)),
            EnrollError::Time(e) => write!(f, "{}", VerifyError::Time(*e)),
            EnrollError::Locked { until } => write!(f, "{}", LockedUntil(*until)),
            EnrollError::AlreadyEnrolled => f.write_str("the device is already enrolled"),
            EnrollError::WrongKind => write!(f, "{}", SignInError::WrongKind),
            EnrollError::CounterExhausted => {
                f.write_str("the HOTP counter is exhausted; start a new enrolment")
            }
        }
    }
}

impl core::error::Error for EnrollError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            EnrollError::Malformed(e) => Some(e),
            EnrollError::Time(e) => Some(e),
            EnrollError::FirstCodeNotFound
            | EnrollError::SecondCodeNotFound
            | EnrollError::NotConsecutive
            | EnrollError::SameCodeTwice
            | EnrollError::Locked { .. }
            | EnrollError::AlreadyEnrolled
            | EnrollError::WrongKind
            | EnrollError::CounterExhausted => None,
        }
    }
}

/// Why [`Verifier::resync`](super::Verifier::resync) refused two codes.
///
/// The state `resync` returns with it already counts the failure when the codes
/// were wrong, repeated or malformed; store it whatever the outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResyncError {
    /// The device is locked out; the codes were not looked at.
    Locked {
        /// When the lock-out ends (Unix seconds; `u64::MAX`: until cleared).
        until: u64,
    },
    /// The two codes are not valid consecutive codes after the last accepted one
    /// within the resynchronisation window. Deliberately one variant: unlike
    /// enrolment, resynchronisation runs on an account an attacker may be guessing
    /// at, so it does not say which code was wrong, nor whether either was close.
    Rejected,
    /// The same code was given twice.
    SameCodeTwice,
    /// A code is not of the right form (the first malformed one's error).
    Malformed(CodeError),
    /// The time could not be turned into a step.
    Time(TimeError),
    /// The HOTP counter would pass `u64::MAX`.
    CounterExhausted,
    /// The state belongs to the other kind of device.
    WrongKind,
    /// The device has not finished enrolling.
    NotEnrolled,
}

impl fmt::Display for ResyncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResyncError::Locked { until } => write!(f, "{}", LockedUntil(*until)),
            ResyncError::Rejected => f.write_str("the codes are not two consecutive valid codes"),
            ResyncError::SameCodeTwice => write!(f, "{}", EnrollError::SameCodeTwice),
            ResyncError::Malformed(e) => write!(f, "{}", VerifyError::Malformed(*e)),
            ResyncError::Time(e) => write!(f, "{}", VerifyError::Time(*e)),
            ResyncError::CounterExhausted => write!(f, "{}", SignInError::CounterExhausted),
            ResyncError::WrongKind => write!(f, "{}", SignInError::WrongKind),
            ResyncError::NotEnrolled => write!(f, "{}", SignInError::NotEnrolled),
        }
    }
}

impl core::error::Error for ResyncError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            ResyncError::Malformed(e) => Some(e),
            ResyncError::Time(e) => Some(e),
            ResyncError::Locked { .. }
            | ResyncError::Rejected
            | ResyncError::SameCodeTwice
            | ResyncError::CounterExhausted
            | ResyncError::WrongKind
            | ResyncError::NotEnrolled => None,
        }
    }
}

impl EnrollError {
    /// The stable [`ErrorCode`](crate::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> crate::ErrorCode {
        use crate::ErrorCode as C;
        match self {
            EnrollError::FirstCodeNotFound => C::FirstCodeNotFound,
            EnrollError::SecondCodeNotFound => C::SecondCodeNotFound,
            EnrollError::NotConsecutive => C::NotConsecutive,
            EnrollError::SameCodeTwice => C::SameCodeTwice,
            EnrollError::Malformed(e) => e.code(),
            EnrollError::Time(e) => e.code(),
            EnrollError::Locked { .. } => C::Locked,
            EnrollError::AlreadyEnrolled => C::AlreadyEnrolled,
            EnrollError::WrongKind => C::WrongKind,
            EnrollError::CounterExhausted => C::CounterExhausted,
        }
    }
}

impl ResyncError {
    /// The stable [`ErrorCode`](crate::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> crate::ErrorCode {
        use crate::ErrorCode as C;
        match self {
            ResyncError::Locked { .. } => C::Locked,
            ResyncError::Rejected => C::Rejected,
            ResyncError::SameCodeTwice => C::SameCodeTwice,
            ResyncError::Malformed(e) => e.code(),
            ResyncError::Time(e) => e.code(),
            ResyncError::CounterExhausted => C::CounterExhausted,
            ResyncError::WrongKind => C::WrongKind,
            ResyncError::NotEnrolled => C::NotEnrolled,
        }
    }
}
