//! Sign-in with one code ([`Verifier::verify`]): the scan around the server's clock
//! widened towards the learned drift, replays, the HOTP look-ahead.

use super::drift::offset;
use super::{Device, DeviceState, Outcome, SignInError, Verifier, throttle};

impl Verifier {
    /// Sign-in with one code. Pure: returns the outcome and the state to persist
    /// (with compare-and-swap, see the [module docs](crate::verifier)) whatever the outcome.
    ///
    /// TOTP: the code is compared, in constant time, with every step of
    /// [`Policy::window`] around the server's clock, widened towards the learned
    /// drift (clamped to ±[`Policy::max_drift_steps`] as it is read). A step after
    /// the last accepted one is accepted and becomes the last accepted step; the
    /// drift is updated only if the code proves the device's clock is off (see the
    /// [module docs](crate::verifier)). Otherwise, if the code matches a step of the scan at or
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
    ///
    /// [`Policy::window`]: super::Policy::window
    /// [`Policy::max_drift_steps`]: super::Policy::max_drift_steps
    /// [`Policy::hotp_look_ahead`]: super::Policy::hotp_look_ahead
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
}
