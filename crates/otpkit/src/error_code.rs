//! [`ErrorCode`]: the stable name of every failure the workspace's crates report.
//!
//! Each public error enum has a `code()` method, written as an exhaustive `match` in
//! the file that defines the enum, so a new variant does not compile until it has a
//! code. `ErrorCode` itself is not `#[non_exhaustive]`: a caller that sorts codes
//! (the bindings' facade sorts them into what a caller does about them) matches it
//! exhaustively, and a new code does not compile until it is sorted. The codes of
//! `otpkit-transfer` and `otpkit-pskc` are here too, so that one list names them all.
//!
//! The text form ([`ErrorCode::as_str`]) is `SCREAMING_SNAKE_CASE` and stable: the
//! bindings show it to programs (`reason`, `code`).

use core::fmt;

macro_rules! error_codes {
    ($($(#[doc = $doc:literal])+ $variant:ident => $text:literal,)+) => {
        /// The stable name of a failure, of this crate, `otpkit-transfer` or
        /// `otpkit-pskc`. Each public error enum has a `code()` method, an exhaustive
        /// `match` in the file that defines the enum, so a new variant does not compile
        /// until it has a code. This enum is not `#[non_exhaustive]`: a caller that
        /// sorts codes matches it exhaustively. [`ErrorCode::as_str`] is the stable text.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)+];

            /// The code's stable text, e.g. `"SECRET_TOO_SHORT"`.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $text,)+
                }
            }
        }
    };
}

error_codes! {
    /// A secret with no bytes, or Base32 text with no symbols.
    SecretEmpty => "SECRET_EMPTY",
    /// A secret shorter than RFC 4226's 128 bits without the short-secret option.
    SecretTooShort => "SECRET_TOO_SHORT",
    /// A secret longer than the maximum length.
    SecretTooLong => "SECRET_TOO_LONG",
    /// A character that is not Base32.
    SecretInvalidCharacter => "SECRET_INVALID_CHARACTER",
    /// A number of Base32 symbols that encodes no whole number of bytes.
    SecretInvalidLength => "SECRET_INVALID_LENGTH",
    /// A hash algorithm other than SHA-1, SHA-256 or SHA-512.
    UnsupportedAlgorithm => "UNSUPPORTED_ALGORITHM",
    /// A code length outside 6 to 10.
    DigitsOutOfRange => "DIGITS_OUT_OF_RANGE",
    /// A period of zero seconds.
    ZeroPeriod => "ZERO_PERIOD",
    /// A period outside what the format allows.
    PeriodOutOfRange => "PERIOD_OUT_OF_RANGE",
    /// What was typed is not a code of the right length and alphabet.
    CodeMalformed => "CODE_MALFORMED",
    /// The code matches no step of the window.
    CodeMismatch => "CODE_MISMATCH",
    /// A window or look-ahead larger than its bound.
    WindowTooLarge => "WINDOW_TOO_LARGE",
    /// A URI longer than its limit.
    UriTooLong => "URI_TOO_LONG",
    /// Not an `otpauth://` URI.
    NotOtpauthUri => "NOT_OTPAUTH_URI",
    /// An account type other than TOTP, HOTP, Steam, mOTP or Yandex.
    UnsupportedType => "UNSUPPORTED_TYPE",
    /// No secret.
    MissingSecret => "MISSING_SECRET",
    /// An HOTP account without a counter.
    MissingCounter => "MISSING_COUNTER",
    /// A number that is not a decimal number in range.
    InvalidNumber => "INVALID_NUMBER",
    /// Text that is not UTF-8.
    InvalidUtf8 => "INVALID_UTF8",
    /// A parameter given twice.
    DuplicateParameter => "DUPLICATE_PARAMETER",
    /// An mOTP or Yandex PIN that is not Base32 of 1 to 64 bytes of text.
    InvalidPin => "INVALID_PIN",
    /// A Yandex secret of the wrong length or with a wrong checksum.
    InvalidYandexSecret => "INVALID_YANDEX_SECRET",
    /// An mOTP or Yandex account without the PIN its codes need.
    PinRequired => "PIN_REQUIRED",
    /// Not a `steam://` URI.
    NotSteamUri => "NOT_STEAM_URI",
    /// Not an `otpauth-migration://offline?…` URI.
    NotMigrationUri => "NOT_MIGRATION_URI",
    /// A migration URI without `data=`.
    MigrationMissingData => "MIGRATION_MISSING_DATA",
    /// A migration URI with `data=` twice.
    MigrationDuplicateData => "MIGRATION_DUPLICATE_DATA",
    /// A migration URI whose data is not base64.
    MigrationInvalidBase64 => "MIGRATION_INVALID_BASE64",
    /// A migration URI whose data is not a Google Authenticator export.
    MigrationInvalidProtobuf => "MIGRATION_INVALID_PROTOBUF",
    /// Zero accounts per batch.
    ZeroBatchSize => "ZERO_BATCH_SIZE",
    /// More batches than the export format can number.
    TooManyBatches => "TOO_MANY_BATCHES",
    /// A code length the export format cannot carry.
    DigitsUnsupported => "DIGITS_UNSUPPORTED",
    /// A period the export format cannot carry.
    PeriodUnsupported => "PERIOD_UNSUPPORTED",
    /// A Steam account, which the export format cannot carry.
    SteamUnsupported => "STEAM_UNSUPPORTED",
    /// An mOTP or Yandex account, which the export format cannot carry.
    KindUnsupported => "KIND_UNSUPPORTED",
    /// An HOTP counter larger than the export format can carry.
    CounterTooLarge => "COUNTER_TOO_LARGE",
    /// A QR code of another export than the ones scanned before.
    DifferentExport => "DIFFERENT_EXPORT",
    /// A QR code whose index is outside its export's batch count.
    BatchIndexOutOfRange => "BATCH_INDEX_OUT_OF_RANGE",
    /// The same QR code index scanned twice with different contents.
    ConflictingDuplicate => "CONFLICTING_DUPLICATE",
    /// A verifier policy's failure limit out of range.
    MaxFailuresOutOfRange => "MAX_FAILURES_OUT_OF_RANGE",
    /// A verifier policy's lock-out delays out of range.
    InvalidLockout => "INVALID_LOCKOUT",
    /// A verifier policy's back-off delays out of range.
    InvalidBackoff => "INVALID_BACKOFF",
    /// A verifier policy's window, look-ahead or drift bound out of range.
    PolicyOutOfRange => "POLICY_OUT_OF_RANGE",
    /// A recovery code count out of range.
    RecoveryCountOutOfRange => "RECOVERY_COUNT_OUT_OF_RANGE",
    /// A recovery code length out of range.
    RecoveryLengthOutOfRange => "RECOVERY_LENGTH_OUT_OF_RANGE",
    /// Recovery codes of that length would be too weak.
    RecoveryCodesTooWeak => "RECOVERY_CODES_TOO_WEAK",
    /// Another recovery policy setting out of range.
    RecoveryPolicyOutOfRange => "RECOVERY_POLICY_OUT_OF_RANGE",
    /// Enrolment: the first code matches no step.
    FirstCodeNotFound => "FIRST_CODE_NOT_FOUND",
    /// Enrolment: the second code matches no step.
    SecondCodeNotFound => "SECOND_CODE_NOT_FOUND",
    /// Enrolment: the two codes are not of consecutive steps.
    NotConsecutive => "NOT_CONSECUTIVE",
    /// The same code typed twice where two consecutive ones are needed.
    SameCodeTwice => "SAME_CODE_TWICE",
    /// Too many failures: locked out for now.
    Locked => "LOCKED",
    /// A code that was already used (a replayed sign-in code, a used recovery code).
    Replayed => "REPLAYED",
    /// A resynchronisation pair that matches nothing.
    Rejected => "REJECTED",
    /// The device is enrolled already.
    AlreadyEnrolled => "ALREADY_ENROLLED",
    /// The device has not finished enrolling.
    NotEnrolled => "NOT_ENROLLED",
    /// A state of the other kind of device (TOTP/HOTP).
    WrongKind => "WRONG_KIND",
    /// The HOTP counter would pass its maximum.
    CounterExhausted => "COUNTER_EXHAUSTED",
    /// A time before the TOTP epoch `t0`.
    BeforeEpoch => "BEFORE_EPOCH",
    /// A time step too large to compute.
    TimeOverflow => "TIME_OVERFLOW",
    /// The system clock is before 1970.
    ClockBeforeUnixEpoch => "CLOCK_BEFORE_UNIX_EPOCH",
    /// A stored state longer than any state.
    StateTooLong => "STATE_TOO_LONG",
    /// Not an otpkit state.
    NotAState => "NOT_A_STATE",
    /// A stored state of a format version this library does not read.
    StateUnsupportedVersion => "STATE_UNSUPPORTED_VERSION",
    /// A stored state whose checksum does not match.
    StateChecksumMismatch => "STATE_CHECKSUM_MISMATCH",
    /// A stored state with a field missing.
    StateMissingField => "STATE_MISSING_FIELD",
    /// A stored state with a field not valid.
    StateInvalidField => "STATE_INVALID_FIELD",
    /// A stored state with fields after its last one.
    StateTrailingFields => "STATE_TRAILING_FIELDS",
    /// The random number generator failed.
    RngFailed => "RNG_FAILED",
    /// Key derivation or encryption failed.
    EncryptionFailed => "ENCRYPTION_FAILED",
    /// A file larger than the importer's limit.
    FileTooLarge => "FILE_TOO_LARGE",
    /// A file with more entries than the importer's limit.
    TooManyEntries => "TOO_MANY_ENTRIES",
    /// Not a file of the format asked for, or not well-formed.
    FileMalformed => "FILE_MALFORMED",
    /// The migration URIs of a file do not form one export.
    InconsistentBatches => "INCONSISTENT_BATCHES",
    /// A file format version this library does not read.
    UnsupportedVersion => "UNSUPPORTED_VERSION",
    /// An encryption, MAC or encoding of the format this library does not read.
    UnsupportedEncryption => "UNSUPPORTED_ENCRYPTION",
    /// Key-derivation parameters that are not valid.
    KdfParameters => "KDF_PARAMETERS",
    /// Key derivation that needs more work or memory than the import's budget.
    KdfBudget => "KDF_BUDGET",
    /// An encrypted file and no password.
    PasswordRequired => "PASSWORD_REQUIRED",
    /// A file encrypted with a pre-shared key and none given.
    PreSharedKeyRequired => "PRE_SHARED_KEY_REQUIRED",
    /// The password is wrong.
    WrongPassword => "WRONG_PASSWORD",
    /// The key or password does not decrypt the file.
    WrongKeyOrPassword => "WRONG_KEY_OR_PASSWORD",
    /// Decrypted content failed its integrity check.
    IntegrityCheckFailed => "INTEGRITY_CHECK_FAILED",
    /// Encrypted content without the integrity protection it needs.
    NotIntegrityProtected => "NOT_INTEGRITY_PROTECTED",
    /// An empty password for an encrypted export.
    EmptyPassword => "EMPTY_PASSWORD",
    /// Both a pre-shared key and a password given where one is read.
    KeyAndPassword => "KEY_AND_PASSWORD",
    /// A file format name that is not one of the formats read or written.
    UnknownFormat => "UNKNOWN_FORMAT",
    /// `otpkit-store`: no such device (no device with this id, or no device of
    /// the user with this name, or the user has no device).
    UnknownDevice => "UNKNOWN_DEVICE",
    /// `otpkit-store`: a device with this id, or of the user with this name,
    /// exists already.
    DeviceExists => "DEVICE_EXISTS",
    /// `otpkit-store`: the user has the most devices allowed.
    TooManyDevices => "TOO_MANY_DEVICES",
    /// `otpkit-store`: a device id or user id that is empty, too long or holds a
    /// control character.
    InvalidDeviceId => "INVALID_DEVICE_ID",
    /// `otpkit-store`: a device name that is empty, too long or holds a control
    /// character.
    InvalidDeviceName => "INVALID_DEVICE_NAME",
    /// `otpkit-store`: device parameters the server's allow-list refuses.
    DeviceNotAllowed => "DEVICE_NOT_ALLOWED",
    /// `otpkit-store`: the user has no recovery codes.
    NoRecoveryCodes => "NO_RECOVERY_CODES",
    /// `otpkit-store`: a browser remembered without an accepted sign-in of the user.
    NotSignedIn => "NOT_SIGNED_IN",
    /// `otpkit-store`: a remember-this-device lifetime out of range.
    InvalidRememberLifetime => "INVALID_REMEMBER_LIFETIME",
    /// `otpkit-store`: the store could not be reached (retrying later is safe).
    StoreUnavailable => "STORE_UNAVAILABLE",
    /// `otpkit-store`: the store refused or failed the operation.
    StoreFailed => "STORE_FAILED",
    /// `otpkit-store`: a store URL that is not valid, or a schema from a newer version.
    StoreMisconfigured => "STORE_MISCONFIGURED",
    /// `otpkit-store`: a stored column changed outside otpkit.
    StoreCorrupt => "STORE_CORRUPT",
    /// `otpkit-store`: other requests changed the device every time; try again.
    Contention => "CONTENTION",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn every_code_text_is_unique_and_screaming_snake_case() {
        for (i, a) in ErrorCode::ALL.iter().enumerate() {
            let text = a.as_str();
            assert!(
                text.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
                "{text}"
            );
            for b in &ErrorCode::ALL[i + 1..] {
                assert_ne!(text, b.as_str());
            }
        }
    }
}
