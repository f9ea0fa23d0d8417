//! Yandex Key: HMAC-SHA256 keyed by SHA-256(PIN ‖ secret), eight letters a–z.
//!
//! The construction Aegis implements (`crypto/otp/YAOTP.java` and
//! `otp/YandexInfo.java`, since 2.0), after the KeeYaOtp project's reading of the
//! Yandex Key app:
//!
//! 1. key = SHA-256(PIN ‖ secret), without its first byte when that byte is zero;
//! 2. h = HMAC-SHA256(key, big-endian u64 of t / 30);
//! 3. o = h\[31\] & 15; clear the top bit of h\[o\]; n = the big-endian u64 at h\[o..o+8\];
//! 4. the code is n mod 26⁸ written in base 26 with the letters `a`–`z`, most
//!    significant first.
//!
//! The secret is 16 bytes. Yandex's own form is 26 bytes, the 16 followed by a
//! 12-bit checksum; [`parse_secret`] checks it and keeps the 16 (Aegis stores them).
//!
//! Nothing here allocates.
//!
//! ```
//! use otpkit::{yandex::{Yandex, parse_secret}, Pin, Secret};
//! // Aegis YAOTPTest.
//! let full = Secret::from_base32("LA2V6KMCGYMWWVEW64RNP3JA3IAAAAAAHTSG4HRZPI")?;
//! let secret = parse_secret(full.as_bytes())?;
//! let yandex = Yandex::new(&secret, &Pin::new("7586")?);
//! assert_eq!(yandex.code_at(1_581_064_020).as_str(), "oactmacq");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::{LengthPolicy, Pin, Secret, SecretError};

/// Yandex Key's time step, in seconds.
pub const YANDEX_PERIOD: u64 = 30;

/// The length of a Yandex Key code (letters a–z).
pub const YANDEX_CODE_LEN: usize = 8;

/// The length of a Yandex secret, in bytes.
pub const YANDEX_SECRET_LEN: usize = 16;

/// The length of a Yandex secret with its checksum, in bytes.
pub const YANDEX_SECRET_FULL_LEN: usize = 26;

/// Why bytes are not a Yandex secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YandexSecretError {
    /// Neither 16 nor 26 bytes.
    Length {
        /// The length found.
        len: usize,
    },
    /// 26 bytes whose checksum does not match.
    Checksum,
}

impl fmt::Display for YandexSecretError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            YandexSecretError::Length { len } => write!(
                f,
                "a Yandex secret is {YANDEX_SECRET_LEN} or {YANDEX_SECRET_FULL_LEN} bytes, not {len}"
            ),
            YandexSecretError::Checksum => {
                f.write_str("the Yandex secret's checksum does not match")
            }
        }
    }
}

impl core::error::Error for YandexSecretError {}

impl From<SecretError> for YandexSecretError {
    fn from(_: SecretError) -> Self {
        // Only reached for lengths parse_secret has already checked.
        YandexSecretError::Length { len: 0 }
    }
}

/// The 16-byte secret of a Yandex account from its 16-byte form (as a QR code
/// carries it) or its 26-byte form (16 bytes and a 12-bit checksum, which is checked).
pub fn parse_secret(bytes: &[u8]) -> Result<Secret, YandexSecretError> {
    match bytes.len() {
        YANDEX_SECRET_LEN => Ok(Secret::from_bytes_with(bytes, LengthPolicy::AllowShort)?),
        YANDEX_SECRET_FULL_LEN => {
            if !checksum_matches(bytes) {
                return Err(YandexSecretError::Checksum);
            }
            let head = bytes
                .get(..YANDEX_SECRET_LEN)
                .ok_or(YandexSecretError::Length { len: bytes.len() })?;
            Ok(Secret::from_bytes_with(head, LengthPolicy::AllowShort)?)
        }
        len => Err(YandexSecretError::Length { len }),
    }
}

/// The checksum of a 26-byte secret: its last 12 bits are a CRC-like remainder
/// (polynomial `0b1_1000_1111_0011`, 13 bits) of the 196 bits before them, fed
/// most significant bit first.
fn checksum_matches(bytes: &[u8]) -> bool {
    let (Some(&high), Some(&low)) = (bytes.get(24), bytes.get(25)) else {
        return false;
    };
    let stored = (u32::from(high & 0x0f) << 8) | u32::from(low);
    let mut remainder: u32 = 0;
    let mut bits_held: u32 = 0;
    // 26 * 8 - 12 bits of input, each read once, MSB first, in runs that fill the
    // remainder to 13 bits. A run can be empty (the reduction left 13 bits): then
    // the round only reduces again, as the reference does.
    let mut next_bit: u32 = 0;
    while next_bit < 196 {
        let wanted = 13u32
            .saturating_sub(bits_held)
            .min(196u32.saturating_sub(next_bit));
        for _ in 0..wanted {
            let byte = bytes.get((next_bit / 8) as usize).copied().unwrap_or(0);
            let bit = u32::from(byte.wrapping_shr(7u32.wrapping_sub(next_bit % 8)) & 1);
            remainder = remainder.wrapping_shl(1) | bit;
            next_bit = next_bit.saturating_add(1);
        }
        bits_held = bits_held.saturating_add(wanted);
        if bits_held == 13 {
            remainder ^= 0b1_1000_1111_0011;
        }
        bits_held = 32u32.saturating_sub(remainder.leading_zeros());
    }
    remainder == stored
}

/// A Yandex Key generator: the HMAC state keyed with SHA-256(PIN ‖ secret). `Debug`
/// shows nothing of it; the state is wiped on drop.
#[derive(Clone)]
pub struct Yandex {
    mac: Hmac<Sha256>,
}

impl Yandex {
    /// A generator for `secret` (16 bytes in practice: see [`parse_secret`]) and `pin`.
    pub fn new(secret: &Secret, pin: &Pin) -> Self {
        let mut sha = Sha256::new();
        sha.update(pin.as_bytes());
        sha.update(secret.as_bytes());
        let digest = Zeroizing::new(<[u8; 32]>::from(sha.finalize()));
        let key: &[u8] = match digest.split_first() {
            Some((0, rest)) => rest,
            _ => &digest[..],
        };
        // HMAC takes a key of any length.
        let mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(key) {
            Ok(mac) => mac,
            Err(_) => <Hmac<Sha256> as KeyInit>::new(&Default::default()),
        };
        Yandex { mac }
    }

    /// The code shown at `unix` (seconds since the Unix epoch).
    pub fn code_at(&self, unix: u64) -> YandexCode {
        let mut mac = self.mac.clone();
        mac.update(&(unix / YANDEX_PERIOD).to_be_bytes());
        let mut hash = Zeroizing::new(<[u8; 32]>::from(mac.finalize().into_bytes()));
        let offset = usize::from(hash.get(31).copied().unwrap_or(0) & 0x0f);
        if let Some(top) = hash.get_mut(offset) {
            *top &= 0x7f;
        }
        let mut word = [0u8; 8];
        if let Some(eight) = offset.checked_add(8).and_then(|end| hash.get(offset..end)) {
            word.copy_from_slice(eight);
        }
        const RADIX: u64 = 26;
        /// 26^8: eight letters.
        const MODULUS: u64 = 208_827_064_576;
        let mut value = u64::from_be_bytes(word) % MODULUS;
        let mut chars = [b'a'; YANDEX_CODE_LEN];
        for slot in chars.iter_mut().rev() {
            // value % 26 < 26: the cast and the addition cannot overflow.
            *slot = b'a'.wrapping_add((value % RADIX) as u8);
            value /= RADIX;
        }
        YandexCode { chars }
    }

    /// The code shown now, by the system clock.
    #[cfg(feature = "std")]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn code_now(&self) -> Result<YandexCode, crate::TimeError> {
        Ok(self.code_at(crate::unix_now()?))
    }

    /// Seconds until the code shown at `unix` changes (1 to 30).
    pub fn seconds_left(&self, unix: u64) -> u64 {
        YANDEX_PERIOD.saturating_sub(unix % YANDEX_PERIOD)
    }
}

impl fmt::Debug for Yandex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Yandex").finish_non_exhaustive()
    }
}

/// An eight-letter Yandex Key code. Displays as the code; its `Debug` is redacted;
/// compares in constant time.
#[derive(Clone, Copy)]
pub struct YandexCode {
    chars: [u8; YANDEX_CODE_LEN],
}

impl YandexCode {
    /// The code as text, e.g. `"oactmacq"`.
    pub fn as_str(&self) -> &str {
        // Every byte is a lowercase ASCII letter.
        core::str::from_utf8(&self.chars).unwrap_or("")
    }
}

impl fmt::Display for YandexCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for YandexCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("YandexCode(..)")
    }
}

impl PartialEq for YandexCode {
    fn eq(&self, other: &Self) -> bool {
        self.chars.ct_eq(&other.chars).into()
    }
}

impl Eq for YandexCode {}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::format;

    use super::*;

    #[test]
    fn checksum_and_lengths() {
        let full = Secret::from_base32("LA2V6KMCGYMWWVEW64RNP3JA3IAAAAAAHTSG4HRZPI").unwrap();
        let secret = parse_secret(full.as_bytes()).unwrap();
        assert_eq!(
            secret,
            Secret::from_base32("LA2V6KMCGYMWWVEW64RNP3JA3I").unwrap()
        );
        let mut broken = [0u8; 26];
        broken.copy_from_slice(full.as_bytes());
        broken[25] ^= 1;
        assert_eq!(
            parse_secret(&broken).unwrap_err(),
            YandexSecretError::Checksum
        );
        broken[25] ^= 1;
        broken[3] ^= 0x10;
        assert_eq!(
            parse_secret(&broken).unwrap_err(),
            YandexSecretError::Checksum
        );
        assert_eq!(
            parse_secret(&[1; 20]).unwrap_err(),
            YandexSecretError::Length { len: 20 }
        );
        assert_eq!(parse_secret(&[1; 16]).unwrap().as_bytes(), &[1; 16]);
    }

    #[test]
    fn debug_is_redacted() {
        let secret = Secret::from_base32("LA2V6KMCGYMWWVEW64RNP3JA3I").unwrap();
        let yandex = Yandex::new(&secret, &Pin::new("7586").unwrap());
        let code = yandex.code_at(1_581_064_020);
        assert_eq!(code.as_str(), "oactmacq");
        assert!(!format!("{code:?}").contains("oactmacq"));
        assert_eq!(format!("{yandex:?}"), "Yandex { .. }");
        assert_eq!(yandex.seconds_left(1_581_064_020), 30);
    }
}
