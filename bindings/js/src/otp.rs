//! Code generators: [`Totp`], [`Hotp`] and [`SteamGuard`], with stateless checks
//! whose wrong code is `null`, never an exception.

use otpkit_facade::generators as fg;
use otpkit_facade::records::CodeMatch;
use wasm_bindgen::prelude::*;

use crate::Secret;
use crate::args::{
    counter, from_i64, from_u64, opt_string, opt_u8, opt_u32, opt_u64, string, u64_arg,
};
use crate::error::{code_match, js, otpkit_error};

#[wasm_bindgen(typescript_custom_section)]
const TS_OTP: &str = r#"
/** The HMAC hash function. The core also reads "sha-256" and other spellings. */
export type Algorithm = "SHA1" | "SHA256" | "SHA512";
/** Which TOTP or Steam time step a verified code matched; prints as a sentence. */
export interface TotpMatch {
  /** The matched time step. Store it: a code at or before it must not be accepted again. */
  step: number;
  /** The matched step minus the expected one: negative when the device is behind. */
  offset: number;
}
/** Which HOTP counter a verified code matched; prints as a sentence. */
export interface HotpMatch {
  /** The matched counter. The next expected counter is `step + 1n`. */
  step: bigint;
  /** The matched counter minus the one asked for. */
  offset: number;
}
"#;

/// `{ step: number, offset: number }` for a time-based match, or `null`.
fn time_match(m: Option<CodeMatch>) -> Result<JsValue, JsValue> {
    let Some(m) = m else { return Ok(JsValue::NULL) };
    let step = JsValue::from_f64(from_u64(m.step, "step")?);
    code_match(&m.to_string(), &step, from_i64(m.offset, "offset")?)
}

#[wasm_bindgen]
extern "C" {
    // `String.fromCharCode` with one argument per digit: a code's string made from
    // its digits in one call, cheaper than a UTF-8 decode of the same bytes.
    #[wasm_bindgen(js_namespace = String, js_name = fromCharCode)]
    fn chars6(a: u8, b: u8, c: u8, d: u8, e: u8, f: u8) -> js_sys::JsString;
    #[wasm_bindgen(js_namespace = String, js_name = fromCharCode)]
    fn chars7(a: u8, b: u8, c: u8, d: u8, e: u8, f: u8, g: u8) -> js_sys::JsString;
    #[wasm_bindgen(js_namespace = String, js_name = fromCharCode)]
    fn chars8(a: u8, b: u8, c: u8, d: u8, e: u8, f: u8, g: u8, h: u8) -> js_sys::JsString;
    #[wasm_bindgen(js_namespace = String, js_name = fromCharCode)]
    fn chars9(a: u8, b: u8, c: u8, d: u8, e: u8, f: u8, g: u8, h: u8, i: u8) -> js_sys::JsString;
    #[wasm_bindgen(js_namespace = String, js_name = fromCharCode)]
    fn chars10(
        a: u8,
        b: u8,
        c: u8,
        d: u8,
        e: u8,
        f: u8,
        g: u8,
        h: u8,
        i: u8,
        j: u8,
    ) -> js_sys::JsString;
}

/// A code as a JS string, zero-padded (6 to 10 ASCII digits from the core's
/// `Code::text`).
fn code_string(code: &otpkit::Code) -> js_sys::JsString {
    let text = code.text();
    match *text.as_str().as_bytes() {
        [a, b, c, d, e, f] => chars6(a, b, c, d, e, f),
        [a, b, c, d, e, f, g] => chars7(a, b, c, d, e, f, g),
        [a, b, c, d, e, f, g, h] => chars8(a, b, c, d, e, f, g, h),
        [a, b, c, d, e, f, g, h, i] => chars9(a, b, c, d, e, f, g, h, i),
        [a, b, c, d, e, f, g, h, i, j] => chars10(a, b, c, d, e, f, g, h, i, j),
        // Codes have 6 to 10 digits; any other length would still print right.
        _ => js_sys::JsString::from(text.as_str()),
    }
}

/// The current Unix time in whole seconds, from `Date.now()`.
#[wasm_bindgen(js_name = unixNow)]
pub fn unix_now() -> f64 {
    (js_sys::Date::now() / 1000.0).floor()
}

fn now() -> u64 {
    // `Date.now()` is a whole, non-negative, safe number of milliseconds.
    unix_now().max(0.0) as u64
}

/// A time-based generator (RFC 6238). The key is absorbed once at construction.
#[wasm_bindgen]
pub struct Totp(pub(crate) otpkit::Totp);

#[wasm_bindgen]
impl Totp {
    /// A generator for `secret`: `algorithm` (default `"SHA1"`), `digits` 6 to 10
    /// (default 6), `period` in seconds (default 30), `t0` the Unix time steps are
    /// counted from (default 0).
    #[wasm_bindgen(constructor)]
    pub fn new(
        secret: &Secret,
        #[wasm_bindgen(unchecked_optional_param_type = "Algorithm")] algorithm: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] digits: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] period: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] t0: JsValue,
    ) -> Result<Totp, JsValue> {
        let algorithm = opt_string(&algorithm, "algorithm")?;
        let digits = opt_u8(&digits, "digits")?;
        let period = opt_u64(&period, "period")?;
        let t0 = opt_u64(&t0, "t0")?;
        js(fg::totp(
            &secret.0,
            algorithm.as_deref(),
            digits,
            period,
            t0,
        ))
        .map(Totp)
    }

    /// The code for a Unix time in seconds, zero-padded.
    #[wasm_bindgen(js_name = codeAt)]
    pub fn code_at(
        &self,
        #[wasm_bindgen(js_name = unixTime, unchecked_param_type = "number")] unix_time: JsValue,
    ) -> Result<js_sys::JsString, JsValue> {
        let t = u64_arg(&unix_time, "unixTime")?;
        self.at(t)
    }

    fn at(&self, t: u64) -> Result<js_sys::JsString, JsValue> {
        self.0
            .code_at(t)
            .map(|c| code_string(&c))
            .map_err(|e| otpkit_error(&e.into()))
    }

    /// The code for now (`Date.now()`).
    #[wasm_bindgen(js_name = codeNow)]
    pub fn code_now(&self) -> Result<js_sys::JsString, JsValue> {
        self.at(now())
    }

    /// The code of a time step.
    #[wasm_bindgen(js_name = codeAtStep)]
    pub fn code_at_step(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] step: JsValue,
    ) -> Result<js_sys::JsString, JsValue> {
        Ok(code_string(&self.0.code_at_step(u64_arg(&step, "step")?)))
    }

    /// Seconds until the code shown at `unixTime` changes: 1 to the period.
    #[wasm_bindgen(js_name = secondsLeft)]
    pub fn seconds_left(
        &self,
        #[wasm_bindgen(js_name = unixTime, unchecked_param_type = "number")] unix_time: JsValue,
    ) -> Result<f64, JsValue> {
        let t = u64_arg(&unix_time, "unixTime")?;
        let left = self
            .0
            .seconds_left(t)
            .map_err(|e| otpkit_error(&e.into()))?;
        from_u64(left, "seconds left")
    }

    /// The time step of a Unix time.
    #[wasm_bindgen(js_name = stepAt)]
    pub fn step_at(
        &self,
        #[wasm_bindgen(js_name = unixTime, unchecked_param_type = "number")] unix_time: JsValue,
    ) -> Result<f64, JsValue> {
        let t = u64_arg(&unix_time, "unixTime")?;
        let step = self.0.step_at(t).map_err(|e| otpkit_error(&e.into()))?;
        from_u64(step, "step")
    }

    /// Checks a typed code against the steps from `behind` (default 1) before to
    /// `ahead` (default 1) after the step of `unixTime`, in constant time: the match,
    /// or `null` for a wrong or malformed code. Stateless: it does not stop replays;
    /// servers use `Verifier`, which does. Each side is at most 120 steps (an
    /// `OtpkitError` with code `WINDOW_TOO_LARGE` otherwise).
    #[wasm_bindgen(unchecked_return_type = "TotpMatch | null")]
    pub fn verify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
        #[wasm_bindgen(js_name = unixTime, unchecked_param_type = "number")] unix_time: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] behind: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] ahead: JsValue,
    ) -> Result<JsValue, JsValue> {
        let code = string(&code, "code")?;
        let t = u64_arg(&unix_time, "unixTime")?;
        let (behind, ahead) = (opt_u32(&behind, "behind")?, opt_u32(&ahead, "ahead")?);
        time_match(js(fg::totp_verify(&self.0, &code, t, behind, ahead))?)
    }

    /// `verify` at now (`Date.now()`).
    #[wasm_bindgen(js_name = verifyNow, unchecked_return_type = "TotpMatch | null")]
    pub fn verify_now(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] behind: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] ahead: JsValue,
    ) -> Result<JsValue, JsValue> {
        self.verify(code, JsValue::from(unix_now()), behind, ahead)
    }

    /// The hash function.
    #[wasm_bindgen(getter, unchecked_return_type = "Algorithm")]
    pub fn algorithm(&self) -> String {
        self.0.algorithm().to_string()
    }

    /// The number of digits in a code.
    #[wasm_bindgen(getter)]
    pub fn digits(&self) -> u8 {
        self.0.digits().get()
    }

    /// The period in seconds.
    #[wasm_bindgen(getter)]
    pub fn period(&self) -> Result<f64, JsValue> {
        from_u64(self.0.period().seconds(), "period")
    }

    /// The Unix time steps are counted from.
    #[wasm_bindgen(getter)]
    pub fn t0(&self) -> Result<f64, JsValue> {
        from_u64(self.0.t0(), "t0")
    }

    /// The settings, never the secret: `Totp(SHA1, 6 digits, 30 s, t0 0)`.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_js_string(&self) -> String {
        format!(
            "Totp({}, {} digits, {} s, t0 {})",
            self.0.algorithm(),
            self.0.digits().get(),
            self.0.period().seconds(),
            self.0.t0()
        )
    }
}

/// A counter-based generator (RFC 4226). Counters are `bigint`.
#[wasm_bindgen]
pub struct Hotp(pub(crate) otpkit::Hotp);

#[wasm_bindgen]
impl Hotp {
    /// A generator for `secret`: `algorithm` (default `"SHA1"`), `digits` 6 to 10
    /// (default 6).
    #[wasm_bindgen(constructor)]
    pub fn new(
        secret: &Secret,
        #[wasm_bindgen(unchecked_optional_param_type = "Algorithm")] algorithm: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] digits: JsValue,
    ) -> Result<Hotp, JsValue> {
        let algorithm = opt_string(&algorithm, "algorithm")?;
        let digits = opt_u8(&digits, "digits")?;
        js(fg::hotp(&secret.0, algorithm.as_deref(), digits)).map(Hotp)
    }

    /// The code at a counter value (a `bigint` from 0 to 2^64 − 1), zero-padded.
    pub fn code(
        &self,
        #[wasm_bindgen(unchecked_param_type = "bigint")] counter: JsValue,
    ) -> Result<js_sys::JsString, JsValue> {
        Ok(code_string(
            &self.0.code(self::counter(&counter, "counter")?),
        ))
    }

    /// Checks a typed code against counters `counter` to `counter + lookAhead`
    /// (default 0, at most 1000), in constant time: the match, or `null` for a wrong
    /// or malformed code. Stateless: the caller must move its counter past the match
    /// (or use `Verifier`).
    #[wasm_bindgen(unchecked_return_type = "HotpMatch | null")]
    pub fn verify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
        #[wasm_bindgen(unchecked_param_type = "bigint")] counter: JsValue,
        #[wasm_bindgen(js_name = lookAhead, unchecked_optional_param_type = "number")]
        look_ahead: JsValue,
    ) -> Result<JsValue, JsValue> {
        let code = string(&code, "code")?;
        let counter = self::counter(&counter, "counter")?;
        let look_ahead = opt_u32(&look_ahead, "lookAhead")?;
        let Some(m) = js(fg::hotp_verify(&self.0, &code, counter, look_ahead))? else {
            return Ok(JsValue::NULL);
        };
        code_match(
            &m.to_string(),
            &JsValue::from(m.step),
            from_i64(m.offset, "offset")?,
        )
    }

    /// The hash function.
    #[wasm_bindgen(getter, unchecked_return_type = "Algorithm")]
    pub fn algorithm(&self) -> String {
        self.0.algorithm().to_string()
    }

    /// The number of digits in a code.
    #[wasm_bindgen(getter)]
    pub fn digits(&self) -> u8 {
        self.0.digits().get()
    }

    /// The settings, never the secret: `Hotp(SHA1, 6 digits)`.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_js_string(&self) -> String {
        format!(
            "Hotp({}, {} digits)",
            self.0.algorithm(),
            self.0.digits().get()
        )
    }
}

/// A Steam Guard generator: five characters from Steam's alphabet, HMAC-SHA1, 30 s.
#[wasm_bindgen]
pub struct SteamGuard(pub(crate) otpkit::steam::SteamGuard);

#[wasm_bindgen]
impl SteamGuard {
    /// A generator for `secret`.
    #[wasm_bindgen(constructor)]
    pub fn new(secret: &Secret) -> SteamGuard {
        SteamGuard(otpkit::steam::SteamGuard::new(&secret.0))
    }

    /// The code for a Unix time in seconds.
    #[wasm_bindgen(js_name = codeAt)]
    pub fn code_at(
        &self,
        #[wasm_bindgen(js_name = unixTime, unchecked_param_type = "number")] unix_time: JsValue,
    ) -> Result<String, JsValue> {
        let t = u64_arg(&unix_time, "unixTime")?;
        self.at(t)
    }

    fn at(&self, t: u64) -> Result<String, JsValue> {
        self.0
            .code_at(t)
            .map(|c| c.to_string())
            .map_err(|e| otpkit_error(&e.into()))
    }

    /// The code for now (`Date.now()`).
    #[wasm_bindgen(js_name = codeNow)]
    pub fn code_now(&self) -> Result<String, JsValue> {
        self.at(now())
    }

    /// Seconds until the code shown at `unixTime` changes: 1 to 30.
    #[wasm_bindgen(js_name = secondsLeft)]
    pub fn seconds_left(
        &self,
        #[wasm_bindgen(js_name = unixTime, unchecked_param_type = "number")] unix_time: JsValue,
    ) -> Result<f64, JsValue> {
        let t = u64_arg(&unix_time, "unixTime")?;
        from_u64(self.0.seconds_left(t), "seconds left")
    }

    /// Checks a typed code (any case) against the steps from `behind` (default 1)
    /// before to `ahead` (default 1) after the step of `unixTime`, each at most 120:
    /// the match, or `null`. Stateless.
    #[wasm_bindgen(unchecked_return_type = "TotpMatch | null")]
    pub fn verify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
        #[wasm_bindgen(js_name = unixTime, unchecked_param_type = "number")] unix_time: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] behind: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] ahead: JsValue,
    ) -> Result<JsValue, JsValue> {
        let code = string(&code, "code")?;
        let t = u64_arg(&unix_time, "unixTime")?;
        let (behind, ahead) = (opt_u32(&behind, "behind")?, opt_u32(&ahead, "ahead")?);
        time_match(js(fg::steam_verify(&self.0, &code, t, behind, ahead))?)
    }

    /// `SteamGuard(SHA1, 5 characters, 30 s)`: the settings, never the secret.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_js_string(&self) -> String {
        "SteamGuard(SHA1, 5 characters, 30 s)".to_owned()
    }
}
