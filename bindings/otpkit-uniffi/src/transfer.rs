//! Moving accounts in and out of authenticator apps ([`otpkit_transfer`]): import
//! every supported app's backup with a report per entry, assemble Google
//! Authenticator's multi-QR transfers, export Aegis vaults, `otpauth://` lists and
//! migration QR payloads, and check which apps would mishandle an account.
//!
//! The functions convert types and call the core; they add no behaviour of their own.

use std::sync::{Arc, Mutex, PoisonError};

use otpkit_transfer as core;
use otpkit_transfer::export::{self as core_export, Omission};
use otpkit_transfer::migration::Assembler;
use otpkit_transfer::portability::{self as core_portability, App, Problem};
use zeroize::Zeroizing;

use crate::{Account, OtpkitError};

/// The file formats [`import_accounts`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TransferFormat {
    /// Plain text, one `otpauth://` URI per line.
    OtpauthList,
    /// Google Authenticator migration URIs, one per line, in any order (multi-QR
    /// transfers are assembled; missing batches are reported).
    GoogleMigration,
    /// Aegis vault JSON, plain or encrypted.
    Aegis,
    /// 2FAS backup (`.2fas`), plain or encrypted.
    TwoFas,
    /// andOTP backup, plain or encrypted.
    AndOtp,
    /// Bitwarden JSON export, plain or password-protected.
    Bitwarden,
    /// FreeOTP+ JSON export.
    FreeOtpPlus,
    /// Authenticator Pro (Stratum) plain JSON backup.
    AuthenticatorPro,
}

impl TransferFormat {
    fn core(self) -> core::Format {
        match self {
            TransferFormat::OtpauthList => core::Format::OtpauthList,
            TransferFormat::GoogleMigration => core::Format::GoogleMigration,
            TransferFormat::Aegis => core::Format::Aegis,
            TransferFormat::TwoFas => core::Format::TwoFas,
            TransferFormat::AndOtp => core::Format::AndOtp,
            TransferFormat::Bitwarden => core::Format::Bitwarden,
            TransferFormat::FreeOtpPlus => core::Format::FreeOtpPlus,
            TransferFormat::AuthenticatorPro => core::Format::AuthenticatorPro,
        }
    }
}

/// The format's name as the CLI and the docs spell it (`aegis`, `2fas`, …).
#[uniffi::export]
pub fn transfer_format_name(format: TransferFormat) -> String {
    format.core().name().to_owned()
}

/// What kind of note an imported entry has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TransferWarningKind {
    /// The secret's Base32 text had an invalid length (as Steam's `STEAMSECRET`);
    /// its incomplete trailing bits were dropped, as the apps do.
    TrailingBitsDropped,
    /// The secret is shorter than RFC 4226's 128 bits.
    ShortSecret,
    /// A missing field got its usual default.
    Defaulted,
    /// The format version stores no OTP type; the entry was read as TOTP.
    TypeAssumedTotp,
    /// The file had two names for the entry and one was not used.
    FieldIgnored,
    /// A note from the `otpauth://` parser.
    Uri,
    /// A note these bindings do not know by name; the message says what.
    Other,
}

/// A note about an imported entry.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TransferWarning {
    /// What kind of note.
    pub kind: TransferWarningKind,
    /// The note in words.
    pub message: String,
}

fn warning(w: &core::EntryWarning) -> TransferWarning {
    use core::EntryWarning as W;
    let kind = match w {
        W::TrailingBitsDropped { .. } => TransferWarningKind::TrailingBitsDropped,
        W::ShortSecret { .. } => TransferWarningKind::ShortSecret,
        W::Defaulted { .. } => TransferWarningKind::Defaulted,
        W::TypeAssumedTotp => TransferWarningKind::TypeAssumedTotp,
        W::FieldIgnored { .. } => TransferWarningKind::FieldIgnored,
        W::Uri(_) => TransferWarningKind::Uri,
    };
    TransferWarning {
        kind,
        message: w.to_string(),
    }
}

/// What happened to one entry of the file.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TransferEntry {
    /// The entry's 0-based position in the file (line − 1 for line formats).
    pub index: u64,
    /// The entry's label as the file names it (`Issuer:name`); empty when none.
    pub label: String,
    /// The account, when the entry was imported.
    pub account: Option<Account>,
    /// Notes about the imported entry (empty when it was not imported).
    pub warnings: Vec<TransferWarning>,
    /// Why the entry was not imported (never secret), when it was not.
    pub error: Option<String>,
}

/// The result of an import: the accounts read, in file order, and one entry report
/// per entry of the file (imported or not).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TransferImport {
    /// The accounts read, in the file's order (the same as the entries' accounts).
    pub accounts: Vec<Account>,
    /// One report per entry of the file.
    pub entries: Vec<TransferEntry>,
    /// For Google migration: the 0-based batch indexes of a multi-QR transfer that
    /// were not given. Empty when nothing is missing.
    pub missing_batches: Vec<u64>,
}

fn u64_of(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

fn from_core_import(imported: core::Import) -> TransferImport {
    let mut accounts_in = imported.accounts.iter();
    let mut accounts = Vec::with_capacity(imported.accounts.len());
    let mut entries = Vec::with_capacity(imported.report.len());
    for report in &imported.report {
        // The n-th report with an Ok outcome belongs to the n-th account.
        let (account, warnings, error) = match &report.outcome {
            Ok(w) => match accounts_in.next().map(Account::from_core) {
                Some(Ok(account)) => (Some(account), w.iter().map(warning).collect(), None),
                Some(Err(why)) => (None, Vec::new(), Some(why)),
                None => (
                    None,
                    Vec::new(),
                    Some("no account for this entry".to_owned()),
                ),
            },
            Err(e) => (None, Vec::new(), Some(e.to_string())),
        };
        accounts.extend(account.clone());
        entries.push(TransferEntry {
            index: u64_of(report.index),
            label: report.label.clone(),
            account,
            warnings,
            error,
        });
    }
    TransferImport {
        accounts,
        entries,
        missing_batches: imported.missing_batches.into_iter().map(u64_of).collect(),
    }
}

/// Reads a file of `format` (its bytes). `password` opens encrypted files and is
/// ignored for plain ones. An entry that cannot be read is reported in
/// `entries` and the others are still read; errors are about the file as a whole.
#[uniffi::export(default(password = None))]
pub fn import_accounts(
    format: TransferFormat,
    data: Vec<u8>,
    password: Option<String>,
) -> Result<TransferImport, OtpkitError> {
    let data = Zeroizing::new(data);
    let password = password.map(Zeroizing::new);
    let imported = core::import(
        format.core(),
        &data,
        password.as_ref().map(|p| p.as_bytes()),
    )?;
    Ok(from_core_import(imported))
}

/// What [`MigrationAssembler::add`] did with a URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MigrationAdded {
    /// A batch not seen before.
    New,
    /// The same batch again (scanned twice); nothing changed.
    Duplicate,
}

/// Assembles the QR codes of one Google Authenticator "Transfer accounts" export,
/// scanned in any order: duplicates are recognised, a `batch_id` of 0 is accepted,
/// and [`MigrationAssembler::missing`] says which batches are still to scan.
///
/// Unlike the other objects it changes as URIs are added (safely from any thread).
#[derive(uniffi::Object)]
pub struct MigrationAssembler(Mutex<Assembler>);

impl std::fmt::Debug for MigrationAssembler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MigrationAssembler { .. }")
    }
}

impl MigrationAssembler {
    fn with<T>(&self, f: impl FnOnce(&mut Assembler) -> T) -> T {
        let mut guard = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut guard)
    }
}

#[uniffi::export]
impl MigrationAssembler {
    /// An empty assembler.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(MigrationAssembler(Mutex::new(Assembler::new())))
    }

    /// Adds one scanned `otpauth-migration://` URI.
    pub fn add(&self, uri: String) -> Result<MigrationAdded, OtpkitError> {
        let uri = Zeroizing::new(uri);
        let added = self.with(|a| a.add(&uri))?;
        Ok(match added {
            otpkit_transfer::migration::Added::New => MigrationAdded::New,
            otpkit_transfer::migration::Added::Duplicate => MigrationAdded::Duplicate,
        })
    }

    /// The 0-based indexes of the batches not added yet (empty before the first URI).
    pub fn missing(&self) -> Vec<u64> {
        self.with(|a| a.missing().into_iter().map(u64_of).collect())
    }

    /// The export's number of QR codes, once a URI was added.
    pub fn batch_size(&self) -> Option<u64> {
        self.with(|a| a.batch_size().map(u64_of))
    }

    /// Whether every batch was added (false before the first URI).
    pub fn is_complete(&self) -> bool {
        self.with(|a| a.is_complete())
    }

    /// The accounts of the batches added, in batch order, with a report per entry
    /// and the batches still missing. The assembler is empty afterwards.
    pub fn finish(&self) -> TransferImport {
        from_core_import(self.with(std::mem::take).finish())
    }
}

/// One thing an export could not carry.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExportNote {
    /// The account's 0-based index in the list exported.
    pub index: u64,
    /// The account's label (`Issuer:name`).
    pub label: String,
    /// True when the account was left out entirely; false when only some of its
    /// parameters were.
    pub skipped: bool,
    /// What was lost, in words.
    pub message: String,
}

/// An export as text (an Aegis vault or an `otpauth://` list) and what it lost.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TextExport {
    /// The file's text. It holds the secrets unless encrypted.
    pub text: String,
    /// What the format could not carry.
    pub notes: Vec<ExportNote>,
}

/// A Google Authenticator migration export: one URI per QR code, and what it lost.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MigrationExport {
    /// One `otpauth-migration://` URI per QR code, in batch order.
    pub uris: Vec<String>,
    /// What the format could not carry.
    pub notes: Vec<ExportNote>,
}

fn notes(notes: Vec<core_export::ExportNote>) -> Vec<ExportNote> {
    notes
        .into_iter()
        .map(|n| ExportNote {
            index: u64_of(n.index),
            label: n.label.clone(),
            skipped: matches!(n.what, Omission::AccountSkipped(_)),
            message: n.to_string(),
        })
        .collect()
}

fn core_accounts(accounts: &[Account]) -> Result<Vec<otpkit::otpauth::Account>, OtpkitError> {
    // Reserved up front: a growing vector of accounts would leave keys in the
    // buffers it outgrows.
    let mut core = Vec::with_capacity(accounts.len());
    for (i, a) in accounts.iter().enumerate() {
        core.push(
            a.to_core()
                .map_err(|e| e.prefixed(&format!("account {i}: ")))?,
        );
    }
    Ok(core)
}

/// The accounts as plain text, one canonical `otpauth://` URI per line.
#[uniffi::export]
pub fn export_otpauth_list(accounts: Vec<Account>) -> Result<TextExport, OtpkitError> {
    let exported = core_export::otpauth_list(&core_accounts(&accounts)?);
    Ok(TextExport {
        text: exported.output.to_string(),
        notes: notes(exported.notes),
    })
}

/// The accounts as Google Authenticator migration URIs, at most 10 per QR code,
/// with a shared random batch id. Accounts the format cannot express are left out
/// with a note.
#[uniffi::export]
pub fn export_google_migration(accounts: Vec<Account>) -> Result<MigrationExport, OtpkitError> {
    let exported = core_export::google_migration(&core_accounts(&accounts)?)?;
    Ok(MigrationExport {
        uris: exported.output.iter().map(|u| u.to_string()).collect(),
        notes: notes(exported.notes),
    })
}

/// The accounts as an Aegis vault, which Aegis imports: plain without `password`,
/// else encrypted with it as Aegis does (scrypt, AES-256-GCM).
#[uniffi::export(default(password = None))]
pub fn export_aegis(
    accounts: Vec<Account>,
    password: Option<String>,
) -> Result<TextExport, OtpkitError> {
    let password = password.map(Zeroizing::new);
    let exported = core_export::aegis(
        &core_accounts(&accounts)?,
        password.as_ref().map(|p| p.as_bytes()),
    )?;
    Ok(TextExport {
        text: exported.output.to_string(),
        notes: notes(exported.notes),
    })
}

/// An authenticator app the portability rules are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PortabilityApp {
    /// Google Authenticator.
    GoogleAuthenticator,
    /// Microsoft Authenticator.
    MicrosoftAuthenticator,
    /// Twilio Authy.
    Authy,
    /// An app these bindings do not know by name (see `app_name`).
    Other,
}

/// How an app mishandles an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PortabilityProblem {
    /// The app ignores a non-SHA-1 algorithm and shows SHA-1 codes.
    AlgorithmIgnored,
    /// The app ignores the code length and shows 6 digits.
    DigitsIgnored,
    /// The app has no such code length.
    DigitsUnsupported,
    /// The app ignores the period and changes codes every 30 seconds.
    PeriodIgnored,
    /// The app refuses a lowercase algorithm name.
    LowercaseAlgorithm,
    /// A problem these bindings do not know by name (see `message`).
    Other,
}

/// One app that would mishandle the account, with the reports that say so.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PortabilityFinding {
    /// The app.
    pub app: PortabilityApp,
    /// The app's name.
    pub app_name: String,
    /// What goes wrong.
    pub problem: PortabilityProblem,
    /// The finding in words, for a user.
    pub message: String,
    /// When the rule applies.
    pub when: String,
    /// Which app versions the reports concern.
    pub versions: String,
    /// URLs of the public reports the rule rests on.
    pub sources: Vec<String>,
}

fn findings(findings: Vec<core_portability::Finding>) -> Vec<PortabilityFinding> {
    findings
        .into_iter()
        .map(|f| PortabilityFinding {
            app: match f.rule.app {
                App::GoogleAuthenticator => PortabilityApp::GoogleAuthenticator,
                App::MicrosoftAuthenticator => PortabilityApp::MicrosoftAuthenticator,
                App::Authy => PortabilityApp::Authy,
            },
            app_name: f.rule.app.to_string(),
            problem: match f.rule.problem {
                Problem::AlgorithmIgnored => PortabilityProblem::AlgorithmIgnored,
                Problem::DigitsIgnored => PortabilityProblem::DigitsIgnored,
                Problem::DigitsUnsupported => PortabilityProblem::DigitsUnsupported,
                Problem::PeriodIgnored => PortabilityProblem::PeriodIgnored,
                Problem::LowercaseAlgorithm => PortabilityProblem::LowercaseAlgorithm,
            },
            message: f.to_string(),
            when: f.rule.when.to_owned(),
            versions: f.rule.versions.to_owned(),
            sources: f.rule.sources.iter().map(|s| (*s).to_owned()).collect(),
        })
        .collect()
}

/// Which well-known apps would mishandle `account`, and why; empty for SHA-1,
/// 6 digits and 30 s.
#[uniffi::export]
pub fn check_portability(account: Account) -> Result<Vec<PortabilityFinding>, OtpkitError> {
    let account = account.to_core()?;
    Ok(findings(core_portability::check(&account)))
}

/// [`check_portability`] for an `otpauth://` URI, which also sees how the URI
/// spells its values (a lowercase `algorithm`).
#[uniffi::export]
pub fn check_portability_uri(uri: String) -> Result<Vec<PortabilityFinding>, OtpkitError> {
    let uri = Zeroizing::new(uri);
    core_portability::check_uri(&uri)
        .map(findings)
        .map_err(|e| OtpkitError::from(e).prefixed("invalid otpauth URI: "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWORD: &str = "otpkit-test";

    fn fixture(name: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../crates/otpkit-transfer/tests/data")
            .join(name);
        std::fs::read(path).unwrap()
    }

    #[test]
    fn aegis_import_reports_every_entry() {
        let plain =
            import_accounts(TransferFormat::Aegis, fixture("aegis_plain.json"), None).unwrap();
        assert_eq!(plain.accounts.len(), 4);
        assert_eq!(plain.entries.len(), 7);
        let steam = &plain.entries[3];
        assert_eq!(steam.label, "Steam:gamer");
        assert_eq!(
            steam.warnings[0].kind,
            TransferWarningKind::TrailingBitsDropped
        );
        assert!(plain.entries[4].error.as_deref().unwrap().contains("motp"));
        assert_eq!(
            plain
                .entries
                .iter()
                .filter_map(|e| e.account.clone())
                .collect::<Vec<_>>(),
            plain.accounts
        );
        let encrypted = import_accounts(
            TransferFormat::Aegis,
            fixture("aegis_encrypted.json"),
            Some(PASSWORD.into()),
        )
        .unwrap();
        assert_eq!(encrypted, plain);
    }

    #[test]
    fn errors_are_the_variants_callers_act_on() {
        let data = fixture("aegis_encrypted.json");
        let none = import_accounts(TransferFormat::Aegis, data.clone(), None).unwrap_err();
        assert!(
            none.reason() == crate::ErrorReason::PasswordRequired,
            "{none}"
        );
        let wrong =
            import_accounts(TransferFormat::Aegis, data, Some("nope-nope".into())).unwrap_err();
        assert!(
            wrong.reason() == crate::ErrorReason::WrongPassword,
            "{wrong}"
        );
        assert!(!wrong.to_string().contains("nope-nope"));
        let junk = import_accounts(TransferFormat::TwoFas, b"{[".to_vec(), None).unwrap_err();
        assert!(junk.reason() == crate::ErrorReason::FileMalformed, "{junk}");
        assert!(junk.to_string().contains("2fas"), "{junk}");
    }

    #[test]
    fn exports_round_trip_and_assembler_reports_missing() {
        let list = (0..12)
            .map(|i| {
                format!(
                    "otpauth://totp/I{i}:u{i}?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PX{}&issuer=I{i}",
                    ["A", "Q"][i % 2]
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        let accounts = import_accounts(TransferFormat::OtpauthList, list.into_bytes(), None)
            .unwrap()
            .accounts;
        assert_eq!(accounts.len(), 12);
        let exported = export_google_migration(accounts.clone()).unwrap();
        assert_eq!(exported.uris.len(), 2);
        assert!(exported.notes.is_empty());
        let assembler = MigrationAssembler::new();
        assert_eq!(
            assembler.add(exported.uris[1].clone()).unwrap(),
            MigrationAdded::New
        );
        assert_eq!(assembler.missing(), vec![0]);
        assert_eq!(assembler.batch_size(), Some(2));
        assert_eq!(
            assembler.add(exported.uris[1].clone()).unwrap(),
            MigrationAdded::Duplicate
        );
        let other = export_google_migration(accounts[..1].to_vec()).unwrap();
        let e = assembler.add(other.uris[0].clone()).unwrap_err();
        assert!(e.reason() == crate::ErrorReason::DifferentExport, "{e}");
        assembler.add(exported.uris[0].clone()).unwrap();
        assert!(assembler.is_complete());
        assert_eq!(assembler.finish().accounts, accounts);

        let vault = export_aegis(accounts.clone(), Some("pw".into())).unwrap();
        let back = import_accounts(
            TransferFormat::Aegis,
            vault.text.into_bytes(),
            Some("pw".into()),
        )
        .unwrap();
        assert_eq!(back.accounts, accounts);
        let text = export_otpauth_list(accounts.clone()).unwrap().text;
        let back = import_accounts(TransferFormat::OtpauthList, text.into_bytes(), None).unwrap();
        assert_eq!(back.accounts, accounts);
        let empty = export_aegis(accounts, Some(String::new())).unwrap_err();
        assert!(
            empty.reason() == crate::ErrorReason::EmptyPassword,
            "{empty}"
        );
    }

    #[test]
    fn portability_findings_carry_sources() {
        let f = check_portability_uri(
            "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=sha256".into(),
        )
        .unwrap();
        assert!(
            f.iter()
                .any(|f| f.app == PortabilityApp::MicrosoftAuthenticator
                    && f.problem == PortabilityProblem::AlgorithmIgnored)
        );
        assert!(
            f.iter()
                .any(|f| f.problem == PortabilityProblem::LowercaseAlgorithm)
        );
        assert!(f.iter().all(|f| !f.sources.is_empty()));
        let e = check_portability_uri("https://example.com".into()).unwrap_err();
        assert!(e.reason() == crate::ErrorReason::NotOtpauthUri, "{e}");
    }
}
