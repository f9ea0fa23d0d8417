//! What a recovery attempt came to.

use crate::verifier::outcome_impls;
use crate::verifier::throttle::LockedUntil;

/// What a recovery attempt came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecoveryOutcome {
    /// A valid, unused code: let the user in. It is now used.
    Accepted {
        /// Which code of the set (its position in [`RecoveryCodes::codes`](super::RecoveryCodes::codes)).
        index: usize,
        /// How many unused codes are left.
        remaining: usize,
    },
    /// No code of this set. Counts as a failure.
    Invalid,
    /// A code of this set that was already used. Counts as a failure.
    AlreadyUsed,
    /// Too many failures: the input was not looked at. Try again at `until`
    /// (`u64::MAX`: after [`RecoveryState::with_failures_cleared`](super::RecoveryState::with_failures_cleared)).
    Locked {
        /// When the lock-out ends (Unix seconds).
        until: u64,
    },
    /// Not a code of this set's form (a character outside the alphabet, the wrong
    /// length). Counts as a failure.
    Malformed,
}

outcome_impls! {
    RecoveryOutcome;
    /// Whether the user may sign in.
    is_accepted: RecoveryOutcome::Accepted { .. },
    RecoveryOutcome::Accepted { remaining, .. } => format_args!("the recovery code was accepted; {remaining} left"),
    RecoveryOutcome::Invalid => "not a valid recovery code",
    RecoveryOutcome::AlreadyUsed => "the recovery code was already used",
    RecoveryOutcome::Locked { until } => LockedUntil(*until),
    RecoveryOutcome::Malformed => "not a recovery code of the right form",
}

impl RecoveryOutcome {
    /// Why the attempt did not let the user in, as a stable
    /// [`ErrorCode`](crate::ErrorCode); `None` for [`RecoveryOutcome::Accepted`].
    #[must_use]
    pub const fn code(&self) -> Option<crate::ErrorCode> {
        use crate::ErrorCode as C;
        match self {
            RecoveryOutcome::Accepted { .. } => None,
            RecoveryOutcome::Invalid => Some(C::CodeMismatch),
            RecoveryOutcome::AlreadyUsed => Some(C::Replayed),
            RecoveryOutcome::Locked { .. } => Some(C::Locked),
            RecoveryOutcome::Malformed => Some(C::CodeMalformed),
        }
    }
}
