//! Code generators from primitive arguments, and stateless verification whose wrong
//! code is a value (`None`), never an error.

use core::fmt;

use otpkit::steam::SteamGuard;
use otpkit::{Code, Digits, Hotp, Secret, Totp, VerifyError};

use crate::records::CodeMatch;
use crate::{FacadeError, args};

/// A TOTP generator: `algorithm` (default SHA-1), `digits` (default 6), `period` in
/// seconds (default 30), `t0` the Unix time steps count from (default 0).
pub fn totp(
    secret: &Secret,
    algorithm: Option<&str>,
    digits: Option<u8>,
    period: Option<u64>,
    t0: Option<u64>,
) -> Result<Totp, FacadeError> {
    Ok(Totp::new(
        secret,
        args::algorithm(algorithm)?,
        args::digits(digits)?,
        args::period(period)?,
    )
    .with_t0(t0.unwrap_or(0)))
}

/// An HOTP generator: `algorithm` (default SHA-1), `digits` (default 6).
pub fn hotp(
    secret: &Secret,
    algorithm: Option<&str>,
    digits: Option<u8>,
) -> Result<Hotp, FacadeError> {
    Ok(Hotp::new(
        secret,
        args::algorithm(algorithm)?,
        args::digits(digits)?,
    ))
}

/// A code as its zero-padded decimal digits in a buffer on the stack: the text
/// `Code`'s `Display` writes, for a binding to copy into its language's string without
/// the formatting machinery and a heap `String` per code. Its `Debug` is redacted,
/// like `Code`'s.
#[derive(Clone, Copy)]
pub struct CodeDigits {
    ascii: [u8; Digits::MAX as usize],
    len: u8,
}

impl CodeDigits {
    /// The digits, as many as the code has (leading zeros included).
    pub fn as_str(&self) -> &str {
        // `len` is at most `Digits::MAX` and each byte an ASCII digit, so neither
        // `get` nor `from_utf8` can fail; the fallbacks only satisfy the types.
        let ascii = self.ascii.get(..usize::from(self.len)).unwrap_or_default();
        core::str::from_utf8(ascii).unwrap_or_default()
    }
}

impl From<Code> for CodeDigits {
    fn from(code: Code) -> Self {
        let len = code.digits().get();
        let mut ascii = [b'0'; Digits::MAX as usize];
        let mut value = code.value();
        for byte in ascii.iter_mut().take(usize::from(len)).rev() {
            // `value % 10` is below 10, so the `|` adds it to b'0' (0x30).
            #[allow(clippy::cast_possible_truncation)]
            let digit = (value % 10) as u8;
            *byte = b'0' | digit;
            value /= 10;
        }
        CodeDigits { ascii, len }
    }
}

impl fmt::Debug for CodeDigits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeDigits")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

/// A wrong or malformed typed code is no match; anything else is an error.
fn no_match(e: VerifyError) -> Result<Option<CodeMatch>, FacadeError> {
    if matches!(e, VerifyError::Mismatch | VerifyError::Malformed(_)) {
        Ok(None)
    } else {
        Err(e.into())
    }
}

fn found(m: otpkit::Match) -> Option<CodeMatch> {
    Some(CodeMatch {
        step: m.step,
        offset: m.offset,
    })
}

/// Checks a typed code against the steps from `behind` before to `ahead` after the
/// step of `at` (default 1 each), in constant time. Stateless: no replay protection.
pub fn totp_verify(
    totp: &Totp,
    code: &str,
    at: u64,
    behind: Option<u32>,
    ahead: Option<u32>,
) -> Result<Option<CodeMatch>, FacadeError> {
    let window = args::window(behind, ahead)?;
    totp.verify(code, at, window)
        .map_or_else(no_match, |m| Ok(found(m)))
}

/// Checks a typed code against counters `counter` to `counter + look_ahead`
/// (default 0).
pub fn hotp_verify(
    hotp: &Hotp,
    code: &str,
    counter: u64,
    look_ahead: Option<u32>,
) -> Result<Option<CodeMatch>, FacadeError> {
    hotp.verify(code, counter, look_ahead.unwrap_or(0))
        .map_or_else(no_match, |m| Ok(found(m)))
}

/// Checks a typed Steam code (any case) around the step of `at`.
pub fn steam_verify(
    steam: &SteamGuard,
    code: &str,
    at: u64,
    behind: Option<u32>,
    ahead: Option<u32>,
) -> Result<Option<CodeMatch>, FacadeError> {
    let window = args::window(behind, ahead)?;
    steam
        .verify(code, at, window)
        .map_or_else(no_match, |m| Ok(found(m)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use otpkit::ErrorCode;

    fn rfc() -> Secret {
        args::secret_bytes(b"12345678901234567890", false).unwrap()
    }

    #[test]
    fn code_digits_are_the_zero_padded_text_of_the_code() {
        for (text, digits) in [
            ("000000", Digits::SIX),
            ("000042", Digits::SIX),
            ("287082", Digits::SIX),
            ("999999", Digits::SIX),
            ("0000000", Digits::new(7).unwrap()),
            ("00000001", Digits::EIGHT),
            ("94287082", Digits::EIGHT),
            ("0123456789", Digits::new(10).unwrap()),
            ("9999999999", Digits::new(10).unwrap()),
        ] {
            let code = Code::parse(text, digits).unwrap();
            assert_eq!(CodeDigits::from(code).as_str(), text);
            assert_eq!(CodeDigits::from(code).as_str(), code.to_string());
        }
        // Every code of a generator, as the core's `Display` writes it.
        let t = totp(&rfc(), None, Some(8), None, None).unwrap();
        for step in 0..2000 {
            let code = t.code_at_step(step);
            assert_eq!(CodeDigits::from(code).as_str(), code.to_string());
        }
        let code = Code::parse("012345", Digits::SIX).unwrap();
        assert_eq!(
            format!("{:?}", CodeDigits::from(code)),
            "CodeDigits { len: 6, .. }"
        );
    }

    #[test]
    fn a_wrong_or_malformed_code_is_no_match_and_a_bad_window_an_error() {
        let t = totp(&rfc(), None, Some(8), None, None).unwrap();
        assert_eq!(
            totp_verify(&t, "94287082", 59, None, None).unwrap(),
            Some(CodeMatch { step: 1, offset: 0 })
        );
        assert_eq!(totp_verify(&t, "94287083", 59, None, None).unwrap(), None);
        assert_eq!(totp_verify(&t, "9428x082", 59, None, None).unwrap(), None);
        let e = totp_verify(&t, "94287082", 59, Some(121), None).unwrap_err();
        assert_eq!(e.reason, ErrorCode::WindowTooLarge);
        let h = hotp(&rfc(), None, None).unwrap();
        assert_eq!(
            hotp_verify(&h, "520489", 5, Some(4)).unwrap(),
            Some(CodeMatch { step: 9, offset: 4 })
        );
        assert_eq!(hotp_verify(&h, "520489", 5, Some(3)).unwrap(), None);
        let before = totp(&rfc(), None, None, None, Some(100)).unwrap();
        let clock = totp_verify(&before, "123456", 99, None, None).unwrap_err();
        assert_eq!(clock.reason, ErrorCode::BeforeEpoch);
    }
}
