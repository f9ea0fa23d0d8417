//! # otpkit
//!
//! One-time passwords for servers and authenticator apps: HOTP (RFC 4226) and TOTP
//! (RFC 6238) with HMAC-SHA1, -SHA256 and -SHA512.
//!
//! A code travels through one file per step:
//!
//! 1. [`secret`] — the shared [`Secret`], from bytes, pasted Base32 or the RNG;
//! 2. `keyed` — the secret absorbed into HMAC's inner and outer state once, when a
//!    [`Hotp`] or [`Totp`] is built, so each code costs two hash compressions;
//! 3. `truncate` — RFC 4226 dynamic truncation to [`Digits`] decimal digits, a [`Code`];
//! 4. [`verify`] — a typed code compared with every step of a [`Window`] in constant
//!    time; the [`Match`] says which step matched.
//!
//! [`Hotp`] and [`Totp`] put those together; `Totp` adds the clock.
//!
//! ```
//! use otpkit::{Algorithm, Digits, Period, Secret, Totp, Window};
//!
//! // Enrolment: the server makes a secret and shows it (as a QR code and as text).
//! let secret = Secret::generate(Algorithm::Sha1)?;
//! println!("Secret key: {}", secret.base32_grouped());
//! let totp = Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::DEFAULT);
//!
//! // The phone computes the code for the current time...
//! let now = 1_700_000_000;
//! let shown = totp.code_at(now)?.to_string();
//!
//! // ...and the server checks what the user typed, allowing one step of drift.
//! let m = totp.verify(&shown, now + 20, Window::default())?;
//! assert!(m.offset == 0 || m.offset == -1);
//! // Store m.step: a code at or before it must never be accepted again.
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Features
//! - `std` (default): [`unix_now`], `Totp::code_now`/`verify_now`; implies `alloc`.
//! - `alloc`: helpers that return `String`s.
//! - `getrandom` (default): [`Secret::generate`] from the OS RNG.
//! - `lanes` (default): window verification computes its candidates together with
//!   the multi-lane SHA-NI kernel of `otpkit-lanes` on x86-64 CPUs that have SHA-NI
//!   (SHA-1, SHA-256); same results as without it. The core itself stays free of
//!   `unsafe`.
//! - `serde`: `Serialize`/`Deserialize` for [`verifier::DeviceState`].
//!
//! With `default-features = false` the crate needs neither `std` nor an allocator:
//! generating and verifying never touch the heap.
#![no_std]
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
        clippy::todo,
        clippy::unimplemented
    )
)]

#[cfg(feature = "alloc")]
extern crate alloc;

mod algorithm;
mod code;
mod digits;
mod hotp;
mod keyed;
#[cfg(feature = "alloc")]
pub mod migration;
#[cfg(feature = "alloc")]
pub mod otpauth;
#[cfg(feature = "alloc")]
pub mod recovery;
pub mod secret;
pub mod steam;
mod totp;
mod truncate;
pub mod verifier;
pub mod verify;

pub use algorithm::{Algorithm, AlgorithmError};
pub use code::{Code, CodeError};
pub use digits::{Digits, DigitsError};
pub use hotp::Hotp;
pub use secret::{Base32, LengthPolicy, MAX_SECRET_LEN, MIN_SECRET_LEN, Secret, SecretError};
#[cfg(feature = "std")]
pub use totp::unix_now;
pub use totp::{Period, TimeError, Totp};
pub use verifier::{DeviceState, Outcome, Verifier};
pub use verify::{Match, VerifyError, Window};

/// The README's example, compiled and run as a doc test so it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
