//! What a sign-in attempt came to.

use core::fmt;

use super::throttle::LockedUntil;
use super::{EnrollError, ResyncError};
use crate::{CodeError, TimeError, VerifyError};

/// An outcome type's two impls from one table: the predicate `$is` (whether the
/// outcome is `$success`, with its docs) and `Display`, one sentence per variant
/// (see [`crate::sentences`]). Used by the
/// verifier's outcomes and by [`RecoveryOutcome`](crate::recovery::RecoveryOutcome).
macro_rules! outcome_impls {
    (
        $outcome:ty;
        $(#[$is_doc:meta])*
        $is:ident: $success:pat,
        $($variant:pat => $sentence:expr,)+
    ) => {
        impl $outcome {
            $(#[$is_doc])*
            pub const fn $is(&self) -> bool {
                matches!(self, $success)
            }
        }

        $crate::sentences::sentences! {
            $outcome { $($variant => $sentence,)+ }
        }
    };
}
#[cfg(feature = "alloc")] // for `recovery`, through `verifier`
pub(crate) use outcome_impls;

/// The result of [`Verifier::verify`](super::Verifier::verify).
///
/// Only `Accepted` lets the user in. A rejection never says how close a wrong code
/// came: `Invalid` is the same for every wrong code, and `Replayed` only says the
/// code belongs to a step already used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use = "only `Accepted` lets the user in"]
pub enum Outcome {
    /// The code is valid and fresh.
    Accepted {
        /// The time step (TOTP) or counter (HOTP) it belongs to.
        step: u64,
        /// TOTP: `step` minus the server's current step, as measured by this code
        /// (a late submission and a slow clock both make it negative; the drift the
        /// state learns from it is [`DeviceState::drift`](super::DeviceState::drift)).
        /// HOTP: how many counter values the device skipped (`step` minus the
        /// expected counter).
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

outcome_impls! {
    Outcome;
    /// Whether the user may sign in.
    ///
    /// ```
    /// use otpkit::verifier::Outcome;
    /// assert!(Outcome::Accepted { step: 1, drift: 0 }.is_accepted());
    /// assert!(!Outcome::Replayed.is_accepted());
    /// ```
    is_accepted: Outcome::Accepted { .. },
    Outcome::Accepted { .. } => "the code was accepted",
    Outcome::Invalid => VerifyError::Mismatch,
    Outcome::Replayed => "the code was already used",
    Outcome::Locked { until } => LockedUntil(*until),
    Outcome::Malformed(e) => VerifyError::Malformed(*e),
    Outcome::Error(e) => e,
}

/// Why a sign-in attempt could not be evaluated at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInError {
    /// The time could not be turned into a step.
    Time(TimeError),
    /// The HOTP counter would pass `u64::MAX`; it never wraps. Re-enrol the device.
    CounterExhausted,
    /// The state belongs to the other kind of device (TOTP state given to an HOTP
    /// verifier or the reverse).
    WrongKind,
    /// The state is a pending enrolment: finish it with
    /// [`Verifier::enroll_code`](super::Verifier::enroll_code) first.
    NotEnrolled,
}

impl fmt::Display for SignInError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignInError::Time(e) => write!(f, "{}", VerifyError::Time(*e)),
            SignInError::CounterExhausted => {
                f.write_str("the HOTP counter is exhausted; the device must be enrolled again")
            }
            SignInError::WrongKind => {
                f.write_str("the device state is for TOTP but the verifier is HOTP, or the reverse")
            }
            SignInError::NotEnrolled => f.write_str("the device has not finished enrolling"),
        }
    }
}

impl core::error::Error for SignInError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            SignInError::Time(e) => Some(e),
            SignInError::CounterExhausted | SignInError::WrongKind | SignInError::NotEnrolled => {
                None
            }
        }
    }
}

/// The result of [`Verifier::enroll_code`](super::Verifier::enroll_code) and
/// [`Verifier::enroll`](super::Verifier::enroll). Store the state returned with it
/// whatever it is: a pending enrolment keeps the first code and the failure count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use = "only `Enrolled` finishes the enrolment"]
pub enum EnrollOutcome {
    /// The device is enrolled; the state is ready for sign-ins.
    Enrolled {
        /// The step (TOTP) or counter (HOTP) of the last code accepted.
        step: u64,
        /// TOTP: the clock drift learned, in steps (0 unless the codes prove the
        /// device's clock is off); HOTP: 0.
        drift: i64,
    },
    /// The code is valid: ask for the device's next code.
    NeedNextCode,
    /// The code or codes were refused; the user may try again with the same
    /// secret. Wrong and malformed codes count as failures (see the state).
    Rejected(EnrollError),
}

outcome_impls! {
    EnrollOutcome;
    /// Whether enrolment is complete.
    ///
    /// ```
    /// use otpkit::verifier::EnrollOutcome;
    /// assert!(EnrollOutcome::Enrolled { step: 5, drift: 0 }.is_enrolled());
    /// assert!(!EnrollOutcome::NeedNextCode.is_enrolled());
    /// ```
    is_enrolled: EnrollOutcome::Enrolled { .. },
    EnrollOutcome::Enrolled { .. } => "the device is enrolled",
    EnrollOutcome::NeedNextCode => "the code is valid: now enter the next code the device shows",
    EnrollOutcome::Rejected(e) => e,
}

/// The result of [`Verifier::resync`](super::Verifier::resync). Store the state
/// returned with it whatever it is: a refused resynchronisation is a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use = "only `Resynced` means the device is in sync again"]
pub enum ResyncOutcome {
    /// The device is in sync again.
    Resynced {
        /// The step (TOTP) or counter (HOTP) of the second code.
        step: u64,
        /// TOTP: the drift learned, in steps; HOTP: 0.
        drift: i64,
    },
    /// Refused.
    Rejected(ResyncError),
}

outcome_impls! {
    ResyncOutcome;
    /// Whether the device is in sync again.
    is_resynced: ResyncOutcome::Resynced { .. },
    ResyncOutcome::Resynced { .. } => "the device is in sync again",
    ResyncOutcome::Rejected(e) => e,
}

impl SignInError {
    /// The stable [`ErrorCode`](crate::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> crate::ErrorCode {
        use crate::ErrorCode as C;
        match self {
            SignInError::Time(e) => e.code(),
            SignInError::CounterExhausted => C::CounterExhausted,
            SignInError::WrongKind => C::WrongKind,
            SignInError::NotEnrolled => C::NotEnrolled,
        }
    }
}

impl Outcome {
    /// Why the attempt did not let the user in, as a stable
    /// [`ErrorCode`](crate::ErrorCode); `None` for [`Outcome::Accepted`].
    #[must_use]
    pub const fn code(&self) -> Option<crate::ErrorCode> {
        use crate::ErrorCode as C;
        match self {
            Outcome::Accepted { .. } => None,
            Outcome::Invalid => Some(C::CodeMismatch),
            Outcome::Replayed => Some(C::Replayed),
            Outcome::Locked { .. } => Some(C::Locked),
            Outcome::Malformed(e) => Some(e.code()),
            Outcome::Error(e) => Some(e.code()),
        }
    }
}
