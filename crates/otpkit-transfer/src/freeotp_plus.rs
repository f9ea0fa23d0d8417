//! FreeOTP+ JSON export: `{"tokens": [...], "tokenOrder": [...]}`.
//!
//! Each token: `type` (TOTP/HOTP), `issuerExt` (the issuer shown), `label`, `algo`,
//! `digits`, `period`, `counter` and `secret` as a JSON array of signed bytes (Java's
//! `byte[]`). The counter is read as stored (the counter of the next code).

use otpkit::otpauth::Kind;
use serde::Deserialize;
use serde_json::value::RawValue;
use zeroize::Zeroizing;

use crate::json::{self, Num, OtpType};
use crate::secret::secret_from_bytes;
use crate::{EntryError, EntryWarning, Format, Import, ImportError, label_of};

const F: Format = Format::FreeOtpPlus;

#[derive(Deserialize)]
struct Export<'a> {
    #[serde(borrow)]
    tokens: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Token {
    #[serde(rename = "type")]
    kind: Option<String>,
    issuer_ext: Option<String>,
    issuer_int: Option<String>,
    #[serde(default)]
    pub(crate) label: String,
    algo: Option<String>,
    digits: Option<Num>,
    period: Option<Num>,
    counter: Option<Num>,
    secret: Option<SecretBytes>,
}

/// A JSON array of at most `MAX` bytes, signed (-128..=127) or not, wiped on drop.
pub(crate) struct SecretBytes<const MAX: usize = { otpkit::MAX_SECRET_LEN }>(
    pub(crate) Zeroizing<Vec<u8>>,
);

impl<'de, const MAX: usize> Deserialize<'de> for SecretBytes<MAX> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<const MAX: usize>;
        impl<'de, const MAX: usize> serde::de::Visitor<'de> for V<MAX> {
            type Value = SecretBytes<MAX>;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("an array of bytes")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<SecretBytes<MAX>, A::Error> {
                let mut out = Zeroizing::new(Vec::with_capacity(64));
                while let Some(b) = seq.next_element::<i64>()? {
                    if out.len() >= MAX {
                        return Err(serde::de::Error::custom("too many bytes"));
                    }
                    let byte = i8::try_from(b)
                        .map(|s| s.to_ne_bytes()[0])
                        .or_else(|_| u8::try_from(b))
                        .map_err(|_| serde::de::Error::custom("not a byte"))?;
                    out.push(byte);
                }
                Ok(SecretBytes(out))
            }
        }
        d.deserialize_seq(V::<MAX>)
    }
}

pub(crate) fn import(data: &[u8]) -> Result<Import, ImportError> {
    if crate::android::looks_like_xml(data) {
        return crate::freeotp::import_tokens_xml(F, data);
    }
    let export: Export = serde_json::from_slice(data)
        .map_err(|e| ImportError::json(F, "expected a FreeOTP+ export object with tokens", &e))?;
    let mut out = Import::new();
    for raw in json::entries(&export.tokens)? {
        let (label, result) = match json::entry::<Token>(raw) {
            Ok(token) => (
                label_of(issuer(&token), &token.label),
                read_token(&token, None),
            ),
            Err(e) => (String::new(), Err(e)),
        };
        out.push(label, result)?;
    }
    Ok(out)
}

pub(crate) fn issuer(token: &Token) -> Option<&str> {
    token
        .issuer_ext
        .as_deref()
        .filter(|i| !i.is_empty())
        .or(token.issuer_int.as_deref())
}

/// Reads a token; its secret is `secret` when given (FreeOTP 2 keeps it apart from
/// the token), else the token's own `secret`.
pub(crate) fn read_token(
    token: &Token,
    secret: Option<&[u8]>,
) -> Result<(otpkit::otpauth::Account, Vec<EntryWarning>), EntryError> {
    let otp_type = json::otp_type(token.kind.as_deref().unwrap_or("TOTP"))?;
    let mut warnings = Vec::new();
    let bytes = match secret {
        Some(bytes) => bytes,
        None => token
            .secret
            .as_ref()
            .map(|s| s.0.as_slice())
            .ok_or(EntryError::MissingField("secret"))?,
    };
    let secret = secret_from_bytes(bytes, &mut warnings).map_err(EntryError::Secret)?;
    let algorithm = json::algorithm(token.algo.as_deref(), "algo", &mut warnings)?;
    let digits = json::digits(token.digits.map(|n| n.0), "digits", &mut warnings)?;
    let kind = match otp_type {
        OtpType::Totp => Kind::Totp {
            period: json::period(token.period.map(|n| n.0), "period", &mut warnings)?,
        },
        OtpType::Hotp => Kind::Hotp {
            counter: json::counter(token.counter.map(|n| n.0), "counter", &mut warnings)?,
        },
        OtpType::Steam => Kind::Steam,
        // FreeOTP+ has no such types; refused as before they were known.
        OtpType::Motp | OtpType::Yandex => {
            return Err(EntryError::UnsupportedType(
                token.kind.clone().unwrap_or_default(),
            ));
        }
    };
    Ok((
        json::account(issuer(token), &token.label, secret, algorithm, digits, kind),
        warnings,
    ))
}
