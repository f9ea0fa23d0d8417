//! `Totp`, `Hotp`, `SteamGuard`, `Match` and `random_base32`: pyotp's idioms.

use otpkit::otpauth::Kind;
use otpkit::steam::SteamGuard as CoreSteam;
use otpkit::{Algorithm, Digits, Secret, Window};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::args;
use crate::errors::{OtpkitError, bad_value};
use crate::keys;

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Totp>()?;
    m.add_class::<Hotp>()?;
    m.add_class::<SteamGuard>()?;
    m.add_class::<Match>()?;
    m.add_function(wrap_pyfunction!(random_base32, m)?)?;
    Ok(())
}

/// Where a code matched: the step (TOTP, Steam) or counter (HOTP), and how far that
/// is from the expected one (negative: the code was late or the device is slow).
#[pyclass(frozen, eq, hash, module = "otpkit")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Match {
    /// The time step or counter of the code.
    #[pyo3(get)]
    pub(crate) step: u64,
    /// The matched step minus the expected one.
    #[pyo3(get)]
    pub(crate) offset: i64,
}

#[pymethods]
impl Match {
    fn __repr__(&self) -> String {
        format!("Match(step={}, offset={})", self.step, self.offset)
    }
}

impl From<otpkit::Match> for Match {
    fn from(m: otpkit::Match) -> Self {
        Match {
            step: m.step,
            offset: m.offset,
        }
    }
}

/// `valid_window` steps either side, within the core's bound (its error names it; a
/// negative or huge value is refused with that bound too).
fn window(valid_window: i64) -> PyResult<Window> {
    let steps = u32::try_from(valid_window).map_err(|_| {
        bad_value(
            "valid_window",
            format!(
                "must be from 0 to {} steps, got {valid_window}",
                Window::MAX_STEPS_PER_SIDE
            ),
        )
    })?;
    Window::symmetric(steps).map_err(|e| bad_value("valid_window", e))
}

/// The arguments every generator's constructor takes, checked in order: the secret,
/// the algorithm and the code length.
fn key_args(
    secret: &Bound<'_, PyAny>,
    algorithm: &str,
    digits: i64,
) -> PyResult<(Secret, Algorithm, Digits)> {
    Ok((
        args::secret("secret", secret)?,
        args::algorithm(algorithm)?,
        args::digits(digits)?,
    ))
}

/// The `otpauth://` URI of a generator, for an authenticator app's QR code (an
/// empty issuer is none), as a Python `str` made from the wiped buffer.
fn uri<'py>(
    py: Python<'py>,
    secret: &Secret,
    params: (Algorithm, Digits, Kind),
    name: &str,
    issuer: Option<&str>,
) -> Bound<'py, PyString> {
    PyString::new(py, &keys::generator_uri(secret, params, name, issuer))
}

/// A new random Base32 secret of `length` characters (default 32: 160 bits, what
/// RFC 4226 recommends), from the operating system's RNG, as `pyotp.random_base32`.
#[pyfunction]
#[pyo3(signature = (length = 32))]
fn random_base32(py: Python<'_>, length: i64) -> PyResult<Bound<'_, PyString>> {
    let chars = usize::try_from(length)
        .ok()
        .filter(|c| *c >= 32 && *c % 8 == 0 && *c <= 200)
        .ok_or_else(|| {
            bad_value(
                "length",
                format!(
                    "must be a multiple of 8 from 32 to 200 characters (128 to 1000 bits), got {length}"
                ),
            )
        })?;
    let text = keys::random_base32(chars / 8 * 5).map_err(|e| bad_value("length", e))?;
    Ok(PyString::new(py, &text))
}

/// RFC 6238 TOTP for one secret: pyotp's `TOTP`.
///
/// `secret` is Base32 text (as pasted: any case, spaces, hyphens and padding are
/// fine) or the raw key bytes. `verify` returns a bool and never raises on a wrong
/// code.
#[pyclass(frozen, module = "otpkit")]
pub(crate) struct Totp {
    pub(crate) totp: otpkit::Totp,
    pub(crate) secret: Secret,
}

#[pymethods]
impl Totp {
    #[new]
    #[pyo3(signature = (secret, digits = 6, period = 30, algorithm = "sha1", *, t0 = 0))]
    fn new(
        secret: &Bound<'_, PyAny>,
        digits: i64,
        period: i64,
        algorithm: &str,
        t0: i64,
    ) -> PyResult<Self> {
        let (secret, algorithm, digits) = key_args(secret, algorithm, digits)?;
        let totp = otpkit::Totp::new(&secret, algorithm, digits, args::period(period)?)
            .with_t0(args::unsigned("t0", t0)?);
        Ok(Totp { totp, secret })
    }

    /// The code shown now, by the system clock.
    fn now(&self) -> PyResult<String> {
        self.at(None, 0)
    }

    /// The code at `for_time` (Unix seconds, a datetime, or None for now), moved by
    /// `counter_offset` steps.
    #[pyo3(signature = (for_time = None, counter_offset = 0))]
    fn at(&self, for_time: Option<&Bound<'_, PyAny>>, counter_offset: i64) -> PyResult<String> {
        let t = args::time("for_time", for_time)?;
        let step = self.totp.step_at(t).map_err(|e| bad_value("for_time", e))?;
        let step = step
            .checked_add_signed(counter_offset)
            .ok_or_else(|| bad_value("counter_offset", "moves the step out of range"))?;
        Ok(self.totp.code_at_step(step).to_string())
    }

    /// Whether `otp` is the code of a step within `valid_window` steps of
    /// `for_time`'s (at most 120, a ValueError otherwise). A wrong, empty or
    /// malformed code is simply False.
    ///
    /// This check keeps no state: a server must also refuse a code that was used
    /// before (see `Verifier`).
    #[pyo3(signature = (otp, for_time = None, valid_window = 1))]
    fn verify(
        &self,
        otp: &str,
        for_time: Option<&Bound<'_, PyAny>>,
        valid_window: i64,
    ) -> PyResult<bool> {
        Ok(self.r#match(otp, for_time, valid_window)?.is_some())
    }

    /// Like `verify`, but says where the code matched: a `Match`, or None.
    #[pyo3(signature = (otp, for_time = None, valid_window = 1))]
    fn r#match(
        &self,
        otp: &str,
        for_time: Option<&Bound<'_, PyAny>>,
        valid_window: i64,
    ) -> PyResult<Option<Match>> {
        let window = window(valid_window)?;
        let t = args::time("for_time", for_time)?;
        match self.totp.verify(otp, t, window) {
            Ok(m) => Ok(Some(m.into())),
            Err(otpkit::VerifyError::Malformed(_) | otpkit::VerifyError::Mismatch) => Ok(None),
            Err(otpkit::VerifyError::Time(e)) => Err(bad_value("for_time", e)),
            Err(otpkit::VerifyError::Window(e)) => Err(bad_value("valid_window", e)),
        }
    }

    /// The time step of `for_time` (pyotp's `timecode`).
    #[pyo3(signature = (for_time = None))]
    fn timecode(&self, for_time: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
        let t = args::time("for_time", for_time)?;
        self.totp.step_at(t).map_err(|e| bad_value("for_time", e))
    }

    /// Seconds until the code shown at `for_time` changes (1 to period).
    #[pyo3(signature = (for_time = None))]
    fn seconds_left(&self, for_time: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
        let t = args::time("for_time", for_time)?;
        self.totp
            .seconds_left(t)
            .map_err(|e| bad_value("for_time", e))
    }

    /// The `otpauth://totp/` URI for an authenticator app's QR code.
    #[pyo3(signature = (name, issuer_name = None))]
    fn provisioning_uri<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        issuer_name: Option<&str>,
    ) -> Bound<'py, PyString> {
        let kind = Kind::Totp {
            period: self.totp.period(),
        };
        let params = (self.totp.algorithm(), self.totp.digits(), kind);
        uri(py, &self.secret, params, name, issuer_name)
    }

    /// The code length.
    #[getter]
    fn digits(&self) -> u8 {
        self.totp.digits().get()
    }

    /// The time step in seconds (pyotp's `interval`).
    #[getter]
    fn period(&self) -> u64 {
        self.totp.period().seconds()
    }

    /// `"sha1"`, `"sha256"` or `"sha512"`.
    #[getter]
    fn algorithm(&self) -> &'static str {
        args::algorithm_name(self.totp.algorithm())
    }

    /// The Unix time of step 0.
    #[getter]
    fn t0(&self) -> u64 {
        self.totp.t0()
    }

    fn __repr__(&self) -> String {
        let t0 = match self.totp.t0() {
            0 => String::new(),
            t0 => format!(", t0={t0}"),
        };
        format!(
            "Totp(digits={}, period={}, algorithm='{}'{t0})",
            self.digits(),
            self.period(),
            self.algorithm()
        )
    }
}

/// RFC 4226 HOTP for one secret: pyotp's `HOTP`.
#[pyclass(frozen, module = "otpkit")]
pub(crate) struct Hotp {
    pub(crate) hotp: otpkit::Hotp,
    pub(crate) secret: Secret,
}

#[pymethods]
impl Hotp {
    #[new]
    #[pyo3(signature = (secret, digits = 6, algorithm = "sha1"))]
    fn new(secret: &Bound<'_, PyAny>, digits: i64, algorithm: &str) -> PyResult<Self> {
        let (secret, algorithm, digits) = key_args(secret, algorithm, digits)?;
        let hotp = otpkit::Hotp::new(&secret, algorithm, digits);
        Ok(Hotp { hotp, secret })
    }

    /// The code for `counter`.
    fn at(&self, counter: i64) -> PyResult<String> {
        Ok(self
            .hotp
            .code(args::unsigned("counter", counter)?)
            .to_string())
    }

    /// Whether `otp` is the code for `counter` (or one of the `look_ahead` counters
    /// after it, at most 1000, a ValueError otherwise). A wrong or malformed code is
    /// simply False.
    #[pyo3(signature = (otp, counter, look_ahead = 0))]
    fn verify(&self, otp: &str, counter: i64, look_ahead: i64) -> PyResult<bool> {
        Ok(self.r#match(otp, counter, look_ahead)?.is_some())
    }

    /// Like `verify`, but says which counter matched: a `Match`, or None.
    #[pyo3(signature = (otp, counter, look_ahead = 0))]
    fn r#match(&self, otp: &str, counter: i64, look_ahead: i64) -> PyResult<Option<Match>> {
        let counter = args::unsigned("counter", counter)?;
        let look_ahead = args::small("look_ahead", look_ahead)?;
        match self.hotp.verify(otp, counter, look_ahead) {
            Ok(m) => Ok(Some(m.into())),
            Err(otpkit::VerifyError::Malformed(_) | otpkit::VerifyError::Mismatch) => Ok(None),
            Err(otpkit::VerifyError::Window(e)) => Err(bad_value("look_ahead", e)),
            Err(otpkit::VerifyError::Time(e)) => Err(OtpkitError::new_err(e.to_string())),
        }
    }

    /// The `otpauth://hotp/` URI for an authenticator app's QR code.
    #[pyo3(signature = (name, initial_count = 0, issuer_name = None))]
    fn provisioning_uri<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        initial_count: i64,
        issuer_name: Option<&str>,
    ) -> PyResult<Bound<'py, PyString>> {
        let kind = Kind::Hotp {
            counter: args::unsigned("initial_count", initial_count)?,
        };
        let params = (self.hotp.algorithm(), self.hotp.digits(), kind);
        Ok(uri(py, &self.secret, params, name, issuer_name))
    }

    /// The code length.
    #[getter]
    fn digits(&self) -> u8 {
        self.hotp.digits().get()
    }

    /// `"sha1"`, `"sha256"` or `"sha512"`.
    #[getter]
    fn algorithm(&self) -> &'static str {
        args::algorithm_name(self.hotp.algorithm())
    }

    fn __repr__(&self) -> String {
        format!(
            "Hotp(digits={}, algorithm='{}')",
            self.digits(),
            self.algorithm()
        )
    }
}

/// Steam Guard codes (five characters, 30 seconds) for one `shared_secret`.
#[pyclass(frozen, module = "otpkit")]
pub(crate) struct SteamGuard {
    pub(crate) guard: CoreSteam,
}

#[pymethods]
impl SteamGuard {
    #[new]
    fn new(secret: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(SteamGuard {
            guard: CoreSteam::new(&args::secret("secret", secret)?),
        })
    }

    /// The code shown now.
    fn now(&self) -> PyResult<String> {
        self.at(None)
    }

    /// The code at `for_time` (Unix seconds, a datetime, or None for now).
    #[pyo3(signature = (for_time = None))]
    fn at(&self, for_time: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
        let t = args::time("for_time", for_time)?;
        Ok(self
            .guard
            .code_at(t)
            .map_err(|e| bad_value("for_time", e))?
            .to_string())
    }

    /// Whether `otp` (any case) is the code of a step within `valid_window` steps
    /// (at most 120, a ValueError otherwise).
    #[pyo3(signature = (otp, for_time = None, valid_window = 1))]
    fn verify(
        &self,
        otp: &str,
        for_time: Option<&Bound<'_, PyAny>>,
        valid_window: i64,
    ) -> PyResult<bool> {
        let window = window(valid_window)?;
        let t = args::time("for_time", for_time)?;
        Ok(self.guard.verify(otp, t, window).is_ok())
    }

    fn __repr__(&self) -> &'static str {
        "SteamGuard()"
    }
}
