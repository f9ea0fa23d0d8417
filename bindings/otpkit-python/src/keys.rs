//! What a key goes through in this crate's Rust code, free of Python types: reading a
//! key from text or bytes, writing it as Base32 or in a URI, reading `otpauth://` and
//! `steam://` URIs, and handing an import's accounts over. The Python-facing functions
//! convert their arguments, call these, and make a Python `str` straight from the
//! wiped buffer these return (never from a `String` freed as it is). Kept apart so a
//! Rust test measures it without an interpreter (`tests/freed_memory.rs`).

use core::fmt::{self, Write as _};

use otpkit::otpauth::{Account, Kind, UriError, Warning};
use otpkit::steam::SteamUriError;
use otpkit::{Algorithm, Digits, LengthPolicy, Secret, SecretError};
use zeroize::Zeroizing;

/// A key from Base32 as people paste it (any case, spaces, hyphens, padding). Short
/// (80-bit) keys are accepted, as pyotp and the authenticator apps do.
pub(crate) fn secret_from_text(text: &str) -> Result<Secret, SecretError> {
    Secret::from_base32_with(text, LengthPolicy::AllowShort)
}

/// A key from its raw bytes; short keys are accepted.
pub(crate) fn secret_from_bytes(bytes: &[u8]) -> Result<Secret, SecretError> {
    Secret::from_bytes_with(bytes, LengthPolicy::AllowShort)
}

/// The canonical Base32 of `secret`, in a buffer wiped on drop.
pub(crate) fn base32(secret: &Secret) -> Zeroizing<String> {
    written(symbols(secret), |text| write!(text, "{}", secret.base32()))
}

/// The Base32 of `secret` in groups of four, in a buffer wiped on drop.
pub(crate) fn base32_grouped(secret: &Secret) -> Zeroizing<String> {
    let symbols = symbols(secret);
    written(symbols.saturating_add(symbols / 4), |text| {
        write!(text, "{}", secret.base32_grouped())
    })
}

/// A new random key of `bytes` bytes, as Base32 in a buffer wiped on drop.
pub(crate) fn random_base32(bytes: usize) -> Result<Zeroizing<String>, SecretError> {
    Ok(base32(&Secret::generate_len(bytes)?))
}

/// The `otpauth://` URI of `account`, in a buffer wiped on drop.
pub(crate) fn uri(account: &Account) -> Zeroizing<String> {
    Zeroizing::new(account.to_uri())
}

/// The `otpauth://` URI of a generator, for an authenticator app's QR code (an empty
/// issuer is none), in a buffer wiped on drop.
pub(crate) fn generator_uri(
    secret: &Secret,
    (algorithm, digits, kind): (Algorithm, Digits, Kind),
    name: &str,
    issuer: Option<&str>,
) -> Zeroizing<String> {
    uri(&Account {
        issuer: issuer.filter(|i| !i.is_empty()).map(str::to_owned),
        name: name.to_owned(),
        secret: secret.clone(),
        algorithm,
        digits,
        kind,
        extra: Vec::new(),
    })
}

/// Why [`parse_uri`] refused a URI.
#[derive(Debug)]
pub(crate) enum ParseError {
    /// A `steam://` URI that could not be read.
    Steam(SteamUriError),
    /// An `otpauth://` URI (or anything else) that could not be read.
    Uri(UriError),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Steam(e) => fmt::Display::fmt(e, f),
            ParseError::Uri(e) => fmt::Display::fmt(e, f),
        }
    }
}

/// An `otpauth://` URI (or `steam://SECRET`, a Steam account with issuer `Steam`),
/// read leniently as the apps do, with what was normalised or doubtful.
pub(crate) fn parse_uri(uri: &str) -> Result<(Account, Vec<Warning>), ParseError> {
    if uri
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case("steam://"))
    {
        let secret = otpkit::steam::parse_steam_uri(uri).map_err(ParseError::Steam)?;
        let account = Account {
            issuer: Some("Steam".to_owned()),
            name: String::new(),
            secret,
            algorithm: Algorithm::Sha1,
            digits: Digits::default(),
            kind: Kind::Steam,
            extra: Vec::new(),
        };
        return Ok((account, Vec::new()));
    }
    let parsed = Account::parse(uri).map_err(ParseError::Uri)?;
    Ok((parsed.account, parsed.warnings))
}

/// `make` applied to a copy of each account, in order. The accounts stay where they
/// are (to be wiped in place when dropped): moving them out of their vector would
/// leave their keys in its freed buffer.
pub(crate) fn each_account<T>(accounts: &[Account], make: impl FnMut(Account) -> T) -> Vec<T> {
    let mut out = Vec::with_capacity(accounts.len());
    out.extend(accounts.iter().cloned().map(make));
    out
}

/// How many Base32 symbols `secret` has.
fn symbols(secret: &Secret) -> usize {
    secret.len().saturating_mul(8).div_ceil(5)
}

/// A buffer of `capacity` bytes, reserved up front so that `write` never makes it
/// grow (a grown buffer leaves the part written so far in the freed one).
fn written(capacity: usize, write: impl FnOnce(&mut String) -> fmt::Result) -> Zeroizing<String> {
    let mut text = Zeroizing::new(String::with_capacity(capacity));
    // Writing to a String cannot fail.
    let _ = write(&mut text);
    text
}
