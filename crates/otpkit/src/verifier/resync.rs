//! Resynchronisation with two consecutive codes ([`Verifier::resync`]), for a device
//! whose clock or counter has moved out of the sign-in scan.

use super::drift::offset;
use super::{Device, DeviceState, ResyncError, ResyncOutcome, Verifier, throttle};
use crate::Code;
use crate::verify::range_around;

impl Verifier {
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
    /// state moves past both codes. See the [module docs](crate::verifier) for an example.
    ///
    /// [`Policy::resync_window`]: super::Policy::resync_window
    /// [`Policy::hotp_resync_look_ahead`]: super::Policy::hotp_resync_look_ahead
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

    /// [`Verifier::pair`] for resynchronisation: one uninformative error.
    fn resync_pair(&self, c1: &Code, c2: &Code, lo: u64, hi: u64) -> Result<u64, ResyncError> {
        self.pair(c1, c2, lo, hi).ok_or(if c1 == c2 {
            ResyncError::SameCodeTwice
        } else {
            ResyncError::Rejected
        })
    }
}
