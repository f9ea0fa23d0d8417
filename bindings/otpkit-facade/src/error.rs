//! One error for every binding: [`FacadeError`], whose [`Category`] is what the
//! caller does about it, whose `reason` is the core's stable [`ErrorCode`] and whose
//! `detail` is the core's sentence.

use core::fmt;

use otpkit::ErrorCode;

/// What a caller does about an error: the few decisions a caller makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category {
    /// What was given is not acceptable: show the sentence, correct the input.
    InvalidInput,
    /// A password or key is missing or wrong: ask for it (again).
    Password,
    /// Stored or transferred data was changed or truncated: restore it or enrol again.
    Damaged,
    /// Valid, but not for this library, format or app: say so, do not retry.
    Unsupported,
    /// The device state does not allow it: fix the flow, or enrol again.
    WrongState,
    /// The time given or the system clock cannot be used.
    Clock,
    /// The operating system's random number generator or encryption failed.
    System,
}

impl Category {
    /// Every category, in declaration order.
    pub const ALL: [Category; 7] = [
        Category::InvalidInput,
        Category::Password,
        Category::Damaged,
        Category::Unsupported,
        Category::WrongState,
        Category::Clock,
        Category::System,
    ];

    /// The category's stable name in `PascalCase`, e.g. `"InvalidInput"`.
    pub const fn name(self) -> &'static str {
        match self {
            Category::InvalidInput => "InvalidInput",
            Category::Password => "Password",
            Category::Damaged => "Damaged",
            Category::Unsupported => "Unsupported",
            Category::WrongState => "WrongState",
            Category::Clock => "Clock",
            Category::System => "System",
        }
    }

    /// The category of a code: one exhaustive `match`, so a new code does not
    /// compile until it is sorted here.
    pub const fn of(code: ErrorCode) -> Category {
        use ErrorCode as C;
        match code {
            C::SecretEmpty
            | C::SecretTooShort
            | C::SecretTooLong
            | C::SecretInvalidCharacter
            | C::SecretInvalidLength
            | C::DigitsOutOfRange
            | C::ZeroPeriod
            | C::PeriodOutOfRange
            | C::CodeMalformed
            | C::CodeMismatch
            | C::WindowTooLarge
            | C::UriTooLong
            | C::NotOtpauthUri
            | C::MissingSecret
            | C::MissingCounter
            | C::InvalidNumber
            | C::InvalidUtf8
            | C::DuplicateParameter
            | C::InvalidPin
            | C::InvalidYandexSecret
            | C::PinRequired
            | C::NotSteamUri
            | C::NotMigrationUri
            | C::MigrationMissingData
            | C::MigrationDuplicateData
            | C::MigrationInvalidBase64
            | C::MigrationInvalidProtobuf
            | C::ZeroBatchSize
            | C::DifferentExport
            | C::BatchIndexOutOfRange
            | C::ConflictingDuplicate
            | C::MaxFailuresOutOfRange
            | C::InvalidLockout
            | C::InvalidBackoff
            | C::PolicyOutOfRange
            | C::RecoveryCountOutOfRange
            | C::RecoveryLengthOutOfRange
            | C::RecoveryCodesTooWeak
            | C::RecoveryPolicyOutOfRange
            | C::FirstCodeNotFound
            | C::SecondCodeNotFound
            | C::NotConsecutive
            | C::SameCodeTwice
            | C::Locked
            | C::Replayed
            | C::Rejected
            | C::FileTooLarge
            | C::TooManyEntries
            | C::FileMalformed
            | C::InconsistentBatches
            | C::EmptyPassword
            | C::KeyAndPassword
            | C::UnknownFormat
            | C::InvalidDeviceId
            | C::InvalidDeviceName
            | C::InvalidRememberLifetime
            | C::StoreMisconfigured => Category::InvalidInput,
            C::PasswordRequired
            | C::PreSharedKeyRequired
            | C::WrongPassword
            | C::WrongKeyOrPassword => Category::Password,
            C::StateTooLong
            | C::NotAState
            | C::StateChecksumMismatch
            | C::StateMissingField
            | C::StateInvalidField
            | C::StateTrailingFields
            | C::IntegrityCheckFailed
            | C::NotIntegrityProtected
            | C::StoreCorrupt => Category::Damaged,
            C::UnsupportedAlgorithm
            | C::UnsupportedType
            | C::StateUnsupportedVersion
            | C::UnsupportedVersion
            | C::UnsupportedEncryption
            | C::KdfParameters
            | C::KdfBudget
            | C::TooManyBatches
            | C::DigitsUnsupported
            | C::PeriodUnsupported
            | C::SteamUnsupported
            | C::KindUnsupported
            | C::CounterTooLarge
            | C::DeviceNotAllowed => Category::Unsupported,
            C::AlreadyEnrolled
            | C::NotEnrolled
            | C::WrongKind
            | C::CounterExhausted
            | C::UnknownDevice
            | C::DeviceExists
            | C::TooManyDevices
            | C::NoRecoveryCodes
            | C::NotSignedIn => Category::WrongState,
            C::BeforeEpoch | C::TimeOverflow | C::ClockBeforeUnixEpoch => Category::Clock,
            C::RngFailed
            | C::EncryptionFailed
            | C::StoreUnavailable
            | C::StoreFailed
            | C::Contention => Category::System,
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything that can go wrong in a facade call. `detail` never holds secret
/// material, a password or what was typed (the core's sentences never do).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FacadeError {
    /// What the caller does about it; always `Category::of(reason)`.
    pub category: Category,
    /// The exact cause.
    pub reason: ErrorCode,
    /// The sentence to show.
    pub detail: String,
}

impl FacadeError {
    /// The error for `reason` with `detail`, in the reason's category.
    pub fn new(reason: ErrorCode, detail: impl Into<String>) -> Self {
        FacadeError {
            category: Category::of(reason),
            reason,
            detail: detail.into(),
        }
    }

    /// The same error with `prefix` before its detail (which argument, which entry).
    #[must_use]
    pub fn prefixed(self, prefix: &str) -> Self {
        FacadeError {
            detail: format!("{prefix}{}", self.detail),
            ..self
        }
    }
}

/// An option the core's sentences name in Rust's spelling, which each binding
/// spells in its own language ([`FacadeError::detail_in`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OptionName {
    /// Accept a secret shorter than 128 bits.
    AllowShort,
    /// The verifier policy's failures before a lock-out.
    MaxFailures,
    /// The verifier policy's enrolment window.
    EnrollWindow,
    /// The verifier policy's resynchronisation window.
    ResyncWindow,
    /// The verifier policy's HOTP look-ahead at sign-in.
    HotpLookAhead,
    /// The verifier policy's HOTP look-ahead at resynchronisation.
    HotpResyncLookAhead,
    /// The verifier policy's largest drift learned.
    MaxDriftSteps,
    /// An import's key-derivation budget: its work units and its memory per
    /// derivation.
    KdfBudget,
    /// The id of a sealing key (`UserDevices`).
    KeyId,
}

impl OptionName {
    /// Every option name.
    pub const ALL: [OptionName; 9] = [
        OptionName::AllowShort,
        OptionName::MaxFailures,
        OptionName::EnrollWindow,
        OptionName::ResyncWindow,
        OptionName::HotpLookAhead,
        OptionName::HotpResyncLookAhead,
        OptionName::MaxDriftSteps,
        OptionName::KdfBudget,
        OptionName::KeyId,
    ];

    /// How the core's sentences spell it.
    pub const fn core_spelling(self) -> &'static str {
        match self {
            OptionName::AllowShort => "LengthPolicy::AllowShort",
            OptionName::MaxFailures => "max_failures",
            OptionName::EnrollWindow => "enroll_window",
            OptionName::ResyncWindow => "resync_window",
            OptionName::HotpLookAhead => "hotp_look_ahead",
            OptionName::HotpResyncLookAhead => "hotp_resync_look_ahead",
            OptionName::MaxDriftSteps => "max_drift_steps",
            OptionName::KdfBudget => "WorkBudget",
            OptionName::KeyId => "key_id",
        }
    }

    /// The option as JavaScript, Kotlin and Swift name it (`allowShort`).
    pub const fn camel_case(self) -> &'static str {
        match self {
            OptionName::AllowShort => "allowShort",
            OptionName::MaxFailures => "maxFailures",
            OptionName::EnrollWindow => "enrollWindow",
            OptionName::ResyncWindow => "resyncWindow",
            OptionName::HotpLookAhead => "hotpLookAhead",
            OptionName::HotpResyncLookAhead => "hotpResyncLookAhead",
            OptionName::MaxDriftSteps => "maxDriftSteps",
            OptionName::KdfBudget => "kdfBudget (or kdfMemory)",
            OptionName::KeyId => "keyId",
        }
    }

    /// The option as Python names it (`allow_short`).
    pub const fn snake_case(self) -> &'static str {
        match self {
            OptionName::AllowShort => "allow_short",
            OptionName::MaxFailures => "max_failures",
            OptionName::EnrollWindow => "enroll_window",
            OptionName::ResyncWindow => "resync_window",
            OptionName::HotpLookAhead => "hotp_look_ahead",
            OptionName::HotpResyncLookAhead => "hotp_resync_look_ahead",
            OptionName::MaxDriftSteps => "max_drift_steps",
            OptionName::KdfBudget => "kdf_budget (or kdf_memory)",
            OptionName::KeyId => "key_id",
        }
    }
}

impl FacadeError {
    /// The detail with every option the core names in Rust's spelling written as
    /// `spell` spells it for the language in use (whole words only).
    pub fn detail_in(&self, spell: impl Fn(OptionName) -> &'static str) -> String {
        let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
        let mut out = String::with_capacity(self.detail.len());
        let mut rest = self.detail.as_str();
        while let Some(start) = rest.find(word) {
            let (before, from) = rest.split_at(start);
            out.push_str(before);
            let end = from.find(|c: char| !word(c)).unwrap_or(from.len());
            let (token, after) = from.split_at(end);
            // `key_id: …` names the option before a colon.
            let bare = token.trim_end_matches(':');
            match OptionName::ALL
                .iter()
                .find(|o| o.core_spelling() == token || o.core_spelling() == bare)
            {
                Some(o) if o.core_spelling() == token => out.push_str(spell(*o)),
                Some(o) => {
                    out.push_str(spell(*o));
                    out.push_str(token.get(bare.len()..).unwrap_or_default());
                }
                None => out.push_str(token),
            }
            rest = after;
        }
        out.push_str(rest);
        out
    }
}

impl fmt::Display for FacadeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for FacadeError {}

/// `From<core error>` through the error's `code()` and `Display`.
macro_rules! from_core {
    ($($core:ty),+ $(,)?) => {$(
        impl From<$core> for FacadeError {
            fn from(e: $core) -> Self {
                FacadeError::new(e.code(), e.to_string())
            }
        }
    )+};
}

from_core!(
    otpkit::SecretError,
    otpkit::TimeError,
    otpkit::DigitsError,
    otpkit::AlgorithmError,
    otpkit::CodeError,
    otpkit::VerifyError,
    otpkit::WindowError,
    otpkit::otpauth::UriError,
    otpkit::otpauth::PinRequired,
    otpkit::migration::MigrationError,
    otpkit::migration::EntryError,
    otpkit::migration::EncodeError,
    otpkit::steam::SteamUriError,
    otpkit::verifier::PolicyError,
    otpkit::verifier::StateError,
    otpkit::verifier::SignInError,
    otpkit::verifier::EnrollError,
    otpkit::verifier::ResyncError,
    otpkit::recovery::PolicyError,
    otpkit::recovery::GenerateError,
    otpkit::recovery::RecoveryStateError,
    otpkit_transfer::ImportError,
    otpkit_transfer::EntryError,
    otpkit_transfer::export::ExportError,
    otpkit_transfer::migration::AssembleError,
    otpkit_pskc::PskcError,
    otpkit_pskc::KeyError,
    otpkit_pskc::export::ExportError,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_category_follows_the_code_and_the_detail_is_the_core_sentence() {
        let core = otpkit::SecretError::TooShort { bits: 80 };
        let e = FacadeError::from(core);
        assert_eq!(e.category, Category::InvalidInput);
        assert_eq!(e.reason, ErrorCode::SecretTooShort);
        assert_eq!(e.to_string(), core.to_string());
        let rng = FacadeError::from(otpkit::SecretError::RngFailed);
        assert_eq!(rng.category, Category::System);
        let sum = FacadeError::from(otpkit::verifier::StateError::ChecksumMismatch);
        assert_eq!(sum.category, Category::Damaged);
        let version = FacadeError::from(otpkit::verifier::StateError::UnsupportedVersion);
        assert_eq!(version.category, Category::Unsupported);
        let kind = FacadeError::from(otpkit::verifier::SignInError::WrongKind);
        assert_eq!(
            (kind.category, kind.reason),
            (Category::WrongState, ErrorCode::WrongKind)
        );
        let clock = FacadeError::from(otpkit::verifier::EnrollError::Time(
            otpkit::TimeError::BeforeEpoch,
        ));
        assert_eq!(
            (clock.category, clock.reason),
            (Category::Clock, ErrorCode::BeforeEpoch)
        );
        let password = FacadeError::from(otpkit_pskc::PskcError::NeedsPassword);
        assert_eq!(password.category, Category::Password);
    }

    #[test]
    fn a_nested_error_keeps_the_code_of_its_cause() {
        let e = FacadeError::from(otpkit::otpauth::UriError::Secret(
            otpkit::SecretError::InvalidCharacter { position: 4 },
        ));
        assert_eq!(e.reason, ErrorCode::SecretInvalidCharacter);
        assert!(e.detail.contains("position 4"), "{e}");
    }

    #[test]
    fn detail_in_respells_option_names_as_whole_words_only() {
        let e = FacadeError::from(otpkit::SecretError::TooShort { bits: 80 });
        let js = e.detail_in(OptionName::camel_case);
        assert!(js.ends_with("use allowShort"), "{js}");
        assert!(!js.contains("LengthPolicy"), "{js}");
        let p = FacadeError::new(
            ErrorCode::PolicyOutOfRange,
            "hotp_look_ahead_x and hotp_look_ahead, max_failures.",
        );
        assert_eq!(
            p.detail_in(OptionName::camel_case),
            "hotp_look_ahead_x and hotpLookAhead, maxFailures."
        );
        let key_id = FacadeError::new(ErrorCode::Rejected, "key_id: must be 1 to 64 characters");
        assert_eq!(
            key_id.detail_in(OptionName::camel_case),
            "keyId: must be 1 to 64 characters"
        );
        let kdf = FacadeError::new(ErrorCode::KdfBudget, "allow more with a larger WorkBudget");
        assert_eq!(
            kdf.detail_in(OptionName::snake_case),
            "allow more with a larger kdf_budget (or kdf_memory)"
        );
    }

    #[test]
    fn every_category_has_a_code_and_names_are_distinct() {
        for category in Category::ALL {
            assert!(
                ErrorCode::ALL.iter().any(|c| Category::of(*c) == category),
                "{category}"
            );
        }
        let mut names: Vec<&str> = Category::ALL.iter().map(|c| c.name()).collect();
        names.dedup();
        assert_eq!(names.len(), Category::ALL.len());
    }
}
