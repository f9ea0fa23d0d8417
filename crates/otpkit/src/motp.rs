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
//! **The secret.** mOTP's "init secret" is text the user types, usually 16 hex
//! digits. Aegis stores it hex-decoded and hashes the lowercase hex of the bytes; the
//! [`Secret`] of an mOTP account here is those bytes too (so an `otpauth://motp/` URI
//! carries them in Base32, as Aegis reads it). Authenticator Pro keeps the text as
//! typed: text that is not lowercase hex has no byte form here, and its importer
//! refuses it rather than show other codes than the app.
//!
//! Nothing here allocates.
//!
//! ```
//! use otpkit::{motp::Motp, Pin, Secret};
//! // Aegis MotpTest: secret e3152afee62599c8, PIN 1234.
//! let secret = Secret::from_bytes_with(
//!     &[0xe3, 0x15, 0x2a, 0xfe, 0xe6, 0x25, 0x99, 0xc8],
//!     otpkit::LengthPolicy::AllowShort,
//! )?;
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
    /// A generator for the mOTP secret `secret` (the bytes whose lowercase hex is the
    /// secret text, see the [module documentation](self)) and `pin`.
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
        for byte in self.secret.as_bytes() {
            md5.update([hex_digit(byte >> 4), hex_digit(byte & 0x0f)]);
        }
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

/// Writes `value` in decimal (no leading zeros) at the end of `buf`; returns the
/// digits written.
fn decimal(mut value: u64, buf: &mut [u8; 20]) -> &[u8] {
    // u64::MAX has 20 decimal digits, so the buffer always suffices.
    let mut start = buf.len();
    loop {
        let Some(at) = start.checked_sub(1) else {
            break;
        };
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
    fn debug_shows_neither_code_nor_pin() {
        let secret = Secret::from_bytes_with(
            &[0xe3, 0x15, 0x2a, 0xfe, 0xe6, 0x25, 0x99, 0xc8],
            crate::LengthPolicy::AllowShort,
        )
        .unwrap();
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
