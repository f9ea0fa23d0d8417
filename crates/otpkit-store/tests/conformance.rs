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

#[cfg(feature = "postgres")]
#[test]
fn postgres_store_conforms() {
    let Some(url) = common::server_url("OTPKIT_TEST_POSTGRES_URL", "PostgreSQL") else {
        return;
    };
    common::suite("postgres", || {
        otpkit_store::PostgresStore::connect(&url).unwrap()
    });
}

#[cfg(feature = "redis")]
#[test]
fn redis_store_conforms() {
    let Some(url) = common::server_url("OTPKIT_TEST_REDIS_URL", "Redis") else {
        return;
    };
    common::suite("redis", || otpkit_store::RedisStore::connect(&url).unwrap());
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_bad_url_and_unreachable_server_are_typed_errors() {
    use otpkit_store::{PostgresStore, StoreError};
    let err = PostgresStore::connect("postgres://u:hunter2@127.0.0.1:bad/db").unwrap_err();
    assert!(matches!(err, StoreError::Config { .. }), "{err}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    // Port 9 (discard) on loopback: nothing listens.
    let err = PostgresStore::connect("postgres://u:hunter2@127.0.0.1:9/db").unwrap_err();
    assert!(err.is_unavailable(), "{err}");
    assert!(!format!("{err} {err:?}").contains("hunter2"), "{err:?}");
}

#[cfg(feature = "redis")]
#[test]
fn redis_bad_url_and_unreachable_server_are_typed_errors() {
    use otpkit_store::{RedisStore, StoreError};
    let err = RedisStore::connect("http://127.0.0.1/").unwrap_err();
    assert!(matches!(err, StoreError::Config { .. }), "{err}");
    let err = RedisStore::connect("redis://:hunter2@127.0.0.1:9/").unwrap_err();
    assert!(err.is_unavailable(), "{err}");
    assert!(!format!("{err} {err:?}").contains("hunter2"), "{err:?}");
}

/// An async server shares one service between tasks (`Arc<MfaService<_>>` moved
/// into `spawn_blocking`): every store's service must be `Send + Sync + 'static`.
/// (A compile-time check: this file does not build otherwise.)
#[test]
fn services_can_be_shared_by_threads_and_tasks() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<otpkit_store::MfaService<MemoryStore>>();
    shareable::<otpkit_store::MfaService<Box<dyn otpkit_store::DeviceStore + Send + Sync>>>();
    #[cfg(feature = "sqlite")]
    shareable::<otpkit_store::MfaService<otpkit_store::SqliteStore>>();
    #[cfg(feature = "postgres")]
    shareable::<otpkit_store::MfaService<otpkit_store::PostgresStore>>();
    #[cfg(feature = "redis")]
    shareable::<otpkit_store::MfaService<otpkit_store::RedisStore>>();
}
