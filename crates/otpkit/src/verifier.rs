//! The server side of MFA: enrol a device, sign in with one code, resynchronise a
//! drifted device, throttle guessing — the AWS `EnableMFADevice` /
//! `ResyncMFADevice` flow on top of RFC 4226 and RFC 6238.
//!
//! A [`Verifier`] holds a device's generator ([`Totp`] or [`Hotp`]) and a
//! [`Policy`]. Per-device progress lives in a [`DeviceState`]: the last accepted
//! step (TOTP) or next counter (HOTP), the learned clock drift, consecutive failures
//! and lock-out. Every operation is **pure**: it takes the stored state and returns
//! the outcome and the new state; nothing is remembered inside the verifier, so one
//! verifier can serve any number of requests and threads.
//!
//! ```
//! use otpkit::{Algorithm, Digits, Period, Secret, Totp};
//! use otpkit::verifier::{DeviceState, Outcome, Policy, Verifier};
//!
//! let secret = Secret::from_bytes(b"12345678901234567890")?; // stored apart, encrypted
//! let totp = Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::DEFAULT);
//! let verifier = Verifier::totp(totp.clone(), Policy::default());
//! let now = 1_700_000_000;
//!
//! // Enrolment: the user types two consecutive codes from the app.
//! let (c1, c2) = (totp.code_at(now - 30)?.to_string(), totp.code_at(now)?.to_string());
//! let state = verifier.enroll(&c1, &c2, now)?;
//! let column: String = state.to_string(); // e.g. "otpk1.t.56666666.0.0.0.…"; no secret in it
//!
//! // Sign-in a minute later.
//! let old: DeviceState = column.parse()?;
//! let code = totp.code_at(now + 60)?.to_string();
//! let (outcome, new) = verifier.verify(&old, &code, now + 60);
//! assert!(matches!(outcome, Outcome::Accepted { .. }));
//! // The same code again is a replay, even from another server.
//! assert_eq!(verifier.verify(&new, &code, now + 61).0, Outcome::Replayed);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Persisting the new state: compare-and-swap
//!
//! Save the returned state **whatever the outcome** (failures and lock-outs are
//! state too), and save it only if the stored state is still the one you read:
//!
//! ```sql
//! UPDATE mfa_devices SET state = :new WHERE device_id = :id AND state = :old;
//! ```
//!
//! If no row was updated another request changed the state first: read it again
//! and verify again (a code that was just accepted by the other request is then
//! `Replayed`). Only report success to the user after your update went through.
//! This way two servers racing on the same code cannot both accept it, and
//! concurrent wrong guesses cannot erase each other's failure counts. The
//! `verifier_concurrency` test runs exactly this against a mutex-guarded string.
//!
//! ## Throttling
//!
//! After [`Policy::max_failures`] consecutive failures (wrong, replayed *and*
//! malformed codes all count) the device is locked for
//! [`Policy::lockout_base_secs`], doubling with each further lock-out up to
//! [`Policy::lockout_max_secs`]; while locked, [`Verifier::verify`] returns
//! [`Outcome::Locked`] without looking at the code. At [`NIST_MAX_FAILURES`]
//! consecutive failures the device stays locked until an administrator calls
//! [`DeviceState::with_failures_cleared`]. A successful sign-in or
//! resynchronisation resets the count. Enrolment has no state to throttle: it runs
//! inside an already authenticated session, which the server throttles itself.

mod errors;
mod outcome;
mod policy;
mod state;
pub(crate) mod throttle;

use core::fmt;

pub use errors::{EnrollError, ResyncError};
pub use outcome::{Outcome, SignInError};
pub use policy::{NIST_MAX_FAILURES, Policy, PolicyError};
pub use state::{DeviceKind, DeviceState, MAX_ENCODED_LEN, StateError};

use errors::PairError;

use crate::{Code, CodeError, Digits, Hotp, Totp, Window};

#[derive(Clone)]
enum Device {
    Totp(Totp),
    Hotp(Hotp),
}

/// Enrols, signs in and resynchronises one device. See the [module docs](self).
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

    /// Enrolment with two consecutive codes (AWS `EnableMFADevice`).
    ///
    /// TOTP: `code2` must belong to the step right after `code1`'s, both within
    /// ±[`Policy::enrol_window`] steps of `now`; the device's clock offset is
    /// learned. HOTP: counters `0 ..= enrol_window` are searched and `now` is not
    /// used. The returned state records `code2`'s step as used, so neither code can
    /// be replayed.
    ///
    /// ```
    /// use otpkit::{Hotp, Secret, verifier::{EnrollError, Policy, Verifier}};
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let hotp = Hotp::new(&secret, Default::default(), Default::default());
    /// let v = Verifier::hotp(hotp, Policy::default());
    /// // RFC 4226 codes for counters 3 and 4, then 3 and 5.
    /// assert_eq!(v.enroll("969429", "338314", 0)?.next_counter(), Some(5));
    /// assert_eq!(v.enroll("969429", "254676", 0), Err(EnrollError::NotConsecutive));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn enroll(&self, code1: &str, code2: &str, now: u64) -> Result<DeviceState, EnrollError> {
        let c1 = self.parse(code1).map_err(EnrollError::Malformed)?;
        let c2 = self.parse(code2).map_err(EnrollError::Malformed)?;
        let window = self.policy.enrol_window();
        match &self.device {
            Device::Totp(totp) => {
                let now_step = totp.step_at(now).map_err(EnrollError::Time)?;
                let (lo, hi) = Window::symmetric(window).range(now_step);
                let s2 = self.find_pair(&c1, &c2, lo, hi)?;
                Ok(DeviceState {
                    drift: self.clamp_drift(offset(s2, now_step)),
                    ..DeviceState::totp_at(s2)
                })
            }
            Device::Hotp(_) => {
                let s2 = self.find_pair(&c1, &c2, 0, u64::from(window))?;
                // s2 <= u32::MAX, so this never saturates.
                Ok(DeviceState::hotp_at(s2.saturating_add(1)))
            }
        }
    }

    /// Sign-in with one code. Pure: returns the outcome and the state to persist
    /// (with compare-and-swap, see the [module docs](self)) whatever the outcome.
    ///
    /// TOTP: the code is compared, in constant time, with every step of
    /// [`Policy::window`] around now plus the learned drift. A step after the last
    /// accepted one is accepted, becomes the last accepted step and updates the
    /// drift (RFC 6238 §6, clamped to ±[`Policy::max_drift_steps`]). Otherwise, if
    /// the code matches a step of the window at or before the last accepted one it
    /// is [`Outcome::Replayed`], else [`Outcome::Invalid`]; both cost a scan of the
    /// whole window, so neither reveals how close a wrong code came. When a code
    /// matches several steps (two steps sharing a code), the latest wins, so a
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
    pub fn verify(&self, state: &DeviceState, code: &str, now: u64) -> (Outcome, DeviceState) {
        if state.kind != self.kind() {
            return (Outcome::Error(SignInError::WrongKind), *state);
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
                let (lo, hi) = self.policy.window().range(shift(now_step, state.drift));
                let last = state.position;
                let fresh = last
                    .checked_add(1)
                    .and_then(|first| self.scan(&typed, first.max(lo), hi));
                match fresh {
                    Some(step) => {
                        let drift = offset(step, now_step);
                        let new = DeviceState {
                            position: step,
                            drift: self.clamp_drift(drift),
                            ..throttle::record_success(state)
                        };
                        (Outcome::Accepted { step, drift }, new)
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
    /// out of the sign-in window.
    ///
    /// TOTP: steps within ±[`Policy::resync_window`] of now and after the last
    /// accepted step. HOTP: counters `next ..= next + `[`Policy::hotp_resync_look_ahead`].
    /// On success the drift is learned again, failures are reset and the state
    /// moves past both codes. A locked device stays locked
    /// ([`ResyncError::Locked`]). A failure leaves the state as it was: count it
    /// with [`Verifier::record_failure`] when [`ResyncError::counts_as_failure`].
    ///
    /// ```
    /// use otpkit::{Algorithm, Digits, Period, Secret, Totp};
    /// use otpkit::verifier::{Outcome, Policy, Verifier};
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let totp = Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::DEFAULT);
    /// let v = Verifier::totp(totp.clone(), Policy::default());
    /// let now = 1_700_000_000;
    /// let code = |steps_ahead: u64| totp.code_at(now + 30 * steps_ahead).map(|c| c.to_string());
    /// let state = v.enroll(&code(0)?, &code(1)?, now + 30)?;
    /// // Months later the phone's clock runs 12 steps (6 minutes) fast.
    /// let later = now + 86_400;
    /// let fast = |k: u64| totp.code_at(later + 30 * (12 + k)).map(|c| c.to_string());
    /// let (outcome, state) = v.verify(&state, &fast(0)?, later);
    /// assert_eq!(outcome, Outcome::Invalid);
    /// let state = match v.resync(&state, &fast(0)?, &fast(1)?, later) {
    ///     Ok(s) => s,
    ///     Err(e) if e.counts_as_failure() => v.record_failure(&state, later),
    ///     Err(e) => return Err(e.into()),
    /// };
    /// assert_eq!((state.drift(), state.failures()), (13, 0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resync(
        &self,
        state: &DeviceState,
        code1: &str,
        code2: &str,
        now: u64,
    ) -> Result<DeviceState, ResyncError> {
        if state.kind != self.kind() {
            return Err(ResyncError::WrongKind);
        }
        if let Some(until) = throttle::locked(state, now) {
            return Err(ResyncError::Locked { until });
        }
        let c1 = self.parse(code1).map_err(ResyncError::Malformed)?;
        let c2 = self.parse(code2).map_err(ResyncError::Malformed)?;
        let cleared = throttle::record_success(state);
        match &self.device {
            Device::Totp(totp) => {
                let now_step = totp.step_at(now).map_err(ResyncError::Time)?;
                let (lo, hi) = Window::symmetric(self.policy.resync_window()).range(now_step);
                let first = state
                    .position
                    .checked_add(1)
                    .ok_or(ResyncError::Rejected)?
                    .max(lo);
                let s2 = self.resync_pair(&c1, &c2, first, hi)?;
                Ok(DeviceState {
                    position: s2,
                    drift: self.clamp_drift(offset(s2, now_step)),
                    ..cleared
                })
            }
            Device::Hotp(_) => {
                let next = state.position;
                let last = next.saturating_add(u64::from(self.policy.hotp_resync_look_ahead()));
                let s2 = self.resync_pair(&c1, &c2, next, last)?;
                Ok(DeviceState {
                    position: s2.checked_add(1).ok_or(ResyncError::CounterExhausted)?,
                    ..cleared
                })
            }
        }
    }

    /// `state` with one more failed attempt at `now` (and a lock-out if that was
    /// one too many). [`Verifier::verify`] does this itself; call it for failed
    /// [`Verifier::resync`] attempts.
    pub fn record_failure(&self, state: &DeviceState, now: u64) -> DeviceState {
        throttle::record_failure(&self.policy, state, now)
    }

    fn digits(&self) -> Digits {
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
        drift.clamp(max.saturating_neg(), max)
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

/// `step - expected` as i64, saturating.
fn offset(step: u64, expected: u64) -> i64 {
    let diff = i128::from(step).saturating_sub(i128::from(expected));
    i64::try_from(diff).unwrap_or(if diff < 0 { i64::MIN } else { i64::MAX })
}

/// `base + by`, saturating at 0 and `u64::MAX`.
fn shift(base: u64, by: i64) -> u64 {
    if by < 0 {
        base.saturating_sub(by.unsigned_abs())
    } else {
        base.saturating_add(by.unsigned_abs())
    }
}
