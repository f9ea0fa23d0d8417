//! Accounts: `otpauth://` URIs, Google Authenticator exports and Steam Guard.

use std::sync::Arc;

use otpkit::otpauth as core;
use zeroize::Zeroizing;

use crate::{Algorithm, ErrorReason, Hotp, Match, OtpkitError, Secret, Totp};

/// What kind of one-time password an account produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Kind {
    /// RFC 6238 TOTP with its period in seconds.
    Totp {
        /// The time step in seconds (30 unless the URI said otherwise).
        period: u64,
    },
    /// RFC 4226 HOTP with the counter of the next code.
    Hotp {
        /// The counter of the next code.
        counter: u64,
    },
    /// Steam Guard: five characters, HMAC-SHA1, 30 seconds.
    Steam,
}

/// A parameter of an `otpauth://` URI that otpkit does not interpret (`image`,
/// `color`, …), kept so the URI can be written back.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Parameter {
    /// The name as written.
    pub name: String,
    /// The percent-decoded value.
    pub value: String,
}

/// One OTP account: what an `otpauth://` URI describes. Its text form shows the
/// secret's length only. `issuer` (none), `digits` (6) and `extra` (empty) have
/// defaults in Kotlin and Swift; equality compares the secrets in constant time.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Eq)]
pub struct Account {
    /// The service that issued the account; `None` or empty for none.
    #[uniffi(default = None)]
    pub issuer: Option<String>,
    /// The account name, usually a user name or e-mail address.
    pub name: String,
    /// The shared secret.
    pub secret: Arc<Secret>,
    /// The HMAC hash (always SHA-1 for Steam).
    pub algorithm: Algorithm,
    /// The code length, 6 to 10 (not used by Steam).
    #[uniffi(default = 6)]
    pub digits: u8,
    /// Time- or counter-based, with the period or counter, or Steam.
    pub kind: Kind,
    /// Parameters otpkit does not interpret, in order.
    #[uniffi(default = [])]
    pub extra: Vec<Parameter>,
}

impl Account {
    /// The core account, or why these values are not one (digits outside 6 to 10,
    /// a zero period).
    pub fn to_core(&self) -> Result<core::Account, OtpkitError> {
        let kind = match self.kind {
            Kind::Totp { period } => core::Kind::Totp {
                period: crate::otp::period(period)?,
            },
            Kind::Hotp { counter } => core::Kind::Hotp { counter },
            Kind::Steam => core::Kind::Steam,
        };
        Ok(core::Account {
            issuer: self.issuer.clone(),
            name: self.name.clone(),
            secret: self.secret.0.clone(),
            algorithm: self.algorithm.into(),
            digits: otpkit::Digits::new(self.digits)?,
            kind,
            extra: self
                .extra
                .iter()
                .map(|p| (p.name.clone(), p.value.clone()))
                .collect(),
        })
    }

    /// The binding's account for a core one, or a sentence saying what these
    /// bindings cannot represent (an algorithm or kind added to the core later).
    pub fn from_core(account: &core::Account) -> Result<Self, String> {
        let algorithm = Algorithm::from_core(account.algorithm).ok_or_else(|| {
            format!(
                "algorithm {} is not supported by these bindings",
                account.algorithm
            )
        })?;
        let kind = match account.kind {
            core::Kind::Totp { period } => Kind::Totp {
                period: period.seconds(),
            },
            core::Kind::Hotp { counter } => Kind::Hotp { counter },
            core::Kind::Steam => Kind::Steam,
        };
        Ok(Account {
            issuer: account.issuer.clone(),
            name: account.name.clone(),
            secret: Arc::new(Secret(account.secret.clone())),
            algorithm,
            digits: account.digits.get(),
            kind,
            extra: account
                .extra
                .iter()
                .map(|(name, value)| Parameter {
                    name: name.clone(),
                    value: value.clone(),
                })
                .collect(),
        })
    }
}

#[uniffi::export]
impl Account {
    /// The canonical `otpauth://` URI, which every authenticator app reads back to
    /// the same values. It contains the secret: treat it like the secret.
    pub fn to_uri(&self) -> Result<String, OtpkitError> {
        Ok(self.to_core()?.to_uri())
    }

    /// The label apps show: `issuer:name`, or the name alone.
    pub fn label(&self) -> Result<String, OtpkitError> {
        Ok(self.to_core()?.label())
    }

    /// The TOTP generator for a TOTP account, `None` for other kinds.
    pub fn totp(&self) -> Result<Option<Arc<Totp>>, OtpkitError> {
        let core = self.to_core()?;
        Ok(core
            .totp()
            .map(|t| Arc::new(Totp::from_core(t, self.algorithm))))
    }

    /// The HOTP generator for an HOTP account, `None` for other kinds.
    pub fn hotp(&self) -> Result<Option<Arc<Hotp>>, OtpkitError> {
        let core = self.to_core()?;
        Ok(core
            .hotp()
            .map(|h| Arc::new(Hotp::from_core(h, self.algorithm))))
    }

    /// The Steam Guard generator for a Steam account, `None` for other kinds.
    pub fn steam(&self) -> Result<Option<Arc<SteamGuard>>, OtpkitError> {
        Ok(self.to_core()?.steam().map(|s| Arc::new(SteamGuard(s))))
    }
}

/// What an `otpauth://` URI parser found doubtful or normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum UriWarningKind {
    /// The secret had lowercase letters.
    SecretLowercase,
    /// The secret had `=` padding.
    SecretPadded,
    /// The secret had spaces, tabs or hyphens.
    SecretSpaced,
    /// The secret is shorter than 128 bits: accepted, but weaker.
    ShortSecret,
    /// The label's issuer differs from `issuer=`; the parameter was used.
    IssuerConflict,
    /// `issuer=` was empty; the label's issuer was used.
    EmptyIssuerParameter,
    /// A non-SHA-1 algorithm, which Google and Microsoft Authenticator ignore.
    AlgorithmIgnoredByApps,
    /// A code length other than 6, which some apps ignore.
    DigitsIgnoredByApps,
    /// A period other than 30 s, which Google and Microsoft Authenticator ignore.
    PeriodIgnoredByApps,
    /// A parameter that does not apply to this kind of account was ignored.
    IgnoredParameter,
    /// A kind of warning these bindings do not know by name; see the message.
    Other,
}

/// A note for the user about a URI that was accepted. Never contains secret material.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct UriWarning {
    /// What it is about.
    pub kind: UriWarningKind,
    /// A short sentence for the user (the core's text).
    pub message: String,
}

impl From<&core::Warning> for UriWarning {
    fn from(w: &core::Warning) -> Self {
        use core::Warning as W;
        let kind = match w {
            W::SecretLowercase => UriWarningKind::SecretLowercase,
            W::SecretPadded => UriWarningKind::SecretPadded,
            W::SecretSpaced => UriWarningKind::SecretSpaced,
            W::ShortSecret { .. } => UriWarningKind::ShortSecret,
            W::IssuerConflict { .. } => UriWarningKind::IssuerConflict,
            W::EmptyIssuerParameter => UriWarningKind::EmptyIssuerParameter,
            W::AlgorithmIgnoredByApps(_) => UriWarningKind::AlgorithmIgnoredByApps,
            W::DigitsIgnoredByApps(_) => UriWarningKind::DigitsIgnoredByApps,
            W::PeriodIgnoredByApps(_) => UriWarningKind::PeriodIgnoredByApps,
            W::IgnoredParameter { .. } => UriWarningKind::IgnoredParameter,
        };
        UriWarning {
            kind,
            message: w.to_string(),
        }
    }
}

/// A parsed `otpauth://` URI: the account and the notes for the user.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Eq)]
pub struct ParsedUri {
    /// The account.
    pub account: Account,
    /// What was normalised or doubtful, in the order found; empty for a canonical URI.
    pub warnings: Vec<UriWarning>,
}

/// Parses an `otpauth://totp/…`, `otpauth://hotp/…` or `otpauth://steam/…` URI as
/// real services and apps write them, with a typed error where it cannot be trusted.
#[uniffi::export]
pub fn parse_otpauth_uri(uri: String) -> Result<ParsedUri, OtpkitError> {
    let uri = Zeroizing::new(uri);
    let parsed = core::Account::parse(&uri)?;
    Ok(ParsedUri {
        account: Account::from_core(&parsed.account).map_err(OtpkitError::not_representable)?,
        warnings: parsed.warnings.iter().map(UriWarning::from).collect(),
    })
}

/// One entry of a Google Authenticator export: an account, or why it is unusable.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum MigrationEntry {
    /// The account.
    Account {
        /// The account.
        account: Account,
    },
    /// This entry cannot be used (MD5, an unknown type, …); the others still can.
    Unusable {
        /// Why, in a sentence without secret material.
        reason: String,
    },
}

/// One decoded `otpauth-migration://` URI (one QR code of an export).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MigrationBatch {
    /// Each entry in order.
    pub entries: Vec<MigrationEntry>,
    /// Payload format version (1 in current exports).
    pub version: i32,
    /// How many URIs the export has (0 or 1 for a single one).
    pub batch_size: i32,
    /// This URI's 0-based index among them.
    pub batch_index: i32,
    /// The same for every URI of one export.
    pub batch_id: i32,
}

/// Decodes an `otpauth-migration://offline?data=…` URI (a Google Authenticator
/// export QR code). Each entry succeeds or fails on its own.
#[uniffi::export]
pub fn decode_migration(uri: String) -> Result<MigrationBatch, OtpkitError> {
    let uri = Zeroizing::new(uri);
    let batch = otpkit::migration::decode_batch(&uri)?;
    let entries = batch
        .entries
        .iter()
        .map(|entry| {
            match entry
                .as_ref()
                .map_err(ToString::to_string)
                .and_then(Account::from_core)
            {
                Ok(account) => MigrationEntry::Account { account },
                Err(reason) => MigrationEntry::Unusable { reason },
            }
        })
        .collect();
    Ok(MigrationBatch {
        entries,
        version: batch.version,
        batch_size: batch.batch_size,
        batch_index: batch.batch_index,
        batch_id: batch.batch_id,
    })
}

/// Writes accounts as `otpauth-migration://` URIs of at most `per_batch` accounts
/// each (Google Authenticator puts 10 in one QR code). Accounts the format cannot
/// express are an error, never silently changed. The URIs contain the secrets.
#[uniffi::export(default(per_batch = 10))]
pub fn encode_migration(
    accounts: Vec<Account>,
    per_batch: u32,
) -> Result<Vec<String>, OtpkitError> {
    use otpkit::migration::EncodeError;
    let mut core_accounts = Vec::with_capacity(accounts.len());
    for (index, account) in accounts.iter().enumerate() {
        // Values that are no core account at all are ones the format cannot carry
        // either; report them as the core reports such accounts.
        let core = account.to_core().map_err(|e| match e.reason() {
            ErrorReason::DigitsOutOfRange => EncodeError::DigitsUnsupported {
                index,
                digits: account.digits,
            }
            .into(),
            ErrorReason::ZeroPeriod => EncodeError::PeriodUnsupported { index, seconds: 0 }.into(),
            _ => e,
        })?;
        core_accounts.push(core);
    }
    let per_batch = usize::try_from(per_batch).unwrap_or(usize::MAX);
    Ok(otpkit::migration::encode(&core_accounts, per_batch)?)
}

/// A Steam Guard generator: five characters from Steam's alphabet, HMAC-SHA1, 30 s.
/// Its text (`Display`: Kotlin `toString()`, Swift `description`) is `Steam Guard`.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct SteamGuard(otpkit::steam::SteamGuard);

crate::transparent_debug!(SteamGuard, 0);

impl std::fmt::Display for SteamGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Steam Guard")
    }
}

#[uniffi::export]
impl SteamGuard {
    /// A generator for `secret`.
    #[uniffi::constructor]
    pub fn new(secret: Arc<Secret>) -> Arc<Self> {
        Arc::new(SteamGuard(otpkit::steam::SteamGuard::new(&secret.0)))
    }

    /// The code for a Unix time.
    pub fn code_at(&self, unix_time: u64) -> Result<String, OtpkitError> {
        Ok(self.0.code_at(unix_time)?.to_string())
    }

    /// The code for the system clock's current time.
    pub fn code_now(&self) -> Result<String, OtpkitError> {
        Ok(self.0.code_now()?.to_string())
    }

    /// Seconds until the code shown at `unix_time` changes: 1 to 30.
    pub fn seconds_left(&self, unix_time: u64) -> u64 {
        self.0.seconds_left(unix_time)
    }

    /// Checks a typed code (any case) against the steps from `behind` before to
    /// `ahead` after the step of `unix_time`. Stateless: it does not stop replays.
    /// Each side is at most 120 steps (`ErrorReason::WindowTooLarge` otherwise).
    #[uniffi::method(default(behind = 1, ahead = 1))]
    pub fn verify(
        &self,
        code: String,
        unix_time: u64,
        behind: u32,
        ahead: u32,
    ) -> Result<Match, OtpkitError> {
        let window = otpkit::Window::new(behind, ahead)?;
        Ok(self.0.verify(&code, unix_time, window)?.into())
    }
}

/// The secret of a `steam://BASE32` URI (as Steam Desktop Authenticator exports).
#[uniffi::export]
pub fn parse_steam_uri(uri: String) -> Result<Arc<Secret>, OtpkitError> {
    let uri = Zeroizing::new(uri);
    Ok(Arc::new(Secret(otpkit::steam::parse_steam_uri(&uri)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const URI: &str = "otpauth://totp/ACME%20Co:john.doe@email.com?\
        secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30";

    #[test]
    fn a_steam_window_over_the_core_bound_is_window_too_large() {
        let secret = Secret::from_bytes(b"12345678901234567890".to_vec(), false).unwrap();
        let guard = SteamGuard::new(secret);
        let e = guard
            .verify("BCDFG".into(), 1_000_000, 2_000_000, 0)
            .unwrap_err();
        assert_eq!(e.reason(), crate::ErrorReason::WindowTooLarge, "{e}");
        assert!(e.detail().contains("at most 120 steps"), "{e}");
        let shown = guard.code_at(1_000_000 - 120 * 30).unwrap();
        assert_eq!(guard.verify(shown, 1_000_000, 120, 0).unwrap().offset, -120);
    }

    #[test]
    fn parses_and_writes_back() {
        let parsed = parse_otpauth_uri(URI.into()).unwrap();
        let account = &parsed.account;
        assert_eq!(account.issuer.as_deref(), Some("ACME Co"));
        assert_eq!(account.name, "john.doe@email.com");
        assert_eq!(account.kind, Kind::Totp { period: 30 });
        assert!(parsed.warnings.is_empty());
        let uri = account.to_uri().unwrap();
        assert_eq!(parse_otpauth_uri(uri).unwrap().account, *account);
        assert_eq!(account.label().unwrap(), "ACME Co:john.doe@email.com");
        let totp = account.totp().unwrap().unwrap();
        assert_eq!(totp.digits(), 6);
        assert!(account.hotp().unwrap().is_none());
    }

    #[test]
    fn warnings_carry_kind_and_sentence() {
        let parsed =
            parse_otpauth_uri("otpauth://totp/x?secret=jbswy3dpehpk3pxp&algorithm=SHA256".into())
                .unwrap();
        let kinds: Vec<_> = parsed.warnings.iter().map(|w| w.kind).collect();
        assert_eq!(
            kinds,
            [
                UriWarningKind::SecretLowercase,
                UriWarningKind::ShortSecret,
                UriWarningKind::AlgorithmIgnoredByApps
            ]
        );
        assert!(parsed.warnings[1].message.contains("80 bits"));
    }

    #[test]
    fn bad_uris_are_typed() {
        assert!(matches!(
            (parse_otpauth_uri("https://example.com".into())).map_err(|e| e.reason()),
            Err(crate::ErrorReason::NotOtpauthUri)
        ));
        assert!(matches!(
            (parse_otpauth_uri("otpauth://hotp/x?secret=GEZDGNBVGY3TQOJQ".into()))
                .map_err(|e| e.reason()),
            Err(crate::ErrorReason::MissingCounter)
        ));
        let e = parse_otpauth_uri("otpauth://totp/x?secret=GEZ1".into()).unwrap_err();
        assert!(
            e.reason() == crate::ErrorReason::SecretInvalidCharacter,
            "{e:?}"
        );
        assert!(!e.to_string().contains("GEZ1"), "{e}");
    }

    #[test]
    fn invalid_record_values_are_errors_not_panics() {
        let mut account = parse_otpauth_uri(URI.into()).unwrap().account;
        account.digits = 4;
        assert!(matches!(
            (account.to_uri()).map_err(|e| e.reason()),
            Err(crate::ErrorReason::DigitsOutOfRange)
        ));
        account.digits = 6;
        account.kind = Kind::Totp { period: 0 };
        assert!(matches!(
            (account.totp()).map_err(|e| e.reason()),
            Err(crate::ErrorReason::ZeroPeriod)
        ));
        assert!(matches!(
            (encode_migration(vec![account], 10)).map_err(|e| e.reason()),
            Err(crate::ErrorReason::PeriodUnsupported)
        ));
    }

    #[test]
    fn migration_round_trip() {
        let a = parse_otpauth_uri(URI.into()).unwrap().account;
        let b = parse_otpauth_uri(
            "otpauth://hotp/Bank:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=7&digits=8"
                .into(),
        )
        .unwrap()
        .account;
        let uris = encode_migration(vec![a.clone(), b.clone()], 1).unwrap();
        assert_eq!(uris.len(), 2);
        let first = decode_migration(uris[0].clone()).unwrap();
        assert_eq!((first.batch_size, first.batch_index), (2, 0));
        assert_eq!(first.entries, [MigrationEntry::Account { account: a }]);
        let second = decode_migration(uris[1].clone()).unwrap();
        assert_eq!(second.entries, [MigrationEntry::Account { account: b }]);
        assert!(matches!(
            (decode_migration("otpauth-migration://offline?data=%%%".into()))
                .map_err(|e| e.reason()),
            Err(crate::ErrorReason::MigrationInvalidBase64)
        ));
    }

    #[test]
    fn steam() {
        let secret = parse_steam_uri("steam://GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ".into()).unwrap();
        let guard = SteamGuard::new(secret.clone());
        let code = guard.code_at(59).unwrap();
        assert_eq!(code.len(), 5);
        assert_eq!(guard.verify(code, 59, 0, 0).unwrap().step, 1);
        let uri = format!(
            "otpauth://totp/Steam:me?secret={}&issuer=Steam",
            secret.base32()
        );
        let account = parse_otpauth_uri(uri).unwrap().account;
        assert_eq!(account.kind, Kind::Steam);
        assert_eq!(
            account.steam().unwrap().unwrap().code_at(59).unwrap(),
            guard.code_at(59).unwrap()
        );
        assert!(matches!(
            (parse_steam_uri("http://x".into())).map_err(|e| e.reason()),
            Err(crate::ErrorReason::NotSteamUri)
        ));
    }
}
