//! A device's parameters (`DeviceParams`), as stored in the `params` column: what
//! its codes are made with, without the secret.

use std::fmt;
use std::str::FromStr;

use otpkit::verifier::Policy;
use otpkit::{Account, Algorithm, Digits, Hotp, Kind, Period, Secret, Totp, Verifier};

/// How a device makes its codes, without its secret: `totp.SHA1.6.30` or
/// `hotp.SHA1.6`. Made from the [`Account`] whose URI the user scans, so the
/// parameters shown and the parameters verified cannot drift apart.
///
/// ```
/// use otpkit::{Account, Algorithm, Secret};
/// use otpkit_store::DeviceParams;
/// let g: DeviceParams = "totp.SHA256.8.60".parse()?;
/// assert_eq!(g.to_string(), "totp.SHA256.8.60");
/// assert_eq!(DeviceParams::default().to_string(), "totp.SHA1.6.30");
///
/// let mut account = Account::totp_with_secret("Example", "alice", Secret::generate(Algorithm::Sha256)?);
/// account.algorithm = Algorithm::Sha256;
/// // The URI shown as a QR code and the parameters stored come from one account.
/// assert!(account.to_uri().contains("&algorithm=SHA256"));
/// assert_eq!(DeviceParams::try_from(&account)?.to_string(), "totp.SHA256.6.30");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceParams {
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

impl Default for DeviceParams {
    /// What every authenticator app supports: TOTP, SHA-1, 6 digits, 30 s.
    fn default() -> Self {
        DeviceParams::Totp {
            algorithm: Algorithm::Sha1,
            digits: Digits::SIX,
            period: Period::DEFAULT,
        }
    }
}

impl DeviceParams {
    /// The verifier for `secret` under `policy`.
    pub fn verifier(&self, secret: &Secret, policy: Policy) -> Verifier {
        match *self {
            DeviceParams::Totp {
                algorithm,
                digits,
                period,
            } => Verifier::totp(Totp::new(secret, algorithm, digits, period), policy),
            DeviceParams::Hotp { algorithm, digits } => {
                Verifier::hotp(Hotp::new(secret, algorithm, digits), policy)
            }
        }
    }
}

impl TryFrom<&Account> for DeviceParams {
    type Error = SteamAccount;

    /// The parameters of `account`: its kind, algorithm, digits and period. A Steam
    /// Guard account has none a server verifies (Steam's codes are Valve's).
    fn try_from(account: &Account) -> Result<Self, Self::Error> {
        match account.kind {
            Kind::Totp { period } => Ok(DeviceParams::Totp {
                algorithm: account.algorithm,
                digits: account.digits,
                period,
            }),
            Kind::Hotp { .. } => Ok(DeviceParams::Hotp {
                algorithm: account.algorithm,
                digits: account.digits,
            }),
            // mOTP and Yandex Key codes are checked by their own services' servers
            // too; this store verifies RFC 4226/6238 devices only.
            Kind::Steam | Kind::Motp | Kind::Yandex => Err(SteamAccount),
        }
    }
}

/// A Steam Guard (or mOTP, or Yandex Key) account given as a device to verify: only
/// Valve's (or the issuer's own) servers check those codes. The name predates the
/// other two kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SteamAccount;

impl fmt::Display for SteamAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a Steam Guard, mOTP or Yandex Key account is not a device this server can verify",
        )
    }
}

impl std::error::Error for SteamAccount {}

impl fmt::Display for DeviceParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceParams::Totp {
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
            DeviceParams::Hotp { algorithm, digits } => {
                write!(f, "hotp.{}.{}", algorithm.name(), digits.get())
            }
        }
    }
}

/// Which device parameters a server accepts when a device is added (NIST SP
/// 800-63B asks verifiers to accept only approved algorithms; a server may also
/// insist on 6 digits and 30 s so every app works). Checked when a device is
/// added, never afterwards: each device keeps the parameters it was added with.
///
/// ```
/// use otpkit::{Algorithm, Digits, Period};
/// use otpkit_store::{AllowedParams, DeviceParams};
/// let allowed = AllowedParams::totp_only(&[Algorithm::Sha1, Algorithm::Sha256], &[Digits::SIX], &[Period::DEFAULT]);
/// assert!(allowed.allows(&DeviceParams::default()));
/// assert!(!allowed.allows(&"totp.SHA512.6.30".parse()?));
/// assert!(!allowed.allows(&"hotp.SHA1.6".parse()?));
/// assert!(AllowedParams::default().allows(&"hotp.SHA512.8".parse()?));
/// # Ok::<(), otpkit_store::ParamsError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct AllowedParams {
    /// `None`: any.
    algorithms: Option<Vec<Algorithm>>,
    digits: Option<Vec<Digits>>,
    periods: Option<Vec<Period>>,
    no_hotp: bool,
}

impl AllowedParams {
    /// TOTP only, with one of these algorithms, digit counts and periods.
    pub fn totp_only(algorithms: &[Algorithm], digits: &[Digits], periods: &[Period]) -> Self {
        AllowedParams {
            algorithms: Some(algorithms.to_vec()),
            digits: Some(digits.to_vec()),
            periods: Some(periods.to_vec()),
            no_hotp: true,
        }
    }

    /// TOTP and HOTP, with one of these algorithms and digit counts (any period).
    pub fn any_kind(algorithms: &[Algorithm], digits: &[Digits]) -> Self {
        AllowedParams {
            algorithms: Some(algorithms.to_vec()),
            digits: Some(digits.to_vec()),
            periods: None,
            no_hotp: false,
        }
    }

    /// Whether a device with `params` may be added.
    pub fn allows(&self, params: &DeviceParams) -> bool {
        self.refused(params).is_none()
    }

    /// The first setting of `params` not allowed, and its value.
    pub(crate) fn refused(&self, params: &DeviceParams) -> Option<(&'static str, String)> {
        let (algorithm, digits, period) = match *params {
            DeviceParams::Totp {
                algorithm,
                digits,
                period,
            } => (algorithm, digits, Some(period)),
            DeviceParams::Hotp { algorithm, digits } => {
                if self.no_hotp {
                    return Some(("kind", "hotp".to_owned()));
                }
                (algorithm, digits, None)
            }
        };
        if !allowed(&self.algorithms, &algorithm) {
            return Some(("algorithm", algorithm.name().to_owned()));
        }
        if !allowed(&self.digits, &digits) {
            return Some(("digits", digits.get().to_string()));
        }
        match period {
            Some(period) if !allowed(&self.periods, &period) => {
                Some(("period", period.seconds().to_string()))
            }
            Some(_) | None => None,
        }
    }

    /// `Err(NotAllowed)` naming the first setting refused.
    pub(crate) fn check(&self, params: &DeviceParams) -> Result<(), crate::ServiceError> {
        match self.refused(params) {
            None => Ok(()),
            Some((setting, value)) => Err(crate::ServiceError::NotAllowed { setting, value }),
        }
    }
}

/// Whether `value` is in `list` (`None`: any value).
fn allowed<T: PartialEq>(list: &Option<Vec<T>>, value: &T) -> bool {
    list.as_ref().is_none_or(|l| l.contains(value))
}

/// A `params` column that is not a [`DeviceParams`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamsError;

impl fmt::Display for ParamsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "not a generator: expected totp.ALGORITHM.DIGITS.PERIOD or hotp.ALGORITHM.DIGITS",
        )
    }
}

impl std::error::Error for ParamsError {}

impl FromStr for DeviceParams {
    type Err = ParamsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split('.');
        let kind = parts.next();
        let algorithm: Algorithm = parts
            .next()
            .ok_or(ParamsError)?
            .parse()
            .map_err(|_| ParamsError)?;
        let digits = parts
            .next()
            .and_then(|d| d.parse::<u8>().ok())
            .and_then(|d| Digits::new(d).ok())
            .ok_or(ParamsError)?;
        let generator = match kind {
            Some("totp") => DeviceParams::Totp {
                algorithm,
                digits,
                period: parts
                    .next()
                    .and_then(|p| p.parse::<u64>().ok())
                    .and_then(|p| Period::new(p).ok())
                    .ok_or(ParamsError)?,
            },
            Some("hotp") => DeviceParams::Hotp { algorithm, digits },
            _ => return Err(ParamsError),
        };
        match parts.next() {
            None => Ok(generator),
            Some(_) => Err(ParamsError),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_accounts_parameters_are_kept_and_a_steam_account_is_refused() {
        let secret = || Secret::from_bytes(b"12345678901234567890").unwrap();
        let mut totp = Account::totp_with_secret("Ex", "a", secret());
        totp.algorithm = Algorithm::Sha512;
        totp.digits = Digits::new(8).unwrap();
        totp.kind = Kind::Totp {
            period: Period::new(60).unwrap(),
        };
        assert_eq!(
            DeviceParams::try_from(&totp).unwrap().to_string(),
            "totp.SHA512.8.60"
        );
        let mut hotp = Account::totp_with_secret("Ex", "a", secret());
        hotp.algorithm = Algorithm::Sha256;
        hotp.kind = Kind::Hotp { counter: 5 };
        assert_eq!(
            DeviceParams::try_from(&hotp).unwrap().to_string(),
            "hotp.SHA256.6"
        );
        let mut steam = Account::totp_with_secret("Steam", "a", secret());
        steam.kind = Kind::Steam;
        assert_eq!(DeviceParams::try_from(&steam), Err(SteamAccount));
    }

    #[test]
    fn round_trips_and_refuses_junk() {
        for text in ["totp.SHA1.6.30", "totp.SHA512.8.60", "hotp.SHA256.7"] {
            assert_eq!(text.parse::<DeviceParams>().unwrap().to_string(), text);
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
            assert_eq!(bad.parse::<DeviceParams>(), Err(ParamsError), "{bad:?}");
        }
    }
}
