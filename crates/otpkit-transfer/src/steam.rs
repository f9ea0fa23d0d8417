//! Steam Guard files ([`Format::Steam`]).
//!
//! Read from the files' layouts as Steam Desktop Authenticator (SDA, 1.0.x),
//! steamguard-cli (0.x compat manifests and its version 1 manifest), WinAuth 3 and
//! Aegis's Steam importer write or document them, checked against their test files:
//!
//! - **the Steam app's file** (as Aegis reads it from a rooted phone): one account
//!   object, or `{"accounts": {"<id>": {…}, …}}`;
//! - **a maFile** (SDA and steamguard-cli): one account object; its `uri` field is not
//!   used (steamguard-cli's writes a placeholder secret there);
//! - **an encrypted maFile**: base64 of AES-256-CBC (PKCS#7) with the key
//!   PBKDF2-HMAC-SHA1(password, salt, 50 000 iterations, 32 bytes); the 8-byte salt
//!   and the 16-byte IV are not in the maFile but in its entry of `manifest.json`
//!   (`encryption_salt`/`encryption_iv`, or v1's `encryption: {iv, salt}`). Since an
//!   import reads one input, the input is then **the manifest followed by the
//!   maFiles** in one file: `cat maFiles/manifest.json maFiles/NAME.maFile >
//!   steam.txt`, then `otpkit import steam.txt --from steam` (a JSON object ends
//!   where its braces close, so nothing is needed after the manifest; two encrypted
//!   maFiles, which are bare base64, need white space between them: `for f in
//!   maFiles/*.maFile; do cat "$f"; echo; done`). Each encrypted maFile is tried with
//!   the manifest's entries in order, one key derivation per entry at most (cached for
//!   the next maFile), each charged to the import's budget before it runs; one that no
//!   entry's key opens is a wrong password;
//! - **WinAuth's text export** of Steam authenticators: `otpauth://` lines whose
//!   `data=` parameter holds the URL-encoded maFile JSON (the line's `secret=` is a
//!   placeholder); a line without `data=` is read as an ordinary `otpauth://` URI.
//!
//! A manifest alone holds no account and is refused with [`ImportError::Malformed`]
//! ("a manifest, not an account file"); an encrypted maFile without its manifest with
//! [`ImportError::UnsupportedEncryption`]. In every account the secret is
//! `shared_secret` (base64); the issuer is "Steam" and the name `account_name`. At
//! most [`crate::MAX_ENTRIES`] accounts and files are read.

use base64::Engine as _;
use otpkit::otpauth::{Account, Kind};
use otpkit::steam::SteamUriError;
use otpkit::{Algorithm, Digits, SecretError};
use otpkit_kdf::{Prf, WorkBudget};
use percent_encoding::percent_decode_str;
use serde::Deserialize;
use serde_json::value::RawValue;
use zeroize::Zeroizing;

use crate::json::{self, SecretText};
use crate::otpauth_list::parse_uri;
use crate::secret::secret_from_bytes;
use crate::{EntryError, EntryWarning, Format, Import, ImportError, MAX_ENTRIES, crypto, label_of};

const F: Format = Format::Steam;

/// SDA's PBKDF2 iteration count.
const ITERATIONS: u32 = 50_000;

/// One file of the input: a JSON object, or the base64 text of an encrypted maFile.
enum Part<'a> {
    Json(&'a RawValue),
    Encrypted(&'a str),
}

/// The keys that tell the JSON files apart, and a maFile's fields.
#[derive(Deserialize)]
struct Object<'a> {
    #[serde(borrow)]
    accounts: Option<Accounts<'a>>,
    entries: Option<Vec<ManifestEntry>>,
    shared_secret: Option<SecretText>,
    account_name: Option<String>,
}

/// The values of the Steam app's `accounts` object, in file order.
struct Accounts<'a>(Vec<&'a RawValue>);

impl<'de: 'a, 'a> Deserialize<'de> for Accounts<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(core::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = Accounts<'a>;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("an object of accounts")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Self::Value, M::Error> {
                // One past the limit is kept, so that `json::entries` refuses the file
                // with `TooManyEntries`; the rest are skipped unkept.
                let mut out = Vec::new();
                while let Some((_, value)) =
                    map.next_entry::<serde::de::IgnoredAny, &'de RawValue>()?
                {
                    if out.len() <= MAX_ENTRIES {
                        out.push(value);
                    }
                }
                Ok(Accounts(out))
            }
        }
        d.deserialize_map(V(core::marker::PhantomData))
    }
}

#[derive(Deserialize)]
struct MaFile {
    shared_secret: Option<SecretText>,
    account_name: Option<String>,
}

#[derive(Deserialize)]
struct ManifestEntry {
    encryption_iv: Option<String>,
    encryption_salt: Option<String>,
    encryption: Option<Encryption>,
}

#[derive(Deserialize)]
struct Encryption {
    iv: String,
    salt: String,
    scheme: Option<String>,
}

/// A manifest entry's IV and salt, and the key once derived.
struct KeySlot {
    iv: Vec<u8>,
    salt: Vec<u8>,
    key: Option<crypto::Key>,
}

pub(crate) fn import(
    data: &[u8],
    password: Option<&[u8]>,
    budget: &mut WorkBudget,
) -> Result<Import, ImportError> {
    let text = core::str::from_utf8(data)
        .map_err(|_| ImportError::malformed(F, "the file is not UTF-8 text"))?;
    let text = text.trim_start_matches('\u{feff}').trim();
    if text
        .get(..10)
        .is_some_and(|s| s.eq_ignore_ascii_case("otpauth://"))
    {
        return read_winauth(text);
    }
    let parts = split(text)?;
    let mut out = Import::new();
    let mut slots: Option<Vec<KeySlot>> = None;
    for (i, part) in parts.iter().enumerate() {
        match part {
            Part::Json(raw) => {
                let object: Object = serde_json::from_str(raw.get()).map_err(|e| {
                    ImportError::json(F, "expected a Steam Guard account file or manifest", &e)
                })?;
                if let Some(entries) = object.entries.filter(|_| object.shared_secret.is_none()) {
                    if i != 0 {
                        return Err(ImportError::malformed(F, "a manifest.json must come first"));
                    }
                    if parts.len() == 1 {
                        return Err(ImportError::malformed(
                            F,
                            "a Steam Desktop Authenticator / steamguard-cli manifest, not an \
                             account file: give the manifest followed by its maFiles",
                        ));
                    }
                    slots = Some(key_slots(&entries)?);
                } else if let Some(accounts) = object.accounts {
                    for raw in json::entries(&accounts.0)? {
                        let (label, result) = match json::entry::<MaFile>(raw) {
                            Ok(m) => (
                                label_of(Some("Steam"), m.account_name.as_deref().unwrap_or("")),
                                read(&m),
                            ),
                            Err(e) => (String::new(), Err(e)),
                        };
                        out.push(label, result)?;
                    }
                } else {
                    let m = MaFile {
                        shared_secret: object.shared_secret,
                        account_name: object.account_name,
                    };
                    out.push(
                        label_of(Some("Steam"), m.account_name.as_deref().unwrap_or("")),
                        read(&m),
                    )?;
                }
            }
            Part::Encrypted(body) => {
                let slots = slots.as_mut().ok_or(ImportError::UnsupportedEncryption {
                    format: F,
                    what: "an encrypted maFile needs its manifest.json (salt and IV) before it \
                           in the input",
                })?;
                let password = password.ok_or(ImportError::PasswordRequired { format: F })?;
                let plaintext = decrypt(body, password, slots, budget)?;
                let m: MaFile = serde_json::from_slice(&plaintext).map_err(|e| {
                    ImportError::json(F, "the decrypted maFile is not an account object", &e)
                })?;
                out.push(
                    label_of(Some("Steam"), m.account_name.as_deref().unwrap_or("")),
                    read(&m),
                )?;
            }
        }
    }
    Ok(out)
}

/// The input's files: JSON objects and base64 texts, separated by white space (a JSON
/// object may follow another file directly).
fn split(text: &str) -> Result<Vec<Part<'_>>, ImportError> {
    let mut parts = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        if parts.len() >= MAX_ENTRIES {
            return Err(ImportError::TooManyEntries { max: MAX_ENTRIES });
        }
        if rest.starts_with('{') {
            let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<&RawValue>();
            let raw = match stream.next() {
                Some(Ok(raw)) => raw,
                Some(Err(e)) => {
                    return Err(ImportError::json(F, "expected a JSON object", &e));
                }
                None => return Err(ImportError::malformed(F, "expected a JSON object")),
            };
            parts.push(Part::Json(raw));
            rest = rest.get(stream.byte_offset()..).unwrap_or("").trim_start();
        } else {
            let end = rest
                .find(|c: char| c.is_ascii_whitespace() || c == '{')
                .unwrap_or(rest.len());
            let (body, after) = rest.split_at_checked(end).unwrap_or((rest, ""));
            if !body
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
            {
                return Err(ImportError::malformed(
                    F,
                    "expected a Steam Guard JSON file, an encrypted maFile (base64) or WinAuth \
                     otpauth:// lines",
                ));
            }
            parts.push(Part::Encrypted(body));
            rest = after.trim_start();
        }
    }
    if parts.is_empty() {
        return Err(ImportError::malformed(F, "the file is empty"));
    }
    Ok(parts)
}

fn key_slots(entries: &[ManifestEntry]) -> Result<Vec<KeySlot>, ImportError> {
    if entries.len() > MAX_ENTRIES {
        return Err(ImportError::TooManyEntries { max: MAX_ENTRIES });
    }
    let b64 = |s: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(s.trim())
            .map_err(|_| ImportError::malformed(F, "a manifest entry's IV or salt is not base64"))
    };
    let mut slots = Vec::new();
    for entry in entries {
        let (iv, salt) = match (
            &entry.encryption,
            &entry.encryption_iv,
            &entry.encryption_salt,
        ) {
            (Some(e), _, _) => {
                if e.scheme
                    .as_deref()
                    .is_some_and(|s| s != "LegacySdaCompatible")
                {
                    return Err(ImportError::UnsupportedEncryption {
                        format: F,
                        what: "a steamguard-cli encryption scheme other than LegacySdaCompatible",
                    });
                }
                (b64(&e.iv)?, b64(&e.salt)?)
            }
            (None, Some(iv), Some(salt)) => (b64(iv)?, b64(salt)?),
            (None, _, _) => continue,
        };
        if iv.len() != 16 {
            return Err(ImportError::malformed(
                F,
                "a manifest entry's IV is not 16 bytes",
            ));
        }
        if salt.is_empty() {
            return Err(ImportError::KdfParameters {
                format: F,
                what: "encryption_salt",
            });
        }
        slots.push(KeySlot {
            iv,
            salt,
            key: None,
        });
    }
    Ok(slots)
}

/// Opens an encrypted maFile with the first manifest entry whose key and IV decrypt
/// it to a JSON object.
fn decrypt(
    body: &str,
    password: &[u8],
    slots: &mut [KeySlot],
    budget: &mut WorkBudget,
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let ciphertext = base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|_| ImportError::malformed(F, "an encrypted maFile is not base64"))?;
    if ciphertext.is_empty() || ciphertext.len() % 16 != 0 {
        return Err(ImportError::malformed(
            F,
            "an encrypted maFile is not whole AES blocks",
        ));
    }
    for slot in slots.iter_mut() {
        let key = match &slot.key {
            Some(key) => key,
            None => {
                let key = crypto::pbkdf2_key(budget, Prf::Sha1, password, &slot.salt, ITERATIONS)
                    .map_err(|e| ImportError::kdf(F, e))?;
                slot.key.insert(key)
            }
        };
        let opened = crypto::cbc_open(key.as_slice(), &slot.iv, &ciphertext);
        if let Some(plaintext) = opened.filter(|p| {
            p.first() == Some(&b'{') && serde_json::from_slice::<serde::de::IgnoredAny>(p).is_ok()
        }) {
            return Ok(plaintext);
        }
    }
    if slots.is_empty() {
        return Err(ImportError::UnsupportedEncryption {
            format: F,
            what: "the manifest has no encryption IV and salt for an encrypted maFile",
        });
    }
    Err(ImportError::WrongPassword { format: F })
}

fn read(m: &MaFile) -> Result<(Account, Vec<EntryWarning>), EntryError> {
    let text = m
        .shared_secret
        .as_ref()
        .ok_or(EntryError::MissingField("shared_secret"))?;
    let text = text.0.trim();
    if text.is_empty() {
        return Err(EntryError::Steam(SteamUriError::Secret(SecretError::Empty)));
    }
    // Base64 (not Base32): a bad symbol is named by its position, a bad length by the
    // number of symbols (1-based, as the Base32 errors; the decoder's own error would
    // carry the offending byte).
    let bytes = Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| {
                EntryError::Steam(SteamUriError::Secret(match e {
                    base64::DecodeError::InvalidByte(offset, _)
                    | base64::DecodeError::InvalidLastSymbol { offset, .. } => {
                        SecretError::InvalidCharacter {
                            position: offset.saturating_add(1),
                        }
                    }
                    base64::DecodeError::InvalidLength(_) | base64::DecodeError::InvalidPadding => {
                        SecretError::InvalidLength {
                            symbols: text.len(),
                        }
                    }
                }))
            })?,
    );
    let mut warnings = Vec::new();
    let secret = secret_from_bytes(&bytes, &mut warnings)
        .map_err(|e| EntryError::Steam(SteamUriError::Secret(e)))?;
    Ok((
        json::account(
            Some("Steam"),
            m.account_name.as_deref().unwrap_or(""),
            secret,
            Algorithm::Sha1,
            Digits::SIX,
            Kind::Steam,
        ),
        warnings,
    ))
}

/// WinAuth's export: `otpauth://` lines, a Steam one with its maFile in `data=`.
fn read_winauth(text: &str) -> Result<Import, ImportError> {
    let mut out = Import::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let data = line
            .split_once('?')
            .map(|(_, query)| query.split('#').next().unwrap_or(""))
            .and_then(|query| query.split('&').find_map(|pair| pair.strip_prefix("data=")));
        let (label, result) = match data {
            Some(encoded) => {
                // Reserved up front (decoding never lengthens), so it never grows.
                let mut decoded = Zeroizing::new(Vec::with_capacity(encoded.len()));
                decoded.extend(percent_decode_str(encoded));
                match serde_json::from_slice::<MaFile>(&decoded) {
                    Ok(m) => (
                        label_of(Some("Steam"), m.account_name.as_deref().unwrap_or("")),
                        read(&m),
                    ),
                    Err(e) => (String::new(), Err(EntryError::json(&e))),
                }
            }
            None => {
                let result = parse_uri(line);
                let label = match &result {
                    Ok((a, _)) => label_of(a.issuer.as_deref(), &a.name),
                    Err(_) => String::new(),
                };
                (label, result)
            }
        };
        out.push_at(index, label, result)?;
    }
    Ok(out)
}
