//! How a set of recovery codes is made, each setting with its documented bound.

use super::BITS_PER_CHAR;
use super::MAX_CODE_LEN;
use crate::sentences::sentences;

/// How a set of codes is made: how many, how long, how they are grouped, how much
/// entropy is required and how costly each hash is.
///
/// ```
/// use otpkit::recovery::{PolicyError, RecoveryPolicy};
/// let p = RecoveryPolicy::default().with_count(8)?.with_length(20)?.with_group(5)?;
/// assert_eq!((p.count(), p.length(), p.group(), p.entropy_bits()), (8, 20, 5, 100));
/// // 10 characters are 50 bits: refused unless the minimum is lowered on purpose.
/// assert_eq!(RecoveryPolicy::default().with_length(10)?.check(),
///            Err(PolicyError::TooLittleEntropy { bits: 50, min: 64 }));
/// assert!(RecoveryPolicy::default().with_min_entropy_bits(50)?.with_length(10)?.check().is_ok());
/// # Ok::<(), PolicyError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RecoveryPolicy {
    count: u8,
    length: u8,
    group: u8,
    min_entropy_bits: u32,
    iterations: u32,
}

impl Default for RecoveryPolicy {
    /// 10 codes of 16 characters (80 bits) in groups of 4, at least 64 bits
    /// required, 10 000 PBKDF2 iterations.
    fn default() -> Self {
        RecoveryPolicy {
            count: 10,
            length: 16,
            group: 4,
            min_entropy_bits: 64,
            iterations: 10_000,
        }
    }
}

impl RecoveryPolicy {
    /// How many codes a set has (1 to [`MAX_CODES`]).
    pub const fn with_count(mut self, count: usize) -> Result<Self, PolicyError> {
        if count == 0 || count > MAX_CODES {
            return Err(PolicyError::CountOutOfRange { got: count });
        }
        self.count = count as u8;
        Ok(self)
    }

    /// Characters per code, separators not counted (1 to [`MAX_CODE_LEN`]; the
    /// entropy minimum is checked by [`RecoveryPolicy::check`] and when generating).
    pub const fn with_length(mut self, chars: usize) -> Result<Self, PolicyError> {
        if chars == 0 || chars > MAX_CODE_LEN {
            return Err(PolicyError::LengthOutOfRange { got: chars });
        }
        self.length = chars as u8;
        Ok(self)
    }

    /// Characters per group when a code is shown (`0`: one ungrouped block).
    pub const fn with_group(mut self, chars: usize) -> Result<Self, PolicyError> {
        if chars > MAX_CODE_LEN {
            return Err(PolicyError::GroupOutOfRange { got: chars });
        }
        self.group = chars as u8;
        Ok(self)
    }

    /// The least entropy per code, in bits (default 64; at least
    /// [`MIN_ENTROPY_BITS`]). Lower it only when codes are also short-lived or
    /// otherwise protected.
    pub const fn with_min_entropy_bits(mut self, bits: u32) -> Result<Self, PolicyError> {
        if bits < MIN_ENTROPY_BITS {
            return Err(PolicyError::MinimumTooLow { got: bits });
        }
        self.min_entropy_bits = bits;
        Ok(self)
    }

    /// PBKDF2-HMAC-SHA256 iterations per hash (1 to [`MAX_ITERATIONS`]); stored in
    /// the state, so a later change of policy does not break existing sets.
    pub const fn with_iterations(mut self, iterations: u32) -> Result<Self, PolicyError> {
        if iterations == 0 || iterations > MAX_ITERATIONS {
            return Err(PolicyError::IterationsOutOfRange { got: iterations });
        }
        self.iterations = iterations;
        Ok(self)
    }

    /// See [`RecoveryPolicy::with_count`].
    pub const fn count(&self) -> usize {
        self.count as usize
    }

    /// See [`RecoveryPolicy::with_length`].
    pub const fn length(&self) -> usize {
        self.length as usize
    }

    /// See [`RecoveryPolicy::with_group`].
    pub const fn group(&self) -> usize {
        self.group as usize
    }

    /// See [`RecoveryPolicy::with_min_entropy_bits`].
    pub const fn min_entropy_bits(&self) -> u32 {
        self.min_entropy_bits
    }

    /// See [`RecoveryPolicy::with_iterations`].
    pub const fn iterations(&self) -> u32 {
        self.iterations
    }

    /// The length and group size as a [`RecoveryCode`](super::RecoveryCode) stores
    /// them.
    pub(super) const fn code_form(&self) -> (u8, u8) {
        (self.length, self.group)
    }

    /// The entropy of one code: length × 5 bits.
    pub const fn entropy_bits(&self) -> u32 {
        (self.length as u32).saturating_mul(BITS_PER_CHAR)
    }

    /// Whether codes of this length meet the entropy minimum.
    pub const fn check(&self) -> Result<(), PolicyError> {
        if self.entropy_bits() < self.min_entropy_bits {
            return Err(PolicyError::TooLittleEntropy {
                bits: self.entropy_bits(),
                min: self.min_entropy_bits,
            });
        }
        Ok(())
    }
}

// The bounds the setters refuse past, beside the error that names them (the
// code length's bound, MAX_CODE_LEN, is the code's own: recovery/code.rs).

/// The most codes in one set.
pub const MAX_CODES: usize = 64;
/// NIST SP 800-63B §5.1.2.1: a look-up secret has at least 20 bits of entropy.
pub const MIN_ENTROPY_BITS: u32 = 20;
/// The most PBKDF2 iterations a state may ask for (so that a stored state cannot
/// make one attempt arbitrarily slow).
pub const MAX_ITERATIONS: u32 = 10_000_000;

/// Why a [`RecoveryPolicy`] setting was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyError {
    /// A set has 1 to [`MAX_CODES`] codes.
    CountOutOfRange {
        /// The refused count.
        got: usize,
    },
    /// A code has 1 to [`MAX_CODE_LEN`] characters.
    LengthOutOfRange {
        /// The refused length.
        got: usize,
    },
    /// A group has at most [`MAX_CODE_LEN`] characters.
    GroupOutOfRange {
        /// The refused group size.
        got: usize,
    },
    /// The entropy minimum cannot go under [`MIN_ENTROPY_BITS`].
    MinimumTooLow {
        /// The refused minimum.
        got: u32,
    },
    /// Iterations are 1 to [`MAX_ITERATIONS`].
    IterationsOutOfRange {
        /// The refused count.
        got: u32,
    },
    /// Codes of this length have less entropy than the policy requires.
    TooLittleEntropy {
        /// The codes' entropy.
        bits: u32,
        /// The policy's minimum.
        min: u32,
    },
}

sentences! {
    PolicyError {
        PolicyError::CountOutOfRange { got } => format_args!(
            "a recovery code set has 1 to {MAX_CODES} codes, got {got}"
        ),
        PolicyError::LengthOutOfRange { got } => format_args!(
            "a recovery code has 1 to {MAX_CODE_LEN} characters, got {got}"
        ),
        PolicyError::GroupOutOfRange { got } => format_args!(
            "a recovery code group has at most {MAX_CODE_LEN} characters, got {got}"
        ),
        PolicyError::MinimumTooLow { got } => format_args!(
            "recovery codes need at least {MIN_ENTROPY_BITS} bits of entropy \
             (NIST SP 800-63B), got a minimum of {got}"
        ),
        PolicyError::IterationsOutOfRange { got } => format_args!(
            "PBKDF2 iterations must be 1 to {MAX_ITERATIONS}, got {got}"
        ),
        PolicyError::TooLittleEntropy { bits, min } => format_args!(
            "recovery codes of this length have {bits} bits of entropy, \
             the policy requires at least {min}"
        ),
    }
}

impl core::error::Error for PolicyError {}

impl PolicyError {
    /// The stable [`ErrorCode`](crate::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> crate::ErrorCode {
        use crate::ErrorCode as C;
        match self {
            PolicyError::CountOutOfRange { .. } => C::RecoveryCountOutOfRange,
            PolicyError::LengthOutOfRange { .. } => C::RecoveryLengthOutOfRange,
            PolicyError::TooLittleEntropy { .. } => C::RecoveryCodesTooWeak,
            PolicyError::GroupOutOfRange { .. }
            | PolicyError::MinimumTooLow { .. }
            | PolicyError::IterationsOutOfRange { .. } => C::RecoveryPolicyOutOfRange,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recovery::{GenerateError, RecoveryCodes};

    /// Here, beside the fields, because only this module can build a policy whose
    /// bound is broken.
    #[test]
    fn a_length_past_the_buffer_is_an_error_not_a_shorter_code() {
        // Only reachable by breaking `with_length`'s bound, as this test does.
        let policy = RecoveryPolicy {
            length: 33,
            count: 1,
            ..RecoveryPolicy::default().with_iterations(1).unwrap()
        };
        let result = RecoveryCodes::generate_from(&policy, |buf| {
            buf.fill(7);
            Ok(())
        });
        assert_eq!(
            result.err(),
            Some(GenerateError::Policy(PolicyError::LengthOutOfRange {
                got: 33
            }))
        );
    }
}
