//! The embedded store: one SQLite file (the default; what the CLI and the examples
//! use).
//!
//! The compare-and-swap is one statement, `UPDATE otpkit_devices SET state = ?new
//! WHERE id = ?id AND state = ?old`, which SQLite runs atomically; several
//! processes may share the file (WAL mode, a busy timeout for writers waiting on
//! each other).
//!
//! Schema (migration 1):
//!
//! ```sql
#![doc = include_str!("sql/sqlite_v1.sql")]
//! ```

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use crate::store::{DeviceRow, DeviceStore, StoreError};

const STORE: &str = "sqlite";
/// The migrations, in order; `otpkit_schema.version` records how many ran.
const MIGRATIONS: &[&str] = &[include_str!("sql/sqlite_v1.sql")];

/// How long a writer waits for another process's write to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

fn failed(e: rusqlite::Error) -> StoreError {
    StoreError::Failed {
        store: STORE,
        source: Box::new(e),
    }
}

/// A device table in SQLite.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl SqliteStore {
    /// The store in the file at `path`, created and migrated if needed.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(failed)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(failed)?;
        // WAL: readers do not block the writer; one file shared by processes.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(failed)?;
        Self::init(conn)
    }

    /// A store in memory, gone when dropped.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory().map_err(failed)?)
    }

    /// A store on a connection the caller opened (and configured).
    pub fn from_connection(conn: Connection) -> Result<Self, StoreError> {
        Self::init(conn)
    }

    fn init(mut conn: Connection) -> Result<Self, StoreError> {
        migrate(&mut conn)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // Every operation is one statement: a panic elsewhere leaves nothing half-done.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Runs the migrations not yet applied, in one immediate transaction (so two
/// processes opening a new file do not both run them).
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(failed)?;
    crate::migrate::migrate(STORE, MIGRATIONS, &mut Schema(&tx))?;
    tx.commit().map_err(failed)
}

/// The `otpkit_schema` table, in the migration's transaction.
struct Schema<'a>(&'a rusqlite::Transaction<'a>);

impl crate::migrate::Schema for Schema<'_> {
    fn version(&mut self) -> Result<i64, StoreError> {
        self.0
            .execute_batch("CREATE TABLE IF NOT EXISTS otpkit_schema (version INTEGER NOT NULL)")
            .map_err(failed)?;
        let found: Option<i64> = self
            .0
            .query_row("SELECT max(version) FROM otpkit_schema", [], |r| r.get(0))
            .map_err(failed)?;
        Ok(found.unwrap_or(0))
    }

    fn apply(&mut self, version: i64, step: &str) -> Result<(), StoreError> {
        self.0.execute_batch(step).map_err(failed)?;
        self.0
            .execute(
                "INSERT INTO otpkit_schema (version) VALUES (?1)",
                params![version],
            )
            .map_err(failed)?;
        Ok(())
    }
}

impl DeviceStore for SqliteStore {
    fn insert(&self, row: &DeviceRow) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute(
                "INSERT INTO otpkit_devices (id, params, secret, state) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO NOTHING",
                params![row.id, row.params, row.secret, row.state],
            )
            .map_err(failed)?;
        Ok(n == 1)
    }

    fn load(&self, id: &str) -> Result<Option<DeviceRow>, StoreError> {
        self.conn()
            .query_row(
                "SELECT params, secret, state FROM otpkit_devices WHERE id = ?1",
                params![id],
                |r| {
                    Ok(DeviceRow {
                        id: id.to_owned(),
                        params: r.get(0)?,
                        secret: r.get(1)?,
                        state: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(failed)
    }

    fn compare_and_swap(&self, id: &str, old: &str, new: &str) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute(
                "UPDATE otpkit_devices SET state = ?1 WHERE id = ?2 AND state = ?3",
                params![new, id, old],
            )
            .map_err(failed)?;
        Ok(n == 1)
    }

    fn replace_secret(&self, id: &str, old: &str, new: &str) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute(
                "UPDATE otpkit_devices SET secret = ?1 WHERE id = ?2 AND secret = ?3",
                params![new, id, old],
            )
            .map_err(failed)?;
        Ok(n == 1)
    }

    fn remove(&self, id: &str) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute("DELETE FROM otpkit_devices WHERE id = ?1", params![id])
            .map_err(failed)?;
        Ok(n == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_run_once_and_a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("devices.sqlite");
        drop(SqliteStore::open(&path).unwrap());
        drop(SqliteStore::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        let versions: i64 = conn
            .query_row("SELECT count(*) FROM otpkit_schema", [], |r| r.get(0))
            .unwrap();
        assert_eq!(versions, 1);
        conn.execute("INSERT INTO otpkit_schema (version) VALUES (99)", [])
            .unwrap();
        drop(conn);
        let err = SqliteStore::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::Config { .. }), "{err}");
        assert!(err.to_string().contains("schema version 99"), "{err}");
    }
}
