//! How tolerant a [`Verifier`](super::Verifier) is: windows, drift and throttling,
//! each with a documented maximum, and what a policy costs in guessing odds.

use super::DeviceKind;
use crate::sentences::sentences;
use crate::{Digits, Hotp, Window};

/// `?` for the `const` setters, where `?` is not allowed.
macro_rules! const_try {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(e) => return Err(e),
        }
    };
}

/// NIST SP 800-63B §5.2.2: no more than 100 consecutive failed attempts on one
/// account. [`Policy::with_max_failures`] refuses more, and a device that reaches
/// this many consecutive failures stays locked until
/// [`DeviceState::with_failures_cleared`](super::DeviceState::with_failures_cleared).
pub const NIST_MAX_FAILURES: u32 = 100;

/// The largest TOTP sign-in window side ([`Window::behind`] and [`Window::ahead`]
/// each): 10 steps, five minutes at the default 30 s period.
pub const MAX_SIGN_IN_STEPS: u32 = 10;

/// The largest enrolment search, in steps either side of now (TOTP) or counters
/// after the start (HOTP): 100, 50 minutes at 30 s. Enrolment runs in an
/// authenticated session and is throttled like sign-in.
pub const MAX_ENROLL_WINDOW: u32 = 100;

/// The largest TOTP resynchronisation search, in steps either side of now: 120,
/// an hour at 30 s. The widest TOTP search of any flow, so it is also the bound of
/// every stateless window, [`Window::MAX_STEPS_PER_SIDE`].
pub const MAX_RESYNC_WINDOW: u32 = Window::MAX_STEPS_PER_SIDE;

/// The largest HOTP sign-in look-ahead (RFC 4226 §7.4 parameter s).
pub const MAX_HOTP_LOOK_AHEAD: u32 = 50;

/// The largest HOTP resynchronisation look-ahead: 1000. The widest HOTP search of
/// any flow, so it is also the bound of every stateless look-ahead,
/// [`Hotp::MAX_LOOK_AHEAD`].
pub const MAX_HOTP_RESYNC_LOOK_AHEAD: u32 = Hotp::MAX_LOOK_AHEAD;

/// The largest learned TOTP clock drift, in steps: 40, twenty minutes at 30 s.
pub const MAX_DRIFT_STEPS: u32 = 40;

// Every search a policy allows stays inside the stateless bounds, which the
// verifier's crate-internal scans do not check again: the sign-in scan (the window
// widened by the drift, each side), enrolment (TOTP either side, HOTP ahead) and
// the sign-in look-ahead. Resynchronisation's maxima are the bounds themselves.
const _: () = {
    let side = Window::MAX_STEPS_PER_SIDE;
    assert!(MAX_SIGN_IN_STEPS <= side);
    assert!(
        MAX_DRIFT_STEPS <= side - MAX_SIGN_IN_STEPS,
        "a sign-in scan reaches past Window::MAX_STEPS_PER_SIDE"
    );
    assert!(MAX_ENROLL_WINDOW <= side);
    assert!(MAX_ENROLL_WINDOW <= Hotp::MAX_LOOK_AHEAD);
    assert!(MAX_HOTP_LOOK_AHEAD <= Hotp::MAX_LOOK_AHEAD);
};

/// The rules a [`Verifier`](super::Verifier) applies.
///
/// Build one from [`Policy::default`] and the `with_*` setters (each refuses a value
/// above its documented maximum with a [`PolicyError`], so no setting can switch
/// MFA off); the getters read it back.
///
/// ```
/// use otpkit::Window;
/// use otpkit::verifier::Policy;
/// let p = Policy::default()
///     .with_window_steps(2, 1)?
///     .with_max_failures(3)?
///     .with_lockout(30, 900)?;
/// assert_eq!(Ok(p.window()), Window::new(2, 1));
/// assert_eq!(p.max_failures(), 3);
/// assert_eq!((p.lockout_base_secs(), p.lockout_max_secs()), (30, 900));
/// # Ok::<(), otpkit::verifier::PolicyError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Policy {
    enroll_window: u32,
    window: Window,
    resync_window: u32,
    hotp_look_ahead: u32,
    hotp_resync_look_ahead: u32,
    max_drift_steps: u32,
    max_failures: u32,
    lockout_base_secs: u64,
    lockout_max_secs: u64,
    /// Back-off between attempts: base and maximum delay in seconds; `None`: off.
    backoff: Option<(u64, u64)>,
}

impl Default for Policy {
    /// ±10 steps to enroll; 4 steps behind and 2 ahead to sign in (a person may take
    /// 90 s to read, type and submit a code, and the fourth step behind is where a
    /// slow clock shows first; the steps ahead are where a fast clock shows first,
    /// two so that a clock gaining slowly is seen before it leaves the scan); ±20 steps to resync; HOTP look-ahead 10 (100 to
    /// resync); learned drift up to ±20 steps; lock-out after 5 consecutive failures
    /// for 60 s, doubling up to an hour; no back-off between attempts.
    fn default() -> Self {
        Policy {
            enroll_window: 10,
            window: DEFAULT_WINDOW,
            resync_window: 20,
            hotp_look_ahead: 10,
            hotp_resync_look_ahead: 100,
            max_drift_steps: 20,
            max_failures: 5,
            lockout_base_secs: 60,
            lockout_max_secs: 3600,
            backoff: None,
        }
    }
}

/// The default sign-in window: 4 steps behind, 2 ahead (see [`Policy::default`]).
const DEFAULT_WINDOW: Window = match Window::new(4, 2) {
    Ok(window) => window,
    Err(_) => panic!("4 and 2 steps are inside Window::MAX_STEPS_PER_SIDE"),
};

/// `Err` if `got > max`.
const fn bounded(setting: &'static str, got: u32, max: u32) -> Result<u32, PolicyError> {
    if got > max {
        Err(PolicyError::OutOfRange { setting, got, max })
    } else {
        Ok(got)
    }
}

impl Policy {
    /// Enrolment search: TOTP steps within ±`steps` of now; HOTP counters
    /// `start ..= start + steps`. At most [`MAX_ENROLL_WINDOW`].
    ///
    /// ```
    /// use otpkit::verifier::{MAX_ENROLL_WINDOW, Policy, PolicyError};
    /// assert!(matches!(Policy::default().with_enroll_window(MAX_ENROLL_WINDOW + 1),
    ///                  Err(PolicyError::OutOfRange { setting: "enroll_window", .. })));
    /// ```
    #[must_use = "the setter returns a new policy"]
    pub const fn with_enroll_window(mut self, steps: u32) -> Result<Self, PolicyError> {
        self.enroll_window = const_try!(bounded("enroll_window", steps, MAX_ENROLL_WINDOW));
        Ok(self)
    }

    /// The TOTP sign-in window around the server's clock. All but the last of the
    /// `behind` steps are how late a person may submit a code (reading, typing,
    /// network) without that being taken for a slow clock; a code in the last step
    /// behind, or in the `ahead` steps, is evidence of a clock that is off. Each side at most
    /// [`MAX_SIGN_IN_STEPS`]. Drift learned for a device widens the scan from this
    /// window towards the device's clock; it never moves it away from the server's.
    ///
    /// ```
    /// use otpkit::Window;
    /// use otpkit::verifier::{Policy, PolicyError};
    /// assert_eq!(Policy::default().with_window(Window::symmetric(11)?),
    ///            Err(PolicyError::OutOfRange { setting: "window", got: 11, max: 10 }));
    /// # Ok::<(), otpkit::WindowError>(())
    /// ```
    #[must_use = "the setter returns a new policy"]
    pub const fn with_window(self, window: Window) -> Result<Self, PolicyError> {
        self.with_window_steps(window.behind(), window.ahead())
    }

    /// [`Policy::with_window`] from the two sides' steps, for callers that hold
    /// numbers (a configuration, a binding): a side above [`MAX_SIGN_IN_STEPS`] is
    /// the policy's [`PolicyError::OutOfRange`], however wide, rather than the
    /// [`WindowError`](crate::WindowError) of [`Window::new`].
    ///
    /// ```
    /// use otpkit::verifier::{Policy, PolicyError};
    /// assert_eq!(Policy::default().with_window_steps(1_000_000, 0),
    ///            Err(PolicyError::OutOfRange { setting: "window", got: 1_000_000, max: 10 }));
    /// ```
    #[must_use = "the setter returns a new policy"]
    pub const fn with_window_steps(mut self, behind: u32, ahead: u32) -> Result<Self, PolicyError> {
        let widest = if behind > ahead { behind } else { ahead };
        const_try!(bounded("window", widest, MAX_SIGN_IN_STEPS));
        self.window = match Window::new(behind, ahead) {
            Ok(window) => window,
            // Not reached: MAX_SIGN_IN_STEPS is inside the window's bound (asserted
            // beside the constants); the policy's own refusal, should it be.
            Err(_) => {
                return Err(PolicyError::OutOfRange {
                    setting: "window",
                    got: widest,
                    max: MAX_SIGN_IN_STEPS,
                });
            }
        };
        Ok(self)
    }

    /// The TOTP resynchronisation search: ±`steps` around now. At most
    /// [`MAX_RESYNC_WINDOW`].
    #[must_use = "the setter returns a new policy"]
    pub const fn with_resync_window(mut self, steps: u32) -> Result<Self, PolicyError> {
        self.resync_window = const_try!(bounded("resync_window", steps, MAX_RESYNC_WINDOW));
        Ok(self)
    }

    /// HOTP sign-in look-ahead (RFC 4226 §7.4 parameter s): counters
    /// `next ..= next + steps` are tried. At most [`MAX_HOTP_LOOK_AHEAD`].
    #[must_use = "the setter returns a new policy"]
    pub const fn with_hotp_look_ahead(mut self, steps: u32) -> Result<Self, PolicyError> {
        self.hotp_look_ahead = const_try!(bounded("hotp_look_ahead", steps, MAX_HOTP_LOOK_AHEAD));
        Ok(self)
    }

    /// HOTP resynchronisation look-ahead: counters `next ..= next + steps`. At most
    /// [`MAX_HOTP_RESYNC_LOOK_AHEAD`].
    #[must_use = "the setter returns a new policy"]
    pub const fn with_hotp_resync_look_ahead(mut self, steps: u32) -> Result<Self, PolicyError> {
        self.hotp_resync_look_ahead = const_try!(bounded(
            "hotp_resync_look_ahead",
            steps,
            MAX_HOTP_RESYNC_LOOK_AHEAD
        ));
        Ok(self)
    }

    /// The largest TOTP clock drift, in steps, that is learned (RFC 6238 §6) and
    /// honoured when a stored state is read; larger drifts are clamped to
    /// ±`steps`. At most [`MAX_DRIFT_STEPS`].
    #[must_use = "the setter returns a new policy"]
    pub const fn with_max_drift_steps(mut self, steps: u32) -> Result<Self, PolicyError> {
        self.max_drift_steps = const_try!(bounded("max_drift_steps", steps, MAX_DRIFT_STEPS));
        Ok(self)
    }

    /// Consecutive failures that lock the device (1 to [`NIST_MAX_FAILURES`]).
    ///
    /// ```
    /// use otpkit::verifier::{Policy, PolicyError};
    /// assert_eq!(Policy::default().with_max_failures(101).unwrap_err(),
    ///            PolicyError::MaxFailuresOutOfRange { got: 101 });
    /// ```
    #[must_use = "the setter returns a new policy"]
    pub const fn with_max_failures(mut self, failures: u32) -> Result<Self, PolicyError> {
        if failures == 0 || failures > NIST_MAX_FAILURES {
            return Err(PolicyError::MaxFailuresOutOfRange { got: failures });
        }
        self.max_failures = failures;
        Ok(self)
    }

    /// Lock-out delays: the first lock-out lasts `base_secs`, each further one twice
    /// the previous, never more than `max_secs`. `base_secs` must be at least 1 and
    /// at most `max_secs`.
    ///
    /// ```
    /// use otpkit::verifier::{Policy, PolicyError};
    /// assert_eq!(Policy::default().with_lockout(0, 10).unwrap_err(),
    ///            PolicyError::InvalidLockout { base_secs: 0, max_secs: 10 });
    /// ```
    #[must_use = "the setter returns a new policy"]
    pub const fn with_lockout(
        mut self,
        base_secs: u64,
        max_secs: u64,
    ) -> Result<Self, PolicyError> {
        if base_secs == 0 || base_secs > max_secs {
            return Err(PolicyError::InvalidLockout {
                base_secs,
                max_secs,
            });
        }
        self.lockout_base_secs = base_secs;
        self.lockout_max_secs = max_secs;
        Ok(self)
    }

    /// Exponential back-off between attempts (NIST SP 800-63B §5.2.2, OWASP): after
    /// the k-th consecutive failure the next attempt is refused for
    /// `base_secs` × 2^(k−1) seconds, never more than `max_secs`, and refused
    /// exactly like a lock-out ([`Outcome::Locked`](super::Outcome::Locked), not
    /// counted as a failure). `base_secs` must be at least 1 and at most `max_secs`.
    /// Off by default.
    ///
    /// The lock-out of [`Policy::with_max_failures`] and [`Policy::with_lockout`]
    /// still applies: when both refuse, the later end wins, and at
    /// [`NIST_MAX_FAILURES`] consecutive failures the device is locked until
    /// cleared either way. `with_max_failures(NIST_MAX_FAILURES)` leaves back-off
    /// alone before that limit. A success clears both.
    ///
    /// ```
    /// use otpkit::verifier::{Lockout, NIST_MAX_FAILURES, Policy, PolicyError};
    /// let p = Policy::default()
    ///     .with_max_failures(NIST_MAX_FAILURES)?
    ///     .with_backoff(1, 8)?;
    /// assert_eq!(p.backoff(), Some((1, 8)));
    /// let mut lock = Lockout::NONE;
    /// let mut waits = [0; 5];
    /// for wait in &mut waits {
    ///     lock = lock.after_failure(&p, 1000);
    ///     *wait = lock.until().map_or(0, |until| until - 1000);
    ///     lock = Lockout::from_parts(lock.failures(), 0); // as if the wait passed
    /// }
    /// assert_eq!(waits, [1, 2, 4, 8, 8]);
    /// assert_eq!(Policy::default().with_backoff(0, 8).unwrap_err(),
    ///            PolicyError::InvalidBackoff { base_secs: 0, max_secs: 8 });
    /// # Ok::<(), PolicyError>(())
    /// ```
    #[must_use = "the setter returns a new policy"]
    pub const fn with_backoff(
        mut self,
        base_secs: u64,
        max_secs: u64,
    ) -> Result<Self, PolicyError> {
        if base_secs == 0 || base_secs > max_secs {
            return Err(PolicyError::InvalidBackoff {
                base_secs,
                max_secs,
            });
        }
        self.backoff = Some((base_secs, max_secs));
        Ok(self)
    }

    /// See [`Policy::with_enroll_window`].
    pub const fn enroll_window(&self) -> u32 {
        self.enroll_window
    }

    /// See [`Policy::with_window`].
    pub const fn window(&self) -> Window {
        self.window
    }

    /// See [`Policy::with_resync_window`].
    pub const fn resync_window(&self) -> u32 {
        self.resync_window
    }

    /// See [`Policy::with_hotp_look_ahead`].
    pub const fn hotp_look_ahead(&self) -> u32 {
        self.hotp_look_ahead
    }

    /// See [`Policy::with_hotp_resync_look_ahead`].
    pub const fn hotp_resync_look_ahead(&self) -> u32 {
        self.hotp_resync_look_ahead
    }

    /// See [`Policy::with_max_drift_steps`].
    pub const fn max_drift_steps(&self) -> u32 {
        self.max_drift_steps
    }

    /// See [`Policy::with_max_failures`].
    pub const fn max_failures(&self) -> u32 {
        self.max_failures
    }

    /// See [`Policy::with_lockout`].
    pub const fn lockout_base_secs(&self) -> u64 {
        self.lockout_base_secs
    }

    /// See [`Policy::with_lockout`].
    pub const fn lockout_max_secs(&self) -> u64 {
        self.lockout_max_secs
    }

    /// The back-off's base and maximum delay in seconds, `None` when off (the
    /// default). See [`Policy::with_backoff`].
    pub const fn backoff(&self) -> Option<(u64, u64)> {
        self.backoff
    }

    /// The most candidate steps (TOTP) or counters (HOTP) one sign-in compares a
    /// code with: the window around the server's clock widened by the largest
    /// drift (TOTP), or the look-ahead (HOTP).
    ///
    /// ```
    /// use otpkit::verifier::{DeviceKind, Policy};
    /// assert_eq!(Policy::default().sign_in_candidates(DeviceKind::Totp), 4 + 1 + 2 + 20);
    /// assert_eq!(Policy::default().sign_in_candidates(DeviceKind::Hotp), 11);
    /// ```
    pub const fn sign_in_candidates(&self, kind: DeviceKind) -> u64 {
        match kind {
            DeviceKind::Totp => self
                .window
                .len()
                .saturating_add(self.max_drift_steps as u64),
            DeviceKind::Hotp => (self.hotp_look_ahead as u64).saturating_add(1),
        }
    }

    /// The worst-case probability that an online attacker who guesses codes at
    /// random succeeds before the device locks for good, i.e. within
    /// [`NIST_MAX_FAILURES`] consecutive attempts (NIST SP 800-63B §5.2.2).
    ///
    /// This is RFC 4226's bound (§7.3, Appendix A: `Sec = s·v / 10^Digit`) with
    /// `v` = 100 attempts and `s` the candidates one attempt is compared with: for
    /// sign-in [`Policy::sign_in_candidates`] (every step the widest drift can make
    /// the scan cover), for resynchronisation the resync window's steps divided by
    /// a second code's `10^Digit`; each attempt counts the larger of the two. It is
    /// a union bound, so it over-states the exact chance slightly; lock-out and
    /// back-off delays slow the attacker down but do not change it. Capped at 1.
    ///
    /// ```
    /// use otpkit::Digits;
    /// use otpkit::verifier::{DeviceKind, Policy};
    /// let p = Policy::default().worst_case_guess_probability(DeviceKind::Totp, Digits::SIX);
    /// assert!((p - 100.0 * 27.0 / 1e6).abs() < 1e-12); // 0.27 %
    /// ```
    pub fn worst_case_guess_probability(&self, kind: DeviceKind, digits: Digits) -> f64 {
        let mut codes = 1.0f64;
        for _ in 0..digits.get() {
            codes *= 10.0;
        }
        let sign_in = self.sign_in_candidates(kind) as f64 / codes;
        let resync_candidates = match kind {
            DeviceKind::Totp => u64::from(self.resync_window)
                .saturating_mul(2)
                .saturating_add(1),
            DeviceKind::Hotp => u64::from(self.hotp_resync_look_ahead).saturating_add(1),
        };
        let resync = resync_candidates as f64 / (codes * codes);
        let per_attempt = if sign_in > resync { sign_in } else { resync };
        let total = per_attempt * f64::from(NIST_MAX_FAILURES);
        if total > 1.0 { 1.0 } else { total }
    }
}

/// Why a [`Policy`] setting was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyError {
    /// `max_failures` must be 1 to [`NIST_MAX_FAILURES`].
    MaxFailuresOutOfRange {
        /// The refused value.
        got: u32,
    },
    /// The lock-out base delay must be at least 1 s and at most the maximum.
    InvalidLockout {
        /// The refused base delay.
        base_secs: u64,
        /// The refused maximum delay.
        max_secs: u64,
    },
    /// The back-off base delay must be at least 1 s and at most the maximum.
    InvalidBackoff {
        /// The refused base delay.
        base_secs: u64,
        /// The refused maximum delay.
        max_secs: u64,
    },
    /// A window, look-ahead or drift bound above its documented maximum.
    OutOfRange {
        /// The setting's name, as in its `with_*` setter.
        setting: &'static str,
        /// The refused value (for `window`, its wider side).
        got: u32,
        /// The largest value allowed.
        max: u32,
    },
}

sentences! {
    PolicyError {
        PolicyError::MaxFailuresOutOfRange { got } => format_args!(
            "max_failures must be between 1 and {NIST_MAX_FAILURES} (NIST SP 800-63B), got {got}"
        ),
        PolicyError::InvalidLockout { base_secs, max_secs } => format_args!(
            "the lock-out base delay must be at least 1 s and at most the maximum delay, \
             got base {base_secs} s and maximum {max_secs} s"
        ),
        PolicyError::InvalidBackoff { base_secs, max_secs } => format_args!(
            "the back-off base delay must be at least 1 s and at most the maximum delay, \
             got base {base_secs} s and maximum {max_secs} s"
        ),
        PolicyError::OutOfRange { setting, got, max } => format_args!(
            "{setting} must be at most {max} steps (a wider search lets guesses through), got {got}"
        ),
    }
}

impl core::error::Error for PolicyError {}

impl PolicyError {
    /// The stable [`ErrorCode`](crate::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> crate::ErrorCode {
        use crate::ErrorCode as C;
        match self {
            PolicyError::MaxFailuresOutOfRange { .. } => C::MaxFailuresOutOfRange,
            PolicyError::InvalidLockout { .. } => C::InvalidLockout,
            PolicyError::InvalidBackoff { .. } => C::InvalidBackoff,
            PolicyError::OutOfRange { .. } => C::PolicyOutOfRange,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bound_is_enforced_at_its_maximum() {
        let p = Policy::default();
        assert!(p.with_enroll_window(MAX_ENROLL_WINDOW).is_ok());
        assert!(p.with_enroll_window(MAX_ENROLL_WINDOW + 1).is_err());
        assert!(
            p.with_window(Window::new(MAX_SIGN_IN_STEPS, 0).unwrap())
                .is_ok()
        );
        assert!(
            p.with_window(Window::new(0, MAX_SIGN_IN_STEPS + 1).unwrap())
                .is_err()
        );
        assert!(p.with_window_steps(MAX_SIGN_IN_STEPS, 0).is_ok());
        assert!(p.with_window_steps(0, MAX_SIGN_IN_STEPS + 1).is_err());
        assert_eq!(
            p.with_window_steps(u32::MAX, 0),
            Err(PolicyError::OutOfRange {
                setting: "window",
                got: u32::MAX,
                max: MAX_SIGN_IN_STEPS
            })
        );
        assert!(p.with_resync_window(MAX_RESYNC_WINDOW).is_ok());
        assert!(p.with_resync_window(MAX_RESYNC_WINDOW + 1).is_err());
        assert!(p.with_hotp_look_ahead(MAX_HOTP_LOOK_AHEAD).is_ok());
        assert!(p.with_hotp_look_ahead(MAX_HOTP_LOOK_AHEAD + 1).is_err());
        assert!(
            p.with_hotp_resync_look_ahead(MAX_HOTP_RESYNC_LOOK_AHEAD)
                .is_ok()
        );
        assert!(p.with_hotp_resync_look_ahead(u32::MAX).is_err());
        assert!(p.with_max_drift_steps(MAX_DRIFT_STEPS).is_ok());
        assert_eq!(
            p.with_max_drift_steps(MAX_DRIFT_STEPS + 1),
            Err(PolicyError::OutOfRange {
                setting: "max_drift_steps",
                got: MAX_DRIFT_STEPS + 1,
                max: MAX_DRIFT_STEPS
            })
        );
    }

    #[test]
    fn backoff_is_off_by_default_and_keeps_a_valid_base_and_maximum() {
        let d = Policy::default();
        assert_eq!(d.backoff(), None);
        let p = d.with_backoff(1, 8).unwrap();
        assert_eq!(p.backoff(), Some((1, 8)));
        // Every other setting is left as it was.
        assert_eq!(Policy { backoff: None, ..p }, d);
        assert_eq!(d.with_backoff(5, 5).unwrap().backoff(), Some((5, 5)));
        assert_eq!(
            d.with_backoff(1, u64::MAX).unwrap().backoff(),
            Some((1, u64::MAX))
        );
        // Set again, the later setting is kept.
        assert_eq!(p.with_backoff(2, 4).unwrap().backoff(), Some((2, 4)));
    }

    #[test]
    fn backoff_refuses_a_zero_base_or_a_base_above_the_maximum_in_its_own_name() {
        let p = Policy::default();
        let zero = p.with_backoff(0, 8).unwrap_err();
        assert_eq!(
            zero,
            PolicyError::InvalidBackoff {
                base_secs: 0,
                max_secs: 8
            }
        );
        let above = p.with_backoff(9, 8).unwrap_err();
        assert_eq!(
            above,
            PolicyError::InvalidBackoff {
                base_secs: 9,
                max_secs: 8
            }
        );
        assert_eq!(above.code(), crate::ErrorCode::InvalidBackoff);
        assert_eq!(above.code().as_str(), "INVALID_BACKOFF");
        #[cfg(feature = "alloc")]
        assert_eq!(
            alloc::string::ToString::to_string(&above),
            "the back-off base delay must be at least 1 s and at most the maximum delay, \
             got base 9 s and maximum 8 s"
        );
    }

    #[test]
    fn guess_probability_follows_rfc_4226_appendix_a() {
        let exact = Policy::default()
            .with_window(Window::exact())
            .unwrap()
            .with_max_drift_steps(0)
            .unwrap();
        // One candidate, 100 attempts, 10^8 codes.
        let p = exact.worst_case_guess_probability(DeviceKind::Totp, Digits::EIGHT);
        assert!((p - 1e-6).abs() < 1e-18, "{p}");
        let hotp = Policy::default().worst_case_guess_probability(DeviceKind::Hotp, Digits::SIX);
        assert!((hotp - 100.0 * 11.0 / 1e6).abs() < 1e-15, "{hotp}");
        // The widest allowed policy is still far from switching MFA off.
        let widest = Policy::default()
            .with_window_steps(MAX_SIGN_IN_STEPS, MAX_SIGN_IN_STEPS)
            .unwrap()
            .with_max_drift_steps(MAX_DRIFT_STEPS)
            .unwrap()
            .with_resync_window(MAX_RESYNC_WINDOW)
            .unwrap();
        let p = widest.worst_case_guess_probability(DeviceKind::Totp, Digits::SIX);
        assert!((p - 100.0 * 61.0 / 1e6).abs() < 1e-15, "{p}");
        assert!(p < 0.01);
        // The bound grows with the window: wider is never reported safer.
        let wider = Policy::default().with_window_steps(6, 1).unwrap();
        assert!(
            wider.worst_case_guess_probability(DeviceKind::Totp, Digits::SIX)
                > Policy::default().worst_case_guess_probability(DeviceKind::Totp, Digits::SIX)
        );
    }
}
