//! The `otpkit` Python package's native module (`otpkit._otpkit`), through PyO3.
//!
//! A thin shell over the `otpkit` core and `otpkit-transfer`: each method converts its
//! arguments, calls one core function and converts the result. What is Python's own
//! is here: keyword defaults, the clock optional everywhere, `bool` / `None` results
//! for a wrong code (pyotp's idiom), `ValueError` / `TypeError` naming the argument for
//! malformed input, and `repr` with fields but never a secret. The stubs are in
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
mod recovery;
mod server;
mod transfer;

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
    Ok(())
}
