//! Flat owned records: what the operations return, in plain fields every language
//! maps without knowing the core's types. Each prints readably (`Display`), and no
//! `Debug` or `Display` shows a secret.

use core::fmt;

use otpkit::ErrorCode;
use zeroize::Zeroize;

use crate::FacadeError;

/// Which step (TOTP, Steam) or counter (HOTP) a verified code matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeMatch {
    /// The matched time step or counter.
    pub step: u64,
    /// The matched step minus the expected one: negative when the device is behind.
    pub offset: i64,
}

impl fmt::Display for CodeMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "matched step {} (offset {})", self.step, self.offset)
    }
}

/// What kind of account, with what only that kind has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountKind {
    /// Time-based, with its period in seconds.
    Totp {
        /// The period in seconds.
        period: u64,
    },
    /// Counter-based, with the counter of the next code.
    Hotp {
        /// The counter of the next code.
        counter: u64,
    },
    /// Steam Guard.
    Steam,
    /// Mobile-OTP (six hex digits every 10 s from the secret text and a PIN).
    Motp,
    /// Yandex Key (eight letters every 30 s from the secret and a PIN).
    Yandex,
}

impl AccountKind {
    /// The record of a core account kind.
    pub const fn of(kind: otpkit::Kind) -> Self {
        match kind {
            otpkit::Kind::Totp { period } => AccountKind::Totp {
                period: period.seconds(),
            },
            otpkit::Kind::Hotp { counter } => AccountKind::Hotp { counter },
            otpkit::Kind::Steam => AccountKind::Steam,
            otpkit::Kind::Motp => AccountKind::Motp,
            otpkit::Kind::Yandex => AccountKind::Yandex,
        }
    }

    /// `"totp"`, `"hotp"`, `"steam"`, `"motp"` or `"yandex"`.
    pub const fn name(self) -> &'static str {
        match self {
            AccountKind::Totp { .. } => "totp",
            AccountKind::Hotp { .. } => "hotp",
            AccountKind::Steam => "steam",
            AccountKind::Motp => "motp",
            AccountKind::Yandex => "yandex",
        }
    }
}

/// One OTP account: what an `otpauth://` URI describes. Holds the secret (as
/// Base32): treat it like the secret. `Debug` and `Display` never show it, and
/// dropping the record overwrites it (so its fields are read by reference or
/// cloned, never moved out).
#[derive(Clone, PartialEq, Eq)]
pub struct AccountRecord {
    /// The issuing service, if any.
    pub issuer: Option<String>,
    /// The account name.
    pub name: String,
    /// The secret as canonical Base32.
    pub secret: String,
    /// The hash: `"SHA1"`, `"SHA256"` or `"SHA512"`.
    pub algorithm: &'static str,
    /// The code length.
    pub digits: u8,
    /// The kind and what only it has.
    pub kind: AccountKind,
    /// The PIN of an mOTP or Yandex account, if known; `None` for the other kinds.
    /// As secret as the secret: never shown, overwritten on drop.
    pub pin: Option<String>,
    /// Parameters otpkit does not interpret, as (name, value), in order.
    pub extra: Vec<(String, String)>,
}

impl AccountRecord {
    /// The record of a core account.
    pub fn from_core(account: &otpkit::Account) -> Self {
        let kind = AccountKind::of(account.kind);
        AccountRecord {
            issuer: account.issuer.clone(),
            name: account.name.clone(),
            secret: account.secret.base32().to_string(),
            algorithm: account.algorithm.name(),
            digits: account.digits.get(),
            kind,
            pin: account.pin.as_ref().map(|p| p.as_str().to_owned()),
            extra: account.extra.clone(),
        }
    }

    /// The core account of this record, every field checked by the core. The secret
    /// may be short (as files and URIs carry it).
    pub fn to_core(&self) -> Result<otpkit::Account, FacadeError> {
        let kind = match self.kind {
            AccountKind::Totp { period } => otpkit::Kind::Totp {
                period: crate::args::period(Some(period))?,
            },
            AccountKind::Hotp { counter } => otpkit::Kind::Hotp { counter },
            AccountKind::Steam => otpkit::Kind::Steam,
            AccountKind::Motp => otpkit::Kind::Motp,
            AccountKind::Yandex => otpkit::Kind::Yandex,
        };
        let pin = match (&self.pin, self.kind) {
            (Some(pin), AccountKind::Motp | AccountKind::Yandex) => Some(
                otpkit::Pin::new(pin)
                    .map_err(|_| FacadeError::new(ErrorCode::InvalidPin, "invalid PIN"))?,
            ),
            (None, _) => None,
            (Some(_), AccountKind::Totp { .. } | AccountKind::Hotp { .. } | AccountKind::Steam) => {
                return Err(FacadeError::new(
                    ErrorCode::InvalidPin,
                    "only mOTP and Yandex accounts have a PIN",
                ));
            }
        };
        Ok(otpkit::Account {
            issuer: self.issuer.clone(),
            name: self.name.clone(),
            secret: crate::args::secret_base32(&self.secret, true)?,
            algorithm: crate::args::algorithm(Some(self.algorithm))?,
            digits: crate::args::digits(Some(self.digits))?,
            kind,
            pin,
            extra: self.extra.clone(),
        })
    }

    /// The label apps show: `issuer:name`, or the name alone.
    pub fn label(&self) -> String {
        match self.issuer.as_deref() {
            Some(issuer) if !issuer.is_empty() => format!("{issuer}:{}", self.name),
            _ => self.name.clone(),
        }
    }
}

impl Drop for AccountRecord {
    /// Overwrites the secret's text, its whole buffer, before the buffer is freed,
    /// so that no copy of the secret is left in freed memory.
    fn drop(&mut self) {
        self.secret.zeroize();
        if let Some(pin) = &mut self.pin {
            pin.zeroize();
        }
    }
}

impl fmt::Debug for AccountRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountRecord")
            .field("issuer", &self.issuer)
            .field("name", &self.name)
            .field("secret", &"<redacted>")
            .field("algorithm", &self.algorithm)
            .field("digits", &self.digits)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for AccountRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} account {} ({}, {} digits)",
            self.kind.name(),
            self.label(),
            self.algorithm,
            self.digits
        )
    }
}

/// A note for the user about input that was accepted. Never holds secret material.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WarningRecord {
    /// The warning's stable name, e.g. `"SECRET_LOWERCASE"`.
    pub code: &'static str,
    /// A short sentence for the user.
    pub message: String,
}

impl fmt::Display for WarningRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A parsed `otpauth://` URI: the account and what was normalised or doubtful.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedUri {
    /// The account.
    pub account: AccountRecord,
    /// The warnings, in the order found; empty for a canonical URI.
    pub warnings: Vec<WarningRecord>,
}

/// One decoded `otpauth-migration://` URI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrationBatch {
    /// Each entry: an account, or why it is unusable.
    pub entries: Vec<Result<AccountRecord, FacadeError>>,
    /// Payload format version.
    pub version: i32,
    /// How many URIs the export has.
    pub batch_size: i32,
    /// This URI's 0-based index among them.
    pub batch_index: i32,
    /// The same for every URI of one export.
    pub batch_id: i32,
}

/// What the operation an [`Attempt`] records was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptKind {
    /// A sign-in with one code.
    SignIn,
    /// An enrolment step (one code, or two at once).
    Enrollment,
    /// A resynchronisation with two consecutive codes.
    Resync,
    /// A recovery code.
    Recovery,
}

/// What one attempt of the verifier or of recovery codes came to, and the state to
/// store whatever it is. A wrong, replayed or malformed code is an attempt with
/// `ok == false`, never an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// The operation.
    pub kind: AttemptKind,
    /// Accepted (sign-in, recovery), enrolled or resynced.
    pub ok: bool,
    /// Enrolment only: the first code was good, the next one is needed.
    pub needs_next_code: bool,
    /// Why it was refused; `None` when `ok` (or a next code is needed).
    pub reason: Option<ErrorCode>,
    /// The core's sentence for it; never secret material.
    pub message: String,
    /// Accepted: the step (TOTP) or counter (HOTP) of the code.
    pub step: Option<u64>,
    /// Accepted: the device's clock drift in steps, or the counters skipped.
    pub drift: Option<i64>,
    /// Locked: when the lock-out ends (Unix seconds); `u64::MAX` until cleared.
    pub locked_until: Option<u64>,
    /// Recovery: the index of the code used.
    pub index: Option<usize>,
    /// Recovery: the codes left.
    pub remaining: Option<usize>,
    /// The new state string: store it (compare-and-swap on the old one).
    pub state: String,
}

impl Attempt {
    pub(crate) fn new(kind: AttemptKind, message: String, state: String) -> Self {
        Attempt {
            kind,
            ok: false,
            needs_next_code: false,
            reason: None,
            message,
            step: None,
            drift: None,
            locked_until: None,
            index: None,
            remaining: None,
            state,
        }
    }
}

impl fmt::Display for Attempt {
    /// The outcome's sentence (the state is not shown: it is a stored value).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A new set of recovery codes: show the codes once, store the state.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoverySet {
    /// The codes, grouped for reading (`"abcd-efgh-…"`).
    pub codes: Vec<String>,
    /// The state to store: hashes only, never the codes.
    pub state: String,
}

impl fmt::Debug for RecoverySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecoverySet {{ {} codes }}", self.codes.len())
    }
}

impl fmt::Display for RecoverySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} recovery codes", self.codes.len())
    }
}

/// One entry of an imported file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryRecord {
    /// 0-based position in the file.
    pub index: usize,
    /// The entry's label as the file shows it.
    pub label: String,
    /// Warnings of an entry that was imported.
    pub warnings: Vec<WarningRecord>,
    /// Why the entry was not imported.
    pub error: Option<FacadeError>,
}

impl fmt::Display for EntryRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.error {
            Some(e) => write!(f, "entry {} ({}): {e}", self.index, self.label),
            None => write!(f, "entry {} ({}): imported", self.index, self.label),
        }
    }
}

/// An imported authenticator-app file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportRecord {
    /// The accounts read, in file order.
    pub accounts: Vec<AccountRecord>,
    /// One report per entry, imported or not.
    pub entries: Vec<EntryRecord>,
    /// Google migration: batch indexes of the export that were not in the file.
    pub missing_batches: Vec<usize>,
}

impl ImportRecord {
    /// The record of a core import: its accounts, one entry per entry of the file
    /// (warnings, or why it was refused) and the missing batches.
    pub fn from_core(import: &otpkit_transfer::Import) -> Self {
        let accounts = import
            .accounts
            .iter()
            .map(AccountRecord::from_core)
            .collect();
        let entries = import
            .report
            .iter()
            .map(|r| {
                let (warnings, error) = match &r.outcome {
                    Ok(ws) => (
                        ws.iter()
                            .map(|w| WarningRecord {
                                code: w.code(),
                                message: w.to_string(),
                            })
                            .collect(),
                        None,
                    ),
                    Err(e) => (Vec::new(), Some(FacadeError::from(e.clone()))),
                };
                EntryRecord {
                    index: r.index,
                    label: r.label.clone(),
                    warnings,
                    error,
                }
            })
            .collect();
        ImportRecord {
            accounts,
            entries,
            missing_batches: import.missing_batches.clone(),
        }
    }
}

impl fmt::Display for ImportRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let failed = self.entries.iter().filter(|e| e.error.is_some()).count();
        write!(
            f,
            "{} accounts imported, {failed} entries refused",
            self.accounts.len()
        )
    }
}

/// An export: the file's text (or one URI per QR code) and what it lost.
#[derive(Clone, PartialEq, Eq)]
pub struct ExportRecord {
    /// The output: one text for a file, one URI per QR code for a Google export.
    pub output: Vec<String>,
    /// What the format could not carry, one sentence per account concerned.
    pub notes: Vec<String>,
}

impl fmt::Debug for ExportRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExportRecord")
            .field(
                "output",
                &format_args!("<{} secret texts>", self.output.len()),
            )
            .field("notes", &self.notes)
            .finish()
    }
}

impl fmt::Display for ExportRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} output texts, {} notes",
            self.output.len(),
            self.notes.len()
        )
    }
}

/// One key of a PSKC container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PskcKeyRecord {
    /// The key's `Id`.
    pub key_id: Option<String>,
    /// The device's serial number.
    pub serial_number: Option<String>,
    /// The account, if the key was read.
    pub account: Option<AccountRecord>,
    /// How the file protected the key: `"inTheClear"`, `"macChecked"` or
    /// `"notIntegrityProtected"`.
    pub protection: Option<&'static str>,
    /// Why the key was not read.
    pub error: Option<FacadeError>,
    /// The device's manufacturer, if the key was read and the file names it.
    pub manufacturer: Option<String>,
    /// The device's model, likewise.
    pub model: Option<String>,
    /// The key's friendly name, likewise.
    pub friendly_name: Option<String>,
    /// The user the key belongs to, likewise.
    pub user_id: Option<String>,
    /// A TOTP key's Unix time of step 0.
    pub t0: Option<u64>,
    /// A TOTP key's clock drift in steps, as the file records it.
    pub drift: Option<i64>,
    /// The verifier state to store for the key (its counter or drift), if it was read.
    pub device_state: Option<String>,
}

impl fmt::Display for PskcKeyRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.key_id.as_deref().unwrap_or("(no id)");
        match (&self.account, &self.error) {
            (_, Some(e)) => write!(f, "key {id}: {e}"),
            (Some(a), None) => write!(f, "key {id}: {a}"),
            (None, None) => write!(f, "key {id}"),
        }
    }
}

/// One app that would mishandle an account ([`crate::portability`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortabilityRecord {
    /// The app's stable code: `"GOOGLE_AUTHENTICATOR"`, `"MICROSOFT_AUTHENTICATOR"`,
    /// `"AUTHY"`.
    pub app: &'static str,
    /// The app's name, for people.
    pub app_name: String,
    /// What goes wrong, as a stable code: `"ALGORITHM_IGNORED"`, `"DIGITS_IGNORED"`,
    /// `"DIGITS_UNSUPPORTED"`, `"PERIOD_IGNORED"`, `"LOWERCASE_ALGORITHM"`, `"TYPE_UNSUPPORTED"`.
    pub problem: &'static str,
    /// The finding in one sentence.
    pub message: String,
    /// When the rule applies.
    pub when: &'static str,
    /// Which app versions the reports concern.
    pub versions: &'static str,
    /// The public reports the rule rests on (URLs).
    pub sources: Vec<&'static str>,
}

impl fmt::Display for PortabilityRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
