//! Export: Aegis vault JSON (plain or password-encrypted), `otpauth://` lists,
//! Google Authenticator migration batches and FIDO Credential Exchange Format (CXF)
//! 1.0 documents.
//!
//! Every export returns what it wrote together with [`ExportNote`]s for whatever it
//! could not carry (an account the format cannot express is left out and said so; a
//! detail the format drops is named), never dropping anything silently. Outputs hold
//! secrets and are [`Zeroizing`]: they are wiped when dropped.
//!
//! ```
//! use otpkit::otpauth::Account;
//! use otpkit_transfer::{export, import, Format};
//! let account: Account =
//!     "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&period=60".parse()?;
//! let vault = export::aegis(&[account.clone()], Some(b"correct horse"))?;
//! assert!(vault.notes.is_empty());
//! let back = import(Format::Aegis, vault.output.as_bytes(), Some(b"correct horse"))?;
//! assert_eq!(back.accounts, vec![account.clone()]);
//!
//! // Google Authenticator's migration format has no period: the account is left out.
//! let qr = export::google_migration(&[account])?;
//! assert!(qr.output.is_empty());
//! assert_eq!(qr.notes[0].what, export::Omission::AccountSkipped(export::Unsupported::Period(60)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

use base64::Engine as _;
use otpkit::otpauth::{Account, Kind};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::{crypto, label_of};

/// Google Authenticator's own maximum of accounts per QR code.
pub const MIGRATION_ACCOUNTS_PER_QR: usize = 10;

/// The scrypt cost of exported Aegis vaults, as Aegis itself writes them:
/// N = 2^15, r = 8, p = 1.
pub const AEGIS_SCRYPT: (u64, u32, u32) = (1 << 15, 8, 1);

/// What an export produced, and what it could not carry.
pub struct Exported<T> {
    /// The export: file text, or one URI per QR code.
    pub output: T,
    /// What was left out or lost, per account.
    pub notes: Vec<ExportNote>,
}

impl<T> core::fmt::Debug for Exported<T> {
    /// The notes only: the output holds the secrets (a plain export) and is never shown.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Exported")
            .field("output", &"<not shown>")
            .field("notes", &self.notes)
            .finish()
    }
}

/// One thing an export could not carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportNote {
    /// The account's index in the input slice.
    pub index: usize,
    /// The account's label (`Issuer:name`).
    pub label: String,
    /// What was lost.
    pub what: Omission,
}

/// What an export lost of one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Omission {
    /// The account was left out: the format cannot express it.
    AccountSkipped(Unsupported),
    /// The account was written without its unrecognised `otpauth://` parameters
    /// (`image`, `icon`, …), named here.
    ExtraParametersDropped(Vec<String>),
}

/// A property of an account that a format cannot express.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unsupported {
    /// A period other than 30 s (seconds).
    Period(u64),
    /// A code length the format does not have.
    Digits(u8),
    /// Steam Guard accounts.
    Steam,
    /// An HOTP counter beyond the format's range.
    Counter(u64),
    /// HOTP accounts (the format has only TOTP).
    Hotp,
    /// mOTP accounts.
    Motp,
    /// Yandex Key accounts.
    Yandex,
    /// An mOTP or Yandex account without its PIN, which the format requires (Aegis
    /// refuses a whole vault whose `motp`/`yandex` entry has no `pin`).
    MissingPin,
    /// An mOTP secret text that is not lowercase hex (as andOTP and Authenticator
    /// Pro keep it): Aegis stores mOTP secrets as bytes and hashes their lowercase
    /// hex, so it would show other codes.
    MotpTextSecret,
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unsupported::Period(p) => write!(f, "a {p}-second period (the format has only 30 s)"),
            Unsupported::Digits(d) => write!(f, "{d}-digit codes (the format has only 6 and 8)"),
            Unsupported::Steam => {
                f.write_str("a Steam Guard account (the format has no Steam type)")
            }
            Unsupported::Counter(c) => write!(f, "HOTP counter {c} (beyond the format's range)"),
            Unsupported::Hotp => f.write_str("an HOTP account (the format has only TOTP)"),
            Unsupported::Motp => f.write_str("an mOTP account (the format has no mOTP type)"),
            Unsupported::Yandex => {
                f.write_str("a Yandex Key account (the format has no Yandex type)")
            }
            Unsupported::MissingPin => {
                f.write_str("an mOTP or Yandex account without its PIN (the format needs it)")
            }
            Unsupported::MotpTextSecret => f.write_str(
                "an mOTP secret that is not lowercase hex (the format keeps it as hex bytes)",
            ),
        }
    }
}

impl fmt::Display for ExportNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.what {
            Omission::AccountSkipped(why) => {
                write!(
                    f,
                    "account {} (\"{}\") left out: {why}",
                    self.index, self.label
                )
            }
            Omission::ExtraParametersDropped(names) => write!(
                f,
                "account {} (\"{}\"): parameters not carried: {}",
                self.index,
                self.label,
                names.join(", ")
            ),
        }
    }
}

/// Why an export failed as a whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportError {
    /// The operating system's random number generator failed.
    Rng,
    /// An empty password for an encrypted export.
    EmptyPassword,
    /// The migration encoder refused (cannot happen for accounts this module lets
    /// through; kept typed rather than hidden).
    Migration(otpkit::migration::EncodeError),
    /// Key derivation or encryption failed.
    Crypto,
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::Rng => f.write_str("the system random number generator failed"),
            ExportError::EmptyPassword => f.write_str("the password must not be empty"),
            ExportError::Migration(e) => fmt::Display::fmt(e, f),
            ExportError::Crypto => f.write_str("encryption failed"),
        }
    }
}

impl std::error::Error for ExportError {}

fn label(account: &Account) -> String {
    label_of(account.issuer.as_deref(), &account.name)
}

/// Plain text, one canonical `otpauth://` URI per line. Carries everything an
/// [`Account`] holds, so it never has notes.
pub fn otpauth_list(accounts: &[Account]) -> Exported<Zeroizing<String>> {
    let uris: Vec<Zeroizing<String>> = accounts
        .iter()
        .map(|a| Zeroizing::new(a.to_uri()))
        .collect();
    // Reserved up front so the text holding the secrets never reallocates.
    let mut text = Zeroizing::new(String::with_capacity(
        uris.iter()
            .map(|u| u.len().saturating_add(1))
            .fold(0usize, usize::saturating_add),
    ));
    for uri in &uris {
        text.push_str(uri);
        text.push('\n');
    }
    Exported {
        output: text,
        notes: Vec::new(),
    }
}

/// Google Authenticator migration URIs, one per QR code, at most
/// [`MIGRATION_ACCOUNTS_PER_QR`] accounts each, with `batch_size`, `batch_index` and
/// one random `batch_id` (31 bits, never 0). Accounts the format cannot express
/// (period other than 30 s, digits other than 6 or 8, Steam, mOTP, Yandex, counters above
/// `i64::MAX`) are left out with a note; so are the `extra` parameters.
pub fn google_migration(
    accounts: &[Account],
) -> Result<Exported<Vec<Zeroizing<String>>>, ExportError> {
    let mut notes = Vec::new();
    // Reserved up front: a growing vector of accounts would leave keys in the
    // buffers it outgrows.
    let mut carried = Vec::with_capacity(accounts.len());
    for (index, account) in accounts.iter().enumerate() {
        let unsupported = match account.kind {
            Kind::Steam => Some(Unsupported::Steam),
            Kind::Motp => Some(Unsupported::Motp),
            Kind::Yandex => Some(Unsupported::Yandex),
            Kind::Totp { period } if period.seconds() != 30 => {
                Some(Unsupported::Period(period.seconds()))
            }
            Kind::Hotp { counter } if i64::try_from(counter).is_err() => {
                Some(Unsupported::Counter(counter))
            }
            _ if !matches!(account.digits.get(), 6 | 8) => {
                Some(Unsupported::Digits(account.digits.get()))
            }
            _ => None,
        };
        if let Some(why) = unsupported {
            notes.push(ExportNote {
                index,
                label: label(account),
                what: Omission::AccountSkipped(why),
            });
            continue;
        }
        extra_note(index, account, &mut notes);
        carried.push(account.clone());
    }
    if carried.is_empty() {
        return Ok(Exported {
            output: Vec::new(),
            notes,
        });
    }
    let random = crypto::random::<4>().ok_or(ExportError::Rng)?;
    let batch_id = (i32::from_be_bytes(*random) & 0x7fff_ffff).max(1);
    let uris =
        otpkit::migration::encode_with_batch_id(&carried, MIGRATION_ACCOUNTS_PER_QR, batch_id)
            .map_err(ExportError::Migration)?;
    Ok(Exported {
        output: uris.into_iter().map(Zeroizing::new).collect(),
        notes,
    })
}

fn extra_note(index: usize, account: &Account, notes: &mut Vec<ExportNote>) {
    if !account.extra.is_empty() {
        notes.push(ExportNote {
            index,
            label: label(account),
            what: Omission::ExtraParametersDropped(
                account.extra.iter().map(|(name, _)| name.clone()).collect(),
            ),
        });
    }
}

#[derive(Serialize)]
struct AegisInfo<'a> {
    secret: &'a str,
    algo: &'static str,
    digits: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    counter: Option<u64>,
    /// mOTP and Yandex only (Aegis `MotpInfo`/`YandexInfo` `pin`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pin: Option<&'a str>,
}

#[derive(Serialize)]
struct AegisEntry<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    uuid: String,
    name: &'a str,
    issuer: &'a str,
    note: &'static str,
    favorite: bool,
    icon: Option<()>,
    info: AegisInfo<'a>,
    groups: [(); 0],
}

#[derive(Serialize)]
struct AegisDb<'a> {
    version: u32,
    entries: Vec<AegisEntry<'a>>,
    groups: [(); 0],
}

#[derive(Serialize)]
struct Params {
    nonce: String,
    tag: String,
}

#[derive(Serialize)]
struct Slot {
    #[serde(rename = "type")]
    kind: u32,
    uuid: String,
    key: String,
    key_params: Params,
    n: u64,
    r: u32,
    p: u32,
    salt: String,
    repaired: bool,
    is_backup: bool,
}

#[derive(Serialize)]
struct Header {
    slots: Option<Vec<Slot>>,
    params: Option<Params>,
}

#[derive(Serialize)]
struct Vault<T> {
    version: u32,
    header: Header,
    db: T,
}

fn uuid() -> Result<String, ExportError> {
    let mut b = *crypto::random::<16>().ok_or(ExportError::Rng)?;
    // RFC 9562 version 4, variant 10.
    if let Some(x) = b.get_mut(6) {
        *x = (*x & 0x0f) | 0x40;
    }
    if let Some(x) = b.get_mut(8) {
        *x = (*x & 0x3f) | 0x80;
    }
    let h = data_encoding::HEXLOWER.encode(&b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        h.get(..8).unwrap_or(""),
        h.get(8..12).unwrap_or(""),
        h.get(12..16).unwrap_or(""),
        h.get(16..20).unwrap_or(""),
        h.get(20..).unwrap_or("")
    ))
}

/// JSON into a buffer reserved up front so that it never reallocates (which would
/// leave unwiped copies of the secrets behind).
fn to_json<T: Serialize>(value: &T, capacity: usize) -> Result<Zeroizing<Vec<u8>>, ExportError> {
    let mut buf = Zeroizing::new(Vec::with_capacity(capacity));
    serde_json::to_writer(&mut *buf, value).map_err(|_| ExportError::Crypto)?;
    Ok(buf)
}

/// An Aegis vault (database version 3), plain when `password` is `None`, else
/// encrypted with one password slot (scrypt [`AEGIS_SCRYPT`], AES-256-GCM), as Aegis
/// writes it. Aegis has every kind, algorithm, length and period an [`Account`] can
/// have; `extra` parameters are lost (with a note), and an mOTP or Yandex account is
/// left out (with a note) without its PIN or, for mOTP, with a secret text that is not
/// lowercase hex.
pub fn aegis(
    accounts: &[Account],
    password: Option<&[u8]>,
) -> Result<Exported<Zeroizing<String>>, ExportError> {
    if password.is_some_and(<[u8]>::is_empty) {
        return Err(ExportError::EmptyPassword);
    }
    let mut notes = Vec::new();
    // Aegis keeps an mOTP secret as the bytes its lowercase-hex text spells.
    let mut key = Zeroizing::new([0u8; otpkit::MAX_SECRET_LEN]);
    let secrets: Vec<Zeroizing<String>> = accounts
        .iter()
        .map(
            |a| match (a.kind, otpkit::motp::key_bytes(&a.secret, &mut key)) {
                (Kind::Motp, Some(bytes)) => {
                    Zeroizing::new(data_encoding::BASE32_NOPAD.encode(bytes))
                }
                _ => Zeroizing::new(a.secret.base32().to_string()),
            },
        )
        .collect();
    let mut entries = Vec::with_capacity(accounts.len());
    let mut capacity = 1024usize;
    for (index, (account, secret)) in accounts.iter().zip(&secrets).enumerate() {
        let (kind, digits, period, counter) = match account.kind {
            Kind::Totp { period } => ("totp", account.digits.get(), Some(period.seconds()), None),
            Kind::Hotp { counter } => ("hotp", account.digits.get(), None, Some(counter)),
            Kind::Steam => ("steam", 5, Some(30), None),
            Kind::Motp => ("motp", 6, Some(10), None),
            Kind::Yandex => ("yandex", 8, Some(30), None),
        };
        let (algo, pin) = match account.kind {
            Kind::Steam => ("SHA1", None),
            Kind::Totp { .. } | Kind::Hotp { .. } => (account.algorithm.name(), None),
            Kind::Motp | Kind::Yandex => {
                let Some(pin) = account.pin.as_ref() else {
                    notes.push(ExportNote {
                        index,
                        label: label(account),
                        what: Omission::AccountSkipped(Unsupported::MissingPin),
                    });
                    continue;
                };
                let mut probe = Zeroizing::new([0u8; otpkit::MAX_SECRET_LEN]);
                if account.kind == Kind::Motp
                    && otpkit::motp::key_bytes(&account.secret, &mut probe).is_none()
                {
                    notes.push(ExportNote {
                        index,
                        label: label(account),
                        what: Omission::AccountSkipped(Unsupported::MotpTextSecret),
                    });
                    continue;
                }
                let algo = if account.kind == Kind::Motp {
                    "MD5"
                } else {
                    "SHA256"
                };
                (algo, Some(pin.as_str()))
            }
        };
        extra_note(index, account, &mut notes);
        capacity = capacity
            .saturating_add(512)
            .saturating_add(account.name.len().saturating_mul(6))
            .saturating_add(
                account
                    .issuer
                    .as_deref()
                    .map_or(0, str::len)
                    .saturating_mul(6),
            )
            .saturating_add(secret.len());
        entries.push(AegisEntry {
            kind,
            uuid: uuid()?,
            name: &account.name,
            issuer: account.issuer.as_deref().unwrap_or(""),
            note: "",
            favorite: false,
            icon: None,
            info: AegisInfo {
                secret,
                algo,
                digits,
                period,
                counter,
                pin,
            },
            groups: [],
        });
    }
    let db = AegisDb {
        version: 3,
        entries,
        groups: [],
    };
    let Some(password) = password else {
        let vault = Vault {
            version: 1,
            header: Header {
                slots: None,
                params: None,
            },
            db,
        };
        let json = to_json(&vault, capacity)?;
        return Ok(Exported {
            output: into_string(json)?,
            notes,
        });
    };
    let plaintext = to_json(&db, capacity)?;
    let master = crypto::random::<32>().ok_or(ExportError::Rng)?;
    let salt = crypto::random::<32>().ok_or(ExportError::Rng)?;
    let (n, r, p) = AEGIS_SCRYPT;
    let kek =
        crypto::scrypt(password, salt.as_slice(), n, r, p).map_err(|_| ExportError::Crypto)?;
    let slot_nonce = crypto::random::<12>().ok_or(ExportError::Rng)?;
    let (sealed_key, key_tag) = crypto::gcm_seal(kek.as_slice(), &slot_nonce, master.as_slice())
        .ok_or(ExportError::Crypto)?;
    let db_nonce = crypto::random::<12>().ok_or(ExportError::Rng)?;
    let (ciphertext, db_tag) =
        crypto::gcm_seal(master.as_slice(), &db_nonce, &plaintext).ok_or(ExportError::Crypto)?;
    let hex = |b: &[u8]| data_encoding::HEXLOWER.encode(b);
    let vault = Vault {
        version: 1,
        header: Header {
            slots: Some(vec![Slot {
                kind: 1,
                uuid: uuid()?,
                key: hex(&sealed_key),
                key_params: Params {
                    nonce: hex(slot_nonce.as_slice()),
                    tag: hex(&key_tag),
                },
                n,
                r,
                p,
                salt: hex(salt.as_slice()),
                repaired: true,
                is_backup: false,
            }]),
            params: Some(Params {
                nonce: hex(db_nonce.as_slice()),
                tag: hex(&db_tag),
            }),
        },
        db: base64::engine::general_purpose::STANDARD.encode(&ciphertext),
    };
    let json = serde_json::to_string(&vault).map_err(|_| ExportError::Crypto)?;
    Ok(Exported {
        output: Zeroizing::new(json),
        notes,
    })
}

/// The `exporterRpId` of [`cxf`] documents: the exporting app's name.
pub const CXF_EXPORTER_RP_ID: &str = "otpkit";
/// The `exporterDisplayName` of [`cxf`] documents.
pub const CXF_EXPORTER_DISPLAY_NAME: &str = "otpkit";

#[derive(Serialize)]
struct CxfVersion {
    major: u8,
    minor: u8,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CxfHeader<'a> {
    version: CxfVersion,
    exporter_rp_id: &'static str,
    exporter_display_name: &'static str,
    timestamp: u64,
    accounts: [CxfAccount<'a>; 1],
}

#[derive(Serialize)]
struct CxfAccount<'a> {
    id: String,
    username: &'static str,
    email: &'static str,
    collections: [(); 0],
    items: Vec<CxfItem<'a>>,
}

#[derive(Serialize)]
struct CxfItem<'a> {
    id: String,
    title: &'a str,
    credentials: [CxfTotp<'a>; 1],
}

#[derive(Serialize)]
struct CxfTotp<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    secret: &'a str,
    period: u64,
    digits: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<&'a str>,
    algorithm: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    issuer: Option<&'a str>,
}

/// A random 16-byte identifier, Base64url without padding (CXF's ids are opaque
/// byte strings of at most 64 bytes).
fn cxf_id() -> Result<String, ExportError> {
    let id = crypto::random::<16>().ok_or(ExportError::Rng)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id.as_slice()))
}

/// A FIDO Alliance Credential Exchange Format 1.0 document (its header JSON, as
/// exchanged between password managers), unencrypted: one CXF account
/// ([`CXF_EXPORTER_RP_ID`], empty username and e-mail) holding one item per TOTP
/// account, titled with its issuer (or its name when it has none), with one `"totp"`
/// credential: `secret` (Base32, unpadded), `period`, `digits`, `algorithm`
/// (`sha1`, `sha256`, `sha512`), `username` (the account name, when not empty) and
/// `issuer`. Ids are random; `timestamp` is the current time.
///
/// CXF has no HOTP and no Steam credential: such accounts are left out with a note
/// ([`Unsupported::Hotp`], [`Unsupported::Steam`]); `extra` parameters are dropped
/// with a note. Periods and digit counts are written as they are; some importers
/// read `period` as an 8-bit number (Bitwarden's `credential-exchange-format`
/// crate), which a period above 255 s would not fit.
///
/// # Errors
///
/// [`ExportError::Rng`] when the random ids cannot be drawn.
pub fn cxf(accounts: &[Account]) -> Result<Exported<Zeroizing<String>>, ExportError> {
    let mut notes = Vec::new();
    let secrets: Vec<Zeroizing<String>> = accounts
        .iter()
        .map(|a| Zeroizing::new(a.secret.base32().to_string()))
        .collect();
    let mut items = Vec::with_capacity(accounts.len());
    let mut capacity = 1024usize;
    for (index, (account, secret)) in accounts.iter().zip(&secrets).enumerate() {
        let period = match account.kind {
            Kind::Totp { period } => Ok(period.seconds()),
            Kind::Hotp { .. } => Err(Unsupported::Hotp),
            Kind::Steam => Err(Unsupported::Steam),
            Kind::Motp => Err(Unsupported::Motp),
            Kind::Yandex => Err(Unsupported::Yandex),
        };
        let period = match period {
            Ok(period) => period,
            Err(why) => {
                notes.push(ExportNote {
                    index,
                    label: label(account),
                    what: Omission::AccountSkipped(why),
                });
                continue;
            }
        };
        extra_note(index, account, &mut notes);
        let issuer = account.issuer.as_deref().filter(|i| !i.is_empty());
        let name = Some(account.name.as_str()).filter(|n| !n.is_empty());
        capacity = capacity
            .saturating_add(512)
            .saturating_add(account.name.len().saturating_mul(12))
            .saturating_add(issuer.map_or(0, str::len).saturating_mul(12))
            .saturating_add(secret.len());
        items.push(CxfItem {
            id: cxf_id()?,
            title: issuer.or(name).unwrap_or(""),
            credentials: [CxfTotp {
                kind: "totp",
                secret,
                period,
                digits: account.digits.get(),
                username: name,
                algorithm: match account.algorithm {
                    otpkit::Algorithm::Sha1 => "sha1",
                    otpkit::Algorithm::Sha256 => "sha256",
                    otpkit::Algorithm::Sha512 => "sha512",
                },
                issuer,
            }],
        });
    }
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let header = CxfHeader {
        version: CxfVersion { major: 1, minor: 0 },
        exporter_rp_id: CXF_EXPORTER_RP_ID,
        exporter_display_name: CXF_EXPORTER_DISPLAY_NAME,
        timestamp,
        accounts: [CxfAccount {
            id: cxf_id()?,
            username: "",
            email: "",
            collections: [],
            items,
        }],
    };
    let json = to_json(&header, capacity)?;
    Ok(Exported {
        output: into_string(json)?,
        notes,
    })
}

/// Moves the bytes into a `String` without copying them.
fn into_string(mut bytes: Zeroizing<Vec<u8>>) -> Result<Zeroizing<String>, ExportError> {
    let owned = core::mem::take(&mut *bytes);
    match String::from_utf8(owned) {
        Ok(text) => Ok(Zeroizing::new(text)),
        // serde_json writes UTF-8; the bytes are wiped on the way out regardless.
        Err(e) => {
            let _wiped = Zeroizing::new(e.into_bytes());
            Err(ExportError::Crypto)
        }
    }
}

impl ExportError {
    /// The stable [`ErrorCode`](otpkit::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> otpkit::ErrorCode {
        use otpkit::ErrorCode as C;
        match self {
            ExportError::Rng => C::RngFailed,
            ExportError::EmptyPassword => C::EmptyPassword,
            ExportError::Migration(e) => e.code(),
            ExportError::Crypto => C::EncryptionFailed,
        }
    }
}
