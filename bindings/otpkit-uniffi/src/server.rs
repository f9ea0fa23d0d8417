//! The server side: enrol a device with two codes, verify sign-ins without replays,
//! resynchronise, and keep the per-device state as one string.

use std::sync::Arc;

use otpkit::verifier as core;

use crate::error::{EnrollError, PolicyError, ResyncError, SignInError, StateError};
use crate::{Hotp, Totp};

/// How tolerant a verifier is. Start from `default_policy()` and change fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct Policy {
    /// Steps (TOTP) or counters (HOTP) searched either side when enrolling.
    pub enrol_window: u32,
    /// TOTP steps accepted behind the expected one at sign-in.
    pub behind: u32,
    /// TOTP steps accepted ahead of the expected one at sign-in.
    pub ahead: u32,
    /// TOTP steps searched either side when resynchronising.
    pub resync_window: u32,
    /// HOTP counters accepted ahead of the expected one at sign-in.
    pub hotp_look_ahead: u32,
    /// HOTP counters searched ahead when resynchronising.
    pub hotp_resync_look_ahead: u32,
    /// The most TOTP drift, in steps, the state remembers.
    pub max_drift_steps: u32,
    /// Failures before a lock-out: 1 to 100 (NIST SP 800-63B).
    pub max_failures: u32,
    /// The first lock-out's length in seconds; each further one doubles.
    pub lockout_base_secs: u64,
    /// The longest lock-out in seconds.
    pub lockout_max_secs: u64,
}

impl From<&core::Policy> for Policy {
    fn from(p: &core::Policy) -> Self {
        Policy {
            enrol_window: p.enrol_window(),
            behind: p.window().behind(),
            ahead: p.window().ahead(),
            resync_window: p.resync_window(),
            hotp_look_ahead: p.hotp_look_ahead(),
            hotp_resync_look_ahead: p.hotp_resync_look_ahead(),
            max_drift_steps: p.max_drift_steps(),
            max_failures: p.max_failures(),
            lockout_base_secs: p.lockout_base_secs(),
            lockout_max_secs: p.lockout_max_secs(),
        }
    }
}

impl TryFrom<&Policy> for core::Policy {
    type Error = PolicyError;

    fn try_from(p: &Policy) -> Result<Self, PolicyError> {
        Ok(core::Policy::default()
            .with_enrol_window(p.enrol_window)
            .with_window(otpkit::Window::new(p.behind, p.ahead))
            .with_resync_window(p.resync_window)
            .with_hotp_look_ahead(p.hotp_look_ahead)
            .with_hotp_resync_look_ahead(p.hotp_resync_look_ahead)
            .with_max_drift_steps(p.max_drift_steps)
            .with_max_failures(p.max_failures)?
            .with_lockout(p.lockout_base_secs, p.lockout_max_secs)?)
    }
}

/// The core's default policy: enrol within ±10 steps, accept one step either side,
/// lock out after 5 failures for 60 s doubling up to an hour.
#[uniffi::export]
pub fn default_policy() -> Policy {
    Policy::from(&core::Policy::default())
}

/// What a server stores per device between sign-ins: the last accepted step (TOTP)
/// or next counter (HOTP), the measured drift, and the failure count and lock-out.
/// Immutable: every operation returns a new state to store.
#[derive(Clone, Copy, PartialEq, Eq, uniffi::Object)]
#[uniffi::export(Debug, Eq)]
pub struct DeviceState(pub(crate) core::DeviceState);

crate::transparent_debug!(DeviceState, 0);

#[uniffi::export]
impl DeviceState {
    /// Reads a state written by `encode`; a changed or truncated text is an error.
    #[uniffi::constructor]
    pub fn decode(text: String) -> Result<Arc<Self>, StateError> {
        Ok(Arc::new(DeviceState(core::DeviceState::decode(&text)?)))
    }

    /// The state of a TOTP device whose last accepted step is `last_step`.
    #[uniffi::constructor]
    pub fn totp_at(last_step: u64) -> Arc<Self> {
        Arc::new(DeviceState(core::DeviceState::totp_at(last_step)))
    }

    /// The state of an HOTP device whose next expected counter is `next_counter`.
    #[uniffi::constructor]
    pub fn hotp_at(next_counter: u64) -> Arc<Self> {
        Arc::new(DeviceState(core::DeviceState::hotp_at(next_counter)))
    }

    /// The one-line text to store (ASCII, at most 96 bytes, with a checksum).
    pub fn encode(&self) -> String {
        self.0.encode()
    }

    /// TOTP: the last accepted step; `None` for HOTP.
    pub fn last_step(&self) -> Option<u64> {
        self.0.last_step()
    }

    /// HOTP: the next expected counter; `None` for TOTP.
    pub fn next_counter(&self) -> Option<u64> {
        self.0.next_counter()
    }

    /// The device's measured clock drift (TOTP) in steps.
    pub fn drift(&self) -> i64 {
        self.0.drift()
    }

    /// Failed attempts since the last success.
    pub fn failures(&self) -> u32 {
        self.0.failures()
    }

    /// When the current or last lock-out ends (Unix seconds), if there was one.
    pub fn locked_until(&self) -> Option<u64> {
        self.0.locked_until()
    }

    /// Whether the device is locked out at `now`.
    pub fn is_locked_at(&self, now: u64) -> bool {
        self.0.is_locked_at(now)
    }

    /// The same state with failures and lock-out cleared (an administrator's reset).
    pub fn with_failures_cleared(&self) -> Arc<Self> {
        Arc::new(DeviceState(self.0.with_failures_cleared()))
    }
}

/// What became of a sign-in attempt. Only `Accepted` lets the user in.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Outcome {
    /// The code is valid and fresh.
    Accepted {
        /// The time step (TOTP) or counter (HOTP) it belongs to.
        step: u64,
        /// TOTP: the device's clock offset in steps; HOTP: counters skipped.
        drift: i64,
    },
    /// The code matches no step in the window. Counted as a failure.
    Invalid,
    /// The code was already used (or belongs to an earlier step). Counted as a failure.
    Replayed,
    /// Too many failures: the code was not looked at.
    Locked {
        /// When the lock-out ends (Unix seconds; the largest value: until reset).
        until: u64,
    },
    /// The text is not a code of the right form. Counted as a failure.
    Malformed {
        /// Why, without repeating what was typed.
        reason: String,
    },
}

/// The outcome of a sign-in attempt and the state to store afterwards (store it
/// whatever the outcome: failures are counted in it).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Verification {
    /// What became of the attempt.
    pub outcome: Outcome,
    /// The state to store.
    pub state: Arc<DeviceState>,
}

/// Checks codes for one device: enrolment, sign-in with replay protection and
/// throttling, resynchronisation. Immutable, so one verifier can serve any number of
/// threads; the per-device state goes in and out as a `DeviceState`.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct Verifier(core::Verifier);

crate::transparent_debug!(Verifier, 0);

#[uniffi::export]
impl Verifier {
    /// A verifier for a TOTP device; `policy` defaults to `default_policy()`.
    #[uniffi::constructor(default(policy = None))]
    pub fn totp(generator: Arc<Totp>, policy: Option<Policy>) -> Result<Arc<Self>, PolicyError> {
        let policy = core_policy(policy)?;
        Ok(Arc::new(Verifier(core::Verifier::totp(
            generator.inner.clone(),
            policy,
        ))))
    }

    /// A verifier for an HOTP device; `policy` defaults to `default_policy()`.
    #[uniffi::constructor(default(policy = None))]
    pub fn hotp(generator: Arc<Hotp>, policy: Option<Policy>) -> Result<Arc<Self>, PolicyError> {
        let policy = core_policy(policy)?;
        Ok(Arc::new(Verifier(core::Verifier::hotp(
            generator.inner.clone(),
            policy,
        ))))
    }

    /// The policy in force.
    pub fn policy(&self) -> Policy {
        Policy::from(self.0.policy())
    }

    /// Enrols a device from two consecutive codes the user typed, proving the secret
    /// was copied right (and, for TOTP, measuring the clock's drift). Returns the
    /// first state to store; both codes count as used.
    pub fn enroll(
        &self,
        code1: String,
        code2: String,
        now: u64,
    ) -> Result<Arc<DeviceState>, EnrollError> {
        Ok(Arc::new(DeviceState(self.0.enroll(&code1, &code2, now)?)))
    }

    /// Checks a sign-in code at Unix time `now` against the stored `state`. Returns
    /// the outcome and the new state to store; throws only when the attempt could
    /// not be evaluated at all (then the state is unchanged).
    pub fn verify(
        &self,
        state: Arc<DeviceState>,
        code: String,
        now: u64,
    ) -> Result<Verification, SignInError> {
        let (outcome, new_state) = self.0.verify(&state.0, &code, now);
        let outcome = match outcome {
            core::Outcome::Accepted { step, drift } => Outcome::Accepted { step, drift },
            core::Outcome::Invalid => Outcome::Invalid,
            core::Outcome::Replayed => Outcome::Replayed,
            core::Outcome::Locked { until } => Outcome::Locked { until },
            core::Outcome::Malformed(e) => Outcome::Malformed {
                reason: e.to_string(),
            },
            core::Outcome::Error(e) => return Err(e.into()),
            other => return Err(SignInError::Other(other.to_string())),
        };
        Ok(Verification {
            outcome,
            state: Arc::new(DeviceState(new_state)),
        })
    }

    /// Re-measures a TOTP device's drift (or an HOTP device's counter) from two
    /// consecutive codes, searching a wider window than sign-in does. Returns the new
    /// state; on error the state is unchanged (see `ResyncError` for which errors to
    /// count with `record_failure`).
    pub fn resync(
        &self,
        state: Arc<DeviceState>,
        code1: String,
        code2: String,
        now: u64,
    ) -> Result<Arc<DeviceState>, ResyncError> {
        Ok(Arc::new(DeviceState(
            self.0.resync(&state.0, &code1, &code2, now)?,
        )))
    }

    /// The state after one more failed attempt at `now` (for failures the verifier
    /// did not see, such as a refused resynchronisation).
    pub fn record_failure(&self, state: Arc<DeviceState>, now: u64) -> Arc<DeviceState> {
        Arc::new(DeviceState(self.0.record_failure(&state.0, now)))
    }
}

fn core_policy(policy: Option<Policy>) -> Result<core::Policy, PolicyError> {
    match policy {
        Some(p) => core::Policy::try_from(&p),
        None => Ok(core::Policy::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Algorithm, Hotp, Secret};

    fn totp() -> Arc<Totp> {
        let secret = Secret::from_bytes(b"12345678901234567890".to_vec(), false).unwrap();
        Totp::new(secret, Algorithm::Sha1, 6, 30, 0).unwrap()
    }

    #[test]
    fn enrol_verify_replay_and_persist() {
        let totp = totp();
        let verifier = Verifier::totp(totp.clone(), None).unwrap();
        let now = 1_700_000_000;
        let step = totp.step_at(now).unwrap();
        let state = verifier
            .enroll(totp.code_at_step(step - 1), totp.code_at_step(step), now)
            .unwrap();
        assert_eq!(state.last_step(), Some(step));
        let next = totp.code_at(now + 30).unwrap();
        let v = verifier.verify(state, next.clone(), now + 30).unwrap();
        assert_eq!(
            v.outcome,
            Outcome::Accepted {
                step: step + 1,
                drift: 0
            }
        );
        let stored = v.state.encode();
        let state = DeviceState::decode(stored.clone()).unwrap();
        assert_eq!(*state, *v.state);
        let again = verifier.verify(state, next, now + 31).unwrap();
        assert_eq!(again.outcome, Outcome::Replayed);
        assert_eq!(again.state.failures(), 1);
        let mut tampered = stored.into_bytes();
        // "otpk1.t.<step>…": change the step's first digit.
        tampered[8] = if tampered[8] == b'1' { b'2' } else { b'1' };
        let e = DeviceState::decode(String::from_utf8(tampered).unwrap()).unwrap_err();
        assert!(matches!(e, StateError::ChecksumMismatch(_)), "{e:?}");
    }

    #[test]
    fn typed_errors_and_outcomes() {
        let totp = totp();
        let verifier = Verifier::totp(totp.clone(), None).unwrap();
        let e = verifier
            .enroll("123456".into(), "123456".into(), 1_700_000_000)
            .unwrap_err();
        assert!(matches!(e, EnrollError::SameCodeTwice(_)), "{e:?}");
        let state = DeviceState::totp_at(0);
        let v = verifier.verify(state.clone(), "12345".into(), 100).unwrap();
        assert!(matches!(v.outcome, Outcome::Malformed { .. }), "{v:?}");
        let hotp_state = DeviceState::hotp_at(0);
        assert!(matches!(
            verifier.verify(hotp_state, "123456".into(), 100),
            Err(SignInError::WrongKind(_))
        ));
        let mut policy = default_policy();
        policy.max_failures = 0;
        assert!(matches!(
            Verifier::totp(totp, Some(policy)),
            Err(PolicyError::MaxFailuresOutOfRange(_))
        ));
    }

    #[test]
    fn hotp_enrol_and_verify() {
        let secret = Secret::from_bytes(b"12345678901234567890".to_vec(), false).unwrap();
        let hotp = Hotp::new(secret, Algorithm::Sha1, 6).unwrap();
        let verifier = Verifier::hotp(hotp.clone(), None).unwrap();
        let state = verifier.enroll(hotp.code(3), hotp.code(4), 0).unwrap();
        assert_eq!(state.next_counter(), Some(5));
        assert_eq!(state.last_step(), None);
        let v = verifier.verify(state, hotp.code(7), 0).unwrap();
        assert_eq!(v.outcome, Outcome::Accepted { step: 7, drift: 2 });
        assert_eq!(v.state.next_counter(), Some(8));
        let replay = verifier.verify(v.state, hotp.code(7), 0).unwrap();
        assert_eq!(replay.outcome, Outcome::Replayed);
    }

    #[test]
    fn policy_round_trips_through_the_core() {
        let mut policy = default_policy();
        policy.max_failures = 3;
        policy.behind = 2;
        let core = core::Policy::try_from(&policy).unwrap();
        assert_eq!(Policy::from(&core), policy);
    }
}
