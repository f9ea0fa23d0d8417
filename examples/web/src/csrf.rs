//! Whether a posted form may be trusted: it comes from this server's own pages
//! (`Origin`) and carries its session's CSRF token; and the one constant-time
//! comparison of secrets typed or sent back (CSRF tokens, the administrator token).

use std::hint::black_box;

use axum::http::HeaderMap;
use axum::http::header::{HOST, ORIGIN};

use crate::session::Session;

/// Whether the request's `Origin` header, when the browser sends one, is this
/// server, over HTTP or through an HTTPS proxy (older browsers send none on
/// same-origin posts).
pub fn same_origin(headers: &HeaderMap) -> bool {
    match (headers.get(ORIGIN), headers.get(HOST)) {
        (None, _) => true,
        (Some(origin), Some(host)) => {
            let origin = origin.as_bytes();
            let rest = origin
                .strip_prefix(b"http://")
                .or_else(|| origin.strip_prefix(b"https://"));
            rest == Some(host.as_bytes())
        }
        (Some(_), None) => false,
    }
}

/// Whether a form post may be trusted: [`same_origin`], and its CSRF field equals
/// the session's token.
pub fn form_allowed<P>(headers: &HeaderMap, session: &Session<P>, csrf: &str) -> bool {
    same_origin(headers) && secrets_equal(csrf.as_bytes(), session.csrf.as_bytes())
}

/// Whether `given` equals `expected`, in a time that depends on `expected`'s length
/// only (every byte of it is compared, whatever `given` is).
pub fn secrets_equal(given: &[u8], expected: &[u8]) -> bool {
    let mut diff = u8::from(given.len() != expected.len());
    for (i, e) in expected.iter().enumerate() {
        diff |= e ^ given.get(i).copied().unwrap_or(0);
        diff = black_box(diff);
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn forms_need_the_token_and_this_origin() {
        let session = Session::<String> {
            csrf: "0123456789abcdef".into(),
            who: None,
        };
        let mut headers = HeaderMap::new();
        headers.insert(HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(form_allowed(&headers, &session, "0123456789abcdef"));
        assert!(!form_allowed(&headers, &session, "0123"));
        assert!(!form_allowed(&headers, &session, "0123456789abcdeF"));
        headers.insert(ORIGIN, HeaderValue::from_static("http://127.0.0.1:8080"));
        assert!(form_allowed(&headers, &session, "0123456789abcdef"));
        headers.insert(ORIGIN, HeaderValue::from_static("https://127.0.0.1:8080"));
        assert!(form_allowed(&headers, &session, "0123456789abcdef"));
        headers.insert(ORIGIN, HeaderValue::from_static("ftp://127.0.0.1:8080"));
        assert!(!form_allowed(&headers, &session, "0123456789abcdef"));
        headers.insert(ORIGIN, HeaderValue::from_static("http://evil.example"));
        assert!(!form_allowed(&headers, &session, "0123456789abcdef"));
    }

    #[test]
    fn secrets_are_equal_only_with_the_same_bytes_and_length() {
        assert!(secrets_equal(b"abc", b"abc"));
        assert!(!secrets_equal(b"abc", b"abd"));
        assert!(!secrets_equal(b"ab", b"abc"));
        assert!(!secrets_equal(b"abc\0", b"abc"));
        assert!(!secrets_equal(b"", b"abc"));
        assert!(secrets_equal(b"", b""));
    }
}
