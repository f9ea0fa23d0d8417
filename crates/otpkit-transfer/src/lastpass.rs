//! LastPass Authenticator JSON export (Android and iOS, export versions 1 and 3).
//!
//! Read from the layout of the app's exports as other importers document it
//! (Proton Pass's and Authenticator Pro's LastPass importers and their test files):
//! `{"version", "accounts": [...], "folders": [...]}`. Each account: `issuerName`,
//! `userName` (what the user sees; `originalIssuerName`/`originalUserName` are the
//! names first scanned and are not used), `secret` (Base32, read leniently),
//! `timeStep` (seconds), `digits`, `algorithm` (`SHA1`/`SHA256`/`SHA512`). LastPass
//! has TOTP only. At most [`crate::MAX_ENTRIES`] accounts are read.

use otpkit::otpauth::{Account, Kind};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::json::{self, Num, SecretText};
use crate::secret::secret_from_base32_lenient;
use crate::{EntryError, EntryWarning, Format, Import, ImportError, label_of};

const F: Format = Format::LastPass;

#[derive(Deserialize)]
struct Export<'a> {
    #[serde(borrow)]
    accounts: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    issuer_name: Option<String>,
    user_name: Option<String>,
    secret: Option<SecretText>,
    time_step: Option<Num>,
    digits: Option<Num>,
    algorithm: Option<String>,
}

pub(crate) fn import(data: &[u8]) -> Result<Import, ImportError> {
    let export: Export = serde_json::from_slice(data).map_err(|e| {
        ImportError::json(
            F,
            "expected a LastPass Authenticator export with accounts",
            &e,
        )
    })?;
    let mut out = Import::new();
    for raw in json::entries(&export.accounts)? {
        let (label, result) = match json::entry::<Entry>(raw) {
            Ok(e) => (
                label_of(
                    e.issuer_name.as_deref(),
                    e.user_name.as_deref().unwrap_or(""),
                ),
                read(&e),
            ),
            Err(e) => (String::new(), Err(e)),
        };
        out.push(label, result)?;
    }
    Ok(out)
}

fn read(e: &Entry) -> Result<(Account, Vec<EntryWarning>), EntryError> {
    let text = e
        .secret
        .as_ref()
        .ok_or(EntryError::MissingField("secret"))?;
    let read = secret_from_base32_lenient(&text.0).map_err(EntryError::Secret)?;
    let mut warnings = read.warnings;
    let algorithm = json::algorithm(e.algorithm.as_deref(), "algorithm", &mut warnings)?;
    let digits = json::digits(e.digits.map(|n| n.0), "digits", &mut warnings)?;
    let period = json::period(e.time_step.map(|n| n.0), "timeStep", &mut warnings)?;
    let account = json::account(
        e.issuer_name.as_deref(),
        e.user_name.as_deref().unwrap_or(""),
        read.secret,
        algorithm,
        digits,
        Kind::Totp { period },
    );
    Ok((account, warnings))
}
