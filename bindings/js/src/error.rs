//! Errors as JS `Error`s: the facade's category and code, and its sentence with
//! options spelled as JS spells them.

use otpkit_facade::{FacadeError, OptionName};
use wasm_bindgen::JsValue;

/// A JS `Error` named `OtpkitError` with `category` (`"InvalidInput"`, `"Password"`,
/// …), `code` (`"SECRET_TOO_SHORT"`, …) and the sentence as `message`, which never
/// holds secret material.
pub(crate) fn otpkit_error(e: &FacadeError) -> JsValue {
    let err = js_sys::Error::new(&e.detail_in(OptionName::camel_case));
    err.set_name("OtpkitError");
    set(&err, "category", &JsValue::from_str(e.category.name()));
    set(&err, "code", &JsValue::from_str(e.reason.as_str()));
    err.into()
}

/// `?` from a facade result into a JS exception.
pub(crate) fn js<T>(r: Result<T, FacadeError>) -> Result<T, JsValue> {
    r.map_err(|e| otpkit_error(&e))
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

/// A new plain object.
pub(crate) fn object() -> JsValue {
    js_sys::Object::new().into()
}

thread_local! {
    /// `function () { return this.message }`, the `toString` of every record.
    static TO_STRING: js_sys::Function = js_sys::Function::new_no_args("return this.message;");
}

/// A new plain object with a `message` that it prints as (through a non-enumerable
/// `toString`, so `deepEqual` and `JSON.stringify` see only the data).
pub(crate) fn record(message: &str) -> JsValue {
    let obj = object();
    set(&obj, "message", &JsValue::from_str(message));
    hidden(&obj, "toString", &TO_STRING.with(|f| f.clone().into()));
    obj
}

/// A new plain object that prints as `message`, which is not one of its
/// enumerable fields (a code's match: `{ step, offset }`).
pub(crate) fn quiet_record(message: &str) -> JsValue {
    let obj = object();
    hidden(&obj, "message", &JsValue::from_str(message));
    hidden(&obj, "toString", &TO_STRING.with(|f| f.clone().into()));
    obj
}

/// Defines a non-enumerable data property (on a new plain object: cannot fail).
fn hidden(obj: &JsValue, key: &str, value: &JsValue) {
    let descriptor = object();
    set(&descriptor, "value", value);
    let _ = js_sys::Object::define_property(
        obj.unchecked_ref::<js_sys::Object>(),
        &JsValue::from_str(key),
        descriptor.unchecked_ref::<js_sys::Object>(),
    );
}

use wasm_bindgen::JsCast;
