//! Enrolment: a pending device's first codes, one at a time as the user types them
//! ([`Verifier::enroll_code`]) or two at once ([`Verifier::enroll`]).

use super::drift::offset;
use super::errors::PairError;
use super::state::Phase;
use super::{Device, DeviceState, EnrollError, EnrollOutcome, Verifier, throttle};
use crate::verify::range_around;
use crate::{Code, CodeError};

impl Verifier {
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
    /// [module docs](crate::verifier)).
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
    ///
    /// [`Policy::enroll_window`]: super::Policy::enroll_window
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
}
