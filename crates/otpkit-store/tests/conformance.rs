//! One conformance suite, run against every store: in memory, SQLite, and (with
//! their features and `OTPKIT_TEST_POSTGRES_URL` / `OTPKIT_TEST_REDIS_URL`) real
//! PostgreSQL and Redis servers (`eval "$(scripts/services.sh start)"`).

mod common;

use std::sync::Arc;

use otpkit_store::MemoryStore;

#[test]
fn memory_store_conforms() {
    let store = Arc::new(MemoryStore::new());
    common::suite("memory", || store.clone());
}

#[cfg(feature = "sqlite")]
#[test]
fn sqlite_store_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("devices.sqlite");
    common::suite("sqlite", || otpkit_store::SqliteStore::open(&path).unwrap());
}
