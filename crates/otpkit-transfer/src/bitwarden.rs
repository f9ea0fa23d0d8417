//! Bitwarden JSON exports (password manager and Bitwarden Authenticator).
//!
//! `{"encrypted": false, "items": [...]}`; an item's `login.totp` holds an
//! `otpauth://` URI, a `steam://BASE32` value or a bare Base32 secret (TOTP, SHA-1,
//! 6 digits, 30 s); the item's `name` and `login.username` name an entry whose URI
//! names nothing. Items without `login.totp` (cards, notes, plain logins) are not OTP
//! entries and are not reported.
//!
//! A password-protected export is `{"encrypted": true, "passwordProtected": true,
//! "salt", "kdfType", "kdfIterations", "kdfMemory", "kdfParallelism",
//! "encKeyValidation_DO_NOT_EDIT", "data"}`: a key from PBKDF2-HMAC-SHA256(password,
//! salt, iterations) (`kdfType` 0) or Argon2id(password, SHA-256(salt), iterations,
//! memory MiB, parallelism) (`kdfType` 1), stretched by HKDF-Expand-SHA256 into an
//! encryption key (`"enc"`) and a MAC key (`"mac"`); `data` and the validation value
//! are `2.iv|ciphertext|mac` (base64 parts): HMAC-SHA256 over iv‖ciphertext, then
//! AES-256-CBC. An export "encrypted" without `passwordProtected` is locked to the
//! account's key and cannot be opened from the file.
//!
//! A **CSV export** (the password manager's "Export vault → .csv", as Bitwarden's
//! help pages describe it: a header row naming the columns, among them `name`,
//! `login_username` and `login_totp`) is read when the file does not start with `{`:
//! RFC 4180 fields (quoted fields may hold commas, quotes doubled and line breaks);
//! rows are matched to the header by position (extra trailing fields are ignored,
//! missing ones are empty); a row whose `login_totp` is empty is not an OTP entry and
//! is not reported; blank lines are skipped. Every field is wiped once read (the file
//! holds passwords). A CSV export has no encrypted form.
//!
//! The key derivation is charged to the import's budget before it runs: an Argon2id
//! asking for more memory or passes than the budget allows is refused
//! ([`ImportError::KdfBudget`]) before anything is allocated.

use base64::Engine as _;
use otpkit::otpauth::{Account, Kind};
use otpkit::steam::SteamUriError;
use otpkit::{Algorithm, Digits, Period};
use otpkit_kdf::{Prf, WorkBudget};
use serde::Deserialize;
use serde_json::value::RawValue;
use zeroize::Zeroizing;

use crate::crypto;
use crate::json::{self, Num, SecretText};
use crate::otpauth_list::parse_uri;
use crate::secret::secret_from_base32_lenient;
use crate::{EntryError, EntryWarning, Format, Import, ImportError, label_of};

const F: Format = Format::Bitwarden;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Export<'a> {
    #[serde(default)]
    encrypted: bool,
    #[serde(default)]
    password_protected: bool,
    #[serde(default, borrow)]
    items: Vec<&'a RawValue>,
    salt: Option<String>,
    kdf_type: Option<Num>,
    kdf_iterations: Option<Num>,
    kdf_memory: Option<Num>,
    kdf_parallelism: Option<Num>,
    #[serde(rename = "encKeyValidation_DO_NOT_EDIT")]
    validation: Option<String>,
    data: Option<String>,
}

#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    name: Option<String>,
    login: Option<Login>,
}

#[derive(Deserialize)]
struct Login {
    username: Option<String>,
    totp: Option<SecretText>,
}

pub(crate) fn import(
    data: &[u8],
    password: Option<&[u8]>,
    budget: &mut WorkBudget,
) -> Result<Import, ImportError> {
    let start = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    if start.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return read_csv(start);
    }
    let export: Export = serde_json::from_slice(data)
        .map_err(|e| ImportError::json(F, "expected a Bitwarden JSON export object", &e))?;
    if !export.encrypted {
        return read_items(&export.items);
    }
    if !export.password_protected {
        return Err(ImportError::UnsupportedEncryption {
            format: F,
            what: "the export is encrypted with the Bitwarden account key, not a password",
        });
    }
    let password = password.ok_or(ImportError::PasswordRequired { format: F })?;
    let plaintext = decrypt(&export, password, budget)?;
    let inner: Export = serde_json::from_slice(&plaintext)
        .map_err(|e| ImportError::json(F, "the decrypted data is not a Bitwarden export", &e))?;
    read_items(&inner.items)
}

fn num(value: Option<Num>, what: &'static str) -> Result<u32, ImportError> {
    value
        .and_then(|n| u32::try_from(n.0).ok())
        .ok_or(ImportError::KdfParameters { format: F, what })
}

fn decrypt(
    export: &Export<'_>,
    password: &[u8],
    budget: &mut WorkBudget,
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let salt = export
        .salt
        .as_deref()
        .ok_or(ImportError::malformed(F, "salt is missing"))?;
    let kdf = |r: Result<crypto::Key, otpkit_kdf::KdfError>| r.map_err(|e| ImportError::kdf(F, e));
    let master = match export.kdf_type.map(|n| n.0) {
        Some(0) => kdf(crypto::pbkdf2_key(
            budget,
            Prf::Sha256,
            password,
            salt.as_bytes(),
            num(export.kdf_iterations, "kdfIterations")?,
        ))?,
        Some(1) => {
            let memory_mib = num(export.kdf_memory, "kdfMemory")?;
            kdf(crypto::argon2id_key(
                budget,
                password,
                crypto::sha256(salt.as_bytes()).as_slice(),
                num(export.kdf_iterations, "kdfIterations")?,
                memory_mib
                    .checked_mul(1024)
                    .ok_or(ImportError::KdfParameters {
                        format: F,
                        what: "kdfMemory",
                    })?,
                num(export.kdf_parallelism, "kdfParallelism")?,
            ))?
        }
        _ => {
            return Err(ImportError::KdfParameters {
                format: F,
                what: "kdfType",
            });
        }
    };
    let enc = crypto::hkdf_expand(master.as_slice(), b"enc").ok_or(ImportError::KdfParameters {
        format: F,
        what: "key",
    })?;
    let mac = crypto::hkdf_expand(master.as_slice(), b"mac").ok_or(ImportError::KdfParameters {
        format: F,
        what: "key",
    })?;
    let validation = export.validation.as_deref().ok_or(ImportError::malformed(
        F,
        "encKeyValidation_DO_NOT_EDIT is missing",
    ))?;
    open(validation, enc.as_slice(), mac.as_slice()).map_err(|authentic| {
        if authentic {
            ImportError::IntegrityCheckFailed { format: F }
        } else {
            ImportError::WrongPassword { format: F }
        }
    })?;
    let data = export
        .data
        .as_deref()
        .ok_or(ImportError::malformed(F, "data is missing"))?;
    open(data, enc.as_slice(), mac.as_slice())
        .map_err(|_| ImportError::IntegrityCheckFailed { format: F })
}

/// Opens a `2.iv|ct|mac` value. The error is `true` when the MAC verified but the
/// content could not be decrypted, `false` when the MAC did not verify (or the value
/// is malformed).
fn open(value: &str, enc: &[u8], mac: &[u8]) -> Result<Zeroizing<Vec<u8>>, bool> {
    let rest = value.strip_prefix("2.").ok_or(false)?;
    let mut parts = rest.split('|');
    let b64 = |p: Option<&str>| {
        p.and_then(|p| base64::engine::general_purpose::STANDARD.decode(p).ok())
            .ok_or(false)
    };
    let iv = b64(parts.next())?;
    let ciphertext = b64(parts.next())?;
    let tag = b64(parts.next())?;
    if parts.next().is_some() {
        return Err(false);
    }
    if !crypto::hmac_sha256_verify(mac, &[&iv, &ciphertext], &tag) {
        return Err(false);
    }
    crypto::cbc_open(enc, &iv, &ciphertext).ok_or(true)
}

fn read_items(items: &[&RawValue]) -> Result<Import, ImportError> {
    let mut out = Import::new();
    for raw in json::entries(items)? {
        let item = match json::entry::<Item>(raw) {
            Ok(item) => item,
            Err(e) => {
                out.push(String::new(), Err(e))?;
                continue;
            }
        };
        let Some(login) = &item.login else { continue };
        let Some(totp) = login.totp.as_ref().filter(|t| !t.0.trim().is_empty()) else {
            continue;
        };
        let result = read_totp(&totp.0, item.name.as_deref(), login.username.as_deref());
        let label = match &result {
            Ok((account, _)) => label_of(account.issuer.as_deref(), &account.name),
            Err(_) => label_of(
                item.name.as_deref(),
                login.username.as_deref().unwrap_or(""),
            ),
        };
        out.push(label, result)?;
    }
    Ok(out)
}

fn read_totp(
    totp: &str,
    item_name: Option<&str>,
    username: Option<&str>,
) -> Result<(Account, Vec<EntryWarning>), EntryError> {
    let totp = totp.trim();
    let username = username.unwrap_or("");
    let lower = totp
        .get(..10)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if lower.starts_with("otpauth://") {
        let (mut account, warnings) = parse_uri(totp)?;
        if account.name.is_empty() && account.issuer.is_none() {
            account.issuer = item_name.filter(|n| !n.is_empty()).map(str::to_owned);
            account.name = username.to_owned();
        }
        return Ok((account, warnings));
    }
    let (secret_text, kind) = if lower.starts_with("steam://") {
        (totp.get(8..).unwrap_or(""), Kind::Steam)
    } else {
        (
            totp,
            Kind::Totp {
                period: Period::DEFAULT,
            },
        )
    };
    let read = secret_from_base32_lenient(secret_text).map_err(|e| match kind {
        Kind::Steam => EntryError::Steam(SteamUriError::Secret(e)),
        // Only the two kinds chosen just above reach here.
        Kind::Totp { .. } | Kind::Hotp { .. } | Kind::Motp | Kind::Yandex => EntryError::Secret(e),
    })?;
    Ok((
        json::account(
            item_name,
            username,
            read.secret,
            Algorithm::Sha1,
            Digits::SIX,
            kind,
        ),
        read.warnings,
    ))
}

/// A CSV export (see the module docs).
fn read_csv(data: &[u8]) -> Result<Import, ImportError> {
    let text = core::str::from_utf8(data)
        .map_err(|_| ImportError::malformed(F, "expected a Bitwarden JSON or CSV export"))?;
    let mut rows = Csv { rest: text };
    let header = rows.next().ok_or(ImportError::malformed(
        F,
        "expected a Bitwarden JSON or CSV export",
    ))??;
    let column = |name: &str| header.iter().position(|h| h.trim() == name);
    let totp = column("login_totp").ok_or(ImportError::malformed(
        F,
        "the CSV header has no login_totp column",
    ))?;
    let (name, username) = (column("name"), column("login_username"));
    let mut out = Import::new();
    for row in rows {
        let row = row?;
        if row.len() == 1 && row.first().is_some_and(|f| f.trim().is_empty()) {
            continue;
        }
        let field = |i: Option<usize>| i.and_then(|i| row.get(i)).map(|f| f.as_str());
        let Some(value) = field(Some(totp)).filter(|t| !t.trim().is_empty()) else {
            continue;
        };
        let result = read_totp(value, field(name), field(username));
        let label = match &result {
            Ok((account, _)) => label_of(account.issuer.as_deref(), &account.name),
            Err(_) => label_of(field(name), field(username).unwrap_or("")),
        };
        out.push(label, result)?;
    }
    Ok(out)
}

/// RFC 4180 records, one at a time; every field wiped on drop.
struct Csv<'a> {
    rest: &'a str,
}

impl Csv<'_> {
    /// The byte length of the field that starts `text` (up to an unquoted `,` or line
    /// break): the most its unquoted value can take, reserved up front so the value
    /// never moves (a grown buffer would leave a copy of a secret behind).
    fn span(text: &str) -> usize {
        let mut quoted = false;
        for (i, c) in text.char_indices() {
            match c {
                '"' => quoted = !quoted,
                ',' | '\n' if !quoted => return i,
                _ => {}
            }
        }
        text.len()
    }
}

impl Iterator for Csv<'_> {
    type Item = Result<Vec<Zeroizing<String>>, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let mut fields = Vec::new();
        let mut field = Zeroizing::new(String::with_capacity(Self::span(self.rest)));
        let mut chars = self.rest.char_indices().peekable();
        let mut quoted = false;
        let mut at_start = true;
        while let Some((i, c)) = chars.next() {
            if quoted {
                match c {
                    '"' if chars.peek().map(|&(_, n)| n) == Some('"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => quoted = false,
                    c => field.push(c),
                }
                continue;
            }
            match c {
                '"' if at_start => {
                    quoted = true;
                    at_start = false;
                }
                ',' => {
                    let next = self.rest.get(i.saturating_add(1)..).unwrap_or("");
                    let capacity = Self::span(next);
                    fields.push(core::mem::replace(
                        &mut field,
                        Zeroizing::new(String::with_capacity(capacity)),
                    ));
                    at_start = true;
                }
                '\r' if chars.peek().map(|&(_, n)| n) == Some('\n') => {}
                '\n' => {
                    fields.push(field);
                    self.rest = self.rest.get(i.saturating_add(1)..).unwrap_or("");
                    return Some(Ok(fields));
                }
                c => {
                    field.push(c);
                    at_start = false;
                }
            }
        }
        self.rest = "";
        if quoted {
            return Some(Err(ImportError::malformed(
                F,
                "a CSV field's quote is not closed",
            )));
        }
        fields.push(field);
        Some(Ok(fields))
    }
}
