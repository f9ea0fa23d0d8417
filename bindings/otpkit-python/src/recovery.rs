//! Recovery codes (the sign-in of last resort) and PSKC (RFC 6030) token import.

use otpkit::recovery as core;
use pyo3::prelude::*;
use zeroize::Zeroizing;

use otpkit_facade::records::{AccountRecord, PskcKeyRecord};
use otpkit_facade::{ErrorCode, OptionName, server, transfer};
use pyo3::exceptions::PyRuntimeError;

use crate::account::Account;
use crate::args;
use crate::errors::{about, import_error};
use crate::keys;
use crate::otp::{Hotp, Totp};
use crate::outcome;
use crate::repr;
use crate::server::Policy;
use crate::transfer::budget;

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<RecoveryCodes>()?;
    m.add_class::<RecoveryState>()?;
    m.add_class::<RecoveryResult>()?;
    m.add_class::<PskcKey>()?;
    m.add_class::<PskcToken>()?;
    m.add_function(wrap_pyfunction!(generate_recovery_codes, m)?)?;
    m.add_function(wrap_pyfunction!(import_pskc, m)?)?;
    Ok(())
}

/// A new set of recovery codes: show `codes` to the user once, store `state`.
#[pyclass(frozen, module = "otpkit")]
pub(crate) struct RecoveryCodes {
    /// The codes, grouped for reading (`"ABCD-EFGH-…"`); shown once, never stored.
    #[pyo3(get)]
    codes: Vec<String>,
    /// What to store: hashes only, no code.
    #[pyo3(get)]
    state: RecoveryState,
}

#[pymethods]
impl RecoveryCodes {
    fn __repr__(&self) -> String {
        format!(
            "RecoveryCodes(count={}, state={})",
            self.codes.len(),
            self.state.__repr__()
        )
    }
}

/// `count` codes of `length` characters each (defaults: 10 codes of 16 characters).
#[pyfunction]
#[pyo3(signature = (count = 10, length = 16))]
fn generate_recovery_codes(count: i64, length: i64) -> PyResult<RecoveryCodes> {
    let count = args::int("count", count)?;
    let length = args::int("length", length)?;
    let set = server::generate_recovery_codes(Some(count), Some(length))
        .map_err(about("count/length"))?;
    Ok(RecoveryCodes {
        state: RecoveryState(decode(&set.state)?),
        codes: set.codes,
    })
}

fn decode(text: &str) -> PyResult<core::RecoveryState> {
    core::RecoveryState::decode(text).map_err(|e| about("text")(e.into()))
}

/// The stored state of a recovery-code set. `str(state)` is the text to store;
/// `RecoveryState(text)` reads it back (ValueError if damaged).
#[pyclass(frozen, eq, module = "otpkit")]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct RecoveryState(core::RecoveryState);

#[pymethods]
impl RecoveryState {
    #[new]
    fn new(text: &str) -> PyResult<Self> {
        decode(text).map(RecoveryState)
    }

    /// The stored form (same as `str(state)`).
    fn encode(&self) -> String {
        self.0.encode()
    }

    fn __str__(&self) -> String {
        self.0.encode()
    }

    /// Checks a typed code (any case, spaces or hyphens) at `now`; a used code marks
    /// it used. Never raises on a wrong code.
    #[pyo3(signature = (code, now = None, policy = None))]
    fn verify(
        &self,
        code: &str,
        now: Option<&Bound<'_, PyAny>>,
        policy: Option<PyRef<'_, Policy>>,
    ) -> PyResult<RecoveryResult> {
        let now = args::time("now", now)?;
        let policy = policy.map(|p| p.0).unwrap_or_default();
        let attempt = server::verify_recovery_code(&self.0.encode(), code, now, &policy)
            .map_err(about("state"))?;
        let names = outcome::names(&attempt);
        Ok(RecoveryResult {
            outcome: names.outcome,
            ok: attempt.ok,
            code: attempt.reason.map(ErrorCode::as_str),
            index: attempt.index,
            remaining: if attempt.ok { attempt.remaining } else { None },
            locked_until: attempt.locked_until,
            state: RecoveryState(decode(&attempt.state)?),
        })
    }

    /// The set's identifier (not secret).
    #[getter]
    fn set_id(&self) -> String {
        self.0.set_id()
    }
    #[getter]
    fn count(&self) -> usize {
        self.0.count()
    }
    #[getter]
    fn remaining(&self) -> usize {
        self.0.remaining()
    }
    #[getter]
    fn failures(&self) -> u32 {
        self.0.failures()
    }
    #[getter]
    fn locked_until(&self) -> Option<u64> {
        self.0.locked_until()
    }

    /// Whether code number `index` (0-based) was used.
    fn is_used(&self, index: usize) -> bool {
        self.0.is_used(index)
    }

    /// The same state with the failures and lock-out cleared.
    fn with_failures_cleared(&self) -> Self {
        RecoveryState(self.0.clone().with_failures_cleared())
    }

    fn __repr__(&self) -> String {
        format!(
            "RecoveryState(set_id='{}', count={}, remaining={}, failures={})",
            self.0.set_id(),
            self.0.count(),
            self.0.remaining(),
            self.0.failures()
        )
    }
}

/// What a recovery code came to: `outcome` is `accepted`, `invalid`, `already_used`,
/// `locked` or `malformed`; `code` the stable code of a refusal (`"CODE_MISMATCH"`,
/// `"REPLAYED"`, …); `state` is the new state to store, whatever the outcome.
#[pyclass(frozen, module = "otpkit")]
pub(crate) struct RecoveryResult {
    #[pyo3(get)]
    outcome: String,
    #[pyo3(get)]
    ok: bool,
    #[pyo3(get)]
    code: Option<&'static str>,
    /// Which code was used (0-based), when accepted.
    #[pyo3(get)]
    index: Option<usize>,
    /// Codes left, when accepted.
    #[pyo3(get)]
    remaining: Option<usize>,
    #[pyo3(get)]
    locked_until: Option<u64>,
    #[pyo3(get)]
    state: RecoveryState,
}

#[pymethods]
impl RecoveryResult {
    fn __bool__(&self) -> bool {
        self.ok
    }

    fn __repr__(&self) -> String {
        repr::result_repr(
            "RecoveryResult",
            &self.outcome,
            self.ok,
            &[
                ("index", repr::py_opt(self.index)),
                ("remaining", repr::py_opt(self.remaining)),
                ("locked_until", repr::py_opt(self.locked_until)),
            ],
        )
    }
}

/// One key of a PSKC file: the token, or why it could not be read.
#[pyclass(frozen, module = "otpkit")]
pub(crate) struct PskcKey {
    #[pyo3(get)]
    key_id: Option<String>,
    #[pyo3(get)]
    serial_number: Option<String>,
    #[pyo3(get)]
    token: Option<Py<PskcToken>>,
    /// Why the key was not read.
    #[pyo3(get)]
    error: Option<String>,
    /// The stable code of why the key was not read (`"UNSUPPORTED_ALGORITHM"`, …).
    #[pyo3(get)]
    code: Option<&'static str>,
}

#[pymethods]
impl PskcKey {
    fn __repr__(&self) -> String {
        format!(
            "PskcKey(key_id={}, serial_number={}, ok={}, error={})",
            repr::quote_opt(self.key_id.as_deref()),
            repr::quote_opt(self.serial_number.as_deref()),
            repr::py_bool(self.token.is_some()),
            repr::quote_opt(self.error.as_deref())
        )
    }
}

/// A hardware token read from a PSKC file: its account, device data, generator and
/// the verifier state to start from (its counter or drift).
#[pyclass(frozen, module = "otpkit")]
pub(crate) struct PskcToken {
    #[pyo3(get)]
    account: Py<Account>,
    #[pyo3(get)]
    manufacturer: Option<String>,
    #[pyo3(get)]
    serial_number: Option<String>,
    #[pyo3(get)]
    model: Option<String>,
    #[pyo3(get)]
    key_id: Option<String>,
    #[pyo3(get)]
    friendly_name: Option<String>,
    #[pyo3(get)]
    user_id: Option<String>,
    #[pyo3(get)]
    t0: u64,
    #[pyo3(get)]
    drift: i64,
    #[pyo3(get)]
    totp: Option<Py<Totp>>,
    #[pyo3(get)]
    hotp: Option<Py<Hotp>>,
    /// The verifier state to store for the token, as text.
    #[pyo3(get)]
    device_state: String,
}

#[pymethods]
impl PskcToken {
    fn __repr__(&self) -> String {
        format!(
            "PskcToken(manufacturer={}, serial_number={}, model={}, t0={}, drift={})",
            repr::quote_opt(self.manufacturer.as_deref()),
            repr::quote_opt(self.serial_number.as_deref()),
            repr::quote_opt(self.model.as_deref()),
            self.t0,
            self.drift
        )
    }
}

/// The token of a key the facade read, its account record wiped once read.
fn token(py: Python<'_>, key: &mut PskcKeyRecord, record: AccountRecord) -> PyResult<PskcToken> {
    let read = keys::Wiped(vec![record]).core().map_err(about("xml"))?;
    // A copy: `read` is wiped in place when dropped (moving the account out of it
    // would leave the key in its freed buffer).
    let account = read
        .first()
        .cloned()
        .ok_or_else(|| PyRuntimeError::new_err("a key's account was lost"))?;
    // t0 and drift are a TOTP token's; an HOTP token has neither (0).
    let t0 = key.t0.unwrap_or(0);
    let totp = account
        .totp()
        .map(|totp| {
            Py::new(
                py,
                Totp {
                    totp: totp.with_t0(t0),
                    secret: account.secret.clone(),
                },
            )
        })
        .transpose()?;
    let hotp = account
        .hotp()
        .map(|hotp| {
            Py::new(
                py,
                Hotp {
                    hotp,
                    secret: account.secret.clone(),
                },
            )
        })
        .transpose()?;
    Ok(PskcToken {
        manufacturer: key.manufacturer.take(),
        serial_number: key.serial_number.clone(),
        model: key.model.take(),
        key_id: key.key_id.clone(),
        friendly_name: key.friendly_name.take(),
        user_id: key.user_id.take(),
        t0,
        drift: key.drift.unwrap_or(0),
        totp,
        hotp,
        device_state: key
            .device_state
            .take()
            .ok_or_else(|| PyRuntimeError::new_err("a read key came without its state"))?,
        account: Py::new(py, Account::from_core(account, Vec::new()))?,
    })
}

/// Reads a PSKC (RFC 6030) file of hardware tokens, decrypting with a pre-shared key
/// or a password if it is encrypted; a password's key derivation is charged to the
/// budget (`kdf_budget` work units, `kdf_memory` bytes) before it runs. One key that
/// cannot be read is reported in its `PskcKey.error`; the file as a whole raises
/// PasswordRequiredError (no key or password for an encrypted file),
/// WrongPasswordError or ImportFailedError.
#[pyfunction]
#[pyo3(signature = (xml, pre_shared_key = None, password = None, *, kdf_budget = None,
                    kdf_memory = None))]
fn import_pskc(
    py: Python<'_>,
    xml: &Bound<'_, PyAny>,
    pre_shared_key: Option<&[u8]>,
    password: Option<&Bound<'_, PyAny>>,
    kdf_budget: Option<i64>,
    kdf_memory: Option<i64>,
) -> PyResult<Vec<PskcKey>> {
    let xml = args::text_or_bytes("xml", xml)?;
    let key = pre_shared_key.map(|k| Zeroizing::new(k.to_vec()));
    let password = args::opt_text_or_bytes("password", password)?;
    let budget = budget(kdf_budget, kdf_memory)?;
    let read = py.detach(|| {
        transfer::import_pskc(
            &xml,
            key.as_deref().map(Vec::as_slice),
            password.as_deref().map(Vec::as_slice),
            false,
            budget,
        )
    });
    let read = read.map_err(|e| {
        if e.reason == ErrorCode::KeyAndPassword {
            about("pre_shared_key, password")(e)
        } else {
            import_error(&e)
        }
    })?;
    let mut out = Vec::with_capacity(read.len());
    for mut key in read {
        let token = match key.account.take() {
            Some(record) => Some(Py::new(py, token(py, &mut key, record)?)?),
            None => None,
        };
        out.push(PskcKey {
            key_id: key.key_id,
            serial_number: key.serial_number,
            token,
            code: key.error.as_ref().map(|e| e.reason.as_str()),
            error: key.error.map(|e| e.detail_in(OptionName::snake_case)),
        });
    }
    Ok(out)
}
