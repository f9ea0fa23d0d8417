//! `Secret`, `Totp`, `Hotp`, `SteamGuard`, `Match` and `random_base32`: pyotp's idioms
//! over the facade's generators (`otpkit_facade::generators`).

use otpkit::otpauth::Kind;
use otpkit::steam::SteamGuard as CoreSteam;
use otpkit::{Algorithm, Code, Digits, GeneratedCode, Secret};
use otpkit_facade::records::CodeMatch;
use otpkit_facade::{FacadeError, args as fa, generators};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::args;
use crate::errors::{about, bad_value};
use crate::keys;

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PySecret>()?;
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

impl From<CodeMatch> for Match {
    fn from(m: CodeMatch) -> Self {
        Match {
            step: m.step,
            offset: m.offset,
        }
    }
}

/// A shared secret (an HMAC key). Every generator also takes a secret as Base32 text
/// or bytes; a `Secret` is for checking one once, or generating one. `repr()` shows
/// its length only.
#[pyclass(name = "Secret", frozen, module = "otpkit")]
pub(crate) struct PySecret(pub(crate) Secret);

#[pymethods]
impl PySecret {
    /// A new random secret as long as `algorithm`'s hash output (`"sha1"`: 160 bits).
    #[staticmethod]
    #[pyo3(signature = (algorithm = None))]
    fn generate(algorithm: Option<&str>) -> PyResult<Self> {
        fa::secret_generate(algorithm)
            .map(PySecret)
            .map_err(about("algorithm"))
    }

    /// A secret from Base32 as people paste it (any case, spaces, hyphens, padding);
    /// shorter than 128 bits only with `allow_short`.
    #[staticmethod]
    #[pyo3(signature = (text, *, allow_short = false))]
    fn from_base32(text: &Bound<'_, PyString>, allow_short: bool) -> PyResult<Self> {
        args::secret("text", text.as_any(), allow_short).map(PySecret)
    }

    /// A secret from its raw bytes; shorter than 128 bits only with `allow_short`.
    #[staticmethod]
    #[pyo3(signature = (data, *, allow_short = false))]
    fn from_bytes(data: &Bound<'_, PyBytes>, allow_short: bool) -> PyResult<Self> {
        args::secret("data", data.as_any(), allow_short).map(PySecret)
    }

    /// The key bytes.
    fn bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.0.as_bytes())
    }

    /// The canonical Base32 text (upper case, no padding).
    fn base32<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        PyString::new(py, &keys::base32(&self.0))
    }

    /// The Base32 text in groups of four (`"ABCD EFGH …"`), as apps ask for it.
    fn base32_grouped<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        PyString::new(py, &keys::base32_grouped(&self.0))
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }

    fn __repr__(&self) -> String {
        format!("Secret({} bytes)", self.0.len())
    }
}

/// The URI of a generator, for an authenticator app's QR code (an empty issuer is
/// none), as a Python `str` made from the wiped buffer.
fn uri<'py>(
    py: Python<'py>,
    secret: &Secret,
    params: (Algorithm, Digits, Kind),
    name: &str,
    issuer: Option<&str>,
) -> Bound<'py, PyString> {
    PyString::new(py, &keys::generator_uri(secret, params, name, issuer))
}

/// A code as a Python `str`, made from its digits on the stack.
pub(crate) fn code_str(py: Python<'_>, code: Code) -> Bound<'_, PyString> {
    PyString::new(py, code.text().as_str())
}

/// A TOTP, HOTP, Steam, mOTP or Yandex code as a Python `str`.
pub(crate) fn generated_str(py: Python<'_>, code: GeneratedCode) -> Bound<'_, PyString> {
    match code {
        GeneratedCode::Digits(code) => code_str(py, code),
        GeneratedCode::Steam(code) => PyString::new(py, code.as_str()),
        GeneratedCode::Motp(code) => PyString::new(py, code.as_str()),
        GeneratedCode::Yandex(code) => PyString::new(py, code.as_str()),
    }
}

/// A time error of the facade about `for_time`.
fn for_time(e: impl Into<FacadeError>) -> PyErr {
    about("for_time")(e.into())
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
    let text =
        keys::random_base32(chars / 8 * 5).map_err(|e| about("length")(FacadeError::from(e)))?;
    Ok(PyString::new(py, &text))
}

/// RFC 6238 TOTP for one secret: pyotp's `TOTP`.
///
/// `secret` is Base32 text (as pasted: any case, spaces, hyphens and padding are
/// fine), the raw key bytes or a `Secret`; short (80-bit) keys are accepted, as pyotp
/// and the apps do. `verify` returns a bool and never raises on a wrong code.
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
        let secret = args::secret("secret", secret, true)?;
        let algorithm = fa::algorithm(Some(algorithm)).map_err(about("algorithm"))?;
        let digits = fa::digits(Some(args::int("digits", digits)?)).map_err(about("digits"))?;
        let period = fa::period(Some(args::int("period", period)?)).map_err(about("period"))?;
        let totp =
            otpkit::Totp::new(&secret, algorithm, digits, period).with_t0(args::int("t0", t0)?);
        Ok(Totp { totp, secret })
    }

    /// The code shown now, by the system clock.
    fn now<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyString>> {
        self.at(py, None, 0)
    }

    /// The code at `for_time` (Unix seconds, a datetime, or None for now), moved by
    /// `counter_offset` steps.
    #[pyo3(signature = (for_time = None, counter_offset = 0))]
    fn at<'py>(
        &self,
        py: Python<'py>,
        for_time: Option<&Bound<'_, PyAny>>,
        counter_offset: i64,
    ) -> PyResult<Bound<'py, PyString>> {
        let step = self.timecode(for_time)?;
        let step = step
            .checked_add_signed(counter_offset)
            .ok_or_else(|| bad_value("counter_offset", "moves the step out of range"))?;
        Ok(code_str(py, self.totp.code_at_step(step)))
    }

    /// The code of time step `step`.
    fn code_at_step<'py>(&self, py: Python<'py>, step: i64) -> PyResult<Bound<'py, PyString>> {
        Ok(code_str(
            py,
            self.totp.code_at_step(args::int("step", step)?),
        ))
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
        let steps = window("valid_window", valid_window)?;
        let t = args::time("for_time", for_time)?;
        let found = generators::totp_verify(&self.totp, otp, t, Some(steps), Some(steps))
            .map_err(about("for_time"))?;
        Ok(found.map(Match::from))
    }

    /// The time step of `for_time` (pyotp's `timecode`).
    #[pyo3(signature = (for_time = None))]
    fn timecode(&self, for_time: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
        let t = args::time("for_time", for_time)?;
        self.totp.step_at(t).map_err(self::for_time)
    }

    /// Seconds until the code shown at `for_time` changes (1 to period).
    #[pyo3(signature = (for_time = None))]
    fn seconds_left(&self, for_time: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
        let t = args::time("for_time", for_time)?;
        self.totp.seconds_left(t).map_err(self::for_time)
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
        self.totp.algorithm().lowercase_name()
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

/// `valid_window` steps either side, as the facade's window checks them (at most
/// 120); its error names the argument.
fn window(argument: &str, steps: i64) -> PyResult<u32> {
    let steps = args::int(argument, steps)?;
    fa::window(Some(steps), Some(steps)).map_err(about(argument))?;
    Ok(steps)
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
        let secret = args::secret("secret", secret, true)?;
        let algorithm = fa::algorithm(Some(algorithm)).map_err(about("algorithm"))?;
        let digits = fa::digits(Some(args::int("digits", digits)?)).map_err(about("digits"))?;
        let hotp = otpkit::Hotp::new(&secret, algorithm, digits);
        Ok(Hotp { hotp, secret })
    }

    /// The code for `counter`.
    fn at<'py>(&self, py: Python<'py>, counter: i64) -> PyResult<Bound<'py, PyString>> {
        Ok(code_str(py, self.hotp.code(args::int("counter", counter)?)))
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
        let counter = args::int("counter", counter)?;
        let look_ahead = args::int("look_ahead", look_ahead)?;
        let found = generators::hotp_verify(&self.hotp, otp, counter, Some(look_ahead))
            .map_err(about("look_ahead"))?;
        Ok(found.map(Match::from))
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
            counter: args::int("initial_count", initial_count)?,
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
        self.hotp.algorithm().lowercase_name()
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
            guard: CoreSteam::new(&args::secret("secret", secret, true)?),
        })
    }

    /// The code shown now.
    fn now<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyString>> {
        self.at(py, None)
    }

    /// The code at `for_time` (Unix seconds, a datetime, or None for now).
    #[pyo3(signature = (for_time = None))]
    fn at<'py>(
        &self,
        py: Python<'py>,
        for_time: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyString>> {
        let t = args::time("for_time", for_time)?;
        let code = self.guard.code_at(t).map_err(self::for_time)?;
        Ok(PyString::new(py, code.as_str()))
    }

    /// Seconds until the code shown at `for_time` changes (1 to 30).
    #[pyo3(signature = (for_time = None))]
    fn seconds_left(&self, for_time: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
        Ok(self.guard.seconds_left(args::time("for_time", for_time)?))
    }

    /// Whether `otp` (any case) is the code of a step within `valid_window` steps
    /// (at most 120, a ValueError otherwise). A wrong or malformed code is simply False.
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
        let steps = window("valid_window", valid_window)?;
        let t = args::time("for_time", for_time)?;
        let found = generators::steam_verify(&self.guard, otp, t, Some(steps), Some(steps))
            .map_err(about("for_time"))?;
        Ok(found.map(Match::from))
    }

    fn __repr__(&self) -> &'static str {
        "SteamGuard()"
    }
}
