//! The typed errors and warnings of an import. None of them carries secret material.

use core::fmt;

use otpkit::SecretError;
use otpkit::migration::{EntryError as MigrationEntryError, MigrationError};
use otpkit::otpauth::{UriError, Warning};
use otpkit::steam::SteamUriError;
use otpkit_kdf::{KdfError, OverBudget};

use crate::Format;

/// Why a file as a whole could not be imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportError {
    /// The file is larger than [`crate::MAX_INPUT_LEN`].
    TooLarge {
        /// The file's length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The file has more than [`crate::MAX_ENTRIES`] entries.
    TooManyEntries {
        /// The limit.
        max: usize,
    },
    /// The file is not of the format asked for (or is damaged). `what` says what was
    /// expected; `line`/`column` locate a JSON syntax or structure error (0 when not
    /// applicable).
    Malformed {
        /// The format asked for.
        format: Format,
        /// What is wrong, in the format's terms.
        what: &'static str,
        /// 1-based line of the problem, or 0.
        line: usize,
        /// 1-based column of the problem, or 0.
        column: usize,
    },
    /// A version of the format this library does not read.
    UnsupportedVersion {
        /// The format asked for.
        format: Format,
        /// The version found.
        version: i64,
    },
    /// The file is encrypted and no password was given.
    PasswordRequired {
        /// The format asked for.
        format: Format,
    },
    /// The password is wrong (the key it derives does not open the file).
    WrongPassword {
        /// The format asked for.
        format: Format,
    },
    /// The password opened the file's key, but the encrypted content failed its
    /// integrity check: the file was damaged or tampered with.
    IntegrityCheckFailed {
        /// The format asked for.
        format: Format,
    },
    /// The file is encrypted in a way that cannot be opened with a password (for
    /// example a Bitwarden export locked to the account key, or an Aegis vault with
    /// biometric slots only).
    UnsupportedEncryption {
        /// The format asked for.
        format: Format,
        /// What the file uses.
        what: &'static str,
    },
    /// The file's key-derivation parameters are invalid (zero, not a power of two,
    /// a salt too short, …).
    KdfParameters {
        /// The format asked for.
        format: Format,
        /// Which parameter.
        what: &'static str,
    },
    /// The file asks for more key-derivation work than the import's
    /// [`WorkBudget`](crate::WorkBudget) allows (in total, over all its password
    /// slots and derivations), or more memory for one derivation than its cap. It
    /// was refused before that derivation ran; a caller who trusts the file can
    /// allow more with [`ImportOptions::budget`](crate::ImportOptions::budget).
    KdfBudget {
        /// The format asked for.
        format: Format,
        /// What the refused derivation needed, and what the budget allows.
        exceeded: OverBudget,
    },
    /// An `otpauth-migration://` URI could not be read as a whole.
    Migration {
        /// The 0-based line of the URI.
        line: usize,
        /// Why.
        error: MigrationError,
    },
    /// Multi-QR migration URIs that cannot belong to one export.
    InconsistentBatches {
        /// What does not fit.
        what: &'static str,
    },
}

impl ImportError {
    pub(crate) fn malformed(format: Format, what: &'static str) -> Self {
        ImportError::Malformed {
            format,
            what,
            line: 0,
            column: 0,
        }
    }

    /// A key derivation that did not run: invalid parameters or over the budget.
    pub(crate) fn kdf(format: Format, e: KdfError) -> Self {
        match e {
            KdfError::Parameter(what) => ImportError::KdfParameters { format, what },
            KdfError::OverBudget(exceeded) => ImportError::KdfBudget { format, exceeded },
        }
    }

    /// A serde_json error, by position only: its message can quote the file's values.
    pub(crate) fn json(format: Format, what: &'static str, e: &serde_json::Error) -> Self {
        ImportError::Malformed {
            format,
            what,
            line: e.line(),
            column: e.column(),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::TooLarge { len, max } => {
                write!(f, "the file is {len} bytes, more than the {max}-byte limit")
            }
            ImportError::TooManyEntries { max } => {
                write!(f, "the file has more than {max} entries")
            }
            ImportError::Malformed {
                format,
                what,
                line,
                column,
            } => {
                write!(f, "not a valid {format} file: {what}")?;
                if *line > 0 {
                    write!(f, " (line {line}, column {column})")?;
                }
                Ok(())
            }
            ImportError::UnsupportedVersion { format, version } => {
                write!(f, "{format} file version {version} is not supported")
            }
            ImportError::PasswordRequired { format } => {
                write!(f, "the {format} file is encrypted: a password is needed")
            }
            ImportError::WrongPassword { format } => {
                write!(f, "wrong password for the {format} file")
            }
            ImportError::IntegrityCheckFailed { format } => write!(
                f,
                "the {format} file failed its integrity check: it is damaged or was tampered with"
            ),
            ImportError::UnsupportedEncryption { format, what } => {
                write!(
                    f,
                    "the {format} file cannot be opened with a password: {what}"
                )
            }
            ImportError::KdfParameters { format, what } => write!(
                f,
                "the {format} file's key-derivation parameter {what} is invalid"
            ),
            ImportError::KdfBudget { format, exceeded } => write!(
                f,
                "the {format} file asks for more key-derivation work than allowed: \
                 {exceeded}; if the file is trusted, allow more with a larger WorkBudget"
            ),
            ImportError::Migration { line, error } => {
                write!(f, "line {}: {error}", line.saturating_add(1))
            }
            ImportError::InconsistentBatches { what } => {
                write!(f, "the migration QR codes do not belong together: {what}")
            }
        }
    }
}

impl std::error::Error for ImportError {}

/// Something an imported entry had that its user may want to know about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryWarning {
    /// A note from the `otpauth://` parser.
    Uri(Warning),
    /// The secret's Base32 text had a length no RFC 4648 encoder produces (1, 3 or 6
    /// symbols past a multiple of 8, as in `STEAMSECRET`); its last symbols, which
    /// only held the incomplete trailing bits, were dropped, as the apps do.
    TrailingBitsDropped {
        /// The number of Base32 symbols in the file.
        symbols: usize,
        /// How many were dropped.
        dropped: usize,
    },
    /// The secret is shorter than RFC 4226's 128 bits.
    ShortSecret {
        /// Its length in bits.
        bits: usize,
    },
    /// A field was missing or null and its usual default was used.
    Defaulted {
        /// The field's name in the file.
        field: &'static str,
    },
    /// The format version stores no OTP type; the entry was read as TOTP.
    TypeAssumedTotp,
    /// The file had two names for the entry and one was used (e.g. 2FAS's `name` and
    /// `otp.issuer`).
    FieldIgnored {
        /// The field that was not used.
        field: &'static str,
    },
    /// An mOTP or Yandex entry without its PIN (andOTP keeps it out of its backups;
    /// an Aegis or Authenticator Pro entry may lack it): the account is imported with
    /// [`Account::pin`](otpkit::Account::pin) `None`, and its codes wait for the user
    /// to give the PIN.
    PinNotStored,
}

impl fmt::Display for EntryWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryWarning::Uri(w) => fmt::Display::fmt(w, f),
            EntryWarning::TrailingBitsDropped { symbols, dropped } => write!(
                f,
                "the secret has {symbols} Base32 characters, an invalid length; the last \
                 {dropped}, which held only incomplete trailing bits, were dropped"
            ),
            EntryWarning::ShortSecret { bits } => write!(
                f,
                "the secret is only {bits} bits, shorter than the 128 bits RFC 4226 requires"
            ),
            EntryWarning::Defaulted { field } => {
                write!(f, "the {field} field was missing; its default was used")
            }
            EntryWarning::TypeAssumedTotp => {
                f.write_str("this file version stores no OTP type; read as TOTP")
            }
            EntryWarning::FieldIgnored { field } => {
                write!(f, "the {field} field was not used")
            }
            EntryWarning::PinNotStored => f.write_str(
                "the file does not hold this account's PIN; give it before codes can be shown",
            ),
        }
    }
}

/// Why one entry was not imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryError {
    /// An OTP type otpkit does not generate (mOTP, Yandex, …); its name as in the file.
    UnsupportedType(String),
    /// A hash otpkit does not support (MD5, SHA-384, …); its name as in the file.
    UnsupportedAlgorithm(String),
    /// A code length outside 6 to 10.
    InvalidDigits(i64),
    /// A period of zero or below (seconds).
    InvalidPeriod(i64),
    /// A counter below zero.
    InvalidCounter,
    /// A required field is missing.
    MissingField(&'static str),
    /// The entry's JSON does not have the format's structure (a field of the wrong
    /// type); where it starts.
    Malformed {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// The secret is not valid (bad character, empty, too long).
    Secret(SecretError),
    /// The entry's `otpauth://` URI was refused.
    Uri(UriError),
    /// The entry's `steam://` value was refused.
    Steam(SteamUriError),
    /// A Google migration entry was refused.
    Migration(MigrationEntryError),
    /// An mOTP or Yandex entry with a code length other than its scheme's (mOTP 6,
    /// Yandex 8): otpkit computes only the scheme's codes.
    DigitsFixed {
        /// `"mOTP"` or `"Yandex"`.
        kind: &'static str,
        /// The length in the file.
        got: i64,
    },
    /// An mOTP or Yandex entry with a period other than its scheme's (mOTP 10 s,
    /// Yandex 30 s).
    PeriodFixed {
        /// `"mOTP"` or `"Yandex"`.
        kind: &'static str,
        /// The period in the file (seconds).
        got: i64,
    },
    /// The entry's PIN is not a PIN otpkit keeps (empty, or longer than
    /// [`otpkit::MAX_PIN_LEN`] bytes).
    Pin(otpkit::PinError),
    /// A Yandex secret of the wrong length or with a wrong checksum.
    YandexSecret(otpkit::yandex::YandexSecretError),
}

impl EntryError {
    pub(crate) fn json(e: &serde_json::Error) -> Self {
        EntryError::Malformed {
            line: e.line(),
            column: e.column(),
        }
    }
}

impl fmt::Display for EntryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryError::UnsupportedType(t) => write!(f, "unsupported OTP type \"{t}\""),
            EntryError::UnsupportedAlgorithm(a) => write!(f, "unsupported algorithm \"{a}\""),
            EntryError::InvalidDigits(d) => {
                write!(f, "{d} digits: the code length must be from 6 to 10")
            }
            EntryError::InvalidPeriod(p) => {
                write!(f, "period {p}: it must be at least one second")
            }
            EntryError::InvalidCounter => f.write_str("the counter is negative"),
            EntryError::MissingField(field) => write!(f, "the {field} field is missing"),
            EntryError::Malformed { line, column } => write!(
                f,
                "the entry does not have the format's structure (line {line}, column {column})"
            ),
            EntryError::Secret(e) => write!(f, "bad secret: {e}"),
            EntryError::Uri(e) => write!(f, "bad otpauth URI: {e}"),
            EntryError::Steam(e) => fmt::Display::fmt(e, f),
            EntryError::Migration(e) => fmt::Display::fmt(e, f),
            EntryError::DigitsFixed { kind, got } => {
                write!(f, "{got} digits: {kind} codes have one length only")
            }
            EntryError::PeriodFixed { kind, got } => {
                write!(f, "period {got}: {kind} codes have one period only")
            }
            EntryError::Pin(e) => write!(f, "bad PIN: {e}"),
            EntryError::YandexSecret(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for EntryError {}

impl ImportError {
    /// The stable [`ErrorCode`](otpkit::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> otpkit::ErrorCode {
        use otpkit::ErrorCode as C;
        match self {
            ImportError::TooLarge { .. } => C::FileTooLarge,
            ImportError::TooManyEntries { .. } => C::TooManyEntries,
            ImportError::Malformed { .. } => C::FileMalformed,
            ImportError::UnsupportedVersion { .. } => C::UnsupportedVersion,
            ImportError::PasswordRequired { .. } => C::PasswordRequired,
            ImportError::WrongPassword { .. } => C::WrongPassword,
            ImportError::IntegrityCheckFailed { .. } => C::IntegrityCheckFailed,
            ImportError::UnsupportedEncryption { .. } => C::UnsupportedEncryption,
            ImportError::KdfParameters { .. } => C::KdfParameters,
            ImportError::KdfBudget { .. } => C::KdfBudget,
            ImportError::Migration { error, .. } => error.code(),
            ImportError::InconsistentBatches { .. } => C::InconsistentBatches,
        }
    }
}

impl EntryError {
    /// The stable [`ErrorCode`](otpkit::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> otpkit::ErrorCode {
        use otpkit::ErrorCode as C;
        match self {
            EntryError::UnsupportedType(_) => C::UnsupportedType,
            EntryError::UnsupportedAlgorithm(_) => C::UnsupportedAlgorithm,
            EntryError::InvalidDigits(_) => C::DigitsOutOfRange,
            EntryError::InvalidPeriod(_) => C::PeriodOutOfRange,
            EntryError::InvalidCounter => C::InvalidNumber,
            EntryError::MissingField(_) | EntryError::Malformed { .. } => C::FileMalformed,
            EntryError::Secret(e) => e.code(),
            EntryError::Uri(e) => e.code(),
            EntryError::Steam(e) => e.code(),
            EntryError::Migration(e) => e.code(),
            EntryError::DigitsFixed { .. } => C::DigitsUnsupported,
            EntryError::PeriodFixed { .. } => C::PeriodUnsupported,
            EntryError::Pin(_) => C::InvalidPin,
            EntryError::YandexSecret(_) => C::InvalidYandexSecret,
        }
    }
}

impl EntryWarning {
    /// The warning's stable name in `SCREAMING_SNAKE_CASE` (an `otpauth://` warning's
    /// own, [`Warning::code`]).
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            EntryWarning::Uri(w) => w.code(),
            EntryWarning::TrailingBitsDropped { .. } => "TRAILING_BITS_DROPPED",
            EntryWarning::ShortSecret { .. } => "SHORT_SECRET",
            EntryWarning::Defaulted { .. } => "DEFAULTED",
            EntryWarning::TypeAssumedTotp => "TYPE_ASSUMED_TOTP",
            EntryWarning::FieldIgnored { .. } => "FIELD_IGNORED",
            EntryWarning::PinNotStored => "PIN_NOT_STORED",
        }
    }
}
