//! The server stores owned by async code: created, used and dropped on a tokio
//! runtime's own threads (not in `spawn_blocking`), as an async server does when
//! it builds its state in `main` or its last `Arc` goes away in a task. Against
//! real servers (`eval "$(scripts/services.sh start)"`); with `CI` set a missing
//! server URL is a failure.
//!
//! The synchronous `postgres` client runs its own small runtime and blocks on it;
//! on a runtime thread that panicked ("Cannot start a runtime from within a
//! runtime"), on every call and in `Drop`.
#![cfg(any(feature = "postgres", feature = "redis"))]

mod common;

use otpkit_store::{DeviceRow, DeviceStore};

fn row(id: &str) -> DeviceRow {
    DeviceRow {
        id: id.to_owned(),
        params: "totp.SHA1.6.30".to_owned(),
        secret: "otps1.none.AAAA".to_owned(),
        state: "s0".to_owned(),
    }
}

/// Insert, load, swap and remove one device, then drop the store: all on the
/// calling (runtime) thread.
fn exercise(store: impl DeviceStore, prefix: &str) {
    let id = format!("{prefix}-dev");
    assert!(store.insert(&row(&id)).unwrap());
    let read = store.load(&id).unwrap().unwrap();
    assert_eq!(read.row.state, "s0");
    assert!(store.compare_and_swap(&read, "s1").unwrap());
    assert!(!store.compare_and_swap(&read, "s2").unwrap());
    assert!(store.remove(&id).unwrap());
    drop(store);
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "current_thread")]
async fn postgres_store_on_a_current_thread_runtime() {
    let Some(url) = common::server_url("OTPKIT_TEST_POSTGRES_URL", "PostgreSQL") else {
        return;
    };
    let prefix = common::run_prefix("async-ct");
    exercise(otpkit_store::PostgresStore::connect(&url).unwrap(), &prefix);
    // Created and dropped without a single call.
    drop(otpkit_store::PostgresStore::connect(&url).unwrap());
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_store_in_tasks_of_a_multi_thread_runtime() {
    let Some(url) = common::server_url("OTPKIT_TEST_POSTGRES_URL", "PostgreSQL") else {
        return;
    };
    let prefix = common::run_prefix("async-mt");
    // Created on a worker thread, used and dropped in a spawned task.
    let store = otpkit_store::PostgresStore::connect(&url).unwrap();
    tokio::spawn(async move { exercise(store, &prefix) })
        .await
        .unwrap();
}

#[cfg(feature = "redis")]
#[tokio::test(flavor = "current_thread")]
async fn redis_store_on_a_current_thread_runtime() {
    let Some(url) = common::server_url("OTPKIT_TEST_REDIS_URL", "Redis") else {
        return;
    };
    let prefix = common::run_prefix("async-ct");
    exercise(otpkit_store::RedisStore::connect(&url).unwrap(), &prefix);
    drop(otpkit_store::RedisStore::connect(&url).unwrap());
}
