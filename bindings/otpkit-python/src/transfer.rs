//! Moving accounts in and out of authenticator apps: `import_accounts`, the exports,
//! the Google Authenticator multi-QR assembler and the portability check, over the
//! facade (`otpkit_facade::{transfer, assembler, portability}`).

use otpkit_facade::args as fa;
use otpkit_facade::assembler;
use otpkit_facade::records::{EntryRecord, ImportRecord, PortabilityRecord};
use otpkit_facade::{ErrorCode, OptionName, portability};
use otpkit_transfer::WorkBudget;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyString;
use zeroize::Zeroizing;

use crate::account::Account;
use crate::args;
use crate::errors::{about, bad_type, import_error};
use crate::keys;
use crate::repr;

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ImportReport>()?;
    m.add_class::<ImportEntry>()?;
    m.add_class::<TextExport>()?;
    m.add_class::<MigrationExport>()?;
    m.add_class::<MigrationAssembler>()?;
    m.add_class::<PortabilityFinding>()?;
    m.add_class::<MigrationBatch>()?;
    m.add_function(wrap_pyfunction!(decode_migration, m)?)?;
    m.add_function(wrap_pyfunction!(import_accounts, m)?)?;
    m.add_function(wrap_pyfunction!(import_formats, m)?)?;
    m.add_function(wrap_pyfunction!(detect_format, m)?)?;
    m.add_function(wrap_pyfunction!(export_accounts, m)?)?;
    m.add_function(wrap_pyfunction!(export_otpauth_list, m)?)?;
    m.add_function(wrap_pyfunction!(export_aegis, m)?)?;
    m.add_function(wrap_pyfunction!(export_google_migration, m)?)?;
    m.add_function(wrap_pyfunction!(check_portability, m)?)?;
    Ok(())
}

/// What happened to one entry of an imported file.
#[pyclass(frozen, module = "otpkit")]
#[derive(Clone)]
pub(crate) struct ImportEntry {
    /// The entry's 0-based position in the file (line number - 1 for line formats).
    #[pyo3(get)]
    index: usize,
    /// The entry's label as the file names it; never secret.
    #[pyo3(get)]
    label: String,
    /// True if the entry was imported.
    #[pyo3(get)]
    ok: bool,
    /// Notes about an imported entry (what was normalised or doubtful).
    #[pyo3(get)]
    warnings: Vec<String>,
    /// Why the entry was not imported; None if it was.
    #[pyo3(get)]
    error: Option<String>,
    /// The stable code of why the entry was not imported (`"SECRET_INVALID_CHARACTER"`,
    /// …); None if it was.
    #[pyo3(get)]
    code: Option<&'static str>,
}

#[pymethods]
impl ImportEntry {
    fn __repr__(&self) -> String {
        format!(
            "ImportEntry(index={}, label={}, ok={}, warnings={}, error={})",
            self.index,
            repr::quote(&self.label),
            repr::py_bool(self.ok),
            quote_list(&self.warnings),
            repr::quote_opt(self.error.as_deref())
        )
    }
}

impl From<EntryRecord> for ImportEntry {
    fn from(r: EntryRecord) -> Self {
        ImportEntry {
            index: r.index,
            label: r.label,
            ok: r.error.is_none(),
            warnings: r.warnings.into_iter().map(|w| w.message).collect(),
            code: r.error.as_ref().map(|e| e.reason.as_str()),
            error: r.error.map(|e| e.detail_in(OptionName::snake_case)),
        }
    }
}

/// The result of an import: the accounts read (file order) and one entry per entry
/// of the file, imported or not, so one bad entry never loses the others.
#[pyclass(frozen, module = "otpkit")]
pub(crate) struct ImportReport {
    #[pyo3(get)]
    accounts: Vec<Account>,
    #[pyo3(get)]
    entries: Vec<ImportEntry>,
    /// Google migration: the batch indexes of a multi-QR export that were missing.
    #[pyo3(get)]
    missing_batches: Vec<usize>,
}

#[pymethods]
impl ImportReport {
    /// The entries that were not imported.
    #[getter]
    fn failures(&self) -> Vec<ImportEntry> {
        self.entries.iter().filter(|e| !e.ok).cloned().collect()
    }

    fn __len__(&self) -> usize {
        self.accounts.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "ImportReport(accounts={}, entries={}, failures={}, missing_batches={:?})",
            self.accounts.len(),
            self.entries.len(),
            self.entries.iter().filter(|e| !e.ok).count(),
            self.missing_batches
        )
    }
}

impl ImportReport {
    /// The Python report of a facade import record.
    fn of(read: Result<ImportRecord, otpkit_facade::FacadeError>) -> PyResult<Self> {
        let (accounts, record) = read
            .and_then(keys::take_accounts)
            .map_err(|e| import_error(&e))?;
        let accounts = keys::each_account(&accounts, |a| Account::from_core(a, Vec::new()));
        Ok(ImportReport {
            accounts,
            entries: record.entries.into_iter().map(ImportEntry::from).collect(),
            missing_batches: record.missing_batches,
        })
    }
}

/// The key-derivation budget of an import: `kdf_budget` work units in all and
/// `kdf_memory` bytes per derivation (None: the facade's defaults, about 1 s of one
/// core and 256 MiB).
pub(crate) fn budget(kdf_budget: Option<i64>, kdf_memory: Option<i64>) -> PyResult<WorkBudget> {
    Ok(fa::kdf_budget(
        args::opt_int("kdf_budget", kdf_budget)?,
        args::opt_int("kdf_memory", kdf_memory)?,
    ))
}

/// Reads an authenticator-app backup. `format` is one of `otpauth-list`,
/// `google-migration`, `aegis`, `2fas`, `andotp`, `bitwarden`, `freeotp-plus`,
/// `authenticator-pro`; `password` opens encrypted files (ignored for plain ones).
/// Every key derivation is charged to the budget (`kdf_budget` work units,
/// `kdf_memory` bytes) before it runs: raise it only for files you trust.
///
/// Raises PasswordRequiredError, WrongPasswordError or ImportFailedError for the file
/// as a whole; an entry that cannot be read is reported in the result and the others
/// are still read.
#[pyfunction]
#[pyo3(signature = (data, format, password = None, *, kdf_budget = None, kdf_memory = None))]
fn import_accounts(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    format: &str,
    password: Option<&Bound<'_, PyAny>>,
    kdf_budget: Option<i64>,
    kdf_memory: Option<i64>,
) -> PyResult<ImportReport> {
    fa::format(format).map_err(about("format"))?;
    let data = args::text_or_bytes("data", data)?;
    let password = args::opt_text_or_bytes("password", password)?;
    let budget = budget(kdf_budget, kdf_memory)?;
    // Key derivation (scrypt, Argon2, PBKDF2) takes a while: let other threads run.
    let read = py.detach(|| {
        otpkit_facade::transfer::import_accounts(
            format,
            &data,
            password.as_deref().map(Vec::as_slice),
            budget,
        )
    });
    ImportReport::of(read)
}

/// Every format `import_accounts` reads, by name, in the docs' order.
#[pyfunction]
fn import_formats() -> Vec<&'static str> {
    otpkit_facade::transfer::import_formats()
}

/// The format of `data` (text or bytes) told from its content alone: a name
/// `import_accounts` takes, `"pskc"` for a PSKC container (read it with
/// `import_pskc`), or None when the content does not tell (an encrypted andOTP backup
/// never does).
#[pyfunction]
fn detect_format(data: &Bound<'_, PyAny>) -> PyResult<Option<&'static str>> {
    let data = args::text_or_bytes("data", data)?;
    Ok(otpkit_facade::transfer::detect_format(&data))
}

fn core_accounts(accounts: &[PyRef<'_, Account>]) -> Vec<otpkit::otpauth::Account> {
    accounts.iter().map(|a| a.account.clone()).collect()
}

/// A text export, and what it could not carry (one line per account affected).
#[pyclass(frozen, module = "otpkit")]
pub(crate) struct TextExport {
    /// The file's text (wiped when the object is freed).
    text: Zeroizing<String>,
    #[pyo3(get)]
    notes: Vec<String>,
}

#[pymethods]
impl TextExport {
    /// The file's text. It holds the secrets (encrypted for a password-protected
    /// Aegis vault).
    #[getter]
    fn text<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        PyString::new(py, &self.text)
    }

    fn __repr__(&self) -> String {
        format!(
            "TextExport(len(text)={}, notes={})",
            self.text.len(),
            quote_list(&self.notes)
        )
    }
}

/// Google Authenticator migration URIs (one per QR code) and what they could not carry.
#[pyclass(frozen, module = "otpkit")]
pub(crate) struct MigrationExport {
    /// The URIs (wiped when the object is freed).
    uris: Vec<Zeroizing<String>>,
    #[pyo3(get)]
    notes: Vec<String>,
}

#[pymethods]
impl MigrationExport {
    /// One `otpauth-migration://` URI per QR code; they hold the secrets.
    #[getter]
    fn uris<'py>(&self, py: Python<'py>) -> Vec<Bound<'py, PyString>> {
        self.uris.iter().map(|u| PyString::new(py, u)).collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "MigrationExport(len(uris)={}, notes={})",
            self.uris.len(),
            quote_list(&self.notes)
        )
    }
}

fn quote_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| repr::quote(i)).collect();
    format!("[{}]", quoted.join(", "))
}

/// Accounts written by the facade in `format`, the texts wiped when freed.
fn export(
    py: Python<'_>,
    format: &str,
    accounts: &[PyRef<'_, Account>],
    password: Option<&Bound<'_, PyAny>>,
) -> PyResult<MigrationExport> {
    let accounts = core_accounts(accounts);
    let password = args::opt_text_or_bytes("password", password)?;
    let (uris, notes) = py
        .detach(|| keys::export(format, &accounts, password.as_deref().map(Vec::as_slice)))
        .map_err(|e| {
            let argument = if e.reason == ErrorCode::UnknownFormat {
                "format"
            } else if e.reason == ErrorCode::EmptyPassword
                || e.reason == ErrorCode::UnsupportedEncryption
            {
                "password"
            } else {
                "accounts"
            };
            about(argument)(e)
        })?;
    Ok(MigrationExport { uris, notes })
}

/// Accounts as a file or QR codes of `format`: `"otpauth-list"` (one text),
/// `"aegis"` (one text; encrypted with `password`, which only Aegis takes) or
/// `"google-migration"` (one URI per QR code). `uris` are the texts; `notes` say
/// what the format could not carry.
#[pyfunction]
#[pyo3(signature = (accounts, format, password = None))]
fn export_accounts(
    py: Python<'_>,
    accounts: Vec<PyRef<'_, Account>>,
    format: &str,
    password: Option<&Bound<'_, PyAny>>,
) -> PyResult<MigrationExport> {
    export(py, format, &accounts, password)
}

/// The one text of a single-text export (otpauth list, Aegis vault).
fn single(export: MigrationExport) -> PyResult<TextExport> {
    let mut texts = export.uris;
    match (texts.pop(), texts.is_empty()) {
        (Some(text), true) => Ok(TextExport {
            text,
            notes: export.notes,
        }),
        (Some(_), false) | (None, _) => Err(PyRuntimeError::new_err(
            "the export did not give exactly one text",
        )),
    }
}

/// One canonical `otpauth://` URI per line; carries everything an account holds.
#[pyfunction]
fn export_otpauth_list<'py>(
    py: Python<'py>,
    accounts: Vec<PyRef<'py, Account>>,
) -> PyResult<Bound<'py, PyString>> {
    let text = single(export(py, "otpauth-list", &accounts, None)?)?;
    Ok(PyString::new(py, &text.text))
}

/// An Aegis vault: plain when `password` is None, else encrypted as Aegis does
/// (scrypt, AES-256-GCM).
#[pyfunction]
#[pyo3(signature = (accounts, password = None))]
fn export_aegis(
    py: Python<'_>,
    accounts: Vec<PyRef<'_, Account>>,
    password: Option<&Bound<'_, PyAny>>,
) -> PyResult<TextExport> {
    single(export(py, "aegis", &accounts, password)?)
}

/// Google Authenticator "Transfer accounts" URIs, one per QR code. Accounts the
/// format cannot express (periods other than 30 s, Steam, …) are left out with a note.
#[pyfunction]
fn export_google_migration(
    py: Python<'_>,
    accounts: Vec<PyRef<'_, Account>>,
) -> PyResult<MigrationExport> {
    export(py, "google-migration", &accounts, None)
}

/// Assembles the QR codes of one Google Authenticator multi-QR export, scanned in
/// any order; `add` returns False for a QR code scanned twice.
#[pyclass(module = "otpkit")]
#[derive(Default)]
pub(crate) struct MigrationAssembler(assembler::MigrationAssembler);

#[pymethods]
impl MigrationAssembler {
    #[new]
    fn new() -> Self {
        Self::default()
    }

    /// Adds one scanned `otpauth-migration://` URI: True if it is a new batch, False
    /// if it was seen before. ValueError if it is not a migration URI or belongs to
    /// another export.
    fn add(&mut self, uri: &str) -> PyResult<bool> {
        let uri = Zeroizing::new(uri.to_owned());
        self.0.add(&uri).map_err(about("uri"))
    }

    /// The number of QR codes in the export, once one was added.
    #[getter]
    fn batch_size(&self) -> Option<u64> {
        self.0.batch_size()
    }

    /// The indexes (0-based) of the QR codes not yet added.
    #[getter]
    fn missing(&self) -> Vec<u64> {
        self.0.missing()
    }

    /// Whether every QR code of the export was added.
    #[getter]
    fn is_complete(&self) -> bool {
        self.0.is_complete()
    }

    /// The accounts of the batches added so far (`missing_batches` says what is not
    /// there); the assembler starts again empty.
    fn finish(&mut self) -> PyResult<ImportReport> {
        ImportReport::of(Ok(self.0.finish()))
    }

    fn __repr__(&self) -> String {
        format!(
            "MigrationAssembler(batch_size={}, missing={:?})",
            repr::py_opt(self.0.batch_size()),
            self.0.missing()
        )
    }
}

/// One way a well-known authenticator app would mishandle an account.
#[pyclass(frozen, module = "otpkit")]
pub(crate) struct PortabilityFinding {
    /// `Google Authenticator`, `Microsoft Authenticator` or `Authy`.
    #[pyo3(get)]
    app: String,
    /// The app's stable code: `GOOGLE_AUTHENTICATOR`, `MICROSOFT_AUTHENTICATOR`, `AUTHY`.
    #[pyo3(get)]
    app_code: &'static str,
    /// The problem's stable code in lower case: `algorithm_ignored`,
    /// `digits_ignored`, `digits_unsupported`, `period_ignored`, `lowercase_algorithm`.
    #[pyo3(get)]
    problem: String,
    /// The finding in words.
    #[pyo3(get)]
    message: String,
    /// When the rule applies.
    #[pyo3(get)]
    when: &'static str,
    /// Which app versions (where the reports say).
    #[pyo3(get)]
    versions: &'static str,
    /// URLs of the public reports the rule rests on.
    #[pyo3(get)]
    sources: Vec<&'static str>,
}

#[pymethods]
impl PortabilityFinding {
    fn __repr__(&self) -> String {
        format!(
            "PortabilityFinding(app={}, problem='{}')",
            repr::quote(&self.app),
            self.problem
        )
    }

    fn __str__(&self) -> String {
        self.message.clone()
    }
}

impl From<PortabilityRecord> for PortabilityFinding {
    fn from(r: PortabilityRecord) -> Self {
        PortabilityFinding {
            app: r.app_name,
            app_code: r.app,
            problem: r.problem.to_ascii_lowercase(),
            message: r.message,
            when: r.when,
            versions: r.versions,
            sources: r.sources,
        }
    }
}

/// Which well-known apps would mishandle an account (an `Account` or its
/// `otpauth://` URI, which also shows how values are spelled); empty if none.
#[pyfunction]
fn check_portability(account: &Bound<'_, PyAny>) -> PyResult<Vec<PortabilityFinding>> {
    let found = if let Ok(a) = account.cast::<Account>() {
        Ok(portability::check_core_account(&a.get().account))
    } else if let Ok(uri) = account.cast::<PyString>() {
        let uri = Zeroizing::new(uri.to_cow()?.into_owned());
        portability::check_portability_uri(&uri)
    } else {
        return Err(bad_type(
            "account",
            "an Account or an otpauth:// str",
            account,
        ));
    };
    let found = found.map_err(about("account"))?;
    Ok(found.into_iter().map(PortabilityFinding::from).collect())
}

/// One decoded `otpauth-migration://` URI (one QR code of a Google Authenticator
/// export): its usable accounts, an entry for each unusable one, and where it sits
/// in the export.
#[pyclass(frozen, module = "otpkit")]
pub(crate) struct MigrationBatch {
    /// The usable accounts, in order.
    #[pyo3(get)]
    accounts: Vec<Account>,
    /// The entries that could not be used (their `index` in the URI, `error`, `code`).
    #[pyo3(get)]
    failures: Vec<ImportEntry>,
    /// The payload's format version.
    #[pyo3(get)]
    version: i32,
    /// How many URIs the export has.
    #[pyo3(get)]
    batch_size: i32,
    /// This URI's 0-based index among them.
    #[pyo3(get)]
    batch_index: i32,
    /// The same for every URI of one export.
    #[pyo3(get)]
    batch_id: i32,
}

#[pymethods]
impl MigrationBatch {
    fn __repr__(&self) -> String {
        format!(
            "MigrationBatch(accounts={}, failures={}, batch_index={}, batch_size={})",
            self.accounts.len(),
            self.failures.len(),
            self.batch_index,
            self.batch_size
        )
    }
}

/// Decodes one `otpauth-migration://offline?data=…` URI; an entry that cannot be
/// used is in `failures`, the others still read. `MigrationAssembler` puts the QR
/// codes of a multi-QR export together.
#[pyfunction]
fn decode_migration(uri: &str) -> PyResult<MigrationBatch> {
    let uri = Zeroizing::new(uri.to_owned());
    let batch = otpkit_facade::accounts::decode_migration(&uri).map_err(about("uri"))?;
    let mut records = Vec::new();
    let mut failures = Vec::new();
    for (index, entry) in batch.entries.into_iter().enumerate() {
        match entry {
            Ok(record) => records.push(record),
            Err(error) => failures.push(ImportEntry::from(EntryRecord {
                index,
                label: String::new(),
                warnings: Vec::new(),
                error: Some(error),
            })),
        }
    }
    let accounts = keys::Wiped(records).core().map_err(about("uri"))?;
    let accounts = keys::each_account(&accounts, |a| Account::from_core(a, Vec::new()));
    Ok(MigrationBatch {
        accounts,
        failures,
        version: batch.version,
        batch_size: batch.batch_size,
        batch_index: batch.batch_index,
        batch_id: batch.batch_id,
    })
}
