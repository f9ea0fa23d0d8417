//! Python arguments to the facade's primitives: `str`, `bytes`, `int`, `datetime` and
//! `None` extracted here, with a `TypeError` (or, for an `int` the facade's type
//! cannot hold, a `ValueError`) naming the argument. What the values mean is the
//! facade's and the core's to check (`otpkit_facade::args`).

use otpkit::Secret;
use otpkit_facade::args as fa;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyFloat, PyString};
use zeroize::Zeroizing;

use crate::errors::{about, bad_type, bad_value};

/// A secret as Python code holds it: Base32 text (any case, spaces, hyphens and
/// padding allowed, as people paste it), the raw key bytes, or a `Secret`. Short
/// (80-bit) keys only with `allow_short`.
pub(crate) fn secret(
    argument: &str,
    value: &Bound<'_, PyAny>,
    allow_short: bool,
) -> PyResult<Secret> {
    if let Ok(s) = value.cast::<crate::otp::PySecret>() {
        Ok(s.get().0.clone())
    } else if let Ok(text) = value.cast::<PyString>() {
        let text = Zeroizing::new(text.to_cow()?.into_owned());
        fa::secret_base32(&text, allow_short).map_err(about(argument))
    } else if let Ok(bytes) = value.cast::<PyBytes>() {
        fa::secret_bytes(bytes.as_bytes(), allow_short).map_err(about(argument))
    } else {
        Err(bad_type(argument, "a Base32 str, bytes or a Secret", value))
    }
}

/// Bytes as given, or text as UTF-8 (file contents, passwords), in a wiped buffer.
pub(crate) fn text_or_bytes(
    argument: &str,
    value: &Bound<'_, PyAny>,
) -> PyResult<Zeroizing<Vec<u8>>> {
    if let Ok(b) = value.cast::<PyBytes>() {
        Ok(Zeroizing::new(b.as_bytes().to_vec()))
    } else if let Ok(s) = value.cast::<PyString>() {
        Ok(Zeroizing::new(s.to_cow()?.as_bytes().to_vec()))
    } else {
        Err(bad_type(argument, "bytes or str", value))
    }
}

/// An optional password or key as text or bytes, in a wiped buffer.
pub(crate) fn opt_text_or_bytes(
    argument: &str,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Zeroizing<Vec<u8>>>> {
    value.map(|v| text_or_bytes(argument, v)).transpose()
}

/// An `int` as the facade's integer type `T`; one it cannot hold is a `ValueError`
/// naming the argument and the type's range.
pub(crate) fn int<T>(argument: &str, value: i64) -> PyResult<T>
where
    T: TryFrom<i64> + num_bounds::Bounded,
{
    T::try_from(value).map_err(|_| {
        bad_value(
            argument,
            format!("must be from 0 to {}, got {value}", T::MAX),
        )
    })
}

/// An optional `int` as the facade's integer type `T`.
pub(crate) fn opt_int<T>(argument: &str, value: Option<i64>) -> PyResult<Option<T>>
where
    T: TryFrom<i64> + num_bounds::Bounded,
{
    value.map(|v| int(argument, v)).transpose()
}

/// The largest value of the integer types arguments convert to, for the messages.
pub(crate) mod num_bounds {
    pub(crate) trait Bounded {
        const MAX: u128;
    }
    macro_rules! bounded {
        ($($t:ty),+) => {$(
            impl Bounded for $t {
                const MAX: u128 = <$t>::MAX as u128;
            }
        )+};
    }
    bounded!(u8, u32, u64, usize);
}

/// A time as Python code has one: `None` (now, by the system clock), Unix seconds as
/// `int` or `float` (fractions dropped, as pyotp does), or an aware or naive
/// `datetime` (through its `timestamp()`).
pub(crate) fn time(argument: &str, value: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
    let Some(value) = value else {
        return now();
    };
    // A `float` (`time.time()`) is read as one straight away: asking it for an int
    // first fails by raising a TypeError, which costs more than the code. An exact
    // `float` has no `__index__`, so the int reading could not have succeeded.
    let float = value.cast_exact::<PyFloat>().ok();
    if float.is_none()
        && let Ok(seconds) = value.extract::<i64>()
    {
        return u64::try_from(seconds)
            .map_err(|_| bad_value(argument, "must not be before 1970 (a negative Unix time)"));
    }
    let seconds = if let Some(float) = float {
        float.value()
    } else if let Ok(seconds) = value.extract::<f64>() {
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
    otpkit::unix_now().map_err(|e| about("clock")(e.into()))
}
