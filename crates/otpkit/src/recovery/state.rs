//! A set's stored state: its text form, and checking a typed code against it.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use sha2::Sha256;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroizing;

use super::code::{MAX_CODE_LEN, normalise};
use super::outcome::RecoveryOutcome;
use super::policy::{MAX_CODES, MAX_ITERATIONS};
use crate::state_text::{Fault, Format, state_text_error, state_text_traits};
use crate::verifier::Policy;
use crate::verifier::throttle::{Lockout, lockout_accessors};

/// The longest encoded state, in bytes.
pub const MAX_ENCODED_LEN: usize = 2048;

/// `otpr1.…`: the frame of the text form (see [`crate::state_text`]).
const FORMAT: Format = Format {
    prefix: "otpr",
    version: "1",
    max_len: MAX_ENCODED_LEN,
};
const HASH_LEN: usize = 16;
pub(super) const SALT_LEN: usize = 16;
pub(super) const SET_ID_LEN: usize = 8;
const DOMAIN: &[u8] = b"otpkit recovery code v1";

/// PBKDF2-HMAC-SHA256 of a normalised code, salted with the set's id and salt.
pub(super) fn derive(
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
    /// A new set's state: no code used, no failure.
    pub(super) fn new_set(
        set_id: [u8; SET_ID_LEN],
        salt: [u8; SALT_LEN],
        iterations: u32,
        code_len: u8,
        hashes: Vec<[u8; HASH_LEN]>,
    ) -> Self {
        RecoveryState {
            set_id,
            salt,
            iterations,
            code_len,
            lock: Lockout::NONE,
            used: 0,
            hashes,
        }
    }

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
