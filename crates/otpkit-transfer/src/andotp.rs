//! andOTP backups: a JSON array, plain or encrypted.
//!
//! Entries: `secret` (Base32), `issuer`, `label`, `digits`, `type`
//! (TOTP/HOTP/STEAM/MOTP), `algorithm`, `period`, `counter`. Backups written before
//! andOTP had an issuer field keep it in the label as `Issuer - Issuer:name`.
//! Encrypted backups (`.json.aes`) are AES-256-GCM: the current format is
//! `[iterations, u32 big-endian][salt, 12][nonce, 12][ciphertext‖tag]` with the key
//! from PBKDF2-HMAC-SHA1(password, salt, iterations); the old format is
//! `[nonce, 12][ciphertext‖tag]` with key SHA-256(password). GCM's tag is the only
//! check, so a wrong password and a damaged file look the same
//! ([`ImportError::WrongPassword`]).
//!
//! The two formats cannot be told apart before decrypting: the current format is
//! tried first, its PBKDF2 charged to the import's budget, then the old one. An old
//! backup's first four bytes are its random nonce, read as an iteration count that
//! is mostly far beyond any budget; so a current-format derivation the budget
//! refuses (or whose iteration count is zero) is taken as "not this format", and a
//! file neither format opens is [`ImportError::WrongPassword`]. andOTP writes 140 000
//! to 160 000 iterations, well within the default budget; a larger budget
//! ([`crate::ImportOptions`]) opens current-format files with more.

use otpkit::otpauth::Kind;
use otpkit_kdf::{Prf, WorkBudget};
use serde::Deserialize;
use serde_json::value::RawValue;
use zeroize::Zeroizing;

use crate::crypto;
use crate::json::{self, Num, OtpType, SecretText};
use crate::secret::secret_from_base32_lenient;
use crate::{EntryError, EntryWarning, Format, Import, ImportError, label_of};

const F: Format = Format::AndOtp;

#[derive(Deserialize)]
struct Entry {
    secret: Option<SecretText>,
    issuer: Option<String>,
    #[serde(default)]
    label: String,
    digits: Option<Num>,
    #[serde(rename = "type")]
    kind: Option<String>,
    algorithm: Option<String>,
    period: Option<Num>,
    counter: Option<Num>,
}

pub(crate) fn import(
    data: &[u8],
    password: Option<&[u8]>,
    budget: &mut WorkBudget,
) -> Result<Import, ImportError> {
    let first = data.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        return read_entries(data);
    }
    let password = password.ok_or(ImportError::PasswordRequired { format: F })?;
    let plaintext = decrypt(data, password, budget)?;
    read_entries(&plaintext)
}

fn decrypt(
    data: &[u8],
    password: &[u8],
    budget: &mut WorkBudget,
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    if data.len() < 12 + 16 {
        return Err(ImportError::malformed(
            F,
            "too short for an encrypted andOTP backup",
        ));
    }
    // Current format.
    if let (Some(iter_bytes), Some(salt), Some(nonce), Some(sealed)) = (
        data.get(..4),
        data.get(4..16),
        data.get(16..28),
        data.get(28..),
    ) {
        let mut be = [0u8; 4];
        be.copy_from_slice(iter_bytes);
        let iterations = u32::from_be_bytes(be);
        if let Ok(key) = crypto::pbkdf2_key(budget, Prf::Sha1, password, salt, iterations)
            && let Some(plain) = crypto::gcm_open_combined(key.as_slice(), nonce, sealed)
        {
            return Ok(plain);
        }
    }
    // Old format.
    let key = crypto::sha256(password);
    let (nonce, sealed) = data
        .split_at_checked(12)
        .ok_or(ImportError::WrongPassword { format: F })?;
    crypto::gcm_open_combined(key.as_slice(), nonce, sealed)
        .ok_or(ImportError::WrongPassword { format: F })
}

fn read_entries(data: &[u8]) -> Result<Import, ImportError> {
    let entries: Vec<&RawValue> = serde_json::from_slice(data)
        .map_err(|e| ImportError::json(F, "expected a JSON array of andOTP entries", &e))?;
    let mut out = Import::new();
    for raw in json::entries(&entries)? {
        let (label, result) = match json::entry::<Entry>(raw) {
            Ok(entry) => {
                let (issuer, name) = names(&entry);
                (
                    label_of(issuer.as_deref(), &name),
                    read_entry(&entry, issuer, &name),
                )
            }
            Err(e) => (String::new(), Err(e)),
        };
        out.push(label, result)?;
    }
    Ok(out)
}

/// The issuer and name: from `issuer` and `label`, or, without an issuer, from an
/// old-style label `Issuer - Issuer:name`.
fn names(entry: &Entry) -> (Option<String>, String) {
    let strip = |issuer: &str, name: &str| -> String {
        name.strip_prefix(issuer)
            .and_then(|rest| rest.strip_prefix(':'))
            .unwrap_or(name)
            .trim_start()
            .to_owned()
    };
    match entry.issuer.as_deref().filter(|i| !i.is_empty()) {
        Some(issuer) => (Some(issuer.to_owned()), strip(issuer, &entry.label)),
        None => match entry.label.split_once(" - ") {
            Some((issuer, rest)) => (Some(issuer.to_owned()), strip(issuer, rest)),
            None => (None, entry.label.clone()),
        },
    }
}

fn read_entry(
    entry: &Entry,
    issuer: Option<String>,
    name: &str,
) -> Result<(otpkit::otpauth::Account, Vec<EntryWarning>), EntryError> {
    let otp_type = json::otp_type(entry.kind.as_deref().unwrap_or("TOTP"))?;
    let secret = entry
        .secret
        .as_ref()
        .ok_or(EntryError::MissingField("secret"))?;
    let read = secret_from_base32_lenient(&secret.0).map_err(EntryError::Secret)?;
    let mut warnings = read.warnings;
    if let OtpType::Motp = otp_type {
        // andOTP keeps an mOTP secret as the Base32 of the text typed, hashes that
        // text as is, and asks for the PIN when it shows a code: the backup has no
        // PIN. Its `algorithm` and `period` fields are defaults mOTP does not use.
        json::fixed_shape(Kind::Motp, entry.digits.map(|n| n.0), None, true)?;
        // The secret is text, not an RFC 4226 key: its length is not a key's.
        warnings.retain(|w| !matches!(w, EntryWarning::ShortSecret { .. }));
        let pin = json::pin(None, &mut warnings)?;
        let mut account = json::account(
            issuer.as_deref(),
            name,
            read.secret,
            otpkit::Algorithm::Sha1,
            otpkit::Digits::SIX,
            Kind::Motp,
        );
        account.pin = pin;
        return Ok((account, warnings));
    }
    let algorithm = json::algorithm(entry.algorithm.as_deref(), "algorithm", &mut warnings)?;
    let (kind, digits) = match otp_type {
        OtpType::Totp => (
            Kind::Totp {
                period: json::period(entry.period.map(|n| n.0), "period", &mut warnings)?,
            },
            json::digits(entry.digits.map(|n| n.0), "digits", &mut warnings)?,
        ),
        OtpType::Hotp => (
            Kind::Hotp {
                counter: json::counter(entry.counter.map(|n| n.0), "counter", &mut warnings)?,
            },
            json::digits(entry.digits.map(|n| n.0), "digits", &mut warnings)?,
        ),
        OtpType::Steam => (Kind::Steam, otpkit::Digits::SIX),
        // andOTP has no Yandex type; mOTP returned above.
        OtpType::Motp | OtpType::Yandex => {
            return Err(EntryError::UnsupportedType(
                entry.kind.clone().unwrap_or_default(),
            ));
        }
    };
    Ok((
        json::account(
            issuer.as_deref(),
            name,
            read.secret,
            algorithm,
            digits,
            kind,
        ),
        warnings,
    ))
}
