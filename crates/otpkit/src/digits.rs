//! How many decimal digits a code has.
//!
//! RFC 4226 §5.3 derives a 31-bit number from the HMAC ("dynamic truncation") and
//! reduces it modulo 10^digits. 2^31 − 1 = 2,147,483,647 has ten digits, so ten is the
//! most that truncation can fill; six is the RFC minimum and what every app shows.

use core::fmt;

/// A code length from 6 to 10 digits.
///
/// ```
/// use otpkit::Digits;
/// assert_eq!(Digits::new(8)?.get(), 8);
/// assert!(Digits::new(5).is_err());
/// # Ok::<(), otpkit::DigitsError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digits(u8);

impl Digits {
    /// The fewest digits RFC 4226 allows.
    pub const MIN: u8 = 6;
    /// The most digits 31-bit dynamic truncation can fill.
    pub const MAX: u8 = 10;
    /// Six digits: the default, and the only length Google Authenticator shows.
    pub const SIX: Digits = Digits(6);
    /// Eight digits.
    pub const EIGHT: Digits = Digits(8);

    /// A code length, or an error when `n` is outside 6..=10.
    ///
    /// ```
    /// assert_eq!(otpkit::Digits::new(6), Ok(otpkit::Digits::SIX));
    /// ```
    pub const fn new(n: u8) -> Result<Self, DigitsError> {
        if n < Self::MIN || n > Self::MAX {
            Err(DigitsError::OutOfRange { got: n })
        } else {
            Ok(Digits(n))
        }
    }

    /// The number of digits.
    ///
    /// ```
    /// assert_eq!(otpkit::Digits::EIGHT.get(), 8);
    /// ```
    pub const fn get(self) -> u8 {
        self.0
    }
}

impl Default for Digits {
    fn default() -> Self {
        Digits::SIX
    }
}

impl fmt::Display for Digits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// Why a digit count was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DigitsError {
    /// The count is outside 6..=10.
    OutOfRange {
        /// The count that was given.
        got: u8,
    },
}

impl fmt::Display for DigitsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DigitsError::OutOfRange { got } => write!(
                f,
                "digits must be from {} to {}, got {got}",
                Digits::MIN,
                Digits::MAX
            ),
        }
    }
}

impl core::error::Error for DigitsError {}

impl DigitsError {
    /// The stable [`ErrorCode`](crate::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> crate::ErrorCode {
        match self {
            DigitsError::OutOfRange { .. } => crate::ErrorCode::DigitsOutOfRange,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_is_six_to_ten() {
        for n in 0..=255u8 {
            assert_eq!(Digits::new(n).is_ok(), (6..=10).contains(&n), "{n}");
        }
    }
}
