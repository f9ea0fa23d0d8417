//! The server side of virtual MFA devices, as AWS IAM does it: create a device
//! (secret + QR code), enable it with two consecutive codes, sign in with one code,
//! resynchronise with two. Device state lives in a [`DeviceStore`] and every change
//! goes through compare-and-swap, so concurrent requests on different servers can
//! neither accept one code twice nor lose each other's failure counts.

use std::fmt;

use otpkit::otpauth::{Account, Kind};
use otpkit::verifier::{
    DeviceState, EnrollError, EnrollOutcome, Outcome, Policy, ResyncError, ResyncOutcome,
    StateError,
};
use otpkit::{Algorithm, Digits, Period, Secret, SecretError, Totp, Verifier};

use crate::store::{DeviceStore, StoreError};

/// How many times a request re-reads and re-verifies after losing a
/// compare-and-swap before giving up. Each retry means another request changed the
/// same device in between, so more than a few means something is hammering it.
pub const MAX_CAS_ATTEMPTS: u32 = 8;

/// A device created but not yet enabled: the secret is shown to the user once and
/// kept server-side (encrypted) until two codes prove the phone has it. Its
/// pending-enrolment state throttles wrong codes like sign-ins, and a refused
/// attempt keeps the secret, so the user retries with what they already scanned.
/// (Kept in memory here; a real server stores `state` with the secret, with the
/// same compare-and-swap as a device's.)
pub struct PendingDevice {
    /// The user it is for.
    pub user_name: String,
    /// What the QR code carries.
    pub account: Account,
    /// The pending enrolment: failures and lock-out so far.
    pub state: DeviceState,
}

impl PendingDevice {
    /// The `otpauth://` URI to show as a QR code.
    pub fn uri(&self) -> String {
        self.account.to_uri()
    }
}

/// Why a request failed (as opposed to a code being rejected, which is an
/// [`Outcome`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum ServerError {
    /// The database failed.
    Store(StoreError),
    /// The stored state column is damaged.
    State(StateError),
    /// No secret could be generated.
    Secret(SecretError),
    /// The two enrolment codes were refused.
    Enroll(EnrollError),
    /// The two resynchronisation codes were refused.
    Resync(ResyncError),
    /// Lost the compare-and-swap [`MAX_CAS_ATTEMPTS`] times in a row.
    Contention,
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::Store(e) => write!(f, "{e}"),
            ServerError::State(e) => write!(f, "stored device state is damaged: {e}"),
            ServerError::Secret(e) => write!(f, "cannot create a secret: {e}"),
            ServerError::Enroll(e) => write!(f, "enrolment refused: {e}"),
            ServerError::Resync(e) => write!(f, "resynchronisation refused: {e}"),
            ServerError::Contention => {
                f.write_str("the device is being changed by too many requests at once")
            }
        }
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServerError::Store(e) => Some(e),
            ServerError::State(e) => Some(e),
            ServerError::Secret(e) => Some(e),
            ServerError::Enroll(e) => Some(e),
            ServerError::Resync(e) => Some(e),
            ServerError::Contention => None,
        }
    }
}

impl From<StoreError> for ServerError {
    fn from(e: StoreError) -> Self {
        ServerError::Store(e)
    }
}

impl From<StateError> for ServerError {
    fn from(e: StateError) -> Self {
        ServerError::State(e)
    }
}

/// The MFA service: a store and a policy.
pub struct MfaServer {
    store: DeviceStore,
    policy: Policy,
    issuer: String,
}

impl MfaServer {
    /// A server named `issuer` (shown in the phone app) over `store`.
    pub fn new(store: DeviceStore, issuer: &str, policy: Policy) -> Self {
        MfaServer {
            store,
            policy,
            issuer: issuer.to_owned(),
        }
    }

    /// The store, for inspection.
    pub fn store(&self) -> &DeviceStore {
        &self.store
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// `CreateVirtualMFADevice`: a fresh 160-bit secret for `user_name`.
    pub fn create_device(&self, user_name: &str) -> Result<PendingDevice, ServerError> {
        self.create_device_with(user_name, Secret::generate(Algorithm::Sha1))
    }

    /// [`MfaServer::create_device`] with a given secret (for reproducible runs).
    pub fn create_device_with(
        &self,
        user_name: &str,
        secret: Result<Secret, SecretError>,
    ) -> Result<PendingDevice, ServerError> {
        let secret = secret.map_err(ServerError::Secret)?;
        Ok(PendingDevice {
            user_name: user_name.to_owned(),
            state: DeviceState::enrolling_totp(),
            account: Account {
                issuer: Some(self.issuer.clone()),
                name: user_name.to_owned(),
                secret,
                algorithm: Algorithm::Sha1,
                digits: Digits::SIX,
                kind: Kind::Totp {
                    period: Period::DEFAULT,
                },
                extra: Vec::new(),
            },
        })
    }

    fn verifier(&self, totp: Totp) -> Verifier {
        Verifier::totp(totp, self.policy)
    }

    /// `EnableMFADevice`: checks two consecutive codes and stores the device.
    /// Returns the device id and its initial state. When the codes are refused the
    /// pending device stays (with the attempt counted in its state): the user tries
    /// again with the same secret.
    pub fn enable_device(
        &self,
        pending: &mut PendingDevice,
        code1: &str,
        code2: &str,
        now: u64,
    ) -> Result<(i64, DeviceState), ServerError> {
        let account = &pending.account;
        let period = match account.kind {
            Kind::Totp { period } => period,
            _ => Period::DEFAULT,
        };
        let totp = Totp::new(&account.secret, account.algorithm, account.digits, period);
        let (outcome, state) = self
            .verifier(totp)
            .enroll(&pending.state, code1, code2, now);
        pending.state = state;
        match outcome {
            EnrollOutcome::Enrolled { .. } => {}
            EnrollOutcome::Rejected(e) => return Err(ServerError::Enroll(e)),
            // Two codes at once either enroll or are refused; a future outcome is
            // not an enrolment.
            _ => return Err(ServerError::Enroll(EnrollError::SecondCodeNotFound)),
        }
        let id = self.store.insert(
            &pending.user_name,
            &account.secret,
            account.algorithm,
            account.digits,
            period,
            &state.to_string(),
        )?;
        Ok((id, state))
    }

    /// Sign-in with one code: read, verify, compare-and-swap; on a lost swap read
    /// again and verify again. Returns the outcome and how many attempts it took.
    pub fn sign_in(&self, id: i64, code: &str, now: u64) -> Result<(Outcome, u32), ServerError> {
        for attempt in 1..=MAX_CAS_ATTEMPTS {
            let device = self.store.load(id)?;
            let old: DeviceState = device.state.parse()?;
            let (outcome, new) = self.verifier(device.totp).verify(&old, code, now);
            // Failures and lock-outs are state too; an unchanged state needs no write.
            if new == old
                || self
                    .store
                    .compare_and_swap(id, &device.state, &new.to_string())?
            {
                return Ok((outcome, attempt));
            }
        }
        Err(ServerError::Contention)
    }

    /// One verification against a state read earlier, written back by
    /// compare-and-swap without retrying: what one of two racing servers does. Returns
    /// the outcome it computed and whether its write went through.
    pub fn sign_in_once(
        &self,
        id: i64,
        read_state: &str,
        code: &str,
        now: u64,
    ) -> Result<(Outcome, bool), ServerError> {
        let device = self.store.load(id)?;
        let old: DeviceState = read_state.parse()?;
        let (outcome, new) = self.verifier(device.totp).verify(&old, code, now);
        let won = self
            .store
            .compare_and_swap(id, read_state, &new.to_string())?;
        Ok((outcome, won))
    }

    /// `ResyncMFADevice`: two consecutive codes from a device whose clock drifted.
    /// A refused pair counts as a failed attempt (it is a guess like any other).
    pub fn resync(
        &self,
        id: i64,
        code1: &str,
        code2: &str,
        now: u64,
    ) -> Result<DeviceState, ServerError> {
        for _ in 0..MAX_CAS_ATTEMPTS {
            let device = self.store.load(id)?;
            let old: DeviceState = device.state.parse()?;
            // A refused pair is counted in `new` by the verifier itself.
            let (outcome, new) = self.verifier(device.totp).resync(&old, code1, code2, now);
            let result = match outcome {
                ResyncOutcome::Rejected(e) => Err(e),
                _ => Ok(new),
            };
            if new == old
                || self
                    .store
                    .compare_and_swap(id, &device.state, &new.to_string())?
            {
                return result.map_err(ServerError::Resync);
            }
        }
        Err(ServerError::Contention)
    }

    /// The stored state of a device.
    pub fn state(&self, id: i64) -> Result<DeviceState, ServerError> {
        Ok(self.store.load(id)?.state.parse()?)
    }
}
