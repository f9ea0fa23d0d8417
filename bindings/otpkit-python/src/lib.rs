//! The `otpkit` Python package's native module (`otpkit._otpkit`), through PyO3.
//!
//! A skin over `otpkit-facade`: each method extracts its arguments from Python values,
//! calls the facade and builds the Python value from the facade's record. What is
//! Python's own is here: keyword defaults, the clock optional everywhere, `bool` /
//! `None` results for a wrong code (pyotp's idiom), `ValueError` / `TypeError` naming
//! the argument for malformed input, exceptions carrying the facade's `code` and
//! `category`, and `repr` with fields but never a secret. The stubs are in
//! `bindings/python/src/otpkit/_otpkit.pyi`.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

mod account;
mod args;
mod errors;
mod keys;
mod otp;
mod outcome;
mod recovery;
mod repr;
mod server;
mod transfer;
mod users;

use pyo3::prelude::*;

/// The native module; `otpkit/__init__.py` re-exports everything.
#[pymodule]
fn _otpkit(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    otp::register(m)?;
    account::register(m)?;
    server::register(m)?;
    transfer::register(m)?;
    recovery::register(m)?;
    users::register(m)?;
    m.add_function(wrap_pyfunction!(operations, m)?)?;
    Ok(())
}

/// Every operation of the model all four languages share, as (name, description):
/// `Type.member` or a free function, in `snake_case` (`Totp.code_at`). The parity
/// test checks the package against it.
#[pyfunction]
fn operations() -> Vec<(&'static str, &'static str)> {
    otpkit_facade::OPERATIONS
        .iter()
        .map(|o| (o.name, o.description))
        .collect()
}
