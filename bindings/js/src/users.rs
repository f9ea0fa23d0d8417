//! `UserDevices`: users with named devices on a store, over the facade's
//! `UserDevices` (otpkit-store's `MfaService`).
//!
//! Only the in-memory store (`"memory:"`) exists here: SQLite does not build for
//! wasm32. As everywhere in the package, a wrong, replayed or malformed code, or a
//! lock-out, is a value (`accepted: false` with its `reason`); an `OtpkitError`
//! for a store, key, user or device that does not fit; a `TypeError` for an
//! argument of the wrong JS type.

use otpkit_facade::users as fu;
use wasm_bindgen::prelude::*;

use crate::args::{self, bytes, from_u64, opt_string, opt_u8, opt_u64, string, u64_arg};
use crate::error::{js, object, record, set};
use crate::secret::zeroize_on_drop;
use crate::server::{self, until};

#[wasm_bindgen(typescript_custom_section)]
const TS_USERS: &str = r#"
/** How `UserDevices.addDevice` makes the device's codes (default SHA-1, 6 digits, 30 s). */
export interface DeviceOptions {
  algorithm?: Algorithm;
  digits?: number;
  period?: number;
}
/** One of a user's devices. */
export interface UserDevice {
  name: string;
  /** When it was added, Unix seconds. */
  addedAt: number;
  /** How it makes codes, as stored ("totp.SHA1.6.30"); absent if its row is missing. */
  params?: string;
  /** Whether its enrolment finished. */
  enrolled: boolean;
  /** The device's own consecutive failures. */
  failures: number;
}
/** What a user's sign-in came to. Only `accepted` lets the user in; `String(signIn)` is its message. */
export interface UserSignIn {
  kind: "accepted" | "rejected";
  accepted: boolean;
  /** The verifier's sentence; never the code typed. */
  message: string;
  /** Unless accepted: "CODE_MISMATCH", "REPLAYED", "CODE_MALFORMED" or "LOCKED". */
  reason?: string;
  /** The device whose code was accepted or replayed (the chosen one whatever the outcome). */
  device?: string;
  /** The user's consecutive failures after this attempt. */
  failures: number;
  /** Locked: when the lock-out ends, Unix seconds; Infinity until an administrator clears it. */
  until?: number;
  /** Accepted: the handle `rememberDevice` takes (in this object's memory only). */
  ticket?: number;
}
/** A recovery code of a user: `remaining` when accepted. */
export interface UserRecoveryOutcome extends OutcomeBase {
  kind: "accepted" | "rejected";
  accepted: boolean;
  index?: number;
  remaining?: number;
}
/** A user's failures, lock-out and counts. */
export interface UserStatus {
  /** Consecutive failed attempts, on any device. */
  failures: number;
  /** Until when (Unix seconds, exclusive) the user is or was last locked; Infinity until cleared. */
  lockedUntil?: number;
  /** Devices, enrolled or pending. */
  devices: number;
  /** Unused recovery codes, if the user has a set. */
  recoveryCodesLeft?: number;
  /** Remembered browsers. */
  remembered: number;
}
/** What a remember-this-device token came to. */
export interface RememberCheck {
  /** The browser may skip the code. */
  accepted: boolean;
  /** Accepted: the token to send in place of the one presented (which is spent). */
  nextToken?: string;
  /** Accepted: the device whose sign-in started the series. */
  device?: string;
  /** Refused: "expired", "unknown", "replayed", "theft" (every token of the user revoked), ... */
  reason?: string;
}
/** One of a user's recent events. */
export interface UserEvent {
  /** "sign_in_accepted", "device_removed", ... */
  kind: string;
  device?: string;
  /** When, Unix seconds. */
  at: number;
  /** Why, for a refusal or revocation ("invalid", "theft", ...). */
  reason?: string;
  /** The user's consecutive failures after it. */
  failures: number;
}
"#;

/// The options of `addDevice`.
const DEVICE_OPTIONS: [&str; 3] = ["algorithm", "digits", "period"];

/// A count as a JS number (counts here are bounded by the store: a handful).
fn count(n: usize, what: &str) -> Result<JsValue, JsValue> {
    Ok(from_u64(u64::try_from(n).unwrap_or(u64::MAX), what)?.into())
}

/// Users with named devices (at most 8 each) on a store; device secrets sealed with
/// a 32-byte key; sign-ins under a policy, counted per user before any code is
/// checked, so more devices do not mean more guesses. Every `now` is Unix seconds.
#[wasm_bindgen]
pub struct UserDevices(fu::UserDevices);

#[wasm_bindgen]
impl UserDevices {
    /// Users with named devices on `store` (`"memory:"`: this module's memory only),
    /// secrets sealed with the 32-byte `key` named `keyId`, sign-ins under `policy`
    /// (default: the core's).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string")] store: JsValue,
        #[wasm_bindgen(js_name = keyId, unchecked_param_type = "string")] key_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] key: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "Policy")] policy: JsValue,
    ) -> Result<UserDevices, JsValue> {
        let store = string(&store, "store")?;
        let key_id = string(&key_id, "keyId")?;
        let key = zeroize_on_drop(bytes(&key, "key")?);
        let policy = server::policy(&policy)?;
        js(fu::UserDevices::open_with_policy(
            &store, &key_id, &key.0, policy,
        ))
        .map(UserDevices)
    }

    /// Adds a pending TOTP device `name` to `user` with `secret` in Base32 (at
    /// least 128 bits; `secret.base32()` of a `Secret`): show it as a QR code, then
    /// `enrollDevice`.
    #[wasm_bindgen(js_name = addDevice)]
    pub fn add_device(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] user: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] secret: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "DeviceOptions")] options: JsValue,
    ) -> Result<(), JsValue> {
        let (user, name) = (string(&user, "user")?, string(&name, "name")?);
        let secret = zeroize_on_drop(string(&secret, "secret")?.into_bytes());
        let now = u64_arg(&now, "now")?;
        args::options(&options, "options", &DEVICE_OPTIONS)?;
        let algorithm = opt_string(&args::get(&options, "algorithm")?, "options.algorithm")?;
        let digits = opt_u8(&args::get(&options, "digits")?, "options.digits")?;
        let period = opt_u64(&args::get(&options, "period")?, "options.period")?;
        // Made from a string, so UTF-8.
        let secret = core::str::from_utf8(&secret.0).unwrap_or_default();
        js(self.0.add_device(
            &user,
            &name,
            secret,
            algorithm.as_deref(),
            digits,
            period,
            now,
        ))
    }

    /// Finishes the device's enrolment with two consecutive codes at `now`: the
    /// outcome (`enrolled`, or `rejected` with its `reason`).
    #[wasm_bindgen(js_name = enrollDevice, unchecked_return_type = "EnrollOutcome")]
    pub fn enroll_device(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] user: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] code1: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] code2: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (user, name) = (string(&user, "user")?, string(&name, "name")?);
        let (code1, code2) = (string(&code1, "code1")?, string(&code2, "code2")?);
        let now = u64_arg(&now, "now")?;
        server::outcome(&js(self
            .0
            .enroll_device(&user, &name, &code1, &code2, now))?)
    }

    /// The user's devices, in the order added.
    #[wasm_bindgen(unchecked_return_type = "UserDevice[]")]
    pub fn devices(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] user: JsValue,
    ) -> Result<JsValue, JsValue> {
        let user = string(&user, "user")?;
        let out = js_sys::Array::new();
        for d in js(self.0.devices(&user))? {
            let obj = object();
            set(&obj, "name", &JsValue::from_str(&d.name));
            set(&obj, "addedAt", &from_u64(d.added_at, "addedAt")?.into());
            if let Some(params) = &d.params {
                set(&obj, "params", &JsValue::from_str(params));
            }
            set(&obj, "enrolled", &JsValue::from_bool(d.enrolled));
            set(&obj, "failures", &JsValue::from(d.failures));
            out.push(&obj);
        }
        Ok(out.into())
    }

    /// Renames the user's device `name` to `newName`.
    #[wasm_bindgen(js_name = renameDevice)]
    pub fn rename_device(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] user: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(js_name = newName, unchecked_param_type = "string")] new_name: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<(), JsValue> {
        let (user, name) = (string(&user, "user")?, string(&name, "name")?);
        let new_name = string(&new_name, "newName")?;
        let now = u64_arg(&now, "now")?;
        js(self.0.rename_device(&user, &name, &new_name, now))
    }

    /// Removes the device (and every remembered browser of the user): `false` if
    /// the user has no device of that name.
    #[wasm_bindgen(js_name = removeDevice)]
    pub fn remove_device(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] user: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<bool, JsValue> {
        let (user, name) = (string(&user, "user")?, string(&name, "name")?);
        let now = u64_arg(&now, "now")?;
        js(self.0.remove_device(&user, &name, now))
    }

    /// A sign-in with one code at `now`, from any enrolled device of the user or
    /// the one named `device`: a wrong, replayed or malformed code, or a lock-out,
    /// is `accepted: false` with its `reason`.
    #[wasm_bindgen(js_name = signIn, unchecked_return_type = "UserSignIn")]
    pub fn sign_in(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] user: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] device: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (user, code) = (string(&user, "user")?, string(&code, "code")?);
        let now = u64_arg(&now, "now")?;
        let device = opt_string(&device, "device")?;
        let s = js(self.0.sign_in(&user, &code, device.as_deref(), now))?;
        let obj = record(&s.message);
        let kind = if s.accepted { "accepted" } else { "rejected" };
        set(&obj, "kind", &JsValue::from_str(kind));
        set(&obj, "accepted", &JsValue::from_bool(s.accepted));
        if let Some(reason) = s.reason {
            set(&obj, "reason", &JsValue::from_str(reason.as_str()));
        }
        if let Some(device) = &s.device {
            set(&obj, "device", &JsValue::from_str(device));
        }
        set(&obj, "failures", &JsValue::from(s.failures));
        if let Some(t) = s.locked_until {
            set(&obj, "until", &until(t)?.into());
        }
        if let Some(ticket) = s.ticket {
            set(&obj, "ticket", &from_u64(ticket, "ticket")?.into());
        }
        Ok(obj)
    }

    /// Resynchronises the device with two consecutive codes at `now` (counted on
    /// the user like a sign-in): the outcome.
    #[wasm_bindgen(js_name = resyncDevice, unchecked_return_type = "ResyncOutcome")]
    pub fn resync_device(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] user: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] code1: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] code2: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (user, name) = (string(&user, "user")?, string(&name, "name")?);
        let (code1, code2) = (string(&code1, "code1")?, string(&code2, "code2")?);
        let now = u64_arg(&now, "now")?;
        server::outcome(&js(self
            .0
            .resync_device(&user, &name, &code1, &code2, now))?)
    }

    /// Clears the user's failures and lock-out, and every device's.
    #[wasm_bindgen(js_name = clearUserLockout)]
    pub fn clear_user_lockout(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] user: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<(), JsValue> {
        let user = string(&user, "user")?;
        let now = u64_arg(&now, "now")?;
        js(self.0.clear_user_lockout(&user, now))
    }

    /// The user's failures, lock-out and counts.
    #[wasm_bindgen(js_name = userStatus, unchecked_return_type = "UserStatus")]
    pub fn user_status(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] user: JsValue,
    ) -> Result<JsValue, JsValue> {
        let user = string(&user, "user")?;
        let s = js(self.0.user_status(&user))?;
        let obj = object();
        set(&obj, "failures", &JsValue::from(s.failures));
        if let Some(t) = s.locked_until {
            set(&obj, "lockedUntil", &until(t)?.into());
        }
        set(&obj, "devices", &count(s.devices, "devices")?);
        if let Some(left) = s.recovery_codes_left {
            set(
                &obj,
                "recoveryCodesLeft",
                &count(left, "recoveryCodesLeft")?,
            );
        }
        set(&obj, "remembered", &count(s.remembered, "remembered")?);
        Ok(obj)
    }

    /// A new set of `count` (default 10) recovery codes of `length` characters
    /// (default 16) for the user, replacing the old set: show them once.
    #[wasm_bindgen(js_name = regenerateRecoveryCodes)]
    pub fn regenerate_recovery_codes(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] user: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] count: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] length: JsValue,
    ) -> Result<Vec<String>, JsValue> {
        let user = string(&user, "user")?;
        let now = u64_arg(&now, "now")?;
        let count = args::opt_usize(&count, "count")?;
        let length = args::opt_usize(&length, "length")?;
        js(self.0.regenerate_recovery_codes(&user, count, length, now))
    }

    /// Signs the user in with a recovery code at `now`: the outcome (a wrong or
    /// used code is `accepted: false` with its `reason`).
    #[wasm_bindgen(js_name = useRecoveryCode, unchecked_return_type = "UserRecoveryOutcome")]
    pub fn use_recovery_code(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] user: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (user, code) = (string(&user, "user")?, string(&code, "code")?);
        let now = u64_arg(&now, "now")?;
        server::outcome(&js(self.0.use_recovery_code(&user, &code, now))?)
    }

    /// A remember-this-device token (to set as a cookie) for `signIn`, an accepted
    /// sign-in of `user` by this object; each sign-in once. A refused sign-in is an
    /// `OtpkitError` (`WrongState`).
    #[wasm_bindgen(js_name = rememberDevice)]
    pub fn remember_device(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] user: JsValue,
        #[wasm_bindgen(js_name = signIn, unchecked_param_type = "UserSignIn")] sign_in: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<String, JsValue> {
        let user = string(&user, "user")?;
        if args::absent(&sign_in) || !sign_in.is_object() {
            return Err(crate::error::type_error(
                "signIn must be a sign-in result of signIn",
            ));
        }
        let ticket = opt_u64(&args::get(&sign_in, "ticket")?, "signIn.ticket")?;
        let now = u64_arg(&now, "now")?;
        let Some(ticket) = ticket else {
            return Err(crate::error::otpkit_error(&fu::not_signed_in()));
        };
        js(self.0.remember_device(&user, ticket, now))
    }

    /// Checks a remember-this-device token at `now`: accepted with the `nextToken`
    /// to send in its place, or refused with its `reason` (an old token of a series
    /// is `theft` and revokes every token of the user).
    #[wasm_bindgen(js_name = checkRemembered, unchecked_return_type = "RememberCheck")]
    pub fn check_remembered(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] user: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (user, token) = (string(&user, "user")?, string(&token, "token")?);
        let now = u64_arg(&now, "now")?;
        let r = js(self.0.check_remembered(&user, &token, now))?;
        let obj = object();
        set(&obj, "accepted", &JsValue::from_bool(r.accepted));
        if let Some(next) = &r.next_token {
            set(&obj, "nextToken", &JsValue::from_str(next));
        }
        if let Some(device) = &r.device {
            set(&obj, "device", &JsValue::from_str(device));
        }
        if let Some(reason) = r.reason {
            set(&obj, "reason", &JsValue::from_str(reason));
        }
        Ok(obj)
    }

    /// Revokes every remembered browser of the user (a password change): how many.
    #[wasm_bindgen(js_name = forgetRemembered)]
    pub fn forget_remembered(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] user: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<f64, JsValue> {
        let user = string(&user, "user")?;
        let now = u64_arg(&now, "now")?;
        let n = js(self.0.forget_remembered(&user, now))?;
        from_u64(u64::try_from(n).unwrap_or(u64::MAX), "forgotten")
    }

    /// The user's last events (at most 32 kept), newest first.
    #[wasm_bindgen(js_name = recentEvents, unchecked_return_type = "UserEvent[]")]
    pub fn recent_events(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] user: JsValue,
    ) -> Result<JsValue, JsValue> {
        let user = string(&user, "user")?;
        let out = js_sys::Array::new();
        for e in self.0.recent_events(&user) {
            let obj = object();
            set(&obj, "kind", &JsValue::from_str(e.kind));
            if let Some(device) = &e.device {
                set(&obj, "device", &JsValue::from_str(device));
            }
            set(&obj, "at", &from_u64(e.at, "at")?.into());
            if let Some(reason) = e.reason {
                set(&obj, "reason", &JsValue::from_str(reason));
            }
            set(&obj, "failures", &JsValue::from(e.failures));
            out.push(&obj);
        }
        Ok(out.into())
    }

    /// `UserDevices`: never a key or a secret.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_js_string(&self) -> String {
        "UserDevices".to_owned()
    }
}
