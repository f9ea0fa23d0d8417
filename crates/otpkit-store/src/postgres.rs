//! A shared PostgreSQL server (the synchronous `postgres` client, no TLS: run it
//! on loopback or a private network, or terminate TLS in front of it).
//!
//! ## Compare-and-swap: a conditional `UPDATE`, not row locking
//!
//! ```sql
//! UPDATE otpkit_devices SET state = $new, version = $next
//!  WHERE id = $id AND version = $read_version AND state = $read_state
//! ```
//!
//! runs on its own (autocommit): one round trip, atomic, and it holds a row lock
//! only for the duration of that statement. The alternative, `BEGIN; SELECT …
//! FOR UPDATE; (verify) ; UPDATE; COMMIT`, takes four round trips and holds the
//! row lock while the client computes the HMACs and across the network: a client
//! that stalls, is paused or loses its connection blocks every other request for
//! that device until the server notices, and a server restart aborts the open
//! transaction mid-way. With the conditional update nothing is held between
//! requests, a lost race costs one more read (the same loop as every other
//! store), and a restart can only cut a single statement, whose outcome the
//! caller treats as unknown ([`StoreError::Unavailable`]).
//!
//! The connection is opened again after it breaks (server restarted), on the next
//! operation.
//!
//! The connection is used on the calling thread, or on a thread of its own when
//! the caller is in a tokio runtime: see [`PostgresStore`].
//!
//! Schema (migrations 1 and 2, run under an advisory lock so concurrent servers
//! starting together apply them once; migration 2 adds the row version, and needs
//! PostgreSQL 13 or later for `gen_random_uuid`):
//!
//! ```sql
#![doc = include_str!("sql/postgres_1_device_table.sql")]
//! ```
//!
//! ```sql
#![doc = include_str!("sql/postgres_2_row_version.sql")]
//! ```

use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

use postgres::error::SqlState;
use postgres::{Client, Config, NoTls, Statement};

use crate::store::{DeviceRow, DeviceStore, LoadedRow, RowVersion, StoreError};

const STORE: &str = "postgres";
const MIGRATIONS: &[&str] = &[
    include_str!("sql/postgres_1_device_table.sql"),
    include_str!("sql/postgres_2_row_version.sql"),
];
/// `pg_advisory_xact_lock` key for migrations ("otpk" in ASCII).
const MIGRATION_LOCK: i64 = 0x6f74_706b;

struct Conn {
    client: Client,
    insert: Statement,
    load: Statement,
    cas: Statement,
    replace_secret: Statement,
    remove: Statement,
}

/// What the connection thread owns: the connection (if open) and how to open it.
struct Worker {
    config: Config,
    conn: Option<Conn>,
}

/// An operation sent to the connection thread; it sends its own answer back.
type Job = Box<dyn FnOnce(&mut Worker) + Send>;

/// A device table in PostgreSQL.
///
/// ## Safe to own from async code; call it from `spawn_blocking`
///
/// The `postgres` client runs a small tokio runtime of its own and blocks on it
/// in every call *and when it is dropped*; on a thread of another tokio runtime
/// that panics ("Cannot start a runtime from within a runtime"). So the
/// connection belongs to a thread of its own (`otpkit-postgres`), started by
/// [`PostgresStore::connect`], which closes it. An operation called on a thread
/// that is in no tokio runtime uses the connection right there (one at a time, as
/// one connection serves them anyway); one called from a runtime's thread (or a
/// `spawn_blocking` thread, which has the runtime's context too) is sent to the
/// connection thread and its answer awaited: one hand-off each way, which costs
/// two thread wake-ups per round trip. Dropping the store only closes a channel
/// — the thread then closes the connection and ends by itself — so a drop never
/// blocks or panics, wherever it happens. An async server can keep the store (or
/// an [`MfaService`](crate::MfaService) over it) in its state and let the last
/// `Arc` go in any task.
///
/// The operations still *block* the calling thread for a round trip to the
/// server: from async code call them in `tokio::task::spawn_blocking` (or your
/// runtime's equivalent), so the runtime's threads are not held. Called on a
/// runtime thread directly they work, but stall that thread's other tasks.
pub struct PostgresStore {
    /// To the connection thread; dropping it ends the thread.
    jobs: Sender<Job>,
    /// The connection and how to open it again: the connection thread's, lent to
    /// callers outside any runtime.
    worker: Arc<Mutex<Worker>>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The connection's config holds the password.
        f.debug_struct("PostgresStore").finish_non_exhaustive()
    }
}

fn classify(e: postgres::Error) -> StoreError {
    let lost = e.is_closed()
        || match e.code() {
            // No SQLSTATE: the connection or the socket failed.
            None => true,
            Some(code) => {
                *code == SqlState::ADMIN_SHUTDOWN
                    || *code == SqlState::CRASH_SHUTDOWN
                    || *code == SqlState::CANNOT_CONNECT_NOW
                    || code.code().starts_with("08")
            }
        };
    StoreError::from_driver(STORE, lost, e)
}

/// The connection thread is gone (it cannot stop while the store exists unless
/// it panicked).
fn thread_gone() -> StoreError {
    StoreError::Failed {
        store: STORE,
        source: "the PostgreSQL connection thread stopped".into(),
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user:password@host:port/db` or the
    /// `host=… user=…` form) and runs the migrations not yet applied, on the
    /// store's own connection thread (started here).
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let mut config: Config = url.parse().map_err(|_| StoreError::Config {
            store: STORE,
            reason: "not a PostgreSQL connection string".to_owned(),
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        let (jobs, queue) = mpsc::channel::<Job>();
        let worker = Arc::new(Mutex::new(Worker { config, conn: None }));
        let owner = CloseOnExit(worker.clone());
        thread::Builder::new()
            .name("otpkit-postgres".to_owned())
            .spawn(move || {
                // Ends when the store (the only sender) is dropped; `owner` then
                // closes the connection here, on this thread.
                for job in queue {
                    job(&mut lock(&owner.0));
                }
            })
            .map_err(|e| StoreError::Failed {
                store: STORE,
                source: Box::new(e),
            })?;
        let store = PostgresStore { jobs, worker };
        store.run(|w| {
            let mut client = w.config.connect(NoTls).map_err(classify)?;
            migrate(&mut client)?;
            w.conn = Some(prepare(client)?);
            Ok(())
        })?;
        Ok(store)
    }

    /// Runs `job` on the connection: on this thread if it is in no tokio
    /// runtime, else on the connection thread, waiting for its answer.
    fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Worker) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        if tokio::runtime::Handle::try_current().is_err() {
            return job(&mut lock(&self.worker));
        }
        let (answer, answered) = mpsc::sync_channel(1);
        self.jobs
            .send(Box::new(move |w: &mut Worker| {
                // The caller waits for it; nothing to do if it is gone.
                let _ = answer.send(job(w));
            }))
            .map_err(|_| thread_gone())?;
        answered.recv().map_err(|_| thread_gone())?
    }

    /// A write on the connection thread.
    fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<T, postgres::Error> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.run(|w| w.with(f))
    }
}

/// The worker, whoever holds it: every operation leaves it whole (a connection
/// or none), even one that panicked.
fn lock(worker: &Mutex<Worker>) -> MutexGuard<'_, Worker> {
    worker.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The connection thread's hold on the worker: closes the connection on that
/// thread when it ends (even by a panic), so the store, dropped anywhere, never
/// drops a connection itself.
struct CloseOnExit(Arc<Mutex<Worker>>);

impl Drop for CloseOnExit {
    fn drop(&mut self) {
        lock(&self.0).conn = None;
    }
}

impl Worker {
    /// [`Self::with`] for an operation that changes nothing: on a broken
    /// connection (the server restarted since it was opened) it is tried once more
    /// on a new one. Writes are not retried here: whether a write on a broken
    /// connection took effect is unknown, and the caller must be told.
    fn read<T>(
        &mut self,
        f: impl Fn(&mut Conn) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        match self.with(&f) {
            Err(e) if e.is_unavailable() => self.with(&f),
            result => result,
        }
    }

    /// Runs `f` on the connection, opening it again if it broke. A connection that
    /// fails is dropped, so the next call reconnects.
    fn with<T>(
        &mut self,
        f: impl FnOnce(&mut Conn) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        if self.conn.as_ref().is_none_or(|c| c.client.is_closed()) {
            self.conn = None;
            let client = self.config.connect(NoTls).map_err(classify)?;
            self.conn = Some(prepare(client)?);
        }
        let Some(conn) = self.conn.as_mut() else {
            return Err(StoreError::Config {
                store: STORE,
                reason: "no connection".to_owned(),
            });
        };
        f(conn).map_err(|e| {
            let e = classify(e);
            if e.is_unavailable() {
                self.conn = None;
            }
            e
        })
    }
}

fn prepare(mut client: Client) -> Result<Conn, StoreError> {
    let mut p = |sql: &str| client.prepare(sql).map_err(classify);
    let insert = p(
        "INSERT INTO otpkit_devices (id, params, secret, state, version)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO NOTHING",
    )?;
    let load = p("SELECT params, secret, state, version FROM otpkit_devices WHERE id = $1")?;
    let cas = p("UPDATE otpkit_devices SET state = $1, version = $2
                 WHERE id = $3 AND version = $4 AND state = $5")?;
    let replace_secret = p("UPDATE otpkit_devices SET secret = $1, version = $2
                            WHERE id = $3 AND version = $4 AND secret = $5")?;
    let remove = p("DELETE FROM otpkit_devices WHERE id = $1")?;
    Ok(Conn {
        client,
        insert,
        load,
        cas,
        replace_secret,
        remove,
    })
}

/// Runs the migrations not yet applied, in one transaction under an advisory lock
/// (so servers starting together do not both run them).
fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let mut tx = client.transaction().map_err(classify)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(classify)?;
    crate::migrate::migrate(STORE, MIGRATIONS, &mut Schema(&mut tx))?;
    tx.commit().map_err(classify)
}

/// The `otpkit_schema` table, in the migration's transaction.
struct Schema<'t, 'c>(&'t mut postgres::Transaction<'c>);

impl crate::migrate::Schema for Schema<'_, '_> {
    fn version(&mut self) -> Result<i64, StoreError> {
        self.0
            .batch_execute("CREATE TABLE IF NOT EXISTS otpkit_schema (version INTEGER NOT NULL)")
            .map_err(classify)?;
        let found: Option<i32> = self
            .0
            .query_one("SELECT max(version) FROM otpkit_schema", &[])
            .map_err(classify)?
            .try_get(0)
            .map_err(classify)?;
        Ok(found.map_or(0, i64::from))
    }

    fn apply(&mut self, version: i64, step: &str) -> Result<(), StoreError> {
        self.0.batch_execute(step).map_err(classify)?;
        let version = i32::try_from(version).map_err(|_| StoreError::Config {
            store: STORE,
            reason: format!("schema version {version} does not fit the version column"),
        })?;
        self.0
            .execute(
                "INSERT INTO otpkit_schema (version) VALUES ($1)",
                &[&version],
            )
            .map_err(classify)?;
        Ok(())
    }
}

impl DeviceStore for PostgresStore {
    fn insert(&self, row: &DeviceRow) -> Result<bool, StoreError> {
        let (row, version) = (row.clone(), RowVersion::fresh(STORE)?);
        self.write(move |c| {
            c.client.execute(
                &c.insert,
                &[
                    &row.id,
                    &row.params,
                    &row.secret,
                    &row.state,
                    &version.as_str(),
                ],
            )
        })
        .map(|n| n == 1)
    }

    fn load(&self, id: &str) -> Result<Option<LoadedRow>, StoreError> {
        let id = id.to_owned();
        self.run(move |w| {
            w.read(|c| c.client.query_opt(&c.load, &[&id]))?
                .map(|r| {
                    Ok(LoadedRow {
                        row: DeviceRow {
                            id: id.clone(),
                            params: r.try_get(0)?,
                            secret: r.try_get(1)?,
                            state: r.try_get(2)?,
                        },
                        version: RowVersion::from_stored(r.try_get(3)?),
                    })
                })
                .transpose()
                .map_err(classify)
        })
    }

    fn compare_and_swap(&self, read: &LoadedRow, new_state: &str) -> Result<bool, StoreError> {
        let (read, new, next) = (
            read.clone(),
            new_state.to_owned(),
            RowVersion::fresh(STORE)?,
        );
        self.write(move |c| {
            c.client.execute(
                &c.cas,
                &[
                    &new,
                    &next.as_str(),
                    &read.row.id,
                    &read.version.as_str(),
                    &read.row.state,
                ],
            )
        })
        .map(|n| n == 1)
    }

    fn replace_secret(&self, read: &LoadedRow, new_secret: &str) -> Result<bool, StoreError> {
        let (read, new, next) = (
            read.clone(),
            new_secret.to_owned(),
            RowVersion::fresh(STORE)?,
        );
        self.write(move |c| {
            c.client.execute(
                &c.replace_secret,
                &[
                    &new,
                    &next.as_str(),
                    &read.row.id,
                    &read.version.as_str(),
                    &read.row.secret,
                ],
            )
        })
        .map(|n| n == 1)
    }

    fn remove(&self, id: &str) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.write(move |c| c.client.execute(&c.remove, &[&id]))
            .map(|n| n == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `scripts/services.sh`'s server, or `None` (the test skipped, and says so)
    /// outside CI.
    fn url() -> Option<String> {
        match std::env::var("OTPKIT_TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => Some(url),
            _ if std::env::var_os("CI").is_some() => {
                panic!("OTPKIT_TEST_POSTGRES_URL is not set but CI is")
            }
            _ => {
                eprintln!("SKIP: OTPKIT_TEST_POSTGRES_URL is not set");
                None
            }
        }
    }

    /// A round trip to the server; the thread that made it.
    fn ping(w: &mut Worker) -> Result<thread::ThreadId, StoreError> {
        let one: i32 = w.with(|c| c.client.query_one("SELECT 1", &[])?.try_get(0))?;
        assert_eq!(one, 1);
        Ok(thread::current().id())
    }

    #[test]
    fn an_operation_runs_on_the_calling_thread_unless_it_is_in_a_tokio_runtime() {
        let Some(url) = url() else {
            return;
        };
        let store = Arc::new(PostgresStore::connect(&url).unwrap());
        // A plain thread: no hand-off.
        assert_eq!(store.run(ping).unwrap(), thread::current().id());
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .unwrap();
        // A runtime's thread, where the client's own runtime cannot block: the
        // connection thread.
        let (caller, ran_on) = rt.block_on(async { (thread::current().id(), store.run(ping)) });
        assert_ne!(ran_on.unwrap(), caller);
        // A `spawn_blocking` thread has the runtime's context too: handed off.
        let s = store.clone();
        let handle = rt.spawn_blocking(move || (thread::current().id(), s.run(ping)));
        let (caller, ran_on) = rt.block_on(handle).unwrap();
        assert_ne!(ran_on.unwrap(), caller);
        // And on a plain thread again, the same connection.
        assert_eq!(store.run(ping).unwrap(), thread::current().id());
        // Dropped on a runtime's thread: the connection thread closes it.
        rt.block_on(async move { drop(store) });
    }
}
