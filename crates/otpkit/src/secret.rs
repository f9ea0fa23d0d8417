//! The shared secret: the key both the server and the authenticator app hold.
//!
//! A [`Secret`] lives in a fixed buffer on the stack (no heap, so the core works
//! without an allocator), is wiped on drop, compares in constant time, and never
//! shows its bytes in `Debug`. Its Base32 text comes out only when asked for by name
//! ([`Secret::base32`], [`Secret::base32_grouped`]).
//!
//! Base32 is done by `data-encoding`, not the `base32` crate: `base32` returns `Vec`s
//! and so needs an allocator, while `data-encoding` decodes into a caller's buffer and
//! lets us define, at compile time, a decoder that ignores the unused trailing bits of
//! the last symbol the way Google Authenticator does.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroize;

#[cfg(feature = "getrandom")]
use crate::Algorithm;

/// The longest secret accepted, in bytes: 1024 bits, one SHA-512 block. Longer keys
/// would only be hashed down by HMAC (RFC 2104 §3) and no service issues them.
pub const MAX_SECRET_LEN: usize = 128;

/// The shortest secret accepted without opting in, in bytes: 128 bits (RFC 4226 R6).
pub const MIN_SECRET_LEN: usize = 16;

/// Base32 symbols for [`MAX_SECRET_LEN`] bytes: ceil(128 × 8 / 5).
const MAX_BASE32_SYMBOLS: usize = 205;

/// RFC 4648 Base32 without padding, accepting non-zero unused trailing bits, as
/// authenticator apps do (a secret such as `JBSWY3DPEHPK3PXQ` works in them).
const BASE32_LENIENT: data_encoding::Encoding = data_encoding_macro::new_encoding! {
    symbols: "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
    check_trailing_bits: false,
};

/// How short a secret may be.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LengthPolicy {
    /// At least 128 bits, as RFC 4226 R6 requires. The default.
    #[default]
    Rfc4226,
    /// Any non-empty secret. Real services still issue 80-bit secrets (16 Base32
    /// characters); accepting them is a deliberate choice, so it must be asked for.
    AllowShort,
}

impl LengthPolicy {
    const fn min_len(self) -> usize {
        match self {
            LengthPolicy::Rfc4226 => MIN_SECRET_LEN,
            LengthPolicy::AllowShort => 1,
        }
    }
}

/// An OTP shared secret of 1 to [`MAX_SECRET_LEN`] bytes.
///
/// ```
/// use otpkit::Secret;
/// // As a user pastes it: lowercase, grouped, padded.
/// let secret = Secret::from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq====")?;
/// assert_eq!(secret.as_bytes(), b"12345678901234567890");
/// assert_eq!(secret.base32().to_string(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
/// assert_eq!(format!("{secret:?}"), "Secret { len: 20, .. }");
/// # Ok::<(), otpkit::SecretError>(())
/// ```
#[derive(Clone)]
pub struct Secret {
    bytes: [u8; MAX_SECRET_LEN],
    len: usize,
}

impl Secret {
    /// A secret from raw bytes, at least 128 bits long.
    ///
    /// ```
    /// use otpkit::{Secret, SecretError};
    /// assert!(Secret::from_bytes(&[7; 20]).is_ok());
    /// assert_eq!(Secret::from_bytes(&[7; 10]).unwrap_err(),
    ///            SecretError::TooShort { bits: 80 });
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SecretError> {
        Self::from_bytes_with(bytes, LengthPolicy::Rfc4226)
    }

    /// A secret from raw bytes under a chosen [`LengthPolicy`].
    ///
    /// ```
    /// use otpkit::{LengthPolicy, Secret};
    /// let short = Secret::from_bytes_with(&[7; 10], LengthPolicy::AllowShort)?;
    /// assert_eq!(short.len(), 10);
    /// # Ok::<(), otpkit::SecretError>(())
    /// ```
    pub fn from_bytes_with(bytes: &[u8], policy: LengthPolicy) -> Result<Self, SecretError> {
        check_len(bytes.len(), policy)?;
        let mut secret = Secret {
            bytes: [0; MAX_SECRET_LEN],
            len: bytes.len(),
        };
        secret
            .bytes
            .iter_mut()
            .zip(bytes)
            .for_each(|(dst, src)| *dst = *src);
        Ok(secret)
    }

    /// A secret from Base32 as people paste it, at least 128 bits long.
    ///
    /// Any case; spaces, tabs and hyphens anywhere; trailing `=` padding or none. A
    /// character outside the Base32 alphabet is an error naming its position (it is
    /// never skipped: a mistyped `0` for `O` must not silently change the secret).
    ///
    /// ```
    /// use otpkit::{Secret, SecretError};
    /// let s = Secret::from_base32("JBSW-Y3DP-EHPK-3PXP-JBSW-Y3DP-EHPK-3PXP")?;
    /// assert_eq!(s.len(), 20);
    /// assert_eq!(Secret::from_base32("JBSWY3DP0HPK").unwrap_err(),
    ///            SecretError::InvalidCharacter { position: 9 });
    /// # Ok::<(), SecretError>(())
    /// ```
    pub fn from_base32(text: &str) -> Result<Self, SecretError> {
        Self::from_base32_with(text, LengthPolicy::Rfc4226)
    }

    /// A secret from Base32 under a chosen [`LengthPolicy`]; see [`Secret::from_base32`].
    ///
    /// ```
    /// use otpkit::{LengthPolicy, Secret};
    /// // An 80-bit secret, as many services still issue.
    /// let s = Secret::from_base32_with("jbswy3dpehpk3pxp", LengthPolicy::AllowShort)?;
    /// assert_eq!(s.len(), 10);
    /// # Ok::<(), otpkit::SecretError>(())
    /// ```
    pub fn from_base32_with(text: &str, policy: LengthPolicy) -> Result<Self, SecretError> {
        let mut symbols = Base32Buf::new();
        let mut padding_started = false;
        for (index, ch) in text.chars().enumerate() {
            let position = index.saturating_add(1);
            match ch {
                ' ' | '\t' | '\r' | '\n' | '-' => {}
                '=' => padding_started = true,
                'a'..='z' | 'A'..='Z' | '2'..='7' if !padding_started => {
                    // `ch` is ASCII in these ranges, so the cast keeps it whole.
                    symbols.push(ch.to_ascii_uppercase() as u8)?;
                }
                _ => return Err(SecretError::InvalidCharacter { position }),
            }
        }
        let input = symbols.as_slice();
        if input.is_empty() {
            return Err(SecretError::Empty);
        }
        let decoded_len =
            BASE32_LENIENT
                .decode_len(input.len())
                .map_err(|_| SecretError::InvalidLength {
                    symbols: input.len(),
                })?;
        check_len(decoded_len, policy)?;
        let mut secret = Secret {
            bytes: [0; MAX_SECRET_LEN],
            len: decoded_len,
        };
        let out = secret
            .bytes
            .get_mut(..decoded_len)
            .ok_or(SecretError::TooLong { len: decoded_len })?;
        BASE32_LENIENT
            .decode_mut(input, out)
            .map_err(|_| SecretError::InvalidLength {
                symbols: input.len(),
            })?;
        Ok(secret)
    }

    /// A new random secret of `algorithm`'s default length (RFC 4226 §4: the hash's
    /// output size), from the operating system's RNG.
    ///
    /// ```
    /// use otpkit::{Algorithm, Secret};
    /// let s = Secret::generate(Algorithm::Sha1)?;
    /// assert_eq!(s.len(), 20);
    /// # Ok::<(), otpkit::SecretError>(())
    /// ```
    #[cfg(feature = "getrandom")]
    #[cfg_attr(docsrs, doc(cfg(feature = "getrandom")))]
    pub fn generate(algorithm: Algorithm) -> Result<Self, SecretError> {
        Self::generate_len(algorithm.default_secret_len())
    }

    /// A new random secret of `len` bytes (16 to [`MAX_SECRET_LEN`]) from the
    /// operating system's RNG.
    ///
    /// ```
    /// assert_eq!(otpkit::Secret::generate_len(32)?.len(), 32);
    /// # Ok::<(), otpkit::SecretError>(())
    /// ```
    #[cfg(feature = "getrandom")]
    #[cfg_attr(docsrs, doc(cfg(feature = "getrandom")))]
    pub fn generate_len(len: usize) -> Result<Self, SecretError> {
        Self::fill_with(len, |buf| {
            getrandom::fill(buf).map_err(|_| SecretError::RngFailed)
        })
    }

    /// A new random secret of `len` bytes (16 to [`MAX_SECRET_LEN`]) from a
    /// caller-supplied cryptographic RNG, for platforms without an OS RNG.
    ///
    /// ```
    /// # struct Fixed; // a stand-in: use a real CSPRNG
    /// # impl rand_core::TryRng for Fixed { type Error = core::convert::Infallible;
    /// #   fn try_next_u32(&mut self) -> Result<u32, Self::Error> { Ok(7) }
    /// #   fn try_next_u64(&mut self) -> Result<u64, Self::Error> { Ok(7) }
    /// #   fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), Self::Error> { d.fill(7); Ok(()) } }
    /// # impl rand_core::TryCryptoRng for Fixed {}
    /// let mut rng = Fixed;
    /// let s = otpkit::Secret::generate_with_rng(&mut rng, 20)?;
    /// assert_eq!(s.len(), 20);
    /// # Ok::<(), otpkit::SecretError>(())
    /// ```
    pub fn generate_with_rng<R: rand_core::CryptoRng + ?Sized>(
        rng: &mut R,
        len: usize,
    ) -> Result<Self, SecretError> {
        Self::fill_with(len, |buf| {
            rng.fill_bytes(buf);
            Ok(())
        })
    }

    fn fill_with(
        len: usize,
        fill: impl FnOnce(&mut [u8]) -> Result<(), SecretError>,
    ) -> Result<Self, SecretError> {
        check_len(len, LengthPolicy::Rfc4226)?;
        let mut secret = Secret {
            bytes: [0; MAX_SECRET_LEN],
            len,
        };
        fill(
            secret
                .bytes
                .get_mut(..len)
                .ok_or(SecretError::TooLong { len })?,
        )?;
        Ok(secret)
    }

    /// The secret's bytes. Handle with care: this is the key itself.
    ///
    /// ```
    /// let s = otpkit::Secret::from_bytes(b"12345678901234567890")?;
    /// assert_eq!(s.as_bytes().len(), 20);
    /// # Ok::<(), otpkit::SecretError>(())
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        // `len <= MAX_SECRET_LEN` by construction: every constructor checks it
        // (`check_len`) before storing it, and only `Drop` writes it after that. Were
        // that ever broken, an empty slice here would silently become an empty HMAC
        // key, so this slices directly and a broken invariant fails loudly instead.
        #[allow(clippy::indexing_slicing)]
        &self.bytes[..self.len]
    }

    /// Length in bytes.
    ///
    /// ```
    /// assert_eq!(otpkit::Secret::from_bytes(&[1; 16])?.len(), 16);
    /// # Ok::<(), otpkit::SecretError>(())
    /// ```
    #[allow(clippy::len_without_is_empty)] // a Secret is never empty
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the secret is shorter than RFC 4226's 128 bits (only possible with
    /// [`LengthPolicy::AllowShort`]).
    ///
    /// ```
    /// use otpkit::{LengthPolicy, Secret};
    /// assert!(Secret::from_bytes_with(&[1; 10], LengthPolicy::AllowShort)?.is_short());
    /// # Ok::<(), otpkit::SecretError>(())
    /// ```
    pub fn is_short(&self) -> bool {
        self.len < MIN_SECRET_LEN
    }

    /// The canonical Base32 text (uppercase, unpadded), as `otpauth://` URIs carry it.
    /// It displays without allocating.
    ///
    /// ```
    /// let s = otpkit::Secret::from_bytes(b"12345678901234567890")?;
    /// assert_eq!(s.base32().to_string(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    /// # Ok::<(), otpkit::SecretError>(())
    /// ```
    pub fn base32(&self) -> Base32<'_> {
        Base32 {
            secret: self,
            grouped: false,
        }
    }

    /// The Base32 text in groups of four separated by spaces, for typing by hand (the
    /// "secret key" shown beside a QR code). [`Secret::from_base32`] reads it back.
    ///
    /// ```
    /// let s = otpkit::Secret::from_bytes(b"12345678901234567890")?;
    /// assert_eq!(s.base32_grouped().to_string(),
    ///            "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ");
    /// # Ok::<(), otpkit::SecretError>(())
    /// ```
    pub fn base32_grouped(&self) -> Base32<'_> {
        Base32 {
            secret: self,
            grouped: true,
        }
    }
}

fn check_len(len: usize, policy: LengthPolicy) -> Result<(), SecretError> {
    if len == 0 {
        Err(SecretError::Empty)
    } else if len > MAX_SECRET_LEN {
        Err(SecretError::TooLong { len })
    } else if len < policy.min_len() {
        Err(SecretError::TooShort {
            bits: len.saturating_mul(8),
        })
    } else {
        Ok(())
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.bytes.zeroize();
        self.len.zeroize();
    }
}

impl zeroize::ZeroizeOnDrop for Secret {}

impl PartialEq for Secret {
    /// Constant-time in the secret's contents (the lengths are not secret).
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes().ct_eq(other.as_bytes()).into()
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secret")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

/// A secret's Base32 text, written by [`fmt::Display`] without allocating.
/// Made by [`Secret::base32`] and [`Secret::base32_grouped`]; its `Debug` is redacted.
#[derive(Clone, Copy)]
pub struct Base32<'a> {
    secret: &'a Secret,
    grouped: bool,
}

impl fmt::Display for Base32<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let input = self.secret.as_bytes();
        let mut buf = zeroize::Zeroizing::new([0u8; MAX_BASE32_SYMBOLS]);
        let len = data_encoding::BASE32_NOPAD.encode_len(input.len());
        let out = buf.get_mut(..len).ok_or(fmt::Error)?;
        let text = data_encoding::BASE32_NOPAD.encode_mut_str(input, out);
        if !self.grouped {
            return f.write_str(text);
        }
        for (i, group) in text.as_bytes().chunks(4).enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(core::str::from_utf8(group).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Base32<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Base32(<redacted>)")
    }
}

/// Normalised Base32 symbols of one secret, wiped on drop.
struct Base32Buf {
    buf: [u8; MAX_BASE32_SYMBOLS],
    len: usize,
}

impl Base32Buf {
    fn new() -> Self {
        Base32Buf {
            buf: [0; MAX_BASE32_SYMBOLS],
            len: 0,
        }
    }

    fn push(&mut self, symbol: u8) -> Result<(), SecretError> {
        let slot = self.buf.get_mut(self.len).ok_or(SecretError::TooLong {
            // Report the decoded size of what was seen so far plus this symbol.
            len: MAX_SECRET_LEN.saturating_add(1),
        })?;
        *slot = symbol;
        self.len = self.len.saturating_add(1);
        Ok(())
    }

    fn as_slice(&self) -> &[u8] {
        // `len <= buf.len()`: `push` returns an error instead of growing past it.
        // No fallback to an empty slice (that would be a silently empty secret).
        #[allow(clippy::indexing_slicing)]
        &self.buf[..self.len]
    }
}

impl Drop for Base32Buf {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

/// Why a secret was not accepted. Messages never contain secret material.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretError {
    /// The secret has no bytes (or the Base32 text has no symbols).
    Empty,
    /// Shorter than 128 bits; [`LengthPolicy::AllowShort`] accepts it.
    TooShort {
        /// The secret's length in bits.
        bits: usize,
    },
    /// Longer than [`MAX_SECRET_LEN`] bytes.
    TooLong {
        /// The secret's length in bytes (at least [`MAX_SECRET_LEN`] + 1).
        len: usize,
    },
    /// A character that is not Base32, a space, a hyphen or trailing `=`.
    InvalidCharacter {
        /// 1-based position of the character, counted in characters.
        position: usize,
    },
    /// A number of Base32 symbols that no byte string encodes to (1, 3 or 6 mod 8).
    InvalidLength {
        /// How many Base32 symbols there were.
        symbols: usize,
    },
    /// The random number generator failed.
    RngFailed,
}

impl fmt::Display for SecretError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretError::Empty => f.write_str("the secret is empty"),
            SecretError::TooShort { bits } => write!(
                f,
                "the secret is {bits} bits, shorter than the 128 bits RFC 4226 requires; \
                 to accept it anyway use LengthPolicy::AllowShort"
            ),
            SecretError::TooLong { len } => write!(
                f,
                "the secret is {len} bytes, longer than the {MAX_SECRET_LEN}-byte maximum"
            ),
            SecretError::InvalidCharacter { position } => write!(
                f,
                "invalid Base32 character at position {position}: Base32 uses the letters \
                 A-Z and the digits 2-7 (0, 1, 8 and 9 are not Base32)"
            ),
            SecretError::InvalidLength { symbols } => write!(
                f,
                "{symbols} Base32 characters cannot encode whole bytes; a character is \
                 missing or extra"
            ),
            SecretError::RngFailed => f.write_str("the random number generator failed"),
        }
    }
}

impl core::error::Error for SecretError {}

impl SecretError {
    /// The stable [`ErrorCode`](crate::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> crate::ErrorCode {
        use crate::ErrorCode as C;
        match self {
            SecretError::Empty => C::SecretEmpty,
            SecretError::TooShort { .. } => C::SecretTooShort,
            SecretError::TooLong { .. } => C::SecretTooLong,
            SecretError::InvalidCharacter { .. } => C::SecretInvalidCharacter,
            SecretError::InvalidLength { .. } => C::SecretInvalidLength,
            SecretError::RngFailed => C::RngFailed,
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::format;
    use std::string::ToString;

    const RFC: &[u8] = b"12345678901234567890";

    #[test]
    #[should_panic]
    fn a_broken_length_invariant_is_loud_not_an_empty_key() {
        // Impossible through the API; were it ever to happen, `as_bytes` must not
        // quietly hand HMAC an empty key.
        let broken = Secret {
            bytes: [7; MAX_SECRET_LEN],
            len: MAX_SECRET_LEN + 1,
        };
        let _ = broken.as_bytes();
    }

    #[test]
    fn pasted_forms_decode_alike() {
        for text in [
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "gezdgnbvgy3tqojqgezdgnbvgy3tqojq",
            "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ",
            "GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJQ",
            "  GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n",
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ======",
        ] {
            assert_eq!(Secret::from_base32(text).unwrap().as_bytes(), RFC, "{text}");
        }
    }

    #[test]
    fn invalid_character_is_named_never_dropped() {
        let e = Secret::from_base32("GEZDGNBVGY3TQOJ1GEZDGNBVGY3TQOJQ").unwrap_err();
        assert_eq!(e, SecretError::InvalidCharacter { position: 16 });
        // A non-ASCII character counts as one position.
        let e = Secret::from_base32("GEZDÉNBV").unwrap_err();
        assert_eq!(e, SecretError::InvalidCharacter { position: 5 });
    }

    #[test]
    fn padding_only_at_the_end() {
        let e = Secret::from_base32("GEZDGNBV==GY3TQOJQGEZDGNBVGY3TQOJQ").unwrap_err();
        assert_eq!(e, SecretError::InvalidCharacter { position: 11 });
    }

    #[test]
    fn length_policy() {
        assert_eq!(
            Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap_err(),
            SecretError::TooShort { bits: 80 }
        );
        let s = Secret::from_base32_with("JBSWY3DPEHPK3PXP", LengthPolicy::AllowShort).unwrap();
        assert!(s.is_short());
        assert_eq!(Secret::from_base32("").unwrap_err(), SecretError::Empty);
        assert_eq!(
            Secret::from_base32(" - ==").unwrap_err(),
            SecretError::Empty
        );
        assert_eq!(
            Secret::from_bytes_with(&[], LengthPolicy::AllowShort).unwrap_err(),
            SecretError::Empty
        );
        assert_eq!(
            Secret::from_bytes(&[0; 129]).unwrap_err(),
            SecretError::TooLong { len: 129 }
        );
        assert!(Secret::from_bytes(&[0; 128]).is_ok());
        let message = SecretError::TooShort { bits: 80 }.to_string();
        assert!(message.contains("LengthPolicy::AllowShort"), "{message}");
    }

    #[test]
    fn too_long_base32_is_an_error() {
        let long = "A".repeat(MAX_BASE32_SYMBOLS + 8);
        assert!(matches!(
            Secret::from_base32(&long),
            Err(SecretError::TooLong { .. })
        ));
    }

    #[test]
    fn impossible_lengths() {
        for n in [1usize, 3, 6, 9] {
            let text = "A".repeat(n);
            assert_eq!(
                Secret::from_base32_with(&text, LengthPolicy::AllowShort).unwrap_err(),
                SecretError::InvalidLength { symbols: n },
                "{n}"
            );
        }
    }

    #[test]
    fn trailing_bits_are_ignored_like_apps_do() {
        let a = Secret::from_base32_with("JBSWY3DPEHPK3PXP", LengthPolicy::AllowShort).unwrap();
        // 'Q' differs from 'P' only in bits past the 80th; 26 symbols leave 2 spare bits.
        let b = Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGZ").unwrap();
        let c = Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVG3").unwrap();
        assert_eq!(b, c);
        assert_eq!(a.len(), 10);
    }

    #[test]
    fn debug_never_shows_material() {
        let s = Secret::from_bytes(RFC).unwrap();
        let dbg = format!("{s:?} {:?} {:?}", s.base32(), s.base32_grouped());
        assert!(!dbg.contains("GEZD"), "{dbg}");
        assert!(!dbg.contains("49"), "{dbg}");
        assert!(!dbg.contains("12345"), "{dbg}");
    }

    #[test]
    fn equality_is_by_content() {
        let a = Secret::from_bytes(&[1; 20]).unwrap();
        let b = Secret::from_bytes(&[1; 20]).unwrap();
        let c = Secret::from_bytes(&[2; 20]).unwrap();
        let d = Secret::from_bytes(&[1; 21]).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }
}
