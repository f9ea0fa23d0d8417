//! Which well-known apps would mishandle an account, and why
//! (`otpkit_transfer::portability`), as [`PortabilityRecord`]s.

use otpkit_transfer::portability::{self as core, Finding};

use crate::FacadeError;
use crate::records::{AccountRecord, PortabilityRecord};

/// The apps that would mishandle `account`; empty for SHA-1, 6 digits and 30 s.
pub fn check_portability(account: &AccountRecord) -> Result<Vec<PortabilityRecord>, FacadeError> {
    Ok(check_core_account(&account.to_core()?))
}

/// [`check_portability`] for a core account, for a binding that holds one (Python's
/// `Account`), without a round trip through a record and its Base32 secret.
pub fn check_core_account(account: &otpkit::Account) -> Vec<PortabilityRecord> {
    records(core::check(account))
}

/// [`check_portability`] for an `otpauth://` URI, which also sees how the URI spells
/// its values (a lowercase `algorithm`).
pub fn check_portability_uri(uri: &str) -> Result<Vec<PortabilityRecord>, FacadeError> {
    core::check_uri(uri)
        .map(records)
        .map_err(|e| FacadeError::from(e).prefixed("invalid otpauth URI: "))
}

fn records(findings: Vec<Finding>) -> Vec<PortabilityRecord> {
    findings
        .into_iter()
        .map(|f| PortabilityRecord {
            app: f.rule.app.code(),
            app_name: f.rule.app.to_string(),
            problem: f.rule.problem.code(),
            message: f.to_string(),
            when: f.rule.when,
            versions: f.rule.versions,
            sources: f.rule.sources.to_vec(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::parse_otpauth_uri;
    use otpkit::ErrorCode;

    const S: &str = "otpauth://totp/Ex:a?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    #[test]
    fn a_sha256_account_is_mishandled_by_three_apps_with_sources() {
        let account = parse_otpauth_uri(&format!("{S}&algorithm=SHA256"))
            .unwrap()
            .account;
        let found = check_portability(&account).unwrap();
        let apps: Vec<&str> = found.iter().map(|f| f.app).collect();
        assert_eq!(
            apps,
            ["MICROSOFT_AUTHENTICATOR", "AUTHY", "GOOGLE_AUTHENTICATOR"]
        );
        assert!(found.iter().all(|f| f.problem == "ALGORITHM_IGNORED"));
        assert!(found.iter().all(|f| !f.sources.is_empty()));
        assert_eq!(found[1].to_string(), found[1].message);
        assert!(found[1].message.starts_with("Authy ignores the algorithm"));
        let plain = parse_otpauth_uri(S).unwrap().account;
        assert!(check_portability(&plain).unwrap().is_empty());
    }

    #[test]
    fn the_uri_form_sees_a_lowercase_algorithm_and_names_a_bad_uri() {
        let found = check_portability_uri(&format!("{S}&algorithm=sha256")).unwrap();
        assert!(found.iter().any(|f| f.problem == "LOWERCASE_ALGORITHM"));
        let e = check_portability_uri("https://example.com").unwrap_err();
        assert_eq!(e.reason, ErrorCode::NotOtpauthUri);
        assert!(e.detail.starts_with("invalid otpauth URI: "), "{e}");
    }
}
