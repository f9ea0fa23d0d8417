//! The one trait an adapter implements: read a device row, compare-and-swap its
//! state. Everything else (verification, sealing, retries) is in
//! [`MfaService`](crate::MfaService), the same for every store.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

/// One device as stored: four text columns. Adapters store and return them as
/// they are; [`MfaService`](crate::MfaService) gives them meaning.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceRow {
    /// The device id: the caller's key (a user name, a UUID); at most
    /// [`MAX_DEVICE_ID_LEN`](crate::MAX_DEVICE_ID_LEN) bytes.
    pub id: String,
    /// The generator: `totp.SHA1.6.30` or `hotp.SHA1.6` (see [`Generator`](crate::Generator)).
    pub params: String,
    /// The sealed secret, `otps1.KEYID.DATA` (see [`crate::seal`]).
    pub secret: String,
    /// The verifier state, `otpk1.…` ([`otpkit::DeviceState`]'s text form).
    pub state: String,
}

impl fmt::Debug for DeviceRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The secret is sealed, but there is no reason to print even that.
        f.debug_struct("DeviceRow")
            .field("id", &self.id)
            .field("params", &self.params)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// A device table with compare-and-swap on the state column.
///
/// Every method is one atomic operation on the server (one statement, one script);
/// none holds a lock or a transaction across calls, so a client that stalls or dies
/// between [`DeviceStore::load`] and [`DeviceStore::compare_and_swap`] blocks
/// nobody. The methods take `&self`: an adapter serialises its own connection.
pub trait DeviceStore {
    /// Stores a new device. `Ok(false)` if a device with this id exists (it is left
    /// as it is).
    fn insert(&self, row: &DeviceRow) -> Result<bool, StoreError>;

    /// Reads a device; `Ok(None)` if there is none with this id.
    fn load(&self, id: &str) -> Result<Option<DeviceRow>, StoreError>;

    /// Sets the device's state to `new` only if it is still exactly `old`.
    /// `Ok(false)`: it was not (another request changed it first, or the device is
    /// gone).
    fn compare_and_swap(&self, id: &str, old: &str, new: &str) -> Result<bool, StoreError>;

    /// Sets the device's sealed secret to `new` only if it is still exactly `old`
    /// (re-sealing under a new key).
    fn replace_secret(&self, id: &str, old: &str, new: &str) -> Result<bool, StoreError>;

    /// Deletes a device. `Ok(false)` if there was none.
    fn remove(&self, id: &str) -> Result<bool, StoreError>;
}

macro_rules! forward {
    ($($ty:ty),*) => {$(
        impl<S: DeviceStore + ?Sized> DeviceStore for $ty {
            fn insert(&self, row: &DeviceRow) -> Result<bool, StoreError> {
                (**self).insert(row)
            }
            fn load(&self, id: &str) -> Result<Option<DeviceRow>, StoreError> {
                (**self).load(id)
            }
            fn compare_and_swap(&self, id: &str, old: &str, new: &str) -> Result<bool, StoreError> {
                (**self).compare_and_swap(id, old, new)
            }
            fn replace_secret(&self, id: &str, old: &str, new: &str) -> Result<bool, StoreError> {
                (**self).replace_secret(id, old, new)
            }
            fn remove(&self, id: &str) -> Result<bool, StoreError> {
                (**self).remove(id)
            }
        }
    )*};
}

forward!(&S, Box<S>, Arc<S>);

/// The error type adapters carry from their driver.
pub type BoxError = Box<dyn Error + Send + Sync + 'static>;

/// Why a store operation failed. The driver's error is the source; no variant
/// carries a secret (sealed or not) or a connection password.
#[derive(Debug)]
#[non_exhaustive]
pub enum StoreError {
    /// The server could not be reached or the connection broke (refused, reset,
    /// shut down). The operation may or may not have taken effect; retrying the
    /// request later is safe (a state already swapped makes the retry a replay).
    Unavailable {
        /// Which store: `sqlite`, `postgres`, `redis`.
        store: &'static str,
        /// The driver's error.
        source: BoxError,
    },
    /// The server refused or failed the operation.
    Failed {
        /// Which store.
        store: &'static str,
        /// The driver's error.
        source: BoxError,
    },
    /// The connection string is not valid, or the schema is from a newer version.
    Config {
        /// Which store.
        store: &'static str,
        /// What is wrong, without the string itself (it may hold a password).
        reason: String,
    },
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Unavailable { store, source } => {
                write!(f, "the {store} device store is unavailable: {source}")
            }
            StoreError::Failed { store, source } => {
                write!(f, "the {store} device store failed: {source}")
            }
            StoreError::Config { store, reason } => {
                write!(f, "the {store} device store is misconfigured: {reason}")
            }
        }
    }
}

impl Error for StoreError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            StoreError::Unavailable { source, .. } | StoreError::Failed { source, .. } => {
                Some(source.as_ref())
            }
            StoreError::Config { .. } => None,
        }
    }
}

impl StoreError {
    /// Whether the server could not be reached (worth retrying later).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable { .. })
    }

    /// A driver's error: [`StoreError::Unavailable`] if the connection was `lost`,
    /// [`StoreError::Failed`] otherwise.
    #[cfg(any(feature = "postgres", feature = "redis"))]
    pub(crate) fn from_driver(
        store: &'static str,
        lost: bool,
        e: impl Error + Send + Sync + 'static,
    ) -> Self {
        let source = Box::new(e);
        if lost {
            StoreError::Unavailable { store, source }
        } else {
            StoreError::Failed { store, source }
        }
    }
}
