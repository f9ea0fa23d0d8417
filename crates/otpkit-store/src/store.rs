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
    /// The generator: `totp.SHA1.6.30` or `hotp.SHA1.6` (see [`DeviceParams`](crate::DeviceParams)).
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

/// Which write of a row a [`LoadedRow`] saw: a random 128-bit token (32 hex
/// digits) that the store gives a row when it is inserted and replaces with a new
/// one on every write ([`DeviceStore::compare_and_swap`],
/// [`DeviceStore::replace_secret`]).
///
/// Only a store's [`DeviceStore::load`] makes one, so a swap can only name a row
/// that was read. A token never comes back: a row removed and inserted again
/// (with another secret, or with the very same columns) has a new one, and so has
/// a row written back to a state it had before. The chance that two tokens of
/// one device ever collide is at most n²/2¹²⁹ after n writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowVersion(String);

impl RowVersion {
    /// A new token, from the operating system's random number generator.
    pub(crate) fn fresh(store: &'static str) -> Result<Self, StoreError> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|_| StoreError::Failed {
            store,
            source: "the operating system's random number generator failed".into(),
        })?;
        Ok(RowVersion(hex(&bytes)))
    }

    /// A token as an adapter stored it.
    #[cfg(any(feature = "sqlite", feature = "postgres", feature = "redis"))]
    pub(crate) fn from_stored(text: String) -> Self {
        RowVersion(text)
    }

    /// The token's text, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Two lowercase hex digits per byte, without the formatting machinery (a
/// version is made at every write).
fn hex(bytes: &[u8]) -> String {
    let digit = |d: u8| {
        char::from(if d < 10 {
            b'0'.wrapping_add(d)
        } else {
            (b'a' - 10).wrapping_add(d)
        })
    };
    bytes
        .iter()
        .flat_map(|b| [digit(b >> 4), digit(b & 0x0f)])
        .collect()
}

impl fmt::Display for RowVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A device as [`DeviceStore::load`] read it: its columns and the
/// [`RowVersion`] they had. The compare-and-swaps take it, so they can only
/// change the row that was read, and only if nothing wrote it since.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadedRow {
    /// The columns.
    pub row: DeviceRow,
    /// Which write of the row they are.
    pub version: RowVersion,
}

/// A device table with compare-and-swap on the row.
///
/// Every method is one atomic operation on the server (one statement, one script);
/// none holds a lock or a transaction across calls, so a client that stalls or dies
/// between [`DeviceStore::load`] and [`DeviceStore::compare_and_swap`] blocks
/// nobody. The methods take `&self`: an adapter serialises its own connection.
///
/// The swaps compare the row's [`RowVersion`], not only a column's text: the
/// state text of every pending enrolment is the same, so a state-only comparison
/// would let a request that verified codes against a removed device's secret
/// enrol (or sign in) a new device that replaced it under the same id. With the
/// version, a swap goes through only if the row is the very one loaded and
/// nothing has written it since. The swaps compare the column they replace too
/// (a guard against an edit made outside this crate that left the token as it
/// was).
///
/// A [`RowVersion`] is made only by this crate's stores: the implementations are
/// the adapters here ([`MemoryStore`](crate::MemoryStore) and the SQLite,
/// PostgreSQL and Redis stores) and wrappers that delegate to them.
pub trait DeviceStore {
    /// Stores a new device, with a new [`RowVersion`]. `Ok(false)` if a device
    /// with this id exists (it is left as it is).
    fn insert(&self, row: &DeviceRow) -> Result<bool, StoreError>;

    /// Reads a device and its version; `Ok(None)` if there is none with this id.
    fn load(&self, id: &str) -> Result<Option<LoadedRow>, StoreError>;

    /// Sets the state of the device `read` to `new_state`, and gives the row a new
    /// version, only if the row still has `read`'s version and state. `Ok(false)`:
    /// it has not (another request wrote it first, or the device is gone, or it
    /// was removed and inserted again).
    fn compare_and_swap(&self, read: &LoadedRow, new_state: &str) -> Result<bool, StoreError>;

    /// Sets the sealed secret of the device `read` to `new_secret` (re-sealing
    /// under a new key), and gives the row a new version, only if the row still
    /// has `read`'s version and sealed secret. `Ok(false)` as for
    /// [`DeviceStore::compare_and_swap`].
    fn replace_secret(&self, read: &LoadedRow, new_secret: &str) -> Result<bool, StoreError>;

    /// Deletes a device. `Ok(false)` if there was none.
    fn remove(&self, id: &str) -> Result<bool, StoreError>;
}

macro_rules! forward {
    ($($ty:ty),*) => {$(
        impl<S: DeviceStore + ?Sized> DeviceStore for $ty {
            fn insert(&self, row: &DeviceRow) -> Result<bool, StoreError> {
                (**self).insert(row)
            }
            fn load(&self, id: &str) -> Result<Option<LoadedRow>, StoreError> {
                (**self).load(id)
            }
            fn compare_and_swap(&self, read: &LoadedRow, new_state: &str) -> Result<bool, StoreError> {
                (**self).compare_and_swap(read, new_state)
            }
            fn replace_secret(&self, read: &LoadedRow, new_secret: &str) -> Result<bool, StoreError> {
                (**self).replace_secret(read, new_secret)
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
    /// The stable code of this error.
    #[must_use]
    pub const fn code(&self) -> otpkit::ErrorCode {
        match self {
            StoreError::Unavailable { .. } => otpkit::ErrorCode::StoreUnavailable,
            StoreError::Failed { .. } => otpkit::ErrorCode::StoreFailed,
            StoreError::Config { .. } => otpkit::ErrorCode::StoreMisconfigured,
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_is_its_bytes_as_lowercase_hex() {
        let bytes = [
            0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x00, 0xff, 0x10, 0x9a, 0xa9, 0xf0,
            0x0f, 0x5c,
        ];
        assert_eq!(hex(&bytes), "0123456789abcdef00ff109aa9f00f5c");
        let v = RowVersion::fresh("test").unwrap();
        assert_eq!(v.as_str().len(), 32, "{v}");
        assert!(
            v.as_str()
                .bytes()
                .all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')),
            "{v}"
        );
        assert_ne!(v, RowVersion::fresh("test").unwrap());
    }
}
