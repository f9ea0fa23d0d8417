//! Code generators from primitive arguments, and stateless verification whose wrong
//! code is a value (`None`), never an error.

use otpkit::steam::SteamGuard;
use otpkit::{Hotp, Secret, Totp, VerifyError};

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

#[cfg(test)]
mod tests {
    use super::*;
    use otpkit::ErrorCode;

    fn rfc() -> Secret {
        args::secret_bytes(b"12345678901234567890", false).unwrap()
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
