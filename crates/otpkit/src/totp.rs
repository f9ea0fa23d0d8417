//! TOTP (RFC 6238): HOTP with the counter taken from the clock.
//!
//! The step is T = floor((unix_time − T0) / period). A time before T0 has no step
//! and is an error, not a wrap-around to a huge counter.

use core::fmt;
use core::num::NonZeroU64;

use crate::verify::{Match, VerifyError, Window};
use crate::{Algorithm, Code, Digits, Hotp, Secret};

/// The length of a time step, at least one second.
///
/// ```
/// use otpkit::Period;
/// assert_eq!(Period::new(30)?, Period::DEFAULT);
/// assert!(Period::new(0).is_err());
/// # Ok::<(), otpkit::TimeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period(NonZeroU64);

impl Period {
    /// 30 seconds, RFC 6238's recommendation and every app's default.
    pub const DEFAULT: Period = Period(NonZeroU64::new(30).unwrap());

    /// A period of `seconds`; zero is an error.
    pub const fn new(seconds: u64) -> Result<Self, TimeError> {
        match NonZeroU64::new(seconds) {
            Some(p) => Ok(Period(p)),
            None => Err(TimeError::ZeroPeriod),
        }
    }

    /// The period in seconds.
    ///
    /// ```
    /// assert_eq!(otpkit::Period::DEFAULT.seconds(), 30);
    /// ```
    pub const fn seconds(self) -> u64 {
        self.0.get()
    }
}

impl Default for Period {
    fn default() -> Self {
        Period::DEFAULT
    }
}

/// `x / 30` for every `u64`, by a multiplication and shifts instead of a hardware
/// division. Written out because compilers fold `if period == 30 { x / 30 } else
/// { x / period }` back into the one division.
///
/// `M` = ⌈2^67 / 15⌉ = 0x8888_8888_8888_8889 exceeds 2^67 / 15 by 7 / 15, so
/// (x · M) >> 67 = ⌊x / 15 + 7x / (15 · 2^67)⌋ = ⌊x / 15⌋ for every x < 2^64 (the
/// added part is below 1/15 and cannot reach the next integer); one more
/// halving gives ⌊⌊x / 15⌋ / 2⌋ = ⌊x / 30⌋.
fn div_by_30(x: u64) -> u64 {
    const M: u128 = 0x8888_8888_8888_8889;
    // The product is below 2^64 · 2^64, and the shift leaves at most 2^60: the
    // truncating cast keeps every bit.
    (u128::from(x).wrapping_mul(M) >> 68) as u64
}

/// A TOTP generator and verifier for one secret.
///
/// ```
/// use otpkit::{Algorithm, Digits, Period, Secret, Totp, Window};
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let totp = Totp::new(&secret, Algorithm::Sha1, Digits::EIGHT, Period::DEFAULT);
/// assert_eq!(totp.code_at(59)?.to_string(), "94287082"); // RFC 6238 Appendix B
/// let m = totp.verify("94287082", 59 + 30, Window::default())?;
/// assert_eq!((m.step, m.offset), (1, -1)); // one step late, still inside ±1
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Totp {
    hotp: Hotp,
    period: Period,
    t0: u64,
}

impl Totp {
    /// A generator with T0 = 0 (the Unix epoch).
    pub fn new(secret: &Secret, algorithm: Algorithm, digits: Digits, period: Period) -> Self {
        Totp {
            hotp: Hotp::new(secret, algorithm, digits),
            period,
            t0: 0,
        }
    }

    /// A generator with the defaults every authenticator app assumes: HMAC-SHA1,
    /// 6 digits, 30 seconds, T0 = 0. The explicit form is [`Totp::new`].
    ///
    /// ```
    /// use otpkit::{Secret, Totp};
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let totp = Totp::from_secret(&secret);
    /// assert_eq!(totp.code_at(59)?.to_string(), "287082");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_secret(secret: &Secret) -> Self {
        Totp::new(secret, Algorithm::Sha1, Digits::SIX, Period::DEFAULT)
    }

    /// The same generator counting steps from `t0` (Unix seconds) instead of 0.
    ///
    /// ```
    /// # let secret = otpkit::Secret::from_bytes(b"12345678901234567890")?;
    /// let totp = otpkit::Totp::new(&secret, Default::default(), Default::default(),
    ///                              Default::default()).with_t0(1000);
    /// assert_eq!(totp.step_at(1030)?, 1);
    /// assert!(totp.step_at(999).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_t0(mut self, t0: u64) -> Self {
        self.t0 = t0;
        self
    }

    /// The time step at `unix_time` (seconds since the Unix epoch).
    pub fn step_at(&self, unix_time: u64) -> Result<u64, TimeError> {
        let elapsed = unix_time
            .checked_sub(self.t0)
            .ok_or(TimeError::BeforeEpoch)?;
        // The default period is divided by a multiplication (`div_by_30`); any
        // other period is a hardware division, tens of cycles on x86-64. The
        // branch is on the public period only.
        if self.period == Period::DEFAULT {
            Ok(div_by_30(elapsed))
        } else {
            Ok(elapsed / self.period.0)
        }
    }

    /// The Unix time at which `step` begins.
    ///
    /// ```
    /// # let secret = otpkit::Secret::from_bytes(b"12345678901234567890")?;
    /// # let totp = otpkit::Totp::new(&secret, Default::default(), Default::default(), Default::default());
    /// assert_eq!(totp.step_start(2)?, 60);
    /// assert!(totp.step_start(u64::MAX).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn step_start(&self, step: u64) -> Result<u64, TimeError> {
        step.checked_mul(self.period.seconds())
            .and_then(|s| s.checked_add(self.t0))
            .ok_or(TimeError::Overflow)
    }

    /// Seconds until the code shown at `unix_time` changes (1 to `period`).
    ///
    /// ```
    /// # let secret = otpkit::Secret::from_bytes(b"12345678901234567890")?;
    /// # let totp = otpkit::Totp::new(&secret, Default::default(), Default::default(), Default::default());
    /// assert_eq!(totp.seconds_left(59)?, 1);
    /// assert_eq!(totp.seconds_left(60)?, 30);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn seconds_left(&self, unix_time: u64) -> Result<u64, TimeError> {
        let elapsed = unix_time
            .checked_sub(self.t0)
            .ok_or(TimeError::BeforeEpoch)?;
        let into_step = elapsed % self.period.0;
        Ok(self.period.seconds().saturating_sub(into_step))
    }

    /// The code shown at `unix_time`.
    pub fn code_at(&self, unix_time: u64) -> Result<Code, TimeError> {
        Ok(self.hotp.code(self.step_at(unix_time)?))
    }

    /// The code of time step `step`.
    pub fn code_at_step(&self, step: u64) -> Code {
        self.hotp.code(step)
    }

    /// Verifies a typed code at `unix_time`, accepting steps inside `window` (at
    /// most [`Window::MAX_STEPS_PER_SIDE`] either side, which [`Window::new`]
    /// enforces).
    ///
    /// Constant time for a given window: every candidate is computed and compared.
    /// The caller must still stop replays: store `m.step` and reject any later code
    /// whose step is not greater (the `Verifier` does that for you).
    pub fn verify(&self, code: &str, unix_time: u64, window: Window) -> Result<Match, VerifyError> {
        let expected = self.step_at(unix_time)?;
        let (first, last) = window.range(expected);
        let typed = Code::parse(code, self.digits())?;
        let step = self.hotp.verify_code_range(&typed, first, last)?;
        Ok(Match::new(step, expected))
    }

    /// Verifies a parsed code against every step in `first ..= last`; the matching
    /// step (the latest, if several match). An empty range matches nothing. The
    /// range scan the `verifier` module runs (crate-internal).
    pub(crate) fn verify_code_steps(
        &self,
        code: &Code,
        first: u64,
        last: u64,
    ) -> Result<u64, VerifyError> {
        self.hotp.verify_code_range(code, first, last)
    }

    /// The code shown now, by the system clock.
    #[cfg(feature = "std")]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn code_now(&self) -> Result<Code, TimeError> {
        self.code_at(unix_now()?)
    }

    /// Verifies a typed code now, by the system clock.
    #[cfg(feature = "std")]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn verify_now(&self, code: &str, window: Window) -> Result<Match, VerifyError> {
        self.verify(code, unix_now()?, window)
    }

    /// The hash algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.hotp.algorithm()
    }

    /// The code length.
    pub fn digits(&self) -> Digits {
        self.hotp.digits()
    }

    /// The step length.
    pub fn period(&self) -> Period {
        self.period
    }

    /// The Unix time step 0 begins at.
    pub fn t0(&self) -> u64 {
        self.t0
    }
}

impl fmt::Debug for Totp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Totp")
            .field("algorithm", &self.algorithm())
            .field("digits", &self.digits().get())
            .field("period", &self.period.seconds())
            .field("t0", &self.t0)
            .finish_non_exhaustive()
    }
}

/// Seconds since the Unix epoch by the system clock.
///
/// ```
/// assert!(otpkit::unix_now()? > 1_700_000_000);
/// # Ok::<(), otpkit::TimeError>(())
/// ```
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub fn unix_now() -> Result<u64, TimeError> {
    extern crate std;
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| TimeError::ClockBeforeUnixEpoch)
}

/// Why a time could not be turned into a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeError {
    /// A period of zero seconds.
    ZeroPeriod,
    /// The time is before T0, so it has no step.
    BeforeEpoch,
    /// The computation would overflow 64 bits.
    Overflow,
    /// The system clock reads a time before 1970.
    ClockBeforeUnixEpoch,
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeError::ZeroPeriod => "the period must be at least one second",
            TimeError::BeforeEpoch => "the time is before the TOTP epoch T0",
            TimeError::Overflow => "the time step is too large to compute",
            TimeError::ClockBeforeUnixEpoch => "the system clock is set before 1970",
        })
    }
}

impl core::error::Error for TimeError {}

impl TimeError {
    /// The stable [`ErrorCode`](crate::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> crate::ErrorCode {
        use crate::ErrorCode as C;
        match self {
            TimeError::ZeroPeriod => C::ZeroPeriod,
            TimeError::BeforeEpoch => C::BeforeEpoch,
            TimeError::Overflow => C::TimeOverflow,
            TimeError::ClockBeforeUnixEpoch => C::ClockBeforeUnixEpoch,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn div_by_30_is_the_division_at_every_edge() {
        // Around every multiple of 30 near 0, 2^32 and u64::MAX, and a spread between.
        let edges = [0u64, 1 << 32, u64::MAX - 120];
        let spread = (0..64u32).map(|shift| 0x9e37_79b9_7f4a_7c15u64 >> shift);
        for start in edges.into_iter().chain(spread) {
            for x in start..=start.saturating_add(120) {
                assert_eq!(div_by_30(x), x / 30, "{x}");
            }
        }
        assert_eq!(div_by_30(u64::MAX), u64::MAX / 30);
    }

    #[test]
    fn the_default_period_and_others_give_the_step() {
        let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
        for period in [29, 30, 31, 60] {
            let totp = Totp::new(
                &secret,
                Algorithm::Sha1,
                Digits::SIX,
                Period::new(period).unwrap(),
            );
            for t in [0, 29, 30, 59, 60, 1_111_111_109, u64::MAX] {
                assert_eq!(totp.step_at(t), Ok(t / period), "{period} s at {t}");
            }
        }
    }
}
