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

/// Migrations run once per database, and a database from a newer program (a
/// higher schema version) is refused, not misread. A database of its own, so the
/// other tests' shared one is not touched.
#[cfg(feature = "postgres")]
#[test]
fn postgres_migrations_run_once_and_a_newer_schema_is_refused() {
    use otpkit_store::{PostgresStore, StoreError};
    let Some(url) = common::server_url("OTPKIT_TEST_POSTGRES_URL", "PostgreSQL") else {
        return;
    };
    let db = common::run_prefix("migrate").replace('-', "_");
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .unwrap();
    let (base, _) = url.rsplit_once('/').unwrap();
    let db_url = format!("{base}/{db}");
    drop(PostgresStore::connect(&db_url).unwrap());
    drop(PostgresStore::connect(&db_url).unwrap());
    let mut conn = postgres::Client::connect(&db_url, postgres::NoTls).unwrap();
    let versions: Vec<i32> = conn
        .query("SELECT version FROM otpkit_schema", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(versions, [1, 2]);
    conn.execute("INSERT INTO otpkit_schema (version) VALUES (99)", &[])
        .unwrap();
    drop(conn);
    let err = PostgresStore::connect(&db_url).unwrap_err();
    assert!(matches!(err, StoreError::Config { .. }), "{err}");
    assert!(err.to_string().contains("schema version 99"), "{err}");
    admin.batch_execute(&format!("DROP DATABASE {db}")).unwrap();
}

/// The same for Redis's layout version, under a prefix of its own.
#[cfg(feature = "redis")]
#[test]
fn redis_migrations_run_once_and_a_newer_layout_is_refused() {
    use otpkit_store::{RedisStore, StoreError};
    let Some(url) = common::server_url("OTPKIT_TEST_REDIS_URL", "Redis") else {
        return;
    };
    let prefix = format!("{}:", common::run_prefix("migrate"));
    let key = format!("{prefix}schema");
    let mut conn = redis::Client::open(url.as_str())
        .unwrap()
        .get_connection()
        .unwrap();
    let get = |c: &mut redis::Connection| -> Option<i64> {
        redis::cmd("GET").arg(&key).query(c).unwrap()
    };
    assert_eq!(get(&mut conn), None);
    drop(RedisStore::connect_with_prefix(&url, &prefix).unwrap());
    assert_eq!(get(&mut conn), Some(2));
    drop(RedisStore::connect_with_prefix(&url, &prefix).unwrap());
    assert_eq!(get(&mut conn), Some(2));
    redis::cmd("SET").arg(&key).arg(99).exec(&mut conn).unwrap();
    let err = RedisStore::connect_with_prefix(&url, &prefix).unwrap_err();
    assert!(matches!(err, StoreError::Config { .. }), "{err}");
    assert!(err.to_string().contains("schema version 99"), "{err}");
    redis::cmd("DEL").arg(&key).exec(&mut conn).unwrap();
}

/// A database as schema version 1 made it (its DDL below) is upgraded: every row
/// gets a version of its own, so does a row a server of schema 1 still running
/// inserts afterwards (the column's default), and the swaps work on them.
#[cfg(feature = "postgres")]
#[test]
fn postgres_database_of_schema_1_is_upgraded_and_its_rows_get_versions() {
    use otpkit_store::{DeviceStore as _, PostgresStore};
    let Some(url) = common::server_url("OTPKIT_TEST_POSTGRES_URL", "PostgreSQL") else {
        return;
    };
    let db = common::run_prefix("upgrade").replace('-', "_");
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .unwrap();
    let (base, _) = url.rsplit_once('/').unwrap();
    let db_url = format!("{base}/{db}");
    let mut conn = postgres::Client::connect(&db_url, postgres::NoTls).unwrap();
    conn.batch_execute(
        "CREATE TABLE otpkit_schema (version INTEGER NOT NULL);
         INSERT INTO otpkit_schema (version) VALUES (1);
         CREATE TABLE otpkit_devices (
             id     TEXT PRIMARY KEY NOT NULL,
             params TEXT NOT NULL,
             secret TEXT NOT NULL,
             state  TEXT NOT NULL
         );
         INSERT INTO otpkit_devices (id, params, secret, state)
             VALUES ('a', 'totp.SHA1.6.30', 'otps1.k.AAAA', 'sa'),
                    ('b', 'hotp.SHA1.6', 'otps1.k.BBBB', 'sb');",
    )
    .unwrap();
    let store = PostgresStore::connect(&db_url).unwrap();
    let versions: Vec<i32> = conn
        .query("SELECT version FROM otpkit_schema ORDER BY version", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(versions, [1, 2]);
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
    // A server of schema 1 removes "a" and inserts it again, without a version.
    conn.batch_execute(
        "DELETE FROM otpkit_devices WHERE id = 'a';
         INSERT INTO otpkit_devices (id, params, secret, state)
             VALUES ('a', 'totp.SHA1.6.30', 'otps1.k.AAAA', 'sa');",
    )
    .unwrap();
    assert!(!store.compare_and_swap(&a, "sa2").unwrap());
    let again = store.load("a").unwrap().unwrap();
    assert_ne!(again.version, a.version);
    assert!(store.compare_and_swap(&again, "sa2").unwrap());
    assert!(store.replace_secret(&b, "otps1.k.CCCC").unwrap());
    assert_eq!(store.load("b").unwrap().unwrap().row.secret, "otps1.k.CCCC");
    drop((store, conn));
    admin
        .batch_execute(&format!("DROP DATABASE {db} WITH (FORCE)"))
        .unwrap();
}

/// The same for Redis: hashes of layout version 1 (no `version` field) get one
/// from the first load, and so does a hash a server of layout 1 still running
/// writes afterwards.
#[cfg(feature = "redis")]
#[test]
fn redis_layout_1_is_upgraded_and_its_hashes_get_versions() {
    use otpkit_store::{DeviceStore as _, RedisStore};
    let Some(url) = common::server_url("OTPKIT_TEST_REDIS_URL", "Redis") else {
        return;
    };
    let prefix = format!("{}:", common::run_prefix("upgrade"));
    let (schema, device) = (format!("{prefix}schema"), format!("{prefix}device:a"));
    let mut conn = redis::Client::open(url.as_str())
        .unwrap()
        .get_connection()
        .unwrap();
    let write_layout_1 = |c: &mut redis::Connection| {
        redis::cmd("HSET")
            .arg(&device)
            .arg("params")
            .arg("totp.SHA1.6.30")
            .arg("secret")
            .arg("otps1.k.AAAA")
            .arg("state")
            .arg("sa")
            .exec(c)
            .unwrap();
    };
    redis::cmd("SET")
        .arg(&schema)
        .arg(1)
        .exec(&mut conn)
        .unwrap();
    write_layout_1(&mut conn);
    let store = RedisStore::connect_with_prefix(&url, &prefix).unwrap();
    let layout: i64 = redis::cmd("GET").arg(&schema).query(&mut conn).unwrap();
    assert_eq!(layout, 2);
    let a = store.load("a").unwrap().unwrap();
    assert_eq!(
        (
            a.row.params.as_str(),
            a.row.secret.as_str(),
            a.row.state.as_str()
        ),
        ("totp.SHA1.6.30", "otps1.k.AAAA", "sa")
    );
    assert_eq!(a.version.as_str().len(), 32, "{}", a.version);
    // Given once: a second load reads the same version.
    assert_eq!(store.load("a").unwrap().unwrap(), a);
    let stored: String = redis::cmd("HGET")
        .arg(&device)
        .arg("version")
        .query(&mut conn)
        .unwrap();
    assert_eq!(stored, a.version.as_str());
    // A server of layout 1 removes the device and writes it again, without a version.
    redis::cmd("DEL").arg(&device).exec(&mut conn).unwrap();
    write_layout_1(&mut conn);
    assert!(!store.compare_and_swap(&a, "sa2").unwrap());
    assert!(!store.replace_secret(&a, "otps1.k.BBBB").unwrap());
    let again = store.load("a").unwrap().unwrap();
    assert_ne!(again.version, a.version);
    assert!(store.compare_and_swap(&again, "sa2").unwrap());
    assert_eq!(store.load("a").unwrap().unwrap().row.state, "sa2");
    redis::cmd("DEL")
        .arg(&device)
        .arg(&schema)
        .exec(&mut conn)
        .unwrap();
}
