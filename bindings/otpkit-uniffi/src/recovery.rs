//! Single-use recovery codes ([`otpkit::recovery`]): generate a set, show the codes
//! once, store only the [`RecoveryState`], verify a code against it.

use std::sync::Arc;

use otpkit::recovery as core;

use crate::{ErrorReason, OtpkitError, Policy};

/// A new set: the codes to show the user once, and the state to store in place of
/// any older set (which stops working).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RecoveryCodeSet {
    /// The codes, grouped for reading (`K7RM-2QXD-HV9T-CZ4N`). Show them once; do
    /// not store them.
    pub codes: Vec<String>,
    /// What to store: salted hashes, no code.
    pub state: Arc<RecoveryState>,
}

/// Generates `count` codes (1 to 64, default 10) of `length` characters (default
/// 16, 80 bits; fewer than 13 characters, 64 bits, are refused).
#[uniffi::export(default(count = 10, length = 16))]
pub fn generate_recovery_codes(count: u32, length: u32) -> Result<RecoveryCodeSet, OtpkitError> {
    let count = usize::try_from(count).map_err(|_| {
        OtpkitError::new(
            ErrorReason::RecoveryCountOutOfRange,
            "the count is too large",
        )
    })?;
    let length = usize::try_from(length).map_err(|_| {
        OtpkitError::new(
            ErrorReason::RecoveryLengthOutOfRange,
            "the length is too large",
        )
    })?;
    let policy = core::RecoveryPolicy::default()
        .with_count(count)?
        .with_length(length)?;
    policy.check()?;
    let set = core::RecoveryCodes::generate(&policy)?;
    Ok(RecoveryCodeSet {
        codes: set.codes().iter().map(ToString::to_string).collect(),
        state: Arc::new(RecoveryState(set.state().clone())),
    })
}

/// A set's stored state: salted hashes, which codes are used, failures. Immutable:
/// `verify` returns the state to store next.
#[derive(Clone, PartialEq, Eq, uniffi::Object)]
#[uniffi::export(Debug, Eq)]
pub struct RecoveryState(pub(crate) core::RecoveryState);

crate::transparent_debug!(RecoveryState, 0);

/// What became of a recovery attempt. Only `Accepted` lets the user in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum RecoveryOutcome {
    /// A valid unused code; it is now used.
    Accepted {
        /// Which code of the set.
        index: u32,
        /// How many unused codes are left.
        remaining: u32,
    },
    /// Not a code of this set. Counted as a failure.
    Invalid,
    /// A code of this set that was already used. Counted as a failure.
    AlreadyUsed,
    /// Too many failures: the code was not looked at.
    Locked {
        /// When the lock-out ends (Unix seconds; the largest value: until reset).
        until: u64,
    },
    /// Not of the set's form (length, alphabet). Counted as a failure.
    Malformed,
}

impl From<core::RecoveryOutcome> for RecoveryOutcome {
    fn from(o: core::RecoveryOutcome) -> Self {
        let small = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        match o {
            core::RecoveryOutcome::Accepted { index, remaining } => RecoveryOutcome::Accepted {
                index: small(index),
                remaining: small(remaining),
            },
            core::RecoveryOutcome::Invalid => RecoveryOutcome::Invalid,
            core::RecoveryOutcome::AlreadyUsed => RecoveryOutcome::AlreadyUsed,
            core::RecoveryOutcome::Locked { until } => RecoveryOutcome::Locked { until },
            // Malformed, and any outcome added to the core later: refused.
            _ => RecoveryOutcome::Malformed,
        }
    }
}

/// The outcome of a recovery attempt and the state to store afterwards (whatever
/// the outcome: failures and used codes are in it).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RecoveryVerification {
    /// What became of the attempt.
    pub outcome: RecoveryOutcome,
    /// The state to store.
    pub state: Arc<RecoveryState>,
}

#[uniffi::export]
impl RecoveryState {
    /// Reads a state written by `encode`; damage is an error.
    #[uniffi::constructor]
    pub fn decode(text: String) -> Result<Arc<Self>, OtpkitError> {
        Ok(Arc::new(RecoveryState(core::RecoveryState::decode(&text)?)))
    }

    /// The one-line text to store (`otpr1.…`, ASCII, with a checksum).
    pub fn encode(&self) -> String {
        self.0.encode()
    }

    /// The set's random id (16 hex digits): a new set has a new id.
    pub fn set_id(&self) -> String {
        self.0.set_id()
    }

    /// How many codes the set has.
    pub fn count(&self) -> u32 {
        u32::try_from(self.0.count()).unwrap_or(u32::MAX)
    }

    /// How many codes are still unused.
    pub fn remaining(&self) -> u32 {
        u32::try_from(self.0.remaining()).unwrap_or(u32::MAX)
    }

    /// Whether code `index` was used.
    pub fn is_used(&self, index: u32) -> bool {
        usize::try_from(index).is_ok_and(|i| self.0.is_used(i))
    }

    /// Failed attempts since the last accepted code.
    pub fn failures(&self) -> u32 {
        self.0.failures()
    }

    /// When the current or last lock-out ends (Unix seconds), if there was one.
    pub fn locked_until(&self) -> Option<u64> {
        self.0.locked_until()
    }

    /// The same state with failures and lock-out cleared (an administrator's reset).
    pub fn with_failures_cleared(&self) -> Arc<Self> {
        Arc::new(RecoveryState(self.0.clone().with_failures_cleared()))
    }

    /// Checks `code` (case, spaces and hyphens ignored) against every unused code,
    /// throttled like a sign-in under `policy` (default: `default_policy()`).
    #[uniffi::method(default(policy = None))]
    pub fn verify(
        &self,
        code: String,
        now: u64,
        policy: Option<Policy>,
    ) -> Result<RecoveryVerification, OtpkitError> {
        let policy = match policy {
            None => otpkit::verifier::Policy::default(),
            Some(p) => otpkit::verifier::Policy::try_from(&p)?,
        };
        let code = zeroize::Zeroizing::new(code);
        let (outcome, state) = self.0.verify(&code, now, &policy);
        Ok(RecoveryVerification {
            outcome: outcome.into(),
            state: Arc::new(RecoveryState(state)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_verifies_once_and_the_state_round_trips() {
        let set = generate_recovery_codes(3, 16).unwrap();
        assert_eq!(set.codes.len(), 3);
        let stored = set.state.encode();
        assert!(
            set.codes
                .iter()
                .all(|c| !stored.contains(&c.replace('-', "")))
        );
        let mut state = RecoveryState::decode(stored).unwrap();
        for (i, code) in set.codes.iter().enumerate() {
            let v = state.verify(code.to_lowercase(), 1000, None).unwrap();
            assert_eq!(
                v.outcome,
                RecoveryOutcome::Accepted {
                    index: i as u32,
                    remaining: 2 - i as u32
                }
            );
            let again = v.state.verify(code.clone(), 1001, None).unwrap();
            assert_eq!(again.outcome, RecoveryOutcome::AlreadyUsed);
            state = v.state;
        }
        assert_eq!(state.remaining(), 0);
    }

    #[test]
    fn errors_carry_the_core_message() {
        let weak = generate_recovery_codes(10, 10).unwrap_err();
        assert!(
            weak.reason() == crate::ErrorReason::RecoveryCodesTooWeak,
            "{weak}"
        );
        assert!(weak.to_string().contains("64"), "{weak}");
        let damaged = RecoveryState::decode("otpr1.nope".into()).unwrap_err();
        assert!(
            damaged.reason() == crate::ErrorReason::RecoveryStateDamaged,
            "{damaged}"
        );
        let set = generate_recovery_codes(1, 16).unwrap();
        let bad_policy = Policy {
            max_failures: 0,
            ..crate::default_policy()
        };
        let e = set
            .state
            .verify("x".into(), 0, Some(bad_policy))
            .unwrap_err();
        assert!(
            e.reason() == crate::ErrorReason::MaxFailuresOutOfRange,
            "{e}"
        );
    }
}
