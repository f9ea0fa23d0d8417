//! What each subcommand does: one file per subcommand, holding its arguments (a clap
//! `Args` struct) and its `run`. `crate::cli` assembles the `Command` enum from these
//! structs and maps each variant to its `run`; nothing here refers back to it.
//!
//! A new subcommand is its file here, a `pub mod` line below, and a variant with its
//! arm in `crate::cli`.

pub mod check;
pub mod code;
mod device;
pub mod devices;
pub mod enroll;
pub mod export;
pub mod import;
pub mod inspect;
pub mod qr;
pub mod recovery;
pub mod resync;
pub mod verify;
