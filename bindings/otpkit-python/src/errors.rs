//! The exceptions: built on `ValueError` (the input was not acceptable), grouped by
//! what a caller does about them.

use pyo3::create_exception;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

create_exception!(
    otpkit,
    OtpkitError,
    PyValueError,
    "Base class of otpkit's own errors; a ValueError, so `except ValueError` catches it."
);
create_exception!(
    otpkit,
    PasswordRequiredError,
    OtpkitError,
    "The file is encrypted and no password was given: ask for one."
);
create_exception!(
    otpkit,
    WrongPasswordError,
    OtpkitError,
    "The password (or pre-shared key) does not open the file: ask again."
);
create_exception!(
    otpkit,
    ImportFailedError,
    OtpkitError,
    "The file could not be read as a whole (not the format, damaged, too large)."
);

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("OtpkitError", py.get_type::<OtpkitError>())?;
    m.add(
        "PasswordRequiredError",
        py.get_type::<PasswordRequiredError>(),
    )?;
    m.add("WrongPasswordError", py.get_type::<WrongPasswordError>())?;
    m.add("ImportFailedError", py.get_type::<ImportFailedError>())?;
    Ok(())
}

/// `ValueError("argument: why")`.
pub(crate) fn bad_value(argument: &str, why: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(format!("{argument}: {why}"))
}

/// `TypeError("argument: expected …, got <type>")`.
pub(crate) fn bad_type(argument: &str, expected: &str, got: &Bound<'_, PyAny>) -> PyErr {
    let name = got
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_owned());
    PyTypeError::new_err(format!("{argument}: expected {expected}, got {name}"))
}
