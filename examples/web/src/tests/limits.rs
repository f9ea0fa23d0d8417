//! The server's bounds through its pages: password hashes at once, session
//! timeouts, the session and account caps.

use std::time::Duration;

use axum::http::StatusCode;
use axum::http::header::RETRY_AFTER;

use super::{Client, PASSWORD, PHONE, encode, enrolled};
use crate::app::Config;
use crate::session::USER_LIMITS;

#[tokio::test]
async fn sign_ins_and_sign_ups_find_no_hashing_slot_free_and_get_503_with_retry_after() {
    let mut c = Client::new();
    let at = enrolled(&mut c, "carol").await;
    let held = c.app.accounts.hold_every_slot();
    for (user, password) in [
        ("carol", PASSWORD),
        ("carol", "wrong password"),
        ("nobody", PASSWORD),
    ] {
        let r = c.sign_in(user, password, &at(1)).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{user}");
        assert_eq!(r.headers.get(RETRY_AFTER).unwrap(), "1");
        assert!(r.text_of("error").contains("try again in a moment"));
    }
    let r = c
        .post("/signup", &[("user", "dave"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers.get(RETRY_AFTER).unwrap(), "1");
    // Nothing was looked at: no code spent, no account made.
    assert_eq!(c.app.mfa.user_status("carol").unwrap().failures, 0);
    assert_eq!(c.app.accounts.names(), ["carol"]);
    drop(held);
    let ok = c.sign_in("carol", PASSWORD, &at(1)).await;
    assert_eq!(ok.location.as_deref(), Some("/"));
}

#[tokio::test]
async fn a_session_idle_for_30_minutes_is_refused() {
    let mut c = Client::new();
    let at = enrolled(&mut c, "carol").await;
    c.sign_in("carol", PASSWORD, &at(1)).await;
    let csrf = c.get("/").await.csrf();
    c.app
        .sessions
        .advance(USER_LIMITS.idle - Duration::from_secs(1));
    assert_eq!(c.get("/").await.text_of("whoami"), "carol");
    c.app.sessions.advance(USER_LIMITS.idle);
    let old = c.jar.clone();
    let r = c
        .send(
            "POST",
            "/mfa/remove",
            Some(encode(&[("csrf", &csrf), ("device", PHONE)])),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text_of("error").contains("expired session"));
    assert!(
        c.app.mfa.devices("carol").unwrap().len() == 1,
        "nothing was removed"
    );
    let home = c.get("/").await;
    assert!(!home.has("whoami"), "signed out");
    assert_ne!(c.jar, old, "a new session");
}

#[tokio::test]
async fn a_session_ends_12_hours_after_sign_in_however_busy() {
    let mut c = Client::new();
    let at = enrolled(&mut c, "carol").await;
    c.sign_in("carol", PASSWORD, &at(1)).await;
    let step = Duration::from_secs(20 * 60);
    let mut used = Duration::ZERO;
    while used + step < USER_LIMITS.absolute {
        c.app.sessions.advance(step);
        used += step;
        assert!(c.get("/").await.has("whoami"), "at {used:?}");
    }
    c.app.sessions.advance(USER_LIMITS.absolute - used);
    assert!(!c.get("/").await.has("whoami"));
}

#[tokio::test]
async fn the_session_table_never_exceeds_its_cap_and_keeps_signed_in_users() {
    let mut c = Client::with(|config: &mut Config| config.user_sessions.max = 5);
    let at = enrolled(&mut c, "carol").await;
    c.sign_in("carol", PASSWORD, &at(1)).await;
    for _ in 0..50 {
        let mut visitor = c.other();
        assert_eq!(visitor.get("/").await.status, StatusCode::OK);
        assert!(c.app.sessions.len() <= 5, "{}", c.app.sessions.len());
    }
    assert_eq!(c.app.sessions.len(), 5);
    assert_eq!(c.get("/").await.text_of("whoami"), "carol");
}

#[tokio::test]
async fn sign_up_stops_at_the_account_cap() {
    let mut c = Client::with(|config: &mut Config| config.max_accounts = 2);
    for user in ["ann", "bob"] {
        let mut v = c.other();
        let r = v
            .post("/signup", &[("user", user), ("password", PASSWORD)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    let r = c
        .post("/signup", &[("user", "cyd"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.text_of("error").contains("as many accounts as it keeps"));
    assert_eq!(c.app.accounts.names(), ["ann", "bob"]);
}
