//! Steam Guard: Valve's TOTP variant with five-character codes.
//!
//! Steam computes an ordinary RFC 6238 TOTP step (HMAC-SHA1, 30-second period, T0 = 0)
//! and RFC 4226 dynamic truncation, but instead of reducing the 31-bit number modulo
//! 10^digits it spells it in base 26 over the alphabet [`STEAM_ALPHABET`], least
//! significant character first, five characters long.
//!
//! Secrets reach authenticator apps as `steam://SECRET` (Base32) or as an
//! `otpauth://` URI with `issuer=Steam` or `encoder=steam` (which the `alloc`
//! feature's `otpauth` module reads as `Kind::Steam`).
//!
//! Nothing here allocates, so Steam codes work without an allocator too.
//!
//! ```
//! use otpkit::steam::{SteamGuard, parse_steam_uri};
//! let secret = parse_steam_uri("steam://GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")?;
//! let guard = SteamGuard::new(&secret);
//! let code = guard.code_at(1_700_000_000)?;
//! assert_eq!(code.as_str().len(), 5);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use crate::keyed::KeyedHmac;
use crate::truncate::Form;
use crate::verify::{self, Match, Typed, VerifyError, Window};
use crate::{Algorithm, LengthPolicy, Secret, SecretError, TimeError};

/// The 26 characters of a Steam Guard code: digits and consonants chosen so that no
/// two are easily confused (no 0/O, 1/I, A, E, L, S, U, Z).
pub const STEAM_ALPHABET: &[u8; 26] = b"23456789BCDFGHJKMNPQRTVWXY";

/// The length of a Steam Guard code.
pub const STEAM_CODE_LEN: usize = 5;

/// Steam's fixed time step, in seconds.
pub const STEAM_PERIOD: u64 = 30;

/// A Steam Guard generator for one shared secret.
///
/// The secret is absorbed into the HMAC-SHA1 state once, here (the same keyed path
/// [`Hotp`](crate::Hotp) uses); each code costs two compressions and no allocation.
#[derive(Clone)]
pub struct SteamGuard {
    mac: KeyedHmac,
}

impl SteamGuard {
    /// A generator for `secret` (the `shared_secret` of a Steam mobile authenticator).
    pub fn new(secret: &Secret) -> Self {
        SteamGuard {
            mac: KeyedHmac::new(Algorithm::Sha1, secret),
        }
    }

    /// The code shown at `unix` (seconds since the Unix epoch).
    ///
    /// Every `u64` time has a step, so this does not fail today; the `Result` keeps the
    /// signature in line with [`Totp::code_at`](crate::Totp::code_at).
    pub fn code_at(&self, unix: u64) -> Result<SteamCode, TimeError> {
        Ok(self.code_at_step(unix / STEAM_PERIOD))
    }

    /// The code of time step `step` (`unix / 30`).
    pub fn code_at_step(&self, step: u64) -> SteamCode {
        SteamCode::from_truncated(self.mac.truncated(step))
    }

    /// The code shown now, by the system clock.
    #[cfg(feature = "std")]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn code_now(&self) -> Result<SteamCode, TimeError> {
        self.code_at(crate::unix_now()?)
    }

    /// Seconds until the code shown at `unix` changes (1 to 30).
    ///
    /// ```
    /// # let s = otpkit::Secret::from_bytes(&[1; 20])?;
    /// let guard = otpkit::steam::SteamGuard::new(&s);
    /// assert_eq!(guard.seconds_left(59), 1);
    /// # Ok::<(), otpkit::SecretError>(())
    /// ```
    pub fn seconds_left(&self, unix: u64) -> u64 {
        STEAM_PERIOD.saturating_sub(unix % STEAM_PERIOD)
    }

    /// Verifies a typed code at `unix` against every step of `window` (at most
    /// [`Window::MAX_STEPS_PER_SIDE`] either side), comparing each candidate in
    /// constant time. Case-insensitive, surrounding whitespace ignored.
    /// The caller must store `m.step` and reject later codes whose step is not greater.
    ///
    /// ```
    /// use otpkit::{Secret, Window};
    /// # let s = Secret::from_bytes(&[1; 20])?;
    /// let guard = otpkit::steam::SteamGuard::new(&s);
    /// let shown = guard.code_at(1_000)?;
    /// let m = guard.verify(&shown.as_str().to_ascii_lowercase(), 1_030, Window::default())?;
    /// assert_eq!(m.offset, -1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify(&self, code: &str, unix: u64, window: Window) -> Result<Match, VerifyError> {
        let expected = unix / STEAM_PERIOD;
        let (first, last) = window.range(expected);
        verify::scan(&self.mac, Form::Steam, typed(code), first, last)
            .map(|step| Match::new(step, expected))
            .ok_or(VerifyError::Mismatch)
    }
}

/// A typed Steam code as the scan compares it: the number its five characters spell
/// in base 26 (least significant first, as [`SteamCode`] writes them), and whether
/// it is five characters of the alphabet in any case, surrounding whitespace
/// ignored. Each character is looked up against the whole alphabet, so even the
/// typed text's own characters do not steer a branch or an index.
fn typed(code: &str) -> Typed {
    let text = code.trim();
    let mut well_formed = Choice::from(u8::from(text.len() == STEAM_CODE_LEN));
    let mut value: u64 = 0;
    let mut weight: u64 = 1;
    for byte in text.bytes().take(STEAM_CODE_LEN) {
        let upper = byte.to_ascii_uppercase();
        let mut index: u64 = 0;
        let mut known = Choice::from(0);
        for (i, letter) in (0u64..).zip(STEAM_ALPHABET) {
            let hit = upper.ct_eq(letter);
            index.conditional_assign(&i, hit);
            known |= hit;
        }
        well_formed &= known;
        // At most 25 · 26^4 + … < 26^5: no overflow.
        value = value.wrapping_add(index.wrapping_mul(weight));
        weight = weight.wrapping_mul(26);
    }
    Typed::new(value, well_formed)
}

impl fmt::Debug for SteamGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SteamGuard").finish_non_exhaustive()
    }
}

/// A five-character Steam Guard code. Displays as the code; its `Debug` is redacted
/// (a code is a live credential for its period); compares in constant time.
#[derive(Clone, Copy)]
pub struct SteamCode {
    chars: [u8; STEAM_CODE_LEN],
}

impl SteamCode {
    /// Spells the 31-bit truncated HMAC in base 26 over [`STEAM_ALPHABET`], least
    /// significant character first.
    fn from_truncated(mut full: u32) -> Self {
        let mut chars = [0u8; STEAM_CODE_LEN];
        const RADIX: u32 = 26; // STEAM_ALPHABET.len()
        for slot in chars.iter_mut() {
            let index = usize::try_from(full % RADIX).unwrap_or(0);
            *slot = STEAM_ALPHABET.get(index).copied().unwrap_or(b'2');
            full /= RADIX;
        }
        SteamCode { chars }
    }

    /// The code as text, e.g. `"BJ3MJ"`.
    pub fn as_str(&self) -> &str {
        // Every byte comes from STEAM_ALPHABET, which is ASCII.
        core::str::from_utf8(&self.chars).unwrap_or("")
    }
}

impl fmt::Display for SteamCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for SteamCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SteamCode(..)")
    }
}

impl PartialEq for SteamCode {
    fn eq(&self, other: &Self) -> bool {
        self.chars.ct_eq(&other.chars).into()
    }
}

impl Eq for SteamCode {}

/// Reads `steam://SECRET`, where SECRET is Base32 (as WinAuth and Aegis write it).
/// The scheme is case-insensitive; the secret is read like [`Secret::from_base32`]
/// (any case, spaces, padding) but may be short: Steam secrets are 160 bits, so a
/// shorter one is accepted rather than second-guessed.
///
/// ```
/// use otpkit::steam::{parse_steam_uri, SteamUriError};
/// assert_eq!(parse_steam_uri("STEAM://gezdgnbvgy3tqojq")?.len(), 10);
/// assert_eq!(parse_steam_uri("otpauth://x").unwrap_err(), SteamUriError::NotSteamUri);
/// # Ok::<(), SteamUriError>(())
/// ```
pub fn parse_steam_uri(s: &str) -> Result<Secret, SteamUriError> {
    const SCHEME: &str = "steam://";
    if s.len() > MAX_STEAM_URI_LEN {
        return Err(SteamUriError::TooLong { len: s.len() });
    }
    let rest = match (s.get(..SCHEME.len()), s.get(SCHEME.len()..)) {
        (Some(scheme), Some(rest)) if scheme.eq_ignore_ascii_case(SCHEME) => rest,
        _ => return Err(SteamUriError::NotSteamUri),
    };
    Secret::from_base32_with(rest, LengthPolicy::AllowShort).map_err(SteamUriError::Secret)
}

/// The longest `steam://` URI [`parse_steam_uri`] reads, in bytes.
pub const MAX_STEAM_URI_LEN: usize = 1024;

/// Why a `steam://` URI was not accepted. Messages never contain secret material.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SteamUriError {
    /// The text does not start with `steam://`.
    NotSteamUri,
    /// Longer than [`MAX_STEAM_URI_LEN`].
    TooLong {
        /// The input's length in bytes.
        len: usize,
    },
    /// The secret is not valid Base32.
    Secret(SecretError),
}

impl fmt::Display for SteamUriError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SteamUriError::NotSteamUri => f.write_str("not a steam:// URI"),
            SteamUriError::TooLong { len } => write!(
                f,
                "the steam:// URI is {len} bytes, longer than the {MAX_STEAM_URI_LEN}-byte limit"
            ),
            SteamUriError::Secret(e) => write!(f, "bad secret in steam:// URI: {e}"),
        }
    }
}

impl core::error::Error for SteamUriError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            SteamUriError::Secret(e) => Some(e),
            SteamUriError::NotSteamUri | SteamUriError::TooLong { .. } => None,
        }
    }
}

impl SteamUriError {
    /// The stable [`ErrorCode`](crate::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> crate::ErrorCode {
        match self {
            SteamUriError::NotSteamUri => crate::ErrorCode::NotSteamUri,
            SteamUriError::TooLong { .. } => crate::ErrorCode::UriTooLong,
            SteamUriError::Secret(e) => e.code(),
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::ToString;

    fn guard() -> SteamGuard {
        SteamGuard::new(&Secret::from_bytes(b"12345678901234567890").unwrap())
    }

    /// The step-by-step definition: the latest step whose code, as text, equals the
    /// trimmed, upper-cased typed text.
    fn reference(guard: &SteamGuard, code: &str, first: u64, last: u64) -> Option<u64> {
        let typed = code.trim().to_ascii_uppercase();
        (first..=last)
            .rev()
            .find(|step| guard.code_at_step(*step).as_str() == typed)
    }

    #[test]
    fn a_typed_code_stands_for_its_step_number_modulo_26_to_the_fifth() {
        let guard = guard();
        for step in [0, 1, 56_666_666, u64::MAX] {
            let shown = guard.code_at_step(step);
            let typed = typed(shown.as_str());
            assert!(bool::from(typed.well_formed));
            assert_eq!(typed.value, Form::Steam.reduce(guard.mac.truncated(step)));
        }
    }

    #[test]
    fn verify_agrees_with_the_step_by_step_definition() {
        let guard = guard();
        let expected = 56_666_666;
        let window = Window::new(2, 1).unwrap();
        let (first, last) = window.range(expected);
        for step in first.saturating_sub(1)..=last.saturating_add(1) {
            let shown = guard.code_at_step(step);
            let lower = shown.as_str().to_ascii_lowercase();
            let spaced = [" ", shown.as_str(), "\t"].concat();
            for text in [shown.as_str(), lower.as_str(), spaced.as_str()] {
                let got = guard.verify(text, expected * STEAM_PERIOD, window);
                let want = reference(&guard, text, first, last);
                assert_eq!(got.ok().map(|m| m.step), want, "{text:?} of step {step}");
            }
        }
    }

    #[test]
    fn text_of_another_form_never_matches() {
        let guard = guard();
        let shown = guard.code_at_step(1_000).to_string();
        let window = Window::symmetric(3).unwrap();
        let at = 1_000 * STEAM_PERIOD;
        assert!(guard.verify(&shown, at, window).is_ok());
        // Too short, too long, a letter outside the alphabet, a non-ASCII letter.
        let short = &shown[..4];
        let long = [shown.as_str(), "2"].concat();
        let outside = ["A", &shown[1..]].concat();
        let wide = ["Ä", &shown[2..]].concat();
        for text in [
            short,
            long.as_str(),
            outside.as_str(),
            wide.as_str(),
            "",
            "22222",
        ] {
            assert_eq!(
                guard.verify(text, at, window).ok().map(|m| m.step),
                reference(&guard, text, 997, 1_003),
                "{text:?}"
            );
        }
        assert_eq!(guard.verify(short, at, window), Err(VerifyError::Mismatch));
        assert_eq!(
            guard.verify(&outside, at, window),
            Err(VerifyError::Mismatch)
        );
    }
}
