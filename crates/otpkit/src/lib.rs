#![doc = include_str!("../README.md")]
// Examples in the docs and READMEs compile without a warning.
#![doc(test(attr(deny(warnings))))]
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(unused_must_use)]
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

#[cfg(feature = "alloc")]
extern crate alloc;

mod algorithm;
mod code;
mod digits;
mod error_code;
mod generator;
mod hotp;
mod keyed;
#[cfg(feature = "alloc")]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
pub mod migration;
pub mod motp;
#[cfg(feature = "alloc")]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
pub mod otpauth;
mod pin;
#[cfg(feature = "alloc")]
pub mod recovery;
pub mod secret;
mod sentences;
mod state_text;
pub mod steam;
mod totp;
mod truncate;
pub mod verifier;
pub mod verify;
pub mod yandex;

pub use algorithm::{Algorithm, AlgorithmError};
pub use code::{Code, CodeError, CodeText};
pub use digits::{Digits, DigitsError};
pub use error_code::ErrorCode;
pub use generator::{GeneratedCode, Generator};
pub use hotp::Hotp;
pub use pin::{MAX_PIN_LEN, Pin, PinError};
pub use secret::{Base32, LengthPolicy, MAX_SECRET_LEN, MIN_SECRET_LEN, Secret, SecretError};
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub use totp::unix_now;
pub use totp::{Period, TimeError, Totp};
// What a server needs for the enrol / sign-in / resync flow, beside the generators.
#[cfg(feature = "alloc")]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
pub use otpauth::{Account, Kind};
pub use verifier::{
    DeviceState, EnrollOutcome, Outcome, Policy, ResyncOutcome, SignInError, Verifier,
};
pub use verify::{Match, VerifyError, Window, WindowError};
