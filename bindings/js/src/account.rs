//! Accounts as plain JS objects: `otpauth://` URIs, Google Authenticator exports
//! and `steam://` URIs.

use otpkit::otpauth as core;
use wasm_bindgen::prelude::*;

use crate::error::{core_error, kind, set, type_error};
use crate::num::{from_u64, to_u8, to_u64};
use crate::otp::algorithm;
use crate::{Hotp, Secret, SteamGuard, Totp};

#[wasm_bindgen(typescript_custom_section)]
const TS_ACCOUNT: &str = r#"
/** What every account has. */
export interface AccountBase {
  /** The service that issued the account; null (or "") for none. */
  issuer: string | null;
  /** The account name, usually a user name or e-mail address. */
  name: string;
  /** The shared secret as canonical Base32. Treat the whole object as secret. */
  secret: string;
  /** The HMAC hash (always "SHA1" for Steam). */
  algorithm: Algorithm;
  /** The code length, 6 to 10 (not used by Steam). */
  digits: number;
  /** Parameters otpkit does not interpret (`image`, `color`, ...), as [name, value], in order. */
  extra: [string, string][];
}
/** One OTP account: what an `otpauth://` URI describes. */
export type Account =
  | (AccountBase & { type: "totp"; /** The time step in seconds. */ period: number })
  | (AccountBase & { type: "hotp"; /** The counter of the next code. */ counter: bigint })
  | (AccountBase & { type: "steam" });
/** A note for the user about a URI that was accepted. Never contains secret material. */
export interface UriWarning {
  /** The core's warning variant in camelCase, e.g. "secretLowercase", "shortSecret", "issuerConflict". */
  kind: string;
  /** A short sentence for the user (the core's text). */
  message: string;
}
/** A parsed `otpauth://` URI. */
export interface ParsedUri {
  account: Account;
  /** What was normalised or doubtful, in the order found; empty for a canonical URI. */
  warnings: UriWarning[];
}
/** One entry of a Google Authenticator export: an account, or why it is unusable. */
export type MigrationEntry =
  | { account: Account; unusable?: undefined }
  | { account?: undefined; /** Why, without secret material. */ unusable: string };
/** One decoded `otpauth-migration://` URI (one QR code of an export). */
export interface MigrationBatch {
  entries: MigrationEntry[];
  /** Payload format version (1 in current exports). */
  version: number;
  /** How many URIs the export has (0 or 1 for a single one). */
  batchSize: number;
  /** This URI's 0-based index among them. */
  batchIndex: number;
  /** The same for every URI of one export. */
  batchId: number;
}
"#;

/// A core account as a plain JS object (see the `Account` TypeScript type).
fn to_js(account: &core::Account) -> Result<JsValue, JsValue> {
    let obj: JsValue = js_sys::Object::new().into();
    let issuer = account
        .issuer
        .as_deref()
        .map_or(JsValue::NULL, JsValue::from_str);
    set(&obj, "issuer", &issuer);
    set(&obj, "name", &JsValue::from_str(&account.name));
    set(
        &obj,
        "secret",
        &JsValue::from_str(&account.secret.base32().to_string()),
    );
    set(
        &obj,
        "algorithm",
        &JsValue::from_str(account.algorithm.name()),
    );
    set(&obj, "digits", &JsValue::from(account.digits.get()));
    match account.kind {
        core::Kind::Totp { period } => {
            set(&obj, "type", &JsValue::from_str("totp"));
            set(
                &obj,
                "period",
                &from_u64(period.seconds(), "period")?.into(),
            );
        }
        core::Kind::Hotp { counter } => {
            set(&obj, "type", &JsValue::from_str("hotp"));
            set(&obj, "counter", &JsValue::from(counter));
        }
        core::Kind::Steam => set(&obj, "type", &JsValue::from_str("steam")),
        _ => return Err(type_error("an account kind this binding does not support")),
    }
    let extra = js_sys::Array::new();
    for (name, value) in &account.extra {
        extra.push(&js_sys::Array::of2(&name.into(), &value.into()));
    }
    set(&obj, "extra", &extra);
    Ok(obj)
}

fn get(obj: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    js_sys::Reflect::get(obj, &JsValue::from_str(key))
}

fn string(obj: &JsValue, key: &str) -> Result<String, JsValue> {
    get(obj, key)?
        .as_string()
        .ok_or_else(|| type_error(&format!("account.{key} must be a string")))
}

fn number(obj: &JsValue, key: &str) -> Result<f64, JsValue> {
    get(obj, key)?
        .as_f64()
        .ok_or_else(|| type_error(&format!("account.{key} must be a number")))
}

/// A plain JS account object as a core account; a `TypeError` names a missing or
/// mistyped field, the core's own error a value it rejects.
fn from_js(obj: &JsValue) -> Result<core::Account, JsValue> {
    if !obj.is_object() {
        return Err(type_error("an account must be an object"));
    }
    let issuer = get(obj, "issuer")?;
    let issuer = if issuer.is_null() || issuer.is_undefined() {
        None
    } else {
        Some(
            issuer
                .as_string()
                .ok_or_else(|| type_error("account.issuer must be a string or null"))?,
        )
    };
    let secret =
        otpkit::Secret::from_base32_with(&string(obj, "secret")?, otpkit::LengthPolicy::AllowShort)
            .map_err(|e| core_error("SecretError", &e))?;
    let digits = otpkit::Digits::new(to_u8(number(obj, "digits")?, "account.digits")?)
        .map_err(|e| core_error("DigitsError", &e))?;
    let kind = match string(obj, "type")?.as_str() {
        "totp" => core::Kind::Totp {
            period: otpkit::Period::new(to_u64(number(obj, "period")?, "account.period")?)
                .map_err(|e| core_error("TimeError", &e))?,
        },
        "hotp" => core::Kind::Hotp {
            counter: u64::try_from(get(obj, "counter")?).map_err(|_| {
                type_error("account.counter must be a bigint from 0n to 2n ** 64n - 1n")
            })?,
        },
        "steam" => core::Kind::Steam,
        _ => {
            return Err(type_error(
                r#"account.type must be "totp", "hotp" or "steam""#,
            ));
        }
    };
    let mut extra = Vec::new();
    let raw_extra = get(obj, "extra")?;
    if !raw_extra.is_undefined() && !raw_extra.is_null() {
        let pairs: js_sys::Array = raw_extra
            .dyn_into()
            .map_err(|_| type_error("account.extra must be an array of [name, value]"))?;
        for pair in pairs.iter() {
            let pair: js_sys::Array = pair
                .dyn_into()
                .map_err(|_| type_error("account.extra must be an array of [name, value]"))?;
            match (
                pair.get(0).as_string(),
                pair.get(1).as_string(),
                pair.length(),
            ) {
                (Some(name), Some(value), 2) => extra.push((name, value)),
                _ => {
                    return Err(type_error(
                        "account.extra must be an array of [name, value]",
                    ));
                }
            }
        }
    }
    Ok(core::Account {
        issuer,
        name: string(obj, "name")?,
        secret,
        algorithm: algorithm(Some(string(obj, "algorithm")?))?,
        digits,
        kind,
        extra,
    })
}

/// Parses an `otpauth://totp/…`, `otpauth://hotp/…` or `otpauth://steam/…` URI as
/// real services and apps write them: the account and the warnings for the user.
#[wasm_bindgen(js_name = parseOtpauthUri, unchecked_return_type = "ParsedUri")]
pub fn parse_otpauth_uri(uri: &str) -> Result<JsValue, JsValue> {
    let parsed = core::Account::parse(uri).map_err(|e| core_error("UriError", &e))?;
    let warnings = js_sys::Array::new();
    for w in &parsed.warnings {
        let obj: JsValue = js_sys::Object::new().into();
        set(&obj, "kind", &JsValue::from_str(&kind(w)));
        set(&obj, "message", &JsValue::from_str(&w.to_string()));
        warnings.push(&obj);
    }
    let obj: JsValue = js_sys::Object::new().into();
    set(&obj, "account", &to_js(&parsed.account)?);
    set(&obj, "warnings", &warnings);
    Ok(obj)
}

/// The canonical `otpauth://` URI of an account, which every authenticator app reads
/// back to the same values. It contains the secret: treat it like the secret.
#[wasm_bindgen(js_name = accountToUri)]
pub fn account_to_uri(
    #[wasm_bindgen(unchecked_param_type = "Account")] account: JsValue,
) -> Result<String, JsValue> {
    Ok(from_js(&account)?.to_uri())
}

/// The label apps show: `issuer:name`, or the name alone.
#[wasm_bindgen(js_name = accountLabel)]
pub fn account_label(
    #[wasm_bindgen(unchecked_param_type = "Account")] account: JsValue,
) -> Result<String, JsValue> {
    Ok(from_js(&account)?.label())
}

#[wasm_bindgen]
impl Totp {
    /// The generator of a TOTP account; `undefined` for other kinds.
    #[wasm_bindgen(js_name = fromAccount)]
    pub fn from_account(
        #[wasm_bindgen(unchecked_param_type = "Account")] account: JsValue,
    ) -> Result<Option<Totp>, JsValue> {
        Ok(from_js(&account)?.totp().map(Totp))
    }
}

#[wasm_bindgen]
impl Hotp {
    /// The generator of an HOTP account; `undefined` for other kinds.
    #[wasm_bindgen(js_name = fromAccount)]
    pub fn from_account(
        #[wasm_bindgen(unchecked_param_type = "Account")] account: JsValue,
    ) -> Result<Option<Hotp>, JsValue> {
        Ok(from_js(&account)?.hotp().map(Hotp))
    }
}

#[wasm_bindgen]
impl SteamGuard {
    /// The generator of a Steam account; `undefined` for other kinds.
    #[wasm_bindgen(js_name = fromAccount)]
    pub fn from_account(
        #[wasm_bindgen(unchecked_param_type = "Account")] account: JsValue,
    ) -> Result<Option<SteamGuard>, JsValue> {
        Ok(from_js(&account)?.steam().map(SteamGuard))
    }
}

/// Decodes an `otpauth-migration://offline?data=…` URI (a Google Authenticator
/// export QR code). Each entry succeeds or fails on its own.
#[wasm_bindgen(js_name = decodeMigration, unchecked_return_type = "MigrationBatch")]
pub fn decode_migration(uri: &str) -> Result<JsValue, JsValue> {
    let batch =
        otpkit::migration::decode_batch(uri).map_err(|e| core_error("MigrationError", &e))?;
    let entries = js_sys::Array::new();
    for entry in &batch.entries {
        let obj: JsValue = js_sys::Object::new().into();
        match entry {
            Ok(account) => set(&obj, "account", &to_js(account)?),
            Err(e) => set(&obj, "unusable", &JsValue::from_str(&e.to_string())),
        }
        entries.push(&obj);
    }
    let obj: JsValue = js_sys::Object::new().into();
    set(&obj, "entries", &entries);
    set(&obj, "version", &batch.version.into());
    set(&obj, "batchSize", &batch.batch_size.into());
    set(&obj, "batchIndex", &batch.batch_index.into());
    set(&obj, "batchId", &batch.batch_id.into());
    Ok(obj)
}

/// Writes accounts as `otpauth-migration://` URIs of at most `perBatch` (default 10,
/// as Google Authenticator does) accounts each. Accounts the format cannot express
/// are an error, never silently changed. The URIs contain the secrets.
#[wasm_bindgen(js_name = encodeMigration)]
pub fn encode_migration(
    #[wasm_bindgen(unchecked_param_type = "Account[]")] accounts: Vec<JsValue>,
    #[wasm_bindgen(js_name = perBatch)] per_batch: Option<f64>,
) -> Result<Vec<String>, JsValue> {
    let accounts = accounts
        .iter()
        .map(from_js)
        .collect::<Result<Vec<_>, _>>()?;
    let per_batch = per_batch.map_or(Ok(10), |n| to_u64(n, "perBatch"))?;
    let per_batch = usize::try_from(per_batch).unwrap_or(usize::MAX);
    otpkit::migration::encode(&accounts, per_batch)
        .map_err(|e| core_error("MigrationEncodeError", &e))
}

/// The secret of a `steam://BASE32` URI (as Steam Desktop Authenticator exports).
#[wasm_bindgen(js_name = parseSteamUri)]
pub fn parse_steam_uri(uri: &str) -> Result<Secret, JsValue> {
    otpkit::steam::parse_steam_uri(uri)
        .map(Secret)
        .map_err(|e| core_error("SteamUriError", &e))
}
