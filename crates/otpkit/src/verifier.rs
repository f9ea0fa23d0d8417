//! The server side of MFA: enroll a device, sign in with one code, resynchronise a
//! drifted device, throttle guessing — the AWS `EnableMFADevice` /
//! `ResyncMFADevice` flow on top of RFC 4226 and RFC 6238.
//!
//! A [`Verifier`] holds a device's generator ([`Totp`] or [`Hotp`]) and a
//! [`Policy`]. Per-device progress lives in a [`DeviceState`], from the moment the
//! secret is shown: the pending enrolment, then the last accepted step (TOTP) or
//! next counter (HOTP), the learned clock drift, consecutive failures and lock-out.
//! Every operation is **pure**: it takes the stored state and returns the outcome
//! and the new state; nothing is remembered inside the verifier, so one verifier
//! can serve any number of requests and threads. Outcomes and states are
//! `#[must_use]`: dropping the new state would lose the failure count and the
//! replay record.
//!
//! ## Enroll (with retries), sign in
//!
//! ```
//! use otpkit::{Algorithm, Digits, Period, Secret, Totp};
//! use otpkit::verifier::{DeviceState, EnrollError, EnrollOutcome, Outcome, Policy, Verifier};
//!
//! let secret = Secret::from_bytes(b"12345678901234567890")?; // stored apart, encrypted
//! let totp = Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::DEFAULT);
//! let verifier = Verifier::totp(totp.clone(), Policy::default());
//! let now = 1_700_000_000;
//!
//! // The secret is shown (QR code + Base32): from now on there is a state to store.
//! let state = verifier.begin_enrollment();
//! // The user mistypes the first code: refused and counted, the secret is kept.
//! let (outcome, state) = verifier.enroll_code(&state, "000000", now);
//! assert_eq!(outcome, EnrollOutcome::Rejected(EnrollError::FirstCodeNotFound));
//! assert_eq!(state.failures(), 1);
//! // Then types it right, waits for the next code and types that.
//! let (outcome, state) = verifier.enroll_code(&state, &totp.code_at(now)?.to_string(), now + 5);
//! assert_eq!(outcome, EnrollOutcome::NeedNextCode);
//! let (outcome, state) = verifier.enroll_code(&state, &totp.code_at(now + 30)?.to_string(), now + 40);
//! assert!(outcome.is_enrolled());
//! let column: String = state.to_string(); // e.g. "otpk1.t.56666667.0.0.0.…"; no secret in it
//!
//! // Sign-in a minute later, the code submitted 80 s after it was read.
//! let old: DeviceState = column.parse()?;
//! let code = totp.code_at(now + 60)?.to_string();
//! let (outcome, new) = verifier.verify(&old, &code, now + 140);
//! assert!(matches!(outcome, Outcome::Accepted { .. }));
//! assert_eq!(new.drift(), 0); // a late code is not a slow clock
//! // The same code again is a replay, even from another server.
//! assert_eq!(verifier.verify(&new, &code, now + 141).0, Outcome::Replayed);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Persisting the new state: compare-and-swap
//!
//! Save the returned state **whatever the outcome** (failures and lock-outs are
//! state too), and save it only if the row is still the very one you read. Compare
//! a row version that changes on every write and never repeats (a random token set
//! on insert and on each update), not the state text alone: every pending
//! enrolment's state text is the same, so a device removed and enrolled again with
//! another secret between your read and your write would otherwise be enrolled by
//! codes of the old secret. `otpkit-store` does exactly this for SQLite, PostgreSQL
//! and Redis.
//!
//! ```sql
//! UPDATE mfa_devices SET state = :new, version = :fresh_random_token
//!  WHERE device_id = :id AND version = :version_read AND state = :old;
//! ```
//!
//! If no row was updated another request changed the state first: read it again
//! and verify again (a code that was just accepted by the other request is then
//! `Replayed`). Only report success to the user after your update went through.
//! This way two servers racing on the same code cannot both accept it, and
//! concurrent wrong guesses cannot erase each other's failure counts. The
//! `verifier_concurrency` test runs exactly this against a mutex-guarded string.
//!
//! ## Clock drift, and why it never hurts a correct clock
//!
//! A code that arrives one or two steps "behind" is usually not a slow clock: a
//! person reads the code, types it, and clicks *submit* up to a minute or more
//! later. So:
//!
//! - the sign-in scan **always** covers [`Policy::window`] around the server's own
//!   clock (by default 4 steps behind: 90 s for a person to read, type and submit,
//!   and one more step where a slow clock shows first; and 2 ahead, where a fast
//!   clock shows first); a learned drift only *widens* the scan towards where the device's clock
//!   is (the contiguous hull of both windows), and the whole hull is compared in
//!   constant time. Whatever drift a state carries, a phone with a correct clock is
//!   accepted, and once a drifted phone's clock is corrected it is accepted at once
//!   and the drift recovers by itself;
//! - drift is learned only from **evidence** that the device's clock is off: a code
//!   further behind than `window.behind()` steps (older than any delay explains) or
//!   further ahead than `window.ahead()` (delay never makes a code early). A code
//!   consistent with a correct clock typed late leaves the drift where it was, or
//!   pulls it towards the clock the code proves possible;
//! - drift is bounded by [`Policy::max_drift_steps`] when learned *and* when a
//!   stored state is read, so an edited or imported state cannot widen the scan
//!   past the policy.
//!
//! The `verifier_simulation` test checks this over simulated people and phones:
//! typing delays of 0 to 90 s, exact, slow, fast and slowly drifting clocks, months
//! of sign-ins.
//!
//! ## Resynchronisation
//!
//! A device whose clock (or HOTP counter) ran out of the sign-in scan is brought
//! back with two consecutive codes ([`Verifier::resync`]). Like `verify`, it
//! returns the new state whatever the outcome, and a refused attempt counts as a
//! failure:
//!
//! ```
//! use otpkit::{Algorithm, Digits, Period, Secret, Totp};
//! use otpkit::verifier::{DeviceState, Outcome, Policy, ResyncError, ResyncOutcome, Verifier};
//! let secret = Secret::from_bytes(b"12345678901234567890")?;
//! let totp = Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::DEFAULT);
//! let v = Verifier::totp(totp.clone(), Policy::default());
//! let state = DeviceState::totp_at(totp.step_at(1_700_000_000)?);
//! // Months later the phone's clock runs 12 steps (6 minutes) fast.
//! let later = 1_700_000_000 + 86_400;
//! let fast = |k: u64| totp.code_at(later + 30 * (12 + k)).map(|c| c.to_string());
//! let (outcome, state) = v.verify(&state, &fast(0)?, later);
//! assert_eq!(outcome, Outcome::Invalid);
//! let (outcome, state) = v.resync(&state, "123456", "654321", later);
//! assert_eq!(outcome, ResyncOutcome::Rejected(ResyncError::Rejected));
//! assert_eq!(state.failures(), 2); // counted without the caller's help
//! let (outcome, state) = v.resync(&state, &fast(0)?, &fast(1)?, later);
//! assert!(outcome.is_resynced());
//! // 13 steps measured; 2 more in case the codes were typed late (see below).
//! assert_eq!((state.drift(), state.failures()), (15, 0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Throttling
//!
//! After [`Policy::max_failures`] consecutive failures (wrong, replayed *and*
//! malformed codes all count, at enrolment, sign-in and resync alike) the device
//! is locked for [`Policy::lockout_base_secs`], doubling with each further
//! lock-out up to [`Policy::lockout_max_secs`]; while locked, every operation
//! refuses without looking at the code. At [`NIST_MAX_FAILURES`] consecutive
//! failures the device stays locked until an administrator calls
//! [`DeviceState::with_failures_cleared`]. A success resets the count.
//! [`Policy::worst_case_guess_probability`] says what that leaves an online
//! guesser.
//!
//! The text form of a state is checked on reading ([`DeviceState::decode`]).
//! Dropping a new state is a compile-time warning, which this crate turns into an
//! error for itself (`#![deny(unused_must_use)]`); do the same in yours:
//!
//! ```compile_fail
//! #![deny(unused_must_use)]
//! # use otpkit::{Hotp, Secret, verifier::{DeviceState, Policy, Verifier}};
//! # let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
//! # let v = Verifier::hotp(Hotp::new(&secret, Default::default(), Default::default()),
//! #                        Policy::default());
//! let state = DeviceState::hotp_at(0);
//! v.verify(&state, "755224", 0); // the new state is dropped: refused at compile time
//! ```

mod errors;
mod outcome;
mod policy;
mod select;
mod state;
pub(crate) mod throttle;

use core::fmt;

use subtle::ConstantTimeLess;

pub use errors::{EnrollError, ResyncError};
#[cfg(feature = "alloc")] // for `recovery`
pub(crate) use outcome::outcome_impls;
pub use outcome::{EnrollOutcome, Outcome, ResyncOutcome, SignInError};
pub use policy::{
    MAX_DRIFT_STEPS, MAX_ENROLL_WINDOW, MAX_HOTP_LOOK_AHEAD, MAX_HOTP_RESYNC_LOOK_AHEAD,
    MAX_RESYNC_WINDOW, MAX_SIGN_IN_STEPS, NIST_MAX_FAILURES, Policy, PolicyError,
};
pub use state::{DeviceKind, DeviceState, MAX_ENCODED_LEN, StateError};

use errors::PairError;
use state::Phase;

use crate::verify::range_around;
use crate::{Code, CodeError, Digits, Hotp, Totp};

#[derive(Clone)]
enum Device {
    Totp(Totp),
    Hotp(Hotp),
}

/// Enrolls, signs in and resynchronises one device. See the [module docs](self).
///
/// Its `Debug` shows the algorithm, digits and policy, never the secret.
#[derive(Clone)]
pub struct Verifier {
    device: Device,
    policy: Policy,
}

impl Verifier {
    /// A verifier for a TOTP device.
    pub fn totp(totp: Totp, policy: Policy) -> Self {
        Verifier {
            device: Device::Totp(totp),
            policy,
        }
    }

    /// A verifier for an HOTP device.
    pub fn hotp(hotp: Hotp, policy: Policy) -> Self {
        Verifier {
            device: Device::Hotp(hotp),
            policy,
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// TOTP or HOTP.
    pub fn kind(&self) -> DeviceKind {
        match self.device {
            Device::Totp(_) => DeviceKind::Totp,
            Device::Hotp(_) => DeviceKind::Hotp,
        }
    }

    /// A pending enrolment for this verifier's kind of device (HOTP: from counter
    /// 0, a new token; use [`DeviceState::enrolling_hotp`] to start from the
    /// counter the server last knew). Store it when the secret is shown.
    #[must_use = "store the pending enrolment"]
    pub fn begin_enrollment(&self) -> DeviceState {
        match self.device {
            Device::Totp(_) => DeviceState::enrolling_totp(),
            Device::Hotp(_) => DeviceState::enrolling_hotp(0),
        }
    }

    /// Enrolment one code at a time, as the user types them: the first valid code
    /// gives [`EnrollOutcome::NeedNextCode`], the code right after it
    /// [`EnrollOutcome::Enrolled`]. A valid code that is not the next one becomes
    /// the new first code (the user waited too long); a wrong or malformed code is
    /// a failure counted in the state, and the user tries again with the same
    /// secret. Returns the state to store whatever the outcome.
    ///
    /// TOTP codes are searched within ±[`Policy::enroll_window`] steps of `now`;
    /// HOTP counters from the pending state's start to `enroll_window` past it
    /// (`now` is then only used for lock-outs). The enrolled state records the
    /// second code's step as used, so neither code can be replayed, and learns a
    /// clock drift only when the codes prove the device's clock is off (see the
    /// [module docs](self)).
    ///
    /// ```
    /// use otpkit::{Hotp, Secret};
    /// use otpkit::verifier::{DeviceState, EnrollError, EnrollOutcome, Policy, Verifier};
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let v = Verifier::hotp(Hotp::new(&secret, Default::default(), Default::default()),
    ///                        Policy::default());
    /// // A token enrolled again: the server last knew counter 4, so old codes stay refused.
    /// let s = DeviceState::enrolling_hotp(5);
    /// let (outcome, s) = v.enroll_code(&s, "969429", 0); // RFC 4226 counter 3
    /// assert_eq!(outcome, EnrollOutcome::Rejected(EnrollError::FirstCodeNotFound));
    /// let (outcome, s) = v.enroll_code(&s, "287922", 0); // counter 6
    /// assert_eq!(outcome, EnrollOutcome::NeedNextCode);
    /// let (outcome, s) = v.enroll_code(&s, "162583", 0); // counter 7
    /// assert_eq!(outcome, EnrollOutcome::Enrolled { step: 7, drift: 0 });
    /// assert_eq!((s.next_counter(), s.failures()), (Some(8), 0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use = "store the returned state whatever the outcome"]
    pub fn enroll_code(
        &self,
        state: &DeviceState,
        code: &str,
        now: u64,
    ) -> (EnrollOutcome, DeviceState) {
        let (typed, (lo, hi)) = match self.enroll_attempt(state, self.parse(code), now) {
            Ok(ready) => ready,
            Err(answer) => return answer,
        };
        let awaiting_second = matches!(state.phase, Phase::AwaitingSecond);
        if awaiting_second {
            let first = state.position;
            if let Some(second) = first.checked_add(1)
                && (lo..=hi).contains(&second)
                && self.scan(&typed, second, second).is_some()
            {
                return self.enrolled(state, second, now);
            }
            if self.scan(&typed, first, first).is_some() {
                return (EnrollOutcome::Rejected(EnrollError::SameCodeTwice), *state);
            }
        }
        match self.scan(&typed, lo, hi) {
            Some(step) => (
                EnrollOutcome::NeedNextCode,
                DeviceState {
                    phase: Phase::AwaitingSecond,
                    position: step,
                    ..*state
                },
            ),
            None if awaiting_second => {
                self.enroll_failed(state, EnrollError::SecondCodeNotFound, now)
            }
            None => self.enroll_failed(state, EnrollError::FirstCodeNotFound, now),
        }
    }

    /// Enrolment with two consecutive codes at once (AWS `EnableMFADevice`), from
    /// a pending enrolment ([`Verifier::begin_enrollment`]). `code2` must belong to
    /// the step (counter) right after `code1`'s, both in the range
    /// [`Verifier::enroll_code`] searches. Refused codes are counted as failures
    /// unless both were valid codes (not consecutive, or the same code twice), and
    /// the user may try again with the same secret.
    ///
    /// ```
    /// use otpkit::{Hotp, Secret, verifier::{EnrollError, EnrollOutcome, Policy, Verifier}};
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let hotp = Hotp::new(&secret, Default::default(), Default::default());
    /// let v = Verifier::hotp(hotp, Policy::default());
    /// let pending = v.begin_enrollment();
    /// // RFC 4226 codes for counters 3 and 5, then 3 and 4.
    /// let (outcome, pending) = v.enroll(&pending, "969429", "254676", 0);
    /// assert_eq!(outcome, EnrollOutcome::Rejected(EnrollError::NotConsecutive));
    /// let (outcome, state) = v.enroll(&pending, "969429", "338314", 0);
    /// assert!(outcome.is_enrolled());
    /// assert_eq!(state.next_counter(), Some(5));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use = "store the returned state whatever the outcome"]
    pub fn enroll(
        &self,
        state: &DeviceState,
        code1: &str,
        code2: &str,
        now: u64,
    ) -> (EnrollOutcome, DeviceState) {
        // The first malformed code's error, as `enroll_attempt` reports it.
        let both = self
            .parse(code1)
            .and_then(|c1| Ok((c1, self.parse(code2)?)));
        let ((c1, c2), (lo, hi)) = match self.enroll_attempt(state, both, now) {
            Ok(ready) => ready,
            Err(answer) => return answer,
        };
        match self.find_pair(&c1, &c2, lo, hi) {
            Ok(s2) => self.enrolled(state, s2, now),
            Err(e @ (PairError::NotConsecutive | PairError::SameCodeTwice))
                if self.scan(&c1, lo, hi).is_some() =>
            {
                (EnrollOutcome::Rejected(e.into()), *state)
            }
            Err(e) => self.enroll_failed(state, e.into(), now),
        }
    }

    /// Sign-in with one code. Pure: returns the outcome and the state to persist
    /// (with compare-and-swap, see the [module docs](self)) whatever the outcome.
    ///
    /// TOTP: the code is compared, in constant time, with every step of
    /// [`Policy::window`] around the server's clock, widened towards the learned
    /// drift (clamped to ±[`Policy::max_drift_steps`] as it is read). A step after
    /// the last accepted one is accepted and becomes the last accepted step; the
    /// drift is updated only if the code proves the device's clock is off (see the
    /// [module docs](self)). Otherwise, if the code matches a step of the scan at or
    /// before the last accepted one it is [`Outcome::Replayed`], else
    /// [`Outcome::Invalid`]; neither reveals how close a wrong code came. When a
    /// code matches several steps (two steps sharing a code), the latest wins, so a
    /// fresh step is preferred to a used one.
    ///
    /// HOTP: counters `next ..= next + `[`Policy::hotp_look_ahead`] are tried
    /// (RFC 4226 §7.2); the next counter moves past the match. A code matching
    /// one of the `hotp_look_ahead + 1` counters before `next` is `Replayed`.
    ///
    /// While the device is locked the code is not looked at: [`Outcome::Locked`].
    ///
    /// ```
    /// use otpkit::{Hotp, Secret, verifier::{DeviceState, Outcome, Policy, Verifier}};
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let v = Verifier::hotp(Hotp::new(&secret, Default::default(), Default::default()),
    ///                        Policy::default());
    /// let state = DeviceState::hotp_at(0);
    /// // RFC 4226's code for counter 2: two presses were lost, still in the look-ahead.
    /// let (outcome, state) = v.verify(&state, "359152", 0);
    /// assert_eq!(outcome, Outcome::Accepted { step: 2, drift: 2 });
    /// assert_eq!(state.next_counter(), Some(3));
    /// let (outcome, state) = v.verify(&state, "359152", 0);
    /// assert_eq!(outcome, Outcome::Replayed);
    /// assert_eq!(state.failures(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use = "store the returned state whatever the outcome"]
    pub fn verify(&self, state: &DeviceState, code: &str, now: u64) -> (Outcome, DeviceState) {
        if state.kind != self.kind() {
            return (Outcome::Error(SignInError::WrongKind), *state);
        }
        if !state.is_enrolled() {
            return (Outcome::Error(SignInError::NotEnrolled), *state);
        }
        if let Some(until) = throttle::locked(state, now) {
            return (Outcome::Locked { until }, *state);
        }
        let typed = match self.parse(code) {
            Ok(c) => c,
            Err(e) => return (Outcome::Malformed(e), self.record_failure(state, now)),
        };
        let failed = |outcome| (outcome, self.record_failure(state, now));
        match &self.device {
            Device::Totp(totp) => {
                let now_step = match totp.step_at(now) {
                    Ok(s) => s,
                    Err(e) => return (Outcome::Error(SignInError::Time(e)), *state),
                };
                let drift = self.clamp_drift(state.drift);
                let (lo, hi) = self.sign_in_range(now_step, drift);
                let last = state.position;
                let fresh = last
                    .checked_add(1)
                    .and_then(|first| self.scan(&typed, first.max(lo), hi));
                match fresh {
                    Some(step) => {
                        let observed = offset(step, now_step);
                        let new = DeviceState {
                            position: step,
                            drift: self.learn_drift(drift, observed),
                            ..throttle::record_success(state)
                        };
                        (
                            Outcome::Accepted {
                                step,
                                drift: observed,
                            },
                            new,
                        )
                    }
                    None if self.scan(&typed, lo, hi.min(last)).is_some() => {
                        failed(Outcome::Replayed)
                    }
                    None => failed(Outcome::Invalid),
                }
            }
            Device::Hotp(_) => {
                let next = state.position;
                let look_ahead = u64::from(self.policy.hotp_look_ahead());
                match self.scan(&typed, next, next.saturating_add(look_ahead)) {
                    Some(counter) => match counter.checked_add(1) {
                        Some(after) => (
                            Outcome::Accepted {
                                step: counter,
                                drift: offset(counter, next),
                            },
                            DeviceState {
                                position: after,
                                ..throttle::record_success(state)
                            },
                        ),
                        None => (Outcome::Error(SignInError::CounterExhausted), *state),
                    },
                    None => {
                        let replayed = next.checked_sub(1).and_then(|last| {
                            self.scan(&typed, last.saturating_sub(look_ahead), last)
                        });
                        failed(if replayed.is_some() {
                            Outcome::Replayed
                        } else {
                            Outcome::Invalid
                        })
                    }
                }
            }
        }
    }

    /// Resynchronisation with two consecutive codes (AWS `ResyncMFADevice`,
    /// RFC 4226 §7.4), for a device whose clock (TOTP) or counter (HOTP) has moved
    /// out of the sign-in scan. Like [`Verifier::verify`], returns the outcome and
    /// the state to store whatever the outcome: wrong, repeated and malformed codes
    /// count as failures, and a locked device stays locked
    /// ([`ResyncError::Locked`]) without its codes being looked at.
    ///
    /// TOTP: steps within ±[`Policy::resync_window`] of now and after the last
    /// accepted step. HOTP: counters `next ..= next + `[`Policy::hotp_resync_look_ahead`].
    /// On success the drift is learned again (TOTP), failures are reset and the
    /// state moves past both codes. See the [module docs](self) for an example.
    #[must_use = "store the returned state whatever the outcome"]
    pub fn resync(
        &self,
        state: &DeviceState,
        code1: &str,
        code2: &str,
        now: u64,
    ) -> (ResyncOutcome, DeviceState) {
        let refused = |e| (ResyncOutcome::Rejected(e), *state);
        if state.kind != self.kind() {
            return refused(ResyncError::WrongKind);
        }
        if !state.is_enrolled() {
            return refused(ResyncError::NotEnrolled);
        }
        if let Some(until) = throttle::locked(state, now) {
            return refused(ResyncError::Locked { until });
        }
        let failed = |e| (ResyncOutcome::Rejected(e), self.record_failure(state, now));
        let (c1, c2) = match (self.parse(code1), self.parse(code2)) {
            (Ok(c1), Ok(c2)) => (c1, c2),
            (Err(e), _) | (_, Err(e)) => return failed(ResyncError::Malformed(e)),
        };
        let cleared = throttle::record_success(state);
        match &self.device {
            Device::Totp(totp) => {
                let now_step = match totp.step_at(now) {
                    Ok(s) => s,
                    Err(e) => return refused(ResyncError::Time(e)),
                };
                let steps = self.policy.resync_window();
                let (lo, hi) = range_around(now_step, steps, steps);
                let Some(first) = state.position.checked_add(1) else {
                    return failed(ResyncError::Rejected);
                };
                match self.resync_pair(&c1, &c2, first.max(lo), hi) {
                    Ok(s2) => {
                        let drift =
                            self.learn_drift(self.clamp_drift(state.drift), offset(s2, now_step));
                        (
                            ResyncOutcome::Resynced { step: s2, drift },
                            DeviceState {
                                position: s2,
                                drift,
                                ..cleared
                            },
                        )
                    }
                    Err(e) => failed(e),
                }
            }
            Device::Hotp(_) => {
                let next = state.position;
                let last = next.saturating_add(u64::from(self.policy.hotp_resync_look_ahead()));
                match self.resync_pair(&c1, &c2, next, last) {
                    Ok(s2) => match s2.checked_add(1) {
                        Some(after) => (
                            ResyncOutcome::Resynced { step: s2, drift: 0 },
                            DeviceState {
                                position: after,
                                ..cleared
                            },
                        ),
                        None => refused(ResyncError::CounterExhausted),
                    },
                    Err(e) => failed(e),
                }
            }
        }
    }

    fn record_failure(&self, state: &DeviceState, now: u64) -> DeviceState {
        throttle::record_failure(&self.policy, state, now)
    }

    /// What every enrolment attempt checks before its scan, in this order: a
    /// pending enrolment of this kind, not locked (refused, not counted); the typed
    /// code or codes, already `parsed` (a malformed one counts as a failure); the
    /// range to search. `Ok`: the codes and the range; `Err`: the attempt's answer.
    fn enroll_attempt<C>(
        &self,
        state: &DeviceState,
        parsed: Result<C, CodeError>,
        now: u64,
    ) -> Result<(C, (u64, u64)), (EnrollOutcome, DeviceState)> {
        if let Err(e) = self.check_pending(state, now) {
            return Err((EnrollOutcome::Rejected(e), *state));
        }
        let codes = match parsed {
            Ok(codes) => codes,
            Err(e) => return Err(self.enroll_failed(state, EnrollError::Malformed(e), now)),
        };
        match self.enroll_range(state, now) {
            Ok(range) => Ok((codes, range)),
            Err(e) => Err((EnrollOutcome::Rejected(e), *state)),
        }
    }

    /// Refuses a state that cannot take enrolment codes now.
    fn check_pending(&self, state: &DeviceState, now: u64) -> Result<(), EnrollError> {
        if state.kind != self.kind() {
            return Err(EnrollError::WrongKind);
        }
        if state.is_enrolled() {
            return Err(EnrollError::AlreadyEnrolled);
        }
        match throttle::locked(state, now) {
            Some(until) => Err(EnrollError::Locked { until }),
            None => Ok(()),
        }
    }

    /// The steps (counters) enrolment searches.
    fn enroll_range(&self, state: &DeviceState, now: u64) -> Result<(u64, u64), EnrollError> {
        let window = self.policy.enroll_window();
        match &self.device {
            Device::Totp(totp) => {
                let now_step = totp.step_at(now).map_err(EnrollError::Time)?;
                Ok(range_around(now_step, window, window))
            }
            Device::Hotp(_) => {
                let start = match state.phase {
                    // The first code's counter is taken; the search goes on after it.
                    Phase::AwaitingSecond => state.position.checked_add(1),
                    Phase::AwaitingFirst | Phase::Enrolled => Some(state.position),
                }
                .ok_or(EnrollError::CounterExhausted)?;
                Ok((start, start.saturating_add(u64::from(window))))
            }
        }
    }

    /// The enrolled state after a second code at `s2`.
    fn enrolled(&self, state: &DeviceState, s2: u64, now: u64) -> (EnrollOutcome, DeviceState) {
        let cleared = DeviceState {
            phase: Phase::Enrolled,
            ..throttle::record_success(state)
        };
        match &self.device {
            Device::Totp(totp) => {
                let observed = match totp.step_at(now) {
                    Ok(now_step) => offset(s2, now_step),
                    Err(e) => return (EnrollOutcome::Rejected(EnrollError::Time(e)), *state),
                };
                let drift = self.learn_drift(0, observed);
                (
                    EnrollOutcome::Enrolled { step: s2, drift },
                    DeviceState {
                        position: s2,
                        drift,
                        ..cleared
                    },
                )
            }
            Device::Hotp(_) => match s2.checked_add(1) {
                Some(next) => (
                    EnrollOutcome::Enrolled { step: s2, drift: 0 },
                    DeviceState {
                        position: next,
                        drift: 0,
                        ..cleared
                    },
                ),
                None => (
                    EnrollOutcome::Rejected(EnrollError::CounterExhausted),
                    *state,
                ),
            },
        }
    }

    fn enroll_failed(
        &self,
        state: &DeviceState,
        error: EnrollError,
        now: u64,
    ) -> (EnrollOutcome, DeviceState) {
        (
            EnrollOutcome::Rejected(error),
            self.record_failure(state, now),
        )
    }

    /// The TOTP sign-in scan: the policy window around the server's step, widened
    /// towards the (already clamped) drift — the contiguous hull of both windows.
    fn sign_in_range(&self, now_step: u64, drift: i64) -> (u64, u64) {
        let window = self.policy.window();
        let behind = u64::from(window.behind()).saturating_add(if drift < 0 {
            drift.unsigned_abs()
        } else {
            0
        });
        let ahead = u64::from(window.ahead()).saturating_add(if drift > 0 {
            drift.unsigned_abs()
        } else {
            0
        });
        (
            now_step.saturating_sub(behind),
            now_step.saturating_add(ahead),
        )
    }

    /// The drift to keep after a code at `observed` steps from the server's clock.
    ///
    /// A person shows a code `0 ..= late` steps after reading it (`late` is
    /// `window.behind() - 1`: the window's last step behind is where a slow clock
    /// is first seen, as its step ahead is for a fast one), and the phone's step
    /// can be one off the server's at a step boundary, so a code at `observed` says
    /// the phone's clock is off by `observed - 1 ..= observed + late + 1` steps:
    /// - a code from the future (`observed > 0`) proves a fast clock: delay never
    ///   makes a code early. The drift moves far enough that the scan's steps ahead
    ///   cover that clock's codes shown at once (up to `observed + late`);
    /// - a code older than any delay explains (`observed < -late`) proves a slow
    ///   clock: the drift moves to cover that clock's codes shown late
    ///   (`observed - late ..= observed`);
    /// - anything else is what a correct clock shows: no evidence. The drift decays
    ///   one step towards 0 (unless a fast or slow clock this code allows would
    ///   still need it) and is pulled into the range the code allows, so a
    ///   corrected clock recovers within a few sign-ins.
    ///
    /// With evidence, an old drift inside the range is kept. Clamped to
    /// ±[`Policy::max_drift_steps`].
    ///
    /// Every case's candidate is computed and one is picked with masks
    /// ([`select`]): the time does not depend on which step matched (ahead,
    /// current or behind) nor on the old drift.
    fn learn_drift(&self, old: i64, observed: i64) -> i64 {
        let window = self.policy.window();
        let behind = i64::from(window.behind());
        let ahead = i64::from(window.ahead());
        let late = i64::from(window.behind().saturating_sub(1));
        // The fastest clock this code allows, and the drift its quick codes need to
        // stay within `ahead`.
        let fastest = observed.saturating_add(late);
        let fast_needs = fastest.saturating_add(1).saturating_sub(ahead);
        // What the slowest clock a correct-looking code allows needs.
        let slow_needs = observed
            .saturating_add(behind)
            .saturating_sub(late)
            .saturating_sub(2);
        // No evidence: decay one step towards 0 (a corrected clock recovers), but
        // not past what a fast (slow) clock this code allows would need.
        let down = select::max(old.saturating_sub(1), select::min(fast_needs, old));
        let up = select::min(old.saturating_add(1), select::max(slow_needs, old));
        let decayed = select::select(
            select::select(0, down, select::lt(0, old)),
            up,
            select::lt(old, 0),
        );
        // Evidence of a fast clock (a code from the future) or of a slow one (older
        // than any delay explains); at most one of them.
        let fast = select::lt(0, observed);
        let slow = select::lt(observed, late.saturating_neg());
        let kept = select::select(select::select(decayed, old, fast), old, slow);
        let lo = select::select(
            select::select(
                observed.saturating_sub(1),
                select::min(fast_needs, fastest),
                fast,
            ),
            observed.saturating_sub(late),
            slow,
        );
        let hi = select::select(
            select::select(fastest.saturating_add(1), fastest, fast),
            observed,
            slow,
        );
        self.clamp_drift(select::clamp(kept, lo, hi))
    }

    /// The device's code length.
    pub fn digits(&self) -> Digits {
        match &self.device {
            Device::Totp(t) => t.digits(),
            Device::Hotp(h) => h.digits(),
        }
    }

    fn parse(&self, code: &str) -> Result<Code, CodeError> {
        Code::parse(code, self.digits())
    }

    /// The core's constant-time scan of `first ..= last` (latest match wins).
    fn scan(&self, code: &Code, first: u64, last: u64) -> Option<u64> {
        if first > last {
            return None;
        }
        match &self.device {
            Device::Totp(t) => t.verify_code_steps(code, first, last).ok(),
            Device::Hotp(h) => h.verify_code_range(code, first, last).ok(),
        }
    }

    /// Finds steps s, s + 1 in `lo ..= hi` matching `c1`, `c2`; returns s + 1.
    ///
    /// Two tries cover the tie rule (a code matching several steps reports the
    /// latest): the latest match of `c2` with `c1` just before it, then the latest
    /// match of `c1` with `c2` just after it. Both tries always run, each a scan of
    /// the range and a scan of one step, so the time depends on the range only.
    fn pair(&self, c1: &Code, c2: &Code, lo: u64, hi: u64) -> Option<u64> {
        let (Some(lo2), Some(hi1)) = (lo.checked_add(1), hi.checked_sub(1)) else {
            return None;
        };
        if lo2 > hi {
            return None;
        }
        // lo < hi here, so lo2 - 1 and hi1 + 1 stay in range.
        let s2 = self.scan(c2, lo2, hi);
        let before = s2.unwrap_or(lo2).saturating_sub(1);
        let c2_then_c1 = self.scan(c1, before, before).is_some();
        let s1 = self.scan(c1, lo, hi1);
        let after = s1.unwrap_or(lo).saturating_add(1);
        let c1_then_c2 = self.scan(c2, after, after).is_some();
        match (s2, c2_then_c1, s1, c1_then_c2) {
            (Some(s2), true, _, _) => Some(s2),
            (_, _, Some(_), true) => Some(after),
            _ => None,
        }
    }

    /// [`Verifier::pair`] for enrolment, saying why it failed.
    fn find_pair(&self, c1: &Code, c2: &Code, lo: u64, hi: u64) -> Result<u64, PairError> {
        if let Some(s2) = self.pair(c1, c2, lo, hi) {
            Ok(s2)
        } else if c1 == c2 {
            Err(PairError::SameCodeTwice)
        } else if self.scan(c1, lo, hi).is_none() {
            Err(PairError::FirstNotFound)
        } else if self.scan(c2, lo, hi).is_none() {
            Err(PairError::SecondNotFound)
        } else {
            Err(PairError::NotConsecutive)
        }
    }

    /// [`Verifier::pair`] for resynchronisation: one uninformative error.
    fn resync_pair(&self, c1: &Code, c2: &Code, lo: u64, hi: u64) -> Result<u64, ResyncError> {
        self.pair(c1, c2, lo, hi).ok_or(if c1 == c2 {
            ResyncError::SameCodeTwice
        } else {
            ResyncError::Rejected
        })
    }

    fn clamp_drift(&self, drift: i64) -> i64 {
        let max = i64::from(self.policy.max_drift_steps());
        select::clamp(drift, max.saturating_neg(), max)
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Verifier");
        match &self.device {
            Device::Totp(t) => d.field("totp", t),
            Device::Hotp(h) => d.field("hotp", h),
        };
        d.field("policy", &self.policy).finish()
    }
}

/// `step - expected` as i64, saturating. Without a branch on the steps (it runs on
/// the matched step): the wrapped difference is right unless its sign disagrees
/// with the borrow, and then the borrow says which end it passed.
fn offset(step: u64, expected: u64) -> i64 {
    let wrapped = step.wrapping_sub(expected).cast_signed();
    let borrow = step.ct_lt(&expected);
    let fits = !(borrow ^ select::lt(wrapped, 0));
    select::select(select::select(i64::MAX, i64::MIN, borrow), wrapped, fits)
}

#[cfg(test)]
mod tests {
    use super::{MAX_DRIFT_STEPS, MAX_SIGN_IN_STEPS, Policy, Verifier, offset};
    use crate::{Hotp, Secret, Window};
    use proptest::prelude::*;

    fn verifier(behind: u32, ahead: u32, max_drift: u32) -> Verifier {
        let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
        let policy = Policy::default()
            .with_window_steps(behind, ahead)
            .unwrap()
            .with_max_drift_steps(max_drift)
            .unwrap();
        Verifier::hotp(
            Hotp::new(&secret, Default::default(), Default::default()),
            policy,
        )
    }

    /// The drift rule as it was written before it was made branch-free (commit
    /// 47076e5): one branch per case, on `observed` and on `old`.
    fn reference_learn_drift(window: Window, max_drift: u32, old: i64, observed: i64) -> i64 {
        let max = i64::from(max_drift);
        let clamp_drift = |d: i64| d.clamp(-max, max);
        let late = i64::from(window.behind().saturating_sub(1));
        let (lo, hi) = if observed > 0 {
            let fastest = observed.saturating_add(late);
            let reach = fastest
                .saturating_add(1)
                .saturating_sub(i64::from(window.ahead()));
            (reach.min(fastest), fastest)
        } else if observed < late.saturating_neg() {
            (observed.saturating_sub(late), observed)
        } else {
            let behind = i64::from(window.behind());
            let fast_needs = observed
                .saturating_add(late)
                .saturating_add(1)
                .saturating_sub(i64::from(window.ahead()));
            let slow_needs = observed
                .saturating_add(behind)
                .saturating_sub(late)
                .saturating_sub(2);
            let decayed = if old > 0 {
                old.saturating_sub(1).max(fast_needs.min(old))
            } else if old < 0 {
                old.saturating_add(1).min(slow_needs.max(old))
            } else {
                0
            };
            return clamp_drift(decayed.clamp(
                observed.saturating_sub(1),
                observed.saturating_add(late).saturating_add(1),
            ));
        };
        clamp_drift(old.clamp(lo, hi))
    }

    /// Every valid window, the smallest and largest drift bounds and one between,
    /// every old drift and offset within ±(MAX_DRIFT_STEPS + 12), and the ends of i64.
    /// (Under Miri, which interprets every step, the edges of each range only: the
    /// 4.3 million cases take about 12 s natively and would take hours there.)
    #[test]
    fn learn_drift_is_the_branching_rule_exhaustively() {
        let far = if cfg!(miri) {
            3
        } else {
            i64::from(MAX_DRIFT_STEPS) + 12
        };
        let ends = [i64::MIN, i64::MIN + 1, i64::MAX - 1, i64::MAX];
        let values = || (-far..=far).chain(ends);
        let sides = || {
            (0..=MAX_SIGN_IN_STEPS).filter(|s| !cfg!(miri) || *s <= 1 || *s == MAX_SIGN_IN_STEPS)
        };
        for behind in sides() {
            for ahead in sides() {
                for max_drift in [0, 2, MAX_DRIFT_STEPS] {
                    let v = verifier(behind, ahead, max_drift);
                    let window = Window::new(behind, ahead).unwrap();
                    for old in values() {
                        for observed in values() {
                            assert_eq!(
                                v.learn_drift(old, observed),
                                reference_learn_drift(window, max_drift, old, observed),
                                "window {behind}/{ahead}, max {max_drift}, old {old}, observed {observed}"
                            );
                        }
                    }
                }
            }
        }
    }

    proptest! {
        // No failure file: Miri's isolation refuses the working directory proptest
        // would resolve it against; fewer cases there, where each is interpreted.
        #![proptest_config(ProptestConfig {
            failure_persistence: None,
            cases: if cfg!(miri) { 8 } else { 256 },
            ..ProptestConfig::default()
        })]

        /// The same over the whole input space: any window, drift bound, old drift
        /// and offset (i64), near zero and far from it.
        #[test]
        fn learn_drift_is_the_branching_rule(
            behind in 0..=MAX_SIGN_IN_STEPS,
            ahead in 0..=MAX_SIGN_IN_STEPS,
            max_drift in 0..=MAX_DRIFT_STEPS,
            old in prop_oneof![any::<i64>(), -100i64..=100],
            observed in prop_oneof![any::<i64>(), -100i64..=100],
        ) {
            let v = verifier(behind, ahead, max_drift);
            prop_assert_eq!(
                v.learn_drift(old, observed),
                reference_learn_drift(Window::new(behind, ahead).unwrap(), max_drift, old, observed)
            );
        }

        /// `offset` is the exact difference, saturated to i64.
        #[test]
        fn offset_is_the_difference_saturated(step in any::<u64>(), expected in any::<u64>()) {
            let diff = i128::from(step) - i128::from(expected);
            let want = diff.clamp(i128::from(i64::MIN), i128::from(i64::MAX));
            prop_assert_eq!(i128::from(offset(step, expected)), want);
        }
    }

    #[test]
    fn offset_is_the_signed_difference_saturating_at_both_ends() {
        assert_eq!(offset(10, 7), 3);
        assert_eq!(offset(7, 10), -3);
        assert_eq!(offset(5, 5), 0);
        // Past i64 in either direction it saturates instead of wrapping.
        assert_eq!(offset(u64::MAX, 0), i64::MAX);
        assert_eq!(offset(0, u64::MAX), i64::MIN);
        // The last differences that still fit are exact.
        assert_eq!(offset(i64::MAX as u64, 0), i64::MAX);
        assert_eq!(offset(0, i64::MAX as u64), -i64::MAX);
        assert_eq!(offset(0, i64::MAX as u64 + 1), i64::MIN);
        assert_eq!(offset(0, i64::MAX as u64 + 2), i64::MIN);
    }
}
