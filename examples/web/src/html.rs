//! The pages' HTML: one layout, escaped text, the QR code as inline SVG.

use std::fmt::Write as _;

use otpkit::otpauth::{Account, Kind};
use otpkit::{Algorithm, Digits, Period, Secret};
use qrcode::QrCode;
use qrcode::render::svg;
use zeroize::Zeroizing;

/// `text` with `& < > " '` escaped, for element text and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `text` percent-encoded for a URL's query (every byte but letters, digits and
/// `-._~`).
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Unix time `secs` as `YYYY-MM-DD HH:MM UTC` (the proleptic Gregorian calendar).
pub fn utc(secs: u64) -> String {
    let days = secs / 86_400;
    let minute_of_day = (secs % 86_400) / 60;
    // Howard Hinnant's days-to-civil, on days since 0000-03-01.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        minute_of_day / 60,
        minute_of_day % 60
    )
}

/// What a page's header offers besides "Home": nothing, or who is signed in and
/// the button that signs them out (a form with the session's CSRF token).
pub enum Nav<'a> {
    /// Nobody signed in (or a page outside any session).
    None,
    /// A user's session: the name and the session's CSRF token.
    User {
        /// The account.
        name: &'a str,
        /// The session's CSRF token.
        csrf: &'a str,
    },
    /// An administrator's session: its CSRF token.
    Admin {
        /// The session's CSRF token.
        csrf: &'a str,
    },
}

/// A whole page: `body` is HTML already; `nav` gives the header its sign-out
/// button.
pub fn layout(title: &str, nav: Nav<'_>, body: &str) -> String {
    let mut header = String::from(r#"<a href="/">Home</a>"#);
    let signed_in = match nav {
        Nav::None => None,
        Nav::User { name, csrf } => Some((esc(name), "/signout", csrf)),
        Nav::Admin { csrf } => Some(("administrator".to_owned(), "/admin/signout", csrf)),
    };
    if let Some((who, action, csrf)) = signed_in {
        let _ = write!(
            header,
            r#" · signed in as <b id="whoami">{who}</b>
<form method="post" action="{action}" class="inline"><input type="hidden" name="csrf" value="{}"><button id="signout">Sign out</button></form>"#,
            esc(csrf)
        );
    }
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · otpkit web example</title>
<style>
body {{ font: 16px/1.45 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #16191f; overflow-wrap: break-word; }}
nav {{ border-bottom: 1px solid #ccc; padding-bottom: .5rem; margin-bottom: 1rem; }}
form.inline {{ display: inline; }}
label {{ display: block; margin: .5rem 0; }}
input {{ font: inherit; padding: .25rem .4rem; max-width: 100%; box-sizing: border-box; }}
ol {{ padding-left: 1.5rem; }}
button {{ font: inherit; padding: .3rem .9rem; background: #ec7211; color: #fff; border: 0; border-radius: 2px; cursor: pointer; }}
nav button {{ background: none; color: #0073bb; padding: 0; }}
.error {{ color: #d13212; border-left: 4px solid #d13212; padding-left: .5rem; }}
.notice {{ color: #1d8102; border-left: 4px solid #1d8102; padding-left: .5rem; }}
#secret-key {{ display: block; font: 1.2rem/1.6 monospace; letter-spacing: .05em; word-spacing: .2em; overflow-wrap: anywhere; background: #f2f3f3; padding: .2rem .4rem; margin: .25rem 0; }}
#qr {{ margin: .5rem 0; }}
#qr svg {{ display: block; width: 100%; max-width: 256px; height: auto; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; overflow-wrap: anywhere; }}
#devices td {{ overflow-wrap: break-word; }}
#devices td form, #devices td a {{ white-space: nowrap; }}
@media (max-width: 40rem) {{
#devices, #devices tbody, #devices tr, #devices td {{ display: block; }}
#devices tr:first-child {{ display: none; }}
#devices tr {{ border: 1px solid #ccc; margin-bottom: .5rem; padding: .25rem 0; }}
#devices td {{ border: 0; padding: .1rem .5rem; }}
#devices td.name {{ font-weight: bold; }}
#devices td.added::before {{ content: "Added "; }}
#devices td.enrolled::before {{ content: "Enrolled: "; }}
}}
</style></head>
<body><nav>{header}</nav>
<h1>{title}</h1>
{body}
</body></html>
"#,
        title = esc(title),
    )
}

/// A paragraph saying what went wrong (`class="error"`, `id="error"`).
pub fn error(message: &str) -> String {
    format!(r#"<p class="error" id="error">{}</p>"#, esc(message))
}

/// [`error`] for a message that may be empty: nothing when it is.
pub fn error_if_any(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        error(message)
    }
}

/// A paragraph saying what went right (`id="notice"`).
pub fn notice(message: &str) -> String {
    format!(r#"<p class="notice" id="notice">{}</p>"#, esc(message))
}

/// The `otpauth://` URI an authenticator app scans: TOTP, SHA-1, 6 digits, 30 s
/// (what every app supports), labelled `issuer:user`. Contains the secret.
pub fn otpauth_uri(issuer: &str, user: &str, secret: &Secret) -> Zeroizing<String> {
    let account = Account {
        issuer: Some(issuer.to_owned()),
        name: user.to_owned(),
        secret: secret.clone(),
        algorithm: Algorithm::Sha1,
        digits: Digits::SIX,
        kind: Kind::Totp {
            period: Period::DEFAULT,
        },
        pin: None,
        extra: Vec::new(),
    };
    Zeroizing::new(account.to_uri())
}

/// `uri` as an inline `<svg>` element (no XML declaration), with a quiet zone.
pub fn qr_svg(uri: &str) -> Result<Zeroizing<String>, qrcode::types::QrError> {
    let code = QrCode::new(uri.as_bytes())?;
    let document = Zeroizing::new(
        code.render::<svg::Color<'_>>()
            .min_dimensions(256, 256)
            .quiet_zone(true)
            .build(),
    );
    let start = document.find("<svg").unwrap_or(0);
    Ok(Zeroizing::new(
        document.get(start..).unwrap_or("").to_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The style rule for `selector` in the layout's stylesheet.
    fn rule(page: &str, selector: &str) -> String {
        let start = page
            .find(&format!("\n{selector} {{"))
            .unwrap_or_else(|| panic!("no rule for {selector}"));
        let len = page[start..].find('}').unwrap();
        page[start..start + len].to_owned()
    }

    /// What a 390 px wide phone screen needs (the browser test measures it):
    /// the secret key wraps between its groups, the QR code shrinks with the
    /// screen, inputs stay inside their form.
    #[test]
    fn the_secret_key_wraps_and_the_qr_code_and_inputs_shrink_on_a_narrow_screen() {
        let page = layout("t", Nav::None, "");
        let key = rule(&page, "#secret-key");
        assert!(!key.contains("nowrap"), "{key}");
        assert!(key.contains("overflow-wrap: anywhere"), "{key}");
        let qr = rule(&page, "#qr svg");
        assert!(
            qr.contains("width: 100%")
                && qr.contains("max-width: 256px")
                && qr.contains("height: auto"),
            "{qr}"
        );
        assert!(rule(&page, "#qr").contains("margin: .5rem 0"));
        assert!(rule(&page, "input").contains("max-width: 100%"));
    }

    #[test]
    fn escapes_markup_and_builds_a_scannable_uri_and_svg() {
        assert_eq!(
            esc(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
        let uri = otpauth_uri("ACME", "alice@example.com", &secret);
        assert_eq!(
            uri.as_str(),
            "otpauth://totp/ACME:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME"
        );
        let svg = qr_svg(&uri).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn times_are_shown_as_utc_dates_and_names_percent_encoded() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc(1_796_601_599), "2026-12-06 23:59 UTC");
        assert_eq!(url_encode("Work tablet/é&"), "Work%20tablet%2F%C3%A9%26");
    }
}
