//! Sessions: a random id in an `HttpOnly; SameSite=Strict` cookie, kept in memory,
//! each with its own CSRF token that every form carries back.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use axum::http::HeaderMap;
use axum::http::header::{COOKIE, HOST, ORIGIN};

/// The session cookie's name.
pub const COOKIE_NAME: &str = "otpkit_sid";

/// One browser's session.
#[derive(Clone)]
pub struct Session {
    /// The token every form of this session must send back (`csrf` field).
    pub csrf: String,
    /// Who signed in, if anyone.
    pub user: Option<String>,
}

/// Every live session, by id (in memory: a restart signs everyone out).
#[derive(Default)]
pub struct Sessions(Mutex<HashMap<String, Session>>);

impl Sessions {
    /// The session named by the request's cookie, if it is live.
    pub fn get(&self, headers: &HeaderMap) -> Option<(String, Session)> {
        let sid = cookie(headers, COOKIE_NAME)?;
        let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(sid).map(|s| (sid.to_owned(), s.clone()))
    }

    /// A new session (new id, new CSRF token) for `user`; ends `old` if given, so
    /// signing in or out always changes the id (no session fixation).
    pub fn start(
        &self,
        old: Option<&str>,
        user: Option<String>,
    ) -> Result<(String, Session), getrandom::Error> {
        let sid = token()?;
        let session = Session {
            csrf: token()?,
            user,
        };
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(old) = old {
            map.remove(old);
        }
        map.insert(sid.clone(), session.clone());
        Ok((sid, session))
    }
}

/// The `Set-Cookie` value for session `sid`: not readable by scripts, not sent by
/// other sites' forms or requests.
pub fn set_cookie(sid: &str) -> String {
    format!("{COOKIE_NAME}={sid}; Path=/; HttpOnly; SameSite=Strict")
}

/// Whether a form post may be trusted: its CSRF field equals the session's token,
/// and its `Origin` header, when the browser sends one, is this server.
pub fn form_allowed(headers: &HeaderMap, session: &Session, csrf: &str) -> bool {
    let same_origin = match (headers.get(ORIGIN), headers.get(HOST)) {
        (None, _) => true,
        (Some(origin), Some(host)) => {
            origin.as_bytes().strip_prefix(b"http://") == Some(host.as_bytes())
        }
        (Some(_), None) => false,
    };
    let token_ok = csrf.len() == session.csrf.len()
        && csrf
            .bytes()
            .zip(session.csrf.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    same_origin && token_ok
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// 128 random bits as hex.
fn token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookie_found_among_others_and_form_checks_token_and_origin() {
        let sessions = Sessions::default();
        let (sid, session) = sessions.start(None, Some("alice".into())).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_str(&format!("a=b; {COOKIE_NAME}={sid}; c=d")).unwrap(),
        );
        headers.insert(HOST, HeaderValue::from_static("127.0.0.1:8080"));
        let (found, s) = sessions.get(&headers).unwrap();
        assert_eq!(found, sid);
        assert_eq!(s.user.as_deref(), Some("alice"));
        assert!(form_allowed(&headers, &s, &session.csrf));
        assert!(!form_allowed(&headers, &s, "0123"));
        headers.insert(ORIGIN, HeaderValue::from_static("http://127.0.0.1:8080"));
        assert!(form_allowed(&headers, &s, &session.csrf));
        headers.insert(ORIGIN, HeaderValue::from_static("http://evil.example"));
        assert!(!form_allowed(&headers, &s, &session.csrf));
        // A new session replaces the old id.
        let (new, _) = sessions.start(Some(&sid), None).unwrap();
        assert_ne!(new, sid);
        assert!(sessions.get(&headers).is_none());
        assert!(set_cookie(&new).contains("HttpOnly; SameSite=Strict"));
    }
}
