//! The server side: [`Verifier`] over the stored state string, and recovery codes.
//!
//! Each method checks its arguments, calls the facade once and converts the result:
//! a refused code is an outcome with the state to store, an exception only for an
//! argument of the wrong type or a state that cannot be read or does not fit.

use otpkit::verifier::{self as core, Policy};
use otpkit_facade::args::PolicyOptions;
use otpkit_facade::records::{Attempt, AttemptKind};
use otpkit_facade::server as fs;
use wasm_bindgen::prelude::*;

use crate::args::{self, from_i64, from_u64, opt_counter, opt_usize, string, u64_arg};
use crate::error::{js, quiet_record, record, set};
use crate::{Hotp, Totp};

#[wasm_bindgen(typescript_custom_section)]
const TS_SERVER: &str = r#"
/** A verifier policy: the core's default with the settings given, each checked against its bound. */
export interface Policy {
  /** Failures before a lock-out, 1 to 100 (default 5). */
  maxFailures?: number;
  /** The first lock-out's length in seconds. */
  lockoutBaseSecs?: number;
  /** The longest lock-out in seconds. */
  lockoutMaxSecs?: number;
  /**
   * Back-off between attempts: the wait in seconds after the first consecutive failure,
   * doubling with each further one. Off unless this or `backoffMaxSecs` is given; given
   * alone it waits up to the longest lock-out.
   */
  backoffBaseSecs?: number;
  /** Back-off between attempts: the longest wait in seconds; given alone, the first wait is 1 s. */
  backoffMaxSecs?: number;
  /** Sign-in window: steps behind the server's clock. */
  windowBehind?: number;
  /** Sign-in window: steps ahead of the server's clock. */
  windowAhead?: number;
  /** Steps either side searched at enrolment. */
  enrollWindow?: number;
  /** Steps either side searched at resynchronisation. */
  resyncWindow?: number;
  /** HOTP counters searched ahead at sign-in. */
  hotpLookAhead?: number;
  /** HOTP counters searched ahead at resynchronisation. */
  hotpResyncLookAhead?: number;
  /** The largest clock drift learned, in steps. */
  maxDriftSteps?: number;
}
/** What every attempt's outcome has; `String(outcome)` is its message. */
export interface OutcomeBase {
  /** The core's sentence for it; never secret material. */
  message: string;
  /** Why it was refused, a stable code: "CODE_MISMATCH", "REPLAYED", "LOCKED", "CODE_MALFORMED", "FIRST_CODE_NOT_FOUND", "NOT_CONSECUTIVE", "SAME_CODE_TWICE", "REJECTED", ... */
  reason?: string;
  /** Locked: when the lock-out ends, Unix seconds; Infinity until an administrator clears it. */
  until?: number;
}
/** What a sign-in attempt came to. Only `accepted` lets the user in. */
export interface Outcome extends OutcomeBase {
  kind: "accepted" | "rejected";
  /** Whether the user may sign in. */
  accepted: boolean;
  /** Accepted: the TOTP time step or HOTP counter of the code (bigint: HOTP counters are u64). */
  step?: bigint;
  /** Accepted: the device's clock offset in steps (TOTP) or skipped counters (HOTP). */
  drift?: number;
}
/** A sign-in attempt: the outcome and the state to store (whatever the outcome). */
export interface Verification {
  outcome: Outcome;
  /** The new state string; store it with compare-and-swap on the old one. */
  state: string;
}
/** What an enrolment attempt came to. */
export interface EnrollOutcome extends OutcomeBase {
  kind: "enrolled" | "needNextCode" | "rejected";
  /** Whether the device is enrolled and ready for sign-ins. */
  enrolled: boolean;
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
export interface ResyncOutcome extends OutcomeBase {
  kind: "resynced" | "rejected";
  /** Whether the device is in sync again. */
  resynced: boolean;
  /** Resynced: the step (TOTP) or counter (HOTP) of the second code. */
  step?: bigint;
  /** Resynced: the drift learned, in steps (TOTP). */
  drift?: number;
}
/** A resynchronisation: the outcome and the state to store (a refusal is a counted failure). */
export interface Resynchronisation {
  outcome: ResyncOutcome;
  state: string;
}
/** What a recovery code attempt came to. */
export interface RecoveryOutcome extends OutcomeBase {
  kind: "accepted" | "rejected";
  /** Whether the code was accepted (it is then used up). */
  accepted: boolean;
  /** Accepted: the index of the code in its set. */
  index?: number;
  /** The codes left unused. */
  remaining: number;
}
/** A recovery attempt: the outcome and the recovery state to store (whatever the outcome). */
export interface RecoveryAttempt {
  outcome: RecoveryOutcome;
  state: string;
}
/** A new set of recovery codes: show `codes` once, store `state` (hashes only). */
export interface RecoveryCodeSet {
  codes: string[];
  state: string;
}
"#;

/// The JS names of a policy's options, in `PolicyOptions`' order.
const POLICY_OPTIONS: [&str; 12] = [
    "maxFailures",
    "lockoutBaseSecs",
    "lockoutMaxSecs",
    "backoffBaseSecs",
    "backoffMaxSecs",
    "windowBehind",
    "windowAhead",
    "enrollWindow",
    "resyncWindow",
    "hotpLookAhead",
    "hotpResyncLookAhead",
    "maxDriftSteps",
];

/// A policy from an optional options object (see the `Policy` TypeScript type).
pub(crate) fn policy(v: &JsValue) -> Result<Policy, JsValue> {
    args::options(v, "policy", &POLICY_OPTIONS)?;
    let u32_of = |key: &str| args::opt_u32(&args::get(v, key)?, &format!("policy.{key}"));
    let u64_of = |key: &str| args::opt_u64(&args::get(v, key)?, &format!("policy.{key}"));
    let options = PolicyOptions {
        max_failures: u32_of("maxFailures")?,
        lockout_base_secs: u64_of("lockoutBaseSecs")?,
        lockout_max_secs: u64_of("lockoutMaxSecs")?,
        backoff_base_secs: u64_of("backoffBaseSecs")?,
        backoff_max_secs: u64_of("backoffMaxSecs")?,
        window_behind: u32_of("windowBehind")?,
        window_ahead: u32_of("windowAhead")?,
        enroll_window: u32_of("enrollWindow")?,
        resync_window: u32_of("resyncWindow")?,
        hotp_look_ahead: u32_of("hotpLookAhead")?,
        hotp_resync_look_ahead: u32_of("hotpResyncLookAhead")?,
        max_drift_steps: u32_of("maxDriftSteps")?,
    };
    js(otpkit_facade::args::policy(&options))
}

/// A lock-out's end as a JS number: `Infinity` for one an administrator must clear.
pub(crate) fn until(t: u64) -> Result<f64, JsValue> {
    if t == u64::MAX {
        Ok(f64::INFINITY)
    } else {
        from_u64(t, "until")
    }
}

/// An attempt's outcome, shaped as its TypeScript type (`Outcome`, `EnrollOutcome`,
/// `ResyncOutcome`, `RecoveryOutcome`).
pub(crate) fn outcome(a: &Attempt) -> Result<JsValue, JsValue> {
    let outcome = record(&a.message);
    let (flag, ok_kind) = match a.kind {
        AttemptKind::SignIn => ("accepted", "accepted"),
        AttemptKind::Enrollment => ("enrolled", "enrolled"),
        AttemptKind::Resync => ("resynced", "resynced"),
        AttemptKind::Recovery => ("accepted", "accepted"),
    };
    let kind = if a.ok {
        ok_kind
    } else if a.needs_next_code {
        "needNextCode"
    } else {
        "rejected"
    };
    set(&outcome, "kind", &JsValue::from_str(kind));
    set(&outcome, flag, &JsValue::from_bool(a.ok));
    if let Some(reason) = a.reason {
        set(&outcome, "reason", &JsValue::from_str(reason.as_str()));
    }
    if let Some(step) = a.step {
        set(&outcome, "step", &JsValue::from(step));
    }
    if let Some(drift) = a.drift {
        set(&outcome, "drift", &from_i64(drift, "drift")?.into());
    }
    if let Some(t) = a.locked_until {
        set(&outcome, "until", &until(t)?.into());
    }
    if let Some(index) = a.index {
        set(&outcome, "index", &JsValue::from(index as f64));
    }
    if let Some(remaining) = a.remaining {
        set(&outcome, "remaining", &JsValue::from(remaining as f64));
    }
    Ok(outcome)
}

/// `{ outcome, state }` for an attempt.
fn attempt(a: &Attempt) -> Result<JsValue, JsValue> {
    let outcome = outcome(a)?;
    let pair = quiet_record(&a.message);
    set(&pair, "outcome", &outcome);
    set(&pair, "state", &JsValue::from_str(&a.state));
    Ok(pair)
}

/// Enrols, signs in and resynchronises one device under a policy (the core's
/// default, or the options given to `Verifier.totp` / `Verifier.hotp`). Every
/// method is pure: it takes the stored state string and returns the new one.
#[wasm_bindgen]
pub struct Verifier(core::Verifier);

#[wasm_bindgen]
impl Verifier {
    /// A verifier for a TOTP device, under `policy` (default: the core's).
    pub fn totp(
        totp: &Totp,
        #[wasm_bindgen(unchecked_optional_param_type = "Policy")] policy: JsValue,
    ) -> Result<Verifier, JsValue> {
        Ok(Verifier(fs::verifier_totp(&totp.0, self::policy(&policy)?)))
    }

    /// A verifier for an HOTP device, under `policy` (default: the core's).
    pub fn hotp(
        hotp: &Hotp,
        #[wasm_bindgen(unchecked_optional_param_type = "Policy")] policy: JsValue,
    ) -> Result<Verifier, JsValue> {
        Ok(Verifier(fs::verifier_hotp(&hotp.0, self::policy(&policy)?)))
    }

    /// The chance that one attempt of random guessing signs in under this policy.
    #[wasm_bindgen(js_name = worstCaseGuessProbability)]
    pub fn worst_case_guess_probability(&self) -> f64 {
        self.0
            .policy()
            .worst_case_guess_probability(self.0.kind(), self.0.digits())
    }

    /// A pending enrolment, to store from the moment the secret is shown: enrolment
    /// attempts are checked (and throttled) against it, so a typo lets the user try
    /// again with the same secret. HOTP: `fromCounter` (a `bigint`, default 0n) is
    /// the first counter accepted, so a re-enrolled token's old codes stay refused.
    #[wasm_bindgen(js_name = beginEnrollment)]
    pub fn begin_enrollment(
        &self,
        #[wasm_bindgen(js_name = fromCounter, unchecked_optional_param_type = "bigint")]
        from_counter: JsValue,
    ) -> Result<String, JsValue> {
        let from_counter = opt_counter(&from_counter, "fromCounter")?;
        if from_counter.is_some() && self.0.kind() != core::DeviceKind::Hotp {
            return Err(crate::error::type_error(
                "fromCounter is for HOTP verifiers only",
            ));
        }
        js(fs::begin_enrollment(&self.0, from_counter))
    }

    /// One enrolment code as the user types it at `now` (Unix seconds): the outcome
    /// (`needNextCode` after a good first code) and the state to store.
    #[wasm_bindgen(js_name = enrollCode, unchecked_return_type = "Enrollment")]
    pub fn enroll_code(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] state: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (state, code) = (string(&state, "state")?, string(&code, "code")?);
        let now = u64_arg(&now, "now")?;
        attempt(&js(fs::enroll_code(&self.0, &state, &code, now))?)
    }

    /// Enrolment with two consecutive codes at `now`, from a pending state
    /// (`beginEnrollment()`): the outcome and the state to store, whatever it is.
    #[wasm_bindgen(unchecked_return_type = "Enrollment")]
    pub fn enroll(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] state: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] code1: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] code2: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let state = string(&state, "state")?;
        let (code1, code2) = (string(&code1, "code1")?, string(&code2, "code2")?);
        let now = u64_arg(&now, "now")?;
        attempt(&js(fs::enroll(&self.0, &state, &code1, &code2, now))?)
    }

    /// Sign-in with one code at `now`: the outcome (a wrong, replayed or malformed
    /// code is `accepted: false` with its `reason`) and the state to store. Throws
    /// only for an argument of the wrong type or a state that cannot be read or does
    /// not fit (`OtpkitError`, category `Damaged` or `WrongState`).
    #[wasm_bindgen(unchecked_return_type = "Verification")]
    pub fn verify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] state: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (state, code) = (string(&state, "state")?, string(&code, "code")?);
        let now = u64_arg(&now, "now")?;
        attempt(&js(fs::verify(&self.0, &state, &code, now))?)
    }

    /// Resynchronisation with two consecutive codes at `now`: the outcome and the
    /// state to store, whatever it is (a refused pair is counted as a failure).
    #[wasm_bindgen(unchecked_return_type = "Resynchronisation")]
    pub fn resync(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] state: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] code1: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] code2: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let state = string(&state, "state")?;
        let (code1, code2) = (string(&code1, "code1")?, string(&code2, "code2")?);
        let now = u64_arg(&now, "now")?;
        attempt(&js(fs::resync(&self.0, &state, &code1, &code2, now))?)
    }

    /// `Verifier(totp)` or `Verifier(hotp)`: the kind, never the secret.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_js_string(&self) -> String {
        format!(
            "Verifier({})",
            if self.0.kind() == core::DeviceKind::Hotp {
                "hotp"
            } else {
                "totp"
            }
        )
    }
}

/// A new set of `count` (default 10) single-use recovery codes of `length`
/// characters (default 16), from the Web Crypto RNG: show `codes` once, store
/// `state` (hashes only).
#[wasm_bindgen(js_name = generateRecoveryCodes, unchecked_return_type = "RecoveryCodeSet")]
pub fn generate_recovery_codes(
    #[wasm_bindgen(unchecked_optional_param_type = "number")] count: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "number")] length: JsValue,
) -> Result<JsValue, JsValue> {
    let count = opt_usize(&count, "count")?;
    let length = opt_usize(&length, "length")?;
    let set_ = js(fs::generate_recovery_codes(count, length))?;
    let obj = quiet_record(&set_.to_string());
    let codes = js_sys::Array::new();
    for c in &set_.codes {
        codes.push(&JsValue::from_str(c));
    }
    set(&obj, "codes", &codes);
    set(&obj, "state", &JsValue::from_str(&set_.state));
    Ok(obj)
}

/// A recovery code typed at `now` against the stored recovery state, throttled by
/// `policy`'s lock-out rule (default: the core's): the outcome (a wrong or used code
/// is `accepted: false` with its `reason`) and the state to store.
#[wasm_bindgen(js_name = verifyRecoveryCode, unchecked_return_type = "RecoveryAttempt")]
pub fn verify_recovery_code(
    #[wasm_bindgen(unchecked_param_type = "string")] state: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Policy")] policy: JsValue,
) -> Result<JsValue, JsValue> {
    let (state, code) = (string(&state, "state")?, string(&code, "code")?);
    let now = u64_arg(&now, "now")?;
    let policy = self::policy(&policy)?;
    attempt(&js(fs::verify_recovery_code(&state, &code, now, &policy))?)
}
