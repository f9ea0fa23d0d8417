//! Comparison: does a typed code match any step in a window, in constant time?
//!
//! Every candidate in the window is computed and compared, whatever matched before
//! it; the matching step is picked with `subtle`'s conditional selection, so neither
//! the running time nor the branches taken depend on whether, or where, the code
//! matched. Only the final answer (matched or not) is branched on.

use core::fmt;

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use crate::keyed::KeyedHmac;
use crate::truncate;
use crate::{Code, CodeError, Digits, TimeError};

/// How many steps around the expected one a code may come from.
///
/// RFC 6238 §5.2 recommends allowing at most one step of network delay; the default
/// is one step behind and one ahead. It is asymmetric because clocks drift both ways
/// but delay only ever makes a code late.
///
/// ```
/// use otpkit::Window;
/// assert_eq!(Window::default(), Window::new(1, 1));
/// assert_eq!(Window::new(2, 0).len(), 3);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    behind: u32,
    ahead: u32,
}

impl Window {
    /// One step behind and one ahead (RFC 6238 §5.2).
    pub const DEFAULT: Window = Window::new(1, 1);

    /// A window of `behind` earlier steps and `ahead` later steps.
    pub const fn new(behind: u32, ahead: u32) -> Self {
        Window { behind, ahead }
    }

    /// The expected step only.
    ///
    /// ```
    /// assert_eq!(otpkit::Window::exact().len(), 1);
    /// ```
    pub const fn exact() -> Self {
        Window::new(0, 0)
    }

    /// `n` steps either side.
    ///
    /// ```
    /// assert_eq!(otpkit::Window::symmetric(10), otpkit::Window::new(10, 10));
    /// ```
    pub const fn symmetric(n: u32) -> Self {
        Window::new(n, n)
    }

    /// Steps accepted before the expected one.
    pub const fn behind(&self) -> u32 {
        self.behind
    }

    /// Steps accepted after the expected one.
    pub const fn ahead(&self) -> u32 {
        self.ahead
    }

    /// How many steps the window covers (candidates computed per verification).
    #[allow(clippy::len_without_is_empty)] // never empty
    pub const fn len(&self) -> u64 {
        // Each part fits in u32, so the sum fits in u64.
        (self.behind as u64)
            .saturating_add(self.ahead as u64)
            .saturating_add(1)
    }

    /// The inclusive step range around `center`, cut at 0 and `u64::MAX` (steps
    /// outside them do not exist).
    pub(crate) fn range(&self, center: u64) -> (u64, u64) {
        (
            center.saturating_sub(u64::from(self.behind)),
            center.saturating_add(u64::from(self.ahead)),
        )
    }
}

impl Default for Window {
    fn default() -> Self {
        Window::DEFAULT
    }
}

/// A successful verification: which step (or HOTP counter) the code belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Match {
    /// The matching time step or counter.
    pub step: u64,
    /// `step` minus the expected step: negative for a code from behind the expected
    /// step (a slow clock or a late submission), positive for one ahead.
    pub offset: i64,
}

impl Match {
    pub(crate) fn new(step: u64, expected: u64) -> Self {
        // Both lie in one window, whose halves are u32, so the difference fits i64.
        let offset = i128::from(step).saturating_sub(i128::from(expected));
        Match {
            step,
            offset: i64::try_from(offset).unwrap_or(if offset < 0 { i64::MIN } else { i64::MAX }),
        }
    }
}

/// Why a code was not accepted. A rejection never tells how close a wrong code came.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// The text is not a code of the right form (see [`Code::parse`]).
    Malformed(CodeError),
    /// The code matches no step in the window.
    Mismatch,
    /// The time could not be turned into a step.
    Time(TimeError),
}

impl From<CodeError> for VerifyError {
    fn from(e: CodeError) -> Self {
        VerifyError::Malformed(e)
    }
}

impl From<TimeError> for VerifyError {
    fn from(e: TimeError) -> Self {
        VerifyError::Time(e)
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::Malformed(e) => write!(f, "malformed code: {e}"),
            VerifyError::Mismatch => f.write_str("the code is not valid"),
            VerifyError::Time(e) => write!(f, "cannot verify at this time: {e}"),
        }
    }
}

impl core::error::Error for VerifyError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            VerifyError::Malformed(e) => Some(e),
            VerifyError::Time(e) => Some(e),
            VerifyError::Mismatch => None,
        }
    }
}

/// Compare `typed` with the code of every step in `first..=last`; the latest
/// matching step, if any.
///
/// Time depends only on the range's length. When several steps share a code
/// (probability about window/10^digits) the latest wins, so a code that matches
/// both an already-used step and a fresh one is credited to the fresh one.
pub(crate) fn scan(
    mac: &KeyedHmac,
    digits: Digits,
    typed: &Code,
    first: u64,
    last: u64,
) -> Option<u64> {
    let mut found = Choice::from(0);
    let mut matched: u64 = 0;
    let mut step = first;
    loop {
        let candidate = Code::new(truncate::reduce(mac.truncated(step), digits), digits);
        let equal = candidate.ct_eq(typed);
        matched.conditional_assign(&step, equal);
        found |= equal;
        if step >= last {
            break;
        }
        step = step.saturating_add(1);
    }
    if bool::from(found) {
        Some(matched)
    } else {
        None
    }
}
