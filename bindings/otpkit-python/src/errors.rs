//! The exceptions: built on `ValueError` (the input was not acceptable). Each carries
//! the facade's stable `code` (`"SECRET_TOO_SHORT"`) and `category` (`"InvalidInput"`),
//! and its message names the argument, then gives the facade's sentence with options
//! spelled as Python spells them (`allow_short`, `max_failures`).

use otpkit_facade::{Category, ErrorCode, FacadeError, OptionName};
use pyo3::create_exception;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

create_exception!(
    otpkit,
    OtpkitError,
    PyValueError,
    "Base class of otpkit's own errors; a ValueError, so `except ValueError` catches it.\n\n\
     `code` is the stable reason (`\"SECRET_TOO_SHORT\"`), `category` what to do about it\n\
     (`\"InvalidInput\"`, `\"Password\"`, `\"Damaged\"`, `\"Unsupported\"`, `\"WrongState\"`,\n\
     `\"Clock\"`, `\"System\"`)."
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

/// Where an error arose: an argument of a call, or a whole file being imported.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Argument(&'a str),
    WholeFile,
    /// The facade's sentence names what it is about itself.
    Own,
}

fn raise(scope: Scope<'_>, e: &FacadeError) -> PyErr {
    let detail = e.detail_in(OptionName::snake_case);
    let (message, whole_file) = match scope {
        Scope::Argument(name) => (format!("{name}: {detail}"), false),
        Scope::WholeFile => (detail, true),
        Scope::Own => (detail, false),
    };
    let err = match e.category {
        Category::Password => {
            if e.reason == ErrorCode::PasswordRequired
                || e.reason == ErrorCode::PreSharedKeyRequired
            {
                PasswordRequiredError::new_err(message)
            } else {
                WrongPasswordError::new_err(message)
            }
        }
        Category::InvalidInput | Category::Damaged | Category::Unsupported if whole_file => {
            ImportFailedError::new_err(message)
        }
        Category::InvalidInput
        | Category::Damaged
        | Category::Unsupported
        | Category::WrongState
        | Category::Clock
        | Category::System => OtpkitError::new_err(message),
    };
    Python::attach(|py| {
        let value = err.value(py);
        // Setting an attribute on a fresh exception instance cannot fail.
        let _ = value.setattr("code", e.reason.as_str());
        let _ = value.setattr("category", e.category.name());
    });
    err
}

/// The exception for a facade error about `argument`: `"argument: sentence"`.
pub(crate) fn otpkit_error(argument: &str, e: &FacadeError) -> PyErr {
    raise(Scope::Argument(argument), e)
}

/// `map_err` helper: the exception for a facade error about `argument`.
pub(crate) fn about(argument: &str) -> impl Fn(FacadeError) -> PyErr + '_ {
    move |e| otpkit_error(argument, &e)
}

/// The exception for a facade error whose sentence says what it is about (a user,
/// a device, `store: …`).
pub(crate) fn own_error(e: FacadeError) -> PyErr {
    raise(Scope::Own, &e)
}

/// The exception for a file that could not be imported as a whole: a password
/// error, or `ImportFailedError` for a file that is not acceptable input.
pub(crate) fn import_error(e: &FacadeError) -> PyErr {
    raise(Scope::WholeFile, e)
}

/// `ValueError("argument: why")` for a Python value the facade never sees (an int
/// that does not fit the facade's argument type).
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
