//! What a key goes through in this crate's Rust code, free of Python types: writing it
//! as Base32 or in a URI, reading `otpauth://` and `steam://` URIs, and imports and
//! exports through the facade, whose account records hold the secret as Base32 in a
//! plain `String` (wiped here, [`Wiped`], once read). The Python-facing functions
//! convert their arguments, call these, and make a Python `str` straight from the
//! wiped buffer these return (never from a `String` freed as it is). Kept apart so a
//! Rust test measures it without an interpreter (`tests/freed_memory.rs`).

use core::fmt::{self, Write as _};

use otpkit::otpauth::{Account, Kind};
use otpkit::{Algorithm, Digits, Secret, SecretError};
use otpkit_facade::records::{AccountRecord, ImportRecord, WarningRecord};
use otpkit_facade::{FacadeError, accounts, transfer};
use zeroize::{Zeroize as _, Zeroizing};

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
        pin: None,
        extra: Vec::new(),
    })
}

/// An `otpauth://` URI (or `steam://SECRET`, a Steam account with issuer `Steam`),
/// read leniently as the apps do by the facade, with what was normalised or doubtful.
pub(crate) fn parse_uri(uri: &str) -> Result<(Account, Vec<WarningRecord>), FacadeError> {
    if uri
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case("steam://"))
    {
        let account = Account {
            issuer: Some("Steam".to_owned()),
            name: String::new(),
            secret: accounts::parse_steam_uri(uri)?,
            algorithm: Algorithm::Sha1,
            digits: Digits::default(),
            kind: Kind::Steam,
            pin: None,
            extra: Vec::new(),
        };
        return Ok((account, Vec::new()));
    }
    let mut parsed = accounts::parse_otpauth_uri(uri)?;
    let account = parsed.account.to_core();
    parsed.account.secret.zeroize();
    Ok((account?, parsed.warnings))
}

/// Account records whose secrets (Base32 in plain `String`s) are wiped when dropped.
pub(crate) struct Wiped(pub(crate) Vec<AccountRecord>);

impl Wiped {
    /// The records of core accounts.
    pub(crate) fn of(accounts: &[Account]) -> Self {
        let mut out = Wiped(Vec::with_capacity(accounts.len()));
        for account in accounts {
            out.0.push(AccountRecord::from_core(account));
        }
        out
    }

    /// The core accounts of the records, in order (each secret read by the core).
    pub(crate) fn core(&self) -> Result<Vec<Account>, FacadeError> {
        let mut out = Vec::with_capacity(self.0.len());
        for record in &self.0 {
            out.push(record.to_core()?);
        }
        Ok(out)
    }
}

impl Drop for Wiped {
    fn drop(&mut self) {
        for record in &mut self.0 {
            record.secret.zeroize();
        }
    }
}

/// The core accounts of an import's record (its records wiped) and the record, its
/// accounts taken out.
pub(crate) fn take_accounts(
    mut record: ImportRecord,
) -> Result<(Vec<Account>, ImportRecord), FacadeError> {
    let records = Wiped(core::mem::take(&mut record.accounts));
    Ok((records.core()?, record))
}

/// Accounts written by the facade in `format`: the output texts (wiped on drop) and
/// the notes.
pub(crate) fn export(
    format: &str,
    accounts: &[Account],
    password: Option<&[u8]>,
) -> Result<(Vec<Zeroizing<String>>, Vec<String>), FacadeError> {
    let records = Wiped::of(accounts);
    let exported = transfer::export_accounts(format, &records.0, password)?;
    let mut output = Vec::with_capacity(exported.output.len());
    output.extend(exported.output.into_iter().map(Zeroizing::new));
    Ok((output, exported.notes))
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
