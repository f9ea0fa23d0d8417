//! Proton Authenticator JSON export (version 1, unencrypted).
//!
//! Read from the layout of the app's exports as Aegis's and Authenticator Pro's
//! Proton importers and their test files show it: `{"version": 1, "entries": [...]}`;
//! each entry's `content` holds `uri` (an `otpauth://` URI, or `steam://BASE32` for
//! Steam), `entry_type` (`Totp`, `Steam`) and `name` (the name shown, used for a
//! `steam://` entry, which names nothing itself). Other versions are refused with
//! [`ImportError::UnsupportedVersion`]. At most [`crate::MAX_ENTRIES`] entries are
//! read.

use otpkit::otpauth::{Account, Kind};
use otpkit::steam::SteamUriError;
use otpkit::{Algorithm, Digits};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::json::{self, Num, SecretText};
use crate::otpauth_list::parse_uri;
use crate::secret::secret_from_base32_lenient;
use crate::{EntryError, EntryWarning, Format, Import, ImportError, label_of};

const F: Format = Format::ProtonAuthenticator;

#[derive(Deserialize)]
struct Export<'a> {
    version: Option<Num>,
    #[serde(borrow)]
    entries: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct Entry {
    content: Option<Content>,
}

#[derive(Deserialize)]
struct Content {
    uri: Option<SecretText>,
    name: Option<String>,
}

pub(crate) fn import(data: &[u8]) -> Result<Import, ImportError> {
    let export: Export = serde_json::from_slice(data).map_err(|e| {
        ImportError::json(F, "expected a Proton Authenticator export with entries", &e)
    })?;
    match export.version.map(|n| n.0) {
        Some(1) => {}
        Some(version) => return Err(ImportError::UnsupportedVersion { format: F, version }),
        None => return Err(ImportError::malformed(F, "version is missing")),
    }
    let mut out = Import::new();
    for raw in json::entries(&export.entries)? {
        let result = json::entry::<Entry>(raw).and_then(|e| read(&e));
        let label = match &result {
            Ok((account, _)) => label_of(account.issuer.as_deref(), &account.name),
            Err(_) => String::new(),
        };
        out.push(label, result)?;
    }
    Ok(out)
}

fn read(entry: &Entry) -> Result<(Account, Vec<EntryWarning>), EntryError> {
    let content = entry
        .content
        .as_ref()
        .ok_or(EntryError::MissingField("content"))?;
    let uri = content
        .uri
        .as_ref()
        .ok_or(EntryError::MissingField("uri"))?;
    let uri = uri.0.trim();
    let scheme = uri
        .get(..8)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if scheme == "steam://" {
        let read = secret_from_base32_lenient(uri.get(8..).unwrap_or(""))
            .map_err(|e| EntryError::Steam(SteamUriError::Secret(e)))?;
        let name = content.name.as_deref().unwrap_or("");
        let account = json::account(
            None,
            name,
            read.secret,
            Algorithm::Sha1,
            Digits::SIX,
            Kind::Steam,
        );
        return Ok((account, read.warnings));
    }
    parse_uri(uri)
}
