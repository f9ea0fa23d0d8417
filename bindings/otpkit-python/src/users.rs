//! `UserDevices`: users with named devices on a store (`"memory:"` or
//! `"sqlite:PATH"`), over the facade's `UserDevices`. A wrong, replayed or
//! malformed code, or a lock-out, is a `UserResult` with `ok` False, as the
//! `Verifier` answers; `OtpkitError` for an argument, a user or device that does
//! not fit (`category` `"WrongState"` for an unknown device), or a store that fails.

use otpkit_facade::records::{Attempt, AttemptKind};
use otpkit_facade::users::{self as fu, SignInRecord};
use otpkit_facade::{ErrorCode, FacadeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use zeroize::Zeroizing;

use crate::args;
use crate::errors::{bad_type, bad_value, own_error};
use crate::outcome;
use crate::repr;
use crate::server::Policy;

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<UserDevices>()?;
    m.add_class::<UserResult>()?;
    m.add_class::<UserDevice>()?;
    m.add_class::<UserStatus>()?;
    m.add_class::<Remembered>()?;
    m.add_class::<UserEvent>()?;
    Ok(())
}

type FacadeResult<T> = std::result::Result<T, FacadeError>;

fn served<T>(r: FacadeResult<T>) -> PyResult<T> {
    r.map_err(own_error)
}

/// What a sign-in, enrolment, resynchronisation or recovery code of a user came to.
/// `ok` is True when the user gets in (or the device is enrolled or resynced);
/// otherwise `outcome` says why (`invalid`, `replayed`, `malformed`, `locked` for a
/// sign-in; `rejected`, `locked` with a `reason` for an enrolment or resync;
/// `invalid`, `already_used` for a recovery code) and `code` is the stable code every
/// language shares (`"CODE_MISMATCH"`, `"REPLAYED"`, …). The store keeps the state.
#[pyclass(frozen, module = "otpkit")]
pub(crate) struct UserResult {
    #[pyo3(get)]
    outcome: String,
    #[pyo3(get)]
    ok: bool,
    #[pyo3(get)]
    reason: Option<String>,
    #[pyo3(get)]
    code: Option<&'static str>,
    /// The outcome in words, for people.
    #[pyo3(get)]
    message: String,
    /// Sign-in: the device whose code was accepted or replayed (or the one chosen).
    #[pyo3(get)]
    device: Option<String>,
    /// Sign-in: the user's consecutive failures after it.
    #[pyo3(get)]
    failures: Option<u32>,
    /// When locked: until when (Unix seconds).
    #[pyo3(get)]
    locked_until: Option<u64>,
    /// Recovery, when accepted: the unused codes left.
    #[pyo3(get)]
    remaining: Option<usize>,
    /// An accepted sign-in's handle for `remember_device`.
    ticket: Option<u64>,
}

#[pymethods]
impl UserResult {
    fn __bool__(&self) -> bool {
        self.ok
    }

    fn __repr__(&self) -> String {
        repr::result_repr(
            "UserResult",
            &self.outcome,
            self.ok,
            &[
                ("reason", repr::quote_opt(self.reason.as_deref())),
                ("device", repr::quote_opt(self.device.as_deref())),
                ("failures", repr::py_opt(self.failures)),
                ("locked_until", repr::py_opt(self.locked_until)),
            ],
        )
    }
}

impl UserResult {
    fn of_attempt(a: Attempt) -> Self {
        let names = outcome::names(&a);
        UserResult {
            outcome: names.outcome,
            ok: a.ok,
            reason: names.reason,
            code: a.reason.map(ErrorCode::as_str),
            message: a.message,
            device: None,
            failures: None,
            locked_until: a.locked_until,
            remaining: a.remaining,
            ticket: None,
        }
    }

    fn of_sign_in(s: SignInRecord) -> Self {
        let as_attempt = Attempt {
            kind: AttemptKind::SignIn,
            ok: s.accepted,
            needs_next_code: false,
            reason: s.reason,
            message: s.message,
            step: None,
            drift: None,
            locked_until: s.locked_until,
            index: None,
            remaining: None,
            state: String::new(),
        };
        UserResult {
            device: s.device,
            failures: Some(s.failures),
            ticket: s.ticket,
            ..Self::of_attempt(as_attempt)
        }
    }
}

/// One of a user's devices.
#[pyclass(frozen, module = "otpkit")]
pub(crate) struct UserDevice {
    #[pyo3(get)]
    name: String,
    /// When it was added (Unix seconds).
    #[pyo3(get)]
    added_at: u64,
    /// How it makes codes (`"totp.SHA1.6.30"`); None if its row is missing.
    #[pyo3(get)]
    params: Option<String>,
    #[pyo3(get)]
    enrolled: bool,
    /// The device's own consecutive failures.
    #[pyo3(get)]
    failures: u32,
}

#[pymethods]
impl UserDevice {
    fn __repr__(&self) -> String {
        format!(
            "UserDevice(name={}, added_at={}, params={}, enrolled={}, failures={})",
            repr::quote(&self.name),
            self.added_at,
            repr::quote_opt(self.params.as_deref()),
            repr::py_bool(self.enrolled),
            self.failures
        )
    }
}

/// A user's failures, lock-out and counts.
#[pyclass(frozen, module = "otpkit")]
pub(crate) struct UserStatus {
    #[pyo3(get)]
    failures: u32,
    #[pyo3(get)]
    locked_until: Option<u64>,
    #[pyo3(get)]
    devices: usize,
    #[pyo3(get)]
    recovery_codes_left: Option<usize>,
    #[pyo3(get)]
    remembered: usize,
}

#[pymethods]
impl UserStatus {
    fn __repr__(&self) -> String {
        format!(
            "UserStatus(failures={}, locked_until={}, devices={}, recovery_codes_left={}, remembered={})",
            self.failures,
            repr::py_opt(self.locked_until),
            self.devices,
            repr::py_opt(self.recovery_codes_left),
            self.remembered
        )
    }
}

/// What a remember-this-device token came to: `ok` with the `next_token` to send in
/// its place, or refused with its `reason` (`expired`, `unknown`, `theft`, …).
#[pyclass(frozen, module = "otpkit")]
pub(crate) struct Remembered {
    #[pyo3(get)]
    ok: bool,
    #[pyo3(get)]
    next_token: Option<String>,
    #[pyo3(get)]
    device: Option<String>,
    #[pyo3(get)]
    reason: Option<&'static str>,
}

#[pymethods]
impl Remembered {
    fn __bool__(&self) -> bool {
        self.ok
    }

    /// Never shows the next token.
    fn __repr__(&self) -> String {
        format!(
            "Remembered(ok={}, device={}, reason={})",
            repr::py_bool(self.ok),
            repr::quote_opt(self.device.as_deref()),
            repr::quote_opt(self.reason)
        )
    }
}

/// One of a user's recent events.
#[pyclass(frozen, module = "otpkit")]
pub(crate) struct UserEvent {
    /// `sign_in_accepted`, `device_removed`, …
    #[pyo3(get)]
    kind: &'static str,
    #[pyo3(get)]
    device: Option<String>,
    #[pyo3(get)]
    at: u64,
    #[pyo3(get)]
    reason: Option<&'static str>,
    #[pyo3(get)]
    failures: u32,
}

#[pymethods]
impl UserEvent {
    fn __repr__(&self) -> String {
        format!(
            "UserEvent(kind={}, device={}, at={}, reason={}, failures={})",
            repr::quote(self.kind),
            repr::quote_opt(self.device.as_deref()),
            self.at,
            repr::quote_opt(self.reason),
            self.failures
        )
    }
}

/// Users with named devices (at most 8 each), on `store`: `"memory:"` (this
/// process only) or `"sqlite:PATH"`. Device secrets are sealed with `key` (32
/// bytes) named `key_id`; sign-ins follow `policy`, counted per user before any code
/// is checked, so more devices do not mean more guesses. `now` is optional
/// everywhere (None: the system clock).
#[pyclass(frozen, module = "otpkit")]
pub(crate) struct UserDevices(fu::UserDevices);

/// A secret argument as Base32 text (in a wiped buffer).
fn secret_text(value: &Bound<'_, PyAny>) -> PyResult<Zeroizing<String>> {
    let secret = args::secret("secret", value, false)?;
    Ok(Zeroizing::new(secret.base32().to_string()))
}

#[pymethods]
impl UserDevices {
    #[new]
    #[pyo3(signature = (store, *, key_id, key, policy = None))]
    fn new(
        store: &str,
        key_id: &str,
        key: &Bound<'_, PyAny>,
        policy: Option<PyRef<'_, Policy>>,
    ) -> PyResult<Self> {
        let key = key
            .cast::<PyBytes>()
            .map_err(|_| bad_type("key", "bytes (32)", key))?;
        let policy = policy.map(|p| p.0).unwrap_or_default();
        served(fu::UserDevices::open_with_policy(
            store,
            key_id,
            key.as_bytes(),
            policy,
        ))
        .map(UserDevices)
    }

    /// Adds a pending TOTP device `name` to `user`: show `secret` (Base32 or a
    /// `Secret`, at least 128 bits) as a QR code, then `enroll_device`.
    #[pyo3(signature = (user, name, secret, *, algorithm = None, digits = None, period = None, now = None))]
    #[allow(clippy::too_many_arguments)]
    fn add_device(
        &self,
        user: &str,
        name: &str,
        secret: &Bound<'_, PyAny>,
        algorithm: Option<&str>,
        digits: Option<i64>,
        period: Option<i64>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let secret = secret_text(secret)?;
        let digits = args::opt_int("digits", digits)?;
        let period = args::opt_int("period", period)?;
        let now = args::time("now", now)?;
        served(
            self.0
                .add_device(user, name, &secret, algorithm, digits, period, now),
        )
    }

    /// Finishes enrolling the device with two consecutive codes.
    #[pyo3(signature = (user, name, first, second, now = None))]
    fn enroll_device(
        &self,
        user: &str,
        name: &str,
        first: &str,
        second: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<UserResult> {
        let now = args::time("now", now)?;
        served(self.0.enroll_device(user, name, first, second, now)).map(UserResult::of_attempt)
    }

    /// The user's devices, in the order added.
    fn devices(&self, user: &str) -> PyResult<Vec<UserDevice>> {
        Ok(served(self.0.devices(user))?
            .into_iter()
            .map(|d| UserDevice {
                name: d.name,
                added_at: d.added_at,
                params: d.params,
                enrolled: d.enrolled,
                failures: d.failures,
            })
            .collect())
    }

    #[pyo3(signature = (user, name, new_name, now = None))]
    fn rename_device(
        &self,
        user: &str,
        name: &str,
        new_name: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let now = args::time("now", now)?;
        served(self.0.rename_device(user, name, new_name, now))
    }

    /// Removes the device (and every remembered browser of the user); False if the
    /// user has no device of that name.
    #[pyo3(signature = (user, name, now = None))]
    fn remove_device(
        &self,
        user: &str,
        name: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let now = args::time("now", now)?;
        served(self.0.remove_device(user, name, now))
    }

    /// Signs in with one code from any enrolled device, or the one named `device`.
    #[pyo3(signature = (user, code, device = None, now = None))]
    fn sign_in(
        &self,
        user: &str,
        code: &str,
        device: Option<&str>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<UserResult> {
        let now = args::time("now", now)?;
        served(self.0.sign_in(user, code, device, now)).map(UserResult::of_sign_in)
    }

    /// A remember-this-device token (a cookie) for the accepted sign-in `signed_in`
    /// of `user`; each accepted sign-in once.
    #[pyo3(signature = (user, signed_in, now = None))]
    fn remember_device(
        &self,
        user: &str,
        signed_in: PyRef<'_, UserResult>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let now = args::time("now", now)?;
        let Some(ticket) = signed_in.ticket else {
            return Err(bad_value(
                "signed_in",
                "must be an accepted sign_in result of this UserDevices",
            ));
        };
        served(self.0.remember_device(user, ticket, now))
    }

    /// Checks a remember-this-device token: `ok` with the `next_token` to send in
    /// its place, or refused with its `reason`.
    #[pyo3(signature = (user, token, now = None))]
    fn check_remembered(
        &self,
        user: &str,
        token: &Bound<'_, PyString>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Remembered> {
        let now = args::time("now", now)?;
        let token = Zeroizing::new(token.to_cow()?.into_owned());
        let r = served(self.0.check_remembered(user, &token, now))?;
        Ok(Remembered {
            ok: r.accepted,
            next_token: r.next_token.clone(),
            device: r.device.clone(),
            reason: r.reason,
        })
    }

    /// Revokes every remembered browser of the user (a password change): how many.
    #[pyo3(signature = (user, now = None))]
    fn forget_remembered(&self, user: &str, now: Option<&Bound<'_, PyAny>>) -> PyResult<usize> {
        let now = args::time("now", now)?;
        served(self.0.forget_remembered(user, now))
    }

    /// Resynchronises a drifted device with two consecutive codes.
    #[pyo3(signature = (user, name, first, second, now = None))]
    fn resync_device(
        &self,
        user: &str,
        name: &str,
        first: &str,
        second: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<UserResult> {
        let now = args::time("now", now)?;
        served(self.0.resync_device(user, name, first, second, now)).map(UserResult::of_attempt)
    }

    /// Clears the user's failures and lock-out (after checking the user another way).
    #[pyo3(signature = (user, now = None))]
    fn clear_user_lockout(&self, user: &str, now: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let now = args::time("now", now)?;
        served(self.0.clear_user_lockout(user, now))
    }

    fn user_status(&self, user: &str) -> PyResult<UserStatus> {
        let s = served(self.0.user_status(user))?;
        Ok(UserStatus {
            failures: s.failures,
            locked_until: s.locked_until,
            devices: s.devices,
            recovery_codes_left: s.recovery_codes_left,
            remembered: s.remembered,
        })
    }

    /// A new set of recovery codes (default 10 of 16 characters) replacing the
    /// user's old set: show them once.
    #[pyo3(signature = (user, *, count = None, length = None, now = None))]
    fn regenerate_recovery_codes(
        &self,
        user: &str,
        count: Option<i64>,
        length: Option<i64>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<String>> {
        let count = args::opt_int("count", count)?;
        let length = args::opt_int("length", length)?;
        let now = args::time("now", now)?;
        served(self.0.regenerate_recovery_codes(user, count, length, now))
    }

    /// Signs the user in with a recovery code (spent if accepted).
    #[pyo3(signature = (user, code, now = None))]
    fn use_recovery_code(
        &self,
        user: &str,
        code: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<UserResult> {
        let now = args::time("now", now)?;
        served(self.0.use_recovery_code(user, code, now)).map(UserResult::of_attempt)
    }

    /// The user's recent events, newest first.
    fn recent_events(&self, user: &str) -> Vec<UserEvent> {
        self.0
            .recent_events(user)
            .into_iter()
            .map(|e| UserEvent {
                kind: e.kind,
                device: e.device,
                at: e.at,
                reason: e.reason,
                failures: e.failures,
            })
            .collect()
    }

    fn __repr__(&self) -> &'static str {
        "UserDevices(...)"
    }
}
