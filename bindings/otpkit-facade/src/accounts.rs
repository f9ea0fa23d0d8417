//! Accounts: `otpauth://` URIs, Google Authenticator exports, `steam://` URIs.

use otpkit::Secret;

use crate::FacadeError;
use crate::records::{AccountRecord, MigrationBatch, ParsedUri, WarningRecord};

/// Parses an `otpauth://` URI as services and apps write it: the account and the
/// warnings for the user.
pub fn parse_otpauth_uri(uri: &str) -> Result<ParsedUri, FacadeError> {
    let parsed = otpkit::Account::parse(uri)?;
    Ok(ParsedUri {
        account: AccountRecord::from_core(&parsed.account),
        warnings: parsed
            .warnings
            .iter()
            .map(|w| WarningRecord {
                code: w.code(),
                message: w.to_string(),
            })
            .collect(),
    })
}

/// The canonical `otpauth://` URI of an account (it holds the secret).
pub fn account_to_uri(account: &AccountRecord) -> Result<String, FacadeError> {
    Ok(account.to_core()?.to_uri())
}

/// Decodes one `otpauth-migration://offline?data=…` URI; each entry on its own.
pub fn decode_migration(uri: &str) -> Result<MigrationBatch, FacadeError> {
    let batch = otpkit::migration::decode_batch(uri)?;
    let entries = batch
        .entries
        .iter()
        .map(|entry| match entry {
            Ok(account) => Ok(AccountRecord::from_core(account)),
            Err(e) => Err(FacadeError::from(*e)),
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

/// Writes accounts as `otpauth-migration://` URIs of at most `per_batch` (default
/// 10) accounts each; an account the format cannot carry is an error.
pub fn encode_migration(
    accounts: &[AccountRecord],
    per_batch: Option<usize>,
) -> Result<Vec<String>, FacadeError> {
    let accounts = to_core_accounts(accounts)?;
    Ok(otpkit::migration::encode(
        &accounts,
        per_batch.unwrap_or(10),
    )?)
}

/// The secret of a `steam://BASE32` URI.
pub fn parse_steam_uri(uri: &str) -> Result<Secret, FacadeError> {
    Ok(otpkit::steam::parse_steam_uri(uri)?)
}

/// Core accounts of records; an error names the account by its position. The vector
/// is sized up front: a growing one would leave the keys of the accounts it moved in
/// its freed buffer.
pub(crate) fn to_core_accounts(
    accounts: &[AccountRecord],
) -> Result<Vec<otpkit::Account>, FacadeError> {
    let mut out = Vec::with_capacity(accounts.len());
    for (i, a) in accounts.iter().enumerate() {
        out.push(
            a.to_core()
                .map_err(|e| e.prefixed(&format!("account {i}: ")))?,
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::AccountKind;
    use otpkit::ErrorCode;

    #[test]
    fn motp_and_yandex_records_carry_the_pin_and_never_show_it() {
        let uri = "otpauth://yaotp/Yandex:alice?secret=LA2V6KMCGYMWWVEW64RNP3JA3I&issuer=Yandex&pin=G42TQNQ";
        let parsed = parse_otpauth_uri(uri).unwrap();
        let record = &parsed.account;
        assert_eq!(record.kind, AccountKind::Yandex);
        assert_eq!(record.pin.as_deref(), Some("7586"));
        assert_eq!(account_to_uri(record).unwrap(), uri);
        let shown = format!("{record:?} {record}");
        assert!(!shown.contains("7586"), "{shown}");
        let motp = parse_otpauth_uri("otpauth://motp/x?secret=4MKSV7XGEWM4Q").unwrap();
        assert_eq!(motp.account.kind, AccountKind::Motp);
        assert_eq!(motp.account.pin, None);
        // A PIN on a kind without one is refused, not dropped.
        let mut totp = parse_otpauth_uri("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP")
            .unwrap()
            .account;
        totp.pin = Some("1234".into());
        assert_eq!(
            account_to_uri(&totp).unwrap_err().reason,
            ErrorCode::InvalidPin
        );
    }

    #[test]
    fn a_uri_round_trips_with_its_warnings_coded() {
        let parsed = parse_otpauth_uri(
            "otpauth://totp/ACME:alice?secret=jbswy3dpehpk3pxp&issuer=ACME&period=60",
        )
        .unwrap();
        assert_eq!(parsed.account.kind, AccountKind::Totp { period: 60 });
        assert_eq!(parsed.account.label(), "ACME:alice");
        assert!(parsed.warnings.iter().any(|w| w.code == "SECRET_LOWERCASE"));
        let uri = account_to_uri(&parsed.account).unwrap();
        assert_eq!(parse_otpauth_uri(&uri).unwrap().account, parsed.account);
        let e = parse_otpauth_uri("https://example.com").unwrap_err();
        assert_eq!(e.reason, ErrorCode::NotOtpauthUri);
        assert!(!format!("{:?}", parsed.account).contains("JBSW"));
    }

    #[test]
    fn migration_round_trips_and_refuses_what_it_cannot_carry() {
        let a = parse_otpauth_uri("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP")
            .unwrap()
            .account;
        let uris = encode_migration(std::slice::from_ref(&a), None).unwrap();
        let batch = decode_migration(&uris[0]).unwrap();
        assert_eq!(batch.entries, vec![Ok(a.clone())]);
        let mut steam = a.clone();
        steam.kind = AccountKind::Steam;
        let e = encode_migration(&[steam], None).unwrap_err();
        assert_eq!(e.reason, ErrorCode::SteamUnsupported);
    }
}
