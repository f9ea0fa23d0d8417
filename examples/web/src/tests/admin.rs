//! The administrator is the token's holder, never an account; and guessing codes
//! stops at the verifier's lock-out whoever tries to clear it.

use axum::http::StatusCode;
use otpkit::verifier::Policy;

use super::{ADMIN_TOKEN, Client, PASSWORD, encode, enrolled};
use crate::app::Config;

/// Signs up `user` with [`PASSWORD`] (a new session signed in as them).
async fn sign_up(c: &mut Client, user: &str) {
    let r = c
        .post("/signup", &[("user", user), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

/// Locks `user`'s device with wrong codes (the password is right).
async fn lock_out(c: &mut Client, user: &str) {
    for _ in 0..Policy::default().max_failures() {
        c.sign_in(user, PASSWORD, "000000").await;
    }
    let locked = c.sign_in(user, PASSWORD, "000000").await;
    assert!(
        locked.text_of("error").starts_with("Too many wrong codes"),
        "{}",
        locked.body
    );
}

#[tokio::test]
async fn signing_up_as_root_or_admin_gives_no_administrator_rights() {
    let mut c = Client::new();
    let _codes = enrolled(&mut c, "carol").await;
    lock_out(&mut c, "carol").await;
    let failures = c.app.mfa.user_status("carol").unwrap().failures;

    for name in ["root", "admin", "administrator"] {
        let mut m = c.other();
        sign_up(&mut m, name).await;
        let page = m.get("/admin").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{name}");
        assert!(page.has("admin-token"), "the sign-in form: {}", page.body);
        assert!(!page.has("accounts"), "no device table for {name}");
        // The user session's token is no administrator's.
        let csrf = m.get("/").await.csrf();
        let forged = encode(&[("csrf", &csrf), ("user", "carol")]);
        let r = m.send("POST", "/admin/clear", Some(forged)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{name}");
        // And the home page offers no way there.
        assert!(!m.get("/").await.body.contains("/admin"), "{name}");
    }
    assert_eq!(c.app.mfa.user_status("carol").unwrap().failures, failures);
}

#[tokio::test]
async fn admin_pages_refuse_anyone_without_the_token() {
    let mut c = Client::new();
    let _codes = enrolled(&mut c, "carol").await;
    lock_out(&mut c, "carol").await;

    let page = c.get("/admin").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.has("admin-signin-form"));
    for wrong in [
        "",
        "root",
        &ADMIN_TOKEN[..ADMIN_TOKEN.len() - 1],
        &format!("{ADMIN_TOKEN}x"),
    ] {
        let r = c.admin_sign_in(wrong).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{wrong:?}");
        assert_eq!(r.text_of("error"), "Wrong administrator token.");
        assert!(c.cookie("otpkit_admin").is_none());
    }
    // The right token from another site's form.
    c.origin = Some("http://evil.example");
    assert_eq!(
        c.admin_sign_in(ADMIN_TOKEN).await.status,
        StatusCode::FORBIDDEN
    );
    c.origin = Some("http://127.0.0.1:8080");
    // No administrator session: clearing and signing out are refused.
    let forged = Some(encode(&[("csrf", "0000"), ("user", "carol")]));
    let r = c.send("POST", "/admin/clear", forged).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(c.app.mfa.user_status("carol").unwrap().failures > 0);

    // A server started without a token has no administrator at all.
    let mut off = Client::with(|config: &mut Config| config.admin_token = None);
    let page = off.get("/admin").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.text_of("error").contains("--admin-token-file PATH"));
    assert_eq!(
        off.admin_sign_in(ADMIN_TOKEN).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_token_holder_sees_every_device_and_clears_a_lock_out() {
    let mut c = Client::new();
    let at = enrolled(&mut c, "carol").await;
    lock_out(&mut c, "carol").await;

    let mut admin = c.other();
    let r = admin.admin_sign_in(&format!(" {ADMIN_TOKEN}\n")).await;
    assert_eq!(r.location.as_deref(), Some("/admin"));
    assert!(admin.cookie("otpkit_sid").is_none(), "no user session");
    assert!(
        admin
            .jar
            .iter()
            .any(|(n, _, p)| n == "otpkit_admin" && p == "/admin")
    );
    let page = admin.get("/admin").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text_of("whoami"), "administrator");
    assert!(page.body.contains("locked out"), "{}", page.body);
    // The administrator session is not a user session.
    let home = admin.get("/").await;
    assert!(!home.has("whoami"), "{}", home.body);

    let r = admin.admin_post("/admin/clear", &[("user", "carol")]).await;
    assert_eq!(r.location.as_deref(), Some("/admin?done=cleared"));
    assert_eq!(
        admin.get("/admin?done=cleared").await.text_of("notice"),
        "Lock-out cleared."
    );
    let gone = admin
        .admin_post("/admin/clear", &[("user", "nobody")])
        .await;
    assert_eq!(gone.location.as_deref(), Some("/admin"));
    assert_eq!(c.app.mfa.user_status("carol").unwrap().failures, 0);
    let ok = c.sign_in("carol", PASSWORD, &at(1)).await;
    assert_eq!(ok.location.as_deref(), Some("/"));

    // Signing out ends the administrator session.
    let r = admin.admin_post("/admin/signout", &[]).await;
    assert_eq!(r.location.as_deref(), Some("/admin?done=signedout"));
    assert_eq!(admin.get("/admin").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_administrator_session_ends_after_15_idle_minutes() {
    let mut admin = Client::new();
    admin.admin_sign_in(ADMIN_TOKEN).await;
    assert_eq!(admin.get("/admin").await.status, StatusCode::OK);
    let csrf = admin.get("/admin").await.csrf();
    admin
        .app
        .admin_sessions
        .advance(std::time::Duration::from_secs(15 * 60));
    assert_eq!(admin.get("/admin").await.status, StatusCode::UNAUTHORIZED);
    let r = admin
        .send(
            "POST",
            "/admin/clear",
            Some(encode(&[("csrf", &csrf), ("user", "x")])),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// Someone with carol's password guesses codes and, between guesses, tries every
/// way this server offers to clear the lock-out without the administrator token:
/// signing up as `root`, `/admin/clear` with a user session's token. The verifier
/// looks at exactly `max_failures` codes; every later guess is refused unseen.
#[tokio::test]
async fn guesses_with_a_known_password_stop_at_the_policy_bound() {
    let mut c = Client::new();
    let _codes = enrolled(&mut c, "carol").await;
    let mut m = c.other();
    let mut root = c.other();
    sign_up(&mut root, "root").await;
    let bound = Policy::default().max_failures();
    let mut looked_at = 0;
    for _ in 0..60 {
        let r = m.sign_in("carol", PASSWORD, "000000").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        match r.text_of("error") {
            crate::messages::WRONG_CODE => looked_at += 1,
            e => assert!(
                e.starts_with("Too many wrong codes: your MFA device is locked for"),
                "{e}"
            ),
        }
        let clear = root.post("/admin/clear", &[("user", "carol")]).await;
        assert_eq!(clear.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(looked_at, bound);
    let status = c.app.mfa.user_status("carol").unwrap();
    assert_eq!(status.failures, bound);
    assert!(status.locked_until.unwrap() > otpkit::unix_now().unwrap());
}
