//! Moving accounts between apps, through the facade: authenticator-app exports in
//! (encrypted ones too, under a key-derivation budget) and out, the QR codes of a
//! Google Authenticator transfer assembled, PSKC key containers in, and which
//! well-known apps would mishandle an account.

use std::sync::{Arc, Mutex, PoisonError};

use otpkit_facade::assembler::MigrationAssembler as FacadeAssembler;
use otpkit_facade::records::{self as fr, ImportRecord, PortabilityRecord};
use otpkit_facade::transfer as ft;
use otpkit_facade::{ErrorCode, args, portability};
use zeroize::Zeroizing;

use crate::account::{accounts, records, warnings};
use crate::error::ffi;
use crate::{Account, OtpkitError, UriWarning};

/// How much key derivation one import may spend (a hostile file makes the importer
/// spend all of it): `work` units in all (default about one second of one core) and
/// at most `max_memory` bytes per derivation (default 256 MiB). `KdfBudget()` is the
/// default; raise it only for files you trust.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, uniffi::Record)]
pub struct KdfBudget {
    /// Work units in all; `None` for the default.
    #[uniffi(default = None)]
    pub work: Option<u64>,
    /// Bytes per derivation; `None` for the default.
    #[uniffi(default = None)]
    pub max_memory: Option<u64>,
}

fn budget(b: Option<KdfBudget>) -> otpkit_transfer::WorkBudget {
    let b = b.unwrap_or_default();
    args::kdf_budget(b.work, b.max_memory)
}

fn u64_of(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// What happened to one entry of an imported file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct TransferEntry {
    /// The entry's 0-based position in the file.
    pub index: u64,
    /// The entry's label as the file names it (`Issuer:name`); empty when none.
    pub label: String,
    /// Notes about the imported entry (empty when it was not imported).
    pub warnings: Vec<UriWarning>,
    /// Why the entry was not imported, as a stable code.
    pub reason: Option<ErrorCode>,
    /// Why the entry was not imported, in a sentence (never secret).
    pub error: Option<String>,
}

/// An import: the accounts read, in file order, and one report per entry of the
/// file (imported or not).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Eq)]
pub struct TransferImport {
    /// The accounts read, in the file's order.
    pub accounts: Vec<Account>,
    /// One report per entry of the file.
    pub entries: Vec<TransferEntry>,
    /// Google migration: the 0-based indexes of the QR codes of the export that
    /// were not given. Empty when nothing is missing.
    pub missing_batches: Vec<u64>,
}

fn import(r: &ImportRecord) -> Result<TransferImport, OtpkitError> {
    Ok(TransferImport {
        accounts: accounts(&r.accounts)?,
        entries: r
            .entries
            .iter()
            .map(|e| TransferEntry {
                index: u64_of(e.index),
                label: e.label.clone(),
                warnings: warnings(&e.warnings),
                reason: e.error.as_ref().map(|e| e.reason),
                error: e
                    .error
                    .as_ref()
                    .map(|e| OtpkitError::from(e.clone()).detail()),
            })
            .collect(),
        missing_batches: r.missing_batches.iter().copied().map(u64_of).collect(),
    })
}

/// Reads an authenticator app's export: `format` is `"aegis"`, `"2fas"`,
/// `"andotp"`, `"bitwarden"`, `"freeotp-plus"`, `"authenticator-pro"`,
/// `"google-migration"` or `"otpauth-list"`; `password` opens an encrypted file
/// (a missing or wrong one is `Password`), under `budget` (default: `KdfBudget()`).
/// An entry that cannot be read is reported in `entries`; the others are still read.
#[uniffi::export(default(password = None, budget = None))]
pub fn import_accounts(
    format: String,
    data: Vec<u8>,
    password: Option<String>,
    budget: Option<KdfBudget>,
) -> Result<TransferImport, OtpkitError> {
    let data = Zeroizing::new(data);
    let password = password.map(Zeroizing::new);
    let read = ffi(ft::import_accounts(
        &format,
        &data,
        password.as_ref().map(|p| p.as_bytes()),
        self::budget(budget),
    ))?;
    import(&read)
}

/// Every format [`import_accounts`] reads, by name, in the docs' order.
#[uniffi::export]
pub fn import_formats() -> Vec<String> {
    ft::import_formats()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// The format of `data` told from its content alone: a name [`import_accounts`] takes,
/// `"pskc"` for a PSKC container (read it with [`import_pskc`]), or `nil`/`null` when
/// the content does not tell (an encrypted andOTP backup never does).
#[uniffi::export]
pub fn detect_format(data: Vec<u8>) -> Option<String> {
    let data = Zeroizing::new(data);
    ft::detect_format(&data).map(str::to_owned)
}

/// An export: the file's text (or one URI per QR code for a Google export), which
/// holds the secrets unless encrypted, and what the format could not carry. Its text
/// is `1 output texts, 0 notes`, never the output.
#[derive(Clone, PartialEq, Eq, Hash, uniffi::Record)]
#[uniffi::export(Debug, Display)]
pub struct AccountsExport {
    /// One text for a file, one URI per QR code for a Google export.
    pub output: Vec<String>,
    /// What the format could not carry, one sentence per account concerned.
    pub notes: Vec<String>,
}

impl AccountsExport {
    /// The facade's record of this export's shape, to print it (without the output).
    fn shape(&self) -> fr::ExportRecord {
        fr::ExportRecord {
            output: vec![String::new(); self.output.len()],
            notes: self.notes.clone(),
        }
    }
}

impl std::fmt::Debug for AccountsExport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.shape(), f)
    }
}

impl std::fmt::Display for AccountsExport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.shape(), f)
    }
}

/// Writes accounts as `"otpauth-list"`, `"google-migration"` (one URI per QR code),
/// `"aegis"`, `"cxf"` or `"pskc"` (Aegis and PSKC are encrypted with `password` when
/// given; the others take none).
#[uniffi::export(default(password = None))]
pub fn export_accounts(
    format: String,
    accounts: Vec<Account>,
    password: Option<String>,
) -> Result<AccountsExport, OtpkitError> {
    let password = password.map(Zeroizing::new);
    let out = ffi(ft::export_accounts(
        &format,
        &records(&accounts),
        password.as_ref().map(|p| p.as_bytes()),
    ))?;
    Ok(AccountsExport {
        output: out.output,
        notes: out.notes,
    })
}

/// One key of a PSKC container: its account, or why it was not read.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Eq)]
pub struct PskcKeyReport {
    /// The account (a TOTP or HOTP token), when the key was read.
    pub account: Option<Account>,
    /// Why the key was not read: the stable code, and the sentence (no key material).
    pub reason: Option<ErrorCode>,
    /// See `reason`.
    pub error: Option<String>,
    /// How the file protected the key: `"inTheClear"`, `"macChecked"` or
    /// `"notIntegrityProtected"`.
    pub protection: Option<String>,
    /// The key's `Id` and the device's serial number, as the file gives them.
    pub key_id: Option<String>,
    /// See `key_id`.
    pub serial_number: Option<String>,
}

/// Reads a PSKC (RFC 6030) key container. Give `pre_shared_key` (raw bytes) for a
/// container encrypted with one (§6.1), `password` for one encrypted with a password
/// (§6.2; its key derivation is charged to `budget`), neither for keys in the clear;
/// encrypted values without a MAC only with `allow_unauthenticated`.
#[uniffi::export(default(
    pre_shared_key = None,
    password = None,
    allow_unauthenticated = false,
    budget = None
))]
pub fn import_pskc(
    xml: String,
    pre_shared_key: Option<Vec<u8>>,
    password: Option<String>,
    allow_unauthenticated: bool,
    budget: Option<KdfBudget>,
) -> Result<Vec<PskcKeyReport>, OtpkitError> {
    let xml = Zeroizing::new(xml);
    let key = pre_shared_key.map(Zeroizing::new);
    let password = password.map(Zeroizing::new);
    let keys = ffi(ft::import_pskc(
        xml.as_bytes(),
        key.as_ref().map(|k| k.as_slice()),
        password.as_ref().map(|p| p.as_bytes()),
        allow_unauthenticated,
        self::budget(budget),
    ))?;
    keys.iter()
        .map(|k| {
            Ok(PskcKeyReport {
                key_id: k.key_id.clone(),
                serial_number: k.serial_number.clone(),
                account: k
                    .account
                    .as_ref()
                    .map(|a| ffi(Account::from_record(a)))
                    .transpose()?,
                protection: k.protection.map(str::to_owned),
                reason: k.error.as_ref().map(|e| e.reason),
                error: k
                    .error
                    .as_ref()
                    .map(|e| OtpkitError::from(e.clone()).detail()),
            })
        })
        .collect()
}

/// Assembles the QR codes of one Google Authenticator "Transfer accounts" export,
/// scanned in any order: the same QR code again is recognised, and `missing()` says
/// which are still to scan. Unlike the other objects it changes as URIs are added
/// (safely from any thread).
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct MigrationAssembler(Mutex<FacadeAssembler>);

impl std::fmt::Debug for MigrationAssembler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MigrationAssembler { .. }")
    }
}

impl MigrationAssembler {
    fn with<T>(&self, f: impl FnOnce(&mut FacadeAssembler) -> T) -> T {
        let mut guard = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut guard)
    }
}

#[uniffi::export]
impl MigrationAssembler {
    /// An empty assembler.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(MigrationAssembler(Mutex::new(FacadeAssembler::new())))
    }

    /// Adds one scanned `otpauth-migration://` URI: true for a QR code not seen
    /// before, false for the same one again (nothing changes). A URI of another
    /// export is an error (`DIFFERENT_EXPORT`).
    pub fn add(&self, uri: String) -> Result<bool, OtpkitError> {
        let uri = Zeroizing::new(uri);
        ffi(self.with(|a| a.add(&uri)))
    }

    /// The 0-based indexes of the QR codes not added yet (empty before the first).
    pub fn missing(&self) -> Vec<u64> {
        self.with(|a| a.missing())
    }

    /// The export's number of QR codes, once a URI was added.
    pub fn batch_size(&self) -> Option<u64> {
        self.with(|a| a.batch_size())
    }

    /// Whether every QR code was added (false before the first).
    pub fn is_complete(&self) -> bool {
        self.with(|a| a.is_complete())
    }

    /// The accounts of the QR codes added, in order, with a report per entry and
    /// the QR codes still missing. The assembler is empty afterwards.
    pub fn finish(&self) -> Result<TransferImport, OtpkitError> {
        import(&self.with(|a| a.finish()))
    }
}

/// One app that would mishandle an account, with the reports that say so. Its text
/// is the finding's sentence.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
#[uniffi::export(Display)]
pub struct PortabilityFinding {
    /// The app's stable code: `"GOOGLE_AUTHENTICATOR"`, `"MICROSOFT_AUTHENTICATOR"`,
    /// `"AUTHY"`.
    pub app: String,
    /// The app's name, for people.
    pub app_name: String,
    /// What goes wrong, as a stable code: `"ALGORITHM_IGNORED"`, `"DIGITS_IGNORED"`,
    /// `"DIGITS_UNSUPPORTED"`, `"PERIOD_IGNORED"`, `"LOWERCASE_ALGORITHM"`, `"TYPE_UNSUPPORTED"`.
    pub problem: String,
    /// The finding in one sentence.
    pub message: String,
    /// When the rule applies.
    pub when: String,
    /// Which app versions the reports concern.
    pub versions: String,
    /// URLs of the public reports the rule rests on.
    pub sources: Vec<String>,
}

impl std::fmt::Display for PortabilityFinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn findings(records: Vec<PortabilityRecord>) -> Vec<PortabilityFinding> {
    records
        .into_iter()
        .map(|r| PortabilityFinding {
            app: r.app.to_owned(),
            app_name: r.app_name,
            problem: r.problem.to_owned(),
            message: r.message,
            when: r.when.to_owned(),
            versions: r.versions.to_owned(),
            sources: r.sources.iter().map(|s| (*s).to_owned()).collect(),
        })
        .collect()
}

/// Which well-known apps would mishandle `account`, and why; empty for SHA-1,
/// 6 digits and 30 s.
#[uniffi::export]
pub fn check_portability(account: Account) -> Result<Vec<PortabilityFinding>, OtpkitError> {
    ffi(portability::check_portability(&account.record())).map(findings)
}

/// [`check_portability`] for an `otpauth://` URI, which also sees how the URI
/// spells its values (a lowercase `algorithm`).
#[uniffi::export]
pub fn check_portability_uri(uri: String) -> Result<Vec<PortabilityFinding>, OtpkitError> {
    let uri = Zeroizing::new(uri);
    ffi(portability::check_portability_uri(&uri)).map(findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_otpauth_uri;

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
            import_accounts("aegis".into(), fixture("aegis_plain.json"), None, None).unwrap();
        assert_eq!(plain.accounts.len(), 5);
        assert_eq!(plain.entries.len(), 7);
        let steam = &plain.entries[3];
        assert_eq!(steam.label, "Steam:gamer");
        assert_eq!(steam.warnings[0].code, "TRAILING_BITS_DROPPED");
        // The mOTP entry imports with its PIN; the next one has no secret.
        assert!(plain.entries[4].error.is_none());
        assert_eq!(plain.accounts[4].kind, crate::account::Kind::Motp);
        assert_eq!(plain.accounts[4].pin.as_deref(), Some("1234"));
        assert!(
            plain.entries[5]
                .error
                .as_deref()
                .unwrap()
                .contains("secret")
        );
        assert!(plain.entries[5].reason.is_some());
        let encrypted = import_accounts(
            "aegis".into(),
            fixture("aegis_encrypted.json"),
            Some(PASSWORD.into()),
            None,
        )
        .unwrap();
        assert_eq!(encrypted, plain);
    }

    #[test]
    fn errors_are_the_variants_callers_act_on() {
        let data = fixture("aegis_encrypted.json");
        let none = import_accounts("aegis".into(), data.clone(), None, None).unwrap_err();
        assert!(
            matches!(
                none,
                OtpkitError::Password {
                    reason: ErrorCode::PasswordRequired,
                    ..
                }
            ),
            "{none:?}"
        );
        let wrong = import_accounts("aegis".into(), data.clone(), Some("nope-nope".into()), None)
            .unwrap_err();
        assert_eq!(wrong.reason(), ErrorCode::WrongPassword, "{wrong}");
        assert!(!wrong.to_string().contains("nope-nope"));
        let junk = import_accounts("2fas".into(), b"{[".to_vec(), None, None).unwrap_err();
        assert_eq!(junk.reason(), ErrorCode::FileMalformed, "{junk}");
        let unknown = import_accounts("lotus-notes".into(), data.clone(), None, None).unwrap_err();
        assert_eq!(unknown.reason(), ErrorCode::UnknownFormat, "{unknown}");
        let tiny = KdfBudget {
            work: Some(1),
            max_memory: None,
        };
        let over =
            import_accounts("aegis".into(), data, Some(PASSWORD.into()), Some(tiny)).unwrap_err();
        assert_eq!(over.reason(), ErrorCode::KdfBudget, "{over}");
    }

    #[test]
    fn exports_round_trip_and_the_assembler_reports_missing_qr_codes() {
        let accounts: Vec<Account> = (0..12)
            .map(|i| {
                parse_otpauth_uri(format!(
                    "otpauth://totp/I{i}:u{i}?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PX{}&issuer=I{i}",
                    ["A", "Q"][i % 2]
                ))
                .unwrap()
                .account
            })
            .collect();
        let qr = export_accounts("google-migration".into(), accounts.clone(), None).unwrap();
        assert_eq!(qr.output.len(), 2);
        assert_eq!(qr.to_string(), "2 output texts, 0 notes");
        assert!(!format!("{qr:?}").contains("otpauth-migration"), "{qr:?}");
        let assembler = MigrationAssembler::new();
        assert!(assembler.add(qr.output[1].clone()).unwrap());
        assert_eq!(assembler.missing(), vec![0]);
        assert_eq!(assembler.batch_size(), Some(2));
        assert!(!assembler.add(qr.output[1].clone()).unwrap());
        let other =
            export_accounts("google-migration".into(), accounts[..1].to_vec(), None).unwrap();
        let e = assembler.add(other.output[0].clone()).unwrap_err();
        assert_eq!(e.reason(), ErrorCode::DifferentExport, "{e}");
        assembler.add(qr.output[0].clone()).unwrap();
        assert!(assembler.is_complete());
        assert_eq!(assembler.finish().unwrap().accounts, accounts);

        let vault = export_accounts("aegis".into(), accounts.clone(), Some("pw".into())).unwrap();
        let back = import_accounts(
            "aegis".into(),
            vault.output[0].clone().into_bytes(),
            Some("pw".into()),
            None,
        )
        .unwrap();
        assert_eq!(back.accounts, accounts);
        let empty = export_accounts("aegis".into(), accounts, Some(String::new())).unwrap_err();
        assert_eq!(empty.reason(), ErrorCode::EmptyPassword, "{empty}");
    }

    #[test]
    fn portability_findings_carry_codes_and_sources() {
        let f = check_portability_uri(
            "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=sha256".into(),
        )
        .unwrap();
        assert!(
            f.iter()
                .any(|f| f.app == "MICROSOFT_AUTHENTICATOR" && f.problem == "ALGORITHM_IGNORED")
        );
        assert!(f.iter().any(|f| f.problem == "LOWERCASE_ALGORITHM"));
        assert!(
            f.iter()
                .all(|f| !f.sources.is_empty() && f.to_string() == f.message)
        );
        let e = check_portability_uri("https://example.com".into()).unwrap_err();
        assert_eq!(e.reason(), ErrorCode::NotOtpauthUri, "{e}");
    }

    #[test]
    fn a_pskc_container_imports_its_keys() {
        let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../crates/otpkit-pskc/tests/data/rfc6030-figure-3.xml");
        let xml = std::fs::read_to_string(data).unwrap();
        let keys = import_pskc(xml.clone(), None, None, false, None).unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].protection.as_deref(), Some("inTheClear"));
        assert_eq!(keys[0].account.as_ref().unwrap().digits, 8);
        let e = import_pskc(xml, Some(vec![1; 16]), Some("p".into()), false, None).unwrap_err();
        assert_eq!(e.reason(), ErrorCode::KeyAndPassword);
    }
}
