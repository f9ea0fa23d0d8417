//! Sessions: a random id in an `HttpOnly; SameSite=Strict` cookie, kept in memory,
//! each with its own CSRF token that every form carries back, an idle and an
//! absolute timeout, and a cap on how many are kept.
//!
//! One [`Sessions`] table per kind of principal: users (`Sessions<String>`, the
//! account name) and administrators (`Sessions<Admin>`, cookie path `/admin`), so
//! neither kind of session can stand for the other.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

/// How long sessions live and how many are kept.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// A session not used for this long is over.
    pub idle: Duration,
    /// A session is over this long after it started, however busy.
    pub absolute: Duration,
    /// The most sessions kept at once; starting one more evicts one (see
    /// [`Sessions::start`]).
    pub max: usize,
}

/// User sessions: 30 minutes idle, 12 hours in all (NIST SP 800-63B §7.2 at AAL2),
/// at most 10 000 (a few MB, see the README).
pub const USER_LIMITS: Limits = Limits {
    idle: Duration::from_secs(30 * 60),
    absolute: Duration::from_secs(12 * 60 * 60),
    max: 10_000,
};

/// Administrator sessions: 15 minutes idle, 1 hour in all (more power, shorter
/// life), at most 16 (only the token's holder starts one).
pub const ADMIN_LIMITS: Limits = Limits {
    idle: Duration::from_secs(15 * 60),
    absolute: Duration::from_secs(60 * 60),
    max: 16,
};

/// One browser's session.
#[derive(Clone)]
pub struct Session<P> {
    /// The token every form of this session must send back (`csrf` field).
    pub csrf: String,
    /// Who signed in, if anyone.
    pub who: Option<P>,
}

struct Entry<P> {
    session: Session<P>,
    started: Instant,
    seen: Instant,
}

impl<P> Entry<P> {
    fn live_at(&self, now: Instant, limits: &Limits) -> bool {
        now.saturating_duration_since(self.seen) < limits.idle
            && now.saturating_duration_since(self.started) < limits.absolute
    }
}

/// Every live session of one kind, by id (in memory: a restart signs everyone
/// out).
pub struct Sessions<P> {
    cookie: &'static str,
    path: &'static str,
    limits: Limits,
    secure: bool,
    map: Mutex<HashMap<String, Entry<P>>>,
    /// How far the tests have moved this table's clock forward.
    #[cfg(test)]
    skew: Mutex<Duration>,
}

impl<P: Clone> Sessions<P> {
    /// A table whose ids travel in cookie `cookie`, sent for paths under `path`.
    pub fn new(cookie: &'static str, path: &'static str, limits: Limits) -> Self {
        Sessions {
            cookie,
            path,
            limits,
            secure: false,
            map: Mutex::default(),
            #[cfg(test)]
            skew: Mutex::default(),
        }
    }

    /// This table with its cookie `Secure` (sent over HTTPS only) when `on`.
    #[must_use]
    pub fn secure(mut self, on: bool) -> Self {
        self.secure = on;
        self
    }

    /// The session named by the request's cookie, if it is live (an expired one is
    /// forgotten here); using it restarts its idle time.
    pub fn get(&self, headers: &HeaderMap) -> Option<(String, Session<P>)> {
        let sid = cookie(headers, self.cookie)?;
        let now = self.now();
        let mut map = self.lock();
        let entry = map.get_mut(sid)?;
        if !entry.live_at(now, &self.limits) {
            map.remove(sid);
            return None;
        }
        entry.seen = now;
        Some((sid.to_owned(), entry.session.clone()))
    }

    /// A new session (new id, new CSRF token) for `who`; ends `old` if given, so
    /// signing in or out always changes the id (no session fixation).
    ///
    /// The table never holds more than [`Limits::max`] sessions: when it is full,
    /// expired sessions go first, then the least recently used session nobody is
    /// signed in to (a sign-in form left open), then the least recently used one.
    pub fn start(
        &self,
        old: Option<&str>,
        who: Option<P>,
    ) -> Result<(String, Session<P>), getrandom::Error> {
        let (sid, session) = new_session(who)?;
        let mut map = self.lock();
        if let Some(old) = old {
            map.remove(old);
        }
        self.insert(&mut map, &sid, &session);
        Ok((sid, session))
    }

    /// Like [`start`](Self::start) with `old`, but only if session `old` is still
    /// in the table: of several requests replacing the same session, exactly one
    /// gets the new session; the others get `None`.
    pub fn replace(
        &self,
        old: &str,
        who: P,
    ) -> Result<Option<(String, Session<P>)>, getrandom::Error> {
        let (sid, session) = new_session(Some(who))?;
        let mut map = self.lock();
        if map.remove(old).is_none() {
            return Ok(None);
        }
        self.insert(&mut map, &sid, &session);
        Ok(Some((sid, session)))
    }

    /// Inserts a new session, evicting as [`start`](Self::start) says to stay
    /// within the cap.
    fn insert(&self, map: &mut HashMap<String, Entry<P>>, sid: &str, session: &Session<P>) {
        let now = self.now();
        if map.len() >= self.limits.max {
            map.retain(|_, e| e.live_at(now, &self.limits));
        }
        while map.len() >= self.limits.max.max(1) {
            let victim = map
                .iter()
                .min_by_key(|(_, e)| (e.session.who.is_some(), e.seen))
                .map(|(id, _)| id.clone());
            match victim {
                Some(id) => map.remove(&id),
                None => break,
            };
        }
        map.insert(
            sid.to_owned(),
            Entry {
                session: session.clone(),
                started: now,
                seen: now,
            },
        );
    }

    /// Ends session `sid` (signing out of a kind that has no anonymous sessions).
    pub fn end(&self, sid: &str) {
        self.lock().remove(sid);
    }

    /// The `Set-Cookie` value for session `sid`: not readable by scripts, not sent
    /// by other sites' forms or requests, nor outside this table's path (nor, when
    /// [`secure`](Self::secure), over plain HTTP).
    pub fn set_cookie(&self, sid: &str) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{}={sid}; Path={}{secure}; HttpOnly; SameSite=Strict",
            self.cookie, self.path
        )
    }

    /// How many sessions the table holds (expired ones included until evicted).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Moves this table's clock `by` forward.
    #[cfg(test)]
    pub fn advance(&self, by: Duration) {
        let mut skew = self.skew.lock().unwrap_or_else(PoisonError::into_inner);
        *skew += by;
    }

    /// This table's clock (the tests move it with `advance`).
    #[cfg(not(test))]
    pub fn now(&self) -> Instant {
        Instant::now()
    }

    /// This table's clock, moved forward by `advance`.
    #[cfg(test)]
    pub fn now(&self) -> Instant {
        Instant::now() + *self.skew.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry<P>>> {
        // Every change is one insert or remove: a panic elsewhere leaves nothing half-done.
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The value of cookie `name` in the request, if it sent one.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A new session id and a session for `who` with a new CSRF token.
fn new_session<P>(who: Option<P>) -> Result<(String, Session<P>), getrandom::Error> {
    Ok((
        token()?,
        Session {
            csrf: token()?,
            who,
        },
    ))
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

    const NAME: &str = "test_sid";

    fn table(max: usize) -> Sessions<String> {
        Sessions::new(
            NAME,
            "/",
            Limits {
                idle: Duration::from_secs(60),
                absolute: Duration::from_secs(600),
                max,
            },
        )
    }

    fn headers_for(sid: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_str(&format!("a=b; {NAME}={sid}; c=d")).unwrap(),
        );
        headers
    }

    #[test]
    fn the_cookie_is_found_among_others_and_a_new_session_replaces_the_old_id() {
        let sessions = table(10);
        let (sid, session) = sessions.start(None, Some("alice".into())).unwrap();
        let headers = headers_for(&sid);
        let (found, s) = sessions.get(&headers).unwrap();
        assert_eq!(found, sid);
        assert_eq!(s.who.as_deref(), Some("alice"));
        assert_eq!(s.csrf, session.csrf);
        let (new, _) = sessions.start(Some(&sid), None).unwrap();
        assert_ne!(new, sid);
        assert!(sessions.get(&headers).is_none());
        assert_eq!(
            sessions.set_cookie(&new),
            format!("{NAME}={new}; Path=/; HttpOnly; SameSite=Strict")
        );
    }

    #[test]
    fn of_several_replacements_of_one_session_only_the_first_gets_a_session() {
        let sessions = table(10);
        let (sid, _) = sessions.start(None, Some("checked".into())).unwrap();
        let (new, session) = sessions.replace(&sid, "signed in".into()).unwrap().unwrap();
        assert_ne!(new, sid);
        assert_eq!(session.who.as_deref(), Some("signed in"));
        assert!(sessions.get(&headers_for(&sid)).is_none());
        assert!(sessions.replace(&sid, "again".into()).unwrap().is_none());
        assert_eq!(sessions.len(), 1);
        assert!(sessions.get(&headers_for(&new)).is_some());
    }

    #[test]
    fn a_session_ends_when_idle_too_long_or_at_its_absolute_timeout() {
        let sessions = table(10);
        let (idle, _) = sessions.start(None, Some("idle".into())).unwrap();
        let (busy, _) = sessions.start(None, Some("busy".into())).unwrap();
        sessions.advance(Duration::from_secs(59));
        assert!(sessions.get(&headers_for(&busy)).is_some());
        sessions.advance(Duration::from_secs(1));
        assert!(sessions.get(&headers_for(&idle)).is_none(), "idle 60 s");
        assert_eq!(sessions.len(), 1, "the expired session is forgotten");
        // Used every 50 s, it still ends 600 s after it started.
        for _ in 0..10 {
            assert!(sessions.get(&headers_for(&busy)).is_some());
            sessions.advance(Duration::from_secs(50));
        }
        assert!(sessions.get(&headers_for(&busy)).is_some(), "at 560 s");
        sessions.advance(Duration::from_secs(39));
        assert!(sessions.get(&headers_for(&busy)).is_some(), "at 599 s");
        sessions.advance(Duration::from_secs(1));
        assert!(sessions.get(&headers_for(&busy)).is_none(), "at 600 s");
    }

    #[test]
    fn the_table_never_exceeds_its_cap_and_evicts_sign_in_forms_first() {
        let sessions = table(8);
        let mut signed_in = Vec::new();
        for i in 0..3 {
            signed_in.push(sessions.start(None, Some(format!("user{i}"))).unwrap().0);
        }
        for _ in 0..100 {
            sessions.start(None, None).unwrap();
            assert!(sessions.len() <= 8);
        }
        assert_eq!(sessions.len(), 8);
        for sid in &signed_in {
            assert!(sessions.get(&headers_for(sid)).is_some(), "kept: {sid}");
        }
        // Only signed-in sessions: the least recently used goes.
        for i in 3..8 {
            sessions.start(None, Some(format!("user{i}"))).unwrap();
        }
        sessions.advance(Duration::from_secs(1));
        assert!(sessions.get(&headers_for(&signed_in[1])).is_some());
        assert!(sessions.get(&headers_for(&signed_in[2])).is_some());
        sessions.start(None, Some("one more".into())).unwrap();
        assert_eq!(sessions.len(), 8);
        assert!(sessions.get(&headers_for(&signed_in[0])).is_none());
        assert!(sessions.get(&headers_for(&signed_in[1])).is_some());
        // Expired sessions make room before any live one is evicted.
        sessions.advance(Duration::from_secs(60));
        let (fresh, _) = sessions.start(None, None).unwrap();
        assert_eq!(sessions.len(), 1);
        assert!(sessions.get(&headers_for(&fresh)).is_some());
    }
}
