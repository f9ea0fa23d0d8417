//! `otpauth://` and `otpauth-migration://` URIs as the subcommands read them.

use otpkit::otpauth::{Account, Parsed};

use crate::error::CliError;

/// Parses an `otpauth://` URI; a migration URI gets a pointer to `import`.
pub fn parse_account(uri: &str) -> Result<Parsed, CliError> {
    if is_migration(uri) {
        return Err(CliError::usage(
            "this is a Google Authenticator export (otpauth-migration://); use `otpkit import`",
        ));
    }
    Account::parse(uri).map_err(|e| CliError::usage(format_args!("invalid otpauth URI: {e}")))
}

/// Whether `uri` is a Google Authenticator export URI (`otpauth-migration://`).
pub fn is_migration(uri: &str) -> bool {
    uri.trim()
        .get(..20)
        .is_some_and(|s| s.eq_ignore_ascii_case("otpauth-migration://"))
}

/// The warning for a URI whose Base32 secret has bits that do not fill a byte.
pub fn dropped_bits_warning(uri: &str) -> Option<String> {
    let text = crate::secrets::uri_secret_text(uri)?;
    let dropped = crate::secrets::dropped_bits(&text)?;
    Some(format!(
        "the Base32 secret is not canonical: its last {dropped} bit(s) do not fill a byte \
         and were dropped; check that it was copied whole"
    ))
}
