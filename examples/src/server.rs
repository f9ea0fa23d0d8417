//! The server side of virtual MFA devices, as AWS IAM does it: create a device
//! (secret + QR code), enable it with two consecutive codes, sign in with one code,
//! resynchronise with two. Built on `otpkit-store`: devices in SQLite, secrets
//! sealed with a server key, every change a bounded read-verify-compare-and-swap
//! loop ([`MfaService`]), so concurrent requests on different servers can neither
//! accept one code twice nor lose each other's failure counts.

use std::fmt;

use otpkit::otpauth::Account;
use otpkit::verifier::{
    DeviceState, EnrollError, EnrollOutcome, Outcome, Policy, ResyncError, ResyncOutcome,
    StateError,
};
use otpkit::{Algorithm, Secret, SecretError};
use otpkit_store::seal::{Keyring, SealedSecret};
use otpkit_store::{
    DeviceParams, DeviceStore, LoadedRow, MfaService, ServiceError, SqliteStore, SteamAccount,
};

/// A device created but not yet enabled: its secret is shown to the user and
/// stored sealed, with a pending-enrolment state that throttles wrong codes like
/// sign-ins; a refused attempt keeps the secret, so the user retries with what
/// they already scanned.
pub struct PendingDevice {
    /// The user it is for (the device id in the store).
    pub user_name: String,
    /// What the QR code carries.
    pub account: Account,
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
pub enum ServerError {
    /// The device service failed (store, sealing, contention).
    Service(ServiceError),
    /// A state read earlier is not a state.
    State(StateError),
    /// No secret could be generated.
    Secret(SecretError),
    /// The two enrolment codes were refused.
    Enroll(EnrollError),
    /// The two resynchronisation codes were refused.
    Resync(ResyncError),
    /// The account is not one a server verifies (Steam Guard).
    Params(SteamAccount),
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::Service(e) => write!(f, "{e}"),
            ServerError::State(e) => write!(f, "device state is damaged: {e}"),
            ServerError::Secret(e) => write!(f, "cannot create a secret: {e}"),
            ServerError::Enroll(e) => write!(f, "enrolment refused: {e}"),
            ServerError::Resync(e) => write!(f, "resynchronisation refused: {e}"),
            ServerError::Params(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServerError::Service(e) => Some(e),
            ServerError::State(e) => Some(e),
            ServerError::Secret(e) => Some(e),
            ServerError::Enroll(e) => Some(e),
            ServerError::Resync(e) => Some(e),
            ServerError::Params(e) => Some(e),
        }
    }
}

impl From<ServiceError> for ServerError {
    fn from(e: ServiceError) -> Self {
        ServerError::Service(e)
    }
}

impl From<otpkit_store::StoreError> for ServerError {
    fn from(e: otpkit_store::StoreError) -> Self {
        ServerError::Service(ServiceError::Store(e))
    }
}

impl From<StateError> for ServerError {
    fn from(e: StateError) -> Self {
        ServerError::State(e)
    }
}

/// The MFA service: devices in SQLite, an issuer name for the phone app.
pub struct MfaServer {
    service: MfaService<SqliteStore>,
    issuer: String,
}

impl MfaServer {
    /// A server named `issuer` (shown in the phone app) over `store`, sealing
    /// secrets with `keyring`.
    pub fn new(store: SqliteStore, keyring: Keyring, issuer: &str, policy: Policy) -> Self {
        MfaServer {
            service: MfaService::new(store, keyring, policy),
            issuer: issuer.to_owned(),
        }
    }

    /// The device service (store, keyring, counters).
    pub fn service(&self) -> &MfaService<SqliteStore> {
        &self.service
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        self.service.policy()
    }

    /// `CreateVirtualMFADevice`: a fresh 160-bit secret for `user_name`, stored
    /// sealed with a pending enrolment.
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
        // One account makes both the QR code the user scans and the parameters the
        // server verifies with, so the two cannot drift apart.
        let account = Account::totp_with_secret(self.issuer.clone(), user_name, secret);
        let params = DeviceParams::try_from(&account).map_err(ServerError::Params)?;
        self.service
            .begin_enrollment(user_name, &account.secret, params)?;
        Ok(PendingDevice {
            user_name: user_name.to_owned(),
            account,
        })
    }

    /// `EnableMFADevice`: checks two consecutive codes. When they are refused the
    /// pending device stays (with the attempt counted in its state): the user tries
    /// again with the same secret.
    pub fn enable_device(
        &self,
        pending: &PendingDevice,
        code1: &str,
        code2: &str,
        now: u64,
    ) -> Result<DeviceState, ServerError> {
        let answer = self.service.enroll(&pending.user_name, code1, code2, now)?;
        match answer.outcome {
            EnrollOutcome::Enrolled { .. } => Ok(answer.state),
            EnrollOutcome::Rejected(e) => Err(ServerError::Enroll(e)),
            // Two codes at once either enroll or are refused.
            _ => Err(ServerError::Enroll(EnrollError::SecondCodeNotFound)),
        }
    }

    /// Sign-in with one code (the crate's read-verify-swap loop). Returns the
    /// outcome and how many rounds it took.
    pub fn sign_in(
        &self,
        user_name: &str,
        code: &str,
        now: u64,
    ) -> Result<(Outcome, u32), ServerError> {
        let answer = self.service.verify(user_name, code, now)?;
        Ok((answer.outcome, answer.attempts))
    }

    /// One verification against a device row read earlier ([`Self::read_device`]),
    /// written back by compare-and-swap without retrying: what one of two racing
    /// servers does in a single round of the loop. Returns the outcome it computed
    /// and whether its write went through.
    pub fn sign_in_once(
        &self,
        read: &LoadedRow,
        code: &str,
        now: u64,
    ) -> Result<(Outcome, bool), ServerError> {
        let row = &read.row;
        let secret = self
            .service
            .keyring()
            .open(&row.id, &SealedSecret::from_stored(row.secret.clone()))
            .map_err(ServiceError::Seal)?;
        let generator: DeviceParams = row.params.parse().map_err(|_| ServiceError::Corrupt {
            id: row.id.clone(),
            column: "params",
        })?;
        let old: DeviceState = row.state.parse()?;
        let (outcome, new) = generator
            .verifier(&secret, *self.policy())
            .verify(&old, code, now);
        let won = self.service.store().compare_and_swap(read, &new.encode())?;
        Ok((outcome, won))
    }

    /// `ResyncMFADevice`: two consecutive codes from a device whose clock drifted.
    /// A refused pair counts as a failed attempt (it is a guess like any other).
    pub fn resync(
        &self,
        user_name: &str,
        code1: &str,
        code2: &str,
        now: u64,
    ) -> Result<DeviceState, ServerError> {
        let answer = self.service.resync(user_name, code1, code2, now)?;
        match answer.outcome {
            ResyncOutcome::Rejected(e) => Err(ServerError::Resync(e)),
            _ => Ok(answer.state),
        }
    }

    /// The stored state of a device.
    pub fn state(&self, user_name: &str) -> Result<DeviceState, ServerError> {
        Ok(self.service.state(user_name)?)
    }

    /// The device's row as stored, with its version: what the next
    /// compare-and-swap names.
    pub fn read_device(&self, user_name: &str) -> Result<LoadedRow, ServerError> {
        let read = self.service.store().load(user_name)?;
        read.ok_or_else(|| {
            ServiceError::NoSuchDevice {
                id: user_name.to_owned(),
            }
            .into()
        })
    }
}
