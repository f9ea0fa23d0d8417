//! The server side: [`Verifier`] over the stored state string.
//!
//! Kept to a thin mapping of `otpkit::verifier`: each method converts its arguments,
//! calls the core once and converts the result.

use otpkit::verifier::{self as core, DeviceState, EnrollOutcome, Outcome, ResyncOutcome};
use wasm_bindgen::prelude::*;

use crate::error::{core_error, kind, set};
use crate::num::{from_i64, from_u64, to_counter, to_u64};
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
/** What an enrolment attempt came to. */
export interface EnrollOutcome {
  /** "enrolled", "needNextCode" or "rejected". */
  kind: string;
  /** Whether the device is enrolled and ready for sign-ins. */
  enrolled: boolean;
  /** The core's sentence for it; never secret material. */
  message: string;
  /** Rejected: the core's reason in camelCase ("firstCodeNotFound", "sameCodeTwice", "locked", ...). */
  reason?: string;
  /** Enrolled: the step (TOTP) or counter (HOTP) of the last code accepted. */
  step?: bigint;
  /** Enrolled: the drift learned, in steps (TOTP). */
  drift?: number;
}
/** An enrolment attempt: the outcome and the state to store (whatever the outcome). */
export interface Enrollment {
  outcome: EnrollOutcome;
  /** The new state string: pending until `outcome.enrolled`; store it every time. */
  state: string;
}
/** What a resynchronisation came to. */
export interface ResyncOutcome {
  /** "resynced" or "rejected". */
  kind: string;
  /** Whether the device is in sync again. */
  resynced: boolean;
  /** The core's sentence for it; never secret material. */
  message: string;
  /** Rejected: the core's reason in camelCase ("rejected", "sameCodeTwice", "locked", ...). */
  reason?: string;
  /** Resynced: the step (TOTP) or counter (HOTP) of the second code. */
  step?: bigint;
  /** Resynced: the drift learned, in steps (TOTP). */
  drift?: number;
  /** Locked: when the lock-out ends, Unix seconds; Infinity until an administrator clears it. */
  until?: number;
}
/** A resynchronisation: the outcome and the state to store (a refusal is a counted failure). */
export interface Resynchronisation {
  outcome: ResyncOutcome;
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

fn enroll_outcome(o: &EnrollOutcome) -> Result<JsValue, JsValue> {
    let obj: JsValue = js_sys::Object::new().into();
    set(&obj, "kind", &JsValue::from_str(&kind(o)));
    set(&obj, "enrolled", &JsValue::from_bool(o.is_enrolled()));
    set(&obj, "message", &JsValue::from_str(&o.to_string()));
    match o {
        EnrollOutcome::Enrolled { step, drift } => {
            set(&obj, "step", &JsValue::from(*step));
            set(&obj, "drift", &from_i64(*drift, "drift")?.into());
        }
        EnrollOutcome::Rejected(e) => set(&obj, "reason", &JsValue::from_str(&kind(e))),
        _ => {}
    }
    Ok(obj)
}

fn resync_outcome(o: &ResyncOutcome) -> Result<JsValue, JsValue> {
    let obj: JsValue = js_sys::Object::new().into();
    set(&obj, "kind", &JsValue::from_str(&kind(o)));
    set(&obj, "resynced", &JsValue::from_bool(o.is_resynced()));
    set(&obj, "message", &JsValue::from_str(&o.to_string()));
    match o {
        ResyncOutcome::Resynced { step, drift } => {
            set(&obj, "step", &JsValue::from(*step));
            set(&obj, "drift", &from_i64(*drift, "drift")?.into());
        }
        ResyncOutcome::Rejected(e) => {
            set(&obj, "reason", &JsValue::from_str(&kind(e)));
            if let core::ResyncError::Locked { until: t } = e {
                set(&obj, "until", &until(*t)?.into());
            }
        }
        // Non-exhaustive in the core: a future outcome still has its kind and message.
        _ => {}
    }
    Ok(obj)
}

/// `{outcome, state}` for a JS caller.
fn pair(outcome: JsValue, state: &DeviceState) -> JsValue {
    let obj: JsValue = js_sys::Object::new().into();
    set(&obj, "outcome", &outcome);
    set(&obj, "state", &JsValue::from_str(&state.encode()));
    obj
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

    /// The pending enrolment to store when the secret is shown: enrolment attempts
    /// are checked (and throttled) against it, so a typo lets the user try again with
    /// the same secret. HOTP: `fromCounter` (a `bigint`, default 0n) is the first
    /// counter accepted, so a re-enrolled token's old codes stay refused.
    #[wasm_bindgen(js_name = beginEnrollment)]
    pub fn begin_enrollment(
        &self,
        #[wasm_bindgen(unchecked_param_type = "bigint | undefined")] from_counter: JsValue,
    ) -> Result<String, JsValue> {
        let state = if from_counter.is_undefined() {
            self.0.begin_enrollment()
        } else if self.0.kind() == core::DeviceKind::Hotp {
            DeviceState::enrolling_hotp(to_counter(from_counter, "fromCounter")?)
        } else {
            return Err(crate::error::type_error(
                "fromCounter is for HOTP devices only",
            ));
        };
        Ok(state.encode())
    }

    /// One enrolment code as the user types it at `now` (Unix seconds): the outcome
    /// (`needNextCode` after a good first code) and the state to store.
    #[wasm_bindgen(js_name = enrollCode, unchecked_return_type = "Enrollment")]
    pub fn enroll_code(&self, state: &str, code: &str, now: f64) -> Result<JsValue, JsValue> {
        let (old, now) = (self::state(state)?, to_u64(now, "now")?);
        let (o, new) = self.0.enroll_code(&old, code, now);
        Ok(pair(enroll_outcome(&o)?, &new))
    }

    /// Enrolment with two consecutive codes at `now`, from a pending state
    /// (`beginEnrollment()`): the outcome and the state to store, whatever it is.
    #[wasm_bindgen(unchecked_return_type = "Enrollment")]
    pub fn enroll(
        &self,
        state: &str,
        code1: &str,
        code2: &str,
        now: f64,
    ) -> Result<JsValue, JsValue> {
        let (old, now) = (self::state(state)?, to_u64(now, "now")?);
        let (o, new) = self.0.enroll(&old, code1, code2, now);
        Ok(pair(enroll_outcome(&o)?, &new))
    }

    /// Sign-in with one code at `now`. Throws only for an unreadable state string
    /// (`StateError`); every attempt otherwise returns an outcome and a new state.
    #[wasm_bindgen(unchecked_return_type = "Verification")]
    pub fn verify(&self, state: &str, code: &str, now: f64) -> Result<JsValue, JsValue> {
        let (old, now) = (self::state(state)?, to_u64(now, "now")?);
        let (o, new) = self.0.verify(&old, code, now);
        Ok(pair(outcome(&o)?, &new))
    }

    /// Resynchronisation with two consecutive codes at `now`: the outcome and the
    /// state to store, whatever it is (a refused pair is counted as a failure).
    #[wasm_bindgen(unchecked_return_type = "Resynchronisation")]
    pub fn resync(
        &self,
        state: &str,
        code1: &str,
        code2: &str,
        now: f64,
    ) -> Result<JsValue, JsValue> {
        let (old, now) = (self::state(state)?, to_u64(now, "now")?);
        let (o, new) = self.0.resync(&old, code1, code2, now);
        Ok(pair(resync_outcome(&o)?, &new))
    }
}
