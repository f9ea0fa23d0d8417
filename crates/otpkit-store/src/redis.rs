//! A shared Redis server (the `redis` client).
//!
//! Each device is a hash `PREFIXdevice:ID` with the fields `params`, `secret`,
//! `state` and `version` (the [`RowVersion`]); `PREFIXschema` holds the layout's
//! version: how many of its migrations ran. Neither migration creates anything:
//! 1 is the device hashes, 2 their `version` field, which a hash written without
//! one (before the upgrade, or by a server of layout 1 still running) gets from
//! the first load that reads it. Loading is an `HMGET` of the four fields; a hash
//! found without a version goes through a script that reads the row again and
//! sets a new version only if it still has none, so upgrading never scans the
//! keyspace (and a load of an upgraded hash costs no Lua call):
//!
//! ```lua
#![doc = include_str!("lua/load.lua")]
//! ```
//!
//! ## Compare-and-swap: a Lua script, not `WATCH`/`MULTI`
//!
//! ```lua
#![doc = include_str!("lua/cas.lua")]
//! ```
//!
//! Redis runs a script atomically: no other command runs between its `HGET` and
//! its `HSET`. That is one round trip and no client-side state. `WATCH key; HGET;
//! MULTI; HSET; EXEC` needs four round trips, and the watch lives on the
//! connection: a connection shared or pooled between requests mixes their
//! watches, and an `EXEC` aborted by another writer comes back as a nil reply the
//! client must recognise. The script's answer is simply 1 (swapped) or 0 (the
//! row's version or the field was not the one read), the same contract as the
//! SQL stores.
//!
//! The connection is opened again after it breaks (server restarted), on the next
//! operation. Redis keeps data in memory: run it with persistence (AOF or RDB)
//! when the devices must survive a restart.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use redis::{Client, Connection, ConnectionLike, RedisError, Script};

use crate::store::{DeviceRow, DeviceStore, LoadedRow, RowVersion, StoreError};

const STORE: &str = "redis";
/// The layout's migrations, in order: Lua that [`MIGRATE`] runs atomically,
/// between checking the version and recording the next (`ARGV[2]` is the key
/// prefix). Version 1, the device hashes, needs nothing created; nor does version
/// 2, their `version` field (given by the load script to a hash without one).
const MIGRATIONS: &[&str] = &["", ""];

/// One migration step (in place of `STEP`): run only if the version is still the
/// one before it (another server starting at the same time may have run it),
/// then recorded.
const MIGRATE: &str =
    "if tonumber(redis.call('GET', KEYS[1]) or '0') ~= tonumber(ARGV[1]) - 1 then return 0 end
STEP
redis.call('SET', KEYS[1], ARGV[1])
return 1";
const TIMEOUT: Duration = Duration::from_secs(5);

const INSERT: &str = "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'params', ARGV[1], 'secret', ARGV[2], 'state', ARGV[3],
  'version', ARGV[4])
return 1";

/// A device hash's `params`, `secret`, `state` and `version`, as read.
type Fields = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// A device table in Redis.
///
/// The synchronous `redis` client is a plain socket with no runtime inside: the
/// store can be created, kept and dropped on an async runtime's threads
/// (`tests/async_owner.rs`). Its operations block for a round trip, so async code
/// calls them in `tokio::task::spawn_blocking`.
pub struct RedisStore {
    client: Client,
    conn: Mutex<Option<Connection>>,
    prefix: String,
    insert: Script,
    load: Script,
    cas: Script,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

fn classify(e: RedisError) -> StoreError {
    let lost =
        e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() || e.is_timeout();
    StoreError::from_driver(STORE, lost, e)
}

fn damaged(what: &str) -> StoreError {
    StoreError::Failed {
        store: STORE,
        source: what.into(),
    }
}

impl RedisStore {
    /// Connects to `url` (`redis://[:password@]host:port[/db]`), keys prefixed
    /// `otpkit:`.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with_prefix(url, "otpkit:")
    }

    /// Connects with another key prefix (several deployments in one database).
    pub fn connect_with_prefix(url: &str, prefix: &str) -> Result<Self, StoreError> {
        let client = Client::open(url).map_err(|_| StoreError::Config {
            store: STORE,
            reason: "not a Redis URL".to_owned(),
        })?;
        let store = RedisStore {
            client,
            conn: Mutex::new(None),
            prefix: prefix.to_owned(),
            insert: Script::new(INSERT),
            load: Script::new(include_str!("lua/load.lua")),
            cas: Script::new(include_str!("lua/cas.lua")),
        };
        crate::migrate::migrate(STORE, MIGRATIONS, &mut Schema(&store))?;
        Ok(store)
    }

    fn key(&self, id: &str) -> String {
        format!("{}device:{id}", self.prefix)
    }

    /// [`Self::with`] for an operation that changes nothing: on a broken
    /// connection (the server restarted since it was opened) it is tried once more
    /// on a new one. Writes are not retried here: whether a write on a broken
    /// connection took effect is unknown, and the caller must be told.
    fn read<T>(
        &self,
        f: impl Fn(&mut Connection) -> Result<T, RedisError>,
    ) -> Result<T, StoreError> {
        match self.with(&f) {
            Err(e) if e.is_unavailable() => self.with(&f),
            result => result,
        }
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, RedisError>,
    ) -> Result<T, StoreError> {
        let mut guard = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        if guard.as_ref().is_none_or(|c| !c.is_open()) {
            *guard = None;
            let conn = self
                .client
                .get_connection_with_timeout(TIMEOUT)
                .map_err(classify)?;
            conn.set_read_timeout(Some(TIMEOUT)).map_err(classify)?;
            conn.set_write_timeout(Some(TIMEOUT)).map_err(classify)?;
            *guard = Some(conn);
        }
        let Some(conn) = guard.as_mut() else {
            return Err(damaged("no connection"));
        };
        f(conn).map_err(|e| {
            let e = classify(e);
            if e.is_unavailable() {
                *guard = None;
            }
            e
        })
    }

    /// Sets `field` of the row `read` to `new` (its value when read: `old`), with
    /// a new version, if the row still has `read`'s version and `old`.
    fn swap_field(
        &self,
        read: &LoadedRow,
        field: &str,
        old: &str,
        new: &str,
    ) -> Result<bool, StoreError> {
        let key = self.key(&read.row.id);
        let next = RowVersion::fresh(STORE)?;
        let n: i64 = self.with(|c| {
            self.cas
                .key(&key)
                .arg(field)
                .arg(old)
                .arg(new)
                .arg(read.version.as_str())
                .arg(next.as_str())
                .invoke(c)
        })?;
        Ok(n == 1)
    }
}

/// The `PREFIXschema` key, for one run of the migrations.
struct Schema<'a>(&'a RedisStore);

impl Schema<'_> {
    fn key(&self) -> String {
        format!("{}schema", self.0.prefix)
    }
}

impl crate::migrate::Schema for Schema<'_> {
    fn version(&mut self) -> Result<i64, StoreError> {
        let key = self.key();
        let found: Option<i64> = self.0.read(|c| redis::cmd("GET").arg(&key).query(c))?;
        Ok(found.unwrap_or(0))
    }

    fn apply(&mut self, version: i64, step: &str) -> Result<(), StoreError> {
        let (key, script) = (self.key(), Script::new(&MIGRATE.replace("STEP", step)));
        let _ran: i64 = self
            .0
            .with(|c| script.key(&key).arg(version).arg(&self.0.prefix).invoke(c))?;
        Ok(())
    }
}

impl DeviceStore for RedisStore {
    fn insert(&self, row: &DeviceRow) -> Result<bool, StoreError> {
        let key = self.key(&row.id);
        let version = RowVersion::fresh(STORE)?;
        let n: i64 = self.with(|c| {
            self.insert
                .key(&key)
                .arg(&row.params)
                .arg(&row.secret)
                .arg(&row.state)
                .arg(version.as_str())
                .invoke(c)
        })?;
        Ok(n == 1)
    }

    fn load(&self, id: &str) -> Result<Option<LoadedRow>, StoreError> {
        let key = self.key(id);
        let fields: Fields = self.read(|c| {
            redis::cmd("HMGET")
                .arg(&key)
                .arg(&["params", "secret", "state", "version"])
                .query(c)
        })?;
        let fields = match fields {
            // A hash written without a version (layout 1): the load script gives
            // it one, once (it checks again, atomically), so a retry on a new
            // connection is safe. Every other load is a plain HMGET, which the
            // script would only repeat at the cost of a Lua call and a new token.
            (Some(_), Some(_), Some(_), None) => {
                let fresh = RowVersion::fresh(STORE)?;
                self.read(|c| self.load.key(&key).arg(fresh.as_str()).invoke(c))?
            }
            read => read,
        };
        match fields {
            (None, None, None, None) => Ok(None),
            (Some(params), Some(secret), Some(state), Some(version)) => Ok(Some(LoadedRow {
                row: DeviceRow {
                    id: id.to_owned(),
                    params,
                    secret,
                    state,
                },
                version: RowVersion::from_stored(version),
            })),
            _ => Err(damaged("the device hash is missing a field")),
        }
    }

    fn compare_and_swap(&self, read: &LoadedRow, new_state: &str) -> Result<bool, StoreError> {
        self.swap_field(read, "state", &read.row.state, new_state)
    }

    fn replace_secret(&self, read: &LoadedRow, new_secret: &str) -> Result<bool, StoreError> {
        self.swap_field(read, "secret", &read.row.secret, new_secret)
    }

    fn remove(&self, id: &str) -> Result<bool, StoreError> {
        let key = self.key(id);
        let n: i64 = self.with(|c| redis::cmd("DEL").arg(&key).query(c))?;
        Ok(n == 1)
    }
}
