//! The server side: `Policy`, `DeviceState` and `Verifier` (enrol with two codes, sign
//! in, refuse a replay, resync), with the state kept as one string per device.

use otpkit::verifier;
use otpkit_facade::records::Attempt;
use otpkit_facade::{Category, ErrorCode, FacadeError, args as fa, server};
use pyo3::prelude::*;

use crate::args;
use crate::errors::{about, bad_type};
use crate::otp::{Hotp, Totp};
use crate::outcome;
use crate::repr;

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Policy>()?;
    m.add_class::<DeviceState>()?;
    m.add_class::<Verifier>()?;
    m.add_class::<Result>()?;
    Ok(())
}

/// The verifier's settings; every argument is optional and defaults to otpkit's
/// defaults (sign-in window 4 steps behind and 2 ahead, 5 failures before a lock-out
/// of 60 s doubling to an hour, …). Out-of-range values raise ValueError.
#[pyclass(frozen, eq, module = "otpkit")]
#[derive(Clone, PartialEq)]
pub(crate) struct Policy(pub(crate) verifier::Policy);

#[pymethods]
impl Policy {
    #[new]
    #[pyo3(signature = (*, behind = None, ahead = None, enroll_window = None, resync_window = None,
                        hotp_look_ahead = None, hotp_resync_look_ahead = None,
                        max_drift_steps = None, max_failures = None, lockout_base_secs = None,
                        lockout_max_secs = None, backoff_base_secs = None,
                        backoff_max_secs = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        behind: Option<i64>,
        ahead: Option<i64>,
        enroll_window: Option<i64>,
        resync_window: Option<i64>,
        hotp_look_ahead: Option<i64>,
        hotp_resync_look_ahead: Option<i64>,
        max_drift_steps: Option<i64>,
        max_failures: Option<i64>,
        lockout_base_secs: Option<i64>,
        lockout_max_secs: Option<i64>,
        backoff_base_secs: Option<i64>,
        backoff_max_secs: Option<i64>,
    ) -> PyResult<Self> {
        let options = fa::PolicyOptions {
            max_failures: args::opt_int("max_failures", max_failures)?,
            lockout_base_secs: args::opt_int("lockout_base_secs", lockout_base_secs)?,
            lockout_max_secs: args::opt_int("lockout_max_secs", lockout_max_secs)?,
            backoff_base_secs: args::opt_int("backoff_base_secs", backoff_base_secs)?,
            backoff_max_secs: args::opt_int("backoff_max_secs", backoff_max_secs)?,
            window_behind: args::opt_int("behind", behind)?,
            window_ahead: args::opt_int("ahead", ahead)?,
            enroll_window: args::opt_int("enroll_window", enroll_window)?,
            resync_window: args::opt_int("resync_window", resync_window)?,
            hotp_look_ahead: args::opt_int("hotp_look_ahead", hotp_look_ahead)?,
            hotp_resync_look_ahead: args::opt_int(
                "hotp_resync_look_ahead",
                hotp_resync_look_ahead,
            )?,
            max_drift_steps: args::opt_int("max_drift_steps", max_drift_steps)?,
        };
        fa::policy(&options).map(Policy).map_err(about("policy"))
    }

    #[getter]
    fn behind(&self) -> u32 {
        self.0.window().behind()
    }
    #[getter]
    fn ahead(&self) -> u32 {
        self.0.window().ahead()
    }
    #[getter]
    fn enroll_window(&self) -> u32 {
        self.0.enroll_window()
    }
    #[getter]
    fn resync_window(&self) -> u32 {
        self.0.resync_window()
    }
    #[getter]
    fn hotp_look_ahead(&self) -> u32 {
        self.0.hotp_look_ahead()
    }
    #[getter]
    fn hotp_resync_look_ahead(&self) -> u32 {
        self.0.hotp_resync_look_ahead()
    }
    #[getter]
    fn max_drift_steps(&self) -> u32 {
        self.0.max_drift_steps()
    }
    #[getter]
    fn max_failures(&self) -> u32 {
        self.0.max_failures()
    }
    #[getter]
    fn lockout_base_secs(&self) -> u64 {
        self.0.lockout_base_secs()
    }
    #[getter]
    fn lockout_max_secs(&self) -> u64 {
        self.0.lockout_max_secs()
    }
    /// `(base_secs, max_secs)` of the back-off between attempts, or `None` (off).
    #[getter]
    fn backoff(&self) -> Option<(u64, u64)> {
        self.0.backoff()
    }

    fn __repr__(&self) -> String {
        let p = &self.0;
        format!(
            "Policy(behind={}, ahead={}, enroll_window={}, resync_window={}, hotp_look_ahead={}, \
             hotp_resync_look_ahead={}, max_drift_steps={}, max_failures={}, \
             lockout_base_secs={}, lockout_max_secs={}, backoff={})",
            p.window().behind(),
            p.window().ahead(),
            p.enroll_window(),
            p.resync_window(),
            p.hotp_look_ahead(),
            p.hotp_resync_look_ahead(),
            p.max_drift_steps(),
            p.max_failures(),
            p.lockout_base_secs(),
            p.lockout_max_secs(),
            match p.backoff() {
                Some((base, max)) => format!("({base}, {max})"),
                None => "None".to_owned(),
            }
        )
    }
}

/// One device's verifier state: last step or next counter, learned drift, failures,
/// lock-out. Holds no secret. `str(state)` is the versioned, checksummed text to
/// store with the user; `DeviceState(text)` reads it back (ValueError if damaged).
#[pyclass(frozen, eq, hash, module = "otpkit")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct DeviceState(pub(crate) verifier::DeviceState);

/// A state argument (a `DeviceState` or its text) as the text the facade reads.
fn state_text(value: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = value.cast::<DeviceState>() {
        return Ok(s.get().0.encode());
    }
    if let Ok(text) = value.extract::<String>() {
        return Ok(text);
    }
    Err(bad_type("state", "a DeviceState or its str", value))
}

fn decode(argument: &str, text: &str) -> PyResult<verifier::DeviceState> {
    verifier::DeviceState::decode(text).map_err(|e| about(argument)(e.into()))
}

#[pymethods]
impl DeviceState {
    #[new]
    fn new(text: &str) -> PyResult<Self> {
        decode("text", text).map(DeviceState)
    }

    /// An enrolled TOTP device whose last accepted step is `last_step` (migrating
    /// from another store).
    #[staticmethod]
    fn totp_at(last_step: i64) -> PyResult<Self> {
        let step = args::int("last_step", last_step)?;
        Ok(DeviceState(verifier::DeviceState::totp_at(step)))
    }

    /// An enrolled HOTP device whose next counter is `next_counter`.
    #[staticmethod]
    fn hotp_at(next_counter: i64) -> PyResult<Self> {
        let counter = args::int("next_counter", next_counter)?;
        Ok(DeviceState(verifier::DeviceState::hotp_at(counter)))
    }

    /// A pending HOTP enrolment from a known counter (re-enrolling a token: codes
    /// below it stay refused).
    #[staticmethod]
    fn enrolling_hotp(from_counter: i64) -> PyResult<Self> {
        let counter = args::int("from_counter", from_counter)?;
        Ok(DeviceState(verifier::DeviceState::enrolling_hotp(counter)))
    }

    /// The stored form (same as `str(state)`).
    fn encode(&self) -> String {
        self.0.encode()
    }

    fn __str__(&self) -> String {
        self.0.encode()
    }

    /// `"totp"` or `"hotp"`.
    #[getter]
    fn kind(&self) -> &'static str {
        server::device_kind_name(self.0.kind())
    }
    #[getter]
    fn is_enrolled(&self) -> bool {
        self.0.is_enrolled()
    }
    #[getter]
    fn awaits_second_code(&self) -> bool {
        self.0.awaits_second_code()
    }
    #[getter]
    fn last_step(&self) -> Option<u64> {
        self.0.last_step()
    }
    #[getter]
    fn next_counter(&self) -> Option<u64> {
        self.0.next_counter()
    }
    #[getter]
    fn drift(&self) -> i64 {
        self.0.drift()
    }
    #[getter]
    fn failures(&self) -> u32 {
        self.0.failures()
    }
    #[getter]
    fn locked_until(&self) -> Option<u64> {
        self.0.locked_until()
    }

    /// Whether sign-in is locked at `now` (Unix seconds, datetime, None for now).
    #[pyo3(signature = (now = None))]
    fn is_locked(&self, now: Option<&Bound<'_, PyAny>>) -> PyResult<bool> {
        Ok(self.0.is_locked_at(args::time("now", now)?))
    }

    /// The same state with the failure count and lock-out cleared (an administrator's
    /// reset after checking the user another way).
    fn with_failures_cleared(&self) -> Self {
        DeviceState(self.0.with_failures_cleared())
    }

    fn __repr__(&self) -> String {
        let s = &self.0;
        let position = match (s.last_step(), s.next_counter()) {
            (_, Some(c)) => format!("next_counter={c}"),
            (Some(step), None) => format!("last_step={step}"),
            (None, None) => "last_step=None".to_owned(),
        };
        let locked = repr::py_opt(s.locked_until());
        format!(
            "DeviceState(kind='{}', enrolled={}, {position}, drift={}, failures={}, locked_until={locked})",
            self.kind(),
            repr::py_bool(s.is_enrolled()),
            s.drift(),
            s.failures(),
        )
    }
}

/// What one verifier call came to, with the new state to store (whatever the outcome:
/// failures are counted in it).
///
/// `outcome` is one of: `accepted`, `invalid`, `replayed`, `locked`, `malformed`
/// (sign-in); `enrolled`, `need_next_code`, `rejected`, `locked` (enrolment);
/// `resynced`, `rejected`, `locked` (resync). `ok` is True for `accepted`, `enrolled`
/// and `resynced` only. `reason` names why an enrolment or resync was rejected
/// (`first_code_not_found`, `second_code_not_found`, `not_consecutive`,
/// `same_code_twice`, `malformed`, `locked`, `not_found`); `code` is the stable code
/// of any refusal (`"CODE_MISMATCH"`, `"REPLAYED"`, …), as every language has it.
#[pyclass(frozen, module = "otpkit")]
pub(crate) struct Result {
    #[pyo3(get)]
    outcome: String,
    #[pyo3(get)]
    ok: bool,
    #[pyo3(get)]
    reason: Option<String>,
    /// The stable code of a refusal; None when `ok` (or a next code is needed).
    #[pyo3(get)]
    code: Option<&'static str>,
    /// The new state, as the text to store.
    #[pyo3(get)]
    state: String,
    /// The matched step (TOTP) or counter (HOTP), when accepted.
    #[pyo3(get)]
    step: Option<u64>,
    /// The device's learned drift in steps, when accepted.
    #[pyo3(get)]
    drift: Option<i64>,
    /// Until when sign-in is locked (Unix seconds), when locked.
    #[pyo3(get)]
    locked_until: Option<u64>,
    /// The outcome in words, for people.
    #[pyo3(get)]
    message: String,
    new_state: verifier::DeviceState,
}

#[pymethods]
impl Result {
    /// The new state as a `DeviceState`.
    #[getter]
    fn device_state(&self) -> DeviceState {
        DeviceState(self.new_state)
    }

    fn __bool__(&self) -> bool {
        self.ok
    }

    fn __repr__(&self) -> String {
        repr::result_repr(
            "Result",
            &self.outcome,
            self.ok,
            &[
                ("reason", repr::quote_opt(self.reason.as_deref())),
                ("step", repr::py_opt(self.step)),
                ("drift", repr::py_opt(self.drift)),
                ("locked_until", repr::py_opt(self.locked_until)),
            ],
        )
    }
}

impl Result {
    /// The Python result of a facade attempt.
    fn of(attempt: FacadeResult<Attempt>) -> PyResult<Self> {
        let a = attempt.map_err(|e| about(state_or_now(&e))(e))?;
        let names = outcome::names(&a);
        Ok(Result {
            outcome: names.outcome,
            ok: a.ok,
            reason: names.reason,
            code: a.reason.map(ErrorCode::as_str),
            new_state: decode("state", &a.state)?,
            state: a.state,
            step: a.step,
            drift: a.drift,
            locked_until: a.locked_until,
            message: a.message,
        })
    }
}

/// The argument a verifier error is about: the clock's (`now`) or the state's.
fn state_or_now(e: &FacadeError) -> &'static str {
    if e.category == Category::Clock {
        "now"
    } else {
        "state"
    }
}

type FacadeResult<T> = std::result::Result<T, FacadeError>;

enum Device {
    Totp(otpkit::Totp),
    Hotp(otpkit::Hotp),
}

/// Server-side verification for one secret: enrolment with two consecutive codes,
/// sign-in with replay refusal and throttling, resync with two codes. Keeps no
/// state itself: each call takes the device's state (a `DeviceState` or its text)
/// and returns the new one in the `Result`, to store with a compare-and-swap.
/// `now` is optional everywhere (None: the system clock).
///
/// A wrong code is a `Result` with `ok` False, never an exception; ValueError is for
/// a state that does not belong to this verifier (TOTP vs HOTP, not enrolled yet,
/// already enrolled) or a damaged state text.
#[pyclass(frozen, module = "otpkit")]
pub(crate) struct Verifier {
    verifier: verifier::Verifier,
    device: Device,
}

#[pymethods]
impl Verifier {
    #[new]
    #[pyo3(signature = (otp, policy = None))]
    fn new(otp: &Bound<'_, PyAny>, policy: Option<PyRef<'_, Policy>>) -> PyResult<Self> {
        let policy = policy.map(|p| p.0).unwrap_or_default();
        if let Ok(t) = otp.cast::<Totp>() {
            let totp = t.get().totp.clone();
            Ok(Verifier {
                verifier: server::verifier_totp(&totp, policy),
                device: Device::Totp(totp),
            })
        } else if let Ok(h) = otp.cast::<Hotp>() {
            let hotp = h.get().hotp.clone();
            Ok(Verifier {
                verifier: server::verifier_hotp(&hotp, policy),
                device: Device::Hotp(hotp),
            })
        } else {
            Err(bad_type("otp", "a Totp or an Hotp", otp))
        }
    }

    /// The state to store when the secret is first shown: a pending enrolment, throttled
    /// like a sign-in. HOTP: `from_counter` is the first counter accepted (re-enrolling
    /// a token: codes below it stay refused); a TOTP verifier takes none.
    #[pyo3(signature = (from_counter = None))]
    fn begin_enrollment(&self, from_counter: Option<i64>) -> PyResult<String> {
        let from_counter = args::opt_int("from_counter", from_counter)?;
        server::begin_enrollment(&self.verifier, from_counter).map_err(about("from_counter"))
    }

    /// Enrols with two consecutive codes typed at `now`.
    #[pyo3(signature = (state, first, second, now = None))]
    fn enroll(
        &self,
        state: &Bound<'_, PyAny>,
        first: &str,
        second: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Result> {
        let state = state_text(state)?;
        let now = args::time("now", now)?;
        Result::of(server::enroll(&self.verifier, &state, first, second, now))
    }

    /// Enrols one code at a time: the first valid code gives `need_next_code`, the
    /// next one `enrolled`.
    #[pyo3(signature = (state, code, now = None))]
    fn enroll_code(
        &self,
        state: &Bound<'_, PyAny>,
        code: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Result> {
        let state = state_text(state)?;
        let now = args::time("now", now)?;
        Result::of(server::enroll_code(&self.verifier, &state, code, now))
    }

    /// Signs in with one code: `accepted` once, `replayed` for the same code again.
    #[pyo3(signature = (state, code, now = None))]
    fn verify(
        &self,
        state: &Bound<'_, PyAny>,
        code: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Result> {
        let state = state_text(state)?;
        let now = args::time("now", now)?;
        Result::of(server::verify(&self.verifier, &state, code, now))
    }

    /// Resynchronises a drifted device with two consecutive codes; failures are
    /// counted like sign-in failures.
    #[pyo3(signature = (state, first, second, now = None))]
    fn resync(
        &self,
        state: &Bound<'_, PyAny>,
        first: &str,
        second: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Result> {
        let state = state_text(state)?;
        let now = args::time("now", now)?;
        Result::of(server::resync(&self.verifier, &state, first, second, now))
    }

    /// The settings in force.
    #[getter]
    fn policy(&self) -> Policy {
        Policy(*self.verifier.policy())
    }

    /// The odds that a guesser gets in before the lock-outs stop them, over the
    /// policy's worst case (see the Rust docs of `Policy::worst_case_guess_probability`).
    fn worst_case_guess_probability(&self) -> f64 {
        let digits = match &self.device {
            Device::Totp(t) => t.digits(),
            Device::Hotp(h) => h.digits(),
        };
        self.verifier
            .policy()
            .worst_case_guess_probability(self.verifier.kind(), digits)
    }

    fn __repr__(&self) -> String {
        match &self.device {
            Device::Totp(t) => format!(
                "Verifier(Totp(digits={}, period={}, algorithm='{}'))",
                t.digits().get(),
                t.period().seconds(),
                t.algorithm().lowercase_name()
            ),
            Device::Hotp(h) => format!(
                "Verifier(Hotp(digits={}, algorithm='{}'))",
                h.digits().get(),
                h.algorithm().lowercase_name()
            ),
        }
    }
}
