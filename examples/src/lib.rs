//! Runnable otpkit examples, as a library so that their logic is tested and cannot
//! rot, plus two binaries:
//!
//! - `server_flow`: the server side of MFA as AWS IAM does it (create a virtual
//!   device, enable it with two codes, sign in, reject a replay, resynchronise),
//!   on `otpkit-store`: devices in SQLite, the secret sealed with a server key, state
//!   updated by compare-and-swap. Runs start to finish
//!   with a simulated authenticator and clock:
//!   `cargo run -p otpkit-examples --bin server_flow`.
//! - `authenticator`: a terminal authenticator app:
//!   `cargo run -p otpkit-examples --bin authenticator -- --uri 'otpauth://…'`.
// Examples in the docs and READMEs compile without a warning.
#![doc(test(attr(deny(warnings))))]
#![forbid(unsafe_code)]

pub mod authenticator;
pub mod flow;
pub mod server;

/// The repository README's Rust example, compiled and run as a doc test of this
/// (unpublished) crate so it cannot rot; `cargo test -p otpkit-examples --doc`.
/// Its shell blocks marked `sh no-run` (the README's own marker for commands that
/// repeat others, checked by `scripts/fenced-blocks.mjs`) are not Rust attributes.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
#[allow(rustdoc::invalid_codeblock_attributes)]
pub struct ReadmeDoctests;
