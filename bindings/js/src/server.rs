//! The server side: [`Verifier`] over the stored state string.
//!
//! Kept to a thin mapping of `otpkit::verifier`: each method converts its arguments,
//! calls the core once and converts the result.

use otpkit::verifier::{self as core, DeviceState, Outcome};
use wasm_bindgen::prelude::*;

use crate::error::{core_error, kind, set};
use crate::num::{from_i64, from_u64, to_u64};
use crate::{Hotp, Totp};

#[wasm_bindgen(typescript_custom_section)]
const TS_SERVER: &str = r#"
/** What a sign-in attempt came to. Only `accepted` lets the user in. */
export interface Outcome {
  /** "accepted", "invalid", "replayed", "locked", "malformed" or "error" (the core's variant). */
  kind: string;
  /** Whether the user may sign in. */
  accepted: boolean;
  /** The core's sentence for it; never secret material. */
  message: string;
  /** Accepted: the TOTP time step or HOTP counter of the code (bigint: HOTP counters are u64). */
  step?: bigint;
  /** Accepted: the device's clock offset in steps (TOTP) or skipped counters (HOTP). */
  drift?: number;
  /** Locked: when the lock-out ends, Unix seconds; Infinity until an administrator clears it. */
  until?: number;
}
/** A sign-in attempt: the outcome and the state to store (whatever the outcome). */
export interface Verification {
  outcome: Outcome;
  /** The new state string; store it with compare-and-swap on the old one. */
  state: string;
}
"#;

/// Enrols, signs in and resynchronises one device under the core's default policy.
/// Every method is pure: it takes the stored state string and returns the new one.
#[wasm_bindgen]
pub struct Verifier(core::Verifier);

fn state(text: &str) -> Result<DeviceState, JsValue> {
    DeviceState::decode(text).map_err(|e| core_error("StateError", &e))
}

fn until(t: u64) -> Result<f64, JsValue> {
    if t == u64::MAX {
        Ok(f64::INFINITY)
    } else {
        from_u64(t, "until")
    }
}

fn outcome(o: &Outcome) -> Result<JsValue, JsValue> {
    let obj: JsValue = js_sys::Object::new().into();
    set(&obj, "kind", &JsValue::from_str(&kind(o)));
    set(&obj, "accepted", &JsValue::from_bool(o.is_accepted()));
    set(&obj, "message", &JsValue::from_str(&o.to_string()));
    match *o {
        Outcome::Accepted { step, drift } => {
            set(&obj, "step", &JsValue::from(step));
            set(&obj, "drift", &from_i64(drift, "drift")?.into());
        }
        Outcome::Locked { until: t } => set(&obj, "until", &until(t)?.into()),
        _ => {}
    }
    Ok(obj)
}

#[wasm_bindgen]
impl Verifier {
    /// A verifier for a TOTP device.
    pub fn totp(totp: &Totp) -> Verifier {
        Verifier(core::Verifier::totp(
            totp.0.clone(),
            core::Policy::default(),
        ))
    }

    /// A verifier for an HOTP device.
    pub fn hotp(hotp: &Hotp) -> Verifier {
        Verifier(core::Verifier::hotp(
            hotp.0.clone(),
            core::Policy::default(),
        ))
    }

    /// Enrolment: two consecutive codes typed from the device at `now` (Unix
    /// seconds). Returns the state string to store; throws an `EnrollError`.
    pub fn enroll(&self, code1: &str, code2: &str, now: f64) -> Result<String, JsValue> {
        let now = to_u64(now, "now")?;
        self.0
            .enroll(code1, code2, now)
            .map(|s| s.encode())
            .map_err(|e| core_error("EnrollError", &e))
    }

    /// Sign-in with one code at `now`. Throws only for an unreadable state string
    /// (`StateError`); every attempt otherwise returns an outcome and a new state.
    #[wasm_bindgen(unchecked_return_type = "Verification")]
    pub fn verify(&self, state: &str, code: &str, now: f64) -> Result<JsValue, JsValue> {
        let (old, now) = (self::state(state)?, to_u64(now, "now")?);
        let (o, new) = self.0.verify(&old, code, now);
        let obj: JsValue = js_sys::Object::new().into();
        set(&obj, "outcome", &outcome(&o)?);
        set(&obj, "state", &JsValue::from_str(&new.encode()));
        Ok(obj)
    }

    /// Resynchronisation with two consecutive codes at `now`: the new state string.
    /// Throws a `ResyncError` whose `countsAsFailure` says whether to store
    /// `recordFailure(state, now)`.
    pub fn resync(
        &self,
        state: &str,
        code1: &str,
        code2: &str,
        now: f64,
    ) -> Result<String, JsValue> {
        let (old, now) = (self::state(state)?, to_u64(now, "now")?);
        self.0
            .resync(&old, code1, code2, now)
            .map(|s| s.encode())
            .map_err(|e| {
                let err = core_error("ResyncError", &e);
                set(
                    &err,
                    "countsAsFailure",
                    &JsValue::from_bool(e.counts_as_failure()),
                );
                err
            })
    }

    /// The state with one more failed attempt at `now` (for failed resyncs).
    #[wasm_bindgen(js_name = recordFailure)]
    pub fn record_failure(&self, state: &str, now: f64) -> Result<String, JsValue> {
        let (old, now) = (self::state(state)?, to_u64(now, "now")?);
        Ok(self.0.record_failure(&old, now).encode())
    }
}
