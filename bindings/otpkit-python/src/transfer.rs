//! Moving accounts in and out of authenticator apps: `import_accounts`, the exports,
//! the Google Authenticator multi-QR assembler and the portability check.

use otpkit_transfer::export;
use otpkit_transfer::migration::{Added, Assembler};
use otpkit_transfer::portability::{self, Problem};
use otpkit_transfer::{Format, Import, ImportError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use zeroize::Zeroizing;

use crate::account::Account;
use crate::errors::{
    ImportFailedError, PasswordRequiredError, WrongPasswordError, bad_type, bad_value,
};
use crate::keys;

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ImportReport>()?;
    m.add_class::<ImportEntry>()?;
    m.add_class::<TextExport>()?;
    m.add_class::<MigrationExport>()?;
    m.add_class::<MigrationAssembler>()?;
    m.add_class::<PortabilityFinding>()?;
    m.add_function(wrap_pyfunction!(import_accounts, m)?)?;
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
}

#[pymethods]
impl ImportEntry {
    fn __repr__(&self) -> String {
        format!(
            "ImportEntry(index={}, label={}, ok={}, warnings={}, error={})",
            self.index,
            crate::args::quote(&self.label),
            crate::args::py_bool(self.ok),
            quote_list(&self.warnings),
            crate::args::quote_opt(self.error.as_deref())
        )
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

impl From<Import> for ImportReport {
    fn from(i: Import) -> Self {
        ImportReport {
            accounts: keys::each_account(&i.accounts, Account::from_core),
            entries: i
                .report
                .into_iter()
                .map(|r| match r.outcome {
                    Ok(warnings) => ImportEntry {
                        index: r.index,
                        label: r.label,
                        ok: true,
                        warnings: warnings.iter().map(ToString::to_string).collect(),
                        error: None,
                    },
                    Err(e) => ImportEntry {
                        index: r.index,
                        label: r.label,
                        ok: false,
                        warnings: Vec::new(),
                        error: Some(e.to_string()),
                    },
                })
                .collect(),
            missing_batches: i.missing_batches,
        }
    }
}

fn import_error(e: ImportError) -> PyErr {
    let message = e.to_string();
    match e {
        ImportError::PasswordRequired { .. } => PasswordRequiredError::new_err(message),
        ImportError::WrongPassword { .. } | ImportError::IntegrityCheckFailed { .. } => {
            WrongPasswordError::new_err(message)
        }
        ImportError::KdfBudget { .. } => ImportFailedError::new_err(message),
        _ => ImportFailedError::new_err(message),
    }
}

/// Bytes as given, or text as UTF-8.
fn data_bytes(value: &Bound<'_, PyAny>) -> PyResult<Zeroizing<Vec<u8>>> {
    if let Ok(b) = value.cast::<PyBytes>() {
        Ok(Zeroizing::new(b.as_bytes().to_vec()))
    } else if let Ok(s) = value.cast::<PyString>() {
        Ok(Zeroizing::new(s.to_cow()?.as_bytes().to_vec()))
    } else {
        Err(bad_type("data", "bytes or str", value))
    }
}

/// Reads an authenticator-app backup. `format` is one of `otpauth-list`,
/// `google-migration`, `aegis`, `2fas`, `andotp`, `bitwarden`, `freeotp-plus`,
/// `authenticator-pro`; `password` opens encrypted files (ignored for plain ones).
///
/// Raises PasswordRequiredError, WrongPasswordError (also for a failed integrity
/// check) or ImportFailedError for the file as a whole; an entry that cannot be read
/// is reported in the result and the others are still read.
#[pyfunction]
#[pyo3(signature = (data, format, password = None))]
fn import_accounts(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    format: &str,
    password: Option<&str>,
) -> PyResult<ImportReport> {
    let format: Format = format.parse().map_err(|e| bad_value("format", e))?;
    let data = data_bytes(data)?;
    let password = password.map(|p| Zeroizing::new(p.as_bytes().to_vec()));
    // Key derivation (scrypt, Argon2, PBKDF2) takes a while: let other threads run.
    let result = py
        .detach(|| otpkit_transfer::import(format, &data, password.as_deref().map(Vec::as_slice)));
    result.map(ImportReport::from).map_err(import_error)
}

fn core_accounts(accounts: Vec<PyRef<'_, Account>>) -> Vec<otpkit::otpauth::Account> {
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
    let quoted: Vec<String> = items.iter().map(|i| crate::args::quote(i)).collect();
    format!("[{}]", quoted.join(", "))
}

fn notes(notes: &[export::ExportNote]) -> Vec<String> {
    notes.iter().map(ToString::to_string).collect()
}

/// One canonical `otpauth://` URI per line; carries everything an account holds.
#[pyfunction]
fn export_otpauth_list<'py>(
    py: Python<'py>,
    accounts: Vec<PyRef<'py, Account>>,
) -> Bound<'py, PyString> {
    let accounts = core_accounts(accounts);
    PyString::new(py, &export::otpauth_list(&accounts).output)
}

/// An Aegis vault: plain when `password` is None, else encrypted as Aegis does
/// (scrypt, AES-256-GCM).
#[pyfunction]
#[pyo3(signature = (accounts, password = None))]
fn export_aegis(
    py: Python<'_>,
    accounts: Vec<PyRef<'_, Account>>,
    password: Option<&str>,
) -> PyResult<TextExport> {
    let accounts = core_accounts(accounts);
    let password = password.map(|p| Zeroizing::new(p.as_bytes().to_vec()));
    let exported = py
        .detach(|| export::aegis(&accounts, password.as_deref().map(Vec::as_slice)))
        .map_err(|e| bad_value("password", e))?;
    Ok(TextExport {
        text: exported.output,
        notes: notes(&exported.notes),
    })
}

/// Google Authenticator "Transfer accounts" URIs, one per QR code. Accounts the
/// format cannot express (periods other than 30 s, Steam, …) are left out with a note.
#[pyfunction]
fn export_google_migration(accounts: Vec<PyRef<'_, Account>>) -> PyResult<MigrationExport> {
    let accounts = core_accounts(accounts);
    let exported = export::google_migration(&accounts).map_err(|e| bad_value("accounts", e))?;
    Ok(MigrationExport {
        uris: exported.output,
        notes: notes(&exported.notes),
    })
}

/// Assembles the QR codes of one Google Authenticator multi-QR export, scanned in
/// any order; `add` returns False for a QR code scanned twice.
#[pyclass(module = "otpkit")]
#[derive(Default)]
pub(crate) struct MigrationAssembler(Assembler);

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
        match self.0.add(uri).map_err(|e| bad_value("uri", e))? {
            Added::New => Ok(true),
            _ => Ok(false),
        }
    }

    /// The number of QR codes in the export, once one was added.
    #[getter]
    fn batch_size(&self) -> Option<usize> {
        self.0.batch_size()
    }

    /// The indexes (0-based) of the QR codes not yet added.
    #[getter]
    fn missing(&self) -> Vec<usize> {
        self.0.missing()
    }

    /// Whether every QR code of the export was added.
    #[getter]
    fn is_complete(&self) -> bool {
        self.0.is_complete()
    }

    /// The accounts of the batches added so far (`missing_batches` says what is not
    /// there); the assembler starts again empty.
    fn finish(&mut self) -> ImportReport {
        std::mem::take(&mut self.0).finish().into()
    }

    fn __repr__(&self) -> String {
        format!(
            "MigrationAssembler(batch_size={}, missing={:?})",
            crate::args::py_opt(self.0.batch_size()),
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
    /// `algorithm_ignored`, `digits_ignored`, `digits_unsupported`,
    /// `period_ignored`, `lowercase_algorithm` or `other`.
    #[pyo3(get)]
    problem: &'static str,
    /// The finding in words.
    #[pyo3(get)]
    message: String,
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
            crate::args::quote(&self.app),
            self.problem
        )
    }

    fn __str__(&self) -> String {
        self.message.clone()
    }
}

/// Which well-known apps would mishandle an account (an `Account` or its
/// `otpauth://` URI, which also shows how values are spelled); empty if none.
#[pyfunction]
fn check_portability(account: &Bound<'_, PyAny>) -> PyResult<Vec<PortabilityFinding>> {
    let findings = if let Ok(a) = account.cast::<Account>() {
        portability::check(&a.get().account)
    } else if let Ok(uri) = account.extract::<std::borrow::Cow<'_, str>>() {
        let uri = Zeroizing::new(uri.into_owned());
        portability::check_uri(&uri).map_err(|e| bad_value("account", e))?
    } else {
        return Err(bad_type(
            "account",
            "an Account or an otpauth:// str",
            account,
        ));
    };
    Ok(findings
        .into_iter()
        .map(|f| PortabilityFinding {
            app: f.rule.app.to_string(),
            problem: match f.rule.problem {
                Problem::AlgorithmIgnored => "algorithm_ignored",
                Problem::DigitsIgnored => "digits_ignored",
                Problem::DigitsUnsupported => "digits_unsupported",
                Problem::PeriodIgnored => "period_ignored",
                Problem::LowercaseAlgorithm => "lowercase_algorithm",
            },
            message: f.to_string(),
            versions: f.rule.versions,
            sources: f.rule.sources.to_vec(),
        })
        .collect())
}
