//! Core errors as JS `Error`s with `name`, `kind` and the core's message.

use core::fmt::{Debug, Display};

use wasm_bindgen::JsValue;

/// A JS `Error` named `name` with the core error's `Display` text as its message and
/// its variant name (from `Debug`, in camelCase) as `kind`. Neither text ever holds
/// secret material: the core's `Display` and `Debug` of errors never do.
pub(crate) fn core_error<E: Display + Debug>(name: &str, e: &E) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name(name);
    set(&err, "kind", &JsValue::from_str(&kind(e)));
    err.into()
}

/// The variant name of a core error in camelCase: `TooShort { .. }` → `tooShort`.
pub(crate) fn kind<E: Debug>(e: &E) -> String {
    let debug = format!("{e:?}");
    let variant: String = debug
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let mut chars = variant.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// A `TypeError` for an argument of the wrong JS type.
pub(crate) fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

/// A `RangeError` for a number outside what the core accepts as an integer.
pub(crate) fn range_error(message: &str) -> JsValue {
    js_sys::RangeError::new(message).into()
}

/// Sets `key` on a JS object. Setting a data property on a plain object or an
/// `Error` (both extensible, without setters) cannot fail, so the result is not
/// looked at.
pub(crate) fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), value);
}
