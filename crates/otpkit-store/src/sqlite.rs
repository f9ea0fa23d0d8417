//! The embedded store: one SQLite file (the default; what the CLI and the examples
//! use).
//!
//! The compare-and-swap is one statement,
//!
//! ```sql
//! UPDATE otpkit_devices SET state = ?new, version = ?next
//!  WHERE id = ?id AND version = ?read_version AND state = ?read_state
//! ```
//!
//! which SQLite runs atomically (the secret's replacement is the same with
//! `secret`); several processes may share the file (WAL mode, a busy timeout for
//! writers waiting on each other).
//!
//! ## The file is private
//!
//! [`SqliteStore::open`] creates the file with mode 0600 (owner only), as the
//! CLI's device files are; SQLite gives its side files (`-wal`, `-shm`, a
//! `-journal`) the database file's mode. A file that exists is narrowed, never
//! widened: it loses every permission for other users, and its group loses its
//! permissions too unless it may write (servers sharing one store in one group
//! need write access; read-only group access is what a umask of 022 left on files
//! made before, and no store process can use it). So 0644 becomes 0600, 0660
//! stays 0660, 0666 becomes 0660. The side files that are there are narrowed the
//! same way. A file that needs narrowing but cannot be (another user's) is
//! refused with [`StoreError::Config`], naming the path and the mode.
//!
//! Schema (migration 1, then migration 2, which adds the row version):
//!
//! ```sql
#![doc = include_str!("sql/sqlite_1_device_table.sql")]
//! ```
//!
//! ```sql
#![doc = include_str!("sql/sqlite_2_row_version.sql")]
//! ```

use std::fs::{self, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use crate::store::{DeviceRow, DeviceStore, LoadedRow, RowVersion, StoreError};

const STORE: &str = "sqlite";
/// The migrations, in order; `otpkit_schema.version` records how many ran.
const MIGRATIONS: &[&str] = &[
    include_str!("sql/sqlite_1_device_table.sql"),
    include_str!("sql/sqlite_2_row_version.sql"),
];

/// How long a writer waits for another process's write to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The files SQLite may keep beside the database: WAL mode's log and shared
/// memory index, and a rollback journal (before WAL mode is on).
const SIDE_FILES: [&str; 3] = ["-wal", "-shm", "-journal"];

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
    /// The store in the file at `path`, created and migrated if needed. `path` is
    /// always a file name: `:memory:` and `file:` names are files of that name
    /// here (an in-memory store is [`SqliteStore::in_memory`]).
    ///
    /// The file is private: a new one is created with mode 0600 (owner only), and
    /// SQLite gives its side files (`-wal`, `-shm`, a `-journal`) the file's mode.
    /// A file that exists is narrowed, never widened: it loses every permission
    /// for other users, and its group's too unless the group may write (servers
    /// sharing one store in one group). So 0644 becomes 0600, 0660 stays 0660,
    /// 0666 becomes 0660; side files that are there are narrowed the same way. A
    /// file that needs narrowing but cannot be narrowed (another user's) is
    /// refused with [`StoreError::Config`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = file_name(path.as_ref());
        make_private(&path)?;
        let conn = Connection::open(&path).map_err(failed)?;
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

    /// A store on a connection the caller opened (and configured; the mode of
    /// its file is the caller's to choose).
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

/// The name SQLite is given: `path`, with `./` before a relative one, so that
/// SQLite opens the file at `path` (the one made private) even when its name is
/// one SQLite reads specially (`:memory:`, a `file:` URI).
fn file_name(path: &Path) -> PathBuf {
    if path.is_relative() {
        Path::new(".").join(path)
    } else {
        path.to_owned()
    }
}

/// `path` with `suffix` appended to its last component (`x.sqlite-wal`).
fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Creates the database file with mode 0600 if there is none, and narrows the
/// modes of the file and of its side files that are there ([`private_mode`]).
fn make_private(path: &Path) -> Result<(), StoreError> {
    let mut options = OpenOptions::new();
    options.write(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path).map_err(|e| StoreError::Failed {
        store: STORE,
        source: format!("cannot open {}: {e}", path.display()).into(),
    })?;
    narrow(path, file.metadata(), |p| file.set_permissions(p))?;
    for suffix in SIDE_FILES {
        let side = side_file(path, suffix);
        match fs::metadata(&side) {
            // SQLite makes it, with the database file's mode, when it needs it.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            found => narrow(&side, found, |p| fs::set_permissions(&side, p))?,
        }
    }
    Ok(())
}

/// Sets the mode of the file at `path` (its `metadata`, `set` its permissions) to
/// [`private_mode`] of its mode, if that is narrower. A file removed meanwhile
/// (a side file, by another process closing the store) needs nothing.
#[cfg(unix)]
fn narrow(
    path: &Path,
    metadata: io::Result<fs::Metadata>,
    set: impl FnOnce(fs::Permissions) -> io::Result<()>,
) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata
        .map_err(|e| StoreError::Failed {
            store: STORE,
            source: format!("cannot read the mode of {}: {e}", path.display()).into(),
        })?
        .permissions()
        .mode()
        & 0o7777;
    let private = private_mode(mode);
    if private == mode {
        return Ok(());
    }
    match set(fs::Permissions::from_mode(private)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StoreError::Config {
            store: STORE,
            reason: format!(
                "{} is open to other users (mode {mode:04o}) and its mode cannot be narrowed \
                 to {private:04o}: {e}",
                path.display()
            ),
        }),
    }
}

#[cfg(not(unix))]
fn narrow(
    _path: &Path,
    _metadata: io::Result<fs::Metadata>,
    _set: impl FnOnce(fs::Permissions) -> io::Result<()>,
) -> Result<(), StoreError> {
    Ok(())
}

/// The mode a store file keeps: no permission for other users, and none for its
/// group unless the group may write (several servers sharing the store in one
/// group); the owner's permissions and the special bits as they were.
#[cfg(unix)]
fn private_mode(mode: u32) -> u32 {
    let without_others = mode & !0o007;
    if without_others & 0o020 == 0 {
        without_others & !0o070
    } else {
        without_others
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
        let version = RowVersion::fresh(STORE)?;
        let n = self
            .conn()
            .execute(
                "INSERT INTO otpkit_devices (id, params, secret, state, version)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO NOTHING",
                params![row.id, row.params, row.secret, row.state, version.as_str()],
            )
            .map_err(failed)?;
        Ok(n == 1)
    }

    fn load(&self, id: &str) -> Result<Option<LoadedRow>, StoreError> {
        self.conn()
            .query_row(
                "SELECT params, secret, state, version FROM otpkit_devices WHERE id = ?1",
                params![id],
                |r| {
                    Ok(LoadedRow {
                        row: DeviceRow {
                            id: id.to_owned(),
                            params: r.get(0)?,
                            secret: r.get(1)?,
                            state: r.get(2)?,
                        },
                        version: RowVersion::from_stored(r.get(3)?),
                    })
                },
            )
            .optional()
            .map_err(failed)
    }

    fn compare_and_swap(&self, read: &LoadedRow, new_state: &str) -> Result<bool, StoreError> {
        let next = RowVersion::fresh(STORE)?;
        let n = self
            .conn()
            .execute(
                "UPDATE otpkit_devices SET state = ?1, version = ?2
                 WHERE id = ?3 AND version = ?4 AND state = ?5",
                params![
                    new_state,
                    next.as_str(),
                    read.row.id,
                    read.version.as_str(),
                    read.row.state
                ],
            )
            .map_err(failed)?;
        Ok(n == 1)
    }

    fn replace_secret(&self, read: &LoadedRow, new_secret: &str) -> Result<bool, StoreError> {
        let next = RowVersion::fresh(STORE)?;
        let n = self
            .conn()
            .execute(
                "UPDATE otpkit_devices SET secret = ?1, version = ?2
                 WHERE id = ?3 AND version = ?4 AND secret = ?5",
                params![
                    new_secret,
                    next.as_str(),
                    read.row.id,
                    read.version.as_str(),
                    read.row.secret
                ],
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
        let versions: Vec<i64> = conn
            .prepare("SELECT version FROM otpkit_schema ORDER BY version")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(versions, [1, 2]);
        conn.execute("INSERT INTO otpkit_schema (version) VALUES (99)", [])
            .unwrap();
        drop(conn);
        let err = SqliteStore::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::Config { .. }), "{err}");
        assert!(err.to_string().contains("schema version 99"), "{err}");
    }

    /// A database as schema version 1 made it: its rows get a version each, a
    /// row inserted later without one (by a program of schema 1 still running)
    /// gets one too, and the swaps work on them.
    #[test]
    fn a_database_of_schema_1_is_upgraded_and_its_rows_get_versions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("devices.sqlite");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE otpkit_schema (version INTEGER NOT NULL);
             INSERT INTO otpkit_schema (version) VALUES (1);
             CREATE TABLE otpkit_devices (
                 id     TEXT PRIMARY KEY,
                 params TEXT NOT NULL,
                 secret TEXT NOT NULL,
                 state  TEXT NOT NULL
             );
             INSERT INTO otpkit_devices (id, params, secret, state)
                 VALUES ('a', 'totp.SHA1.6.30', 'otps1.k.AAAA', 'sa'),
                        ('b', 'hotp.SHA1.6', 'otps1.k.BBBB', 'sb');",
        )
        .unwrap();
        let store = SqliteStore::open(&path).unwrap();
        let a = store.load("a").unwrap().unwrap();
        let b = store.load("b").unwrap().unwrap();
        assert_eq!(
            (
                a.row.params.as_str(),
                a.row.secret.as_str(),
                a.row.state.as_str()
            ),
            ("totp.SHA1.6.30", "otps1.k.AAAA", "sa")
        );
        assert_eq!(b.row.state, "sb");
        for v in [&a.version, &b.version] {
            assert_eq!(v.as_str().len(), 32, "{v}");
            assert!(v.as_str().bytes().all(|c| c.is_ascii_hexdigit()), "{v}");
        }
        assert_ne!(a.version, b.version);
        let versions: i64 = conn
            .query_row("SELECT max(version) FROM otpkit_schema", [], |r| r.get(0))
            .unwrap();
        assert_eq!(versions, 2);
        // A program of schema 1 removes "a" and inserts it again, without a version.
        conn.execute("DELETE FROM otpkit_devices WHERE id = 'a'", [])
            .unwrap();
        conn.execute(
            "INSERT INTO otpkit_devices (id, params, secret, state)
             VALUES ('a', 'totp.SHA1.6.30', 'otps1.k.AAAA', 'sa')",
            [],
        )
        .unwrap();
        assert!(!store.compare_and_swap(&a, "sa2").unwrap());
        let again = store.load("a").unwrap().unwrap();
        assert_ne!(again.version, a.version);
        assert!(store.compare_and_swap(&again, "sa2").unwrap());
        assert!(store.replace_secret(&b, "otps1.k.CCCC").unwrap());
        assert_eq!(store.load("b").unwrap().unwrap().row.secret, "otps1.k.CCCC");
    }

    #[test]
    fn open_takes_any_path_and_gives_sqlite_a_file_name() {
        // A name as a newcomer writes it compiles (not run: it would make the file here).
        let _by_str = || SqliteStore::open("mfa.sqlite");
        let _by_path_buf = || SqliteStore::open(PathBuf::from("mfa.sqlite"));
        for (given, opened) in [
            (":memory:", "./:memory:"),
            (
                "file:mfa.sqlite?mode=memory",
                "./file:mfa.sqlite?mode=memory",
            ),
            ("data/mfa.sqlite", "./data/mfa.sqlite"),
            ("/var/lib/otpkit/mfa.sqlite", "/var/lib/otpkit/mfa.sqlite"),
        ] {
            assert_eq!(file_name(Path::new(given)), Path::new(opened), "{given}");
        }
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[cfg(unix)]
    fn set_mode(path: &Path, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    fn row(id: &str) -> DeviceRow {
        DeviceRow {
            id: id.to_owned(),
            params: "totp.SHA1.6.30".to_owned(),
            secret: "otps1.k.AAAA".to_owned(),
            state: "s0".to_owned(),
        }
    }

    /// Made with the process's umask (022 in CI, under which SQLite's own default
    /// gives 0644), the file and the side files SQLite makes beside it are 0600.
    #[cfg(unix)]
    #[test]
    fn a_new_store_file_and_its_side_files_are_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("devices.sqlite");
        let store = SqliteStore::open(&path).unwrap();
        assert!(store.insert(&row("a")).unwrap());
        assert_eq!(mode(&path), 0o600);
        for suffix in ["-wal", "-shm"] {
            let side = side_file(&path, suffix);
            assert!(side.exists(), "{}", side.display());
            assert_eq!(mode(&side), 0o600, "{}", side.display());
        }
    }

    #[cfg(unix)]
    #[test]
    fn an_existing_file_is_narrowed_never_widened() {
        for (before, after) in [
            (0o644, 0o600),
            (0o640, 0o600),
            (0o666, 0o660),
            (0o664, 0o660),
            (0o660, 0o660),
            (0o600, 0o600),
            (0o604, 0o600),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("devices.sqlite");
            drop(SqliteStore::open(&path).unwrap());
            set_mode(&path, before);
            // Side files left by a process that made them with the file's old mode.
            let sides: Vec<PathBuf> = ["-wal", "-shm"]
                .iter()
                .map(|s| side_file(&path, s))
                .collect();
            for side in &sides {
                fs::write(side, b"").unwrap();
                set_mode(side, before);
            }
            let store = SqliteStore::open(&path).unwrap();
            assert_eq!(mode(&path), after, "{before:o}");
            for side in &sides {
                assert_eq!(mode(side), after, "{before:o} {}", side.display());
            }
            assert!(store.insert(&row("a")).unwrap());
            assert_eq!(store.load("a").unwrap().unwrap().row, row("a"));
        }
    }

    /// A file whose mode cannot be narrowed (another user's) is refused, naming
    /// the path, its mode and the mode it needed; a file removed before its mode
    /// was set needs nothing.
    #[cfg(unix)]
    #[test]
    fn a_file_that_cannot_be_narrowed_is_refused_and_a_removed_one_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("devices.sqlite");
        fs::write(&path, b"").unwrap();
        set_mode(&path, 0o644);
        let refused = |kind: io::ErrorKind| move |_: fs::Permissions| Err(io::Error::from(kind));
        let err = narrow(
            &path,
            fs::metadata(&path),
            refused(io::ErrorKind::PermissionDenied),
        )
        .unwrap_err();
        let StoreError::Config { store, reason } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(*store, STORE);
        assert!(
            reason.starts_with(&format!(
                "{} is open to other users (mode 0644) and its mode cannot be narrowed to 0600: ",
                path.display()
            )),
            "{reason}"
        );
        assert_eq!(mode(&path), 0o644);
        narrow(&path, fs::metadata(&path), refused(io::ErrorKind::NotFound)).unwrap();
        // A mode that is private already is not set at all.
        set_mode(&path, 0o600);
        narrow(
            &path,
            fs::metadata(&path),
            refused(io::ErrorKind::PermissionDenied),
        )
        .unwrap();
    }

    /// A side file whose mode cannot be read (here a symbolic link to itself) is
    /// an error naming it, not a file to skip.
    #[cfg(unix)]
    #[test]
    fn a_side_file_whose_mode_cannot_be_read_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("devices.sqlite");
        let wal = side_file(&path, "-wal");
        std::os::unix::fs::symlink(&wal, &wal).unwrap();
        let err = SqliteStore::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::Failed { .. }), "{err:?}");
        assert!(
            err.to_string().starts_with(&format!(
                "the sqlite device store failed: cannot read the mode of {}: ",
                wal.display()
            )),
            "{err}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_private_mode_drops_others_and_a_group_that_cannot_write() {
        for (mode, private) in [
            (0o777, 0o770),
            (0o755, 0o700),
            (0o644, 0o600),
            (0o604, 0o600),
            (0o620, 0o620),
            (0o600, 0o600),
            (0o4644, 0o4600),
        ] {
            assert_eq!(private_mode(mode), private, "{mode:o}");
        }
    }
}
