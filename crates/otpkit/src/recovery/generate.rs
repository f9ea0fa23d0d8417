//! Making a new set: random codes, shown once, and the state that holds only
//! their hashes.

use alloc::vec::Vec;
use core::fmt;

use zeroize::Zeroizing;

use super::code::{ALPHABET, MAX_CODE_LEN, RecoveryCode};
use super::policy::{PolicyError, RecoveryPolicy};
use super::state::{RecoveryState, SALT_LEN, SET_ID_LEN, derive};

/// Why a set could not be generated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenerateError {
    /// The policy does not allow codes this weak.
    Policy(PolicyError),
    /// The random number generator failed.
    RngFailed,
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GenerateError::Policy(e) => write!(f, "cannot generate recovery codes: {e}"),
            GenerateError::RngFailed => {
                f.write_str("cannot generate recovery codes: the random number generator failed")
            }
        }
    }
}

impl core::error::Error for GenerateError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            GenerateError::Policy(e) => Some(e),
            GenerateError::RngFailed => None,
        }
    }
}

/// A freshly generated set: the codes (show them once, then drop them) and the
/// state to store.
#[derive(Debug)]
pub struct RecoveryCodes {
    codes: Vec<RecoveryCode>,
    state: RecoveryState,
}

impl RecoveryCodes {
    /// A new set from the operating system's RNG.
    #[cfg(feature = "getrandom")]
    pub fn generate(policy: &RecoveryPolicy) -> Result<Self, GenerateError> {
        Self::generate_from(policy, |buf| {
            getrandom::fill(buf).map_err(|_| GenerateError::RngFailed)
        })
    }

    /// A new set from a caller-supplied cryptographic RNG.
    pub fn generate_with_rng<R: rand_core::CryptoRng + ?Sized>(
        policy: &RecoveryPolicy,
        rng: &mut R,
    ) -> Result<Self, GenerateError> {
        Self::generate_from(policy, |buf| {
            rng.fill_bytes(buf);
            Ok(())
        })
    }

    pub(super) fn generate_from(
        policy: &RecoveryPolicy,
        mut fill: impl FnMut(&mut [u8]) -> Result<(), GenerateError>,
    ) -> Result<Self, GenerateError> {
        policy.check().map_err(GenerateError::Policy)?;
        let mut set_id = [0u8; SET_ID_LEN];
        let mut salt = [0u8; SALT_LEN];
        fill(&mut set_id)?;
        fill(&mut salt)?;
        let (code_len, group) = policy.code_form();
        let len = usize::from(code_len);
        // `with_length` keeps `len` within MAX_CODE_LEN; were that ever broken, an
        // error rather than a code made of fewer characters.
        let too_long = GenerateError::Policy(PolicyError::LengthOutOfRange { got: len });
        // Exact capacity: the buffer never moves, so no copy of a code is left in
        // a block freed by a reallocation.
        let mut codes: Vec<RecoveryCode> = Vec::with_capacity(policy.count());
        let mut hashes = Vec::with_capacity(policy.count());
        let mut random = Zeroizing::new([0u8; MAX_CODE_LEN]);
        while codes.len() < policy.count() {
            let random = random.get_mut(..len).ok_or(too_long)?;
            fill(random)?;
            let mut code = RecoveryCode {
                chars: [0; MAX_CODE_LEN],
                len: code_len,
                group,
            };
            for (c, r) in code.chars.iter_mut().zip(random.iter()) {
                *c = ALPHABET.get(usize::from(r & 31)).copied().unwrap_or(b'2');
            }
            // Two equal codes would share one hash; draw again (only plausible with
            // a lowered entropy minimum).
            if codes.iter().any(|c| c.ungrouped() == code.ungrouped()) {
                continue;
            }
            hashes.push(derive(
                code.chars.get(..len).ok_or(too_long)?,
                &set_id,
                &salt,
                policy.iterations(),
            ));
            codes.push(code);
        }
        Ok(RecoveryCodes {
            codes,
            state: RecoveryState::new_set(set_id, salt, policy.iterations(), code_len, hashes),
        })
    }

    /// The codes, in order; [`RecoveryOutcome::Accepted`](super::RecoveryOutcome::Accepted) gives the index of the
    /// one used.
    pub fn codes(&self) -> &[RecoveryCode] {
        &self.codes
    }

    /// The state to store (no code in it).
    pub fn state(&self) -> &RecoveryState {
        &self.state
    }

    /// The state alone, dropping (and wiping) the codes.
    pub fn into_state(self) -> RecoveryState {
        self.state
    }
}

impl GenerateError {
    /// The stable [`ErrorCode`](crate::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> crate::ErrorCode {
        match self {
            GenerateError::Policy(e) => e.code(),
            GenerateError::RngFailed => crate::ErrorCode::RngFailed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> RecoveryPolicy {
        RecoveryPolicy::default().with_iterations(1).unwrap()
    }

    #[test]
    fn duplicates_are_drawn_again() {
        // An RNG that repeats the same 4 characters twice before moving on.
        let policy = fast()
            .with_min_entropy_bits(20)
            .unwrap()
            .with_length(4)
            .unwrap()
            .with_count(2)
            .unwrap();
        let mut calls = 0u8;
        let set = RecoveryCodes::generate_from(&policy, |buf| {
            calls += 1;
            // calls 1, 2: set id and salt; 3, 4: the same code; 5: another.
            buf.fill(if calls == 5 { 1 } else { 0 });
            Ok(())
        })
        .unwrap();
        assert_eq!(calls, 5);
        assert_eq!(set.codes()[0].ungrouped(), "2222");
        assert_eq!(set.codes()[1].ungrouped(), "3333");
    }
}
