//! Accounts: `otpauth://` URIs, Google Authenticator exports and `steam://` URIs,
//! through the facade's records.

use std::sync::Arc;

use otpkit_facade::accounts as fa;
use otpkit_facade::records::{AccountKind, AccountRecord, WarningRecord};
use otpkit_facade::{ErrorCode, FacadeError};
use zeroize::Zeroizing;

use crate::error::ffi;
use crate::{Algorithm, Hotp, OtpkitError, Secret, SteamGuard, Totp};

/// What kind of one-time password an account produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
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
    /// Mobile-OTP: six hex digits every 10 seconds from the secret text and `pin`.
    Motp,
    /// Yandex Key: eight letters every 30 seconds from the secret and `pin`.
    Yandex,
}

/// A parameter of an `otpauth://` URI that otpkit does not interpret (`image`,
/// `color`, …), kept so the URI can be written back.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct Parameter {
    /// The name as written.
    pub name: String,
    /// The percent-decoded value.
    pub value: String,
}

/// One OTP account: what an `otpauth://` URI describes. Its text (Kotlin
/// `toString()`, Swift `description`) is `totp account ACME:alice (SHA1, 6 digits)`,
/// never the secret. `issuer` (none), `digits` (6) and `extra` (empty) have defaults
/// in Kotlin and Swift; equality compares the secrets in constant time.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug, Display, Eq)]
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
    /// The PIN of an mOTP or Yandex account, if known (its codes need it); `None`
    /// for the other kinds. As secret as the secret; never in the text form.
    #[uniffi(default = None)]
    pub pin: Option<String>,
}

impl Account {
    /// The facade's record of this account (it holds the secret as Base32, which
    /// the record overwrites when dropped).
    pub fn record(&self) -> AccountRecord {
        AccountRecord {
            issuer: self.issuer.clone(),
            name: self.name.clone(),
            secret: self.secret.base32(),
            algorithm: self.algorithm.name(),
            digits: self.digits,
            kind: match self.kind {
                Kind::Totp { period } => AccountKind::Totp { period },
                Kind::Hotp { counter } => AccountKind::Hotp { counter },
                Kind::Steam => AccountKind::Steam,
                Kind::Motp => AccountKind::Motp,
                Kind::Yandex => AccountKind::Yandex,
            },
            pin: self.pin.clone(),
            extra: self
                .extra
                .iter()
                .map(|p| (p.name.clone(), p.value.clone()))
                .collect(),
        }
    }

    /// The account of a facade record (its secret may be short, as files carry it).
    pub fn from_record(r: &AccountRecord) -> Result<Self, FacadeError> {
        Ok(Account {
            issuer: r.issuer.clone(),
            name: r.name.clone(),
            secret: Arc::new(Secret(otpkit_facade::args::secret_base32(&r.secret, true)?)),
            algorithm: otpkit_facade::args::algorithm(Some(r.algorithm))?,
            digits: r.digits,
            kind: match r.kind {
                AccountKind::Totp { period } => Kind::Totp { period },
                AccountKind::Hotp { counter } => Kind::Hotp { counter },
                AccountKind::Steam => Kind::Steam,
                AccountKind::Motp => Kind::Motp,
                AccountKind::Yandex => Kind::Yandex,
            },
            pin: r.pin.clone(),
            extra: r
                .extra
                .iter()
                .map(|(name, value)| Parameter {
                    name: name.clone(),
                    value: value.clone(),
                })
                .collect(),
        })
    }

    /// The core account, every field checked by the core.
    fn core(&self) -> Result<otpkit::Account, OtpkitError> {
        ffi(self.record().to_core())
    }
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.record(), f)
    }
}

impl std::fmt::Display for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.record(), f)
    }
}

/// Accounts as facade records.
pub(crate) fn records(accounts: &[Account]) -> Vec<AccountRecord> {
    accounts.iter().map(Account::record).collect()
}

/// Accounts of facade records.
pub(crate) fn accounts(records: &[AccountRecord]) -> Result<Vec<Account>, OtpkitError> {
    ffi(records.iter().map(Account::from_record).collect())
}

#[uniffi::export]
impl Account {
    /// The canonical `otpauth://` URI, which every authenticator app reads back to
    /// the same values. It contains the secret: treat it like the secret.
    pub fn to_uri(&self) -> Result<String, OtpkitError> {
        ffi(fa::account_to_uri(&self.record()))
    }

    /// The label apps show: `issuer:name`, or the name alone.
    pub fn label(&self) -> String {
        self.record().label()
    }

    /// The TOTP generator of a TOTP account, `None` for other kinds.
    pub fn totp(&self) -> Result<Option<Arc<Totp>>, OtpkitError> {
        let core = self.core()?;
        Ok(core.totp().map(|t| Arc::new(Totp::from_core(t))))
    }

    /// The HOTP generator of an HOTP account, `None` for other kinds.
    pub fn hotp(&self) -> Result<Option<Arc<Hotp>>, OtpkitError> {
        let core = self.core()?;
        Ok(core.hotp().map(|h| Arc::new(Hotp::from_core(h))))
    }

    /// The Steam Guard generator of a Steam account, `None` for other kinds.
    pub fn steam(&self) -> Result<Option<Arc<SteamGuard>>, OtpkitError> {
        Ok(self.core()?.steam().map(|s| Arc::new(SteamGuard(s))))
    }
}

/// A note for the user about input that was accepted. Never holds secret material.
/// Its text is the sentence.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
#[uniffi::export(Display)]
pub struct UriWarning {
    /// The warning's stable name: `"SECRET_LOWERCASE"`, `"SHORT_SECRET"`, …
    pub code: String,
    /// A short sentence for the user.
    pub message: String,
}

impl std::fmt::Display for UriWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Warnings of facade records.
pub(crate) fn warnings(warnings: &[WarningRecord]) -> Vec<UriWarning> {
    warnings
        .iter()
        .map(|w| UriWarning {
            code: w.code.to_owned(),
            message: w.message.clone(),
        })
        .collect()
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
/// real services and apps write them: the account and the warnings for the user.
#[uniffi::export]
pub fn parse_otpauth_uri(uri: String) -> Result<ParsedUri, OtpkitError> {
    let uri = Zeroizing::new(uri);
    let parsed = ffi(fa::parse_otpauth_uri(&uri))?;
    Ok(ParsedUri {
        account: ffi(Account::from_record(&parsed.account))?,
        warnings: warnings(&parsed.warnings),
    })
}

/// One entry of a Google Authenticator export: an account, or why it is unusable.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
#[uniffi::export(Eq)]
pub enum MigrationEntry {
    /// The account.
    Account {
        /// The account.
        account: Account,
    },
    /// This entry cannot be used (MD5, an unknown type, …); the others still can.
    Unusable {
        /// Why, as a stable code.
        reason: ErrorCode,
        /// Why, in a sentence without secret material.
        message: String,
    },
}

/// One decoded `otpauth-migration://` URI (one QR code of an export).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Eq)]
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
    let otpkit_facade::records::MigrationBatch {
        entries,
        version,
        batch_size,
        batch_index,
        batch_id,
    } = ffi(fa::decode_migration(&uri))?;
    let entries = entries
        .iter()
        .map(|entry| {
            match entry
                .as_ref()
                .map_err(Clone::clone)
                .and_then(Account::from_record)
            {
                Ok(account) => MigrationEntry::Account { account },
                Err(e) => MigrationEntry::Unusable {
                    reason: e.reason,
                    message: OtpkitError::from(e).detail(),
                },
            }
        })
        .collect();
    Ok(MigrationBatch {
        entries,
        version,
        batch_size,
        batch_index,
        batch_id,
    })
}

/// Writes accounts as `otpauth-migration://` URIs of at most `per_batch` (default
/// 10, as Google Authenticator does) accounts each. Accounts the format cannot
/// express are an error, never silently changed. The URIs contain the secrets.
#[uniffi::export(default(per_batch = None))]
pub fn encode_migration(
    accounts: Vec<Account>,
    per_batch: Option<u32>,
) -> Result<Vec<String>, OtpkitError> {
    let per_batch = per_batch.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    ffi(fa::encode_migration(&records(&accounts), per_batch))
}

/// The secret of a `steam://BASE32` URI (as Steam Desktop Authenticator exports).
#[uniffi::export]
pub fn parse_steam_uri(uri: String) -> Result<Arc<Secret>, OtpkitError> {
    let uri = Zeroizing::new(uri);
    Ok(Arc::new(Secret(ffi(fa::parse_steam_uri(&uri))?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const URI: &str = "otpauth://totp/ACME%20Co:john.doe@email.com?\
        secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30";

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
        assert_eq!(account.label(), "ACME Co:john.doe@email.com");
        let totp = account.totp().unwrap().unwrap();
        assert_eq!(totp.digits(), 6);
        assert!(account.hotp().unwrap().is_none());
    }

    #[test]
    fn an_account_prints_its_label_never_its_secret() {
        let account = parse_otpauth_uri(URI.into()).unwrap().account;
        assert_eq!(
            account.to_string(),
            "totp account ACME Co:john.doe@email.com (SHA1, 6 digits)"
        );
        for text in [account.to_string(), format!("{account:?}")] {
            assert!(!text.contains("HXDM"), "{text}");
        }
    }

    #[test]
    fn warnings_carry_code_and_sentence() {
        let parsed =
            parse_otpauth_uri("otpauth://totp/x?secret=jbswy3dpehpk3pxp&algorithm=SHA256".into())
                .unwrap();
        let codes: Vec<&str> = parsed.warnings.iter().map(|w| w.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "SECRET_LOWERCASE",
                "SHORT_SECRET",
                "ALGORITHM_IGNORED_BY_APPS"
            ]
        );
        assert!(parsed.warnings[1].to_string().contains("80 bits"));
    }

    #[test]
    fn bad_uris_and_records_are_typed() {
        let reason = |r: Result<ParsedUri, OtpkitError>| r.unwrap_err().reason();
        assert_eq!(
            reason(parse_otpauth_uri("https://example.com".into())),
            ErrorCode::NotOtpauthUri
        );
        let e = parse_otpauth_uri("otpauth://totp/x?secret=GEZ1".into()).unwrap_err();
        assert_eq!(e.reason(), ErrorCode::SecretInvalidCharacter);
        assert!(!e.to_string().contains("GEZ1"), "{e}");
        let mut account = parse_otpauth_uri(URI.into()).unwrap().account;
        account.digits = 4;
        assert_eq!(
            account.to_uri().unwrap_err().reason(),
            ErrorCode::DigitsOutOfRange
        );
        account.digits = 6;
        account.kind = Kind::Totp { period: 0 };
        assert_eq!(
            account.totp().map(|_| ()).unwrap_err().reason(),
            ErrorCode::ZeroPeriod
        );
    }

    #[test]
    fn migration_round_trip_and_an_unusable_entry() {
        let a = parse_otpauth_uri(URI.into()).unwrap().account;
        let b = parse_otpauth_uri(
            "otpauth://hotp/Bank:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=7&digits=8"
                .into(),
        )
        .unwrap()
        .account;
        let uris = encode_migration(vec![a.clone(), b.clone()], Some(1)).unwrap();
        assert_eq!(uris.len(), 2);
        let first = decode_migration(uris[0].clone()).unwrap();
        assert_eq!((first.batch_size, first.batch_index), (2, 0));
        assert_eq!(first.entries, [MigrationEntry::Account { account: a }]);
        let second = decode_migration(uris[1].clone()).unwrap();
        assert_eq!(second.entries, [MigrationEntry::Account { account: b }]);
        assert_eq!(
            decode_migration("otpauth-migration://offline?data=%%%".into())
                .unwrap_err()
                .reason(),
            ErrorCode::MigrationInvalidBase64
        );
        let mut steam = parse_otpauth_uri(URI.into()).unwrap().account;
        steam.kind = Kind::Steam;
        assert_eq!(
            encode_migration(vec![steam], None).unwrap_err().reason(),
            ErrorCode::SteamUnsupported
        );
    }

    #[test]
    fn steam() {
        let secret = parse_steam_uri("steam://GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ".into()).unwrap();
        let guard = SteamGuard::new(secret.clone());
        let code = guard.code_at(59).unwrap();
        assert_eq!(code.len(), 5);
        let uri = format!(
            "otpauth://totp/Steam:me?secret={}&issuer=Steam",
            secret.base32()
        );
        let account = parse_otpauth_uri(uri).unwrap().account;
        assert_eq!(account.kind, Kind::Steam);
        assert_eq!(account.steam().unwrap().unwrap().code_at(59).unwrap(), code);
        assert_eq!(
            parse_steam_uri("http://x".into()).unwrap_err().reason(),
            ErrorCode::NotSteamUri
        );
    }
}
