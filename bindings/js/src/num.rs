//! JS numbers and bigints to and from the core's `u64`s, checked, never rounded.

use wasm_bindgen::JsValue;

use crate::error::{range_error, type_error};

/// `Number.MAX_SAFE_INTEGER`: every integer up to it is exact in a JS number.
pub(crate) const MAX_SAFE: u64 = (1 << 53) - 1;

/// A whole, non-negative, safe JS number as a `u64`; `what` names it in the error.
pub(crate) fn to_u64(value: f64, what: &str) -> Result<u64, JsValue> {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= MAX_SAFE as f64 {
        // In range and whole, so the conversion is exact.
        Ok(value as u64)
    } else {
        Err(range_error(&format!(
            "{what} must be a whole number from 0 to Number.MAX_SAFE_INTEGER"
        )))
    }
}

/// A whole JS number from 0 to `u32::MAX` as a `u32`.
pub(crate) fn to_u32(value: f64, what: &str) -> Result<u32, JsValue> {
    u32::try_from(to_u64(value, what)?).map_err(|_| {
        range_error(&format!(
            "{what} must be a whole number from 0 to 4294967295"
        ))
    })
}

/// A whole JS number from 0 to 255 as a `u8` (the core checks its real range).
pub(crate) fn to_u8(value: f64, what: &str) -> Result<u8, JsValue> {
    u8::try_from(to_u64(value, what)?)
        .map_err(|_| range_error(&format!("{what} must be a whole number from 0 to 255")))
}

/// A `u64` as a JS number, or a `RangeError` if it would lose precision.
pub(crate) fn from_u64(value: u64, what: &str) -> Result<f64, JsValue> {
    if value <= MAX_SAFE {
        Ok(value as f64)
    } else {
        Err(range_error(&format!(
            "{what} is larger than Number.MAX_SAFE_INTEGER"
        )))
    }
}

/// An `i64` offset (bounded by a `u32` window) as a JS number.
pub(crate) fn from_i64(value: i64, what: &str) -> Result<f64, JsValue> {
    if value.unsigned_abs() <= MAX_SAFE {
        Ok(value as f64)
    } else {
        Err(range_error(&format!(
            "{what} is outside the safe integer range"
        )))
    }
}

/// A JS `bigint` from 0 to 2^64 − 1 as a `u64` (an HOTP counter). wasm-bindgen's own
/// `u64` arguments wrap out-of-range bigints modulo 2^64, so counters come in as
/// `JsValue` and are checked here: anything else is a `TypeError`.
pub(crate) fn to_counter(value: JsValue, what: &str) -> Result<u64, JsValue> {
    u64::try_from(value).map_err(|_| {
        type_error(&format!(
            "{what} must be a bigint from 0n to 2n ** 64n - 1n"
        ))
    })
}
