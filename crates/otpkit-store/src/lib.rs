//! MFA device stores for otpkit: the read-verify-compare-and-swap loop every
//! server needs, secrets sealed at rest, and adapters for SQLite (embedded, the
//! default), PostgreSQL and Redis.
//!
//! otpkit's [`Verifier`](otpkit::Verifier) is pure: it takes a device's stored
//! state and returns the outcome and the new state. Keeping that correct across
//! requests and servers takes a loop — read the device, verify, store the new
//! state only if nobody changed it meanwhile, otherwise read again — and a place
//! for the secret that is not a column in the clear. This crate is that loop
//! ([`MfaService`]), once, over one small trait ([`DeviceStore`]: load a row,
//! compare-and-swap its state), with the secret sealed by a server key
//! ([`seal`]).
//!
//! ```
//! use otpkit::verifier::{EnrollOutcome, Outcome, Policy};
//! use otpkit::{Algorithm, Digits, Period, Secret, Totp};
//! use otpkit_store::seal::{Keyring, SealingKey};
//! use otpkit_store::{Generator, MfaService, SqliteStore};
//!
//! // The server key comes from a secrets manager; here, a fresh one.
//! let keyring = Keyring::new(SealingKey::generate("2026-11")?);
//! let service = MfaService::new(SqliteStore::in_memory()?, keyring, Policy::default());
//!
//! // The secret is shown (QR code, Base32) and the pending device stored, sealed.
//! let secret = Secret::generate(Algorithm::Sha1)?;
//! service.begin_enrollment("alice", &secret, Generator::default())?;
//!
//! // Two consecutive codes from the phone enrol it.
//! let phone = Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::DEFAULT);
//! let now = 1_800_000_000;
//! let (c1, c2) = (phone.code_at(now - 30)?.to_string(), phone.code_at(now)?.to_string());
//! assert!(service.enroll("alice", &c1, &c2, now)?.outcome.is_enrolled());
//!
//! // Sign-in: accepted once, then a replay, on any number of servers.
//! let code = phone.code_at(now + 30)?.to_string();
//! assert!(service.verify("alice", &code, now + 30)?.outcome.is_accepted());
//! assert_eq!(service.verify("alice", &code, now + 31)?.outcome, Outcome::Replayed);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Stores
//!
//! | feature | store | compare-and-swap |
//! |---|---|---|
//! | `sqlite` (default) | [`SqliteStore`]: one file, several processes | `UPDATE … WHERE id = ? AND state = ?old` |
//! | `postgres` | `PostgresStore`: a shared server | `UPDATE … WHERE id = $1 AND state = $old` (autocommit) |
//! | `redis` | `RedisStore`: a shared server | a Lua script comparing and setting the hash field |
//! | (always) | [`MemoryStore`]: this process only, for tests | under a mutex |
//!
//! Each adapter creates its schema (versioned migrations) when opened. Every
//! adapter passes the same conformance suite (`tests/conformance.rs`) against a
//! real server.
//!
//! ## Why compare-and-swap, and the retry bound
//!
//! Two servers receiving the same code both read state *S*, both compute "accepted,
//! new state *S'*". Only one `UPDATE … WHERE state = S` changes a row; the other
//! reads again, finds *S'*, and now gets [`Outcome::Replayed`](otpkit::verifier::Outcome::Replayed).
//! A wrong code's counted failure is written the same way, so concurrent guesses
//! cannot overwrite each other's counts. A request that loses
//! [`DEFAULT_MAX_ATTEMPTS`] swaps in a row gives up with
//! [`ServiceError::Contention`] instead of spinning.
//!
//! A request that fails with [`StoreError::Unavailable`] (connection lost) may or
//! may not have stored its new state: it was *not* told "accepted", and a retry
//! sees the stored state, so the worst case is a counted failure the user did not
//! see, never a code accepted twice or a failure lost.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
    )
)]

mod generator;
mod memory;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "redis"))]
mod migrate;
pub mod seal;
mod service;
mod store;

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "sqlite")]
mod sqlite;

pub use generator::{Generator, GeneratorError};
pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
#[cfg(feature = "redis")]
pub use redis::RedisStore;
pub use service::{
    Answer, DEFAULT_MAX_ATTEMPTS, MAX_DEVICE_ID_LEN, MfaService, ServiceError, Stats,
};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;
pub use store::{BoxError, DeviceRow, DeviceStore, StoreError};
