#![doc = include_str!("../README.md")]
// Examples in the docs and READMEs compile without a warning.
#![doc(test(attr(deny(warnings))))]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

pub mod accounts;
pub mod args;
pub mod assembler;
mod error;
pub mod generators;
mod operations;
pub mod portability;
pub mod records;
pub mod server;
pub mod transfer;
#[cfg(feature = "users")]
pub mod users;

pub use error::{Category, FacadeError, OptionName};
pub use operations::{OPERATIONS, Operation};
pub use otpkit::ErrorCode;
pub use otpkit_transfer::WorkBudget;
