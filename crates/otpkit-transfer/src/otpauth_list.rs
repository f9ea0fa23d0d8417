//! Plain text, one `otpauth://` URI per line.
//!
//! Apple's `apple-otpauth://` form (Apple Passwords and iCloud Keychain; Apple's
//! "Securing Logins with iCloud Keychain Verification Codes" page describes it as the
//! standard URI under another scheme) is read as the `otpauth://` URI it renames.

use otpkit::SecretError;
use otpkit::otpauth::{Account, UriError, Warning};
use percent_encoding::percent_decode_str;
use zeroize::Zeroizing;

use crate::secret::{secret_from_base32_lenient, wiped_vec};
use crate::{EntryError, EntryWarning, Format, Import, ImportError, label_of};

pub(crate) fn import(data: &[u8]) -> Result<Import, ImportError> {
    import_as(Format::OtpauthList, data)
}

/// An `otpauth://` list inside another format's container (a ZIP member, an
/// export's decrypted text); errors name `format`.
pub(crate) fn import_as(format: Format, data: &[u8]) -> Result<Import, ImportError> {
    let text = core::str::from_utf8(data)
        .map_err(|_| ImportError::malformed(format, "the text is not UTF-8"))?;
    let mut out = Import::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let result = parse_uri(line);
        let label = match &result {
            Ok((account, _)) => label_of(account.issuer.as_deref(), &account.name),
            Err(_) => String::new(),
        };
        out.push_at(index, label, result)?;
    }
    Ok(out)
}

/// Apple's scheme for an `otpauth://` URI.
const APPLE_SCHEME: &str = "apple-otpauth:";

/// One `otpauth://` (or `apple-otpauth://`) URI, accepting secrets of an invalid
/// Base32 length the way [`secret_from_base32_lenient`] does.
pub(crate) fn parse_uri(uri: &str) -> Result<(Account, Vec<EntryWarning>), EntryError> {
    let uri = uri.trim();
    let apple = uri
        .get(..APPLE_SCHEME.len())
        .filter(|scheme| scheme.eq_ignore_ascii_case(APPLE_SCHEME))
        .and_then(|_| uri.get(APPLE_SCHEME.len()..));
    match apple {
        // Holds the secret: wiped when dropped.
        Some(rest) => parse_otpauth(&Zeroizing::new(format!("otpauth:{rest}"))),
        None => parse_otpauth(uri),
    }
}

fn parse_otpauth(uri: &str) -> Result<(Account, Vec<EntryWarning>), EntryError> {
    match Account::parse(uri) {
        Ok(parsed) => {
            let mut warnings = Vec::with_capacity(parsed.warnings.len());
            uri_warnings(parsed.warnings, &mut warnings);
            Ok((parsed.account, warnings))
        }
        Err(UriError::Secret(SecretError::InvalidLength { .. })) => {
            let (fixed, mut warnings) = fix_secret(uri).ok_or(EntryError::Uri(
                UriError::Secret(SecretError::InvalidLength { symbols: 0 }),
            ))?;
            let parsed = Account::parse(&fixed).map_err(EntryError::Uri)?;
            uri_warnings(parsed.warnings, &mut warnings);
            Ok((parsed.account, warnings))
        }
        Err(e) => Err(EntryError::Uri(e)),
    }
}

/// Appends the `otpauth://` parser's warnings to `to`, through [`wiped_vec`] (their
/// buffers may hold stack bytes from the key's decoding in their padding).
fn uri_warnings(from: Vec<Warning>, to: &mut Vec<EntryWarning>) {
    wiped_vec::drain(from, |w| wiped_vec::push(to, EntryWarning::Uri(w)));
}

/// The URI with its `secret=` value replaced by the canonical Base32 of the secret
/// read leniently, and the warnings of that reading.
fn fix_secret(uri: &str) -> Option<(Zeroizing<String>, Vec<EntryWarning>)> {
    let (before, query) = uri.split_once('?')?;
    let (query, fragment) = match query.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (query, None),
    };
    let mut out = Zeroizing::new(String::with_capacity(uri.len()));
    out.push_str(before);
    out.push('?');
    let mut warnings = None;
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((key, value)) if key.eq_ignore_ascii_case("secret") && warnings.is_none() => {
                // Reserved up front (decoding never lengthens), so it never grows.
                let mut decoded = Zeroizing::new(Vec::with_capacity(value.len()));
                decoded.extend(percent_decode_str(value));
                let text = core::str::from_utf8(&decoded).ok()?;
                let read = secret_from_base32_lenient(text).ok()?;
                out.push_str(key);
                out.push('=');
                out.push_str(&Zeroizing::new(read.secret.base32().to_string()));
                // The core parser adds its own short-secret note.
                warnings = Some(
                    read.warnings
                        .into_iter()
                        .filter(|w| !matches!(w, EntryWarning::ShortSecret { .. }))
                        .collect(),
                );
            }
            _ => out.push_str(pair),
        }
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    Some((out, warnings?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use otpkit::otpauth::Kind;

    #[test]
    fn lines_comments_and_failures() {
        let text = "# accounts\r\n\
                    otpauth://totp/A:alice?secret=JBSWY3DPEHPK3PXP&issuer=A\r\n\
                    \r\n\
                    otpauth://hotp/B?secret=JBSWY3DPEHPK3PXP\r\n\
                    otpauth://steam/Steam:bob?secret=STEAMSECRET\n";
        let out = import(text.as_bytes()).unwrap();
        assert_eq!(out.accounts.len(), 2);
        assert_eq!(out.report.len(), 3);
        assert_eq!(out.report[0].index, 1);
        assert_eq!(out.report[0].label, "A:alice");
        assert_eq!(
            out.report[1].outcome,
            Err(EntryError::Uri(UriError::MissingCounter))
        );
        assert_eq!(out.report[1].index, 3);
        assert_eq!(out.accounts[1].kind, Kind::Steam);
        let warnings = out.report[2].outcome.as_ref().unwrap();
        assert!(warnings.contains(&EntryWarning::TrailingBitsDropped {
            symbols: 11,
            dropped: 1
        }));
    }

    #[test]
    fn apple_otpauth_reads_as_otpauth() {
        let text = "apple-otpauth://totp/Example%20App:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=example.com&algorithm=SHA256&digits=8&period=60\n\
                    APPLE-OTPAUTH://totp/B:bob?secret=JBSWY3DPEHP\n\
                    apple-otpauth:/totp/C?secret=JBSWY3DPEHPK3PXP\n\
                    apple-otpauthx://totp/D?secret=JBSWY3DPEHPK3PXP\n";
        let out = import(text.as_bytes()).unwrap();
        assert_eq!(out.report.len(), 4);
        let plain = Account::parse(
            "otpauth://totp/Example%20App:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=example.com&algorithm=SHA256&digits=8&period=60",
        )
        .unwrap()
        .account;
        assert_eq!(out.accounts[0], plain);
        assert_eq!(out.report[0].label, "example.com:alice@example.com");
        // The lenient secret reading applies too.
        assert_eq!(out.report[1].label, "B:bob");
        assert!(out.report[1].outcome.as_ref().unwrap().contains(
            &EntryWarning::TrailingBitsDropped {
                symbols: 11,
                dropped: 1
            }
        ));
        // Only the scheme is renamed: the rest must still be an otpauth URI.
        assert_eq!(
            out.report[2].outcome,
            Err(EntryError::Uri(UriError::NotOtpauth))
        );
        assert_eq!(
            out.report[3].outcome,
            Err(EntryError::Uri(UriError::NotOtpauth))
        );
    }

    #[test]
    fn not_utf8_is_malformed() {
        assert!(matches!(
            import(&[0xff, 0xfe, 0x00]),
            Err(ImportError::Malformed { .. })
        ));
    }
}
