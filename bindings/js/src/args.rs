//! Every argument arrives as a `JsValue` and is checked here: a value of the wrong
//! JS type is a `TypeError` naming the argument, a number outside what the core
//! takes a `RangeError`; never a wasm trap, never a silent coercion or rounding.

use wasm_bindgen::{JsCast, JsValue};

use crate::error::{range_error, type_error};

/// `Number.MAX_SAFE_INTEGER`: every integer up to it is exact in a JS number.
pub(crate) const MAX_SAFE: u64 = (1 << 53) - 1;

/// `undefined` or `null`: an optional argument left out.
pub(crate) fn absent(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

/// A string argument.
pub(crate) fn string(v: &JsValue, what: &str) -> Result<String, JsValue> {
    v.as_string()
        .ok_or_else(|| type_error(&format!("{what} must be a string")))
}

/// An optional string argument.
pub(crate) fn opt_string(v: &JsValue, what: &str) -> Result<Option<String>, JsValue> {
    if absent(v) {
        Ok(None)
    } else {
        string(v, what).map(Some)
    }
}

/// An optional boolean argument (default `false`).
pub(crate) fn opt_bool(v: &JsValue, what: &str) -> Result<bool, JsValue> {
    if absent(v) {
        Ok(false)
    } else {
        v.as_bool()
            .ok_or_else(|| type_error(&format!("{what} must be a boolean")))
    }
}

/// A safe, non-negative integer JS number, read in two calls that return their
/// value directly (the usual case: no `Option` written through linear memory):
/// `Number.isSafeInteger` is true for numbers only, never coercing, so reading the
/// value as a number after it is exact. `None` for anything else, which the
/// checks of `u64_arg` then name.
fn safe_whole(v: &JsValue) -> Option<u64> {
    if js_sys::Number::is_safe_integer(v) {
        let n = v.unchecked_into_f64();
        // -0 is a safe integer too, and 0 here.
        if n >= 0.0 {
            return Some(n as u64);
        }
    }
    None
}

/// A whole, non-negative, safe JS number.
pub(crate) fn u64_arg(v: &JsValue, what: &str) -> Result<u64, JsValue> {
    if let Some(n) = safe_whole(v) {
        return Ok(n);
    }
    let n = v
        .as_f64()
        .ok_or_else(|| type_error(&format!("{what} must be a number")))?;
    if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= MAX_SAFE as f64 {
        // In range and whole, so the conversion is exact.
        Ok(n as u64)
    } else {
        Err(range_error(&format!(
            "{what} must be a whole number from 0 to Number.MAX_SAFE_INTEGER"
        )))
    }
}

/// An optional whole number.
pub(crate) fn opt_u64(v: &JsValue, what: &str) -> Result<Option<u64>, JsValue> {
    if let Some(n) = safe_whole(v) {
        Ok(Some(n))
    } else if absent(v) {
        Ok(None)
    } else {
        u64_arg(v, what).map(Some)
    }
}

/// An optional whole number from 0 to `u32::MAX`.
pub(crate) fn opt_u32(v: &JsValue, what: &str) -> Result<Option<u32>, JsValue> {
    opt_u64(v, what)?
        .map(|n| {
            u32::try_from(n).map_err(|_| {
                range_error(&format!(
                    "{what} must be a whole number from 0 to 4294967295"
                ))
            })
        })
        .transpose()
}

/// An optional whole number from 0 to 255 (the core checks its real range).
pub(crate) fn opt_u8(v: &JsValue, what: &str) -> Result<Option<u8>, JsValue> {
    opt_u64(v, what)?
        .map(|n| {
            u8::try_from(n)
                .map_err(|_| range_error(&format!("{what} must be a whole number from 0 to 255")))
        })
        .transpose()
}

/// An optional whole number as a `usize`.
pub(crate) fn opt_usize(v: &JsValue, what: &str) -> Result<Option<usize>, JsValue> {
    opt_u32(v, what).map(|n| n.map(|n| n as usize))
}

/// A `bigint` from 0 to 2^64 − 1 (an HOTP counter): wasm-bindgen's own `u64`
/// arguments would wrap out-of-range bigints.
pub(crate) fn counter(v: &JsValue, what: &str) -> Result<u64, JsValue> {
    u64::try_from(v.clone()).map_err(|_| {
        type_error(&format!(
            "{what} must be a bigint from 0n to 2n ** 64n - 1n"
        ))
    })
}

/// An optional counter.
pub(crate) fn opt_counter(v: &JsValue, what: &str) -> Result<Option<u64>, JsValue> {
    if absent(v) {
        Ok(None)
    } else {
        counter(v, what).map(Some)
    }
}

/// A `Uint8Array`'s bytes.
pub(crate) fn bytes(v: &JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    v.dyn_ref::<js_sys::Uint8Array>()
        .map(js_sys::Uint8Array::to_vec)
        .ok_or_else(|| type_error(&format!("{what} must be a Uint8Array")))
}

/// A string (as UTF-8) or a `Uint8Array`: file contents, passwords.
pub(crate) fn text_or_bytes(v: &JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    match v.as_string() {
        Some(s) => Ok(s.into_bytes()),
        None => v
            .dyn_ref::<js_sys::Uint8Array>()
            .map(js_sys::Uint8Array::to_vec)
            .ok_or_else(|| type_error(&format!("{what} must be a string or a Uint8Array"))),
    }
}

/// An optional string or `Uint8Array`.
pub(crate) fn opt_text_or_bytes(v: &JsValue, what: &str) -> Result<Option<Vec<u8>>, JsValue> {
    if absent(v) {
        Ok(None)
    } else {
        text_or_bytes(v, what).map(Some)
    }
}

/// An array's elements.
pub(crate) fn array(v: &JsValue, what: &str) -> Result<Vec<JsValue>, JsValue> {
    v.dyn_ref::<js_sys::Array>()
        .map(|a| a.iter().collect())
        .ok_or_else(|| type_error(&format!("{what} must be an array")))
}

/// A property of an options object (`undefined` when the object is absent).
pub(crate) fn get(obj: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    if absent(obj) {
        return Ok(JsValue::UNDEFINED);
    }
    js_sys::Reflect::get(obj, &JsValue::from_str(key))
}

/// An optional options object whose keys are all among `known`; `what` names it.
pub(crate) fn options(v: &JsValue, what: &str, known: &[&str]) -> Result<(), JsValue> {
    if absent(v) {
        return Ok(());
    }
    if !v.is_object() || v.is_function() || js_sys::Array::is_array(v) {
        return Err(type_error(&format!("{what} must be an object")));
    }
    for key in js_sys::Object::keys(v.unchecked_ref::<js_sys::Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if !known.contains(&key.as_str()) {
            return Err(type_error(&format!(
                "{what} has no option {key:?}; the options are {}",
                known.join(", ")
            )));
        }
    }
    Ok(())
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

/// An `i64` (bounded by a window or a drift clamp) as a JS number.
pub(crate) fn from_i64(value: i64, what: &str) -> Result<f64, JsValue> {
    if value.unsigned_abs() <= MAX_SAFE {
        Ok(value as f64)
    } else {
        Err(range_error(&format!(
            "{what} is outside the safe integer range"
        )))
    }
}
