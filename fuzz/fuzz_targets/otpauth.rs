//! `otpauth://` parsing: any text, never a panic, and parse → build → parse is a fixed
//! point.
//!
//! Properties asserted:
//! - `Account::parse` never panics and `str::parse::<Account>` agrees with it;
//! - for an accepted URI, `to_uri()` of the account parses back to an equal account,
//!   and building that again gives the identical string (the canonical form is
//!   stable);
//! - the canonical form parses without normalisation warnings (case, padding,
//!   spacing, issuer disagreements);
//! - `Debug` of the account and every warning and error message leave out the
//!   secret's Base32 (unless the URI repeats it in a visible field).
#![no_main]

use libfuzzer_sys::fuzz_target;
use otpkit::otpauth::{Account, Warning};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let parsed = match Account::parse(text) {
        Ok(parsed) => parsed,
        Err(e) => {
            assert_eq!(text.parse::<Account>(), Err(e));
            let message = format!("{e} {e:?}");
            if let Some(secret) = secret_param(text) {
                check_message_hides(&message, secret);
            }
            return;
        }
    };
    let account = &parsed.account;
    assert_eq!(text.parse::<Account>().as_ref(), Ok(account));

    let uri = account.to_uri();
    if uri.len() > otpkit::otpauth::MAX_URI_LEN {
        // Percent-encoding can push a long account past the parse limit (documented
        // on `to_uri`): the only allowed answer is then the typed length error.
        assert_eq!(
            Account::parse(&uri).map(|_| ()),
            Err(otpkit::otpauth::UriError::TooLong { len: uri.len() })
        );
        return;
    }
    let again = Account::parse(&uri)
        .unwrap_or_else(|e| panic!("the built URI {uri:?} does not parse: {e}"));
    assert_eq!(&again.account, account, "parse(to_uri(a)) != a for {uri:?}");
    assert_eq!(again.account.to_uri(), uri, "to_uri is not stable");
    for warning in &again.warnings {
        assert!(
            !matches!(
                warning,
                Warning::SecretLowercase
                    | Warning::SecretPadded
                    | Warning::SecretSpaced
                    | Warning::IssuerConflict { .. }
                    | Warning::EmptyIssuerParameter
            ),
            "the canonical URI {uri:?} gives warning {warning:?}"
        );
    }

    // Redaction: the secret's Base32 appears in no Debug or warning text, unless the
    // URI itself shows it outside the secret parameter (in a label, say).
    let base32 = account.secret.base32().to_string();
    let without_secret = secret_param(text).map_or(text.to_owned(), |s| text.replacen(s, "", 1));
    let visible = percent_encoding::percent_decode_str(&without_secret)
        .decode_utf8_lossy()
        .to_ascii_uppercase();
    if base32.len() >= 8 && !visible.contains(&base32) {
        let mut shown = format!("{account:?} {:?}", parsed.warnings);
        for warning in &parsed.warnings {
            shown.push_str(&warning.to_string());
        }
        assert!(
            !shown.contains(&base32),
            "secret in Debug/warnings: {shown}"
        );
    }
});

/// The raw value of the first `secret=` parameter, if any.
fn secret_param(text: &str) -> Option<&str> {
    let query = text.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.eq_ignore_ascii_case("secret").then_some(value)
    })
}

/// No run of 8 symbols of the typed secret (normalised to uppercase, holding a letter)
/// may appear in a message. Messages have no uppercase run that long of their own.
fn check_message_hides(message: &str, secret: &str) {
    let symbols: Vec<u8> = secret
        .bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.to_ascii_uppercase())
        .collect();
    for window in symbols.windows(8) {
        if !window.iter().any(u8::is_ascii_alphabetic) {
            continue;
        }
        let run = core::str::from_utf8(window).expect("ASCII");
        assert!(
            !message.contains(run),
            "message repeats the secret {run:?}: {message}"
        );
    }
}
