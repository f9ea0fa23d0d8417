//! Single-use recovery codes: the way in for a user who lost the device, until an
//! administrator enrols a new one (NIST SP 800-63B §5.1.2, "look-up secrets").
//!
//! [`RecoveryCodes::generate`] makes a set of random codes and a [`RecoveryState`];
//! show the codes to the user once and store only the state. The state holds no
//! code: a salt, one PBKDF2-HMAC-SHA256 hash per code, which codes are used, and the
//! same failure count and lock-out as a sign-in. [`RecoveryState::verify`] is pure,
//! like [`Verifier::verify`](crate::verifier::Verifier::verify): state in,
//! outcome and new state out, to be saved with a compare-and-swap (see the
//! [verifier docs](crate::verifier#persisting-the-new-state-compare-and-swap)).
//!
//! ```
//! use otpkit::recovery::{RecoveryCodes, RecoveryOutcome, RecoveryPolicy, RecoveryState};
//! use otpkit::verifier::Policy;
//!
//! let set = RecoveryCodes::generate(&RecoveryPolicy::default())?;
//! for code in set.codes() {
//!     println!("{code}"); // e.g. "K7RM-2QXD-HV9T-CZ4N", shown once
//! }
//! let column = set.state().encode(); // "otpr1.…": hashes only
//!
//! let stored: RecoveryState = column.parse()?;
//! let typed = set.codes()[3].to_string().to_lowercase().replace('-', " ");
//! let (outcome, new) = stored.verify(&typed, 1_700_000_000, &Policy::default());
//! assert!(matches!(outcome, RecoveryOutcome::Accepted { index: 3, remaining: 9 }));
//! // Save `new` (compare-and-swap); the same code is refused from now on.
//! let (again, _) = new.verify(&typed, 1_700_000_001, &Policy::default());
//! assert_eq!(again, RecoveryOutcome::AlreadyUsed);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Codes
//!
//! Codes are drawn uniformly from 32 characters, `23456789ABCDEFGHJKLMNPQRSTUVWXYZ`
//! (no `0`/`O`, `1`/`I`), 5 bits each, and shown in groups (`K7RM-2QXD-…`). Input
//! ignores case, spaces and hyphens. The default is 10 codes of 16 characters
//! (80 bits); a [`RecoveryPolicy`] refuses codes under 64 bits unless its
//! [minimum](RecoveryPolicy::with_min_entropy_bits) is lowered on purpose.
//!
//! ## Why PBKDF2, and its cost
//!
//! SP 800-63B §5.1.2.2 asks that look-up secrets under 112 bits be stored salted and
//! hashed with a key derivation function that has a cost. A recovery code has at
//! least 64 bits of entropy (80 by default), so it cannot be guessed online (the
//! throttle allows at most 100 consecutive failures) and an offline search through a
//! leaked state costs 2^64 or more derivations even before the cost factor: a fast
//! hash would already resist brute force, and the PBKDF2 iterations
//! ([`RecoveryPolicy::with_iterations`], 10 000 by default, stored in the state) add
//! about 13 bits more. The salt is random per set, so a state leaked from one
//! set says nothing about another. Since the salt is per set, not per code, one
//! attempt costs one derivation whatever the number of codes; the derived value is
//! then compared with every code's hash.
//!
//! ## Throttling
//!
//! Wrong, already used and malformed codes count as failures, and the state locks
//! after [`Policy::max_failures`] of them, exactly as a device does at sign-in (same
//! [`Policy`], same delays, locked for good at
//! [`NIST_MAX_FAILURES`](crate::verifier::NIST_MAX_FAILURES)). While locked, no code
//! is looked at. An accepted code clears the count.
//!
//! ## A new set
//!
//! Generating again makes a set with a new random [set id](RecoveryState::set_id)
//! and salt; storing its state in place of the old one invalidates every old code.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use sha2::Sha256;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::sentences::sentences;
use crate::state_text::{Fault, Format, state_text_error, state_text_traits};
use crate::verifier::throttle::{LockedUntil, Lockout, lockout_accessors};
use crate::verifier::{Policy, outcome_impls};

/// The 32 characters codes are made of: no `0`, `O`, `1` or `I`.
pub const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Bits of entropy per character.
pub const BITS_PER_CHAR: u32 = 5;
/// The longest code, in characters (160 bits).
pub const MAX_CODE_LEN: usize = 32;
/// The most codes in one set.
pub const MAX_CODES: usize = 64;
/// NIST SP 800-63B §5.1.2.1: a look-up secret has at least 20 bits of entropy.
pub const MIN_ENTROPY_BITS: u32 = 20;
/// The most PBKDF2 iterations a state may ask for (so that a stored state cannot
/// make one attempt arbitrarily slow).
pub const MAX_ITERATIONS: u32 = 10_000_000;
/// The longest encoded state, in bytes.
pub const MAX_ENCODED_LEN: usize = 2048;
/// The longest input [`RecoveryState::verify`] reads (spaces and hyphens
/// included); longer input is malformed.
pub const MAX_INPUT_LEN: usize = 128;

/// `otpr1.…`: the frame of the text form (see [`crate::state_text`]).
const FORMAT: Format = Format {
    prefix: "otpr",
    version: "1",
    max_len: MAX_ENCODED_LEN,
};
const HASH_LEN: usize = 16;
const SALT_LEN: usize = 16;
const SET_ID_LEN: usize = 8;
const DOMAIN: &[u8] = b"otpkit recovery code v1";

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

/// Why a [`RecoveryPolicy`] setting was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
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

/// Why a set could not be generated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
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

/// One recovery code, to show to the user once. Its `Display` is the grouped code
/// (`K7RM-2QXD-HV9T-CZ4N`); its `Debug` never shows it; it is wiped when dropped.
#[derive(Clone)]
pub struct RecoveryCode {
    chars: [u8; MAX_CODE_LEN],
    len: u8,
    group: u8,
}

impl RecoveryCode {
    /// The code without separators, e.g. `K7RM2QXDHV9TCZ4N`.
    pub fn ungrouped(&self) -> &str {
        let bytes = self.chars.get(..usize::from(self.len)).unwrap_or_default();
        core::str::from_utf8(bytes).unwrap_or_default()
    }
}

impl fmt::Display for RecoveryCode {
    /// The code in groups separated by `-`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self.ungrouped();
        let group = usize::from(self.group);
        if group == 0 {
            return f.write_str(code);
        }
        let mut rest = code;
        let mut first = true;
        while !rest.is_empty() {
            let (head, tail) = rest.split_at(group.min(rest.len()));
            if !first {
                f.write_str("-")?;
            }
            f.write_str(head)?;
            first = false;
            rest = tail;
        }
        Ok(())
    }
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecoveryCode")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl Drop for RecoveryCode {
    fn drop(&mut self) {
        self.chars.zeroize();
    }
}

impl ZeroizeOnDrop for RecoveryCode {}

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

    fn generate_from(
        policy: &RecoveryPolicy,
        mut fill: impl FnMut(&mut [u8]) -> Result<(), GenerateError>,
    ) -> Result<Self, GenerateError> {
        policy.check().map_err(GenerateError::Policy)?;
        let mut set_id = [0u8; SET_ID_LEN];
        let mut salt = [0u8; SALT_LEN];
        fill(&mut set_id)?;
        fill(&mut salt)?;
        let len = usize::from(policy.length);
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
                len: policy.length,
                group: policy.group,
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
                policy.iterations,
            ));
            codes.push(code);
        }
        Ok(RecoveryCodes {
            codes,
            state: RecoveryState {
                set_id,
                salt,
                iterations: policy.iterations,
                code_len: policy.length,
                lock: Lockout::NONE,
                used: 0,
                hashes,
            },
        })
    }

    /// The codes, in order; [`RecoveryOutcome::Accepted`] gives the index of the
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

/// PBKDF2-HMAC-SHA256 of a normalised code, salted with the set's id and salt.
fn derive(
    code: &[u8],
    set_id: &[u8; SET_ID_LEN],
    salt: &[u8; SALT_LEN],
    iterations: u32,
) -> [u8; HASH_LEN] {
    let mut full_salt = [0u8; DOMAIN.len() + SET_ID_LEN + SALT_LEN];
    for (dst, src) in full_salt
        .iter_mut()
        .zip(DOMAIN.iter().chain(set_id).chain(salt))
    {
        *dst = *src;
    }
    let mut out = [0u8; HASH_LEN];
    pbkdf2::pbkdf2_hmac::<Sha256>(code, &full_salt, iterations, &mut out);
    out
}

/// What a recovery attempt came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecoveryOutcome {
    /// A valid, unused code: let the user in. It is now used.
    Accepted {
        /// Which code of the set (its position in [`RecoveryCodes::codes`]).
        index: usize,
        /// How many unused codes are left.
        remaining: usize,
    },
    /// No code of this set. Counts as a failure.
    Invalid,
    /// A code of this set that was already used. Counts as a failure.
    AlreadyUsed,
    /// Too many failures: the input was not looked at. Try again at `until`
    /// (`u64::MAX`: after [`RecoveryState::with_failures_cleared`]).
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

/// A set's stored state: hashes, used codes, failures. Its text form:
///
/// ```text
/// otpr1.9f86d081884c7d65.16.10000.<salt>.0.0.5.<hash>,<hash>,….<checksum>
///       │                │  │     │      │ │ │ │                └ first 6 bytes of
///       │                │  │     │      │ │ │ │                  SHA-256 of the rest, hex
///       │                │  │     │      │ │ │ └ one hash per code, base64url (16 bytes)
///       │                │  │     │      │ │ └ used codes: bit i = code i, lowercase hex
///       │                │  │     │      │ └ locked until (Unix seconds, 0 = not locked)
///       │                │  │     │      └ consecutive failures
///       │                │  │     └ PBKDF2 salt, base64url (16 bytes)
///       │                │  └ PBKDF2-HMAC-SHA256 iterations
///       │                └ characters per code
///       └ set id, hex
/// ```
///
/// It holds no code, only salted hashes. As with
/// [`DeviceState`](crate::verifier::DeviceState) the checksum catches corruption,
/// not tampering: whoever can write the column can reset its used bits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RecoveryState {
    set_id: [u8; SET_ID_LEN],
    salt: [u8; SALT_LEN],
    iterations: u32,
    code_len: u8,
    lock: Lockout,
    used: u64,
    hashes: Vec<[u8; HASH_LEN]>,
}

impl fmt::Debug for RecoveryState {
    /// The set id and counts; no hash (they are not secret, but are noise in logs).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecoveryState")
            .field("set_id", &self.set_id())
            .field("codes", &self.count())
            .field("unused", &self.remaining())
            .field("failures", &self.lock.failures)
            .field("locked_until", &self.lock.until)
            .finish_non_exhaustive()
    }
}

impl RecoveryState {
    /// The set's random id as 16 hex digits: a new set has a new id.
    pub fn set_id(&self) -> String {
        data_encoding::HEXLOWER.encode(&self.set_id)
    }

    /// How many codes the set has.
    pub fn count(&self) -> usize {
        self.hashes.len()
    }

    /// How many codes are not used yet.
    pub fn remaining(&self) -> usize {
        self.count().saturating_sub(self.used.count_ones() as usize)
    }

    /// Whether code `index` was used (false for an index past the set).
    pub fn is_used(&self, index: usize) -> bool {
        u32::try_from(index)
            .ok()
            .and_then(|i| self.used.checked_shr(i))
            .is_some_and(|bits| bits & 1 == 1)
    }

    /// The same state with failures and lock-out cleared (an administrator's
    /// action).
    #[must_use]
    pub fn with_failures_cleared(mut self) -> Self {
        self.lock = Lockout::NONE;
        self
    }

    /// Checks `input` against every code of the set and returns the outcome and
    /// the state to store in place of this one (compare-and-swap; save it whatever
    /// the outcome, failures are state too).
    ///
    /// Case, spaces and hyphens in `input` are ignored. The derived hash is
    /// compared with every code's hash in constant time, with no early exit; an
    /// unused match marks exactly that code used and clears the failures. While
    /// locked (see [`Policy::max_failures`]) nothing is compared.
    #[must_use = "store the new state, or the code stays usable and failures are lost"]
    pub fn verify(&self, input: &str, now: u64, policy: &Policy) -> (RecoveryOutcome, Self) {
        if self.is_locked_at(now) {
            return (
                RecoveryOutcome::Locked {
                    until: self.lock.until,
                },
                self.clone(),
            );
        }
        let mut buf = Zeroizing::new([0u8; MAX_CODE_LEN]);
        let Some(code) = normalise(input, usize::from(self.code_len), &mut buf) else {
            return (RecoveryOutcome::Malformed, self.failed(policy, now));
        };
        let derived = Zeroizing::new(derive(code, &self.set_id, &self.salt, self.iterations));
        let mut hit = Choice::from(0);
        let mut index = 0u32;
        for (i, hash) in (0u32..).zip(self.hashes.iter()) {
            let equal = hash.ct_eq(&*derived);
            index.conditional_assign(&i, equal);
            hit |= equal;
        }
        if !bool::from(hit) {
            return (RecoveryOutcome::Invalid, self.failed(policy, now));
        }
        let bit = 1u64.checked_shl(index).unwrap_or(0);
        if self.used & bit != 0 {
            return (RecoveryOutcome::AlreadyUsed, self.failed(policy, now));
        }
        let mut next = self.clone().with_failures_cleared();
        next.used |= bit;
        let outcome = RecoveryOutcome::Accepted {
            index: index as usize,
            remaining: next.remaining(),
        };
        (outcome, next)
    }

    /// This state after one more failure at `now`, by the sign-in throttle's rule
    /// (the `recovery_codes` test checks that both agree).
    fn failed(&self, policy: &Policy, now: u64) -> Self {
        let mut next = self.clone();
        next.lock = self.lock.after_failure(policy, now);
        next
    }

    /// The text form (see [`RecoveryState`]).
    pub fn encode(&self) -> String {
        alloc::string::ToString::to_string(self)
    }

    /// Reads the text form back; any change to a valid string is an error (short
    /// of a 48-bit checksum collision), and no input makes it panic.
    pub fn decode(text: &str) -> Result<Self, RecoveryStateError> {
        let mut fields = FORMAT.fields(text)?;
        let set_id =
            fixed::<SET_ID_LEN>(&data_encoding::HEXLOWER, fields.next("set_id")?, "set_id")?;
        let code_len = u8::try_from(fields.next_u64("code_len")?)
            .ok()
            .filter(|n| *n != 0 && usize::from(*n) <= MAX_CODE_LEN)
            .ok_or(Fault::InvalidField { field: "code_len" })?;
        let iterations = Some(fields.next_u32("iterations")?)
            .filter(|n| *n != 0 && *n <= MAX_ITERATIONS)
            .ok_or(Fault::InvalidField {
                field: "iterations",
            })?;
        let salt = fixed::<SALT_LEN>(
            &data_encoding::BASE64URL_NOPAD,
            fields.next("salt")?,
            "salt",
        )?;
        let failures = fields.next_u32("failures")?;
        let locked_until = fields.next_u64("locked_until")?;
        let used_text = fields.next("used")?;
        let used_ok = !used_text.is_empty()
            && used_text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            && (used_text == "0" || !used_text.starts_with('0'));
        let used = u64::from_str_radix(used_text, 16)
            .ok()
            .filter(|_| used_ok)
            .ok_or(Fault::InvalidField { field: "used" })?;
        let hashes_text = fields.next("hashes")?;
        fields.end()?;
        let mut hashes = Vec::new();
        for h in hashes_text.split(',') {
            if hashes.len() >= MAX_CODES {
                return Err(Fault::InvalidField { field: "hashes" }.into());
            }
            hashes.push(fixed::<HASH_LEN>(
                &data_encoding::BASE64URL_NOPAD,
                h,
                "hashes",
            )?);
        }
        let all = u32::try_from(hashes.len())
            .ok()
            .and_then(|n| 1u64.checked_shl(n))
            .map_or(u64::MAX, |b| b.wrapping_sub(1));
        if used & !all != 0 {
            return Err(Fault::InvalidField { field: "used" }.into());
        }
        Ok(RecoveryState {
            set_id,
            salt,
            iterations,
            code_len,
            lock: Lockout {
                failures,
                until: locked_until,
            },
            used,
            hashes,
        })
    }
}

/// Upper-cases `input` into `buf`, dropping spaces, tabs and hyphens; `None` unless
/// exactly `len` characters of the alphabet remain. Each character's alphabet
/// lookup takes the same time whichever character it is.
fn normalise<'a>(input: &str, len: usize, buf: &'a mut [u8; MAX_CODE_LEN]) -> Option<&'a [u8]> {
    if input.len() > MAX_INPUT_LEN {
        return None;
    }
    let mut n = 0usize;
    for b in input.bytes() {
        if matches!(b, b' ' | b'-' | b'\t') {
            continue;
        }
        let upper = b.to_ascii_uppercase();
        // Looked up against the whole alphabet, no early exit: the time does not
        // depend on which character it is (a search stopping at the match did: a
        // dudect bench typing one fixed code per class told them apart, |t| 189).
        let known = ALPHABET.iter().fold(Choice::from(0), |found, letter| {
            found | letter.ct_eq(&upper)
        });
        if !bool::from(known) {
            return None;
        }
        *buf.get_mut(n)? = upper;
        n = n.checked_add(1)?;
    }
    if n != len {
        return None;
    }
    buf.get(..n)
}

/// `text` as exactly `N` bytes in `encoding`'s canonical spelling.
fn fixed<const N: usize>(
    encoding: &data_encoding::Encoding,
    text: &str,
    field: &'static str,
) -> Result<[u8; N], Fault> {
    let bad = Fault::InvalidField { field };
    let mut out = [0u8; N];
    if encoding.decode_len(text.len()).ok() != Some(N) {
        return Err(bad);
    }
    encoding
        .decode_mut(text.as_bytes(), &mut out)
        .map_err(|_| bad)?;
    // Only the canonical spelling (no stray trailing bits).
    if encoding.encode(&out) != text {
        return Err(bad);
    }
    Ok(out)
}

impl fmt::Display for RecoveryState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        FORMAT.write(f, |out| {
            write!(
                out,
                "{}.{}.{}.{}.{}.{}.{:x}.",
                data_encoding::HEXLOWER.encode(&self.set_id),
                self.code_len,
                self.iterations,
                data_encoding::BASE64URL_NOPAD.encode(&self.salt),
                self.lock.failures,
                self.lock.until,
                self.used
            )?;
            for (i, hash) in self.hashes.iter().enumerate() {
                if i != 0 {
                    out.write_str(",")?;
                }
                out.write_str(&data_encoding::BASE64URL_NOPAD.encode(hash))?;
            }
            Ok(())
        })
    }
}

lockout_accessors! {
    RecoveryState, "set";
    locked_until;
    is_locked_at;
}

state_text_error! {
    /// Why a string is not a valid [`RecoveryState`]. Messages never repeat the input.
    pub enum RecoveryStateError {
        noun: "recovery code state",
        prefix: "otpr",
        max_len: MAX_ENCODED_LEN,
    }
}

state_text_traits!(
    RecoveryState,
    RecoveryStateError,
    "an otpkit recovery code state string"
);

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> RecoveryPolicy {
        RecoveryPolicy::default().with_iterations(1).unwrap()
    }

    #[test]
    fn normalise_ignores_case_and_separators_only() {
        let mut buf = [0u8; MAX_CODE_LEN];
        assert_eq!(normalise("ab-cd 2\t3", 6, &mut buf), Some(&b"ABCD23"[..]));
        assert_eq!(normalise("ab-cd 2\t3", 5, &mut buf), None);
        assert_eq!(normalise("abcd0", 5, &mut buf), None); // 0 is not in the alphabet
        assert_eq!(normalise("abcdI", 5, &mut buf), None);
        assert_eq!(normalise("ab_cd", 4, &mut buf), None);
        assert_eq!(normalise(&"A".repeat(33), 33, &mut buf), None);
        assert_eq!(normalise(&"-".repeat(200), 0, &mut buf), None);
    }

    #[test]
    fn uses_every_character_of_the_alphabet_uniformly() {
        // 32 divides 256, so `byte & 31` is uniform; every byte maps into the alphabet.
        let mut seen = [0u32; 32];
        for b in 0..=255u8 {
            let c = ALPHABET[usize::from(b & 31)];
            seen[ALPHABET.iter().position(|&a| a == c).unwrap()] += 1;
        }
        assert!(seen.iter().all(|&n| n == 8));
        for bad in b"01IO" {
            assert!(!ALPHABET.contains(bad));
        }
    }

    #[test]
    fn a_length_past_the_buffer_is_an_error_not_a_shorter_code() {
        // Only reachable by breaking `with_length`'s bound, as this test does.
        let policy = RecoveryPolicy {
            length: 33,
            count: 1,
            ..fast()
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
