//! One type for "whatever generator this account uses": TOTP, HOTP or Steam Guard.
//!
//! [`Account::generator`](crate::otpauth::Account::generator) returns a [`Generator`],
//! so the dispatch on the account's kind is written once, here, instead of in every
//! app that shows codes.

use core::fmt;

use crate::motp::{Motp, MotpCode};
use crate::steam::{SteamCode, SteamGuard};
use crate::yandex::{Yandex, YandexCode};
use crate::{Code, Hotp, TimeError, Totp};

/// The generator of one account, whatever its kind.
///
/// ```
/// use otpkit::{Generator, GeneratedCode, Secret, Totp};
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let generator = Generator::Totp(Totp::from_secret(&secret));
/// assert_eq!(generator.code_at(59)?.to_string(), "287082"); // RFC 6238, 6 digits
/// assert_eq!(generator.seconds_left(59)?, Some(1));
/// assert!(matches!(generator.code_at(59)?, GeneratedCode::Digits(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub enum Generator {
    /// RFC 6238 TOTP.
    Totp(Totp),
    /// RFC 4226 HOTP, with the counter of the next code.
    Hotp {
        /// The generator.
        hotp: Hotp,
        /// The counter of the next code.
        counter: u64,
    },
    /// Steam Guard (five characters, 30 seconds).
    Steam(SteamGuard),
    /// Mobile-OTP (six hex digits, 10 seconds).
    Motp(Motp),
    /// Yandex Key (eight letters, 30 seconds).
    Yandex(Yandex),
}

impl Generator {
    /// The code shown at `unix_time` (seconds since the Unix epoch). For HOTP, the code
    /// of the current counter (the time is not used); [`Generator::advance`] moves to
    /// the next one.
    pub fn code_at(&self, unix_time: u64) -> Result<GeneratedCode, TimeError> {
        Ok(match self {
            Generator::Totp(totp) => GeneratedCode::Digits(totp.code_at(unix_time)?),
            Generator::Hotp { hotp, counter } => GeneratedCode::Digits(hotp.code(*counter)),
            Generator::Steam(steam) => GeneratedCode::Steam(steam.code_at(unix_time)?),
            Generator::Motp(motp) => GeneratedCode::Motp(motp.code_at(unix_time)),
            Generator::Yandex(yandex) => GeneratedCode::Yandex(yandex.code_at(unix_time)),
        })
    }

    /// The code shown now, by the system clock.
    #[cfg(feature = "std")]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn code_now(&self) -> Result<GeneratedCode, TimeError> {
        self.code_at(crate::unix_now()?)
    }

    /// Seconds until the code shown at `unix_time` changes, for time-based kinds;
    /// `None` for HOTP, whose code changes when the counter does.
    pub fn seconds_left(&self, unix_time: u64) -> Result<Option<u64>, TimeError> {
        Ok(match self {
            Generator::Totp(totp) => Some(totp.seconds_left(unix_time)?),
            Generator::Hotp { .. } => None,
            Generator::Steam(steam) => Some(steam.seconds_left(unix_time)),
            Generator::Motp(motp) => Some(motp.seconds_left(unix_time)),
            Generator::Yandex(yandex) => Some(yandex.seconds_left(unix_time)),
        })
    }

    /// The HOTP counter of the next code; `None` for time-based kinds.
    pub fn counter(&self) -> Option<u64> {
        match self {
            Generator::Hotp { counter, .. } => Some(*counter),
            Generator::Totp(_)
            | Generator::Steam(_)
            | Generator::Motp(_)
            | Generator::Yandex(_) => None,
        }
    }

    /// Moves an HOTP generator to the next counter (what an app's refresh button does;
    /// saturates at `u64::MAX`). Does nothing for time-based kinds.
    pub fn advance(&mut self) {
        if let Generator::Hotp { counter, .. } = self {
            *counter = counter.saturating_add(1);
        }
    }
}

/// A code from a [`Generator`]: decimal digits, Steam Guard's five characters, mOTP's
/// six hex digits or Yandex Key's eight letters.
///
/// Displays as the code itself; `Debug` is redacted like [`Code`]'s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GeneratedCode {
    /// A TOTP or HOTP code.
    Digits(Code),
    /// A Steam Guard code.
    Steam(SteamCode),
    /// An mOTP code.
    Motp(MotpCode),
    /// A Yandex Key code.
    Yandex(YandexCode),
}

impl fmt::Display for GeneratedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GeneratedCode::Digits(code) => fmt::Display::fmt(code, f),
            GeneratedCode::Steam(code) => fmt::Display::fmt(code, f),
            GeneratedCode::Motp(code) => fmt::Display::fmt(code, f),
            GeneratedCode::Yandex(code) => fmt::Display::fmt(code, f),
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::format;
    use std::string::ToString;

    use super::*;
    use crate::{Algorithm, Digits, Secret};

    fn secret() -> Secret {
        Secret::from_bytes(b"12345678901234567890").unwrap()
    }

    #[test]
    fn each_kind_gives_its_own_code() {
        let totp = Generator::Totp(Totp::from_secret(&secret()));
        assert_eq!(totp.code_at(59).unwrap().to_string(), "287082");
        assert_eq!(totp.seconds_left(59).unwrap(), Some(1));
        assert_eq!(totp.counter(), None);

        // RFC 4226 Appendix D: counter 0 -> 755224, 1 -> 287082.
        let mut hotp = Generator::Hotp {
            hotp: Hotp::new(&secret(), Algorithm::Sha1, Digits::SIX),
            counter: 0,
        };
        assert_eq!(hotp.code_at(1_000).unwrap().to_string(), "755224");
        assert_eq!(hotp.seconds_left(1_000).unwrap(), None);
        hotp.advance();
        assert_eq!(hotp.counter(), Some(1));
        assert_eq!(hotp.code_at(0).unwrap().to_string(), "287082");

        let guard = SteamGuard::new(&secret());
        let steam = Generator::Steam(guard.clone());
        assert_eq!(
            steam.code_at(1_000).unwrap(),
            GeneratedCode::Steam(guard.code_at(1_000).unwrap())
        );
        assert_eq!(steam.seconds_left(59).unwrap(), Some(1));
        let mut still = steam.clone();
        still.advance();
        assert_eq!(still.code_at(1_000).unwrap(), steam.code_at(1_000).unwrap());
    }

    #[test]
    fn hotp_counter_saturates() {
        let mut hotp = Generator::Hotp {
            hotp: Hotp::new(&secret(), Algorithm::Sha1, Digits::SIX),
            counter: u64::MAX,
        };
        hotp.advance();
        assert_eq!(hotp.counter(), Some(u64::MAX));
    }

    #[test]
    fn totp_before_t0_is_an_error() {
        let g = Generator::Totp(Totp::from_secret(&secret()).with_t0(100));
        assert!(g.code_at(99).is_err());
        assert!(g.seconds_left(99).is_err());
    }

    #[test]
    fn debug_shows_no_code() {
        let code = Generator::Totp(Totp::from_secret(&secret()))
            .code_at(59)
            .unwrap();
        assert!(!format!("{code:?}").contains("287082"));
    }
}
