//! Authenticator Pro (Stratum) plain backup: `{"Authenticators": [...], ...}`.
//!
//! Each authenticator: `Type` (1 HOTP, 2 TOTP, 3 mOTP, 4 Steam, 5 Yandex), `Issuer`,
//! `Username`, `Secret` (Base32), `Algorithm` (0 SHA-1, 1 SHA-256, 2 SHA-512),
//! `Digits`, `Period`, `Counter`, and for mOTP `Pin`. Encrypted backups (Argon2id or
//! PBKDF2 with AES) are not read yet.
//!
//! mOTP (`Generator/MobileOtp.cs` in stratumauth/app and its Authenticator Pro
//! predecessors): the code is MD5 of `unix / 10`, the `Secret` text as typed (not
//! Base32) and the PIN. Current versions keep the PIN in `Pin`; older ones had no
//! `Pin` and kept the PIN at the end of `Secret`, hashing the two as one text. Both
//! give the same codes here: with `Pin` the account's PIN is it; without, the last
//! four characters (Authenticator Pro's PIN length) are taken as the PIN, which the
//! hash sees in the same place. `Period` is only how often the app refreshes.
//! Yandex (type 5) is not read: which secret form its backups hold has not been
//! checked against a sample.

use otpkit::Algorithm;
use otpkit::otpauth::Kind;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::json::{self, Num, SecretText};
use crate::secret::{secret_from_base32_lenient, wiped_vec};
use crate::{EntryError, EntryWarning, Format, Import, ImportError, label_of};

const F: Format = Format::AuthenticatorPro;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Backup<'a> {
    #[serde(borrow)]
    authenticators: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Authenticator {
    #[serde(rename = "Type")]
    kind: Option<Num>,
    issuer: Option<String>,
    username: Option<String>,
    secret: Option<SecretText>,
    algorithm: Option<Num>,
    digits: Option<Num>,
    period: Option<Num>,
    counter: Option<Num>,
    pin: Option<SecretText>,
}

/// Authenticator Pro's mOTP PIN length (`MobileOtp.PinLength`).
const MOTP_PIN_LEN: usize = 4;

pub(crate) fn import(data: &[u8]) -> Result<Import, ImportError> {
    if data.starts_with(b"AUTHENTICATORPRO") || data.starts_with(b"AuthenticatorPro") {
        return Err(ImportError::UnsupportedEncryption {
            format: F,
            what: "encrypted Authenticator Pro backups are not supported yet",
        });
    }
    let backup: Backup = serde_json::from_slice(data)
        .map_err(|e| ImportError::json(F, "expected an Authenticator Pro backup object", &e))?;
    let mut out = Import::new();
    for raw in json::entries(&backup.authenticators)? {
        let (label, result) = match json::entry::<Authenticator>(raw) {
            Ok(a) => (
                label_of(a.issuer.as_deref(), a.username.as_deref().unwrap_or("")),
                read(&a),
            ),
            Err(e) => (String::new(), Err(e)),
        };
        out.push(label, result)?;
    }
    Ok(out)
}

fn read(a: &Authenticator) -> Result<(otpkit::otpauth::Account, Vec<EntryWarning>), EntryError> {
    let kind_code = a.kind.ok_or(EntryError::MissingField("Type"))?.0;
    if kind_code == 3 {
        return read_motp(a);
    }
    let type_name = match kind_code {
        1 | 2 | 4 => None,
        5 => Some("Yandex"),
        _ => Some("unknown"),
    };
    if let Some(name) = type_name {
        return Err(EntryError::UnsupportedType(name.to_owned()));
    }
    let secret = a
        .secret
        .as_ref()
        .ok_or(EntryError::MissingField("Secret"))?;
    let read = secret_from_base32_lenient(&secret.0).map_err(EntryError::Secret)?;
    let mut warnings = read.warnings;
    let algorithm = match a.algorithm.map(|n| n.0) {
        None => {
            wiped_vec::push(
                &mut warnings,
                EntryWarning::Defaulted { field: "Algorithm" },
            );
            Algorithm::Sha1
        }
        Some(0) => Algorithm::Sha1,
        Some(1) => Algorithm::Sha256,
        Some(2) => Algorithm::Sha512,
        Some(other) => return Err(EntryError::UnsupportedAlgorithm(other.to_string())),
    };
    let (kind, digits, algorithm) = match kind_code {
        1 => (
            Kind::Hotp {
                counter: json::counter(a.counter.map(|n| n.0), "Counter", &mut warnings)?,
            },
            json::digits(a.digits.map(|n| n.0), "Digits", &mut warnings)?,
            algorithm,
        ),
        4 => (Kind::Steam, otpkit::Digits::SIX, Algorithm::Sha1),
        _ => (
            Kind::Totp {
                period: json::period(a.period.map(|n| n.0), "Period", &mut warnings)?,
            },
            json::digits(a.digits.map(|n| n.0), "Digits", &mut warnings)?,
            algorithm,
        ),
    };
    Ok((
        json::account(
            a.issuer.as_deref(),
            a.username.as_deref().unwrap_or(""),
            read.secret,
            algorithm,
            digits,
            kind,
        ),
        warnings,
    ))
}

/// An mOTP authenticator (type 3): see the module documentation.
fn read_motp(
    a: &Authenticator,
) -> Result<(otpkit::otpauth::Account, Vec<EntryWarning>), EntryError> {
    let text = a
        .secret
        .as_ref()
        .ok_or(EntryError::MissingField("Secret"))?;
    json::fixed_shape(Kind::Motp, a.digits.map(|n| n.0), None, true)?;
    let mut warnings = Vec::new();
    let given_pin = a
        .pin
        .as_ref()
        .map(|p| p.0.as_str())
        .filter(|p| !p.is_empty());
    let (secret_text, pin) = match given_pin {
        Some(pin) => (
            text.0.as_str(),
            Some(otpkit::Pin::new(pin).map_err(EntryError::Pin)?),
        ),
        None => {
            let split = text
                .0
                .len()
                .checked_sub(MOTP_PIN_LEN)
                .filter(|at| *at > 0 && text.0.is_char_boundary(*at));
            match split.and_then(|at| Some((text.0.get(..at)?, text.0.get(at..)?))) {
                Some((secret, pin)) => (
                    secret,
                    Some(otpkit::Pin::new(pin).map_err(EntryError::Pin)?),
                ),
                None => (text.0.as_str(), json::pin(None, &mut warnings)?),
            }
        }
    };
    let secret =
        otpkit::Secret::from_bytes_with(secret_text.as_bytes(), otpkit::LengthPolicy::AllowShort)
            .map_err(EntryError::Secret)?;
    let mut account = json::account(
        a.issuer.as_deref(),
        a.username.as_deref().unwrap_or(""),
        secret,
        Algorithm::Sha1,
        otpkit::Digits::SIX,
        Kind::Motp,
    );
    account.pin = pin;
    Ok((account, warnings))
}
