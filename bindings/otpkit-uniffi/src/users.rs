//! Users with named devices: [`UserDevices`] over a store (`"memory:"` or
//! `"sqlite:PATH"`), the facade's `UserDevices`. A wrong, replayed or malformed
//! code, or a lock-out, is a [`SignInResult`] or [`Attempt`] with `accepted`/`ok`
//! false and its `reason`; [`OtpkitError`] for an argument, user or device that
//! does not fit (`WrongState` for an unknown device), or a store that fails.

use std::sync::Arc;

use otpkit_facade::ErrorCode;
use otpkit_facade::users as fu;

use crate::OtpkitError;
use crate::error::ffi;
use crate::server::{Attempt, Policy, policy};

/// One of a user's devices.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct DeviceInfo {
    /// Its name.
    pub name: String,
    /// When it was added (Unix seconds).
    pub added_at: u64,
    /// How it makes codes (`totp.SHA1.6.30`); null/nil if its row is missing.
    pub params: Option<String>,
    /// Whether enrolment finished.
    pub enrolled: bool,
    /// The device's own consecutive failures.
    pub failures: u32,
}

/// What a sign-in came to: `accepted`, or refused with its `reason`
/// (`CODE_MISMATCH`, `REPLAYED`, `CODE_MALFORMED`, `LOCKED`). Kotlin `toString()` and
/// Swift `description` are the verifier's sentence.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
#[uniffi::export(Display)]
pub struct SignInResult {
    /// Whether the user may sign in.
    pub accepted: bool,
    /// Unless accepted: why.
    pub reason: Option<ErrorCode>,
    /// The sentence for it, without the code typed.
    pub message: String,
    /// The device whose code was accepted or replayed (or the one chosen).
    pub device: Option<String>,
    /// The user's consecutive failures after it.
    pub failures: u32,
    /// When locked: until when (Unix seconds; the largest value until cleared).
    pub locked_until: Option<u64>,
    /// Accepted: the handle `rememberDevice` takes (kept in this process only).
    pub ticket: Option<u64>,
}

impl std::fmt::Display for SignInResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// What a remember-this-device token came to: `accepted` with the `nextToken` to
/// send in its place, or refused with its `reason` (`expired`, `unknown`, `theft`,
/// …). Its debug text never shows the token.
#[derive(Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct RememberCheck {
    /// The browser may skip the code.
    pub accepted: bool,
    /// Accepted: the token to send in place of the one presented.
    pub next_token: Option<String>,
    /// Accepted: the device whose sign-in started the series.
    pub device: Option<String>,
    /// Refused: why.
    pub reason: Option<String>,
}

impl std::fmt::Debug for RememberCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RememberCheck")
            .field("accepted", &self.accepted)
            .field("device", &self.device)
            .field("reason", &self.reason)
            .finish_non_exhaustive()
    }
}

/// A user's failures, lock-out and counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Record)]
pub struct UserStatus {
    /// Consecutive failed attempts, on any device.
    pub failures: u32,
    /// Until when (Unix seconds) the user is or was last locked.
    pub locked_until: Option<u64>,
    /// Devices, enrolled or pending.
    pub devices: u64,
    /// Unused recovery codes, if the user has a set.
    pub recovery_codes_left: Option<u64>,
    /// Remembered browsers.
    pub remembered: u64,
}

/// One of a user's recent events.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct UserEvent {
    /// `sign_in_accepted`, `device_removed`, …
    pub kind: String,
    /// The device's name.
    pub device: Option<String>,
    /// When (Unix seconds).
    pub at: u64,
    /// Why, for a refusal or revocation.
    pub reason: Option<String>,
    /// The user's consecutive failures after it.
    pub failures: u32,
}

fn u64_of(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

fn usize_of(n: Option<u32>) -> Option<usize> {
    n.map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

/// Users with named devices (at most 8 each) on one store, device secrets sealed
/// with a 32-byte key. Sign-in attempts are counted per user before any code is
/// checked, so more devices do not mean more guesses. Thread-safe.
#[derive(Debug, uniffi::Object)]
pub struct UserDevices(fu::UserDevices);

#[uniffi::export]
impl UserDevices {
    /// Opens `store` (`"memory:"`, or `"sqlite:PATH"`), sealing with `key` (32
    /// bytes) named `keyId`; `policy` defaults to the core's.
    #[uniffi::constructor(default(policy = None))]
    pub fn open(
        store: String,
        key_id: String,
        key: Vec<u8>,
        policy: Option<Policy>,
    ) -> Result<Arc<Self>, OtpkitError> {
        let policy = self::policy(policy)?;
        let key = zeroize::Zeroizing::new(key);
        ffi(fu::UserDevices::open_with_policy(
            &store, &key_id, &key, policy,
        ))
        .map(|u| Arc::new(UserDevices(u)))
    }

    /// Adds a pending TOTP device `name` to `user` from its Base32 secret (at least
    /// 128 bits); algorithm, digits and period default to SHA1, 6 and 30.
    #[uniffi::method(default(algorithm = None, digits = None, period = None))]
    #[allow(clippy::too_many_arguments)]
    pub fn add_device(
        &self,
        user: String,
        name: String,
        secret_base32: String,
        algorithm: Option<String>,
        digits: Option<u8>,
        period: Option<u64>,
        now: u64,
    ) -> Result<(), OtpkitError> {
        let secret = zeroize::Zeroizing::new(secret_base32);
        ffi(self.0.add_device(
            &user,
            &name,
            &secret,
            algorithm.as_deref(),
            digits,
            period,
            now,
        ))
    }

    /// Two consecutive codes from the device finish its enrolment.
    pub fn enroll_device(
        &self,
        user: String,
        name: String,
        code1: String,
        code2: String,
        now: u64,
    ) -> Result<Attempt, OtpkitError> {
        ffi(self.0.enroll_device(&user, &name, &code1, &code2, now)).map(Attempt::from)
    }

    /// The user's devices, in the order added.
    pub fn devices(&self, user: String) -> Result<Vec<DeviceInfo>, OtpkitError> {
        Ok(ffi(self.0.devices(&user))?
            .into_iter()
            .map(|d| DeviceInfo {
                name: d.name,
                added_at: d.added_at,
                params: d.params,
                enrolled: d.enrolled,
                failures: d.failures,
            })
            .collect())
    }

    /// Renames the user's device `name` to `newName`.
    pub fn rename_device(
        &self,
        user: String,
        name: String,
        new_name: String,
        now: u64,
    ) -> Result<(), OtpkitError> {
        ffi(self.0.rename_device(&user, &name, &new_name, now))
    }

    /// Removes the device (and every remembered browser of the user); false if the
    /// user has no device of that name.
    pub fn remove_device(&self, user: String, name: String, now: u64) -> Result<bool, OtpkitError> {
        ffi(self.0.remove_device(&user, &name, now))
    }

    /// A sign-in with one code from any enrolled device, or the one named `device`.
    #[uniffi::method(default(device = None))]
    pub fn sign_in(
        &self,
        user: String,
        code: String,
        device: Option<String>,
        now: u64,
    ) -> Result<SignInResult, OtpkitError> {
        let s = ffi(self.0.sign_in(&user, &code, device.as_deref(), now))?;
        Ok(SignInResult {
            accepted: s.accepted,
            reason: s.reason,
            message: s.message,
            device: s.device,
            failures: s.failures,
            locked_until: s.locked_until,
            ticket: s.ticket,
        })
    }

    /// A remember-this-device token for the accepted sign-in `signedIn` of `user`
    /// (each accepted sign-in once; `WrongState` otherwise).
    pub fn remember_device(
        &self,
        user: String,
        signed_in: SignInResult,
        now: u64,
    ) -> Result<String, OtpkitError> {
        let ticket = signed_in
            .ticket
            .ok_or_else(|| OtpkitError::from(fu::not_signed_in()))?;
        ffi(self.0.remember_device(&user, ticket, now))
    }

    /// Checks a remember-this-device token.
    pub fn check_remembered(
        &self,
        user: String,
        token: String,
        now: u64,
    ) -> Result<RememberCheck, OtpkitError> {
        let token = zeroize::Zeroizing::new(token);
        let r = ffi(self.0.check_remembered(&user, &token, now))?;
        Ok(RememberCheck {
            accepted: r.accepted,
            next_token: r.next_token.clone(),
            device: r.device.clone(),
            reason: r.reason.map(str::to_owned),
        })
    }

    /// Revokes every remembered browser of the user: how many.
    pub fn forget_remembered(&self, user: String, now: u64) -> Result<u64, OtpkitError> {
        ffi(self.0.forget_remembered(&user, now)).map(u64_of)
    }

    /// Resynchronises a drifted device with two consecutive codes.
    pub fn resync_device(
        &self,
        user: String,
        name: String,
        code1: String,
        code2: String,
        now: u64,
    ) -> Result<Attempt, OtpkitError> {
        ffi(self.0.resync_device(&user, &name, &code1, &code2, now)).map(Attempt::from)
    }

    /// Clears the user's failures and lock-out.
    pub fn clear_user_lockout(&self, user: String, now: u64) -> Result<(), OtpkitError> {
        ffi(self.0.clear_user_lockout(&user, now))
    }

    /// The user's failures, lock-out and counts.
    pub fn user_status(&self, user: String) -> Result<UserStatus, OtpkitError> {
        let s = ffi(self.0.user_status(&user))?;
        Ok(UserStatus {
            failures: s.failures,
            locked_until: s.locked_until,
            devices: u64_of(s.devices),
            recovery_codes_left: s.recovery_codes_left.map(u64_of),
            remembered: u64_of(s.remembered),
        })
    }

    /// A new set of recovery codes (default 10 of 16 characters) replacing the
    /// user's old set: show them once.
    #[uniffi::method(default(count = None, length = None))]
    pub fn regenerate_recovery_codes(
        &self,
        user: String,
        count: Option<u32>,
        length: Option<u32>,
        now: u64,
    ) -> Result<Vec<String>, OtpkitError> {
        ffi(self
            .0
            .regenerate_recovery_codes(&user, usize_of(count), usize_of(length), now))
    }

    /// Signs the user in with a recovery code (spent if accepted).
    pub fn use_recovery_code(
        &self,
        user: String,
        code: String,
        now: u64,
    ) -> Result<Attempt, OtpkitError> {
        ffi(self.0.use_recovery_code(&user, &code, now)).map(Attempt::from)
    }

    /// The user's recent events, newest first.
    pub fn recent_events(&self, user: String) -> Vec<UserEvent> {
        self.0
            .recent_events(&user)
            .into_iter()
            .map(|e| UserEvent {
                kind: e.kind.to_owned(),
                device: e.device,
                at: e.at,
                reason: e.reason.map(str::to_owned),
                failures: e.failures,
            })
            .collect()
    }
}
