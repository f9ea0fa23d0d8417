//! The one error the bindings throw: [`OtpkitError`], built from the facade's
//! [`FacadeError`]. Its variant is the facade's [`Category`] (what the caller does
//! about it), its `reason` the core's stable [`ErrorCode`], its `detail` the facade's
//! sentence with options spelled as Kotlin and Swift spell them (`allowShort`,
//! `maxFailures`). The detail never holds secret material, a password or what was
//! typed.
//!
//! A Kotlin app catches `OtpkitException` (or a subclass), a Swift app `OtpkitError`.

use core::fmt;

use otpkit_facade::{Category, ErrorCode, FacadeError, OptionName};

/// Everything that can go wrong in a binding call, by what the caller does about it
/// (the facade's `Category`). A wrong, replayed or malformed typed code is never an
/// error: stateless `verify` returns no match, the verifier and recovery codes an
/// attempt with `ok == false`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Error)]
#[uniffi::export(Display)]
pub enum OtpkitError {
    /// What was given is not acceptable; the user or the calling code can correct it.
    InvalidInput {
        /// The exact cause.
        reason: ErrorCode,
        /// The sentence to show, without secrets or what was typed.
        detail: String,
    },
    /// A password or key is missing or wrong: ask for it (again).
    Password {
        /// The exact cause.
        reason: ErrorCode,
        /// The sentence to show, without the password.
        detail: String,
    },
    /// Stored or transferred data was changed or truncated: restore it or enrol again.
    Damaged {
        /// The exact cause.
        reason: ErrorCode,
        /// The sentence to show.
        detail: String,
    },
    /// Valid, but not for this library, format or app: say so, do not retry.
    Unsupported {
        /// The exact cause.
        reason: ErrorCode,
        /// The sentence to show.
        detail: String,
    },
    /// The device state does not allow it: fix the flow, or enrol again.
    WrongState {
        /// The exact cause.
        reason: ErrorCode,
        /// The sentence to show.
        detail: String,
    },
    /// The time given or the system clock cannot be used.
    Clock {
        /// The exact cause.
        reason: ErrorCode,
        /// The sentence to show.
        detail: String,
    },
    /// The operating system's random number generator or encryption failed.
    System {
        /// The exact cause.
        reason: ErrorCode,
        /// The sentence to show.
        detail: String,
    },
}

/// How Kotlin and Swift name an option the core's sentences name: in camelCase, as
/// JavaScript does, but for the key-derivation budget, which they pass as a
/// `KdfBudget` record.
const fn kotlin_swift(o: OptionName) -> &'static str {
    match o {
        OptionName::KdfBudget => "budget (a KdfBudget)",
        OptionName::AllowShort
        | OptionName::MaxFailures
        | OptionName::EnrollWindow
        | OptionName::ResyncWindow
        | OptionName::HotpLookAhead
        | OptionName::HotpResyncLookAhead
        | OptionName::MaxDriftSteps
        | OptionName::KeyId => o.camel_case(),
    }
}

impl From<FacadeError> for OtpkitError {
    fn from(e: FacadeError) -> Self {
        let (reason, detail) = (e.reason, e.detail_in(kotlin_swift));
        match e.category {
            Category::InvalidInput => OtpkitError::InvalidInput { reason, detail },
            Category::Password => OtpkitError::Password { reason, detail },
            Category::Damaged => OtpkitError::Damaged { reason, detail },
            Category::Unsupported => OtpkitError::Unsupported { reason, detail },
            Category::WrongState => OtpkitError::WrongState { reason, detail },
            Category::Clock => OtpkitError::Clock { reason, detail },
            Category::System => OtpkitError::System { reason, detail },
        }
    }
}

/// `?` from a facade result (or a core result, through the facade's error).
pub(crate) fn ffi<T, E: Into<FacadeError>>(r: Result<T, E>) -> Result<T, OtpkitError> {
    r.map_err(|e| OtpkitError::from(e.into()))
}

#[uniffi::export]
impl OtpkitError {
    /// The exact cause, whatever the variant.
    pub fn reason(&self) -> ErrorCode {
        self.parts().0
    }

    /// The sentence, whatever the variant (also the text: Kotlin `toString()`,
    /// Swift `description`).
    pub fn detail(&self) -> String {
        self.parts().1.to_owned()
    }
}

impl OtpkitError {
    /// The reason and detail every variant carries.
    fn parts(&self) -> (ErrorCode, &str) {
        match self {
            OtpkitError::InvalidInput { reason, detail }
            | OtpkitError::Password { reason, detail }
            | OtpkitError::Damaged { reason, detail }
            | OtpkitError::Unsupported { reason, detail }
            | OtpkitError::WrongState { reason, detail }
            | OtpkitError::Clock { reason, detail }
            | OtpkitError::System { reason, detail } => (*reason, detail),
        }
    }
}

impl fmt::Display for OtpkitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.parts().1)
    }
}

impl std::error::Error for OtpkitError {}

/// The core's stable [`ErrorCode`], exposed as a Kotlin `enum class` (its names are
/// the stable texts: `ErrorCode.SECRET_TOO_SHORT`) and a Swift `enum`
/// (`.secretTooShort`). uniffi lowers it with an exhaustive `match` over this list,
/// so a code added to the core does not compile here until it is added below, and
/// Kotlin and Swift never meet a code they have no name for.
#[uniffi::remote(Enum)]
pub enum ErrorCode {
    /// A secret with no bytes, or Base32 text with no symbols.
    SecretEmpty,
    /// A secret shorter than RFC 4226's 128 bits without the short-secret option.
    SecretTooShort,
    /// A secret longer than the maximum length.
    SecretTooLong,
    /// A character that is not Base32.
    SecretInvalidCharacter,
    /// A number of Base32 symbols that encodes no whole number of bytes.
    SecretInvalidLength,
    /// A hash algorithm other than SHA-1, SHA-256 or SHA-512.
    UnsupportedAlgorithm,
    /// A code length outside 6 to 10.
    DigitsOutOfRange,
    /// A period of zero seconds.
    ZeroPeriod,
    /// A period outside what the format allows.
    PeriodOutOfRange,
    /// What was typed is not a code of the right length and alphabet.
    CodeMalformed,
    /// The code matches no step of the window.
    CodeMismatch,
    /// A window or look-ahead larger than its bound.
    WindowTooLarge,
    /// A URI longer than its limit.
    UriTooLong,
    /// Not an `otpauth://` URI.
    NotOtpauthUri,
    /// An account type other than TOTP, HOTP or Steam.
    UnsupportedType,
    /// No secret.
    MissingSecret,
    /// An HOTP account without a counter.
    MissingCounter,
    /// A number that is not a decimal number in range.
    InvalidNumber,
    /// Text that is not UTF-8.
    InvalidUtf8,
    /// A parameter given twice.
    DuplicateParameter,
    /// An mOTP or Yandex PIN that is not Base32 of 1 to 64 bytes of text.
    InvalidPin,
    /// A Yandex secret of the wrong length or with a wrong checksum.
    InvalidYandexSecret,
    /// An mOTP or Yandex account without the PIN its codes need.
    PinRequired,
    /// Not a `steam://` URI.
    NotSteamUri,
    /// Not an `otpauth-migration://offline?…` URI.
    NotMigrationUri,
    /// A migration URI without `data=`.
    MigrationMissingData,
    /// A migration URI with `data=` twice.
    MigrationDuplicateData,
    /// A migration URI whose data is not base64.
    MigrationInvalidBase64,
    /// A migration URI whose data is not a Google Authenticator export.
    MigrationInvalidProtobuf,
    /// Zero accounts per batch.
    ZeroBatchSize,
    /// More batches than the export format can number.
    TooManyBatches,
    /// A code length the export format cannot carry.
    DigitsUnsupported,
    /// A period the export format cannot carry.
    PeriodUnsupported,
    /// A Steam account, which the export format cannot carry.
    SteamUnsupported,
    /// An mOTP or Yandex account, which the export format cannot carry.
    KindUnsupported,
    /// An HOTP counter larger than the export format can carry.
    CounterTooLarge,
    /// A QR code of another export than the ones scanned before.
    DifferentExport,
    /// A QR code whose index is outside its export's batch count.
    BatchIndexOutOfRange,
    /// The same QR code index scanned twice with different contents.
    ConflictingDuplicate,
    /// A verifier policy's failure limit out of range.
    MaxFailuresOutOfRange,
    /// A verifier policy's lock-out delays out of range.
    InvalidLockout,
    /// A verifier policy's back-off delays out of range.
    InvalidBackoff,
    /// A verifier policy's window, look-ahead or drift bound out of range.
    PolicyOutOfRange,
    /// A recovery code count out of range.
    RecoveryCountOutOfRange,
    /// A recovery code length out of range.
    RecoveryLengthOutOfRange,
    /// Recovery codes of that length would be too weak.
    RecoveryCodesTooWeak,
    /// Another recovery policy setting out of range.
    RecoveryPolicyOutOfRange,
    /// Enrolment: the first code matches no step.
    FirstCodeNotFound,
    /// Enrolment: the second code matches no step.
    SecondCodeNotFound,
    /// Enrolment: the two codes are not of consecutive steps.
    NotConsecutive,
    /// The same code typed twice where two consecutive ones are needed.
    SameCodeTwice,
    /// Too many failures: locked out for now.
    Locked,
    /// A code that was already used (a replayed sign-in code, a used recovery code).
    Replayed,
    /// A resynchronisation pair that matches nothing.
    Rejected,
    /// The device is enrolled already.
    AlreadyEnrolled,
    /// The device has not finished enrolling.
    NotEnrolled,
    /// A state of the other kind of device (TOTP/HOTP).
    WrongKind,
    /// The HOTP counter would pass its maximum.
    CounterExhausted,
    /// A time before the TOTP epoch `t0`.
    BeforeEpoch,
    /// A time step too large to compute.
    TimeOverflow,
    /// The system clock is before 1970.
    ClockBeforeUnixEpoch,
    /// A stored state longer than any state.
    StateTooLong,
    /// Not an otpkit state.
    NotAState,
    /// A stored state of a format version this library does not read.
    StateUnsupportedVersion,
    /// A stored state whose checksum does not match.
    StateChecksumMismatch,
    /// A stored state with a field missing.
    StateMissingField,
    /// A stored state with a field not valid.
    StateInvalidField,
    /// A stored state with fields after its last one.
    StateTrailingFields,
    /// The random number generator failed.
    RngFailed,
    /// Key derivation or encryption failed.
    EncryptionFailed,
    /// A file larger than the importer's limit.
    FileTooLarge,
    /// A file with more entries than the importer's limit.
    TooManyEntries,
    /// Not a file of the format asked for, or not well-formed.
    FileMalformed,
    /// The migration URIs of a file do not form one export.
    InconsistentBatches,
    /// A file format version this library does not read.
    UnsupportedVersion,
    /// An encryption, MAC or encoding of the format this library does not read.
    UnsupportedEncryption,
    /// Key-derivation parameters that are not valid.
    KdfParameters,
    /// Key derivation that needs more work or memory than the import's budget.
    KdfBudget,
    /// An encrypted file and no password.
    PasswordRequired,
    /// A file encrypted with a pre-shared key and none given.
    PreSharedKeyRequired,
    /// The password is wrong.
    WrongPassword,
    /// The key or password does not decrypt the file.
    WrongKeyOrPassword,
    /// Decrypted content failed its integrity check.
    IntegrityCheckFailed,
    /// Encrypted content without the integrity protection it needs.
    NotIntegrityProtected,
    /// An empty password for an encrypted export.
    EmptyPassword,
    /// Both a pre-shared key and a password given where one is read.
    KeyAndPassword,
    /// A file format name that is not one of the formats read or written.
    UnknownFormat,
    /// No such device (id, or name of the user's), or the user has none.
    UnknownDevice,
    /// A device with this id, or of the user with this name, exists already.
    DeviceExists,
    /// The user has the most devices allowed.
    TooManyDevices,
    /// A device or user id that is empty, too long or holds a control character.
    InvalidDeviceId,
    /// A device name that is empty, too long or holds a control character.
    InvalidDeviceName,
    /// Device parameters the server's allow-list refuses.
    DeviceNotAllowed,
    /// The user has no recovery codes.
    NoRecoveryCodes,
    /// A browser remembered without an accepted sign-in of the user.
    NotSignedIn,
    /// A remember-this-device lifetime out of range.
    InvalidRememberLifetime,
    /// The device store could not be reached (retrying later is safe).
    StoreUnavailable,
    /// The device store refused or failed the operation.
    StoreFailed,
    /// A store URL that is not valid, or a schema from a newer version.
    StoreMisconfigured,
    /// A stored column changed outside otpkit.
    StoreCorrupt,
    /// Other requests changed the device every time; try again.
    Contention,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_variant_is_the_category_and_the_detail_spells_options_in_camel_case() {
        let e = OtpkitError::from(FacadeError::from(otpkit::SecretError::TooShort {
            bits: 80,
        }));
        assert!(
            matches!(
                e,
                OtpkitError::InvalidInput {
                    reason: ErrorCode::SecretTooShort,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.detail().contains("allowShort"), "{e}");
        assert!(!e.detail().contains("LengthPolicy"), "{e}");
        assert_eq!(e.to_string(), e.detail());
        let policy = OtpkitError::from(FacadeError::new(
            ErrorCode::MaxFailuresOutOfRange,
            "max_failures must be 1 to 100",
        ));
        assert_eq!(policy.detail(), "maxFailures must be 1 to 100");
        let kdf = OtpkitError::from(FacadeError::new(
            ErrorCode::KdfBudget,
            "allow more with a larger WorkBudget",
        ));
        assert_eq!(
            kdf.detail(),
            "allow more with a larger budget (a KdfBudget)"
        );
    }

    #[test]
    fn every_category_has_its_variant() {
        let names: Vec<String> = Category::ALL
            .iter()
            .map(|c| {
                let code = ErrorCode::ALL
                    .iter()
                    .copied()
                    .find(|code| Category::of(*code) == *c)
                    .unwrap();
                let e = OtpkitError::from(FacadeError::new(code, "x"));
                assert_eq!(e.reason(), code);
                format!("{e:?}").split(' ').next().unwrap().to_owned()
            })
            .collect();
        let expected: Vec<&str> = Category::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names, expected);
    }
}
