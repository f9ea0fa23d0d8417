//! An MFA device table in SQLite, updated by compare-and-swap.
//!
//! One row per device. The verifier's whole per-device state is one short text
//! column (`DeviceState`'s `Display` form), so "did anybody change this device
//! since I read it?" is a plain string comparison in the `UPDATE`'s `WHERE`:
//!
//! ```sql
//! UPDATE devices SET state = :new WHERE id = :id AND state = :old
//! ```
//!
//! One row updated: our write won. None: another request changed the device first,
//! so the caller reads it again and re-verifies (see [`crate::server`]).

use std::fmt;
use std::path::Path;

use otpkit::{Algorithm, Digits, LengthPolicy, Period, Secret, Totp};
use rusqlite::{Connection, OptionalExtension, params};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS devices (
    id        INTEGER PRIMARY KEY,
    user_name TEXT    NOT NULL UNIQUE,
    -- Base32. In production keep this column encrypted (e.g. envelope encryption
    -- with a KMS key) or in a separate secrets store: it is the second factor.
    secret    TEXT    NOT NULL,
    algorithm TEXT    NOT NULL,
    digits    INTEGER NOT NULL,
    period    INTEGER NOT NULL,
    -- otpkit::verifier::DeviceState, e.g. 'otpk1.t.60000001.0.0.0.9188f33ba764'.
    state     TEXT    NOT NULL
);";

/// One device as stored.
pub struct Device {
    /// Row id.
    pub id: i64,
    /// Whose device it is.
    pub user_name: String,
    /// The TOTP generator built from the stored secret and parameters.
    pub totp: Totp,
    /// The verifier state exactly as stored: the `old` value of the next
    /// compare-and-swap.
    pub state: String,
}

impl fmt::Debug for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Device")
            .field("id", &self.id)
            .field("user_name", &self.user_name)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// Why the store failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite reported an error.
    Sqlite(rusqlite::Error),
    /// No device has this id.
    NoSuchDevice {
        /// The id asked for.
        id: i64,
    },
    /// A stored column is not valid (the row was damaged outside this program).
    Corrupt {
        /// Which column.
        column: &'static str,
    },
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Sqlite(e) => write!(f, "database error: {e}"),
            StoreError::NoSuchDevice { id } => write!(f, "no MFA device with id {id}"),
            StoreError::Corrupt { column } => {
                write!(f, "the stored device has an invalid {column} column")
            }
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Sqlite(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
}

/// The device table.
pub struct DeviceStore {
    conn: Connection,
}

impl DeviceStore {
    /// A store in memory (gone when dropped).
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory()?)
    }

    /// A store in the SQLite file at `path`, created if missing.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::init(Connection::open(path)?)
    }

    fn init(conn: Connection) -> Result<Self, StoreError> {
        conn.execute_batch(SCHEMA)?;
        Ok(DeviceStore { conn })
    }

    /// Stores a newly enrolled device and returns its id.
    pub fn insert(
        &self,
        user_name: &str,
        secret: &Secret,
        algorithm: Algorithm,
        digits: Digits,
        period: Period,
        state: &str,
    ) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO devices (user_name, secret, algorithm, digits, period, state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                user_name,
                secret.base32().to_string(),
                algorithm.name(),
                digits.get(),
                i64::try_from(period.seconds())
                    .map_err(|_| StoreError::Corrupt { column: "period" })?,
                state
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Reads a device.
    pub fn load(&self, id: i64) -> Result<Device, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT user_name, secret, algorithm, digits, period, state
                 FROM devices WHERE id = ?1",
                params![id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        zeroize::Zeroizing::new(r.get::<_, String>(1)?),
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, String>(5)?,
                    ))
                },
            )
            .optional()?
            .ok_or(StoreError::NoSuchDevice { id })?;
        let (user_name, secret, algorithm, digits, period, state) = row;
        let corrupt = |column| StoreError::Corrupt { column };
        let secret = Secret::from_base32_with(&secret, LengthPolicy::Rfc4226)
            .map_err(|_| corrupt("secret"))?;
        let algorithm = algorithm
            .parse::<Algorithm>()
            .map_err(|_| corrupt("algorithm"))?;
        let digits = u8::try_from(digits)
            .ok()
            .and_then(|d| Digits::new(d).ok())
            .ok_or(corrupt("digits"))?;
        let period = u64::try_from(period)
            .ok()
            .and_then(|p| Period::new(p).ok())
            .ok_or(corrupt("period"))?;
        Ok(Device {
            id,
            user_name,
            totp: Totp::new(&secret, algorithm, digits, period),
            state,
        })
    }

    /// Replaces the device's state with `new` only if it is still `old`. Returns
    /// whether the row was updated (`false`: another request got there first).
    pub fn compare_and_swap(&self, id: i64, old: &str, new: &str) -> Result<bool, StoreError> {
        let rows = self.conn.execute(
            "UPDATE devices SET state = ?1 WHERE id = ?2 AND state = ?3",
            params![new, id, old],
        )?;
        Ok(rows == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_load_and_compare_and_swap() {
        let store = DeviceStore::in_memory().unwrap();
        let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
        let id = store
            .insert(
                "alice",
                &secret,
                Algorithm::Sha256,
                Digits::EIGHT,
                Period::new(60).unwrap(),
                "s0",
            )
            .unwrap();
        let dev = store.load(id).unwrap();
        assert_eq!(dev.user_name, "alice");
        assert_eq!(dev.state, "s0");
        assert_eq!(dev.totp.algorithm(), Algorithm::Sha256);
        assert_eq!(dev.totp.digits(), Digits::EIGHT);
        assert_eq!(dev.totp.period().seconds(), 60);
        let reference = Totp::new(
            &secret,
            Algorithm::Sha256,
            Digits::EIGHT,
            Period::new(60).unwrap(),
        );
        assert_eq!(
            dev.totp.code_at(59).unwrap(),
            reference.code_at(59).unwrap()
        );
        // The first swap from s0 wins; a second one from the same old value loses.
        assert!(store.compare_and_swap(id, "s0", "s1").unwrap());
        assert!(!store.compare_and_swap(id, "s0", "s2").unwrap());
        assert_eq!(store.load(id).unwrap().state, "s1");
        assert!(matches!(
            store.load(id + 1),
            Err(StoreError::NoSuchDevice { .. })
        ));
        assert!(!format!("{dev:?}").contains("GEZD"));
    }

    #[test]
    fn one_device_per_user() {
        let store = DeviceStore::in_memory().unwrap();
        let secret = Secret::from_bytes(&[7; 20]).unwrap();
        let add = || {
            store.insert(
                "bob",
                &secret,
                Algorithm::Sha1,
                Digits::SIX,
                Period::DEFAULT,
                "s",
            )
        };
        add().unwrap();
        assert!(matches!(add(), Err(StoreError::Sqlite(_))));
    }

    #[test]
    fn damaged_rows_are_errors() {
        let store = DeviceStore::in_memory().unwrap();
        let secret = Secret::from_bytes(&[7; 20]).unwrap();
        let id = store
            .insert(
                "eve",
                &secret,
                Algorithm::Sha1,
                Digits::SIX,
                Period::DEFAULT,
                "s",
            )
            .unwrap();
        store
            .conn
            .execute("UPDATE devices SET digits = 3 WHERE id = ?1", params![id])
            .unwrap();
        assert!(matches!(
            store.load(id),
            Err(StoreError::Corrupt { column: "digits" })
        ));
    }
}
