//! The PIN that mOTP and Yandex Key mix into every code.
//!
//! Both schemes take a short text the user types (mOTP: usually four digits; Yandex
//! Key: four to sixteen digits) beside the shared secret. The PIN is as sensitive as
//! the secret: [`Pin`] keeps it in a fixed buffer (no allocator needed), wipes it on
//! drop and never prints it in `Debug`.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// The longest PIN [`Pin::new`] accepts, in bytes of UTF-8. Real PINs are 4 to 16
/// digits; the bound keeps a hostile import from carrying an unbounded one.
pub const MAX_PIN_LEN: usize = 64;

/// Why a text is not a [`Pin`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinError {
    /// The PIN is empty.
    Empty,
    /// The PIN is longer than [`MAX_PIN_LEN`] bytes.
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
}

impl fmt::Display for PinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PinError::Empty => f.write_str("the PIN is empty"),
            PinError::TooLong { len } => write!(
                f,
                "the PIN is {len} bytes long; at most {MAX_PIN_LEN} are accepted"
            ),
        }
    }
}

impl core::error::Error for PinError {}

/// An mOTP or Yandex Key PIN: non-empty UTF-8 text of at most [`MAX_PIN_LEN`] bytes,
/// used exactly as typed (no trimming, no normalisation), as the apps hash it.
///
/// `Debug` shows nothing of it; it is wiped on drop; equality is constant-time.
///
/// ```
/// let pin = otpkit::Pin::new("1234")?;
/// assert_eq!(pin.as_str(), "1234");
/// assert!(!format!("{pin:?}").contains("1234"));
/// # Ok::<(), otpkit::PinError>(())
/// ```
#[derive(Clone)]
pub struct Pin {
    bytes: [u8; MAX_PIN_LEN],
    len: usize,
}

impl Pin {
    /// The PIN `text`, as typed.
    pub fn new(text: &str) -> Result<Self, PinError> {
        let len = text.len();
        if len == 0 {
            return Err(PinError::Empty);
        }
        let mut bytes = [0u8; MAX_PIN_LEN];
        let slot = bytes.get_mut(..len).ok_or(PinError::TooLong { len })?;
        slot.copy_from_slice(text.as_bytes());
        Ok(Pin { bytes, len })
    }

    /// The PIN's UTF-8 bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }

    /// The PIN as text. Treat the result like the PIN.
    pub fn as_str(&self) -> &str {
        // Built from a &str and never changed: always UTF-8.
        core::str::from_utf8(self.as_bytes()).unwrap_or("")
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(..)")
    }
}

impl PartialEq for Pin {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes().ct_eq(other.as_bytes()).into()
    }
}

impl Eq for Pin {}

impl Drop for Pin {
    fn drop(&mut self) {
        self.bytes.zeroize();
        self.len.zeroize();
    }
}

impl zeroize::ZeroizeOnDrop for Pin {}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::format;

    use super::*;

    #[test]
    fn bounds() {
        assert_eq!(Pin::new("").unwrap_err(), PinError::Empty);
        let long = "1".repeat(MAX_PIN_LEN + 1);
        assert_eq!(
            Pin::new(&long).unwrap_err(),
            PinError::TooLong {
                len: MAX_PIN_LEN + 1
            }
        );
        let most = "9".repeat(MAX_PIN_LEN);
        assert_eq!(Pin::new(&most).unwrap().as_str(), most);
        // Kept as typed, not trimmed.
        assert_eq!(Pin::new(" 12 ").unwrap().as_bytes(), b" 12 ");
    }

    #[test]
    fn debug_is_redacted() {
        let pin = Pin::new("5210481216086702").unwrap();
        let shown = format!("{pin:?}");
        assert_eq!(shown, "Pin(..)");
        assert_ne!(pin, Pin::new("5210481216086703").unwrap());
        assert_eq!(pin, pin.clone());
    }
}
