//! The server side: enroll a device (a pending enrolment from the moment the secret
//! is shown; codes checked one at a time or two at once, retried with the same
//! secret), verify sign-ins without replays, resynchronise, and keep the per-device
//! state as one string. Every operation that judges codes returns the state to
//! store, whatever the outcome: failures are counted in it.

use std::sync::Arc;

use otpkit::verifier as core;

use crate::OtpkitError;
use crate::{Hotp, Totp};

/// How tolerant a verifier is. Every field defaults to the core's default policy,
/// so `Policy()` (Kotlin, Swift) is `default_policy()` and `Policy(maxFailures = 3u)`
/// changes one setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct Policy {
    /// Steps (TOTP) or counters (HOTP) searched either side when enrolling (at most
    /// 100).
    #[uniffi(default = 10)]
    pub enroll_window: u32,
    /// TOTP steps accepted behind the server's clock at sign-in (at most 10; the
    /// last one is where a slow clock shows first).
    #[uniffi(default = 4)]
    pub behind: u32,
    /// TOTP steps accepted ahead of the server's clock at sign-in (at most 10).
    #[uniffi(default = 2)]
    pub ahead: u32,
    /// TOTP steps searched either side when resynchronising (at most 120).
    #[uniffi(default = 20)]
    pub resync_window: u32,
    /// HOTP counters accepted ahead of the expected one at sign-in (at most 50).
    #[uniffi(default = 10)]
    pub hotp_look_ahead: u32,
    /// HOTP counters searched ahead when resynchronising (at most 1000).
    #[uniffi(default = 100)]
    pub hotp_resync_look_ahead: u32,
    /// The most TOTP drift, in steps, the state remembers and the scan widens to
    /// (at most 40).
    #[uniffi(default = 20)]
    pub max_drift_steps: u32,
    /// Failures before a lock-out: 1 to 100 (NIST SP 800-63B).
    #[uniffi(default = 5)]
    pub max_failures: u32,
    /// The first lock-out's length in seconds; each further one doubles.
    #[uniffi(default = 60)]
    pub lockout_base_secs: u64,
    /// The longest lock-out in seconds.
    #[uniffi(default = 3600)]
    pub lockout_max_secs: u64,
}

impl From<&core::Policy> for Policy {
    fn from(p: &core::Policy) -> Self {
        Policy {
            enroll_window: p.enroll_window(),
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
    type Error = OtpkitError;

    fn try_from(p: &Policy) -> Result<Self, OtpkitError> {
        Ok(core::Policy::default()
            .with_enroll_window(p.enroll_window)?
            .with_window_steps(p.behind, p.ahead)?
            .with_resync_window(p.resync_window)?
            .with_hotp_look_ahead(p.hotp_look_ahead)?
            .with_hotp_resync_look_ahead(p.hotp_resync_look_ahead)?
            .with_max_drift_steps(p.max_drift_steps)?
            .with_max_failures(p.max_failures)?
            .with_lockout(p.lockout_base_secs, p.lockout_max_secs)?)
    }
}

/// The core's default policy: enroll within ±10 steps, accept 4 steps behind (90 s
/// to type and submit, plus one) and 2 ahead, lock out after 5 failures for 60 s
/// doubling up to an hour.
#[uniffi::export]
pub fn default_policy() -> Policy {
    Policy::from(&core::Policy::default())
}

/// What a server stores per device between sign-ins: the last accepted step (TOTP)
/// or next counter (HOTP), the measured drift, and the failure count and lock-out.
/// Immutable: every operation returns a new state to store.
#[derive(Clone, Copy, PartialEq, Eq, Hash, uniffi::Object)]
#[uniffi::export(Debug, Eq, Hash)]
pub struct DeviceState(pub(crate) core::DeviceState);

crate::transparent_debug!(DeviceState, 0);

#[uniffi::export]
impl DeviceState {
    /// Reads a state written by `encode`; a changed or truncated text is an error.
    #[uniffi::constructor]
    pub fn decode(text: String) -> Result<Arc<Self>, OtpkitError> {
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

    /// A pending TOTP enrolment, to store when the secret is shown.
    #[uniffi::constructor]
    pub fn enrolling_totp() -> Arc<Self> {
        Arc::new(DeviceState(core::DeviceState::enrolling_totp()))
    }

    /// A pending HOTP enrolment searching from `from_counter`: 0 for a new token,
    /// the last known counter for a token enrolled again (its old codes stay
    /// refused).
    #[uniffi::constructor]
    pub fn enrolling_hotp(from_counter: u64) -> Arc<Self> {
        Arc::new(DeviceState(core::DeviceState::enrolling_hotp(from_counter)))
    }

    /// Whether enrolment has finished.
    pub fn is_enrolled(&self) -> bool {
        self.0.is_enrolled()
    }

    /// While enrolling: whether the next code must be the one after the first.
    pub fn awaits_second_code(&self) -> bool {
        self.0.awaits_second_code()
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
#[uniffi::export(Eq)]
pub struct Verification {
    /// What became of the attempt.
    pub outcome: Outcome,
    /// The state to store.
    pub state: Arc<DeviceState>,
}

/// Why enrolment codes were refused (the user may try again with the same secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum EnrollRefusal {
    /// The (first) code matches no step of the enrolment window: a typo, the wrong
    /// secret scanned, or a clock further off than the window. Counted.
    FirstCodeNotFound,
    /// The second code matches no step of the window. Counted.
    SecondCodeNotFound,
    /// Both codes are valid but not consecutive.
    NotConsecutive,
    /// The same code was given twice: wait for the next one.
    SameCodeTwice,
    /// A code is not of the right form. Counted.
    Malformed,
    /// Too many failed attempts: the codes were not looked at.
    Locked,
    /// A reason this binding does not know (see `message`).
    Other,
}

/// What became of an enrolment attempt.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum EnrollOutcome {
    /// Enrolled: the state is ready for sign-ins.
    Enrolled {
        /// The step (TOTP) or counter (HOTP) of the last code.
        step: u64,
        /// The clock drift learned (0 unless the codes prove the clock is off).
        drift: i64,
    },
    /// The code is valid: ask for the device's next code.
    NeedNextCode,
    /// Refused; ask again (the secret stays the same).
    Refused {
        /// Why.
        why: EnrollRefusal,
        /// The core's message for the user, without the codes.
        message: String,
        /// For `Locked`: when the lock-out ends (Unix seconds).
        locked_until: Option<u64>,
    },
}

/// The outcome of an enrolment attempt and the state to store afterwards.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Eq)]
pub struct Enrollment {
    /// What became of the attempt.
    pub outcome: EnrollOutcome,
    /// The state to store (pending until enrolled).
    pub state: Arc<DeviceState>,
}

/// What became of a resynchronisation attempt. Only `Resynced` brings the device
/// back; every refusal except `Locked` is counted as a failure in the state.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ResyncOutcome {
    /// In sync again.
    Resynced {
        /// The step (TOTP) or counter (HOTP) of the second code.
        step: u64,
        /// The drift learned (TOTP), in steps.
        drift: i64,
    },
    /// Not two valid consecutive codes after the last accepted one (deliberately
    /// not saying which code was wrong).
    Rejected,
    /// The same code was given twice.
    SameCodeTwice,
    /// A code is not of the right form.
    Malformed {
        /// Why, without repeating what was typed.
        reason: String,
    },
    /// Too many failures: the codes were not looked at.
    Locked {
        /// When the lock-out ends (Unix seconds; the largest value: until reset).
        until: u64,
    },
}

/// The outcome of a resynchronisation attempt and the state to store afterwards.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Eq)]
pub struct Resynchronisation {
    /// What became of the attempt.
    pub outcome: ResyncOutcome,
    /// The state to store (with the failure counted when refused).
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
    pub fn totp(generator: Arc<Totp>, policy: Option<Policy>) -> Result<Arc<Self>, OtpkitError> {
        let policy = core_policy(policy)?;
        Ok(Arc::new(Verifier(core::Verifier::totp(
            generator.inner.clone(),
            policy,
        ))))
    }

    /// A verifier for an HOTP device; `policy` defaults to `default_policy()`.
    #[uniffi::constructor(default(policy = None))]
    pub fn hotp(generator: Arc<Hotp>, policy: Option<Policy>) -> Result<Arc<Self>, OtpkitError> {
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

    /// A pending enrolment for this kind of device (HOTP: from counter 0). Store it
    /// when the secret is shown, then pass it to `enroll_code` or `enroll`.
    pub fn begin_enrollment(&self) -> Arc<DeviceState> {
        Arc::new(DeviceState(self.0.begin_enrollment()))
    }

    /// The worst-case probability that an online attacker guessing at random gets
    /// in before the permanent lock (100 consecutive failures, NIST SP 800-63B).
    pub fn worst_case_guess_probability(&self) -> f64 {
        self.0
            .policy()
            .worst_case_guess_probability(self.0.kind(), self.0.digits())
    }

    /// Enrolment one code at a time, as the user types them: the first valid code
    /// gives `NeedNextCode`, the one right after it `Enrolled`. A wrong code is
    /// `Refused` and counted; the user tries again with the same secret. Returns
    /// the state to store whatever the outcome; throws only when the attempt could
    /// not be evaluated (then the state is unchanged).
    pub fn enroll_code(
        &self,
        state: Arc<DeviceState>,
        code: String,
        now: u64,
    ) -> Result<Enrollment, OtpkitError> {
        enrollment(self.0.enroll_code(&state.0, &code, now))
    }

    /// Enrolment with two consecutive codes at once (a web form), from a pending
    /// enrolment. Like `enroll_code`, returns the state to store whatever the
    /// outcome.
    pub fn enroll(
        &self,
        state: Arc<DeviceState>,
        code1: String,
        code2: String,
        now: u64,
    ) -> Result<Enrollment, OtpkitError> {
        enrollment(self.0.enroll(&state.0, &code1, &code2, now))
    }

    /// Checks a sign-in code at Unix time `now` against the stored `state`. Returns
    /// the outcome and the new state to store; throws only when the attempt could
    /// not be evaluated at all (then the state is unchanged).
    pub fn verify(
        &self,
        state: Arc<DeviceState>,
        code: String,
        now: u64,
    ) -> Result<Verification, OtpkitError> {
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
        };
        Ok(Verification {
            outcome,
            state: Arc::new(DeviceState(new_state)),
        })
    }

    /// Re-measures a TOTP device's drift (or an HOTP device's counter) from two
    /// consecutive codes, searching a wider window than sign-in does. Returns the
    /// outcome and the state to store whatever the outcome (a refused pair is
    /// counted as a failure in it); throws only when the attempt could not be
    /// evaluated at all (then the state is unchanged).
    pub fn resync(
        &self,
        state: Arc<DeviceState>,
        code1: String,
        code2: String,
        now: u64,
    ) -> Result<Resynchronisation, OtpkitError> {
        let (outcome, new_state) = self.0.resync(&state.0, &code1, &code2, now);
        let outcome = match outcome {
            core::ResyncOutcome::Resynced { step, drift } => {
                ResyncOutcome::Resynced { step, drift }
            }
            core::ResyncOutcome::Rejected(e) => match e {
                core::ResyncError::Rejected => ResyncOutcome::Rejected,
                core::ResyncError::SameCodeTwice => ResyncOutcome::SameCodeTwice,
                core::ResyncError::Malformed(m) => ResyncOutcome::Malformed {
                    reason: m.to_string(),
                },
                core::ResyncError::Locked { until } => ResyncOutcome::Locked { until },
                other => return Err(other.into()),
            },
        };
        Ok(Resynchronisation {
            outcome,
            state: Arc::new(DeviceState(new_state)),
        })
    }
}

/// The binding's view of an enrolment result.
fn enrollment(
    (outcome, state): (core::EnrollOutcome, core::DeviceState),
) -> Result<Enrollment, OtpkitError> {
    let refused = |why, e: &core::EnrollError, locked_until| EnrollOutcome::Refused {
        why,
        message: e.to_string(),
        locked_until,
    };
    let outcome = match outcome {
        core::EnrollOutcome::Enrolled { step, drift } => EnrollOutcome::Enrolled { step, drift },
        core::EnrollOutcome::NeedNextCode => EnrollOutcome::NeedNextCode,
        core::EnrollOutcome::Rejected(e) => match e {
            core::EnrollError::FirstCodeNotFound => {
                refused(EnrollRefusal::FirstCodeNotFound, &e, None)
            }
            core::EnrollError::SecondCodeNotFound => {
                refused(EnrollRefusal::SecondCodeNotFound, &e, None)
            }
            core::EnrollError::NotConsecutive => refused(EnrollRefusal::NotConsecutive, &e, None),
            core::EnrollError::SameCodeTwice => refused(EnrollRefusal::SameCodeTwice, &e, None),
            core::EnrollError::Malformed(_) => refused(EnrollRefusal::Malformed, &e, None),
            core::EnrollError::Locked { until } => refused(EnrollRefusal::Locked, &e, Some(until)),
            core::EnrollError::Time(_)
            | core::EnrollError::AlreadyEnrolled
            | core::EnrollError::WrongKind
            | core::EnrollError::CounterExhausted => return Err(e.into()),
        },
    };
    Ok(Enrollment {
        outcome,
        state: Arc::new(DeviceState(state)),
    })
}

fn core_policy(policy: Option<Policy>) -> Result<core::Policy, OtpkitError> {
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
        Totp::new(secret, Some(Algorithm::Sha1), 6, 30, 0).unwrap()
    }

    #[test]
    fn enrol_verify_replay_and_persist() {
        let totp = totp();
        let verifier = Verifier::totp(totp.clone(), None).unwrap();
        let now = 1_700_000_000;
        let step = totp.step_at(now).unwrap();
        let state = verifier
            .enroll(
                verifier.begin_enrollment(),
                totp.code_at_step(step - 1),
                totp.code_at_step(step),
                now,
            )
            .unwrap()
            .state;
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
        assert!(
            e.reason() == crate::ErrorReason::StateChecksumMismatch,
            "{e:?}"
        );
    }

    #[test]
    fn typed_errors_and_outcomes() {
        let totp = totp();
        let verifier = Verifier::totp(totp.clone(), None).unwrap();
        let refused = verifier
            .enroll(
                verifier.begin_enrollment(),
                "123456".into(),
                "123456".into(),
                1_700_000_000,
            )
            .unwrap();
        assert!(
            matches!(
                refused.outcome,
                EnrollOutcome::Refused {
                    why: EnrollRefusal::FirstCodeNotFound | EnrollRefusal::SameCodeTwice,
                    ..
                }
            ),
            "{refused:?}"
        );
        let e = verifier
            .enroll(
                DeviceState::totp_at(5),
                "123456".into(),
                "123457".into(),
                1_700_000_000,
            )
            .unwrap_err();
        assert!(e.reason() == crate::ErrorReason::AlreadyEnrolled, "{e:?}");
        let state = DeviceState::totp_at(0);
        let v = verifier.verify(state.clone(), "12345".into(), 100).unwrap();
        assert!(matches!(v.outcome, Outcome::Malformed { .. }), "{v:?}");
        let hotp_state = DeviceState::hotp_at(0);
        assert!(matches!(
            (verifier.verify(hotp_state, "123456".into(), 100)).map_err(|e| e.reason()),
            Err(crate::ErrorReason::WrongKind)
        ));
        let mut policy = default_policy();
        policy.max_failures = 0;
        assert!(matches!(
            (Verifier::totp(totp, Some(policy))).map_err(|e| e.reason()),
            Err(crate::ErrorReason::MaxFailuresOutOfRange)
        ));
    }

    #[test]
    fn hotp_enrol_and_verify() {
        let secret = Secret::from_bytes(b"12345678901234567890".to_vec(), false).unwrap();
        let hotp = Hotp::new(secret, Some(Algorithm::Sha1), 6).unwrap();
        let verifier = Verifier::hotp(hotp.clone(), None).unwrap();
        let state = verifier
            .enroll(verifier.begin_enrollment(), hotp.code(3), hotp.code(4), 0)
            .unwrap()
            .state;
        assert_eq!(state.next_counter(), Some(5));
        assert_eq!(state.last_step(), None);
        let v = verifier.verify(state, hotp.code(7), 0).unwrap();
        assert_eq!(v.outcome, Outcome::Accepted { step: 7, drift: 2 });
        assert_eq!(v.state.next_counter(), Some(8));
        let replay = verifier.verify(v.state, hotp.code(7), 0).unwrap();
        assert_eq!(replay.outcome, Outcome::Replayed);
    }

    #[test]
    fn enrollment_retries_with_the_same_secret_and_counts_failures() {
        let totp = totp();
        let verifier = Verifier::totp(totp.clone(), None).unwrap();
        let now = 1_700_000_000;
        let step = totp.step_at(now).unwrap();
        let near: Vec<String> = (step - 12..=step + 12)
            .map(|s| totp.code_at_step(s))
            .collect();
        let wrong = (0..10)
            .map(|d| d.to_string().repeat(6))
            .find(|c| !near.contains(c))
            .unwrap();
        let pending = verifier.begin_enrollment();
        let first = verifier.enroll_code(pending, wrong, now).unwrap();
        assert!(
            matches!(
                first.outcome,
                EnrollOutcome::Refused {
                    why: EnrollRefusal::FirstCodeNotFound,
                    ..
                }
            ),
            "{first:?}"
        );
        assert_eq!(first.state.failures(), 1);
        // Stored and read back, as a server would between requests.
        let pending = DeviceState::decode(first.state.encode()).unwrap();
        let next = verifier
            .enroll_code(pending, totp.code_at_step(step), now)
            .unwrap();
        assert_eq!(next.outcome, EnrollOutcome::NeedNextCode);
        assert!(next.state.awaits_second_code());
        let done = verifier
            .enroll_code(next.state, totp.code_at_step(step + 1), now + 30)
            .unwrap();
        assert_eq!(
            done.outcome,
            EnrollOutcome::Enrolled {
                step: step + 1,
                drift: 0
            }
        );
        assert!(done.state.is_enrolled());
        assert_eq!(done.state.failures(), 0);
    }

    #[test]
    fn a_failed_resync_is_counted() {
        let totp = totp();
        let verifier = Verifier::totp(totp.clone(), None).unwrap();
        let now = 1_700_000_000;
        let step = totp.step_at(now).unwrap();
        let state = DeviceState::totp_at(step);
        let near: Vec<String> = (step - 30..=step + 30)
            .map(|s| totp.code_at_step(s))
            .collect();
        let wrong: Vec<String> = (0..10)
            .map(|d| d.to_string().repeat(6))
            .filter(|c| !near.contains(c))
            .collect();
        let r = verifier
            .resync(state, wrong[0].clone(), wrong[1].clone(), now)
            .unwrap();
        assert_eq!(r.outcome, ResyncOutcome::Rejected);
        assert_eq!(r.state.failures(), 1);
        let ok = verifier
            .resync(
                r.state,
                totp.code_at_step(step + 8),
                totp.code_at_step(step + 9),
                now,
            )
            .unwrap();
        assert!(matches!(ok.outcome, ResyncOutcome::Resynced { step: s, .. } if s == step + 9));
        assert_eq!(ok.state.failures(), 0);
        let p = verifier.worst_case_guess_probability();
        assert!((p - 100.0 * 27.0 / 1e6).abs() < 1e-12, "{p}");
    }

    #[test]
    fn policy_round_trips_through_the_core() {
        let mut policy = default_policy();
        policy.max_failures = 3;
        policy.behind = 2;
        let core = core::Policy::try_from(&policy).unwrap();
        assert_eq!(Policy::from(&core), policy);
        policy.behind = 1_000_000;
        assert!(matches!(
            (core::Policy::try_from(&policy)).map_err(|e| e.reason()),
            Err(crate::ErrorReason::PolicyOutOfRange)
        ));
    }

    #[test]
    fn policy_field_defaults_are_the_core_defaults() {
        // The `#[uniffi(default = …)]` literals on `Policy`'s fields, in order: a
        // change of the core's defaults must be made there too.
        let literals = Policy {
            enroll_window: 10,
            behind: 4,
            ahead: 2,
            resync_window: 20,
            hotp_look_ahead: 10,
            hotp_resync_look_ahead: 100,
            max_drift_steps: 20,
            max_failures: 5,
            lockout_base_secs: 60,
            lockout_max_secs: 3600,
        };
        assert_eq!(literals, default_policy());
    }
}
