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
//! after [`Policy::max_failures`](crate::verifier::Policy::max_failures) of them, exactly as a device does at sign-in (same
//! [`Policy`](crate::verifier::Policy), same delays, locked for good at
//! [`NIST_MAX_FAILURES`](crate::verifier::NIST_MAX_FAILURES)). While locked, no code
//! is looked at. An accepted code clears the count.
//!
//! ## A new set
//!
//! Generating again makes a set with a new random [set id](RecoveryState::set_id)
//! and salt; storing its state in place of the old one invalidates every old code.

mod code;
mod generate;
mod outcome;
mod policy;
mod state;

pub use code::{ALPHABET, BITS_PER_CHAR, MAX_CODE_LEN, MAX_INPUT_LEN, RecoveryCode};
pub use generate::{GenerateError, RecoveryCodes};
pub use outcome::RecoveryOutcome;
pub use policy::{MAX_CODES, MAX_ITERATIONS, MIN_ENTROPY_BITS, PolicyError, RecoveryPolicy};
pub use state::{MAX_ENCODED_LEN, RecoveryState, RecoveryStateError};
