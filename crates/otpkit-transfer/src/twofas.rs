//! 2FAS backups (`.2fas`), plain and encrypted.
//!
//! `{"services": [...], "schemaVersion": N, ...}`. Each service has `name` (shown
//! as the issuer), `secret` (Base32) and `otp` {`account`, `issuer`, `digits`,
//! `period`, `algorithm`, `tokenType` (TOTP/HOTP/STEAM), `counter`}. Schema 1 has no
//! OTP parameters and schema 2 no `tokenType`: those entries are read as TOTP.
//! An encrypted backup has `servicesEncrypted` =
//! `base64(ciphertext‖tag):base64(salt):base64(iv)`, AES-256-GCM under
//! PBKDF2-HMAC-SHA256(password, salt, 10 000 iterations), decrypting to the JSON
//! array of services; `reference` is a known text encrypted the same way (with the
//! same salt), checked first to tell a wrong password from a damaged file.

use base64::Engine as _;
use otpkit::otpauth::Kind;
use otpkit_kdf::{Prf, WorkBudget};
use serde::Deserialize;
use serde_json::value::RawValue;
use zeroize::Zeroizing;

use crate::crypto;
use crate::json::{self, Num, OtpType, SecretText};
use crate::secret::{secret_from_base32_lenient, wiped_vec};
use crate::{EntryError, EntryWarning, Format, Import, ImportError, label_of};

const F: Format = Format::TwoFas;
/// 2FAS's fixed PBKDF2 iteration count.
const ITERATIONS: u32 = 10_000;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Backup<'a> {
    #[serde(default, borrow)]
    services: Vec<&'a RawValue>,
    schema_version: Option<Num>,
    services_encrypted: Option<String>,
    reference: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Service {
    name: Option<String>,
    secret: Option<SecretText>,
    otp: Option<Otp>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Otp {
    account: Option<String>,
    issuer: Option<String>,
    digits: Option<Num>,
    period: Option<Num>,
    algorithm: Option<String>,
    token_type: Option<String>,
    counter: Option<Num>,
}

pub(crate) fn import(
    data: &[u8],
    password: Option<&[u8]>,
    budget: &mut WorkBudget,
) -> Result<Import, ImportError> {
    let backup: Backup = serde_json::from_slice(data)
        .map_err(|e| ImportError::json(F, "expected a 2FAS backup object", &e))?;
    let schema = backup.schema_version.map_or(1, |n| n.0);
    if !(1..=4).contains(&schema) {
        return Err(ImportError::UnsupportedVersion {
            format: F,
            version: schema,
        });
    }
    match &backup.services_encrypted {
        None => read_services(&backup.services, schema),
        Some(sealed) => {
            let password = password.ok_or(ImportError::PasswordRequired { format: F })?;
            let plaintext = decrypt(sealed, backup.reference.as_deref(), password, budget)?;
            let services: Vec<&RawValue> = serde_json::from_slice(&plaintext).map_err(|e| {
                ImportError::json(F, "the decrypted services are not a JSON array", &e)
            })?;
            read_services(&services, schema)
        }
    }
}

struct Sealed {
    data: Zeroizing<Vec<u8>>,
    salt: Vec<u8>,
    iv: Vec<u8>,
}

fn split(text: &str) -> Result<Sealed, ImportError> {
    let b64 = |t: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(t.trim())
            .map_err(|_| ImportError::malformed(F, "servicesEncrypted is not base64:base64:base64"))
    };
    let mut parts = text.split(':');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(data), Some(salt), Some(iv), None) => Ok(Sealed {
            data: Zeroizing::new(b64(data)?),
            salt: b64(salt)?,
            iv: b64(iv)?,
        }),
        _ => Err(ImportError::malformed(
            F,
            "servicesEncrypted is not base64:base64:base64",
        )),
    }
}

fn decrypt(
    sealed: &str,
    reference: Option<&str>,
    password: &[u8],
    budget: &mut WorkBudget,
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let services = split(sealed)?;
    let key = crypto::pbkdf2_key(budget, Prf::Sha256, password, &services.salt, ITERATIONS)
        .map_err(|e| ImportError::kdf(F, e))?;
    if let Some(reference) = reference {
        let reference = split(reference)?;
        // The reference uses the services' salt in every backup seen; derive again if not.
        let ref_key = if reference.salt == services.salt {
            key.clone()
        } else {
            crypto::pbkdf2_key(budget, Prf::Sha256, password, &reference.salt, ITERATIONS)
                .map_err(|e| ImportError::kdf(F, e))?
        };
        if crypto::gcm_open_combined(ref_key.as_slice(), &reference.iv, &reference.data).is_none() {
            return Err(ImportError::WrongPassword { format: F });
        }
        crypto::gcm_open_combined(key.as_slice(), &services.iv, &services.data)
            .ok_or(ImportError::IntegrityCheckFailed { format: F })
    } else {
        crypto::gcm_open_combined(key.as_slice(), &services.iv, &services.data)
            .ok_or(ImportError::WrongPassword { format: F })
    }
}

fn read_services(services: &[&RawValue], schema: i64) -> Result<Import, ImportError> {
    let mut out = Import::new();
    for raw in json::entries(services)? {
        let (label, result) = match json::entry::<Service>(raw) {
            Ok(service) => {
                let name = service
                    .otp
                    .as_ref()
                    .and_then(|o| o.account.as_deref())
                    .unwrap_or("");
                (
                    label_of(service.name.as_deref(), name),
                    read_service(&service, schema),
                )
            }
            Err(e) => (String::new(), Err(e)),
        };
        out.push(label, result)?;
    }
    Ok(out)
}

fn read_service(
    service: &Service,
    schema: i64,
) -> Result<(otpkit::otpauth::Account, Vec<EntryWarning>), EntryError> {
    let secret = service
        .secret
        .as_ref()
        .ok_or(EntryError::MissingField("secret"))?;
    let read = secret_from_base32_lenient(&secret.0).map_err(EntryError::Secret)?;
    let mut warnings = read.warnings;
    let empty = Otp {
        account: None,
        issuer: None,
        digits: None,
        period: None,
        algorithm: None,
        token_type: None,
        counter: None,
    };
    let otp = service.otp.as_ref().unwrap_or(&empty);
    // Schema 1 stores no parameters at all: SHA-1, 6 digits, 30 s by definition.
    let steam = otp
        .token_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("steam"));
    let (algorithm, digits, period) = if schema == 1 {
        wiped_vec::push(&mut warnings, EntryWarning::TypeAssumedTotp);
        (
            otpkit::Algorithm::Sha1,
            otpkit::Digits::SIX,
            otpkit::Period::DEFAULT,
        )
    } else if steam {
        // Steam codes are five characters; 2FAS writes digits 5.
        (
            otpkit::Algorithm::Sha1,
            otpkit::Digits::SIX,
            otpkit::Period::DEFAULT,
        )
    } else {
        (
            json::algorithm(otp.algorithm.as_deref(), "otp.algorithm", &mut warnings)?,
            json::digits(otp.digits.map(|n| n.0), "otp.digits", &mut warnings)?,
            otpkit::Period::DEFAULT,
        )
    };
    let otp_type = match (&otp.token_type, schema) {
        (Some(t), 3..) => json::otp_type(t)?,
        (_, 1) => OtpType::Totp,
        _ => {
            if schema == 2 {
                wiped_vec::push(&mut warnings, EntryWarning::TypeAssumedTotp);
            } else {
                wiped_vec::push(
                    &mut warnings,
                    EntryWarning::Defaulted {
                        field: "otp.tokenType",
                    },
                );
            }
            OtpType::Totp
        }
    };
    let kind = match otp_type {
        OtpType::Totp if schema == 1 => Kind::Totp { period },
        OtpType::Totp => Kind::Totp {
            period: json::period(otp.period.map(|n| n.0), "otp.period", &mut warnings)?,
        },
        OtpType::Hotp => Kind::Hotp {
            counter: json::counter(otp.counter.map(|n| n.0), "otp.counter", &mut warnings)?,
        },
        OtpType::Steam => Kind::Steam,
        // Not read from 2FAS files: refused as before these types were known.
        OtpType::Motp => return Err(EntryError::UnsupportedType("mOTP".to_owned())),
        OtpType::Yandex => return Err(EntryError::UnsupportedType("Yandex".to_owned())),
    };
    if otp
        .issuer
        .as_deref()
        .is_some_and(|i| Some(i) != service.name.as_deref())
    {
        wiped_vec::push(
            &mut warnings,
            EntryWarning::FieldIgnored {
                field: "otp.issuer",
            },
        );
    }
    Ok((
        json::account(
            service.name.as_deref(),
            otp.account.as_deref().unwrap_or(""),
            read.secret,
            algorithm,
            digits,
            kind,
        ),
        warnings,
    ))
}
