//! Mobile-OTP (mOTP): MD5 of the time, the secret and a PIN.
//!
//! The scheme of the Mobile-OTP project (motp.sourceforge.net), as Aegis
//! (`crypto/otp/MOTP.java`, since 3.0) and Authenticator Pro / Stratum
//! (`Generator/MobileOtp.cs`) compute it: the code at Unix time `t` is the first six
//! lowercase hex digits of
//!
//! ```text
//! MD5( decimal(t / 10) ‖ secret text ‖ PIN )
//! ```
//!
//! The step is always 10 seconds, whatever period an app shows the code for.
//!
//! **The secret is text.** mOTP's "init secret" is a string the user types,
//! usually 16 hex digits, and what is hashed is that string. andOTP and
//! Authenticator Pro keep and hash it as typed (any case, any characters); Aegis
//! stores it hex-decoded and hashes the lowercase hex of its bytes. The [`Secret`]
//! of an mOTP account here holds the text's bytes, so every app's account gives
//! that app's codes: [`secret_from_key_bytes`] turns Aegis's bytes into their text,
//! [`key_bytes`] turns a lowercase-hex text back into Aegis's bytes.
//!
//! Nothing here allocates.
//!
//! ```
//! use otpkit::{motp::Motp, Pin, Secret};
//! // Aegis MotpTest: secret e3152afee62599c8, PIN 1234.
//! let secret = Secret::from_bytes(b"e3152afee62599c8")?;
//! let motp = Motp::new(&secret, &Pin::new("1234")?);
//! assert_eq!(motp.code_at(165_892_298).as_str(), "e7d8b6");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

use md5::{Digest, Md5};
use subtle::ConstantTimeEq;

use crate::{Pin, Secret};

/// mOTP's fixed time step, in seconds.
pub const MOTP_PERIOD: u64 = 10;

/// The length of an mOTP code (hex digits).
pub const MOTP_CODE_LEN: usize = 6;

/// An mOTP generator: the secret text and the PIN. `Debug` shows neither.
#[derive(Clone)]
pub struct Motp {
    secret: Secret,
    pin: Pin,
}

impl Motp {
    /// A generator for the mOTP secret text `secret` (its bytes, see the
    /// [module documentation](self)) and `pin`.
    pub fn new(secret: &Secret, pin: &Pin) -> Self {
        Motp {
            secret: secret.clone(),
            pin: pin.clone(),
        }
    }

    /// The code shown at `unix` (seconds since the Unix epoch).
    pub fn code_at(&self, unix: u64) -> MotpCode {
        let mut digits = [0u8; 20];
        let decimal = decimal(unix / MOTP_PERIOD, &mut digits);
        let mut md5 = Md5::new();
        md5.update(decimal);
        md5.update(self.secret.as_bytes());
        md5.update(self.pin.as_bytes());
        let digest = md5.finalize();
        let mut chars = [0u8; MOTP_CODE_LEN];
        for (pair, byte) in chars.chunks_exact_mut(2).zip(digest.iter()) {
            if let [high, low] = pair {
                *high = hex_digit(byte >> 4);
                *low = hex_digit(byte & 0x0f);
            }
        }
        MotpCode { chars }
    }

    /// The code shown now, by the system clock.
    #[cfg(feature = "std")]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn code_now(&self) -> Result<MotpCode, crate::TimeError> {
        Ok(self.code_at(crate::unix_now()?))
    }

    /// Seconds until the code shown at `unix` changes (1 to 10).
    pub fn seconds_left(&self, unix: u64) -> u64 {
        MOTP_PERIOD.saturating_sub(unix % MOTP_PERIOD)
    }
}

impl fmt::Debug for Motp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Motp").finish_non_exhaustive()
    }
}

/// The secret text of an mOTP key kept as bytes (Aegis, `otpauth://motp/` URIs):
/// their lowercase hex, which is what those apps hash. At most half of
/// [`MAX_SECRET_LEN`](crate::MAX_SECRET_LEN) bytes; empty is refused.
pub fn secret_from_key_bytes(bytes: &[u8]) -> Result<Secret, crate::SecretError> {
    let mut text = zeroize::Zeroizing::new([0u8; crate::MAX_SECRET_LEN]);
    let len = bytes.len().saturating_mul(2);
    if len > crate::MAX_SECRET_LEN {
        return Err(crate::SecretError::TooLong { len });
    }
    for (pair, byte) in text.chunks_exact_mut(2).zip(bytes) {
        if let [high, low] = pair {
            *high = hex_digit(byte >> 4);
            *low = hex_digit(byte & 0x0f);
        }
    }
    Secret::from_bytes_with(
        text.get(..len).unwrap_or(&[]),
        crate::LengthPolicy::AllowShort,
    )
}

/// The bytes an mOTP secret text stands for when the text is lowercase hex of even
/// length (as Aegis keeps it), written into `out`; `None` for any other text, which
/// has no byte form an app that hex-encodes would hash the same.
pub fn key_bytes<'a>(
    secret: &Secret,
    out: &'a mut [u8; crate::MAX_SECRET_LEN],
) -> Option<&'a [u8]> {
    let text = secret.as_bytes();
    if text.is_empty() || !text.len().is_multiple_of(2) {
        return None;
    }
    let mut len = 0usize;
    for (slot, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        let [high, low] = pair else { return None };
        *slot = (lower_hex_value(*high)? << 4) | lower_hex_value(*low)?;
        len = len.saturating_add(1);
    }
    out.get(..len)
}

fn lower_hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c.wrapping_sub(b'0')),
        b'a'..=b'f' => Some(c.wrapping_sub(b'a').wrapping_add(10)),
        _ => None,
    }
}

/// Writes `value` in decimal (no leading zeros) at the end of `buf`; returns the
/// digits written.
fn decimal(mut value: u64, buf: &mut [u8; 20]) -> &[u8] {
    // u64::MAX has 20 decimal digits, so the buffer always suffices.
    let mut start = buf.len();
    while let Some(at) = start.checked_sub(1) {
        start = at;
        if let Some(slot) = buf.get_mut(at) {
            // value % 10 < 10: the cast and the addition cannot overflow.
            *slot = b'0'.wrapping_add((value % 10) as u8);
        }
        value /= 10;
        if value == 0 {
            break;
        }
    }
    buf.get(start..).unwrap_or(&[])
}

fn hex_digit(nibble: u8) -> u8 {
    match nibble {
        0..=9 => b'0'.wrapping_add(nibble),
        _ => b'a'.wrapping_add(nibble.wrapping_sub(10)),
    }
}

/// A six-character mOTP code (lowercase hex). Displays as the code; its `Debug` is
/// redacted; compares in constant time.
#[derive(Clone, Copy)]
pub struct MotpCode {
    chars: [u8; MOTP_CODE_LEN],
}

impl MotpCode {
    /// The code as text, e.g. `"e7d8b6"`.
    pub fn as_str(&self) -> &str {
        // Every byte is a lowercase hex digit.
        core::str::from_utf8(&self.chars).unwrap_or("")
    }
}

impl fmt::Display for MotpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for MotpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MotpCode(..)")
    }
}

impl PartialEq for MotpCode {
    fn eq(&self, other: &Self) -> bool {
        self.chars.ct_eq(&other.chars).into()
    }
}

impl Eq for MotpCode {}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::format;

    use super::*;

    #[test]
    fn decimal_digits() {
        let mut buf = [0u8; 20];
        assert_eq!(decimal(0, &mut buf), b"0");
        assert_eq!(decimal(16_589_229, &mut buf), b"16589229");
        assert_eq!(decimal(u64::MAX, &mut buf), b"18446744073709551615");
    }

    #[test]
    fn key_bytes_and_text() {
        let bytes = [0xe3, 0x15, 0x2a, 0xfe, 0xe6, 0x25, 0x99, 0xc8];
        let secret = secret_from_key_bytes(&bytes).unwrap();
        assert_eq!(secret.as_bytes(), b"e3152afee62599c8");
        let mut out = [0u8; crate::MAX_SECRET_LEN];
        assert_eq!(key_bytes(&secret, &mut out), Some(&bytes[..]));
        for text in [
            &b"E3152AFEE62599C8"[..],
            b"e3152afee62599c",
            b"asdasddasadsadsadsads2133",
        ] {
            let s = Secret::from_bytes_with(text, crate::LengthPolicy::AllowShort).unwrap();
            assert_eq!(key_bytes(&s, &mut out), None);
        }
        assert!(secret_from_key_bytes(&[1; 65]).is_err());
        assert!(secret_from_key_bytes(&[]).is_err());
    }

    #[test]
    fn debug_shows_neither_code_nor_pin() {
        let secret = Secret::from_bytes(b"e3152afee62599c8").unwrap();
        let motp = Motp::new(&secret, &Pin::new("1234").unwrap());
        let code = motp.code_at(165_892_298);
        assert_eq!(code.as_str(), "e7d8b6");
        assert!(!format!("{code:?}").contains("e7d8b6"));
        let shown = format!("{motp:?}");
        assert!(!shown.contains("1234") && !shown.contains("e315"));
        assert_eq!(motp.seconds_left(165_892_298), 2);
        assert_eq!(motp.seconds_left(165_892_290), 10);
    }
}
