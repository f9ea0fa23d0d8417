//! Code generators: [`Totp`], [`Hotp`] and [`SteamGuard`], with stateless checks.

use wasm_bindgen::prelude::*;

use crate::Secret;
use crate::error::{core_error, set};
use crate::num::{from_i64, from_u64, to_counter, to_u8, to_u32, to_u64};

#[wasm_bindgen(typescript_custom_section)]
const TS_OTP: &str = r#"
/** The HMAC hash function. The core also reads "sha-256" and other spellings. */
export type Algorithm = "SHA1" | "SHA256" | "SHA512";
/** Which TOTP or Steam time step a verified code matched. */
export interface TotpMatch {
  /** The matched time step. Store it: a code at or before it must not be accepted again. */
  step: number;
  /** The matched step minus the expected one: negative when the device is behind. */
  offset: number;
}
/** Which HOTP counter a verified code matched. */
export interface HotpMatch {
  /** The matched counter. The next expected counter is `step + 1n`. */
  step: bigint;
  /** The matched counter minus the one asked for. */
  offset: number;
}
"#;

/// The core algorithm for a JS name; `None` is SHA-1.
pub(crate) fn algorithm(name: Option<String>) -> Result<otpkit::Algorithm, JsValue> {
    match name {
        None => Ok(otpkit::Algorithm::Sha1),
        Some(name) => name
            .parse::<otpkit::Algorithm>()
            .map_err(|e| core_error("AlgorithmError", &e)),
    }
}

fn digits(n: Option<f64>) -> Result<otpkit::Digits, JsValue> {
    match n {
        None => Ok(otpkit::Digits::SIX),
        Some(n) => {
            otpkit::Digits::new(to_u8(n, "digits")?).map_err(|e| core_error("DigitsError", &e))
        }
    }
}

fn window(behind: Option<f64>, ahead: Option<f64>) -> Result<otpkit::Window, JsValue> {
    let default = otpkit::Window::default();
    let behind = behind.map_or(Ok(default.behind()), |b| to_u32(b, "behind"))?;
    let ahead = ahead.map_or(Ok(default.ahead()), |a| to_u32(a, "ahead"))?;
    otpkit::Window::new(behind, ahead).map_err(|e| core_error("WindowError", &e))
}

fn time_error(e: otpkit::TimeError) -> JsValue {
    core_error("TimeError", &e)
}

fn verify_error(e: otpkit::VerifyError) -> JsValue {
    core_error("VerifyError", &e)
}

/// `{ step: number, offset: number }` for a time-based match.
fn time_match(m: otpkit::Match) -> Result<JsValue, JsValue> {
    let obj: JsValue = js_sys::Object::new().into();
    set(&obj, "step", &from_u64(m.step, "step")?.into());
    set(&obj, "offset", &from_i64(m.offset, "offset")?.into());
    Ok(obj)
}

/// The current Unix time in whole seconds, from `Date.now()`.
#[wasm_bindgen(js_name = unixNow)]
pub fn unix_now() -> f64 {
    (js_sys::Date::now() / 1000.0).floor()
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
        #[wasm_bindgen(unchecked_optional_param_type = "Algorithm")] algorithm: Option<String>,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] digits: Option<f64>,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] period: Option<f64>,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] t0: Option<f64>,
    ) -> Result<Totp, JsValue> {
        let period = match period {
            None => otpkit::Period::DEFAULT,
            Some(p) => otpkit::Period::new(to_u64(p, "period")?).map_err(time_error)?,
        };
        let t0 = t0.map_or(Ok(0), |t| to_u64(t, "t0"))?;
        let totp = otpkit::Totp::new(
            &secret.0,
            self::algorithm(algorithm)?,
            self::digits(digits)?,
            period,
        )
        .with_t0(t0);
        Ok(Totp(totp))
    }

    /// The code for a Unix time in seconds, zero-padded.
    #[wasm_bindgen(js_name = codeAt)]
    pub fn code_at(
        &self,
        #[wasm_bindgen(js_name = unixTime)] unix_time: f64,
    ) -> Result<String, JsValue> {
        let t = to_u64(unix_time, "unixTime")?;
        Ok(self.0.code_at(t).map_err(time_error)?.to_string())
    }

    /// The code for now (`Date.now()`).
    #[wasm_bindgen(js_name = codeNow)]
    pub fn code_now(&self) -> Result<String, JsValue> {
        self.code_at(unix_now())
    }

    /// The code of a time step.
    #[wasm_bindgen(js_name = codeAtStep)]
    pub fn code_at_step(&self, step: f64) -> Result<String, JsValue> {
        Ok(self.0.code_at_step(to_u64(step, "step")?).to_string())
    }

    /// Seconds until the code shown at `unixTime` changes: 1 to the period.
    #[wasm_bindgen(js_name = secondsLeft)]
    pub fn seconds_left(
        &self,
        #[wasm_bindgen(js_name = unixTime)] unix_time: f64,
    ) -> Result<f64, JsValue> {
        let t = to_u64(unix_time, "unixTime")?;
        from_u64(self.0.seconds_left(t).map_err(time_error)?, "seconds left")
    }

    /// The time step of a Unix time.
    #[wasm_bindgen(js_name = stepAt)]
    pub fn step_at(
        &self,
        #[wasm_bindgen(js_name = unixTime)] unix_time: f64,
    ) -> Result<f64, JsValue> {
        let t = to_u64(unix_time, "unixTime")?;
        from_u64(self.0.step_at(t).map_err(time_error)?, "step")
    }

    /// Checks a typed code against the steps from `behind` (default 1) before to
    /// `ahead` (default 1) after the step of `unixTime`, in constant time. Stateless:
    /// it does not stop replays; servers use `Verifier`, which does. Each side is at
    /// most 120 steps (a `WindowError` otherwise): every step lets one more random
    /// 6-digit guess in a million through.
    #[wasm_bindgen(unchecked_return_type = "TotpMatch")]
    pub fn verify(
        &self,
        code: &str,
        #[wasm_bindgen(js_name = unixTime)] unix_time: f64,
        behind: Option<f64>,
        ahead: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let t = to_u64(unix_time, "unixTime")?;
        let m = self
            .0
            .verify(code, t, window(behind, ahead)?)
            .map_err(verify_error)?;
        time_match(m)
    }

    /// `verify` at now (`Date.now()`).
    #[wasm_bindgen(js_name = verifyNow, unchecked_return_type = "TotpMatch")]
    pub fn verify_now(
        &self,
        code: &str,
        behind: Option<f64>,
        ahead: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        self.verify(code, unix_now(), behind, ahead)
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
        #[wasm_bindgen(unchecked_optional_param_type = "Algorithm")] algorithm: Option<String>,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] digits: Option<f64>,
    ) -> Result<Hotp, JsValue> {
        Ok(Hotp(otpkit::Hotp::new(
            &secret.0,
            self::algorithm(algorithm)?,
            self::digits(digits)?,
        )))
    }

    /// The code at a counter value (a `bigint` from 0 to 2^64 − 1), zero-padded.
    pub fn code(
        &self,
        #[wasm_bindgen(unchecked_param_type = "bigint")] counter: JsValue,
    ) -> Result<String, JsValue> {
        Ok(self.0.code(to_counter(counter, "counter")?).to_string())
    }

    /// Checks a typed code against counters `counter` to `counter + lookAhead`
    /// (default 0, at most 1000: a `VerifyError` of kind `window` otherwise), in
    /// constant time. Stateless: the caller must move its counter past the match (or
    /// use `Verifier`).
    #[wasm_bindgen(unchecked_return_type = "HotpMatch")]
    pub fn verify(
        &self,
        code: &str,
        #[wasm_bindgen(unchecked_param_type = "bigint")] counter: JsValue,
        #[wasm_bindgen(js_name = lookAhead)] look_ahead: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let counter = to_counter(counter, "counter")?;
        let look_ahead = look_ahead.map_or(Ok(0), |l| to_u32(l, "lookAhead"))?;
        let m = self
            .0
            .verify(code, counter, look_ahead)
            .map_err(verify_error)?;
        let obj: JsValue = js_sys::Object::new().into();
        set(&obj, "step", &JsValue::from(m.step));
        set(&obj, "offset", &from_i64(m.offset, "offset")?.into());
        Ok(obj)
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
        #[wasm_bindgen(js_name = unixTime)] unix_time: f64,
    ) -> Result<String, JsValue> {
        let t = to_u64(unix_time, "unixTime")?;
        Ok(self.0.code_at(t).map_err(time_error)?.to_string())
    }

    /// The code for now (`Date.now()`).
    #[wasm_bindgen(js_name = codeNow)]
    pub fn code_now(&self) -> Result<String, JsValue> {
        self.code_at(unix_now())
    }

    /// Seconds until the code shown at `unixTime` changes: 1 to 30.
    #[wasm_bindgen(js_name = secondsLeft)]
    pub fn seconds_left(
        &self,
        #[wasm_bindgen(js_name = unixTime)] unix_time: f64,
    ) -> Result<f64, JsValue> {
        let t = to_u64(unix_time, "unixTime")?;
        from_u64(self.0.seconds_left(t), "seconds left")
    }

    /// Checks a typed code (any case) against the steps from `behind` (default 1)
    /// before to `ahead` (default 1) after the step of `unixTime`, each at most 120
    /// (a `WindowError` otherwise). Stateless.
    #[wasm_bindgen(unchecked_return_type = "TotpMatch")]
    pub fn verify(
        &self,
        code: &str,
        #[wasm_bindgen(js_name = unixTime)] unix_time: f64,
        behind: Option<f64>,
        ahead: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let t = to_u64(unix_time, "unixTime")?;
        let m = self
            .0
            .verify(code, t, window(behind, ahead)?)
            .map_err(verify_error)?;
        time_match(m)
    }
}
