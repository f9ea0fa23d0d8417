//! Authenticator-app backups in and out (encrypted ones too), PSKC containers in.

use otpkit_facade::records::{ImportRecord, PortabilityRecord};
use otpkit_facade::{assembler, portability, transfer as ft};
use wasm_bindgen::prelude::*;

use crate::account::{accounts_from_js, to_js, warnings_to_js};
use crate::args::{self, opt_bool, opt_text_or_bytes, string, text_or_bytes};
use crate::error::{js, object, quiet_record, set};
use crate::secret::Wiped;

#[wasm_bindgen(typescript_custom_section)]
const TS_TRANSFER: &str = r#"
/** A format importAccounts reads. */
export type ImportFormat = "otpauth-list" | "google-migration" | "aegis" | "2fas" | "andotp" | "bitwarden" | "freeotp-plus" | "authenticator-pro" | "cxf" | "freeotp" | "authy" | "battle-net" | "totp-authenticator" | "keepass" | "qr-image" | "lastpass" | "proton-authenticator" | "duo" | "ente" | "steam" | "winauth" | "authenticator-plus" | "proton-pass" | "google-authenticator" | "microsoft-authenticator";
/** A format exportAccounts writes. */
export type ExportFormat = "otpauth-list" | "google-migration" | "aegis" | "cxf" | "pskc";
/** One entry of an imported file: imported (with warnings) or refused (with why). */
export interface ImportEntry {
  /** 0-based position in the file. */
  index: number;
  /** The entry's label as the file shows it. */
  label: string;
  warnings: UriWarning[];
  /** Refused: why, without secret material. */
  error?: string;
  /** Refused: the stable code of why. */
  code?: string;
}
/** An imported file; `String(result)` summarises it. */
export interface ImportResult {
  accounts: Account[];
  entries: ImportEntry[];
  /** Google migration: batch indexes of the export missing from the file. */
  missingBatches: number[];
}
/** An export: the file's text (one URI per QR code for a Google export) and what it lost. */
export interface ExportResult {
  output: string[];
  notes: string[];
}
/** The key-derivation budget of one import (defaults: about 1 s of one core, 256 MiB). */
export interface KdfOptions {
  /** Work units for all the key derivations of the file (default 1 000 000). */
  kdfBudget?: number;
  /** Bytes one derivation may use (default 268 435 456). */
  kdfMemory?: number;
}
/** How to open a PSKC container. */
export interface PskcOptions extends KdfOptions {
  /** A pre-shared key (RFC 6030 §6.1), raw bytes. */
  preSharedKey?: Uint8Array;
  /** A password (RFC 6030 §6.2). */
  password?: string | Uint8Array;
  /** Accept encrypted values in a file without a MAC (not integrity-protected). */
  allowUnauthenticated?: boolean;
}
/** One app that would mishandle an account, with the public reports that say so. */
export interface PortabilityFinding {
  /** "GOOGLE_AUTHENTICATOR", "MICROSOFT_AUTHENTICATOR" or "AUTHY". */
  app: string;
  appName: string;
  /** "ALGORITHM_IGNORED", "DIGITS_IGNORED", "DIGITS_UNSUPPORTED", "PERIOD_IGNORED", "LOWERCASE_ALGORITHM" or "TYPE_UNSUPPORTED". */
  problem: string;
  message: string;
  when: string;
  versions: string;
  sources: string[];
}
/** One key of a PSKC container: its account, or why it was not read. */
export interface PskcKey {
  keyId: string | null;
  serialNumber: string | null;
  account?: Account;
  /** "inTheClear", "macChecked" or "notIntegrityProtected". */
  protection?: string;
  error?: string;
  code?: string;
}
"#;

fn opt_str(v: Option<&str>) -> JsValue {
    v.map_or(JsValue::NULL, JsValue::from_str)
}

/// The `kdfBudget` / `kdfMemory` of an options object.
fn kdf_budget(options: &JsValue, what: &str) -> Result<otpkit_facade::WorkBudget, JsValue> {
    let work = args::opt_u64(
        &args::get(options, "kdfBudget")?,
        &format!("{what}.kdfBudget"),
    )?;
    let memory = args::opt_u64(
        &args::get(options, "kdfMemory")?,
        &format!("{what}.kdfMemory"),
    )?;
    Ok(otpkit_facade::args::kdf_budget(work, memory))
}

/// Reads an authenticator app's export (`data` as text or bytes), decrypting it
/// with `password` when it is encrypted; every key derivation is charged to
/// `options.kdfBudget` / `options.kdfMemory` first. A wrong or missing password is an
/// `OtpkitError` of category `Password`; each entry is imported or refused on its own.
#[wasm_bindgen(js_name = importAccounts, unchecked_return_type = "ImportResult")]
pub fn import_accounts(
    #[wasm_bindgen(unchecked_param_type = "ImportFormat")] format: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] data: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string | Uint8Array")] password: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "KdfOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let format = string(&format, "format")?;
    let data = Wiped(text_or_bytes(&data, "data")?);
    let password = opt_text_or_bytes(&password, "password")?.map(Wiped);
    args::options(&options, "options", &["kdfBudget", "kdfMemory"])?;
    let budget = kdf_budget(&options, "options")?;
    let import = js(ft::import_accounts(
        &format,
        &data.0,
        password.as_ref().map(|p| p.0.as_slice()),
        budget,
    ))?;
    import_to_js(&import)
}

/// Every format `importAccounts` reads, by name, in the docs' order.
#[wasm_bindgen(js_name = importFormats, unchecked_return_type = "ImportFormat[]")]
pub fn import_formats() -> Vec<String> {
    ft::import_formats()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// The format of `data` (text or bytes) told from its content alone: a name
/// `importAccounts` takes, `"pskc"` for a PSKC container (read it with `importPskc`),
/// or `undefined` when the content does not tell (an encrypted andOTP backup never
/// does).
#[wasm_bindgen(js_name = detectFormat, unchecked_return_type = "ImportFormat | \"pskc\" | undefined")]
pub fn detect_format(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] data: JsValue,
) -> Result<Option<String>, JsValue> {
    let data = Wiped(text_or_bytes(&data, "data")?);
    Ok(ft::detect_format(&data.0).map(str::to_owned))
}

/// An import's record as the plain object `ImportResult`.
pub(crate) fn import_to_js(import: &ImportRecord) -> Result<JsValue, JsValue> {
    let obj = quiet_record(&import.to_string());
    let accounts = js_sys::Array::new();
    for a in &import.accounts {
        accounts.push(&to_js(a)?);
    }
    let entries = js_sys::Array::new();
    for e in &import.entries {
        let entry = object();
        set(&entry, "index", &JsValue::from(e.index as f64));
        set(&entry, "label", &JsValue::from_str(&e.label));
        set(&entry, "warnings", &warnings_to_js(&e.warnings));
        if let Some(err) = &e.error {
            set(&entry, "error", &JsValue::from_str(&err.detail));
            set(&entry, "code", &JsValue::from_str(err.reason.as_str()));
        }
        entries.push(&entry);
    }
    let missing = js_sys::Array::new();
    for i in &import.missing_batches {
        missing.push(&JsValue::from(*i as f64));
    }
    set(&obj, "accounts", &accounts);
    set(&obj, "entries", &entries);
    set(&obj, "missingBatches", &missing);
    Ok(obj)
}

/// Writes accounts as an `otpauth://` list, Google Authenticator export URIs, an
/// Aegis vault, CXF JSON or a PSKC container (Aegis and PSKC are encrypted with
/// `password` when given; the others take none). What the format cannot carry is
/// listed in `notes`. The output holds the secrets unless encrypted.
#[wasm_bindgen(js_name = exportAccounts, unchecked_return_type = "ExportResult")]
pub fn export_accounts(
    #[wasm_bindgen(unchecked_param_type = "ExportFormat")] format: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Account[]")] accounts: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string | Uint8Array")] password: JsValue,
) -> Result<JsValue, JsValue> {
    let format = string(&format, "format")?;
    let accounts = accounts_from_js(&accounts)?;
    let password = opt_text_or_bytes(&password, "password")?.map(Wiped);
    let out = js(ft::export_accounts(
        &format,
        &accounts,
        password.as_ref().map(|p| p.0.as_slice()),
    ))?;
    let obj = quiet_record(&out.to_string());
    let output = js_sys::Array::new();
    for o in &out.output {
        output.push(&JsValue::from_str(o));
    }
    let notes = js_sys::Array::new();
    for n in &out.notes {
        notes.push(&JsValue::from_str(n));
    }
    set(&obj, "output", &output);
    set(&obj, "notes", &notes);
    Ok(obj)
}

/// Reads a PSKC (RFC 6030) key container (`xml` as text or bytes), decrypted with
/// `options.preSharedKey` or `options.password` (not both), the password's key
/// derivation charged to `options.kdfBudget` / `options.kdfMemory` first.
#[wasm_bindgen(js_name = importPskc, unchecked_return_type = "PskcKey[]")]
pub fn import_pskc(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "PskcOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let xml = text_or_bytes(&xml, "xml")?;
    args::options(
        &options,
        "options",
        &[
            "preSharedKey",
            "password",
            "allowUnauthenticated",
            "kdfBudget",
            "kdfMemory",
        ],
    )?;
    let key = args::get(&options, "preSharedKey")?;
    let key = if args::absent(&key) {
        None
    } else {
        Some(Wiped(args::bytes(&key, "options.preSharedKey")?))
    };
    let password =
        opt_text_or_bytes(&args::get(&options, "password")?, "options.password")?.map(Wiped);
    let allow = opt_bool(
        &args::get(&options, "allowUnauthenticated")?,
        "options.allowUnauthenticated",
    )?;
    let keys = js(ft::import_pskc(
        &xml,
        key.as_ref().map(|k| k.0.as_slice()),
        password.as_ref().map(|p| p.0.as_slice()),
        allow,
        kdf_budget(&options, "options")?,
    ))?;
    let out = js_sys::Array::new();
    for k in &keys {
        let obj = quiet_record(&k.to_string());
        set(&obj, "keyId", &opt_str(k.key_id.as_deref()));
        set(&obj, "serialNumber", &opt_str(k.serial_number.as_deref()));
        if let Some(a) = &k.account {
            set(&obj, "account", &to_js(a)?);
        }
        if let Some(p) = k.protection {
            set(&obj, "protection", &JsValue::from_str(p));
        }
        if let Some(e) = &k.error {
            set(&obj, "error", &JsValue::from_str(&e.detail));
            set(&obj, "code", &JsValue::from_str(e.reason.as_str()));
        }
        out.push(&obj);
    }
    Ok(out.into())
}

/// Collects the QR codes of one Google Authenticator "Transfer accounts" export as
/// they are scanned, in any order; `missing()` says which are still to scan.
#[wasm_bindgen]
#[derive(Default)]
pub struct MigrationAssembler {
    inner: assembler::MigrationAssembler,
}

#[wasm_bindgen]
impl MigrationAssembler {
    /// An empty assembler.
    #[wasm_bindgen(constructor)]
    pub fn new() -> MigrationAssembler {
        MigrationAssembler::default()
    }

    /// Adds one scanned `otpauth-migration://` URI: `true` for a QR code not seen
    /// before, `false` for the same one again.
    pub fn add(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] uri: JsValue,
    ) -> Result<bool, JsValue> {
        js(self.inner.add(&string(&uri, "uri")?))
    }

    /// The 0-based indexes of the QR codes not scanned yet.
    #[wasm_bindgen(unchecked_return_type = "number[]")]
    pub fn missing(&self) -> JsValue {
        let out = js_sys::Array::new();
        for i in self.inner.missing() {
            out.push(&JsValue::from(i as f64));
        }
        out.into()
    }

    /// How many QR codes the export has (`null` before the first).
    #[wasm_bindgen(js_name = batchSize)]
    pub fn batch_size(&self) -> Option<f64> {
        self.inner.batch_size().map(|n| n as f64)
    }

    /// Whether every QR code was scanned.
    #[wasm_bindgen(js_name = isComplete)]
    pub fn is_complete(&self) -> bool {
        self.inner.is_complete()
    }

    /// The accounts of the QR codes scanned, and those missing; empties the assembler.
    #[wasm_bindgen(unchecked_return_type = "ImportResult")]
    pub fn finish(&mut self) -> Result<JsValue, JsValue> {
        import_to_js(&self.inner.finish())
    }

    /// `MigrationAssembler(2 of 3 QR codes)`.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        match self.inner.batch_size() {
            None => "MigrationAssembler(no QR code yet)".to_owned(),
            Some(n) => format!(
                "MigrationAssembler({} of {n} QR codes)",
                n.saturating_sub(self.inner.missing().len() as u64)
            ),
        }
    }
}

fn findings_to_js(found: &[PortabilityRecord]) -> JsValue {
    let out = js_sys::Array::new();
    for f in found {
        let obj = quiet_record(&f.to_string());
        set(&obj, "app", &JsValue::from_str(f.app));
        set(&obj, "appName", &JsValue::from_str(&f.app_name));
        set(&obj, "problem", &JsValue::from_str(f.problem));
        set(&obj, "message", &JsValue::from_str(&f.message));
        set(&obj, "when", &JsValue::from_str(f.when));
        set(&obj, "versions", &JsValue::from_str(f.versions));
        let sources = js_sys::Array::new();
        for s in &f.sources {
            sources.push(&JsValue::from_str(s));
        }
        set(&obj, "sources", &sources);
        out.push(&obj);
    }
    out.into()
}

/// Which well-known apps would mishandle `account` (Microsoft Authenticator and
/// Authy ignore SHA-256, …), with the public reports that say so; empty for SHA-1,
/// 6 digits and 30 s.
#[wasm_bindgen(js_name = checkPortability, unchecked_return_type = "PortabilityFinding[]")]
pub fn check_portability(
    #[wasm_bindgen(unchecked_param_type = "Account")] account: JsValue,
) -> Result<JsValue, JsValue> {
    let account = crate::account::from_js(&account, "account")?;
    Ok(findings_to_js(&js(portability::check_portability(
        &account,
    ))?))
}

/// [`check_portability`] for an `otpauth://` URI, which also sees how the URI
/// spells its values (a lowercase `algorithm`).
#[wasm_bindgen(js_name = checkPortabilityUri, unchecked_return_type = "PortabilityFinding[]")]
pub fn check_portability_uri(
    #[wasm_bindgen(unchecked_param_type = "string")] uri: JsValue,
) -> Result<JsValue, JsValue> {
    let uri = string(&uri, "uri")?;
    Ok(findings_to_js(&js(portability::check_portability_uri(
        &uri,
    ))?))
}
