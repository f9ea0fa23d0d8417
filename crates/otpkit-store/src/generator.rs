//! What generates a device's codes, as stored in the `params` column.

use std::fmt;
use std::str::FromStr;

use otpkit::verifier::Policy;
use otpkit::{Algorithm, Digits, Hotp, Period, Secret, Totp, Verifier};

/// A device's code generator without its secret: `totp.SHA1.6.30` or `hotp.SHA1.6`.
///
/// ```
/// use otpkit_store::Generator;
/// let g: Generator = "totp.SHA256.8.60".parse()?;
/// assert_eq!(g.to_string(), "totp.SHA256.8.60");
/// assert_eq!(Generator::default().to_string(), "totp.SHA1.6.30");
/// # Ok::<(), otpkit_store::GeneratorError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Generator {
    /// RFC 6238 TOTP.
    Totp {
        /// The HMAC hash.
        algorithm: Algorithm,
        /// Code length.
        digits: Digits,
        /// Step length.
        period: Period,
    },
    /// RFC 4226 HOTP.
    Hotp {
        /// The HMAC hash.
        algorithm: Algorithm,
        /// Code length.
        digits: Digits,
    },
}

impl Default for Generator {
    /// What every authenticator app supports: TOTP, SHA-1, 6 digits, 30 s.
    fn default() -> Self {
        Generator::Totp {
            algorithm: Algorithm::Sha1,
            digits: Digits::SIX,
            period: Period::DEFAULT,
        }
    }
}

impl Generator {
    /// The verifier for `secret` under `policy`.
    pub fn verifier(&self, secret: &Secret, policy: Policy) -> Verifier {
        match *self {
            Generator::Totp {
                algorithm,
                digits,
                period,
            } => Verifier::totp(Totp::new(secret, algorithm, digits, period), policy),
            Generator::Hotp { algorithm, digits } => {
                Verifier::hotp(Hotp::new(secret, algorithm, digits), policy)
            }
        }
    }
}

impl fmt::Display for Generator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Generator::Totp {
                algorithm,
                digits,
                period,
            } => write!(
                f,
                "totp.{}.{}.{}",
                algorithm.name(),
                digits.get(),
                period.seconds()
            ),
            Generator::Hotp { algorithm, digits } => {
                write!(f, "hotp.{}.{}", algorithm.name(), digits.get())
            }
        }
    }
}

/// A `params` column that is not a [`Generator`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GeneratorError;

impl fmt::Display for GeneratorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "not a generator: expected totp.ALGORITHM.DIGITS.PERIOD or hotp.ALGORITHM.DIGITS",
        )
    }
}

impl std::error::Error for GeneratorError {}

impl FromStr for Generator {
    type Err = GeneratorError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split('.');
        let kind = parts.next();
        let algorithm: Algorithm = parts
            .next()
            .ok_or(GeneratorError)?
            .parse()
            .map_err(|_| GeneratorError)?;
        let digits = parts
            .next()
            .and_then(|d| d.parse::<u8>().ok())
            .and_then(|d| Digits::new(d).ok())
            .ok_or(GeneratorError)?;
        let generator = match kind {
            Some("totp") => Generator::Totp {
                algorithm,
                digits,
                period: parts
                    .next()
                    .and_then(|p| p.parse::<u64>().ok())
                    .and_then(|p| Period::new(p).ok())
                    .ok_or(GeneratorError)?,
            },
            Some("hotp") => Generator::Hotp { algorithm, digits },
            _ => return Err(GeneratorError),
        };
        match parts.next() {
            None => Ok(generator),
            Some(_) => Err(GeneratorError),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_junk() {
        for text in ["totp.SHA1.6.30", "totp.SHA512.8.60", "hotp.SHA256.7"] {
            assert_eq!(text.parse::<Generator>().unwrap().to_string(), text);
        }
        for bad in [
            "",
            "totp",
            "totp.SHA1.6",
            "totp.SHA1.6.0",
            "totp.MD5.6.30",
            "totp.SHA1.3.30",
            "hotp.SHA1.6.30",
            "xotp.SHA1.6",
            "totp.SHA1.6.30.",
        ] {
            assert_eq!(bad.parse::<Generator>(), Err(GeneratorError), "{bad:?}");
        }
    }
}
