//! `otpauth://` URIs: what enrolment QR codes carry.
//!
//! The format is Google's [Key Uri Format]:
//! `otpauth://TYPE/LABEL?secret=…&issuer=…&algorithm=…&digits=…&period=…&counter=…`.
//! [`Account::parse`] reads what real services and apps emit, leniently where they
//! differ harmlessly and with a typed [`UriError`] where the input cannot be trusted;
//! everything it normalised or found doubtful comes back as a [`Warning`] so an app can
//! tell its user. [`Account::to_uri`] writes one canonical form that it (and every
//! authenticator app) reads back to the same values.
//!
//! ```
//! use otpkit::otpauth::{Account, Kind};
//! let parsed = Account::parse(
//!     "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ\
//!      &issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30",
//! )?;
//! let account = &parsed.account;
//! assert_eq!(account.issuer.as_deref(), Some("ACME Co"));
//! assert_eq!(account.name, "john.doe@email.com");
//! assert!(matches!(account.kind, Kind::Totp { .. }));
//! assert!(parsed.warnings.is_empty());
//! assert_eq!(
//!     account.to_uri(),
//!     "otpauth://totp/ACME%20Co:john.doe%40email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co"
//! );
//! let code = account.totp().unwrap().code_at(1_700_000_000)?;
//! # let _ = code;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [Key Uri Format]: https://github.com/google/google-authenticator/wiki/Key-Uri-Format

mod account;
mod build;
mod errors;
mod parse;

pub use account::{Account, Kind, PinRequired};
pub(crate) use account::{Colon, Label};
pub(crate) use build::ENCODE;
pub use errors::{UriError, Warning};
pub use parse::Parsed;
pub(crate) use parse::strip_prefix_ignore_case;

/// The longest `otpauth://` URI [`Account::parse`] reads, in bytes. A QR code holds at
/// most 2953 bytes, and real URIs are a few hundred; the limit keeps hostile input
/// from costing more than that.
pub const MAX_URI_LEN: usize = 4096;

/// The parameter names the codec reads itself; [`Account::extra`] never holds them.
pub(crate) const KNOWN: [&str; 7] = [
    "secret",
    "issuer",
    "algorithm",
    "digits",
    "period",
    "counter",
    "encoder",
];
