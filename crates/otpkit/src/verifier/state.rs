//! What a server stores per device between sign-ins, and its one-column text form.
//!
//! The form is documented on [`DeviceState`].

use core::fmt;

use super::throttle::{Lockout, lockout_accessors};
use crate::state_text::{Format, state_text_error, state_text_traits};

/// The longest encoded state, in bytes.
pub const MAX_ENCODED_LEN: usize = 96;

/// `otpk1.…`: the frame of the text form (see [`crate::state_text`]).
const FORMAT: Format = Format {
    prefix: "otpk",
    version: "1",
    max_len: MAX_ENCODED_LEN,
};

/// Whether a [`DeviceState`] counts time steps or HOTP counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeviceKind {
    /// A TOTP device: the position is the last accepted time step.
    Totp,
    /// An HOTP device: the position is the next counter value to accept.
    Hotp,
}

/// Where a device is in its life: enrolling (the secret was shown, codes are being
/// checked) or enrolled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Phase {
    /// Enrolled: the position is the last accepted step or the next counter.
    Enrolled,
    /// Enrolling, no code accepted yet. HOTP: the position is the lowest counter
    /// enrolment accepts.
    AwaitingFirst,
    /// Enrolling, the first code was accepted at the position's step or counter;
    /// the next code must be the one right after it.
    AwaitingSecond,
}

/// One device's verification state: a value to persist after every operation,
/// from the moment the secret is shown (a pending enrolment, see
/// [`Verifier::begin_enrollment`](super::Verifier::begin_enrollment)) on.
///
/// Its text form is `otpk1.` (format and version), the fields separated by dots,
/// and a checksum:
///
/// ```text
/// otpk1.t.56666672.-2.0.0.dcd7b1304d5a
///       │ │        │  │ │ └ checksum: first 6 bytes of SHA-256 of everything before it, hex
///       │ │        │  │ └ locked until (Unix seconds, 0 = not locked)
///       │ │        │  └ consecutive failures
///       │ │        └ learned drift in steps
///       │ └ last accepted step (TOTP, `t`) or next counter (HOTP, `h`)
///       └ kind: `t` TOTP, `h` HOTP; while enrolling `t0`/`h0` (no code yet; HOTP:
///         the position is the lowest counter accepted) and `t1`/`h1` (the first
///         code was accepted at the position)
/// ```
///
/// It holds **no secret**: the shared secret is stored separately by the server
/// (and should be encrypted at rest); this string only records where the device's
/// codes are up to, so leaking it does not let anyone compute a code. The checksum
/// catches corruption and strings that are not states (a truncated column, a value
/// from another system), not deliberate tampering: it has no key, so whoever can
/// write the column can forge a valid state. Numbers are written in one canonical
/// form (no leading zeros, no `+`, no `-0`), so decoding then encoding gives the
/// same string back.
///
/// ```
/// use otpkit::verifier::DeviceState;
/// let state = DeviceState::totp_at(56_666_672);
/// let text = state.to_string(); // or state.encode() with the `alloc` feature
/// assert!(text.starts_with("otpk1.t.56666672.0.0.0."));
/// assert_eq!(text.parse::<DeviceState>()?, state);
/// # Ok::<(), otpkit::verifier::StateError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use = "a device state must be stored, or the failure count and replay record are lost"]
pub struct DeviceState {
    pub(crate) kind: DeviceKind,
    pub(crate) phase: Phase,
    /// TOTP: last accepted step. HOTP: next counter.
    pub(crate) position: u64,
    pub(crate) drift: i64,
    pub(crate) lock: Lockout,
}

impl DeviceState {
    /// The state of a TOTP device whose last accepted step is `last_step`, no drift,
    /// no failures. [`Verifier::enroll`](super::Verifier::enroll) makes this for you;
    /// use it to migrate devices enrolled elsewhere.
    pub const fn totp_at(last_step: u64) -> Self {
        DeviceState {
            kind: DeviceKind::Totp,
            phase: Phase::Enrolled,
            position: last_step,
            drift: 0,
            lock: Lockout::NONE,
        }
    }

    /// The state of an HOTP device whose next valid counter is `next_counter`
    /// (0 for a new token that was never enrolled by codes).
    pub const fn hotp_at(next_counter: u64) -> Self {
        DeviceState {
            kind: DeviceKind::Hotp,
            phase: Phase::Enrolled,
            position: next_counter,
            drift: 0,
            lock: Lockout::NONE,
        }
    }

    /// A state from its fields, for importing devices from another system (and for
    /// tests). `position` is the last accepted step (TOTP) or the next counter
    /// (HOTP); `locked_until` 0 means not locked.
    ///
    /// ```
    /// use otpkit::verifier::{DeviceKind, DeviceState};
    /// let s = DeviceState::from_parts(DeviceKind::Totp, 100, -2, 1, 0);
    /// assert_eq!((s.last_step(), s.drift(), s.failures()), (Some(100), -2, 1));
    /// ```
    pub const fn from_parts(
        kind: DeviceKind,
        position: u64,
        drift: i64,
        failures: u32,
        locked_until: u64,
    ) -> Self {
        DeviceState {
            kind,
            phase: Phase::Enrolled,
            position,
            drift,
            lock: Lockout {
                failures,
                until: locked_until,
            },
        }
    }

    /// A pending TOTP enrolment: store it when the secret is shown, then pass it
    /// to [`Verifier::enroll_code`](super::Verifier::enroll_code) (or
    /// [`Verifier::enroll`](super::Verifier::enroll)) until it is enrolled. Its
    /// attempts are throttled like sign-ins.
    ///
    /// ```
    /// use otpkit::verifier::{DeviceKind, DeviceState};
    /// let s = DeviceState::enrolling_totp();
    /// assert!(!s.is_enrolled());
    /// assert_eq!(s.kind(), DeviceKind::Totp);
    /// ```
    pub const fn enrolling_totp() -> Self {
        DeviceState {
            kind: DeviceKind::Totp,
            phase: Phase::AwaitingFirst,
            position: 0,
            drift: 0,
            lock: Lockout::NONE,
        }
    }

    /// A pending HOTP enrolment whose codes are searched from `from_counter`: 0
    /// for a new token, or the counter the server last knew for a token enrolled
    /// again, so its old codes stay refused.
    ///
    /// ```
    /// use otpkit::verifier::DeviceState;
    /// assert!(!DeviceState::enrolling_hotp(7).is_enrolled());
    /// ```
    pub const fn enrolling_hotp(from_counter: u64) -> Self {
        DeviceState {
            kind: DeviceKind::Hotp,
            phase: Phase::AwaitingFirst,
            position: from_counter,
            drift: 0,
            lock: Lockout::NONE,
        }
    }

    /// Whether enrolment finished (a pending enrolment cannot sign in or resync).
    pub const fn is_enrolled(&self) -> bool {
        matches!(self.phase, Phase::Enrolled)
    }

    /// While enrolling: whether the first code was accepted, so the next code must
    /// be the one right after it.
    pub const fn awaits_second_code(&self) -> bool {
        matches!(self.phase, Phase::AwaitingSecond)
    }

    /// TOTP or HOTP.
    pub const fn kind(&self) -> DeviceKind {
        self.kind
    }

    /// The last accepted time step, for a TOTP device. No code of this step or
    /// an earlier one is accepted again.
    /// `None` while enrolling.
    pub const fn last_step(&self) -> Option<u64> {
        match (self.kind, self.phase) {
            (DeviceKind::Totp, Phase::Enrolled) => Some(self.position),
            (DeviceKind::Hotp, _) | (_, Phase::AwaitingFirst | Phase::AwaitingSecond) => None,
        }
    }

    /// The next counter value that can be accepted, for an HOTP device. `None`
    /// while enrolling.
    pub const fn next_counter(&self) -> Option<u64> {
        match (self.kind, self.phase) {
            (DeviceKind::Hotp, Phase::Enrolled) => Some(self.position),
            (DeviceKind::Totp, _) | (_, Phase::AwaitingFirst | Phase::AwaitingSecond) => None,
        }
    }

    /// The learned clock drift in steps (device clock minus server clock; always 0
    /// for HOTP), as stored: the verifier clamps it to its policy's
    /// [`max_drift_steps`](super::Policy::max_drift_steps) when it reads it.
    pub const fn drift(&self) -> i64 {
        self.drift
    }

    /// The same state with the failure count and any lock-out cleared: what an
    /// administrator does after confirming the user by other means.
    ///
    /// ```
    /// use otpkit::verifier::DeviceState;
    /// let s: DeviceState = "otpk1.h.7.0.100.18446744073709551615.99a4cd2f3343".parse()?;
    /// assert_eq!(s.locked_until(), Some(u64::MAX));
    /// let cleared = s.with_failures_cleared();
    /// assert_eq!((cleared.failures(), cleared.locked_until()), (0, None));
    /// assert_eq!(cleared.next_counter(), Some(7));
    /// # Ok::<(), otpkit::verifier::StateError>(())
    /// ```
    pub const fn with_failures_cleared(mut self) -> Self {
        self.lock = Lockout::NONE;
        self
    }

    /// The text form (see [`DeviceState`]).
    #[cfg(feature = "alloc")]
    pub fn encode(&self) -> alloc::string::String {
        alloc::string::ToString::to_string(self)
    }

    /// Reads the text form back. Any change to a valid string — a character
    /// flipped, inserted or deleted, a truncation — is an error (short of a
    /// 48-bit checksum collision), and no input makes it panic.
    ///
    /// ```
    /// use otpkit::verifier::{DeviceState, StateError};
    /// assert_eq!(DeviceState::decode("otpk1.t.5.0.0.0.000000000000"),
    ///            Err(StateError::ChecksumMismatch));
    /// assert_eq!(DeviceState::decode("{\"step\":5}"), Err(StateError::NotAState));
    /// ```
    pub fn decode(text: &str) -> Result<Self, StateError> {
        let mut fields = FORMAT.fields(text)?;
        let (kind, phase) = match fields.next("kind")? {
            "t" => (DeviceKind::Totp, Phase::Enrolled),
            "h" => (DeviceKind::Hotp, Phase::Enrolled),
            "t0" => (DeviceKind::Totp, Phase::AwaitingFirst),
            "h0" => (DeviceKind::Hotp, Phase::AwaitingFirst),
            "t1" => (DeviceKind::Totp, Phase::AwaitingSecond),
            "h1" => (DeviceKind::Hotp, Phase::AwaitingSecond),
            _ => return Err(StateError::InvalidField { field: "kind" }),
        };
        let position = fields.next_u64("position")?;
        let drift = fields.next_i64("drift")?;
        let failures = fields.next_u32("failures")?;
        let locked_until = fields.next_u64("locked_until")?;
        fields.end()?;
        Ok(DeviceState {
            kind,
            phase,
            position,
            drift,
            lock: Lockout {
                failures,
                until: locked_until,
            },
        })
    }
}

impl fmt::Display for DeviceState {
    /// The text form, with no allocation.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match (self.kind, self.phase) {
            (DeviceKind::Totp, Phase::Enrolled) => "t",
            (DeviceKind::Hotp, Phase::Enrolled) => "h",
            (DeviceKind::Totp, Phase::AwaitingFirst) => "t0",
            (DeviceKind::Hotp, Phase::AwaitingFirst) => "h0",
            (DeviceKind::Totp, Phase::AwaitingSecond) => "t1",
            (DeviceKind::Hotp, Phase::AwaitingSecond) => "h1",
        };
        FORMAT.write(f, |out| {
            write!(
                out,
                "{kind}.{}.{}.{}.{}",
                self.position, self.drift, self.lock.failures, self.lock.until
            )
        })
    }
}

lockout_accessors! {
    DeviceState, "device";
    /// Compare it with the time, or just call
    /// [`Verifier::verify`](super::Verifier::verify), which does.
    ///
    /// `Some(u64::MAX)` after [`NIST_MAX_FAILURES`](super::NIST_MAX_FAILURES)
    /// consecutive failures: locked until [`DeviceState::with_failures_cleared`].
    locked_until;
    /// ```
    /// use otpkit::verifier::{DeviceKind, DeviceState};
    /// let s = DeviceState::from_parts(DeviceKind::Totp, 9, 0, 5, 1_000);
    /// assert!(s.is_locked_at(999));
    /// assert!(!s.is_locked_at(1_000));
    /// ```
    is_locked_at;
}

state_text_error! {
    /// Why a string is not a valid [`DeviceState`]. Messages never repeat the input.
    pub enum StateError {
        noun: "device state",
        prefix: "otpk",
        max_len: MAX_ENCODED_LEN,
    }
}

state_text_traits!(DeviceState, StateError, "an otpkit device state string");
