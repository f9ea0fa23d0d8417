//! Aegis vault JSON, plain and encrypted.
//!
//! Per Aegis's vault documentation (docs/vault.md in beemdevelopment/Aegis): the file
//! is `{"version": 1, "header": {"slots", "params"}, "db"}`. A plain vault has null
//! `slots`/`params` and `db` is the database object. An encrypted vault's `db` is
//! base64 of the database JSON encrypted with AES-256-GCM under a random master key
//! (nonce and tag in `header.params`, hex). Each password slot (`type` 1) holds the
//! master key encrypted with AES-256-GCM (`key`, `key_params.nonce/tag`, hex) under a
//! key derived by scrypt from the password (`n`, `r`, `p`, hex `salt`, 32 bytes).
//! Slot type 0 is a raw key, 2 a biometric key: neither opens with a password.
//!
//! Password slots are tried in file order, every scrypt charged to the one budget of
//! the import: a vault with many (or costly) slots is refused with
//! [`ImportError::KdfBudget`] once the budget is spent, whatever the number of slots.

use base64::Engine as _;
use otpkit::otpauth::Kind;
use otpkit_kdf::WorkBudget;
use serde::Deserialize;
use serde_json::value::RawValue;
use zeroize::Zeroizing;

use crate::crypto;
use crate::json::{self, Num, OtpType, SecretText};
use crate::secret::secret_from_base32_lenient;
use crate::{EntryError, Format, Import, ImportError, label_of};

const F: Format = Format::Aegis;

#[derive(Deserialize)]
struct Vault<'a> {
    version: Option<Num>,
    header: Option<Header>,
    #[serde(borrow)]
    db: &'a RawValue,
}

#[derive(Deserialize)]
struct Header {
    slots: Option<Vec<Slot>>,
    params: Option<Params>,
}

#[derive(Deserialize)]
struct Params {
    nonce: String,
    tag: String,
}

#[derive(Deserialize)]
struct Slot {
    #[serde(rename = "type")]
    kind: Num,
    key: String,
    key_params: Params,
    n: Option<u64>,
    r: Option<u32>,
    p: Option<u32>,
    salt: Option<String>,
}

#[derive(Deserialize)]
struct Db<'a> {
    version: Option<Num>,
    #[serde(borrow)]
    entries: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    name: String,
    issuer: Option<String>,
    info: Info,
}

#[derive(Deserialize)]
struct Info {
    secret: Option<SecretText>,
    algo: Option<String>,
    digits: Option<Num>,
    period: Option<Num>,
    counter: Option<Num>,
    /// mOTP and Yandex entries only.
    pin: Option<SecretText>,
}

pub(crate) fn import(
    data: &[u8],
    password: Option<&[u8]>,
    budget: &mut WorkBudget,
) -> Result<Import, ImportError> {
    let vault: Vault<'_> = serde_json::from_slice(data)
        .map_err(|e| ImportError::json(F, "expected an Aegis vault object", &e))?;
    if let Some(Num(v)) = vault.version
        && v != 1
    {
        return Err(ImportError::UnsupportedVersion {
            format: F,
            version: v,
        });
    }
    let slots = vault.header.as_ref().and_then(|h| h.slots.as_ref());
    match slots {
        None => read_db(vault.db.get().as_bytes()),
        Some(slots) => {
            let params = vault
                .header
                .as_ref()
                .and_then(|h| h.params.as_ref())
                .ok_or(ImportError::malformed(F, "header.params is missing"))?;
            let db_b64: String = serde_json::from_str(vault.db.get())
                .map_err(|e| ImportError::json(F, "db must be a base64 string", &e))?;
            let plaintext = decrypt(slots, params, &db_b64, password, budget)?;
            read_db(&plaintext)
        }
    }
}

fn hex(text: &str, what: &'static str) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    data_encoding::HEXLOWER_PERMISSIVE
        .decode(text.as_bytes())
        .map(Zeroizing::new)
        .map_err(|_| ImportError::malformed(F, what))
}

fn decrypt(
    slots: &[Slot],
    params: &Params,
    db_b64: &str,
    password: Option<&[u8]>,
    budget: &mut WorkBudget,
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let password_slots: Vec<&Slot> = slots.iter().filter(|s| s.kind == Num(1)).collect();
    if password_slots.is_empty() {
        return Err(ImportError::UnsupportedEncryption {
            format: F,
            what: "the vault has no password slot",
        });
    }
    let password = password.ok_or(ImportError::PasswordRequired { format: F })?;
    let mut master = None;
    for slot in password_slots {
        let salt = hex(
            slot.salt.as_deref().unwrap_or(""),
            "a slot's salt is not hex",
        )?;
        let key = crypto::scrypt_key(
            budget,
            password,
            &salt,
            slot.n.unwrap_or(0),
            slot.r.unwrap_or(0),
            slot.p.unwrap_or(0),
        )
        .map_err(|e| ImportError::kdf(F, e))?;
        let sealed = hex(&slot.key, "a slot's key is not hex")?;
        let nonce = hex(&slot.key_params.nonce, "a slot's nonce is not hex")?;
        let tag = hex(&slot.key_params.tag, "a slot's tag is not hex")?;
        if let Some(k) = crypto::gcm_open(key.as_slice(), &nonce, &sealed, &tag) {
            master = Some(k);
            break;
        }
    }
    let master = master.ok_or(ImportError::WrongPassword { format: F })?;
    let ciphertext = Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(db_b64.trim())
            .map_err(|_| ImportError::malformed(F, "db is not base64"))?,
    );
    let nonce = hex(&params.nonce, "header.params.nonce is not hex")?;
    let tag = hex(&params.tag, "header.params.tag is not hex")?;
    crypto::gcm_open(&master, &nonce, &ciphertext, &tag)
        .ok_or(ImportError::IntegrityCheckFailed { format: F })
}

fn read_db(plaintext: &[u8]) -> Result<Import, ImportError> {
    let db: Db = serde_json::from_slice(plaintext)
        .map_err(|e| ImportError::json(F, "expected the vault database object", &e))?;
    if let Some(Num(v)) = db.version
        && !(1..=3).contains(&v)
    {
        return Err(ImportError::UnsupportedVersion {
            format: F,
            version: v,
        });
    }
    let mut out = Import::new();
    for raw in json::entries(&db.entries)? {
        let (label, result) = match json::entry::<Entry>(raw) {
            Ok(entry) => (
                label_of(entry.issuer.as_deref(), &entry.name),
                read_entry(&entry),
            ),
            Err(e) => (String::new(), Err(e)),
        };
        out.push(label, result)?;
    }
    Ok(out)
}

fn read_entry(
    entry: &Entry,
) -> Result<(otpkit::otpauth::Account, Vec<crate::EntryWarning>), EntryError> {
    let otp_type = json::otp_type(&entry.kind)?;
    let secret_text = entry
        .info
        .secret
        .as_ref()
        .ok_or(EntryError::MissingField("info.secret"))?;
    let read = secret_from_base32_lenient(&secret_text.0).map_err(EntryError::Secret)?;
    let mut warnings = read.warnings;
    if let OtpType::Motp | OtpType::Yandex = otp_type {
        return read_pin_entry(entry, &otp_type, &read.secret, warnings);
    }
    let algorithm = json::algorithm(entry.info.algo.as_deref(), "info.algo", &mut warnings)?;
    let digits_raw = entry.info.digits.map(|n| n.0);
    let (kind, digits) = match otp_type {
        OtpType::Totp => (
            Kind::Totp {
                period: json::period(entry.info.period.map(|n| n.0), "info.period", &mut warnings)?,
            },
            json::digits(digits_raw, "info.digits", &mut warnings)?,
        ),
        OtpType::Hotp => (
            Kind::Hotp {
                counter: json::counter(
                    entry.info.counter.map(|n| n.0),
                    "info.counter",
                    &mut warnings,
                )?,
            },
            json::digits(digits_raw, "info.digits", &mut warnings)?,
        ),
        OtpType::Steam => (Kind::Steam, otpkit::Digits::SIX),
        // Returned above.
        OtpType::Motp | OtpType::Yandex => {
            return Err(EntryError::UnsupportedType(entry.kind.clone()));
        }
    };
    Ok((
        json::account(
            entry.issuer.as_deref(),
            &entry.name,
            read.secret,
            algorithm,
            digits,
            kind,
        ),
        warnings,
    ))
}

/// An Aegis `motp` or `yandex` entry (Aegis `MotpInfo`/`YandexInfo`): the secret is
/// Base32 of bytes (mOTP: the bytes whose lowercase hex is the secret text; Yandex:
/// the 16-byte secret, or the 26-byte form with its checksum), `algo` is `MD5` or
/// `SHA256`, `digits` 6 or 8, `period` 10 or 30, and `pin` the PIN.
fn read_pin_entry(
    entry: &Entry,
    otp_type: &OtpType,
    bytes: &otpkit::Secret,
    mut warnings: Vec<crate::EntryWarning>,
) -> Result<(otpkit::otpauth::Account, Vec<crate::EntryWarning>), EntryError> {
    // RFC 4226's 128-bit minimum is not these schemes': an mOTP key is 64 bits (16
    // hex digits), a Yandex secret 128.
    warnings.retain(|w| !matches!(w, crate::EntryWarning::ShortSecret { .. }));
    let (kind, algo, secret) = match otp_type {
        OtpType::Motp => (
            Kind::Motp,
            "MD5",
            otpkit::motp::secret_from_key_bytes(bytes.as_bytes()).map_err(EntryError::Secret)?,
        ),
        OtpType::Yandex => (
            Kind::Yandex,
            "SHA256",
            otpkit::yandex::parse_secret(bytes.as_bytes()).map_err(EntryError::YandexSecret)?,
        ),
        OtpType::Totp | OtpType::Hotp | OtpType::Steam => {
            return Err(EntryError::UnsupportedType(entry.kind.clone()));
        }
    };
    if let Some(got) = entry.info.algo.as_deref()
        && !got.trim().eq_ignore_ascii_case(algo)
    {
        return Err(EntryError::UnsupportedAlgorithm(
            got.chars().take(32).collect(),
        ));
    }
    json::fixed_shape(
        kind,
        entry.info.digits.map(|n| n.0),
        entry.info.period.map(|n| n.0),
        false,
    )?;
    let pin = json::pin(entry.info.pin.as_ref().map(|p| p.0.as_str()), &mut warnings)?;
    let mut account = json::account(
        entry.issuer.as_deref(),
        &entry.name,
        secret,
        otpkit::Algorithm::Sha1,
        otpkit::Digits::SIX,
        kind,
    );
    account.pin = pin;
    Ok((account, warnings))
}
