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

/// A code's zero-padded decimal digits as ASCII, on the stack: the text `Code`'s
/// `Display` writes, for a binding to build its own string from a few bytes without
/// the formatting machinery or a heap allocation (a wasm call returning a code spends
/// more on those than on the conversion to a JS string). Its `Debug` is redacted, as
/// `Code`'s is.
#[derive(Clone, Copy)]
pub struct CodeText {
    bytes: [u8; Digits::MAX as usize],
    len: usize,
}

impl CodeText {
    /// The digits, `code.digits()` of them, most significant first.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }
}

impl fmt::Debug for CodeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeText")
            .field("digits", &self.len)
            .finish_non_exhaustive()
    }
}

/// The zero-padded digits of `code`, as its `Display` writes them.
pub fn code_text(code: &Code) -> CodeText {
    let len = usize::from(code.digits().get()).min(usize::from(Digits::MAX));
    let mut bytes = [b'0'; Digits::MAX as usize];
    let mut value = code.value();
    for slot in bytes.iter_mut().take(len).rev() {
        // A decimal digit (0-9) in the low bits of b'0' (0x30) is its ASCII character.
        *slot = b'0' | (value % 10) as u8;
        value /= 10;
    }
    CodeText { bytes, len }
}

#[cfg(test)]
mod tests {
    use super::*;
    use otpkit::ErrorCode;

    fn rfc() -> Secret {
        args::secret_bytes(b"12345678901234567890", false).unwrap()
    }

    #[test]
    fn code_text_is_the_zero_padded_display_for_every_digit_count() {
        for typed in [
            "000000",
            "000042",
            "123456",
            "999999",
            "0000000",
            "0012345",
            "00000000",
            "94287082",
            "000000001",
            "999999999",
            "0000000000",
            "0123456789",
            "9999999999",
        ] {
            let digits = Digits::new(u8::try_from(typed.len()).unwrap()).unwrap();
            let code = Code::parse(typed, digits).unwrap();
            assert_eq!(code_text(&code).as_bytes(), code.to_string().as_bytes());
            assert_eq!(code_text(&code).as_bytes(), typed.as_bytes());
        }
        let t = totp(&rfc(), None, Some(8), None, None).unwrap();
        let code = t.code_at(59).unwrap();
        assert_eq!(code_text(&code).as_bytes(), b"94287082");
        assert_eq!(
            format!("{:?}", code_text(&code)),
            "CodeText { digits: 8, .. }"
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
