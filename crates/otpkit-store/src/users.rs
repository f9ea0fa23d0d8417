//! Users with several named devices: add, list, rename and remove devices; sign in
//! with any of them or a chosen one; one failure count and lock-out per user;
//! recovery codes; remember this device.
//!
//! A user's record (device names, failures, recovery codes, remembered series) is
//! a row of the same device table, swapped by the same compare-and-swap, and each
//! device is a row of its own with its own replay state (see `user.rs`).
//!
//! ## The user-level bound
//!
//! Every attempt that checks a code of the user (a sign-in on any or one device, a
//! resynchronisation, a recovery code) is counted on the user record **before**
//! any code is looked at, by a compare-and-swap: an attempt starts only if the
//! user is not locked, and the count it writes is the one the next attempt reads.
//! So racing servers cannot check more attempts than the policy allows, and
//! adding devices does not add attempts: at most [`Policy::max_failures`] wrong
//! attempts per lock-out, and [`NIST_MAX_FAILURES`] (100) in a row at most, after
//! which the user stays locked until [`MfaService::clear_user_lockout`]. An
//! attempt checks the code against each device tried (every enrolled device for
//! [`DeviceChoice::Any`]), so the chance that a guesser gets in is at most
//! `100 × devices × codes per window / 10^digits`. An accepted attempt clears
//! the count.
//!
//! [`Policy::max_failures`]: otpkit::verifier::Policy::max_failures
//! [`NIST_MAX_FAILURES`]: otpkit::verifier::NIST_MAX_FAILURES

use crate::clock::Timer;

use otpkit::Secret;
use otpkit::recovery::{RecoveryCodes, RecoveryOutcome, RecoveryPolicy, RecoveryState};
use otpkit::verifier::{DeviceState, EnrollOutcome, Lockout, Outcome, ResyncOutcome};

use crate::DeviceParams;
use crate::audit::{Event, EventKind, Reason};
use crate::remember::{self, Check, RememberToken, Series};
use crate::service::{Answer, MfaService, ServiceError, check_id, sign_in_event};
use crate::store::{DeviceRow, DeviceStore};
use crate::user::{
    DeviceEntry, MAX_DEVICES_PER_USER, NO_SECRET, USER_PARAMS, UserRecord, device_row_id,
    user_row_id, valid_name,
};

/// Which of the user's devices a sign-in code is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceChoice<'a> {
    /// Every enrolled device (the user did not say which).
    Any,
    /// The device with this name.
    Named(&'a str),
}

/// What a sign-in came to: the outcome, and which device it concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "the outcome says whether the user may sign in"]
pub struct SignIn {
    outcome: Outcome,
    user: String,
    device: Option<(u32, String)>,
    failures: u32,
}

impl SignIn {
    /// The verifier's outcome (for a user locked out, [`Outcome::Locked`]).
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    /// Whether the user may sign in.
    pub fn is_accepted(&self) -> bool {
        self.outcome.is_accepted()
    }

    /// The device whose code was accepted or replayed (for a chosen device, that
    /// device whatever the outcome).
    pub fn device(&self) -> Option<&str> {
        self.device.as_ref().map(|(_, name)| name.as_str())
    }

    /// The user's consecutive failures after this attempt.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

/// One of a user's devices, as [`MfaService::devices`] lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceInfo {
    /// Its name.
    pub name: String,
    /// When it was added (Unix seconds).
    pub added_at: u64,
    /// How it makes codes (`None` if its row is missing: an add that failed half-way).
    pub params: Option<DeviceParams>,
    /// Whether enrolment finished.
    pub enrolled: bool,
    /// The device's own consecutive failures (a chosen-device sign-in counts them).
    pub failures: u32,
}

/// The user-level state, as [`MfaService::user_status`] reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserStatus {
    /// Consecutive failed attempts, on any device.
    pub failures: u32,
    /// Until when (Unix seconds, exclusive) the user is or was last locked.
    pub locked_until: Option<u64>,
    /// Devices, enrolled or pending.
    pub devices: usize,
    /// Unused recovery codes, if the user has a set.
    pub recovery_codes_left: Option<usize>,
    /// Remember-this-device series alive or not yet pruned.
    pub remembered: usize,
}

/// What a remember-this-device token came to.
#[derive(Debug, PartialEq, Eq)]
#[must_use = "an accepted token is replaced: send the next one to the browser"]
pub enum Remembered {
    /// The browser is remembered: skip the code. Send `next` in place of the token
    /// (the token presented is spent).
    Accepted {
        /// The series' next token.
        next: RememberToken,
        /// The device whose sign-in started the series.
        device: String,
    },
    /// Ask for a code. [`Reason::Theft`] means every token of the user was revoked.
    Refused(Reason),
}

impl<S: DeviceStore> MfaService<S> {
    /// The user-record loop: read the record (a new one if the user has none), run
    /// `op`, and store the record it returns by compare-and-swap (insert for a new
    /// user); on a lost swap, again from the read. `None` from `op`: nothing to
    /// write.
    fn update_user<T>(
        &self,
        user: &str,
        op: impl Fn(&UserRecord) -> Result<(T, Option<UserRecord>), ServiceError>,
    ) -> Result<(T, UserRecord), ServiceError> {
        let id = user_row_id(user);
        self.count_request();
        for attempt in 1..=self.max_attempts {
            let read = self.store.load(&id)?;
            let current = match &read {
                Some(loaded) => decode_user(user, &loaded.row)?,
                None => UserRecord::default(),
            };
            let (out, new) = op(&current)?;
            let Some(new) = new else {
                return Ok((out, current));
            };
            let state = new.encode();
            let written = match &read {
                Some(loaded) => self.store.compare_and_swap(loaded, &state)?,
                None => self.store.insert(&DeviceRow {
                    id: id.clone(),
                    params: USER_PARAMS.to_owned(),
                    secret: NO_SECRET.to_owned(),
                    state,
                })?,
            };
            if written {
                return Ok((out, new));
            }
            self.lost_swap(attempt);
        }
        Err(ServiceError::Contention {
            attempts: self.max_attempts,
        })
    }

    /// The user's record, read only.
    fn user_record(&self, user: &str) -> Result<UserRecord, ServiceError> {
        match self.store.load(&user_row_id(user))? {
            Some(loaded) => decode_user(user, &loaded.row),
            None => Ok(UserRecord::default()),
        }
    }

    /// The user's device named `name`.
    fn entry(&self, user: &str, name: &str) -> Result<DeviceEntry, ServiceError> {
        self.user_record(user)?
            .device(name)
            .cloned()
            .ok_or_else(|| unknown(user, name))
    }

    /// Counts one attempt on the user before any code is checked: `Err(until)` if
    /// the user is locked (nothing written), else the record with the attempt
    /// counted. `check` runs on the record first (to refuse an unknown device
    /// before counting).
    fn count_attempt(
        &self,
        user: &str,
        now: u64,
        check: impl Fn(&UserRecord) -> Result<(), ServiceError>,
    ) -> Result<Result<UserRecord, u64>, ServiceError> {
        let policy = self.policy;
        let (locked, record) = self.update_user(user, |record| {
            check(record)?;
            if let Some(until) = record
                .lock
                .until()
                .filter(|_| record.lock.is_locked_at(now))
            {
                return Ok((Some(until), None));
            }
            let mut next = record.clone();
            next.lock = record.lock.after_failure(&policy, now);
            Ok((None, Some(next)))
        })?;
        Ok(match locked {
            Some(until) => Err(until),
            None => Ok(record),
        })
    }

    /// Clears the user's failures after an accepted attempt.
    fn clear_user_failures(&self, user: &str) -> Result<(), ServiceError> {
        self.update_user(user, |record| {
            if record.lock == Lockout::NONE {
                return Ok(((), None));
            }
            let mut next = record.clone();
            next.lock = Lockout::NONE;
            Ok(((), Some(next)))
        })
        .map(|_| ())
    }

    /// Emits `RememberedRevoked` for `revoked` series (none: no event).
    fn emit_revoked(&self, user: &str, reason: Reason, revoked: usize, now: u64) {
        if revoked > 0 {
            self.emit(Event {
                reason: Some(reason),
                count: u32::try_from(revoked).unwrap_or(u32::MAX),
                ..Event::new(EventKind::RememberedRevoked, user, now)
            });
        }
    }

    /// Emits `LockoutStarted` if the attempt counted in `after` locked the user.
    fn emit_if_locked(&self, user: &str, after: &UserRecord, now: u64) {
        if after.lock.is_locked_at(now) {
            self.emit(Event {
                failures: after.lock.failures(),
                ..Event::new(EventKind::LockoutStarted, user, now)
            });
        }
    }

    /// `CreateVirtualMFADevice` with a name: adds a pending device `name` to
    /// `user` (at most [`MAX_DEVICES_PER_USER`]), with `secret` sealed. Show the
    /// secret as a QR code; [`enroll_device`](Self::enroll_device) finishes it.
    pub fn add_device(
        &self,
        user: &str,
        name: &str,
        secret: &Secret,
        params: DeviceParams,
        now: u64,
    ) -> Result<(), ServiceError> {
        check_id(user)?;
        if !valid_name(name) {
            return Err(ServiceError::InvalidDeviceName);
        }
        self.allowed.check(&params)?;
        let (key, _) = self.update_user(user, |record| {
            if record.device(name).is_some() {
                return Err(ServiceError::DeviceNameTaken {
                    user: user.to_owned(),
                    name: name.to_owned(),
                });
            }
            if record.devices.len() >= MAX_DEVICES_PER_USER {
                return Err(ServiceError::TooManyDevices {
                    user: user.to_owned(),
                });
            }
            let mut next = record.clone();
            let key = record.next_key;
            next.next_key = key.checked_add(1).ok_or(ServiceError::TooManyDevices {
                user: user.to_owned(),
            })?;
            next.devices.push(DeviceEntry {
                key,
                name: name.to_owned(),
                added: now,
            });
            Ok((key, Some(next)))
        })?;
        if let Err(e) = self.insert_pending(&device_row_id(user, key), secret, params) {
            // Take the name back so the user can try again; the error is the one to
            // report whether or not this succeeds.
            let _ = self.forget_entry(user, key);
            return Err(e);
        }
        self.emit(Event {
            device: Some(name),
            ..Event::new(EventKind::EnrollmentBegun, user, now)
        });
        Ok(())
    }

    /// Removes the entry `key` from the user record (no event).
    fn forget_entry(&self, user: &str, key: u32) -> Result<(), ServiceError> {
        self.update_user(user, |record| {
            let mut next = record.clone();
            next.devices.retain(|d| d.key != key);
            Ok(((), Some(next)))
        })
        .map(|_| ())
    }

    /// The secret of the user's device `name` while it is still enrolling (to show
    /// its QR code again).
    pub fn pending_device_secret(
        &self,
        user: &str,
        name: &str,
    ) -> Result<(Secret, DeviceParams), ServiceError> {
        check_id(user)?;
        let entry = self.entry(user, name)?;
        self.pending_row_secret(&device_row_id(user, entry.key))
            .map_err(|e| named(e, user, name))
    }

    /// `EnableMFADevice`: two consecutive codes from the device `name` finish its
    /// enrolment. A refused pair counts on the device (enrolment proves a secret
    /// just shown; it is not a guess at the user's other devices).
    pub fn enroll_device(
        &self,
        user: &str,
        name: &str,
        code1: &str,
        code2: &str,
        now: u64,
    ) -> Result<Answer<EnrollOutcome>, ServiceError> {
        check_id(user)?;
        let started = Timer::start();
        let entry = self.entry(user, name)?;
        let answer = self
            .update(&device_row_id(user, entry.key), |v, s| {
                Ok(v()?.enroll(s, code1, code2, now))
            })
            .map_err(|e| named(e, user, name))?;
        self.emit_enroll(user, Some(name), &answer, now, started);
        Ok(answer)
    }

    /// The user's devices, in the order added.
    pub fn devices(&self, user: &str) -> Result<Vec<DeviceInfo>, ServiceError> {
        check_id(user)?;
        let record = self.user_record(user)?;
        let mut out = Vec::with_capacity(record.devices.len());
        for entry in &record.devices {
            let loaded = self.store.load(&device_row_id(user, entry.key))?;
            let (params, state) = match loaded {
                Some(loaded) => {
                    let row = loaded.row;
                    let state: DeviceState =
                        row.state.parse().map_err(|_| ServiceError::Corrupt {
                            id: user.to_owned(),
                            column: "state",
                        })?;
                    let params: DeviceParams =
                        row.params.parse().map_err(|_| ServiceError::Corrupt {
                            id: user.to_owned(),
                            column: "params",
                        })?;
                    (Some(params), Some(state))
                }
                None => (None, None),
            };
            out.push(DeviceInfo {
                name: entry.name.clone(),
                added_at: entry.added,
                params,
                enrolled: state.is_some_and(|s| s.is_enrolled()),
                failures: state.map_or(0, |s| s.failures()),
            });
        }
        Ok(out)
    }

    /// Renames the user's device `from` to `to`.
    pub fn rename_device(
        &self,
        user: &str,
        from: &str,
        to: &str,
        now: u64,
    ) -> Result<(), ServiceError> {
        check_id(user)?;
        if !valid_name(to) {
            return Err(ServiceError::InvalidDeviceName);
        }
        self.update_user(user, |record| {
            if record.device(from).is_none() {
                return Err(unknown(user, from));
            }
            if from != to && record.device(to).is_some() {
                return Err(ServiceError::DeviceNameTaken {
                    user: user.to_owned(),
                    name: to.to_owned(),
                });
            }
            let mut next = record.clone();
            for d in &mut next.devices {
                if d.name == from {
                    to.clone_into(&mut d.name);
                }
            }
            Ok(((), Some(next)))
        })?;
        self.emit(Event {
            device: Some(to),
            ..Event::new(EventKind::DeviceRenamed, user, now)
        });
        Ok(())
    }

    /// `DeactivateMFADevice`: removes the user's device `name`, and revokes every
    /// remember-this-device token of the user (a removed device is often a lost
    /// one). The user's failure count stays: removing a device and adding it again
    /// does not reset it. `Ok(false)` if the user has no such device.
    pub fn remove_device(&self, user: &str, name: &str, now: u64) -> Result<bool, ServiceError> {
        check_id(user)?;
        let (removed, _) = self.update_user(user, |record| {
            let Some(entry) = record.device(name) else {
                return Ok((None, None));
            };
            let mut next = record.clone();
            next.devices.retain(|d| d.name != name);
            next.remembered.clear();
            Ok((Some((entry.key, record.remembered.len())), Some(next)))
        })?;
        let Some((key, revoked)) = removed else {
            return Ok(false);
        };
        self.store.remove(&device_row_id(user, key))?;
        self.emit(Event {
            device: Some(name),
            ..Event::new(EventKind::DeviceRemoved, user, now)
        });
        self.emit_revoked(user, Reason::DeviceRemoved, revoked, now);
        Ok(true)
    }

    /// Removes every device of the user and the user's record (recovery codes and
    /// remembered browsers included). `Ok(false)` if there was nothing.
    pub fn remove_user(&self, user: &str, now: u64) -> Result<bool, ServiceError> {
        check_id(user)?;
        let record = self.user_record(user)?;
        for entry in &record.devices {
            self.store.remove(&device_row_id(user, entry.key))?;
            self.emit(Event {
                device: Some(&entry.name),
                ..Event::new(EventKind::DeviceRemoved, user, now)
            });
        }
        Ok(self.store.remove(&user_row_id(user))?)
    }

    /// Sign-in with one code, from any enrolled device of the user or the one
    /// named. The attempt is counted on the user before the code is checked (see
    /// the module docs); an accepted code clears the count and is accepted once
    /// per device, as [`MfaService::verify`] does for one device. A chosen device
    /// also counts the failure on itself.
    pub fn sign_in(
        &self,
        user: &str,
        code: &str,
        choice: DeviceChoice<'_>,
        now: u64,
    ) -> Result<SignIn, ServiceError> {
        check_id(user)?;
        let started = Timer::start();
        let counted = self.count_attempt(user, now, |record| {
            if record.devices.is_empty() {
                return Err(ServiceError::NoSuchDevice {
                    id: user.to_owned(),
                });
            }
            match choice {
                DeviceChoice::Named(name) if record.device(name).is_none() => {
                    Err(unknown(user, name))
                }
                DeviceChoice::Named(_) | DeviceChoice::Any => Ok(()),
            }
        })?;
        let record = match counted {
            Ok(record) => record,
            Err(until) => {
                let failures = self.user_record(user)?.lock.failures();
                let outcome = Outcome::Locked { until };
                self.emit(Event {
                    reason: Some(Reason::Locked),
                    failures,
                    elapsed: started.elapsed(),
                    ..Event::new(EventKind::SignInRefused, user, now)
                });
                return Ok(SignIn {
                    outcome,
                    user: user.to_owned(),
                    device: None,
                    failures,
                });
            }
        };
        let tried: Vec<&DeviceEntry> = match choice {
            DeviceChoice::Any => record.devices.iter().collect(),
            DeviceChoice::Named(name) => record.devices.iter().filter(|d| d.name == name).collect(),
        };
        let (outcome, device) = match choice {
            DeviceChoice::Named(name) => {
                let entry = tried.first().ok_or_else(|| unknown(user, name))?;
                let answer = self
                    .update(&device_row_id(user, entry.key), |v, s| {
                        Ok(v()?.verify(s, code, now))
                    })
                    .map_err(|e| named(e, user, name))?;
                (answer.outcome, Some((entry.key, entry.name.clone())))
            }
            DeviceChoice::Any => self.sign_in_any(user, code, &tried, now)?,
        };
        let accepted = outcome.is_accepted();
        let failures = if accepted {
            self.clear_user_failures(user)?;
            0
        } else {
            record.lock.failures()
        };
        let (kind, reason) = sign_in_event(&outcome);
        let name = device.as_ref().map(|(_, n)| n.as_str());
        self.emit(Event {
            device: name,
            reason,
            failures,
            count: u32::try_from(tried.len()).unwrap_or(u32::MAX),
            elapsed: started.elapsed(),
            ..Event::new(kind, user, now)
        });
        if !accepted {
            self.emit_if_locked(user, &record, now);
        }
        Ok(SignIn {
            outcome,
            user: user.to_owned(),
            device,
            failures,
        })
    }

    /// Checks `code` against each enrolled device without writing, then stores
    /// the state of the one that accepted it (by the device's own loop: a device
    /// another request used in between answers `Replayed`). Nothing else is
    /// written: a wrong code is counted on the user only.
    fn sign_in_any(
        &self,
        user: &str,
        code: &str,
        tried: &[&DeviceEntry],
        now: u64,
    ) -> Result<(Outcome, Option<(u32, String)>), ServiceError> {
        let mut refused = (Outcome::Invalid, None);
        for entry in tried {
            let id = device_row_id(user, entry.key);
            let Some(loaded) = self.store.load(&id)? else {
                continue;
            };
            let state: DeviceState =
                loaded
                    .row
                    .state
                    .parse()
                    .map_err(|_| ServiceError::Corrupt {
                        id: user.to_owned(),
                        column: "state",
                    })?;
            if !state.is_enrolled() {
                continue;
            }
            let params: DeviceParams =
                loaded
                    .row
                    .params
                    .parse()
                    .map_err(|_| ServiceError::Corrupt {
                        id: user.to_owned(),
                        column: "params",
                    })?;
            let secret = self.keyring.open(
                &id,
                &crate::seal::SealedSecret::from_stored(loaded.row.secret.clone()),
            )?;
            let (outcome, _) = params
                .verifier(&secret, self.policy)
                .verify(&state, code, now);
            match outcome {
                Outcome::Accepted { .. } => {
                    let answer = self.update(&id, |v, s| Ok(v()?.verify(s, code, now)))?;
                    return Ok((answer.outcome, Some((entry.key, entry.name.clone()))));
                }
                Outcome::Replayed => {
                    refused = (Outcome::Replayed, Some((entry.key, entry.name.clone())))
                }
                Outcome::Malformed(e) => {
                    if refused.0 == Outcome::Invalid {
                        refused = (Outcome::Malformed(e), None);
                    }
                }
                Outcome::Invalid | Outcome::Locked { .. } | Outcome::Error(_) => {}
            }
        }
        Ok(refused)
    }

    /// `ResyncMFADevice` for the device `name`: counted on the user like a sign-in.
    pub fn resync_device(
        &self,
        user: &str,
        name: &str,
        code1: &str,
        code2: &str,
        now: u64,
    ) -> Result<Answer<ResyncOutcome>, ServiceError> {
        check_id(user)?;
        let started = Timer::start();
        let counted = self.count_attempt(user, now, |record| {
            record
                .device(name)
                .map(|_| ())
                .ok_or_else(|| unknown(user, name))
        })?;
        let entry = self.entry(user, name)?;
        let id = device_row_id(user, entry.key);
        let record = match counted {
            Ok(record) => record,
            Err(until) => {
                let state = self.read(&id)?.1;
                let answer = Answer {
                    outcome: ResyncOutcome::Rejected(otpkit::verifier::ResyncError::Locked {
                        until,
                    }),
                    state,
                    attempts: 0,
                };
                self.emit_resync(user, Some(name), &answer, now, started);
                return Ok(answer);
            }
        };
        let answer = self
            .update(&id, |v, s| Ok(v()?.resync(s, code1, code2, now)))
            .map_err(|e| named(e, user, name))?;
        if answer.outcome.is_resynced() {
            self.clear_user_failures(user)?;
        } else {
            self.emit_if_locked(user, &record, now);
        }
        self.emit_resync(user, Some(name), &answer, now, started);
        Ok(answer)
    }

    /// An administrator clears the user's failures and lock-out, and every
    /// device's (after confirming the user by other means).
    pub fn clear_user_lockout(&self, user: &str, now: u64) -> Result<(), ServiceError> {
        check_id(user)?;
        let (_, record) = self.update_user(user, |record| {
            let mut next = record.clone();
            next.lock = Lockout::NONE;
            if let Some(recovery) = &record.recovery {
                let state: RecoveryState = recovery.parse().map_err(|_| ServiceError::Corrupt {
                    id: user.to_owned(),
                    column: "state",
                })?;
                next.recovery = Some(state.with_failures_cleared().encode());
            }
            Ok(((), Some(next)))
        })?;
        for entry in &record.devices {
            let id = device_row_id(user, entry.key);
            if self.store.load(&id)?.is_some() {
                let _ = self.update(&id, |_, s| Ok(((), s.with_failures_cleared())))?;
            }
        }
        self.emit(Event::new(EventKind::LockoutCleared, user, now));
        Ok(())
    }

    /// The user's failures, lock-out and counts.
    pub fn user_status(&self, user: &str) -> Result<UserStatus, ServiceError> {
        check_id(user)?;
        let record = self.user_record(user)?;
        let recovery_codes_left = match &record.recovery {
            Some(text) => Some(
                text.parse::<RecoveryState>()
                    .map_err(|_| ServiceError::Corrupt {
                        id: user.to_owned(),
                        column: "state",
                    })?
                    .remaining(),
            ),
            None => None,
        };
        Ok(UserStatus {
            failures: record.lock.failures(),
            locked_until: record.lock.until(),
            devices: record.devices.len(),
            recovery_codes_left,
            remembered: record.remembered.len(),
        })
    }

    /// A new set of recovery codes for the user, replacing the old set (every old
    /// code stops working). Show the codes once; only their hashes are stored.
    pub fn regenerate_recovery_codes(
        &self,
        user: &str,
        policy: &RecoveryPolicy,
        now: u64,
    ) -> Result<RecoveryCodes, ServiceError> {
        check_id(user)?;
        let codes = RecoveryCodes::generate(policy).map_err(|_| ServiceError::Random)?;
        let text = codes.state().encode();
        self.update_user(user, |record| {
            let mut next = record.clone();
            next.recovery = Some(text.clone());
            Ok(((), Some(next)))
        })?;
        self.emit(Event {
            count: u32::try_from(codes.codes().len()).unwrap_or(u32::MAX),
            ..Event::new(EventKind::RecoveryCodesRegenerated, user, now)
        });
        Ok(codes)
    }

    /// Signs the user in with a recovery code. Checked and counted on the user in
    /// one compare-and-swap: refused without looking while the user is locked; a
    /// wrong code counts as a failure like a wrong OTP code; an accepted one is
    /// spent and clears the count.
    pub fn use_recovery_code(
        &self,
        user: &str,
        code: &str,
        now: u64,
    ) -> Result<RecoveryOutcome, ServiceError> {
        check_id(user)?;
        let started = Timer::start();
        let policy = self.policy;
        let (outcome, record) = self.update_user(user, |record| {
            let Some(text) = &record.recovery else {
                return Err(ServiceError::NoRecoveryCodes {
                    user: user.to_owned(),
                });
            };
            if let Some(until) = record
                .lock
                .until()
                .filter(|_| record.lock.is_locked_at(now))
            {
                return Ok((RecoveryOutcome::Locked { until }, None));
            }
            let state: RecoveryState = text.parse().map_err(|_| ServiceError::Corrupt {
                id: user.to_owned(),
                column: "state",
            })?;
            let (outcome, new_state) = state.verify(code, now, &policy);
            let mut next = record.clone();
            next.recovery = Some(new_state.encode());
            next.lock = if outcome.is_accepted() {
                Lockout::NONE
            } else if matches!(outcome, RecoveryOutcome::Locked { .. }) {
                record.lock
            } else {
                record.lock.after_failure(&policy, now)
            };
            Ok((outcome, Some(next)))
        })?;
        let (kind, reason, count) = match outcome {
            RecoveryOutcome::Accepted { remaining, .. } => (
                EventKind::RecoveryCodeUsed,
                None,
                u32::try_from(remaining).unwrap_or(u32::MAX),
            ),
            RecoveryOutcome::Invalid => (EventKind::RecoveryCodeRefused, Some(Reason::Invalid), 0),
            RecoveryOutcome::AlreadyUsed => {
                (EventKind::RecoveryCodeRefused, Some(Reason::Replayed), 0)
            }
            RecoveryOutcome::Locked { .. } => {
                (EventKind::RecoveryCodeRefused, Some(Reason::Locked), 0)
            }
            RecoveryOutcome::Malformed => {
                (EventKind::RecoveryCodeRefused, Some(Reason::Malformed), 0)
            }
        };
        self.emit(Event {
            reason,
            failures: record.lock.failures(),
            count,
            elapsed: started.elapsed(),
            ..Event::new(kind, user, now)
        });
        if !outcome.is_accepted() && !matches!(outcome, RecoveryOutcome::Locked { .. }) {
            self.emit_if_locked(user, &record, now);
        }
        Ok(outcome)
    }

    /// Remembers the browser of an accepted sign-in: a token to set as a cookie.
    /// While it is valid (see [`MfaService::with_remember_lifetime`]),
    /// [`check_remembered`](Self::check_remembered) lets that browser skip the code.
    pub fn remember_device(
        &self,
        user: &str,
        signed_in: &SignIn,
        now: u64,
    ) -> Result<RememberToken, ServiceError> {
        check_id(user)?;
        let (Some((key, name)), true) = (&signed_in.device, signed_in.is_accepted()) else {
            return Err(ServiceError::NotSignedIn);
        };
        if signed_in.user != user {
            return Err(ServiceError::NotSignedIn);
        }
        let expires = now.saturating_add(self.remember_secs);
        let (series, token) = Series::start(*key, expires).map_err(|_| ServiceError::Random)?;
        self.update_user(user, |record| {
            if !record.devices.iter().any(|d| d.key == *key) {
                return Err(unknown(user, name));
            }
            let mut next = record.clone();
            next.remembered = remember::add(&record.remembered, series.clone(), now);
            Ok(((), Some(next)))
        })?;
        self.emit(Event {
            device: Some(name),
            ..Event::new(EventKind::DeviceRemembered, user, now)
        });
        Ok(token)
    }

    /// Checks a remember-this-device token of the user. Accepted: the browser may
    /// skip the code, and must get the next token in its place. An old token of a
    /// series (it was copied) revokes every token of the user.
    pub fn check_remembered(
        &self,
        user: &str,
        token: &str,
        now: u64,
    ) -> Result<Remembered, ServiceError> {
        check_id(user)?;
        let started = Timer::start();
        let ((check, series_before), record) = self.update_user(user, |record| {
            let (check, kept) = remember::check(&record.remembered, token, now)
                .map_err(|_| ServiceError::Random)?;
            let before = record.remembered.len();
            if kept == record.remembered {
                return Ok(((check, before), None));
            }
            let mut next = record.clone();
            next.remembered = kept;
            Ok(((check, before), Some(next)))
        })?;
        Ok(match check {
            Check::Accepted { next, device } => {
                let name = record
                    .devices
                    .iter()
                    .find(|d| d.key == device)
                    .map(|d| d.name.clone())
                    .unwrap_or_default();
                self.emit(Event {
                    device: Some(&name),
                    elapsed: started.elapsed(),
                    ..Event::new(EventKind::RememberedAccepted, user, now)
                });
                Remembered::Accepted { next, device: name }
            }
            Check::Refused { reason, revoke_all } => {
                self.emit(Event {
                    reason: Some(reason),
                    elapsed: started.elapsed(),
                    ..Event::new(EventKind::RememberedRefused, user, now)
                });
                if revoke_all {
                    self.emit_revoked(user, reason, series_before, now);
                }
                Remembered::Refused(reason)
            }
        })
    }

    /// Revokes every remember-this-device token of the user (after a password
    /// change, or "sign out everywhere"). Returns how many series were revoked.
    pub fn forget_remembered(&self, user: &str, now: u64) -> Result<usize, ServiceError> {
        check_id(user)?;
        let (revoked, _) = self.update_user(user, |record| {
            if record.remembered.is_empty() {
                return Ok((0, None));
            }
            let mut next = record.clone();
            next.remembered.clear();
            Ok((record.remembered.len(), Some(next)))
        })?;
        self.emit_revoked(user, Reason::Revoked, revoked, now);
        Ok(revoked)
    }

    /// Moves every device secret of the user to the keyring's current key; how
    /// many were resealed.
    pub fn reseal_user(&self, user: &str, now: u64) -> Result<usize, ServiceError> {
        check_id(user)?;
        let record = self.user_record(user)?;
        let mut resealed = 0usize;
        for entry in &record.devices {
            let id = device_row_id(user, entry.key);
            if self.store.load(&id)?.is_some() && self.reseal_row(&id)? {
                resealed = resealed.saturating_add(1);
                self.emit(Event {
                    device: Some(&entry.name),
                    ..Event::new(EventKind::SecretResealed, user, now)
                });
            }
        }
        Ok(resealed)
    }
}

fn unknown(user: &str, name: &str) -> ServiceError {
    ServiceError::UnknownDevice {
        user: user.to_owned(),
        name: name.to_owned(),
    }
}

/// A row-level error of the user's device, said in the user's terms (the row id
/// holds a separator nobody should see).
fn named(e: ServiceError, user: &str, name: &str) -> ServiceError {
    match e {
        ServiceError::NoSuchDevice { .. } => unknown(user, name),
        ServiceError::AlreadyEnrolled { .. } => ServiceError::AlreadyEnrolled {
            id: format!("{user}/{name}"),
        },
        ServiceError::Corrupt { column, .. } => ServiceError::Corrupt {
            id: format!("{user}/{name}"),
            column,
        },
        e @ (ServiceError::Store(_)
        | ServiceError::DeviceExists { .. }
        | ServiceError::InvalidDeviceId
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
        | ServiceError::Random) => e,
    }
}

fn decode_user(user: &str, row: &DeviceRow) -> Result<UserRecord, ServiceError> {
    let corrupt = |column| ServiceError::Corrupt {
        id: user.to_owned(),
        column,
    };
    if row.params != USER_PARAMS {
        return Err(corrupt("params"));
    }
    UserRecord::decode(&row.state).ok_or_else(|| corrupt("state"))
}
