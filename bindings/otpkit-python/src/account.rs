//! `Account` (what an `otpauth://` URI describes), `parse_uri` and `UriWarning`.

use otpkit::motp::MOTP_PERIOD;
use otpkit::otpauth::{self, Kind};
use otpkit::steam::STEAM_PERIOD;
use otpkit::yandex::YANDEX_PERIOD;
use otpkit_facade::args as fa;
use otpkit_facade::records::{AccountKind, WarningRecord};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::args;
use crate::errors::{about, bad_value};
use crate::keys;
use crate::otp::{Hotp, SteamGuard, Totp};
use crate::repr;

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Account>()?;
    m.add_class::<UriWarning>()?;
    m.add_function(wrap_pyfunction!(parse_uri, m)?)?;
    Ok(())
}

/// Something `parse_uri` (or an import) normalised or found doubtful; the account
/// is still usable.
#[pyclass(frozen, eq, module = "otpkit")]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct UriWarning {
    /// The stable code in upper case (`SECRET_LOWERCASE`), as every language has it.
    #[pyo3(get)]
    code: &'static str,
    /// The code in lower case: `secret_lowercase`, `secret_padded`, `secret_spaced`,
    /// `short_secret`, `issuer_conflict`, `empty_issuer_parameter`,
    /// `algorithm_ignored_by_apps`, `digits_ignored_by_apps`,
    /// `period_ignored_by_apps`, `ignored_parameter`, …
    #[pyo3(get)]
    kind: String,
    /// The warning in words, for people.
    #[pyo3(get)]
    message: String,
}

#[pymethods]
impl UriWarning {
    fn __repr__(&self) -> String {
        format!(
            "UriWarning(kind='{}', message={})",
            self.kind,
            repr::quote(&self.message)
        )
    }

    fn __str__(&self) -> String {
        self.message.clone()
    }
}

impl From<WarningRecord> for UriWarning {
    fn from(w: WarningRecord) -> Self {
        UriWarning {
            code: w.code,
            kind: w.code.to_ascii_lowercase(),
            message: w.message,
        }
    }
}

/// One OTP account: issuer, name, secret and parameters, as an `otpauth://` URI
/// carries them.
///
/// `Account("alice@example.com", issuer="Example")` makes a new TOTP enrolment with
/// a fresh 160-bit secret and the defaults every app reads (SHA-1, 6 digits, 30 s).
/// `repr()` never shows the secret; `.secret` gives it as Base32, to show the user.
#[pyclass(frozen, module = "otpkit")]
#[derive(Clone)]
pub(crate) struct Account {
    pub(crate) account: otpauth::Account,
    kind: AccountKind,
    warnings: Vec<UriWarning>,
}

impl Account {
    /// The Python account of a core account, with the warnings found reading it.
    pub(crate) fn from_core(account: otpauth::Account, warnings: Vec<WarningRecord>) -> Self {
        Account {
            kind: AccountKind::of(account.kind),
            account,
            warnings: warnings.into_iter().map(UriWarning::from).collect(),
        }
    }
}

#[pymethods]
impl Account {
    #[new]
    #[pyo3(signature = (name, secret = None, *, issuer = None, kind = "totp", algorithm = "sha1",
                        digits = 6, period = 30, counter = 0))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        name: String,
        secret: Option<&Bound<'_, PyAny>>,
        issuer: Option<String>,
        kind: &str,
        algorithm: &str,
        digits: i64,
        period: i64,
        counter: i64,
    ) -> PyResult<Self> {
        let secret = match secret {
            Some(s) => args::secret("secret", s, true)?,
            None => fa::secret_generate(None).map_err(about("secret"))?,
        };
        let kind = match kind.to_ascii_lowercase().as_str() {
            "totp" => Kind::Totp {
                period: fa::period(Some(args::int("period", period)?)).map_err(about("period"))?,
            },
            "hotp" => Kind::Hotp {
                counter: args::int("counter", counter)?,
            },
            "steam" => Kind::Steam,
            _ => {
                return Err(bad_value(
                    "kind",
                    format!(
                        "expected 'totp', 'hotp' or 'steam', got {}",
                        repr::quote(kind)
                    ),
                ));
            }
        };
        let account = otpauth::Account {
            issuer: issuer.filter(|i| !i.is_empty()),
            name,
            secret,
            algorithm: fa::algorithm(Some(algorithm)).map_err(about("algorithm"))?,
            digits: fa::digits(Some(args::int("digits", digits)?)).map_err(about("digits"))?,
            kind,
            pin: None,
            extra: Vec::new(),
        };
        Ok(Account::from_core(account, Vec::new()))
    }

    /// The service, or None.
    #[getter]
    fn issuer(&self) -> Option<&str> {
        self.account.issuer.as_deref().filter(|i| !i.is_empty())
    }

    /// The account name (user name or e-mail address).
    #[getter]
    fn name(&self) -> &str {
        &self.account.name
    }

    /// The secret as Base32 text without padding, to show the user beside the QR code.
    #[getter]
    fn secret<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        PyString::new(py, &keys::base32(&self.account.secret))
    }

    /// The secret in groups of four characters (`"ABCD EFGH …"`), as apps ask for it.
    #[getter]
    fn secret_grouped<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        PyString::new(py, &keys::base32_grouped(&self.account.secret))
    }

    /// `"totp"`, `"hotp"`, `"steam"`, `"motp"` or `"yandex"`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.kind.name()
    }

    /// `"sha1"`, `"sha256"` or `"sha512"`.
    #[getter]
    fn algorithm(&self) -> &'static str {
        self.account.algorithm.lowercase_name()
    }

    /// The code length (5 characters for Steam, whatever this says).
    #[getter]
    fn digits(&self) -> u8 {
        self.account.digits.get()
    }

    /// The period in seconds for time-based accounts; None for HOTP.
    #[getter]
    fn period(&self) -> Option<u64> {
        match self.kind {
            AccountKind::Totp { period } => Some(period),
            AccountKind::Hotp { .. } => None,
            AccountKind::Steam => Some(STEAM_PERIOD),
            AccountKind::Motp => Some(MOTP_PERIOD),
            AccountKind::Yandex => Some(YANDEX_PERIOD),
        }
    }

    /// The HOTP counter of the next code; None for time-based accounts.
    #[getter]
    fn counter(&self) -> Option<u64> {
        match self.kind {
            AccountKind::Hotp { counter } => Some(counter),
            AccountKind::Totp { .. }
            | AccountKind::Steam
            | AccountKind::Motp
            | AccountKind::Yandex => None,
        }
    }

    /// URI parameters otpkit does not interpret (`image`, `color`, …), in order.
    #[getter]
    fn extra(&self) -> Vec<(String, String)> {
        self.account.extra.clone()
    }

    /// What `parse_uri` normalised or found doubtful (empty otherwise).
    #[getter]
    fn warnings(&self) -> Vec<UriWarning> {
        self.warnings.clone()
    }

    /// `Issuer:name`, or the name alone, as apps show it.
    #[getter]
    fn label(&self) -> String {
        self.account.label()
    }

    /// The canonical `otpauth://` URI, for the enrolment QR code.
    fn provisioning_uri<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        PyString::new(py, &keys::uri(&self.account))
    }

    /// A `Totp` for a TOTP account; None for other kinds.
    fn totp(&self) -> Option<Totp> {
        self.account.totp().map(|totp| Totp {
            totp,
            secret: self.account.secret.clone(),
        })
    }

    /// An `Hotp` for an HOTP account; None for other kinds.
    fn hotp(&self) -> Option<Hotp> {
        self.account.hotp().map(|hotp| Hotp {
            hotp,
            secret: self.account.secret.clone(),
        })
    }

    /// A `SteamGuard` for a Steam account; None for other kinds.
    fn steam(&self) -> Option<SteamGuard> {
        self.account.steam().map(|guard| SteamGuard { guard })
    }

    /// The code the account shows now (HOTP: the code of `counter`).
    fn now<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyString>> {
        self.at(py, None)
    }

    /// The code the account shows at `for_time` (HOTP: the code of `counter`, whatever
    /// the time).
    #[pyo3(signature = (for_time = None))]
    fn at<'py>(
        &self,
        py: Python<'py>,
        for_time: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyString>> {
        let t = match self.kind {
            AccountKind::Hotp { .. } => 0,
            AccountKind::Totp { .. }
            | AccountKind::Steam
            | AccountKind::Motp
            | AccountKind::Yandex => args::time("for_time", for_time)?,
        };
        // An mOTP or Yandex account without its PIN has no codes.
        let generator = self
            .account
            .generator()
            .map_err(|e| about("pin")(e.into()))?;
        let code = generator.code_at(t);
        let code = code.map_err(|e| about("for_time")(e.into()))?;
        Ok(crate::otp::generated_str(py, code))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Account>()
            .is_ok_and(|o| o.get().account == self.account)
    }

    fn __repr__(&self) -> String {
        let issuer = repr::quote_opt(self.issuer());
        let detail = match self.kind {
            AccountKind::Hotp { counter } => format!("counter={counter}"),
            AccountKind::Totp { period } => format!("period={period}"),
            AccountKind::Steam => format!("period={STEAM_PERIOD}"),
            AccountKind::Motp => format!("period={MOTP_PERIOD}"),
            AccountKind::Yandex => format!("period={YANDEX_PERIOD}"),
        };
        format!(
            "Account(issuer={issuer}, name={}, kind='{}', algorithm='{}', digits={}, {detail})",
            repr::quote(&self.account.name),
            self.kind(),
            self.algorithm(),
            self.digits()
        )
    }
}

/// Reads an `otpauth://` URI (or `steam://SECRET`) leniently, as the apps do; what it
/// normalised or doubts is in the account's `warnings`. Raises ValueError for a URI
/// that cannot be trusted (not otpauth, no secret, bad Base32, …).
#[pyfunction]
pub(crate) fn parse_uri(uri: &str) -> PyResult<Account> {
    let (account, warnings) = keys::parse_uri(uri).map_err(about("uri"))?;
    Ok(Account::from_core(account, warnings))
}
