//! Duo Mobile's account list JSON (third-party OTP accounts).
//!
//! Read from the layout Aegis's Duo importer and its test file show: a JSON array
//! of accounts, each with `name` and `otpGenerator: {"otpSecret": BASE32,
//! "counter"?}`. An account with a `counter` is HOTP, one without is TOTP; Duo has
//! only SHA-1, 6 digits and 30 s, and stores no issuer. Accounts whose
//! `accountType` is not `OtpAccount` (Duo Push accounts) are reported as unsupported.
//! At most [`crate::MAX_ENTRIES`] accounts are read.

use otpkit::otpauth::{Account, Kind};
use otpkit::{Algorithm, Digits, Period};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::json::{self, Num, SecretText};
use crate::secret::secret_from_base32_lenient;
use crate::{EntryError, EntryWarning, Format, Import, ImportError, clip};

const F: Format = Format::Duo;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    account_type: Option<String>,
    name: Option<String>,
    otp_generator: Option<Generator>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Generator {
    otp_secret: Option<SecretText>,
    counter: Option<Num>,
}

pub(crate) fn import(data: &[u8]) -> Result<Import, ImportError> {
    let accounts: Vec<&RawValue> = serde_json::from_slice(data)
        .map_err(|e| ImportError::json(F, "expected a Duo Mobile JSON array of accounts", &e))?;
    let mut out = Import::new();
    for raw in json::entries(&accounts)? {
        let (label, result) = match json::entry::<Entry>(raw) {
            Ok(e) => (e.name.clone().unwrap_or_default(), read(&e)),
            Err(e) => (String::new(), Err(e)),
        };
        out.push(label, result)?;
    }
    Ok(out)
}

fn read(e: &Entry) -> Result<(Account, Vec<EntryWarning>), EntryError> {
    if let Some(t) = e.account_type.as_deref().filter(|t| *t != "OtpAccount") {
        return Err(EntryError::UnsupportedType(clip(t)));
    }
    let generator = e
        .otp_generator
        .as_ref()
        .ok_or(EntryError::MissingField("otpGenerator"))?;
    let text = generator
        .otp_secret
        .as_ref()
        .ok_or(EntryError::MissingField("otpSecret"))?;
    let read = secret_from_base32_lenient(&text.0).map_err(EntryError::Secret)?;
    let mut warnings = read.warnings;
    let kind = match generator.counter {
        Some(c) => Kind::Hotp {
            counter: json::counter(Some(c.0), "counter", &mut warnings)?,
        },
        None => Kind::Totp {
            period: Period::DEFAULT,
        },
    };
    let account = json::account(
        None,
        e.name.as_deref().unwrap_or(""),
        read.secret,
        Algorithm::Sha1,
        Digits::SIX,
        kind,
    );
    Ok((account, warnings))
}
