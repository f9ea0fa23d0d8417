//! Users with named devices: [`UserDevices`], otpkit-store's
//! [`MfaService`] over a store named by a string, with flat records in and out.
//!
//! As everywhere in the facade, a wrong, replayed or malformed code, or a lock-out,
//! is a value (`accepted`/`ok == false` with its `reason`); an error only for an
//! argument, a device or user that does not fit, or a store that fails. The store
//! keeps every state: the [`Attempt`]s returned here have an empty `state`.
//!
//! Errors carry the service's own code ([`ServiceError::code`]: `UNKNOWN_DEVICE`,
//! `DEVICE_EXISTS`, `TOO_MANY_DEVICES`, `INVALID_DEVICE_ID`, `INVALID_DEVICE_NAME`,
//! `DEVICE_NOT_ALLOWED`, `NO_RECOVERY_CODES`, `NOT_SIGNED_IN`, `STORE_UNAVAILABLE`,
//! `STORE_FAILED`, `STORE_CORRUPT`, `CONTENTION`, …), sorted into the category the
//! caller acts on like every other code ([`Category::of`](crate::error::Category::of)),
//! and the service's sentence.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use otpkit::ErrorCode;
use otpkit::recovery::{RecoveryOutcome, RecoveryPolicy};
use otpkit::verifier::{Outcome, Policy};
use otpkit_store::audit::{EventRecord, RecentEvents};
use otpkit_store::seal::{Keyring, SealError, SealingKey};
use otpkit_store::{
    DeviceChoice, DeviceParams, DeviceStore, MemoryStore, MfaService, Remembered, ServiceError,
    SignIn,
};

use crate::FacadeError;
use crate::args::{self, PolicyOptions};
use crate::records::{Attempt, AttemptKind};
use crate::server::{enrollment, refusal, resynchronisation};

/// The service every binding's `UserDevices` holds.
type Service = MfaService<Box<dyn DeviceStore + Send + Sync>>;

/// Events kept per user for [`UserDevices::recent_events`].
pub const RECENT_EVENTS_PER_USER: usize = 32;

/// Accepted sign-ins kept for [`UserDevices::remember_device`]; the oldest is
/// forgotten first.
pub const MAX_KEPT_SIGN_INS: usize = 1024;

/// What [`UserDevices::open`] accepts as `store`, for error messages.
#[cfg(feature = "sqlite")]
const STORES: &str = "\"memory:\" or \"sqlite:PATH\"";
#[cfg(not(feature = "sqlite"))]
const STORES: &str = "\"memory:\" (this build has no SQLite)";

/// One of a user's devices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceRecord {
    /// Its name.
    pub name: String,
    /// When it was added (Unix seconds).
    pub added_at: u64,
    /// How it makes codes, as stored (`totp.SHA1.6.30`); `None` if its row is
    /// missing (an add that failed half-way).
    pub params: Option<String>,
    /// Whether enrolment finished.
    pub enrolled: bool,
    /// The device's own consecutive failures.
    pub failures: u32,
}

/// What a sign-in came to. A wrong, replayed or malformed code, or a lock-out, is
/// `accepted == false` with its `reason`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInRecord {
    /// Whether the user may sign in.
    pub accepted: bool,
    /// Unless accepted: `CODE_MISMATCH`, `REPLAYED`, `CODE_MALFORMED` or `LOCKED`.
    pub reason: Option<ErrorCode>,
    /// The verifier's sentence; never the code typed.
    pub message: String,
    /// The device whose code was accepted or replayed (a chosen device whatever
    /// the outcome).
    pub device: Option<String>,
    /// The user's consecutive failures after this attempt.
    pub failures: u32,
    /// Locked: when the lock-out ends (Unix seconds; `u64::MAX` until cleared).
    pub locked_until: Option<u64>,
    /// Accepted: the handle [`UserDevices::remember_device`] takes to remember
    /// this browser. Kept in this process's memory only, for the server itself.
    pub ticket: Option<u64>,
}

impl fmt::Display for SignInRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What a remember-this-device token came to.
#[derive(Clone, PartialEq, Eq)]
pub struct RememberCheck {
    /// The browser may skip the code.
    pub accepted: bool,
    /// Accepted: the token to send in place of the one presented (spent now).
    pub next_token: Option<String>,
    /// Accepted: the device whose sign-in started the series.
    pub device: Option<String>,
    /// Refused: `expired`, `unknown`, `replayed`, `theft` (every token of the
    /// user revoked), …
    pub reason: Option<&'static str>,
}

impl fmt::Debug for RememberCheck {
    /// Everything but the next token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RememberCheck")
            .field("accepted", &self.accepted)
            .field("device", &self.device)
            .field("reason", &self.reason)
            .finish_non_exhaustive()
    }
}

/// A user's failures, lock-out and counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserStatusRecord {
    /// Consecutive failed attempts, on any device.
    pub failures: u32,
    /// Until when (Unix seconds, exclusive) the user is or was last locked.
    pub locked_until: Option<u64>,
    /// Devices, enrolled or pending.
    pub devices: usize,
    /// Unused recovery codes, if the user has a set.
    pub recovery_codes_left: Option<usize>,
    /// Remembered browsers (series alive or not yet pruned).
    pub remembered: usize,
}

/// One of a user's recent events, newest first in
/// [`UserDevices::recent_events`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventItem {
    /// What happened, in snake case (`sign_in_accepted`, `device_removed`, …).
    pub kind: &'static str,
    /// The device's name.
    pub device: Option<String>,
    /// When (Unix seconds).
    pub at: u64,
    /// Why, for a refusal or revocation (`invalid`, `theft`, …).
    pub reason: Option<&'static str>,
    /// The user's consecutive failures after it.
    pub failures: u32,
}

/// Accepted sign-ins, by ticket, with their user.
#[derive(Default)]
struct Kept {
    next: u64,
    by_ticket: BTreeMap<u64, (String, SignIn)>,
}

/// Users with named devices on one store: otpkit-store's [`MfaService`] with a
/// [`RecentEvents`] sink, for the bindings. `Send + Sync`.
pub struct UserDevices {
    service: Service,
    recent: Arc<RecentEvents>,
    kept: Mutex<Kept>,
}

impl fmt::Debug for UserDevices {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserDevices").finish_non_exhaustive()
    }
}

/// The store `spec` names: `memory:`, or `sqlite:PATH` where built with SQLite.
fn open_store(spec: &str) -> Result<Box<dyn DeviceStore + Send + Sync>, FacadeError> {
    if spec == "memory:" {
        return Ok(Box::new(MemoryStore::new()));
    }
    #[cfg(feature = "sqlite")]
    if let Some(path) = spec.strip_prefix("sqlite:").filter(|p| !p.is_empty()) {
        return otpkit_store::SqliteStore::open(path)
            .map(|s| Box::new(s) as Box<dyn DeviceStore + Send + Sync>)
            .map_err(|e| service_error(ServiceError::Store(e)).prefixed("store: "));
    }
    Err(FacadeError::new(
        ErrorCode::UnknownFormat,
        format!("store: not a store this build opens; use {STORES}"),
    ))
}

/// The sealing key of `key_id` and `key` (32 bytes).
fn sealing_key(key_id: &str, key: &[u8]) -> Result<SealingKey, FacadeError> {
    let bytes = zeroize::Zeroizing::new(<[u8; 32]>::try_from(key).map_err(|_| {
        FacadeError::new(
            ErrorCode::SecretInvalidLength,
            format!("key: a sealing key is 32 bytes, got {}", key.len()),
        )
    })?);
    SealingKey::new(key_id, *bytes).map_err(|e| {
        let prefix = match e {
            SealError::InvalidKeyId => "key_id: ",
            SealError::InvalidKey
            | SealError::DuplicateKeyId { .. }
            | SealError::UnknownKey { .. }
            | SealError::Malformed
            | SealError::NotAuthentic { .. }
            | SealError::InvalidSecret
            | SealError::Rng => "key: ",
        };
        service_error(ServiceError::Seal(e)).prefixed(prefix)
    })
}

/// The facade error of a service error: its code ([`ServiceError::code`]) and
/// its sentence, said in the facade's terms where the service's differ (the
/// facade's `user` is the service's id).
pub fn service_error(e: ServiceError) -> FacadeError {
    let code = e.code();
    let detail = match &e {
        ServiceError::Store(s) => format!("the device store failed: {s}"),
        ServiceError::NoSuchDevice { id } => format!("user {id:?} has no MFA device"),
        ServiceError::InvalidDeviceId => {
            "user: a user id must be 1 to 255 bytes without control characters".to_owned()
        }
        ServiceError::DeviceExists { .. }
        | ServiceError::AlreadyEnrolled { .. }
        | ServiceError::Corrupt { .. }
        | ServiceError::Seal(_)
        | ServiceError::Contention { .. }
        | ServiceError::UnknownDevice { .. }
        | ServiceError::DeviceNameTaken { .. }
        | ServiceError::InvalidDeviceName
        | ServiceError::TooManyDevices { .. }
        | ServiceError::NotAllowed { .. }
        | ServiceError::NoRecoveryCodes { .. }
        | ServiceError::NotSignedIn
        | ServiceError::InvalidRememberLifetime { .. }
        | ServiceError::Random => e.to_string(),
    };
    FacadeError::new(code, detail)
}

/// The error for remembering a browser without an accepted sign-in.
pub fn not_signed_in() -> FacadeError {
    service_error(ServiceError::NotSignedIn)
}

fn served<T>(r: Result<T, ServiceError>) -> Result<T, FacadeError> {
    r.map_err(service_error)
}

/// An attempt whose state the store keeps.
fn stored(mut a: Attempt) -> Attempt {
    a.state = String::new();
    a
}

impl UserDevices {
    /// Users with named devices on `store` (`"memory:"`, or `"sqlite:PATH"`
    /// where built with SQLite), secrets sealed with the 32-byte `key` named
    /// `key_id`, sign-ins verified under `policy`.
    pub fn open(
        store: &str,
        key_id: &str,
        key: &[u8],
        policy: &PolicyOptions,
    ) -> Result<Self, FacadeError> {
        Self::open_with_policy(store, key_id, key, args::policy(policy)?)
    }

    /// [`open`](Self::open) with a policy built already.
    pub fn open_with_policy(
        store: &str,
        key_id: &str,
        key: &[u8],
        policy: Policy,
    ) -> Result<Self, FacadeError> {
        let key = sealing_key(key_id, key)?;
        let store = open_store(store)?;
        let recent = Arc::new(RecentEvents::new(RECENT_EVENTS_PER_USER));
        let service =
            MfaService::new(store, Keyring::new(key), policy).with_audit(Arc::clone(&recent));
        Ok(UserDevices {
            service,
            recent,
            kept: Mutex::new(Kept::default()),
        })
    }

    /// Adds a pending TOTP device `name` to `user` with the secret in Base32
    /// (at least 128 bits); algorithm, digits and period default to SHA-1, 6 and
    /// 30 s. [`enroll_device`](Self::enroll_device) finishes it.
    #[allow(clippy::too_many_arguments)]
    pub fn add_device(
        &self,
        user: &str,
        name: &str,
        secret_base32: &str,
        algorithm: Option<&str>,
        digits: Option<u8>,
        period: Option<u64>,
        now: u64,
    ) -> Result<(), FacadeError> {
        let secret =
            args::secret_base32(secret_base32, false).map_err(|e| e.prefixed("secret: "))?;
        let params = DeviceParams::Totp {
            algorithm: args::algorithm(algorithm)?,
            digits: args::digits(digits)?,
            period: args::period(period)?,
        };
        served(self.service.add_device(user, name, &secret, params, now))
    }

    /// Two consecutive codes from the device finish its enrolment: an
    /// [`Attempt`], refused with its reason on wrong codes.
    pub fn enroll_device(
        &self,
        user: &str,
        name: &str,
        code1: &str,
        code2: &str,
        now: u64,
    ) -> Result<Attempt, FacadeError> {
        let answer = served(self.service.enroll_device(user, name, code1, code2, now))?;
        enrollment(&answer.outcome, &answer.state).map(stored)
    }

    /// The user's devices, in the order added.
    pub fn devices(&self, user: &str) -> Result<Vec<DeviceRecord>, FacadeError> {
        Ok(served(self.service.devices(user))?
            .into_iter()
            .map(|d| DeviceRecord {
                name: d.name,
                added_at: d.added_at,
                params: d.params.map(|p| p.to_string()),
                enrolled: d.enrolled,
                failures: d.failures,
            })
            .collect())
    }

    /// Renames the user's device `name` to `new_name`.
    pub fn rename_device(
        &self,
        user: &str,
        name: &str,
        new_name: &str,
        now: u64,
    ) -> Result<(), FacadeError> {
        served(self.service.rename_device(user, name, new_name, now))
    }

    /// Removes the device (and every remembered browser of the user); `false` if
    /// the user has no device of that name.
    pub fn remove_device(&self, user: &str, name: &str, now: u64) -> Result<bool, FacadeError> {
        served(self.service.remove_device(user, name, now))
    }

    /// A sign-in with one code, from any enrolled device of the user or the one
    /// named.
    pub fn sign_in(
        &self,
        user: &str,
        code: &str,
        device: Option<&str>,
        now: u64,
    ) -> Result<SignInRecord, FacadeError> {
        let choice = match device {
            Some(name) => DeviceChoice::Named(name),
            None => DeviceChoice::Any,
        };
        let signed = served(self.service.sign_in(user, code, choice, now))?;
        let outcome = signed.outcome();
        let message = outcome.to_string();
        let reason = match outcome.code() {
            Some(code) => Some(refusal(code, &message)?),
            None => None,
        };
        let locked_until = match outcome {
            Outcome::Locked { until } => Some(until),
            Outcome::Accepted { .. }
            | Outcome::Invalid
            | Outcome::Replayed
            | Outcome::Malformed(_)
            | Outcome::Error(_) => None,
        };
        let mut record = SignInRecord {
            accepted: signed.is_accepted(),
            reason,
            message,
            device: signed.device().map(str::to_owned),
            failures: signed.failures(),
            locked_until,
            ticket: None,
        };
        if record.accepted {
            record.ticket = Some(self.keep(user, signed));
        }
        Ok(record)
    }

    /// Keeps an accepted sign-in for `remember_device`; its ticket.
    fn keep(&self, user: &str, signed: SignIn) -> u64 {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        let ticket = kept.next;
        kept.next = kept.next.wrapping_add(1);
        kept.by_ticket.insert(ticket, (user.to_owned(), signed));
        while kept.by_ticket.len() > MAX_KEPT_SIGN_INS {
            kept.by_ticket.pop_first();
        }
        ticket
    }

    /// Remembers the browser of the accepted sign-in `ticket` of `user` (each
    /// ticket once): a token to set as a cookie.
    pub fn remember_device(
        &self,
        user: &str,
        ticket: u64,
        now: u64,
    ) -> Result<String, FacadeError> {
        let signed = {
            let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
            match kept.by_ticket.get(&ticket) {
                Some((owner, _)) if owner == user => kept.by_ticket.remove(&ticket),
                Some(_) | None => None,
            }
        };
        let Some((_, signed)) = signed else {
            return Err(not_signed_in());
        };
        let token = served(self.service.remember_device(user, &signed, now))?;
        Ok(token.as_str().to_owned())
    }

    /// Checks a remember-this-device token: accepted with the next token to send,
    /// or refused with its reason.
    pub fn check_remembered(
        &self,
        user: &str,
        token: &str,
        now: u64,
    ) -> Result<RememberCheck, FacadeError> {
        Ok(
            match served(self.service.check_remembered(user, token, now))? {
                Remembered::Accepted { next, device } => RememberCheck {
                    accepted: true,
                    next_token: Some(next.as_str().to_owned()),
                    device: Some(device),
                    reason: None,
                },
                Remembered::Refused(reason) => RememberCheck {
                    accepted: false,
                    next_token: None,
                    device: None,
                    reason: Some(reason.name()),
                },
            },
        )
    }

    /// Revokes every remembered browser of the user; how many.
    pub fn forget_remembered(&self, user: &str, now: u64) -> Result<usize, FacadeError> {
        served(self.service.forget_remembered(user, now))
    }

    /// Resynchronises the device with two consecutive codes (counted on the user
    /// like a sign-in).
    pub fn resync_device(
        &self,
        user: &str,
        name: &str,
        code1: &str,
        code2: &str,
        now: u64,
    ) -> Result<Attempt, FacadeError> {
        let answer = served(self.service.resync_device(user, name, code1, code2, now))?;
        resynchronisation(answer.outcome, &answer.state).map(stored)
    }

    /// Clears the user's failures and lock-out, and every device's.
    pub fn clear_user_lockout(&self, user: &str, now: u64) -> Result<(), FacadeError> {
        served(self.service.clear_user_lockout(user, now))
    }

    /// The user's failures, lock-out and counts.
    pub fn user_status(&self, user: &str) -> Result<UserStatusRecord, FacadeError> {
        let s = served(self.service.user_status(user))?;
        Ok(UserStatusRecord {
            failures: s.failures,
            locked_until: s.locked_until,
            devices: s.devices,
            recovery_codes_left: s.recovery_codes_left,
            remembered: s.remembered,
        })
    }

    /// A new set of `count` recovery codes (default 10) of `length` characters
    /// (default 16), replacing the user's old set: show them once.
    pub fn regenerate_recovery_codes(
        &self,
        user: &str,
        count: Option<usize>,
        length: Option<usize>,
        now: u64,
    ) -> Result<Vec<String>, FacadeError> {
        let mut policy = RecoveryPolicy::default();
        if let Some(n) = count {
            policy = policy.with_count(n)?;
        }
        if let Some(n) = length {
            policy = policy.with_length(n)?;
        }
        let codes = served(self.service.regenerate_recovery_codes(user, &policy, now))?;
        Ok(codes.codes().iter().map(ToString::to_string).collect())
    }

    /// Signs the user in with a recovery code: an [`Attempt`], refused with its
    /// reason (`CODE_MISMATCH`, `REPLAYED`, `LOCKED`, …) for a wrong one.
    pub fn use_recovery_code(
        &self,
        user: &str,
        code: &str,
        now: u64,
    ) -> Result<Attempt, FacadeError> {
        let outcome = served(self.service.use_recovery_code(user, code, now))?;
        let message = outcome.to_string();
        let mut a = Attempt::new(AttemptKind::Recovery, message.clone(), String::new());
        a.ok = outcome.is_accepted();
        if let Some(code) = outcome.code() {
            a.reason = Some(refusal(code, &message)?);
        }
        match outcome {
            RecoveryOutcome::Accepted { index, remaining } => {
                a.index = Some(index);
                a.remaining = Some(remaining);
            }
            RecoveryOutcome::Locked { until } => a.locked_until = Some(until),
            RecoveryOutcome::Invalid
            | RecoveryOutcome::AlreadyUsed
            | RecoveryOutcome::Malformed => {}
        }
        Ok(a)
    }

    /// The user's last events (at most [`RECENT_EVENTS_PER_USER`] kept), newest
    /// first.
    pub fn recent_events(&self, user: &str) -> Vec<EventItem> {
        self.recent
            .of_user(user)
            .into_iter()
            .map(|e: EventRecord| EventItem {
                kind: e.kind.name(),
                device: e.device,
                at: e.at,
                reason: e.reason.map(|r| r.name()),
                failures: e.failures,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Category, OptionName};
    use otpkit::{Algorithm, Digits, Period, Secret, Totp};

    const SECRET_A: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    const SECRET_B: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    const T0: u64 = 1_700_000_000;

    fn totp(b32: &str) -> Totp {
        Totp::new(
            &Secret::from_base32(b32).unwrap(),
            Algorithm::Sha1,
            Digits::SIX,
            Period::DEFAULT,
        )
    }

    fn code(b32: &str, at: u64) -> String {
        totp(b32).code_at(at).unwrap().to_string()
    }

    fn two_devices() -> UserDevices {
        let u = UserDevices::open("memory:", "k1", &[7; 32], &PolicyOptions::default()).unwrap();
        for (name, s) in [("phone", SECRET_A), ("tablet", SECRET_B)] {
            u.add_device("alice", name, s, None, None, None, T0)
                .unwrap();
            let e = u
                .enroll_device("alice", name, &code(s, T0 - 30), &code(s, T0), T0)
                .unwrap();
            assert!(e.ok, "{e}");
            assert!(e.state.is_empty());
        }
        u
    }

    #[test]
    fn two_devices_sign_in_each_and_a_wrong_code_is_a_value() {
        let u = two_devices();
        let a = u
            .sign_in("alice", &code(SECRET_A, T0 + 30), None, T0 + 30)
            .unwrap();
        assert!(a.accepted, "{a}");
        assert_eq!(a.device.as_deref(), Some("phone"));
        assert!(a.ticket.is_some());
        let b = u
            .sign_in("alice", &code(SECRET_B, T0 + 60), Some("tablet"), T0 + 60)
            .unwrap();
        assert_eq!((b.accepted, b.device.as_deref()), (true, Some("tablet")));
        let wrong = u.sign_in("alice", "000000", None, T0 + 90).unwrap();
        assert!(!wrong.accepted && wrong.ticket.is_none());
        assert_eq!(wrong.reason, Some(ErrorCode::CodeMismatch));
        assert_eq!(wrong.failures, 1);
        let replay = u
            .sign_in("alice", &code(SECRET_B, T0 + 60), None, T0 + 60)
            .unwrap();
        assert_eq!(replay.reason, Some(ErrorCode::Replayed));
        let bad = u.sign_in("alice", "12a", None, T0 + 90).unwrap();
        assert_eq!(bad.reason, Some(ErrorCode::CodeMalformed));
        let listed = u.devices("alice").unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].params.as_deref(), Some("totp.SHA1.6.30"));
        assert!(listed.iter().all(|d| d.enrolled));
        assert!(u.remove_device("alice", "phone", T0 + 90).unwrap());
        assert!(!u.remove_device("alice", "phone", T0 + 90).unwrap());
        assert_eq!(u.user_status("alice").unwrap().devices, 1);
        let kinds: Vec<&str> = u.recent_events("alice").iter().map(|e| e.kind).collect();
        assert_eq!(kinds.first(), Some(&"device_removed"), "{kinds:?}");
    }

    #[test]
    fn a_lock_out_is_a_value_with_its_end() {
        let opts = PolicyOptions {
            max_failures: Some(2),
            ..PolicyOptions::default()
        };
        let u = UserDevices::open("memory:", "k1", &[7; 32], &opts).unwrap();
        u.add_device("bob", "phone", SECRET_A, None, None, None, T0)
            .unwrap();
        let e = u
            .enroll_device(
                "bob",
                "phone",
                &code(SECRET_A, T0 - 30),
                &code(SECRET_A, T0),
                T0,
            )
            .unwrap();
        assert!(e.ok);
        for _ in 0..2 {
            let _ = u.sign_in("bob", "000000", None, T0).unwrap();
        }
        let locked = u
            .sign_in("bob", &code(SECRET_A, T0 + 30), None, T0 + 30)
            .unwrap();
        assert_eq!(locked.reason, Some(ErrorCode::Locked));
        assert!(locked.locked_until.is_some());
        u.clear_user_lockout("bob", T0 + 31).unwrap();
        assert_eq!(u.user_status("bob").unwrap().failures, 0);
    }

    #[test]
    fn a_remember_token_is_accepted_once_and_the_old_one_revokes_all() {
        let u = two_devices();
        let ok = u
            .sign_in("alice", &code(SECRET_A, T0 + 30), None, T0 + 30)
            .unwrap();
        let ticket = ok.ticket.unwrap();
        let e = u.remember_device("bob", ticket, T0 + 30).unwrap_err();
        assert_eq!(e.category, Category::WrongState);
        let token = u.remember_device("alice", ticket, T0 + 30).unwrap();
        let e = u.remember_device("alice", ticket, T0 + 30).unwrap_err();
        assert_eq!(e.reason, ErrorCode::NotSignedIn);
        let first = u.check_remembered("alice", &token, T0 + 40).unwrap();
        assert!(first.accepted);
        assert_eq!(first.device.as_deref(), Some("phone"));
        let next = first.next_token.clone().unwrap();
        assert!(!format!("{first:?}").contains(&next));
        let old = u.check_remembered("alice", &token, T0 + 50).unwrap();
        assert_eq!((old.accepted, old.reason), (false, Some("theft")));
        let revoked = u.check_remembered("alice", &next, T0 + 60).unwrap();
        assert!(!revoked.accepted);
        assert_eq!(u.forget_remembered("alice", T0 + 70).unwrap(), 0);
    }

    #[test]
    fn recovery_codes_rename_and_resync() {
        let u = two_devices();
        let codes = u
            .regenerate_recovery_codes("alice", Some(3), None, T0)
            .unwrap();
        assert_eq!(codes.len(), 3);
        let used = u.use_recovery_code("alice", &codes[0], T0).unwrap();
        assert!(used.ok && used.remaining == Some(2), "{used}");
        let again = u.use_recovery_code("alice", &codes[0], T0).unwrap();
        assert_eq!(again.reason, Some(ErrorCode::Replayed));
        u.rename_device("alice", "phone", "old phone", T0).unwrap();
        let e = u
            .rename_device("alice", "tablet", "old phone", T0)
            .unwrap_err();
        assert_eq!(
            (e.category, e.reason),
            (Category::WrongState, ErrorCode::DeviceExists)
        );
        let late = T0 + 3000;
        let r = u
            .resync_device(
                "alice",
                "old phone",
                &code(SECRET_A, late),
                &code(SECRET_A, late + 30),
                late + 30,
            )
            .unwrap();
        assert!(r.ok, "{r}");
    }

    #[test]
    fn errors_have_categories_and_name_the_argument() {
        let e =
            UserDevices::open("redis://x", "k1", &[7; 32], &PolicyOptions::default()).unwrap_err();
        assert_eq!(e.category, Category::InvalidInput);
        assert!(e.detail.starts_with("store: "), "{e}");
        let e =
            UserDevices::open("memory:", "k1", &[7; 31], &PolicyOptions::default()).unwrap_err();
        assert!(e.detail.starts_with("key: "), "{e}");
        let e = UserDevices::open("memory:", "bad id!", &[7; 32], &PolicyOptions::default())
            .unwrap_err();
        assert!(e.detail.starts_with("key_id: "), "{e}");
        assert_eq!(
            e.detail_in(OptionName::camel_case).split(':').next(),
            Some("keyId")
        );
        let u = two_devices();
        let e = u.sign_in("alice", "123456", Some("watch"), T0).unwrap_err();
        assert_eq!(
            (e.category, e.reason),
            (Category::WrongState, ErrorCode::UnknownDevice)
        );
        let e = u
            .add_device("alice", "", SECRET_A, None, None, None, T0)
            .unwrap_err();
        assert_eq!(e.category, Category::InvalidInput);
        let e = u
            .add_device("alice", "x", "not base32!", None, None, None, T0)
            .unwrap_err();
        assert!(e.detail.starts_with("secret: "), "{e}");
        for i in 2..8 {
            u.add_device("alice", &format!("d{i}"), SECRET_A, None, None, None, T0)
                .unwrap();
        }
        let e = u
            .add_device("alice", "d8", SECRET_A, None, None, None, T0)
            .unwrap_err();
        assert_eq!(
            (e.category, e.reason),
            (Category::WrongState, ErrorCode::TooManyDevices)
        );
        let e = u.use_recovery_code("alice", "abcd", T0).unwrap_err();
        assert_eq!(
            (e.category, e.reason),
            (Category::WrongState, ErrorCode::NoRecoveryCodes)
        );
        let e = u.devices("").unwrap_err();
        assert!(e.detail.starts_with("user: "), "{e}");
    }

    #[cfg(feature = "sqlite")]
    #[test]
    fn a_sqlite_store_keeps_devices_across_opens() {
        let dir = std::env::temp_dir().join(format!("otpkit-facade-users-{}", std::process::id()));
        let spec = format!("sqlite:{}", dir.display());
        {
            let u = UserDevices::open(&spec, "k1", &[7; 32], &PolicyOptions::default()).unwrap();
            u.add_device("carol", "phone", SECRET_A, None, None, None, T0)
                .unwrap();
        }
        let u = UserDevices::open(&spec, "k1", &[7; 32], &PolicyOptions::default()).unwrap();
        assert_eq!(u.devices("carol").unwrap().len(), 1);
        let _ = std::fs::remove_file(&dir);
    }
}
