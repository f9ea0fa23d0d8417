//! How tolerant a [`Verifier`](super::Verifier) is: windows, drift and throttling.

use core::fmt;

use crate::Window;

/// NIST SP 800-63B §5.2.2: no more than 100 consecutive failed attempts on one
/// account. [`Policy::with_max_failures`] refuses more, and a device that reaches
/// this many consecutive failures stays locked until
/// [`DeviceState::with_failures_cleared`](super::DeviceState::with_failures_cleared).
pub const NIST_MAX_FAILURES: u32 = 100;

/// The rules a [`Verifier`](super::Verifier) applies.
///
/// Build one from [`Policy::default`] and the `with_*` setters; the getters read
/// it back.
///
/// ```
/// use otpkit::Window;
/// use otpkit::verifier::Policy;
/// let p = Policy::default()
///     .with_window(Window::new(2, 1))
///     .with_max_failures(3)?
///     .with_lockout(30, 900)?;
/// assert_eq!(p.window(), Window::new(2, 1));
/// assert_eq!(p.max_failures(), 3);
/// assert_eq!((p.lockout_base_secs(), p.lockout_max_secs()), (30, 900));
/// # Ok::<(), otpkit::verifier::PolicyError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Policy {
    enrol_window: u32,
    window: Window,
    resync_window: u32,
    hotp_look_ahead: u32,
    hotp_resync_look_ahead: u32,
    max_drift_steps: u32,
    max_failures: u32,
    lockout_base_secs: u64,
    lockout_max_secs: u64,
}

impl Default for Policy {
    /// ±10 steps to enrol, 1 behind / 1 ahead to sign in (RFC 6238 §5.2), ±20 steps
    /// to resync, HOTP look-ahead 10 (100 to resync), learned drift up to ±20 steps,
    /// lock-out after 5 consecutive failures for 60 s, doubling up to an hour.
    fn default() -> Self {
        Policy {
            enrol_window: 10,
            window: Window::DEFAULT,
            resync_window: 20,
            hotp_look_ahead: 10,
            hotp_resync_look_ahead: 100,
            max_drift_steps: 20,
            max_failures: 5,
            lockout_base_secs: 60,
            lockout_max_secs: 3600,
        }
    }
}

impl Policy {
    /// Enrolment search: TOTP steps within ±`steps` of now; HOTP counters
    /// `0 ..= steps` (a new token starts at counter 0).
    pub const fn with_enrol_window(mut self, steps: u32) -> Self {
        self.enrol_window = steps;
        self
    }

    /// The TOTP sign-in window, around now plus the learned drift.
    pub const fn with_window(mut self, window: Window) -> Self {
        self.window = window;
        self
    }

    /// The TOTP resynchronisation search: ±`steps` around now.
    pub const fn with_resync_window(mut self, steps: u32) -> Self {
        self.resync_window = steps;
        self
    }

    /// HOTP sign-in look-ahead (RFC 4226 §7.4 parameter s): counters
    /// `next ..= next + steps` are tried.
    pub const fn with_hotp_look_ahead(mut self, steps: u32) -> Self {
        self.hotp_look_ahead = steps;
        self
    }

    /// HOTP resynchronisation look-ahead: counters `next ..= next + steps`.
    pub const fn with_hotp_resync_look_ahead(mut self, steps: u32) -> Self {
        self.hotp_resync_look_ahead = steps;
        self
    }

    /// The largest TOTP clock drift, in steps, that is learned (RFC 6238 §6);
    /// larger observed drifts are clamped to ±`steps`.
    pub const fn with_max_drift_steps(mut self, steps: u32) -> Self {
        self.max_drift_steps = steps;
        self
    }

    /// Consecutive failures that lock the device (1 to [`NIST_MAX_FAILURES`]).
    ///
    /// ```
    /// use otpkit::verifier::{Policy, PolicyError};
    /// assert_eq!(Policy::default().with_max_failures(101).unwrap_err(),
    ///            PolicyError::MaxFailuresOutOfRange { got: 101 });
    /// ```
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

    /// See [`Policy::with_enrol_window`].
    pub const fn enrol_window(&self) -> u32 {
        self.enrol_window
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
}

/// Why a [`Policy`] setting was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
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
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyError::MaxFailuresOutOfRange { got } => write!(
                f,
                "max_failures must be between 1 and {NIST_MAX_FAILURES} (NIST SP 800-63B), got {got}"
            ),
            PolicyError::InvalidLockout {
                base_secs,
                max_secs,
            } => write!(
                f,
                "the lock-out base delay must be at least 1 s and at most the maximum delay, \
                 got base {base_secs} s and maximum {max_secs} s"
            ),
        }
    }
}

impl core::error::Error for PolicyError {}
