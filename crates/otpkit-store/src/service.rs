//! The read-verify-compare-and-swap loop, once for every store.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::clock::{Timer, wall_clock};

use otpkit::verifier::{DeviceState, EnrollOutcome, Outcome, Policy, ResyncOutcome, StateError};
use otpkit::{Secret, Verifier};

use crate::audit::{AuditSink, Event, EventKind, Reason};
use crate::remember::{DEFAULT_REMEMBER_SECS, MAX_REMEMBER_SECS};
use crate::seal::{Keyring, SealError, SealedSecret};
use crate::store::{DeviceRow, DeviceStore, LoadedRow, StoreError};
use crate::user::{MAX_DEVICE_NAME_LEN, MAX_DEVICES_PER_USER};
use crate::{AllowedParams, DeviceParams, ParamsError};

/// The longest device id, in bytes.
pub const MAX_DEVICE_ID_LEN: usize = 255;

/// How many times a request reads, verifies and tries its compare-and-swap by
/// default before giving up with [`ServiceError::Contention`]. Each lost swap means
/// another request changed the same device in between; a person signing in never
/// races more than a few, so more means the device is being hammered.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 16;

/// What a request came to: the verifier's outcome, the state now stored, and how
/// many read-verify-swap rounds it took (1 without contention).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use = "the outcome says whether the user may sign in"]
pub struct Answer<O> {
    /// The verifier's outcome.
    pub outcome: O,
    /// The state stored (or found unchanged) when the request ended.
    pub state: DeviceState,
    /// Read-verify-swap rounds used.
    pub attempts: u32,
}

/// Why a request was not answered with an outcome.
#[derive(Debug)]
pub enum ServiceError {
    /// The store failed or could not be reached.
    Store(StoreError),
    /// No device has this id.
    NoSuchDevice {
        /// The id asked for.
        id: String,
    },
    /// A device with this id exists already (remove it first to enrol again).
    DeviceExists {
        /// The id.
        id: String,
    },
    /// A device id must be 1 to [`MAX_DEVICE_ID_LEN`] bytes without control
    /// characters.
    InvalidDeviceId,
    /// The device is enrolled: its secret is never shown again.
    AlreadyEnrolled {
        /// The id.
        id: String,
    },
    /// A stored column is damaged (changed outside this crate).
    Corrupt {
        /// The device.
        id: String,
        /// `params` or `state`.
        column: &'static str,
    },
    /// The sealed secret could not be opened (or a secret sealed).
    Seal(SealError),
    /// Lost the compare-and-swap this many times in a row.
    Contention {
        /// Rounds tried.
        attempts: u32,
    },
    /// The user has no device with this name.
    UnknownDevice {
        /// The user.
        user: String,
        /// The name asked for.
        name: String,
    },
    /// The user has a device with this name already.
    DeviceNameTaken {
        /// The user.
        user: String,
        /// The name.
        name: String,
    },
    /// A device name must be 1 to [`MAX_DEVICE_NAME_LEN`] characters, not only
    /// spaces, without control characters.
    InvalidDeviceName,
    /// The user has [`MAX_DEVICES_PER_USER`] devices already.
    TooManyDevices {
        /// The user.
        user: String,
    },
    /// The device's parameters are not on the service's allow-list
    /// ([`MfaService::with_allowed`]).
    NotAllowed {
        /// `algorithm`, `digits`, `period` or `kind`.
        setting: &'static str,
        /// The value refused, as stored (`SHA256`, `8`, `60`, `hotp`).
        value: String,
    },
    /// The user has no recovery codes.
    NoRecoveryCodes {
        /// The user.
        user: String,
    },
    /// A device is remembered only after a sign-in of this user was accepted.
    NotSignedIn,
    /// A remember-this-device lifetime must be 1 s to [`MAX_REMEMBER_SECS`].
    InvalidRememberLifetime {
        /// The lifetime asked for, in seconds.
        secs: u64,
    },
    /// The operating system's random number generator failed.
    Random,
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServiceError::Store(e) => write!(f, "{e}"),
            ServiceError::NoSuchDevice { id } => write!(f, "no MFA device {id:?}"),
            ServiceError::DeviceExists { id } => write!(f, "MFA device {id:?} exists already"),
            ServiceError::InvalidDeviceId => write!(
                f,
                "a device id must be 1 to {MAX_DEVICE_ID_LEN} bytes without control characters"
            ),
            ServiceError::AlreadyEnrolled { id } => {
                write!(
                    f,
                    "MFA device {id:?} is enrolled: its secret is not shown again"
                )
            }
            ServiceError::Corrupt { id, column } => {
                write!(f, "MFA device {id:?} has a damaged {column} column")
            }
            ServiceError::Seal(e) => write!(f, "{e}"),
            ServiceError::Contention { attempts } => write!(
                f,
                "the device was changed by other requests {attempts} times in a row; try again"
            ),
            ServiceError::UnknownDevice { user, name } => {
                write!(f, "user {user:?} has no MFA device named {name:?}")
            }
            ServiceError::DeviceNameTaken { user, name } => {
                write!(f, "user {user:?} has an MFA device named {name:?} already")
            }
            ServiceError::InvalidDeviceName => write!(
                f,
                "a device name must be 1 to {MAX_DEVICE_NAME_LEN} characters, not only spaces, \
                 without control characters"
            ),
            ServiceError::TooManyDevices { user } => write!(
                f,
                "user {user:?} has {MAX_DEVICES_PER_USER} MFA devices, the most allowed: remove one first"
            ),
            ServiceError::NotAllowed { setting, value } => write!(
                f,
                "this server does not accept MFA devices with {setting} {value}"
            ),
            ServiceError::NoRecoveryCodes { user } => {
                write!(f, "user {user:?} has no recovery codes")
            }
            ServiceError::NotSignedIn => f.write_str(
                "a device is remembered only after an accepted sign-in of the same user",
            ),
            ServiceError::InvalidRememberLifetime { secs } => write!(
                f,
                "a remember-this-device lifetime must be 1 to {MAX_REMEMBER_SECS} seconds, got {secs}"
            ),
            ServiceError::Random => {
                f.write_str("the operating system's random number generator failed")
            }
        }
    }
}

impl ServiceError {
    /// The stable code of this error (the bindings show it, and sort it into what
    /// a caller does about it).
    #[must_use]
    pub const fn code(&self) -> otpkit::ErrorCode {
        use otpkit::ErrorCode as C;
        match self {
            ServiceError::Store(e) => e.code(),
            ServiceError::NoSuchDevice { .. } | ServiceError::UnknownDevice { .. } => {
                C::UnknownDevice
            }
            ServiceError::DeviceExists { .. } | ServiceError::DeviceNameTaken { .. } => {
                C::DeviceExists
            }
            ServiceError::InvalidDeviceId => C::InvalidDeviceId,
            ServiceError::AlreadyEnrolled { .. } => C::AlreadyEnrolled,
            ServiceError::Corrupt { .. } => C::StoreCorrupt,
            ServiceError::Seal(e) => e.code(),
            ServiceError::Contention { .. } => C::Contention,
            ServiceError::InvalidDeviceName => C::InvalidDeviceName,
            ServiceError::TooManyDevices { .. } => C::TooManyDevices,
            ServiceError::NotAllowed { .. } => C::DeviceNotAllowed,
            ServiceError::NoRecoveryCodes { .. } => C::NoRecoveryCodes,
            ServiceError::NotSignedIn => C::NotSignedIn,
            ServiceError::InvalidRememberLifetime { .. } => C::InvalidRememberLifetime,
            ServiceError::Random => C::RngFailed,
        }
    }
}

impl std::error::Error for ServiceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServiceError::Store(e) => Some(e),
            ServiceError::Seal(e) => Some(e),
            _ => None,
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        ServiceError::Store(e)
    }
}

impl From<SealError> for ServiceError {
    fn from(e: SealError) -> Self {
        ServiceError::Seal(e)
    }
}

/// Counters since the service was made: requests that went through the loop,
/// and compare-and-swaps lost (each one a retry, or the last one of a
/// [`ServiceError::Contention`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests that read a device.
    pub requests: u64,
    /// Compare-and-swaps lost to another request.
    pub conflicts: u64,
}

/// MFA devices on a [`DeviceStore`]: enrolment with two codes, sign-in,
/// resynchronisation, lock-out clearing and removal, each a bounded
/// read-verify-compare-and-swap loop, with secrets sealed by a [`Keyring`].
///
/// Synchronous, like the verifier; `Sync` when the store is, so one service can be
/// shared by threads (an async server calls it from `spawn_blocking`).
pub struct MfaService<S> {
    pub(crate) store: S,
    pub(crate) keyring: Keyring,
    pub(crate) policy: Policy,
    pub(crate) max_attempts: u32,
    requests: AtomicU64,
    conflicts: AtomicU64,
    audit: Arc<dyn AuditSink>,
    pub(crate) allowed: AllowedParams,
    pub(crate) remember_secs: u64,
}

impl<S: fmt::Debug> fmt::Debug for MfaService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MfaService")
            .field("store", &self.store)
            .field("keyring", &self.keyring)
            .field("policy", &self.policy)
            .field("max_attempts", &self.max_attempts)
            .field("allowed", &self.allowed)
            .field("remember_secs", &self.remember_secs)
            .finish_non_exhaustive()
    }
}

pub(crate) fn check_id(id: &str) -> Result<(), ServiceError> {
    if id.is_empty() || id.len() > MAX_DEVICE_ID_LEN || id.chars().any(char::is_control) {
        Err(ServiceError::InvalidDeviceId)
    } else {
        Ok(())
    }
}

impl<S: DeviceStore> MfaService<S> {
    /// A service over `store`, sealing with `keyring`, verifying with `policy`.
    pub fn new(store: S, keyring: Keyring, policy: Policy) -> Self {
        MfaService {
            store,
            keyring,
            policy,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            requests: AtomicU64::new(0),
            conflicts: AtomicU64::new(0),
            audit: Arc::new(()),
            allowed: AllowedParams::default(),
            remember_secs: DEFAULT_REMEMBER_SECS,
        }
    }

    /// Sends an [`Event`] for every operation to `sink` (by default they are
    /// dropped).
    #[must_use = "the setter returns a new service"]
    pub fn with_audit(mut self, sink: impl AuditSink + 'static) -> Self {
        self.audit = Arc::new(sink);
        self
    }

    /// Accepts new devices only with these parameters (by default, every one
    /// otpkit verifies). A device keeps the parameters it was added with: a later,
    /// narrower list does not change or refuse devices added before.
    #[must_use = "the setter returns a new service"]
    pub fn with_allowed(mut self, allowed: AllowedParams) -> Self {
        self.allowed = allowed;
        self
    }

    /// How long a remember-this-device series lasts (1 s to [`MAX_REMEMBER_SECS`];
    /// [`DEFAULT_REMEMBER_SECS`], 30 days, by default).
    pub fn with_remember_lifetime(mut self, secs: u64) -> Result<Self, ServiceError> {
        if secs == 0 || secs > MAX_REMEMBER_SECS {
            return Err(ServiceError::InvalidRememberLifetime { secs });
        }
        self.remember_secs = secs;
        Ok(self)
    }

    /// Sends `event` to the sink.
    pub(crate) fn emit(&self, event: Event<'_>) {
        self.audit.record(&event);
    }

    /// Gives up after `attempts` lost compare-and-swaps (at least 1) instead of
    /// [`DEFAULT_MAX_ATTEMPTS`]. The first retry is immediate (two servers racing
    /// are settled by it); from the second lost swap on, the loop waits a random
    /// 1–2 ms, doubling up to 16–32 ms, so requests piling onto one device stop
    /// colliding in lockstep.
    #[must_use = "the setter returns a new service"]
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The keyring.
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// Requests and conflicts so far.
    pub fn stats(&self) -> Stats {
        Stats {
            requests: self.requests.load(Ordering::Relaxed),
            conflicts: self.conflicts.load(Ordering::Relaxed),
        }
    }

    /// `CreateVirtualMFADevice`: stores a pending device for `id` with `secret`
    /// sealed, from the moment the secret is shown (its enrolment attempts are
    /// throttled like sign-ins). The pending state is stored with it
    /// ([`state`](Self::state) reads it back).
    pub fn begin_enrollment(
        &self,
        id: &str,
        secret: &Secret,
        generator: DeviceParams,
    ) -> Result<(), ServiceError> {
        check_id(id)?;
        self.allowed.check(&generator)?;
        self.insert_pending(id, secret, generator)?;
        self.emit(Event::new(EventKind::EnrollmentBegun, id, wall_clock()));
        Ok(())
    }

    /// Stores a pending device row `id` (any row id: the user API's ids hold a
    /// separator callers cannot use).
    pub(crate) fn insert_pending(
        &self,
        id: &str,
        secret: &Secret,
        generator: DeviceParams,
    ) -> Result<(), ServiceError> {
        let verifier = generator.verifier(secret, self.policy);
        let state = verifier.begin_enrollment();
        let row = DeviceRow {
            id: id.to_owned(),
            params: generator.to_string(),
            secret: self.keyring.seal(id, secret)?.as_str().to_owned(),
            state: state.encode(),
        };
        if self.store.insert(&row)? {
            Ok(())
        } else {
            Err(ServiceError::DeviceExists { id: id.to_owned() })
        }
    }

    /// The secret of a device still enrolling, to show its QR code again (a retry
    /// keeps the same secret). Refused once the device is enrolled.
    pub fn pending_secret(&self, id: &str) -> Result<(Secret, DeviceParams), ServiceError> {
        check_id(id)?;
        self.pending_row_secret(id)
    }

    pub(crate) fn pending_row_secret(
        &self,
        id: &str,
    ) -> Result<(Secret, DeviceParams), ServiceError> {
        let (row, state) = self.read(id)?;
        if state.is_enrolled() {
            return Err(ServiceError::AlreadyEnrolled { id: id.to_owned() });
        }
        let generator = parse_generator(&row)?;
        let secret = self
            .keyring
            .open(id, &SealedSecret::from_stored(row.secret))?;
        Ok((secret, generator))
    }

    /// `EnableMFADevice`: two consecutive codes finish the enrolment. A refused
    /// pair is counted (see [`Verifier::enroll`]); the user tries again with the
    /// same secret.
    pub fn enroll(
        &self,
        id: &str,
        code1: &str,
        code2: &str,
        now: u64,
    ) -> Result<Answer<EnrollOutcome>, ServiceError> {
        check_id(id)?;
        let started = Timer::start();
        let answer = self.update(id, |v, s| Ok(v()?.enroll(s, code1, code2, now)))?;
        self.emit_enroll(id, None, &answer, now, started);
        Ok(answer)
    }

    /// Enrolment one code at a time ([`Verifier::enroll_code`]).
    pub fn enroll_code(
        &self,
        id: &str,
        code: &str,
        now: u64,
    ) -> Result<Answer<EnrollOutcome>, ServiceError> {
        check_id(id)?;
        let started = Timer::start();
        let answer = self.update(id, |v, s| Ok(v()?.enroll_code(s, code, now)))?;
        self.emit_enroll(id, None, &answer, now, started);
        Ok(answer)
    }

    /// Sign-in with one code: only [`Outcome::Accepted`] lets the user in, and only
    /// once the new state is stored, so no code is accepted twice even by racing
    /// servers, and no failure is lost.
    pub fn verify(&self, id: &str, code: &str, now: u64) -> Result<Answer<Outcome>, ServiceError> {
        check_id(id)?;
        let started = Timer::start();
        let answer = self.update(id, |v, s| Ok(v()?.verify(s, code, now)))?;
        let (kind, reason) = sign_in_event(&answer.outcome);
        self.emit(Event {
            device: None,
            reason,
            failures: answer.state.failures(),
            count: 1,
            elapsed: started.elapsed(),
            ..Event::new(kind, id, now)
        });
        // A refusal that looked at the code and left the device locked started the
        // lock-out (a locked device's attempts are refused without looking).
        let looked = !matches!(answer.outcome, Outcome::Locked { .. });
        if looked && answer.state.is_locked_at(now) {
            self.emit(Event {
                failures: answer.state.failures(),
                ..Event::new(EventKind::LockoutStarted, id, now)
            });
        }
        Ok(answer)
    }

    /// `ResyncMFADevice`: two consecutive codes from a drifted device; a refused
    /// pair is counted.
    pub fn resync(
        &self,
        id: &str,
        code1: &str,
        code2: &str,
        now: u64,
    ) -> Result<Answer<ResyncOutcome>, ServiceError> {
        check_id(id)?;
        let started = Timer::start();
        let answer = self.update(id, |v, s| Ok(v()?.resync(s, code1, code2, now)))?;
        self.emit_resync(id, None, &answer, now, started);
        Ok(answer)
    }

    /// An administrator clears the failure count and any lock-out (after
    /// confirming the user by other means).
    pub fn clear_lockout(&self, id: &str) -> Result<Answer<()>, ServiceError> {
        check_id(id)?;
        let answer = self.update(id, |_, s| Ok(((), s.with_failures_cleared())))?;
        self.emit(Event::new(EventKind::LockoutCleared, id, wall_clock()));
        Ok(answer)
    }

    /// `DeactivateMFADevice` / `DeleteVirtualMFADevice`: removes the device.
    /// `Ok(false)` if there was none.
    pub fn remove(&self, id: &str) -> Result<bool, ServiceError> {
        check_id(id)?;
        let removed = self.store.remove(id)?;
        if removed {
            self.emit(Event::new(EventKind::DeviceRemoved, id, wall_clock()));
        }
        Ok(removed)
    }

    /// The stored state of a device.
    pub fn state(&self, id: &str) -> Result<DeviceState, ServiceError> {
        check_id(id)?;
        self.read(id).map(|(_, state)| state)
    }

    /// Moves the device's sealed secret to the keyring's current key. `Ok(false)`
    /// if it already used it. After every device is resealed the old key can be
    /// dropped from the keyring. The new secret is written by a swap on the row
    /// read: if anything wrote the device in between (a sign-in too), it reads and
    /// reseals again, up to the service's attempts, then
    /// [`ServiceError::Contention`].
    pub fn reseal(&self, id: &str) -> Result<bool, ServiceError> {
        check_id(id)?;
        let resealed = self.reseal_row(id)?;
        if resealed {
            self.emit(Event::new(EventKind::SecretResealed, id, wall_clock()));
        }
        Ok(resealed)
    }

    pub(crate) fn reseal_row(&self, id: &str) -> Result<bool, ServiceError> {
        for _ in 0..self.max_attempts {
            let read = self.load(id)?;
            let Some(new) = self
                .keyring
                .reseal(id, &SealedSecret::from_stored(read.row.secret.clone()))?
            else {
                return Ok(false);
            };
            if self.store.replace_secret(&read, new.as_str())? {
                return Ok(true);
            }
        }
        Err(ServiceError::Contention {
            attempts: self.max_attempts,
        })
    }

    fn load(&self, id: &str) -> Result<LoadedRow, ServiceError> {
        self.store
            .load(id)?
            .ok_or_else(|| ServiceError::NoSuchDevice { id: id.to_owned() })
    }

    pub(crate) fn read(&self, id: &str) -> Result<(DeviceRow, DeviceState), ServiceError> {
        let row = self.load(id)?.row;
        let state = parse_state(&row)?;
        Ok((row, state))
    }

    /// The loop: read the row, run `op` on its state (with the verifier built on
    /// demand: clearing a lock-out needs no secret), store the new state by
    /// compare-and-swap on the row read (its version: a row removed and inserted
    /// again, even with the same state text, is not the row the codes were
    /// checked against); on a lost swap, again from the read.
    pub(crate) fn update<O>(
        &self,
        id: &str,
        op: impl Fn(
            &dyn Fn() -> Result<Verifier, ServiceError>,
            &DeviceState,
        ) -> Result<(O, DeviceState), ServiceError>,
    ) -> Result<Answer<O>, ServiceError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        for attempt in 1..=self.max_attempts {
            let read = self.load(id)?;
            let row = &read.row;
            let old = parse_state(row)?;
            let verifier = || -> Result<Verifier, ServiceError> {
                let generator = parse_generator(row)?;
                let secret = self
                    .keyring
                    .open(id, &SealedSecret::from_stored(row.secret.clone()))?;
                Ok(generator.verifier(&secret, self.policy))
            };
            let (outcome, new) = op(&verifier, &old)?;
            // Failures and lock-outs are state too; an unchanged state needs no write.
            if new == old || self.store.compare_and_swap(&read, &new.encode())? {
                return Ok(Answer {
                    outcome,
                    state: new,
                    attempts: attempt,
                });
            }
            self.lost_swap(attempt);
        }
        Err(ServiceError::Contention {
            attempts: self.max_attempts,
        })
    }

    /// Counts a request (a user-record loop).
    pub(crate) fn count_request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts the `attempt`-th lost swap and waits before the next.
    pub(crate) fn lost_swap(&self, attempt: u32) {
        self.conflicts.fetch_add(1, Ordering::Relaxed);
        if attempt < self.max_attempts {
            backoff(attempt);
        }
    }

    /// The event of an enrolment answer.
    pub(crate) fn emit_enroll(
        &self,
        user: &str,
        device: Option<&str>,
        answer: &Answer<EnrollOutcome>,
        now: u64,
        started: Timer,
    ) {
        let (kind, reason) = match answer.outcome {
            EnrollOutcome::Enrolled { .. } => (EventKind::EnrollmentCompleted, None),
            // The first of two codes was good: nothing finished, nothing refused.
            EnrollOutcome::NeedNextCode => return,
            EnrollOutcome::Rejected(e) => (EventKind::EnrollmentRefused, Some(enroll_reason(e))),
        };
        self.emit(Event {
            device,
            reason,
            failures: answer.state.failures(),
            elapsed: started.elapsed(),
            ..Event::new(kind, user, now)
        });
    }

    /// The event of a resynchronisation answer.
    pub(crate) fn emit_resync(
        &self,
        user: &str,
        device: Option<&str>,
        answer: &Answer<ResyncOutcome>,
        now: u64,
        started: Timer,
    ) {
        let (kind, reason) = match answer.outcome {
            ResyncOutcome::Resynced { .. } => (EventKind::Resynced, None),
            ResyncOutcome::Rejected(e) => (EventKind::ResyncRefused, Some(resync_reason(e))),
        };
        self.emit(Event {
            device,
            reason,
            failures: answer.state.failures(),
            elapsed: started.elapsed(),
            ..Event::new(kind, user, now)
        });
    }
}

/// The event kind and reason of a sign-in outcome.
pub(crate) fn sign_in_event(outcome: &Outcome) -> (EventKind, Option<Reason>) {
    match outcome {
        Outcome::Accepted { .. } => (EventKind::SignInAccepted, None),
        Outcome::Replayed => (EventKind::SignInReplayed, Some(Reason::Replayed)),
        Outcome::Invalid => (EventKind::SignInRefused, Some(Reason::Invalid)),
        Outcome::Locked { .. } => (EventKind::SignInRefused, Some(Reason::Locked)),
        Outcome::Malformed(_) => (EventKind::SignInRefused, Some(Reason::Malformed)),
        Outcome::Error(otpkit::verifier::SignInError::NotEnrolled) => {
            (EventKind::SignInRefused, Some(Reason::NotEnrolled))
        }
        Outcome::Error(_) => (EventKind::SignInRefused, Some(Reason::Error)),
    }
}

fn enroll_reason(e: otpkit::verifier::EnrollError) -> Reason {
    use otpkit::verifier::EnrollError as E;
    match e {
        E::Locked { .. } => Reason::Locked,
        E::Malformed(_) => Reason::Malformed,
        E::FirstCodeNotFound | E::SecondCodeNotFound | E::NotConsecutive | E::SameCodeTwice => {
            Reason::Invalid
        }
        E::AlreadyEnrolled | E::Time(_) | E::WrongKind | E::CounterExhausted => Reason::Error,
    }
}

fn resync_reason(e: otpkit::verifier::ResyncError) -> Reason {
    use otpkit::verifier::ResyncError as E;
    match e {
        E::Locked { .. } => Reason::Locked,
        E::Malformed(_) => Reason::Malformed,
        E::Rejected | E::SameCodeTwice => Reason::Invalid,
        E::NotEnrolled => Reason::NotEnrolled,
        E::Time(_) | E::WrongKind | E::CounterExhausted => Reason::Error,
    }
}

/// The wait after the `lost`-th lost compare-and-swap: none after the first, then
/// a random time in `[cap / 2, cap]` with `cap` = 2, 4, 8, 16, 32 ms.
fn backoff(lost: u32) {
    if lost < 2 {
        return;
    }
    let cap_us = 1_000u64
        .checked_shl(lost.saturating_sub(1).min(5))
        .unwrap_or(32_000);
    let half = cap_us / 2;
    let mut r = [0u8; 4];
    // Without randomness, wait the minimum: still spaced, only not jittered.
    let jitter = match getrandom::fill(&mut r) {
        Ok(()) => u64::from(u32::from_le_bytes(r)).checked_rem(half.saturating_add(1)),
        Err(_) => None,
    }
    .unwrap_or(0);
    std::thread::sleep(Duration::from_micros(half.saturating_add(jitter)));
}

fn parse_state(row: &DeviceRow) -> Result<DeviceState, ServiceError> {
    row.state
        .parse()
        .map_err(|_: StateError| ServiceError::Corrupt {
            id: row.id.clone(),
            column: "state",
        })
}

fn parse_generator(row: &DeviceRow) -> Result<DeviceParams, ServiceError> {
    row.params
        .parse()
        .map_err(|_: ParamsError| ServiceError::Corrupt {
            id: row.id.clone(),
            column: "params",
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryStore;
    use crate::seal::SealingKey;
    use std::sync::Mutex;
    use std::time::Instant;

    /// A store where every compare-and-swap loses.
    struct AlwaysLoses(MemoryStore);

    impl DeviceStore for AlwaysLoses {
        fn insert(&self, row: &DeviceRow) -> Result<bool, StoreError> {
            self.0.insert(row)
        }
        fn load(&self, id: &str) -> Result<Option<LoadedRow>, StoreError> {
            self.0.load(id)
        }
        fn compare_and_swap(&self, _: &LoadedRow, _: &str) -> Result<bool, StoreError> {
            Ok(false)
        }
        fn replace_secret(&self, read: &LoadedRow, new: &str) -> Result<bool, StoreError> {
            self.0.replace_secret(read, new)
        }
        fn remove(&self, id: &str) -> Result<bool, StoreError> {
            self.0.remove(id)
        }
    }

    /// A store where every compare-and-swap loses, noting when each load began
    /// and when each lost swap returned.
    #[derive(Default)]
    struct LosesAndNotes {
        inner: MemoryStore,
        loads: Mutex<Vec<Instant>>,
        lost: Mutex<Vec<Instant>>,
    }

    impl DeviceStore for LosesAndNotes {
        fn insert(&self, row: &DeviceRow) -> Result<bool, StoreError> {
            self.inner.insert(row)
        }
        fn load(&self, id: &str) -> Result<Option<LoadedRow>, StoreError> {
            self.loads.lock().unwrap().push(Instant::now());
            self.inner.load(id)
        }
        fn compare_and_swap(&self, _: &LoadedRow, _: &str) -> Result<bool, StoreError> {
            self.lost.lock().unwrap().push(Instant::now());
            Ok(false)
        }
        fn replace_secret(&self, read: &LoadedRow, new: &str) -> Result<bool, StoreError> {
            self.inner.replace_secret(read, new)
        }
        fn remove(&self, id: &str) -> Result<bool, StoreError> {
            self.inner.remove(id)
        }
    }

    /// One request that loses all of its `attempts` swaps: the wait after each
    /// lost swap but the last (from the swap to the next read), and the time
    /// from the last lost swap to the answer.
    fn waits_of_a_request_that_always_loses(attempts: u32) -> (Vec<Duration>, Duration) {
        let keyring = Keyring::new(SealingKey::new("k", [1; 32]).unwrap());
        let service = MfaService::new(LosesAndNotes::default(), keyring, Policy::default())
            .with_max_attempts(attempts);
        let secret = Secret::from_bytes(&[3; 20]).unwrap();
        service
            .begin_enrollment("dev", &secret, DeviceParams::default())
            .unwrap();
        // A wrong pair changes the state (a counted failure), so it must be swapped.
        let err = service
            .enroll("dev", "000000", "111111", 1_800_000_000)
            .unwrap_err();
        let answered = Instant::now();
        assert!(
            matches!(err, ServiceError::Contention { attempts: a } if a == attempts),
            "{err}"
        );
        let loads = service.store().loads.lock().unwrap().clone();
        let lost = service.store().lost.lock().unwrap().clone();
        assert_eq!(
            (loads.len(), lost.len()),
            (attempts as usize, attempts as usize)
        );
        let waits = lost.iter().zip(&loads[1..]).map(|(l, r)| *r - *l).collect();
        (waits, answered - lost[lost.len() - 1])
    }

    /// The wait after the k-th lost swap (k from 1): none after the first; from
    /// the second, between cap/2 and cap with cap = 2, 4, 8, 16, 32 ms; none after
    /// the last (the request ends). A sleep never ends early, so the lower
    /// bounds hold on every run; scheduling can only lengthen a wait, so the upper
    /// bounds are checked on the best of a few runs.
    #[test]
    fn each_wait_after_a_lost_swap_doubles_from_the_second_and_none_follows_the_last() {
        const ATTEMPTS: u32 = 6;
        let ms = Duration::from_millis;
        let mut runs = Vec::new();
        for _ in 0..10 {
            let (waits, after_last) = waits_of_a_request_that_always_loses(ATTEMPTS);
            assert_eq!(waits.len(), ATTEMPTS as usize - 1);
            for (k, wait) in (1u32..).zip(&waits).skip(1) {
                let least = ms(1 << (k - 2));
                assert!(*wait >= least, "wait after lost swap {k}: {wait:?}");
            }
            // The waits after swaps 2 to 5 add up to 15..30 ms; a wait after the
            // first would be at least 0.5 ms, one after the last at least 16 ms.
            let (first, total) = (waits[0], waits[1..].iter().sum::<Duration>());
            if first < Duration::from_micros(500) && total < ms(45) && after_last < ms(8) {
                return;
            }
            runs.push((first, total, after_last));
        }
        panic!("every run waited too long (after the first, in all, after the last): {runs:?}");
    }

    /// A store counting its loads and swaps.
    #[derive(Default)]
    struct Counting {
        inner: MemoryStore,
        loads: std::sync::atomic::AtomicUsize,
        swaps: std::sync::atomic::AtomicUsize,
    }

    impl DeviceStore for Counting {
        fn insert(&self, row: &DeviceRow) -> Result<bool, StoreError> {
            self.inner.insert(row)
        }
        fn load(&self, id: &str) -> Result<Option<LoadedRow>, StoreError> {
            self.loads.fetch_add(1, Ordering::Relaxed);
            self.inner.load(id)
        }
        fn compare_and_swap(&self, read: &LoadedRow, new: &str) -> Result<bool, StoreError> {
            self.swaps.fetch_add(1, Ordering::Relaxed);
            self.inner.compare_and_swap(read, new)
        }
        fn replace_secret(&self, read: &LoadedRow, new: &str) -> Result<bool, StoreError> {
            self.inner.replace_secret(read, new)
        }
        fn remove(&self, id: &str) -> Result<bool, StoreError> {
            self.inner.remove(id)
        }
    }

    /// Events cost no store round trip: a sign-in is one read and one swap, with a
    /// sink attached, whether it locks the device or not.
    #[test]
    fn a_sign_in_reads_once_and_swaps_once_with_events_on() {
        let keyring = Keyring::new(SealingKey::new("k", [1; 32]).unwrap());
        let policy = Policy::default().with_max_failures(1).unwrap();
        let recent = std::sync::Arc::new(crate::audit::RecentEvents::new(10));
        let service =
            MfaService::new(Counting::default(), keyring, policy).with_audit(recent.clone());
        let secret = Secret::from_bytes(&[3; 20]).unwrap();
        service
            .begin_enrollment("dev", &secret, DeviceParams::default())
            .unwrap();
        let totp = otpkit::Totp::new(
            &secret,
            otpkit::Algorithm::Sha1,
            otpkit::Digits::SIX,
            otpkit::Period::DEFAULT,
        );
        let code = |t: u64| totp.code_at(t).unwrap().to_string();
        let t = 1_800_000_000;
        let _ = service.enroll("dev", &code(t - 30), &code(t), t).unwrap();
        let store = service.store();
        let before = (
            store.loads.load(Ordering::Relaxed),
            store.swaps.load(Ordering::Relaxed),
        );
        let answer = service.verify("dev", "000000", t + 30).unwrap();
        assert!(answer.state.is_locked_at(t + 30));
        let after = (
            store.loads.load(Ordering::Relaxed),
            store.swaps.load(Ordering::Relaxed),
        );
        assert_eq!((after.0 - before.0, after.1 - before.1), (1, 1));
        let kinds: Vec<_> = recent.of_user("dev").iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds[..2],
            [
                crate::audit::EventKind::LockoutStarted,
                crate::audit::EventKind::SignInRefused
            ]
        );
    }

    #[test]
    fn lost_swaps_back_off_from_the_second_and_give_up_at_the_bound() {
        let keyring = Keyring::new(SealingKey::new("k", [1; 32]).unwrap());
        let service = MfaService::new(AlwaysLoses(MemoryStore::new()), keyring, Policy::default())
            .with_max_attempts(6);
        let secret = Secret::from_bytes(&[3; 20]).unwrap();
        service
            .begin_enrollment("dev", &secret, DeviceParams::default())
            .unwrap();
        assert!(!service.state("dev").unwrap().is_enrolled());
        let started = Instant::now();
        // A wrong pair changes the state (a counted failure), so it must be swapped.
        let err = service
            .enroll("dev", "000000", "111111", 1_800_000_000)
            .unwrap_err();
        let waited = started.elapsed();
        assert!(
            matches!(err, ServiceError::Contention { attempts: 6 }),
            "{err}"
        );
        assert_eq!(
            service.stats(),
            Stats {
                requests: 1,
                conflicts: 6
            }
        );
        // Waits after the 2nd to 5th lost swaps: at least 1 + 2 + 4 + 8 ms; none
        // after the last; at most 2 + 4 + 8 + 16 ms (plus scheduling).
        assert!(waited >= Duration::from_millis(15), "{waited:?}");
        assert!(waited < Duration::from_secs(2), "{waited:?}");
    }
}
