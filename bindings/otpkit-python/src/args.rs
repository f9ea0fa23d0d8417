//! Python arguments to core types, with errors naming the argument.

use otpkit::{Algorithm, Digits, Period, Secret};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use zeroize::Zeroizing;

use crate::errors::{bad_type, bad_value};
use crate::keys;

/// A secret as Python code holds it: Base32 text (any case, spaces, hyphens and
/// padding allowed, as people paste it) or the raw key bytes. Short (80-bit) keys are
/// accepted, as pyotp and the authenticator apps do; `Account.warnings` and
/// `parse_uri` say when a key is short.
pub(crate) fn secret(argument: &str, value: &Bound<'_, PyAny>) -> PyResult<Secret> {
    if let Ok(text) = value.cast::<PyString>() {
        let text = Zeroizing::new(text.to_cow()?.into_owned());
        keys::secret_from_text(&text).map_err(|e| bad_value(argument, e))
    } else if let Ok(bytes) = value.cast::<PyBytes>() {
        keys::secret_from_bytes(bytes.as_bytes()).map_err(|e| bad_value(argument, e))
    } else {
        Err(bad_type(argument, "a Base32 str or bytes", value))
    }
}

/// `"sha1"`, `"sha256"` or `"sha512"`, any case, with or without a hyphen.
pub(crate) fn algorithm(value: &str) -> PyResult<Algorithm> {
    value.parse().map_err(|_| {
        bad_value(
            "algorithm",
            format!(
                "expected 'sha1', 'sha256' or 'sha512', got {}",
                quote(value)
            ),
        )
    })
}

/// The lowercase name Python code passes back in (`"sha256"`).
pub(crate) fn algorithm_name(algorithm: Algorithm) -> &'static str {
    algorithm.lowercase_name()
}

pub(crate) fn digits(value: i64) -> PyResult<Digits> {
    u8::try_from(value)
        .ok()
        .and_then(|d| Digits::new(d).ok())
        .ok_or_else(|| bad_value("digits", format!("must be from 6 to 10, got {value}")))
}

pub(crate) fn period(value: i64) -> PyResult<Period> {
    u64::try_from(value)
        .ok()
        .and_then(|p| Period::new(p).ok())
        .ok_or_else(|| bad_value("period", format!("must be at least 1 second, got {value}")))
}

/// A non-negative integer argument (a counter, a step count).
pub(crate) fn unsigned(argument: &str, value: i64) -> PyResult<u64> {
    u64::try_from(value)
        .map_err(|_| bad_value(argument, format!("must not be negative, got {value}")))
}

/// A count the core takes as a `u32` (a window's or policy's steps, a look-ahead,
/// failures); the core checks its own bound.
pub(crate) fn small(argument: &str, value: i64) -> PyResult<u32> {
    u32::try_from(value).map_err(|_| {
        bad_value(
            argument,
            format!("must be from 0 to {}, got {value}", u32::MAX),
        )
    })
}

/// A time as Python code has one: `None` (now, by the system clock), Unix seconds as
/// `int` or `float` (fractions dropped, as pyotp does), or an aware or naive
/// `datetime` (through its `timestamp()`).
pub(crate) fn time(argument: &str, value: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
    let Some(value) = value else {
        return now();
    };
    if let Ok(seconds) = value.extract::<i64>() {
        return u64::try_from(seconds)
            .map_err(|_| bad_value(argument, "must not be before 1970 (a negative Unix time)"));
    }
    let seconds = if let Ok(seconds) = value.extract::<f64>() {
        seconds
    } else if value.hasattr("timestamp")? {
        value.call_method0("timestamp")?.extract::<f64>()?
    } else {
        return Err(bad_type(
            argument,
            "Unix seconds (int or float), a datetime or None",
            value,
        ));
    };
    if !(0.0..18_446_744_073_709_551_615.0).contains(&seconds) {
        return Err(bad_value(
            argument,
            format!("must be a finite time from 1970 on, got {seconds}"),
        ));
    }
    // In range and finite: the conversion truncates toward zero (floor for >= 0).
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(seconds as u64)
}

pub(crate) fn now() -> PyResult<u64> {
    otpkit::unix_now().map_err(|e| pyo3::exceptions::PyOSError::new_err(format!("clock: {e}")))
}

/// A str as Python's `repr` writes it (single quotes), for `__repr__`.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len().saturating_add(2));
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `quote` for an optional str, `None` for none.
pub(crate) fn quote_opt(s: Option<&str>) -> String {
    py_opt(s.map(quote))
}

/// A bool as Python's `repr` writes it.
pub(crate) fn py_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

/// An optional value as Python's `repr` writes it: the value, or `None`.
pub(crate) fn py_opt<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(|| "None".to_owned(), |v| v.to_string())
}

/// The `__repr__` of a verification result: `Class(outcome='…', ok=True, name=value, …)`,
/// the values already as Python writes them.
pub(crate) fn result_repr(
    class: &str,
    outcome: &str,
    ok: bool,
    fields: &[(&str, String)],
) -> String {
    let mut out = format!("{class}(outcome={}, ok={}", quote(outcome), py_bool(ok));
    for (name, value) in fields {
        out.push_str(&format!(", {name}={value}"));
    }
    out.push(')');
    out
}
