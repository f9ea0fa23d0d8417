#![doc = include_str!("../README.md")]
// Examples in the docs and READMEs compile without a warning.
#![doc(test(attr(deny(warnings))))]
#![cfg_attr(docsrs, feature(doc_cfg))]
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

pub mod audit;
mod clock;
mod memory;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "redis"))]
mod migrate;
mod params;
pub mod remember;
pub mod seal;
mod service;
mod store;
mod user;
mod users;

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "sqlite")]
mod sqlite;

pub use memory::MemoryStore;
pub use params::{AllowedParams, DeviceParams, ParamsError, SteamAccount};
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use postgres::PostgresStore;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use redis::RedisStore;
pub use service::{
    Answer, DEFAULT_MAX_ATTEMPTS, MAX_DEVICE_ID_LEN, MfaService, ServiceError, Stats,
};
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub use sqlite::SqliteStore;
pub use store::{BoxError, DeviceRow, DeviceStore, LoadedRow, RowVersion, StoreError};
pub use user::{MAX_DEVICE_NAME_LEN, MAX_DEVICES_PER_USER};
pub use users::{DeviceChoice, DeviceInfo, Remembered, SignIn, UserStatus};
