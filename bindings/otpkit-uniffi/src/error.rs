//! The one error the bindings throw: [`OtpkitError`], whose variant is what the
//! caller does about it and whose [`ErrorReason`] says exactly what went wrong.
//!
//! Like mozilla's application-services components, the foreign surface keeps the
//! variants to the decisions a caller makes, not to the library's internals. A
//! Kotlin app catches `OtpkitException` (or one of its subclasses), a Swift app
//! `OtpkitError`; both read the precise `reason` and the core's sentence when they
//! need them. The variants:
//!
//! - [`InvalidInput`](OtpkitError::InvalidInput): what was given (a secret, a code, a
//!   URI, a file, a parameter) is not acceptable; show the sentence and let the user
//!   (or the calling code) correct it. A wrong code in the stateless `verify` is
//!   here too: the user types it again.
//! - [`Password`](OtpkitError::Password): a password or key is missing or wrong;
//!   ask for it (again).
//! - [`Damaged`](OtpkitError::Damaged): stored or transferred data failed its
//!   checks (a device state's checksum, a backup's integrity check); it was changed
//!   or truncated, and retrying will not help: restore it or enrol again.
//! - [`Unsupported`](OtpkitError::Unsupported): valid, but this library, format or
//!   app cannot represent or read it (a future state version, Steam in a Google
//!   export, an unknown URI type); tell the user, do not retry.
//! - [`WrongState`](OtpkitError::WrongState): the device state does not allow the
//!   operation (already enrolled, not yet enrolled, the other kind of device, the
//!   HOTP counter exhausted): the calling code's flow must change, or the device be
//!   enrolled again.
//! - [`Clock`](OtpkitError::Clock): the time given or the system clock cannot be
//!   used (before the TOTP epoch, before 1970, too far ahead); check the clock.
//! - [`System`](OtpkitError::System): the operating system failed (its random
//!   number generator) or encryption failed; retry later or report.
//! - [`Other`](OtpkitError::Other): a failure these bindings do not know by name (a
//!   variant added to the core after they were built). It is never turned into one
//!   of the variants above, whose advice might be wrong; the sentence says what.
//!
//! Each variant carries `reason`, an [`ErrorReason`] named like the per-concern
//! errors the bindings had before (`SecretInvalidCharacter`, `StateChecksumMismatch`,
//! `WrongKind`, …), and `detail`, the core error's `Display` text. Neither ever holds
//! secret material, a password or what the user typed. `reason()` and `detail()` read
//! them from any variant (Kotlin: on the base class; Swift: without a `switch`).
//!
//! For Rust callers the precise core error stays in the core crate: call `otpkit`
//! (or `otpkit-transfer`, `otpkit-pskc`) directly for it. Every core error converts
//! into an [`OtpkitError`] with `?`.

use core::fmt;

use otpkit::migration::{EncodeError, MigrationError};
use otpkit::otpauth::UriError;
use otpkit::steam::SteamUriError;
use otpkit::verifier::{EnrollError, PolicyError, ResyncError, SignInError, StateError};
use otpkit_transfer::export::ExportError;
use otpkit_transfer::migration::AssembleError;

/// Everything that can go wrong in a binding call, by what the caller does about
/// it. See the module documentation for when each variant is thrown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Error)]
#[uniffi::export(Display)]
pub enum OtpkitError {
    /// What was given is not acceptable; the user or the calling code can correct it.
    InvalidInput {
        /// The exact cause.
        reason: ErrorReason,
        /// The core's sentence, without secrets or what was typed.
        detail: String,
    },
    /// A password or key is missing or wrong: ask for it.
    Password {
        /// The exact cause.
        reason: ErrorReason,
        /// The core's sentence, without the password.
        detail: String,
    },
    /// Stored or transferred data failed its checks: it was changed or truncated.
    Damaged {
        /// The exact cause.
        reason: ErrorReason,
        /// The core's sentence.
        detail: String,
    },
    /// Valid, but this library, format or app cannot represent or read it.
    Unsupported {
        /// The exact cause.
        reason: ErrorReason,
        /// The core's sentence.
        detail: String,
    },
    /// The device state does not allow this operation.
    WrongState {
        /// The exact cause.
        reason: ErrorReason,
        /// The core's sentence.
        detail: String,
    },
    /// The time given or the system clock cannot be used.
    Clock {
        /// The exact cause.
        reason: ErrorReason,
        /// The core's sentence.
        detail: String,
    },
    /// The operating system (its random number generator) or encryption failed.
    System {
        /// The exact cause.
        reason: ErrorReason,
        /// The core's sentence.
        detail: String,
    },
    /// A failure these bindings do not know by name; `detail` says what.
    Other {
        /// Always [`ErrorReason::Other`].
        reason: ErrorReason,
        /// The core's sentence.
        detail: String,
    },
}

/// The exact cause of an [`OtpkitError`]. Each reason belongs to one variant of
/// [`OtpkitError`] (see [`OtpkitError::new`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ErrorReason {
    // --- InvalidInput: secrets ---
    /// The secret has no bytes, or the text no Base32 characters.
    SecretEmpty,
    /// Shorter than RFC 4226's 128 bits; pass `allow_short` to accept it.
    SecretTooShort,
    /// Longer than 128 bytes.
    SecretTooLong,
    /// A character that is not Base32; the detail gives its position.
    SecretInvalidCharacter,
    /// A number of Base32 characters that encodes no whole number of bytes.
    SecretInvalidLength,
    // --- InvalidInput: generator settings and codes ---
    /// A code length outside 6 to 10.
    DigitsOutOfRange,
    /// A period of zero seconds.
    ZeroPeriod,
    /// What was typed is not a code of the right length and alphabet.
    CodeMalformed,
    /// The code matches no step of the window (stateless `verify`).
    CodeMismatch,
    /// A stateless `verify`'s window (`behind`, `ahead`) or HOTP look-ahead
    /// reaches further than the core's bound (120 steps either side, 1000
    /// counters); the detail names it.
    WindowTooLarge,
    // --- InvalidInput: otpauth:// and steam:// URIs ---
    /// The URI is longer than its limit.
    UriTooLong,
    /// Not an `otpauth://` URI.
    NotOtpauthUri,
    /// No `secret=` parameter.
    MissingSecret,
    /// An `hotp` URI without `counter=`.
    MissingCounter,
    /// A number parameter is not a decimal number that fits 64 bits.
    InvalidNumber,
    /// A percent-decoded part is not UTF-8.
    InvalidUtf8,
    /// A parameter appears twice.
    DuplicateParameter,
    /// Not a `steam://` URI.
    NotSteamUri,
    // --- InvalidInput: Google Authenticator exports ---
    /// Not `otpauth-migration://offline?…`.
    NotMigrationUri,
    /// No `data=` parameter.
    MigrationMissingData,
    /// `data=` appears more than once.
    MigrationDuplicateData,
    /// `data` is not base64.
    MigrationInvalidBase64,
    /// `data` is base64 but not a Google Authenticator export.
    MigrationInvalidProtobuf,
    /// Zero accounts per batch.
    ZeroBatchSize,
    /// A scanned QR code of another export than the ones added before.
    DifferentExport,
    /// A QR code whose index is outside its export's batch count.
    BatchIndexOutOfRange,
    /// The same QR code index scanned twice with different contents.
    ConflictingDuplicate,
    // --- InvalidInput: verifier and recovery policies ---
    /// `max_failures` outside 1 to 100.
    MaxFailuresOutOfRange,
    /// A lock-out base delay of zero or above the maximum.
    InvalidLockout,
    /// A window, look-ahead or drift bound above its documented maximum.
    PolicyOutOfRange,
    /// A recovery code count outside 1 to 64.
    RecoveryCountOutOfRange,
    /// A recovery code length outside the allowed range.
    RecoveryLengthOutOfRange,
    /// Recovery codes of the length asked for would be too weak (under 64 bits).
    RecoveryCodesTooWeak,
    /// Another recovery policy setting out of range.
    RecoveryPolicyOutOfRange,
    // --- InvalidInput: files and exports ---
    /// A file larger than the importer's limit.
    FileTooLarge,
    /// A file with more entries than the importer's limit.
    TooManyEntries,
    /// Not a file of the format asked for, or not well-formed; the detail says
    /// where.
    FileMalformed,
    /// The Google migration URIs of a file do not form one export.
    InconsistentBatches,
    /// Both a pre-shared key and a password were given.
    KeyAndPassword,
    /// An empty password for an encrypted export.
    EmptyPassword,
    /// An account given to an export or a check is not valid (the detail names it).
    InvalidAccount,
    // --- Password ---
    /// The file is encrypted and no password was given.
    PasswordRequired,
    /// The PSKC file is encrypted with a pre-shared key and none was given.
    PreSharedKeyRequired,
    /// The password is wrong.
    WrongPassword,
    /// The pre-shared key or password does not decrypt the PSKC file.
    WrongKeyOrPassword,
    // --- Damaged ---
    /// A device state longer than any state.
    StateTooLong,
    /// Not an otpkit device state.
    NotAState,
    /// The device state's checksum does not match: changed or truncated.
    StateChecksumMismatch,
    /// A field of the device state is missing.
    StateMissingField,
    /// A field of the device state is not valid.
    StateInvalidField,
    /// Extra fields after the device state's last one.
    StateTrailingFields,
    /// A recovery state that is damaged, truncated or not a recovery state.
    RecoveryStateDamaged,
    /// The password opened the backup's key but its content failed the integrity
    /// check.
    IntegrityCheckFailed,
    // --- Unsupported ---
    /// An `otpauth://` type other than `totp`, `hotp` or `steam`.
    UnsupportedUriType,
    /// An algorithm other than SHA1, SHA256 or SHA512.
    UnsupportedAlgorithm,
    /// A device state of a format version this library does not read.
    StateUnsupportedVersion,
    /// A file format version this library does not read.
    UnsupportedVersion,
    /// An encryption (or MAC) of the format this library does not read.
    UnsupportedEncryption,
    /// Key-derivation parameters that are invalid, or that ask for more work or memory
    /// than the import's key-derivation budget allows.
    KdfParameters,
    /// More batches than the Google export format can number.
    TooManyBatches,
    /// A code length the Google export format cannot carry (it has 6 and 8).
    DigitsUnsupported,
    /// A period the Google export format cannot carry (it has 30 s only).
    PeriodUnsupported,
    /// A Steam account, which the Google export format cannot carry.
    SteamUnsupported,
    /// An HOTP counter above the Google export format's signed 64 bits.
    CounterTooLarge,
    /// A value of the core (an algorithm, an account kind) these bindings cannot
    /// represent.
    NotRepresentable,
    // --- WrongState ---
    /// The device is enrolled already: the state is not a pending enrolment.
    AlreadyEnrolled,
    /// The device has not finished enrolling.
    NotEnrolled,
    /// The state is for the other kind of device (TOTP/HOTP).
    WrongKind,
    /// The HOTP counter would pass its maximum: enrol the device again.
    CounterExhausted,
    // --- Clock ---
    /// The time is before the TOTP epoch `t0`.
    BeforeEpoch,
    /// The time step is too large to compute.
    TimeOverflow,
    /// The system clock is set before 1970.
    ClockBeforeUnixEpoch,
    // --- System ---
    /// The operating system's random number generator failed.
    RngFailed,
    /// Key derivation or encryption failed.
    EncryptionFailed,
    // --- Other ---
    /// A cause these bindings do not know by name; the detail says what.
    Other,
}

/// The variant a reason belongs to.
#[derive(Clone, Copy)]
enum Action {
    InvalidInput,
    Password,
    Damaged,
    Unsupported,
    WrongState,
    Clock,
    System,
    Other,
}

impl ErrorReason {
    fn action(self) -> Action {
        use ErrorReason as R;
        match self {
            R::SecretEmpty
            | R::SecretTooShort
            | R::SecretTooLong
            | R::SecretInvalidCharacter
            | R::SecretInvalidLength
            | R::DigitsOutOfRange
            | R::ZeroPeriod
            | R::CodeMalformed
            | R::CodeMismatch
            | R::WindowTooLarge
            | R::UriTooLong
            | R::NotOtpauthUri
            | R::MissingSecret
            | R::MissingCounter
            | R::InvalidNumber
            | R::InvalidUtf8
            | R::DuplicateParameter
            | R::NotSteamUri
            | R::NotMigrationUri
            | R::MigrationMissingData
            | R::MigrationDuplicateData
            | R::MigrationInvalidBase64
            | R::MigrationInvalidProtobuf
            | R::ZeroBatchSize
            | R::DifferentExport
            | R::BatchIndexOutOfRange
            | R::ConflictingDuplicate
            | R::MaxFailuresOutOfRange
            | R::InvalidLockout
            | R::PolicyOutOfRange
            | R::RecoveryCountOutOfRange
            | R::RecoveryLengthOutOfRange
            | R::RecoveryCodesTooWeak
            | R::RecoveryPolicyOutOfRange
            | R::FileTooLarge
            | R::TooManyEntries
            | R::FileMalformed
            | R::InconsistentBatches
            | R::KeyAndPassword
            | R::EmptyPassword
            | R::InvalidAccount => Action::InvalidInput,
            R::PasswordRequired
            | R::PreSharedKeyRequired
            | R::WrongPassword
            | R::WrongKeyOrPassword => Action::Password,
            R::StateTooLong
            | R::NotAState
            | R::StateChecksumMismatch
            | R::StateMissingField
            | R::StateInvalidField
            | R::StateTrailingFields
            | R::RecoveryStateDamaged
            | R::IntegrityCheckFailed => Action::Damaged,
            R::UnsupportedUriType
            | R::UnsupportedAlgorithm
            | R::StateUnsupportedVersion
            | R::UnsupportedVersion
            | R::UnsupportedEncryption
            | R::KdfParameters
            | R::TooManyBatches
            | R::DigitsUnsupported
            | R::PeriodUnsupported
            | R::SteamUnsupported
            | R::CounterTooLarge
            | R::NotRepresentable => Action::Unsupported,
            R::AlreadyEnrolled | R::NotEnrolled | R::WrongKind | R::CounterExhausted => {
                Action::WrongState
            }
            R::BeforeEpoch | R::TimeOverflow | R::ClockBeforeUnixEpoch => Action::Clock,
            R::RngFailed | R::EncryptionFailed => Action::System,
            R::Other => Action::Other,
        }
    }
}

impl OtpkitError {
    /// The error for `reason`, in the variant the reason belongs to, with `detail`
    /// (a sentence without secret material or what the user typed).
    pub fn new(reason: ErrorReason, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        match reason.action() {
            Action::InvalidInput => OtpkitError::InvalidInput { reason, detail },
            Action::Password => OtpkitError::Password { reason, detail },
            Action::Damaged => OtpkitError::Damaged { reason, detail },
            Action::Unsupported => OtpkitError::Unsupported { reason, detail },
            Action::WrongState => OtpkitError::WrongState { reason, detail },
            Action::Clock => OtpkitError::Clock { reason, detail },
            Action::System => OtpkitError::System { reason, detail },
            Action::Other => OtpkitError::Other { reason, detail },
        }
    }

    /// A failure these bindings do not know by name.
    pub fn other(detail: impl Into<String>) -> Self {
        OtpkitError::new(ErrorReason::Other, detail)
    }

    /// A core value these bindings cannot represent.
    pub(crate) fn not_representable(detail: impl Into<String>) -> Self {
        OtpkitError::new(ErrorReason::NotRepresentable, detail)
    }

    /// The same error with `prefix` before its detail (which account, which part).
    pub(crate) fn prefixed(self, prefix: &str) -> Self {
        let reason = self.reason();
        OtpkitError::new(reason, format!("{prefix}{}", self.detail_str()))
    }

    /// The error for `core`, whose `Display` text becomes the detail.
    fn from_core(reason: ErrorReason, core: &impl fmt::Display) -> Self {
        OtpkitError::new(reason, core.to_string())
    }
}

#[uniffi::export]
impl OtpkitError {
    /// The exact cause, whatever the variant.
    pub fn reason(&self) -> ErrorReason {
        self.parts().0
    }

    /// The core's sentence, whatever the variant (also the `Display` text: Kotlin
    /// `toString()`, Swift `description`).
    pub fn detail(&self) -> String {
        self.detail_str().to_owned()
    }
}

impl OtpkitError {
    fn detail_str(&self) -> &str {
        self.parts().1
    }

    /// The reason and detail every variant carries (one match, so a new variant is
    /// added in one place).
    fn parts(&self) -> (ErrorReason, &str) {
        match self {
            OtpkitError::InvalidInput { reason, detail }
            | OtpkitError::Password { reason, detail }
            | OtpkitError::Damaged { reason, detail }
            | OtpkitError::Unsupported { reason, detail }
            | OtpkitError::WrongState { reason, detail }
            | OtpkitError::Clock { reason, detail }
            | OtpkitError::System { reason, detail }
            | OtpkitError::Other { reason, detail } => (*reason, detail),
        }
    }
}

impl fmt::Display for OtpkitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.detail_str())
    }
}

impl std::error::Error for OtpkitError {}

/// Converts a core error into an [`OtpkitError`]: `reason` maps each known variant
/// to its reason; anything else (a variant added to the core later) is `Other`.
macro_rules! from_core {
    ($core:ty, |$e:ident| $reason:expr) => {
        impl From<$core> for OtpkitError {
            fn from($e: $core) -> Self {
                let reason: Option<ErrorReason> = $reason;
                match reason {
                    Some(reason) => OtpkitError::from_core(reason, &$e),
                    None => OtpkitError::other($e.to_string()),
                }
            }
        }
    };
}

fn secret_reason(e: &otpkit::SecretError) -> Option<ErrorReason> {
    use otpkit::SecretError as E;
    Some(match e {
        E::Empty => ErrorReason::SecretEmpty,
        E::TooShort { .. } => ErrorReason::SecretTooShort,
        E::TooLong { .. } => ErrorReason::SecretTooLong,
        E::InvalidCharacter { .. } => ErrorReason::SecretInvalidCharacter,
        E::InvalidLength { .. } => ErrorReason::SecretInvalidLength,
        E::RngFailed => ErrorReason::RngFailed,
    })
}

fn time_reason(e: &otpkit::TimeError) -> Option<ErrorReason> {
    use otpkit::TimeError as E;
    Some(match e {
        E::ZeroPeriod => ErrorReason::ZeroPeriod,
        E::BeforeEpoch => ErrorReason::BeforeEpoch,
        E::Overflow => ErrorReason::TimeOverflow,
        E::ClockBeforeUnixEpoch => ErrorReason::ClockBeforeUnixEpoch,
    })
}

fn migration_reason(e: &MigrationError) -> Option<ErrorReason> {
    use MigrationError as E;
    Some(match e {
        E::TooLong { .. } => ErrorReason::UriTooLong,
        E::NotMigrationUri => ErrorReason::NotMigrationUri,
        E::MissingData => ErrorReason::MigrationMissingData,
        E::DuplicateData => ErrorReason::MigrationDuplicateData,
        E::InvalidBase64 => ErrorReason::MigrationInvalidBase64,
        E::InvalidProtobuf => ErrorReason::MigrationInvalidProtobuf,
    })
}

fn encode_reason(e: &EncodeError) -> Option<ErrorReason> {
    use EncodeError as E;
    Some(match e {
        E::ZeroBatchSize => ErrorReason::ZeroBatchSize,
        E::TooManyBatches => ErrorReason::TooManyBatches,
        E::DigitsUnsupported { .. } => ErrorReason::DigitsUnsupported,
        E::PeriodUnsupported { .. } => ErrorReason::PeriodUnsupported,
        E::SteamUnsupported { .. } => ErrorReason::SteamUnsupported,
        E::CounterTooLarge { .. } => ErrorReason::CounterTooLarge,
    })
}

fn window_reason(e: &otpkit::WindowError) -> Option<ErrorReason> {
    use otpkit::WindowError as E;
    Some(match e {
        E::TooWide { .. } | E::LookAheadTooLong { .. } => ErrorReason::WindowTooLarge,
    })
}

pub(crate) fn policy_reason(e: &PolicyError) -> Option<ErrorReason> {
    use PolicyError as E;
    Some(match e {
        E::MaxFailuresOutOfRange { .. } => ErrorReason::MaxFailuresOutOfRange,
        E::InvalidLockout { .. } => ErrorReason::InvalidLockout,
        E::OutOfRange { .. } => ErrorReason::PolicyOutOfRange,
    })
}

from_core!(otpkit::SecretError, |e| secret_reason(&e));
from_core!(otpkit::TimeError, |e| time_reason(&e));
from_core!(otpkit::DigitsError, |e| {
    let _ = &e;
    Some(ErrorReason::DigitsOutOfRange)
});
from_core!(otpkit::VerifyError, |e| match &e {
    otpkit::VerifyError::Malformed(_) => Some(ErrorReason::CodeMalformed),
    otpkit::VerifyError::Mismatch => Some(ErrorReason::CodeMismatch),
    otpkit::VerifyError::Time(t) => time_reason(t),
    otpkit::VerifyError::Window(w) => window_reason(w),
});
from_core!(otpkit::WindowError, |e| window_reason(&e));
from_core!(UriError, |e| match &e {
    UriError::TooLong { .. } => Some(ErrorReason::UriTooLong),
    UriError::NotOtpauth => Some(ErrorReason::NotOtpauthUri),
    UriError::UnsupportedType => Some(ErrorReason::UnsupportedUriType),
    UriError::MissingSecret => Some(ErrorReason::MissingSecret),
    UriError::Secret(s) => secret_reason(s),
    UriError::UnsupportedAlgorithm => Some(ErrorReason::UnsupportedAlgorithm),
    UriError::DigitsOutOfRange { .. } => Some(ErrorReason::DigitsOutOfRange),
    UriError::ZeroPeriod => Some(ErrorReason::ZeroPeriod),
    UriError::MissingCounter => Some(ErrorReason::MissingCounter),
    UriError::InvalidNumber { .. } => Some(ErrorReason::InvalidNumber),
    UriError::InvalidUtf8 { .. } => Some(ErrorReason::InvalidUtf8),
    UriError::DuplicateParameter { .. } => Some(ErrorReason::DuplicateParameter),
});
from_core!(MigrationError, |e| migration_reason(&e));
from_core!(EncodeError, |e| encode_reason(&e));
from_core!(SteamUriError, |e| match &e {
    SteamUriError::NotSteamUri => Some(ErrorReason::NotSteamUri),
    SteamUriError::TooLong { .. } => Some(ErrorReason::UriTooLong),
    SteamUriError::Secret(s) => secret_reason(s),
});
from_core!(PolicyError, |e| policy_reason(&e));
from_core!(StateError, |e| match &e {
    StateError::TooLong { .. } => Some(ErrorReason::StateTooLong),
    StateError::NotAState => Some(ErrorReason::NotAState),
    StateError::UnsupportedVersion => Some(ErrorReason::StateUnsupportedVersion),
    StateError::ChecksumMismatch => Some(ErrorReason::StateChecksumMismatch),
    StateError::MissingField { .. } => Some(ErrorReason::StateMissingField),
    StateError::InvalidField { .. } => Some(ErrorReason::StateInvalidField),
    StateError::TrailingFields => Some(ErrorReason::StateTrailingFields),
});
from_core!(EnrollError, |e| match &e {
    EnrollError::Time(t) => time_reason(t),
    EnrollError::AlreadyEnrolled => Some(ErrorReason::AlreadyEnrolled),
    EnrollError::WrongKind => Some(ErrorReason::WrongKind),
    EnrollError::CounterExhausted => Some(ErrorReason::CounterExhausted),
    // Refusals (wrong codes, lock-out) are outcomes, never errors; anything else
    // is not known by name.
    _ => None,
});
from_core!(ResyncError, |e| match &e {
    ResyncError::Time(t) => time_reason(t),
    ResyncError::CounterExhausted => Some(ErrorReason::CounterExhausted),
    ResyncError::WrongKind => Some(ErrorReason::WrongKind),
    ResyncError::NotEnrolled => Some(ErrorReason::NotEnrolled),
    _ => None,
});
from_core!(SignInError, |e| match &e {
    SignInError::Time(t) => time_reason(t),
    SignInError::CounterExhausted => Some(ErrorReason::CounterExhausted),
    SignInError::WrongKind => Some(ErrorReason::WrongKind),
    SignInError::NotEnrolled => Some(ErrorReason::NotEnrolled),
});
from_core!(otpkit::recovery::PolicyError, |e| {
    use otpkit::recovery::PolicyError as E;
    match &e {
        E::CountOutOfRange { .. } => Some(ErrorReason::RecoveryCountOutOfRange),
        E::LengthOutOfRange { .. } => Some(ErrorReason::RecoveryLengthOutOfRange),
        E::TooLittleEntropy { .. } => Some(ErrorReason::RecoveryCodesTooWeak),
        E::GroupOutOfRange { .. } | E::MinimumTooLow { .. } | E::IterationsOutOfRange { .. } => {
            Some(ErrorReason::RecoveryPolicyOutOfRange)
        }
    }
});
from_core!(otpkit::recovery::GenerateError, |e| match &e {
    otpkit::recovery::GenerateError::Policy(p) => {
        return OtpkitError::from(*p);
    }
    otpkit::recovery::GenerateError::RngFailed => Some(ErrorReason::RngFailed),
});
from_core!(otpkit::recovery::RecoveryStateError, |e| {
    let _ = &e;
    Some(ErrorReason::RecoveryStateDamaged)
});
from_core!(otpkit_pskc::PskcError, |e| {
    use otpkit_pskc::PskcError as E;
    #[allow(unreachable_patterns)]
    match &e {
        E::TooLarge { .. } => Some(ErrorReason::FileTooLarge),
        E::NotUtf8
        | E::DtdNotAllowed
        | E::TooDeep { .. }
        | E::TooManyNodes { .. }
        | E::Xml(_)
        | E::NotPskc
        | E::MacKey(_) => Some(ErrorReason::FileMalformed),
        E::UnsupportedVersion(_) => Some(ErrorReason::UnsupportedVersion),
        E::NeedsPreSharedKey => Some(ErrorReason::PreSharedKeyRequired),
        E::NeedsPassword => Some(ErrorReason::PasswordRequired),
        E::KeyDerivation(_) | E::KdfBudget(_) => Some(ErrorReason::KdfParameters),
        E::UnsupportedMac(_) => Some(ErrorReason::UnsupportedEncryption),
        E::WrongKeyOrPassword => Some(ErrorReason::WrongKeyOrPassword),
        _ => None,
    }
});
from_core!(otpkit_transfer::ImportError, |e| {
    use otpkit_transfer::ImportError as E;
    match &e {
        E::TooLarge { .. } => Some(ErrorReason::FileTooLarge),
        E::TooManyEntries { .. } => Some(ErrorReason::TooManyEntries),
        E::Malformed { .. } => Some(ErrorReason::FileMalformed),
        E::UnsupportedVersion { .. } => Some(ErrorReason::UnsupportedVersion),
        E::PasswordRequired { .. } => Some(ErrorReason::PasswordRequired),
        E::WrongPassword { .. } => Some(ErrorReason::WrongPassword),
        E::IntegrityCheckFailed { .. } => Some(ErrorReason::IntegrityCheckFailed),
        E::UnsupportedEncryption { .. } => Some(ErrorReason::UnsupportedEncryption),
        E::KdfParameters { .. } | E::KdfBudget { .. } => Some(ErrorReason::KdfParameters),
        E::Migration { error, .. } => migration_reason(error),
        E::InconsistentBatches { .. } => Some(ErrorReason::InconsistentBatches),
    }
});
from_core!(AssembleError, |e| match &e {
    AssembleError::Migration(m) => migration_reason(m),
    AssembleError::DifferentExport => Some(ErrorReason::DifferentExport),
    AssembleError::IndexOutOfRange { .. } => Some(ErrorReason::BatchIndexOutOfRange),
    AssembleError::TooManyBatches { .. } => Some(ErrorReason::TooManyBatches),
    AssembleError::ConflictingDuplicate { .. } => Some(ErrorReason::ConflictingDuplicate),
});
from_core!(ExportError, |e| match &e {
    ExportError::Rng => Some(ErrorReason::RngFailed),
    ExportError::EmptyPassword => Some(ErrorReason::EmptyPassword),
    ExportError::Migration(m) => encode_reason(m),
    ExportError::Crypto => Some(ErrorReason::EncryptionFailed),
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_variant_follows_the_reason_and_the_detail_is_the_core_text() {
        let core = otpkit::SecretError::TooShort { bits: 80 };
        let e = OtpkitError::from(core);
        assert_eq!(
            e,
            OtpkitError::InvalidInput {
                reason: ErrorReason::SecretTooShort,
                detail: core.to_string()
            }
        );
        assert_eq!(e.to_string(), core.to_string());
        assert_eq!(e.detail(), core.to_string());
        assert_eq!(e.reason(), ErrorReason::SecretTooShort);
        let rng = OtpkitError::from(otpkit::SecretError::RngFailed);
        assert!(matches!(
            rng,
            OtpkitError::System {
                reason: ErrorReason::RngFailed,
                ..
            }
        ));
        let state = OtpkitError::from(StateError::ChecksumMismatch);
        assert!(matches!(state, OtpkitError::Damaged { .. }), "{state:?}");
        let version = OtpkitError::from(StateError::UnsupportedVersion);
        assert!(
            matches!(version, OtpkitError::Unsupported { .. }),
            "{version:?}"
        );
        let kind = OtpkitError::from(SignInError::WrongKind);
        assert!(matches!(
            kind,
            OtpkitError::WrongState {
                reason: ErrorReason::WrongKind,
                ..
            }
        ));
        let time = OtpkitError::from(EnrollError::Time(otpkit::TimeError::BeforeEpoch));
        assert!(matches!(
            time,
            OtpkitError::Clock {
                reason: ErrorReason::BeforeEpoch,
                ..
            }
        ));
    }

    #[test]
    fn a_nested_secret_error_keeps_its_precise_reason() {
        let e = OtpkitError::from(UriError::Secret(otpkit::SecretError::InvalidCharacter {
            position: 4,
        }));
        assert_eq!(e.reason(), ErrorReason::SecretInvalidCharacter);
        assert!(e.detail().contains("position 4"), "{e}");
    }

    #[test]
    fn refusals_that_are_outcomes_never_become_a_named_reason() {
        // A refused enrolment code reaching the error conversion would be a bug in
        // the caller; it must not be dressed up as a known failure.
        let e = OtpkitError::from(EnrollError::SameCodeTwice);
        assert!(
            matches!(
                e,
                OtpkitError::Other {
                    reason: ErrorReason::Other,
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(e.detail(), EnrollError::SameCodeTwice.to_string());
    }

    #[test]
    fn every_reason_has_its_own_variant_and_other_only_in_other() {
        let all = [
            ErrorReason::SecretEmpty,
            ErrorReason::WrongPassword,
            ErrorReason::StateChecksumMismatch,
            ErrorReason::SteamUnsupported,
            ErrorReason::NotEnrolled,
            ErrorReason::ClockBeforeUnixEpoch,
            ErrorReason::EncryptionFailed,
            ErrorReason::Other,
        ];
        let names: Vec<String> = all
            .iter()
            .map(|r| {
                let e = OtpkitError::new(*r, "x");
                assert_eq!(e.reason(), *r);
                format!("{e:?}")
                    .split(' ')
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        assert_eq!(
            names,
            [
                "InvalidInput",
                "Password",
                "Damaged",
                "Unsupported",
                "WrongState",
                "Clock",
                "System",
                "Other"
            ]
        );
    }
}
