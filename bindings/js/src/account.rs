//! Accounts as plain JS objects: `otpauth://` URIs, Google Authenticator exports
//! and `steam://` URIs.

use otpkit_facade::accounts as fa;
use otpkit_facade::records::{AccountKind, AccountRecord, WarningRecord};
use wasm_bindgen::prelude::*;

use crate::args::{self, absent, from_u64, opt_usize, string};
use crate::error::{js, object, set, type_error};
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
  | (AccountBase & { type: "steam" })
  | (AccountBase & { type: "motp" | "yandex"; /** The PIN its codes need; null (or absent) when not known. Secret. */ pin?: string | null });
/** A note for the user about a URI that was accepted. Never contains secret material. */
export interface UriWarning {
  /** The warning's stable name, e.g. "SECRET_LOWERCASE", "SHORT_SECRET", "ISSUER_CONFLICT". */
  code: string;
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
  | { account?: undefined; /** Why, without secret material. */ unusable: string; /** Its stable code, e.g. "UNSUPPORTED_ALGORITHM". */ code: string };
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

/// A facade account as a plain JS object (see the `Account` TypeScript type).
pub(crate) fn to_js(account: &AccountRecord) -> Result<JsValue, JsValue> {
    let obj = object();
    let issuer = account
        .issuer
        .as_deref()
        .map_or(JsValue::NULL, JsValue::from_str);
    set(&obj, "issuer", &issuer);
    set(&obj, "name", &JsValue::from_str(&account.name));
    set(&obj, "secret", &JsValue::from_str(&account.secret));
    set(&obj, "algorithm", &JsValue::from_str(account.algorithm));
    set(&obj, "digits", &JsValue::from(account.digits));
    set(&obj, "type", &JsValue::from_str(account.kind.name()));
    match account.kind {
        AccountKind::Totp { period } => {
            set(&obj, "period", &from_u64(period, "period")?.into());
        }
        AccountKind::Hotp { counter } => set(&obj, "counter", &JsValue::from(counter)),
        AccountKind::Steam => {}
        AccountKind::Motp | AccountKind::Yandex => {
            let pin = account
                .pin
                .as_deref()
                .map_or(JsValue::NULL, JsValue::from_str);
            set(&obj, "pin", &pin);
        }
    }
    let extra = js_sys::Array::new();
    for (name, value) in &account.extra {
        extra.push(&js_sys::Array::of2(&name.into(), &value.into()));
    }
    set(&obj, "extra", &extra);
    Ok(obj)
}

/// Warnings as `{ code, message }` objects.
pub(crate) fn warnings_to_js(warnings: &[WarningRecord]) -> JsValue {
    let out = js_sys::Array::new();
    for w in warnings {
        let obj = object();
        set(&obj, "code", &JsValue::from_str(w.code));
        set(&obj, "message", &JsValue::from_str(&w.message));
        out.push(&obj);
    }
    out.into()
}

fn field(obj: &JsValue, what: &str, key: &str) -> Result<JsValue, JsValue> {
    args::get(obj, key).map_err(|_| type_error(&format!("{what}.{key} cannot be read")))
}

fn field_string(obj: &JsValue, what: &str, key: &str) -> Result<String, JsValue> {
    string(&field(obj, what, key)?, &format!("{what}.{key}"))
}

/// A plain JS account object as a facade account; a `TypeError` names a missing or
/// mistyped field, an `OtpkitError` a value the core rejects.
pub(crate) fn from_js(obj: &JsValue, what: &str) -> Result<AccountRecord, JsValue> {
    if !obj.is_object() || obj.is_function() {
        return Err(type_error(&format!("{what} must be an account object")));
    }
    let issuer = field(obj, what, "issuer")?;
    let issuer = if absent(&issuer) {
        None
    } else {
        Some(string(&issuer, &format!("{what}.issuer"))?)
    };
    let kind = match field_string(obj, what, "type")?.as_str() {
        "totp" => AccountKind::Totp {
            period: args::u64_arg(&field(obj, what, "period")?, &format!("{what}.period"))?,
        },
        "hotp" => AccountKind::Hotp {
            counter: args::counter(&field(obj, what, "counter")?, &format!("{what}.counter"))?,
        },
        "steam" => AccountKind::Steam,
        "motp" => AccountKind::Motp,
        "yandex" => AccountKind::Yandex,
        _ => {
            return Err(type_error(&format!(
                r#"{what}.type must be "totp", "hotp", "steam", "motp" or "yandex""#
            )));
        }
    };
    let pin = match kind {
        AccountKind::Motp | AccountKind::Yandex => {
            let raw = field(obj, what, "pin")?;
            if absent(&raw) {
                None
            } else {
                Some(string(&raw, &format!("{what}.pin"))?)
            }
        }
        AccountKind::Totp { .. } | AccountKind::Hotp { .. } | AccountKind::Steam => None,
    };
    let digits = args::opt_u8(&field(obj, what, "digits")?, &format!("{what}.digits"))?
        .ok_or_else(|| type_error(&format!("{what}.digits must be a number")))?;
    let algorithm = field_string(obj, what, "algorithm")?;
    let algorithm = js(otpkit_facade::args::algorithm(Some(&algorithm)))?.name();
    let mut extra = Vec::new();
    let raw_extra = field(obj, what, "extra")?;
    if !absent(&raw_extra) {
        let bad = || type_error(&format!("{what}.extra must be an array of [name, value]"));
        for pair in args::array(&raw_extra, &format!("{what}.extra"))? {
            let pair = args::array(&pair, "").map_err(|_| bad())?;
            match pair.as_slice() {
                [name, value] => match (name.as_string(), value.as_string()) {
                    (Some(name), Some(value)) => extra.push((name, value)),
                    _ => return Err(bad()),
                },
                _ => return Err(bad()),
            }
        }
    }
    Ok(AccountRecord {
        issuer,
        name: field_string(obj, what, "name")?,
        secret: field_string(obj, what, "secret")?,
        algorithm,
        digits,
        kind,
        pin,
        extra,
    })
}

/// A checked account object as a core account.
fn core_account(account: &JsValue) -> Result<otpkit::Account, JsValue> {
    js(from_js(account, "account")?.to_core())
}

/// Parses an `otpauth://totp/…`, `otpauth://hotp/…` or `otpauth://steam/…` URI as
/// real services and apps write them: the account and the warnings for the user.
#[wasm_bindgen(js_name = parseOtpauthUri, unchecked_return_type = "ParsedUri")]
pub fn parse_otpauth_uri(
    #[wasm_bindgen(unchecked_param_type = "string")] uri: JsValue,
) -> Result<JsValue, JsValue> {
    let parsed = js(fa::parse_otpauth_uri(&string(&uri, "uri")?))?;
    let obj = object();
    set(&obj, "account", &to_js(&parsed.account)?);
    set(&obj, "warnings", &warnings_to_js(&parsed.warnings));
    Ok(obj)
}

/// The canonical `otpauth://` URI of an account, which every authenticator app reads
/// back to the same values. It contains the secret: treat it like the secret.
#[wasm_bindgen(js_name = accountToUri)]
pub fn account_to_uri(
    #[wasm_bindgen(unchecked_param_type = "Account")] account: JsValue,
) -> Result<String, JsValue> {
    js(fa::account_to_uri(&from_js(&account, "account")?))
}

/// The label apps show: `issuer:name`, or the name alone.
#[wasm_bindgen(js_name = accountLabel)]
pub fn account_label(
    #[wasm_bindgen(unchecked_param_type = "Account")] account: JsValue,
) -> Result<String, JsValue> {
    Ok(from_js(&account, "account")?.label())
}

#[wasm_bindgen]
impl Totp {
    /// The generator of a TOTP account; `undefined` for other kinds.
    #[wasm_bindgen(js_name = fromAccount)]
    pub fn from_account(
        #[wasm_bindgen(unchecked_param_type = "Account")] account: JsValue,
    ) -> Result<Option<Totp>, JsValue> {
        Ok(core_account(&account)?.totp().map(Totp))
    }
}

#[wasm_bindgen]
impl Hotp {
    /// The generator of an HOTP account; `undefined` for other kinds.
    #[wasm_bindgen(js_name = fromAccount)]
    pub fn from_account(
        #[wasm_bindgen(unchecked_param_type = "Account")] account: JsValue,
    ) -> Result<Option<Hotp>, JsValue> {
        Ok(core_account(&account)?.hotp().map(Hotp))
    }
}

#[wasm_bindgen]
impl SteamGuard {
    /// The generator of a Steam account; `undefined` for other kinds.
    #[wasm_bindgen(js_name = fromAccount)]
    pub fn from_account(
        #[wasm_bindgen(unchecked_param_type = "Account")] account: JsValue,
    ) -> Result<Option<SteamGuard>, JsValue> {
        Ok(core_account(&account)?.steam().map(SteamGuard))
    }
}

/// Decodes an `otpauth-migration://offline?data=…` URI (a Google Authenticator
/// export QR code). Each entry succeeds or fails on its own.
#[wasm_bindgen(js_name = decodeMigration, unchecked_return_type = "MigrationBatch")]
pub fn decode_migration(
    #[wasm_bindgen(unchecked_param_type = "string")] uri: JsValue,
) -> Result<JsValue, JsValue> {
    let batch = js(fa::decode_migration(&string(&uri, "uri")?))?;
    let entries = js_sys::Array::new();
    for entry in &batch.entries {
        let obj = object();
        match entry {
            Ok(account) => set(&obj, "account", &to_js(account)?),
            Err(e) => {
                set(&obj, "unusable", &JsValue::from_str(&e.detail));
                set(&obj, "code", &JsValue::from_str(e.reason.as_str()));
            }
        }
        entries.push(&obj);
    }
    let obj = object();
    set(&obj, "entries", &entries);
    set(&obj, "version", &batch.version.into());
    set(&obj, "batchSize", &batch.batch_size.into());
    set(&obj, "batchIndex", &batch.batch_index.into());
    set(&obj, "batchId", &batch.batch_id.into());
    Ok(obj)
}

/// Accounts from a JS array of account objects.
pub(crate) fn accounts_from_js(accounts: &JsValue) -> Result<Vec<AccountRecord>, JsValue> {
    args::array(accounts, "accounts")?
        .iter()
        .enumerate()
        .map(|(i, a)| from_js(a, &format!("accounts[{i}]")))
        .collect()
}

/// Writes accounts as `otpauth-migration://` URIs of at most `perBatch` (default 10,
/// as Google Authenticator does) accounts each. Accounts the format cannot express
/// are an error, never silently changed. The URIs contain the secrets.
#[wasm_bindgen(js_name = encodeMigration)]
pub fn encode_migration(
    #[wasm_bindgen(unchecked_param_type = "Account[]")] accounts: JsValue,
    #[wasm_bindgen(js_name = perBatch, unchecked_optional_param_type = "number")]
    per_batch: JsValue,
) -> Result<Vec<String>, JsValue> {
    let accounts = accounts_from_js(&accounts)?;
    let per_batch = opt_usize(&per_batch, "perBatch")?;
    js(fa::encode_migration(&accounts, per_batch))
}

/// The secret of a `steam://BASE32` URI (as Steam Desktop Authenticator exports).
#[wasm_bindgen(js_name = parseSteamUri)]
pub fn parse_steam_uri(
    #[wasm_bindgen(unchecked_param_type = "string")] uri: JsValue,
) -> Result<Secret, JsValue> {
    js(fa::parse_steam_uri(&string(&uri, "uri")?)).map(Secret)
}
