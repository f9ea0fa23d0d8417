//! Errors as JS `Error`s: the facade's category and code, and its sentence with
//! options spelled as JS spells them.

use otpkit_facade::{FacadeError, OptionName};
use wasm_bindgen::{JsCast, JsValue};

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

/// What every record shares, made once: the names its hidden properties are set
/// under (each `JsValue::from_str` is a UTF-8 decode in JS, so a name made per call
/// costs more than the property) and the descriptor of its `toString`.
struct Shared {
    message: JsValue,
    to_string: JsValue,
    value: JsValue,
    /// `{ value: function () { return this.message } }`.
    to_string_descriptor: js_sys::Object,
}

impl Shared {
    fn new() -> Shared {
        let to_string_descriptor = js_sys::Object::new();
        let value = JsValue::from_str("value");
        let _ = js_sys::Reflect::set(
            &to_string_descriptor,
            &value,
            &js_sys::Function::new_no_args("return this.message;"),
        );
        Shared {
            message: JsValue::from_str("message"),
            to_string: JsValue::from_str("toString"),
            value,
            to_string_descriptor,
        }
    }

    /// Defines the non-enumerable `message` and `toString` (a new plain object is
    /// extensible and has neither, so this cannot fail).
    fn hide_message(&self, obj: &js_sys::Object, message: &str) {
        let descriptor = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&descriptor, &self.value, &JsValue::from_str(message));
        let _ = js_sys::Object::define_property(obj, &self.message, &descriptor);
        let _ = js_sys::Object::define_property(obj, &self.to_string, &self.to_string_descriptor);
    }
}

thread_local! {
    static SHARED: Shared = Shared::new();
}

/// A new plain object with a `message` that it prints as (through a non-enumerable
/// `toString`, so `deepEqual` and `JSON.stringify` see only the data).
pub(crate) fn record(message: &str) -> JsValue {
    SHARED.with(|s| {
        let obj = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&obj, &s.message, &JsValue::from_str(message));
        let _ = js_sys::Object::define_property(&obj, &s.to_string, &s.to_string_descriptor);
        obj.into()
    })
}

/// A new plain object that prints as `message`, which is not one of its
/// enumerable fields (a code's match: `{ step, offset }`).
pub(crate) fn quiet_record(message: &str) -> JsValue {
    SHARED.with(|s| {
        let obj = js_sys::Object::new();
        s.hide_message(&obj, message);
        obj.into()
    })
}

/// A code's match, `{ step, offset }`, printing as `message`: made by one JS
/// function, where the object literal takes V8's fast path (the same object built
/// property by property from wasm cost several times as much).
pub(crate) fn code_match(message: &str, step: &JsValue, offset: f64) -> Result<JsValue, JsValue> {
    MAKE_MATCH.with(|make| {
        make.call3(
            &JsValue::UNDEFINED,
            step,
            &JsValue::from_f64(offset),
            &JsValue::from_str(message),
        )
    })
}

thread_local! {
    /// `(step, offset, message) => { step, offset }` with `message` and `toString`
    /// hidden, as `quiet_record` hides them.
    static MAKE_MATCH: js_sys::Function = SHARED.with(|s| {
        js_sys::Function::new_with_args(
            "toString",
            "return function (step, offset, message) {\n\
               const m = { step, offset };\n\
               Object.defineProperty(m, 'message', { value: message });\n\
               Object.defineProperty(m, 'toString', toString);\n\
               return m;\n\
             };",
        )
        .call1(&JsValue::UNDEFINED, &s.to_string_descriptor)
        .map(JsCast::unchecked_into)
        .unwrap_or_else(|_| js_sys::Function::new_no_args("throw new Error('otpkit: the constructor of matches could not be made');"))
    });
}
