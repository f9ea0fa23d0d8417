//! FIDO Alliance Credential Exchange Format (CXF) 1.0: the JSON document password
//! managers exchange credentials in, read for its TOTP credentials.
//!
//! Read from the FIDO Alliance's CXF specification (v1.0 review draft of March 2025
//! and the 1.0 data model as the `credential-exchange-format` crate and Apple's
//! `ASImportableCredential.TOTP` document it). The document is a header
//! `{"version": {"major": 1, "minor": …}, "exporterRpId", "exporterDisplayName",
//! "timestamp", "accounts": [...]}`; each account has `items`, each item a `title`
//! and `credentials`, each credential a `type`. A `"totp"` credential has `secret`
//! (Base32), `period` (seconds), `digits`, `algorithm` (`"sha1"`, `"sha256"`,
//! `"sha512"`), and optionally `username` and `issuer`.
//!
//! Mapping: every `"totp"` credential is one entry (credentials of other types —
//! passwords, passkeys, notes — are not OTP entries and are not reported), in
//! document order across accounts and items. Its `issuer` is the issuer, its
//! `username` the name; a credential without an `issuer` takes its item's `title`
//! (the name the user gave the entry). The specification has importers ignore a TOTP
//! credential whose algorithm they do not know: such an entry is not imported and
//! reports [`EntryError::UnsupportedAlgorithm`] with the name. A period or digit
//! count out of otpkit's range (digits 6 to 10, period above 0) is refused per entry;
//! a missing `period`, `digits` or `algorithm` is defaulted to 30, 6 and SHA-1 (the
//! specification's defaults) with an [`EntryWarning::Defaulted`]. Only major version
//! 1 is read ([`ImportError::UnsupportedVersion`] otherwise). CXF has no HOTP and no
//! Steam credential.
//!
//! Bounds: the input is at most [`crate::MAX_INPUT_LEN`] and is parsed once
//! (`serde_json`'s recursion limit of 128 bounds the nesting); every array of
//! accounts, items or credentials is at most [`crate::MAX_ENTRIES`] long and so is
//! the number of TOTP entries ([`ImportError::TooManyEntries`] otherwise). Memory is
//! linear in the input: the arrays are kept as borrowed slices of it.

use otpkit::Algorithm;
use otpkit::otpauth::{Account, Kind};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::json::{self, Num, SecretText};
use crate::secret::{secret_from_base32_lenient, wiped_vec};
use crate::{EntryError, EntryWarning, Format, Import, ImportError, clip, label_of};

const F: Format = Format::Cxf;

/// The `type` of a TOTP credential.
pub(crate) const TOTP_TYPE: &str = "totp";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Header<'a> {
    #[serde(borrow)]
    version: &'a RawValue,
    #[serde(borrow)]
    accounts: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct Version {
    major: Num,
}

#[derive(Deserialize)]
struct CxfAccount<'a> {
    #[serde(default, borrow)]
    items: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct Item<'a> {
    title: Option<String>,
    #[serde(default, borrow)]
    credentials: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct Tagged {
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct Totp {
    secret: Option<SecretText>,
    period: Option<Num>,
    digits: Option<Num>,
    username: Option<String>,
    algorithm: Option<String>,
    issuer: Option<String>,
}

/// Whether a value is a JSON object: serde's derived structs would also take an
/// array of their fields in order, which CXF never writes.
fn is_object(raw: &RawValue) -> bool {
    raw.get().trim_start().starts_with('{')
}

/// `T` from a JSON object, the entry's error otherwise.
fn object<'a, T: Deserialize<'a>>(raw: &'a RawValue) -> Result<T, EntryError> {
    if !is_object(raw) {
        return Err(EntryError::Malformed { line: 1, column: 1 });
    }
    json::entry(raw)
}

pub(crate) fn import(data: &[u8]) -> Result<Import, ImportError> {
    let not_header =
        || ImportError::malformed(F, "expected a CXF header object with version and accounts");
    let header: &RawValue = serde_json::from_slice(data).map_err(|e| {
        ImportError::json(
            F,
            "expected a CXF header object with version and accounts",
            &e,
        )
    })?;
    if !is_object(header) {
        return Err(not_header());
    }
    let header: Header = serde_json::from_str(header.get()).map_err(|e| {
        ImportError::json(
            F,
            "expected a CXF header object with version and accounts",
            &e,
        )
    })?;
    if !is_object(header.version) {
        return Err(not_header());
    }
    let version: Version = serde_json::from_str(header.version.get())
        .map_err(|e| ImportError::json(F, "expected a CXF version object", &e))?;
    if version.major.0 != 1 {
        return Err(ImportError::UnsupportedVersion {
            format: F,
            version: version.major.0,
        });
    }
    let mut out = Import::new();
    for raw_account in json::entries(&header.accounts)? {
        if !is_object(raw_account) {
            return Err(ImportError::malformed(
                F,
                "expected each account to be an object with items",
            ));
        }
        let account: CxfAccount = serde_json::from_str(raw_account.get()).map_err(|e| {
            ImportError::json(F, "expected each account to be an object with items", &e)
        })?;
        for raw_item in json::entries(&account.items)? {
            let item: Item = match object(raw_item) {
                Ok(item) => item,
                // An item that is not an object with a credentials array: whether
                // it held a TOTP credential cannot be known, so it is reported.
                Err(e) => {
                    out.push(String::new(), Err(e))?;
                    continue;
                }
            };
            for raw in json::entries(&item.credentials)? {
                let tag: Tagged = match object(raw) {
                    Ok(tag) => tag,
                    Err(e) => {
                        out.push(item.title.clone().unwrap_or_default(), Err(e))?;
                        continue;
                    }
                };
                if tag.kind.as_deref() != Some(TOTP_TYPE) {
                    continue;
                }
                let (label, result) = match json::entry::<Totp>(raw) {
                    Ok(t) => {
                        let issuer = t.issuer.as_deref().or(item.title.as_deref());
                        (
                            label_of(issuer, t.username.as_deref().unwrap_or("")),
                            read(&t, issuer),
                        )
                    }
                    Err(e) => (item.title.clone().unwrap_or_default(), Err(e)),
                };
                out.push(label, result)?;
            }
        }
    }
    Ok(out)
}

fn read(t: &Totp, issuer: Option<&str>) -> Result<(Account, Vec<EntryWarning>), EntryError> {
    let secret = t
        .secret
        .as_ref()
        .ok_or(EntryError::MissingField("secret"))?;
    let algorithm = match t.algorithm.as_deref() {
        None => None,
        Some("sha1") => Some(Algorithm::Sha1),
        Some("sha256") => Some(Algorithm::Sha256),
        Some("sha512") => Some(Algorithm::Sha512),
        // The specification: importers ignore TOTP credentials with an unknown
        // algorithm (its values are lower case; other spellings are unknown too).
        Some(other) => return Err(EntryError::UnsupportedAlgorithm(clip(other))),
    };
    let read = secret_from_base32_lenient(&secret.0).map_err(EntryError::Secret)?;
    let mut warnings = read.warnings;
    let algorithm = algorithm.unwrap_or_else(|| {
        wiped_vec::push(
            &mut warnings,
            EntryWarning::Defaulted { field: "algorithm" },
        );
        Algorithm::Sha1
    });
    let digits = json::digits(t.digits.map(|n| n.0), "digits", &mut warnings)?;
    let period = json::period(t.period.map(|n| n.0), "period", &mut warnings)?;
    Ok((
        json::account(
            issuer,
            t.username.as_deref().unwrap_or(""),
            read.secret,
            algorithm,
            digits,
            Kind::Totp { period },
        ),
        warnings,
    ))
}
