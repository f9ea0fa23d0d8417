//! Named devices (add, list, remove, resync each), signing in with any or a
//! chosen device, the security events page, `/metrics`, and the
//! remember-this-browser cookie.

use axum::http::StatusCode;
use axum::http::header::{CONTENT_TYPE, SET_COOKIE};
use otpkit_store::MAX_DEVICES_PER_USER;

use super::{Client, PASSWORD, PHONE, Reply, add_device_and_show_secret, encode, enrolled, phone};
use crate::app::{Config, REMEMBER_COOKIE};
use crate::handlers::BAD_DEVICE_NAME;
use crate::messages::WRONG_CODE;
use crate::signin::{NO_SUCH_DEVICE, REMEMBER_REVOKED};

/// The second device's name.
const TABLET: &str = "Work tablet";

/// `user` (signed out) with two enrolled devices, [`PHONE`] and [`TABLET`]; the
/// codes of each.
async fn two_devices(
    c: &mut Client,
    user: &str,
) -> (
    impl Fn(i64) -> String + use<>,
    impl Fn(i64) -> String + use<>,
) {
    let at = enrolled(c, user).await;
    c.sign_in(user, PASSWORD, &at(1)).await;
    let tablet = phone(&add_device_and_show_secret(c, user, TABLET).await);
    let done = c
        .post(
            "/mfa/assign",
            &[
                ("device", TABLET),
                ("code1", &tablet(-1)),
                ("code2", &tablet(0)),
            ],
        )
        .await;
    assert_eq!(done.location.as_deref(), Some("/?done=assigned"));
    c.post("/signout", &[]).await;
    (at, tablet)
}

/// The rows of the home page's device table: (name, kind, enrolled).
fn device_rows(home: &Reply) -> Vec<(String, String, String)> {
    let cell = |row: &str, class: &str| {
        let open = format!(r#"class="{class}">"#);
        let start = row.find(&open).unwrap() + open.len();
        row[start..start + row[start..].find('<').unwrap()].to_owned()
    };
    home.body
        .split(r#"<tr data-device=""#)
        .skip(1)
        .map(|row| (cell(row, "name"), cell(row, "kind"), cell(row, "enrolled")))
        .collect()
}

#[tokio::test]
async fn devices_are_added_by_name_listed_and_removed_up_to_eight() {
    let mut c = Client::new();
    let (at, _tablet) = two_devices(&mut c, "carol").await;
    c.sign_in("carol", PASSWORD, &at(2)).await;
    let home = c.get("/").await;
    assert_eq!(
        home.text_of("mfa-status"),
        "2 virtual MFA devices assigned."
    );
    let row = |n: &str| {
        (
            n.to_owned(),
            "Virtual MFA device (TOTP)".to_owned(),
            "yes".to_owned(),
        )
    };
    assert_eq!(device_rows(&home), [row(PHONE), row(TABLET)]);
    assert!(home.body.contains(r#"class="added">20"#), "{}", home.body);
    assert!(
        home.body
            .contains(r#"href="/mfa/resync?device=Work%20tablet""#)
    );

    // A name taken, or no name at all, is refused on the name form.
    let taken = c.post("/mfa/add", &[("name", PHONE)]).await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert!(taken.text_of("error").contains("already"), "{}", taken.body);
    assert!(taken.has("device-name-form"));
    let blank = c.post("/mfa/add", &[("name", "   ")]).await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(blank.text_of("error"), crate::html::esc(BAD_DEVICE_NAME));

    // Up to eight: pending ones count, the ninth is refused.
    for i in 3..=MAX_DEVICES_PER_USER {
        let r = c.post("/mfa/add", &[("name", &format!("key {i}"))]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{i}: {}", r.body);
    }
    let ninth = c.post("/mfa/add", &[("name", "one more")]).await;
    assert_eq!(ninth.status, StatusCode::CONFLICT);
    assert!(ninth.text_of("error").contains("remove one first"));
    let home = c.get("/").await;
    assert_eq!(device_rows(&home).len(), MAX_DEVICES_PER_USER);
    assert!(!home.has("assign"), "no link to add a ninth");
    assert!(home.body.contains(r#"data-continue="key 3""#));

    // Remove: the tablet and a pending one go; a second removal changes nothing.
    let r = c.post("/mfa/remove", &[("device", TABLET)]).await;
    assert_eq!(r.location.as_deref(), Some("/?done=removed"));
    let r = c.post("/mfa/remove", &[("device", TABLET)]).await;
    assert_eq!(r.location.as_deref(), Some("/"));
    c.post("/mfa/remove", &[("device", "key 3")]).await;
    let names: Vec<String> = device_rows(&c.get("/").await)
        .into_iter()
        .map(|(n, _, _)| n)
        .collect();
    assert_eq!(names.len(), MAX_DEVICES_PER_USER - 2);
    assert!(!names.iter().any(|n| n == TABLET || n == "key 3"));
    // Rename: a free name, then a taken one and a blank one change nothing.
    let r = c
        .post("/mfa/rename", &[("device", "key 4"), ("to", " Spare key ")])
        .await;
    assert_eq!(r.location.as_deref(), Some("/?done=renamed"));
    for (to, done) in [(PHONE, "nametaken"), ("  ", "badname")] {
        let r = c
            .post("/mfa/rename", &[("device", "Spare key"), ("to", to)])
            .await;
        assert_eq!(r.location.as_deref(), Some(&*format!("/?done={done}")));
        assert!(
            c.get(&format!("/?done={done}"))
                .await
                .text_of("notice")
                .starts_with("Not renamed")
        );
    }
    let names: Vec<String> = device_rows(&c.get("/").await)
        .into_iter()
        .map(|(n, _, _)| n)
        .collect();
    assert!(names.iter().any(|n| n == "Spare key") && !names.iter().any(|n| n == "key 4"));
    // Another browser's form cannot remove one.
    let mut other = c.other();
    let forged = Some(encode(&[("csrf", "0000"), ("device", PHONE)]));
    assert_eq!(
        other.send("POST", "/mfa/remove", forged).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(c.app.mfa.devices("carol").unwrap().len(), names.len());
}

#[tokio::test]
async fn sign_in_takes_a_code_of_any_device_or_of_the_one_chosen_and_says_which() {
    let mut c = Client::new();
    let (at, tablet) = two_devices(&mut c, "carol").await;

    // Any device: the tablet's code signs in, and the home page says so.
    c.sign_in_password("carol", PASSWORD).await;
    let page = c.get("/signin/mfa").await;
    assert!(
        page.body
            .contains(r#"<option value="">Any of my devices</option>"#)
    );
    assert!(
        page.body
            .contains(r#"<option value="phone">phone</option>"#)
    );
    assert!(
        page.body
            .contains(r#"<option value="Work tablet">Work tablet</option>"#)
    );
    let r = c.sign_in_code(&tablet(1)).await;
    assert_eq!(r.location.as_deref(), Some("/"), "{}", r.body);
    assert_eq!(c.get("/").await.text_of("signed-in-device"), TABLET);
    c.post("/signout", &[]).await;

    // The phone chosen: the tablet's next code is refused, the phone's accepted.
    c.sign_in_password("carol", PASSWORD).await;
    let chosen = |code: &str| vec![("device", PHONE.to_owned()), ("code", code.to_owned())];
    let r = code_page_post(&mut c, &chosen(&tablet(2))).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.text_of("error"), WRONG_CODE);
    let r = code_page_post(&mut c, &chosen(&at(2))).await;
    assert_eq!(r.location.as_deref(), Some("/"));
    assert_eq!(c.get("/").await.text_of("signed-in-device"), PHONE);
    c.post("/signout", &[]).await;

    // A device that is not the account's: page 2 again, nothing counted.
    c.sign_in_password("carol", PASSWORD).await;
    let r = code_page_post(&mut c, &[("device", "stolen".to_owned()), ("code", at(3))]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.text_of("error"), NO_SUCH_DEVICE);
    assert_eq!(c.app.mfa.user_status("carol").unwrap().failures, 0);
    // A device still being assigned is no choice.
    assert_eq!(c.sign_in_code(&at(3)).await.location.as_deref(), Some("/"));
    add_device_and_show_secret(&mut c, "carol", "new key").await;
    c.post("/signout", &[]).await;
    c.sign_in_password("carol", PASSWORD).await;
    assert!(!c.get("/signin/mfa").await.body.contains("new key"));

    // Resync one device: the tablet's clock ran ahead.
    c.sign_in_code(&at(4)).await;
    let r = c
        .post(
            "/mfa/resync",
            &[
                ("device", TABLET),
                ("code1", &tablet(5)),
                ("code2", &tablet(6)),
            ],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/?done=resynced"));
    let r = c
        .post(
            "/mfa/resync",
            &[
                ("device", "stolen"),
                ("code1", &tablet(7)),
                ("code2", &tablet(8)),
            ],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/"));
}

/// Posts `pairs` on page 2 with its form's CSRF token.
async fn code_page_post(c: &mut Client, pairs: &[(&str, String)]) -> Reply {
    let csrf = c.get("/signin/mfa").await.csrf();
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend(pairs.iter().map(|(k, v)| (*k, v.as_str())));
    c.send("POST", "/signin/mfa", Some(encode(&all))).await
}

#[tokio::test]
async fn the_events_page_lists_the_accounts_own_events_newest_first_without_codes() {
    let mut c = Client::new();
    let at = enrolled(&mut c, "carol").await;
    let mut d = c.other();
    let _dave = enrolled(&mut d, "dave").await;
    let wrong = if at(1) == "000000" {
        "111111"
    } else {
        "000000"
    };
    c.sign_in_password("carol", PASSWORD).await;
    c.sign_in_code(wrong).await;
    c.sign_in_code(&at(1)).await;

    let page = c.get("/events").await;
    assert_eq!(page.status, StatusCode::OK);
    let kinds: Vec<&str> = page
        .body
        .split(r#"<tr data-kind=""#)
        .skip(1)
        .map(|r| &r[..r.find('"').unwrap()])
        .collect();
    assert_eq!(
        kinds,
        [
            "sign_in_accepted",
            "sign_in_refused",
            "enrollment_completed",
            "enrollment_begun"
        ]
    );
    let refused = page
        .body
        .split(r#"data-kind="sign_in_refused""#)
        .nth(1)
        .unwrap();
    assert!(refused.starts_with(r#"><td class="time">20"#), "{refused}");
    assert!(
        refused.contains(r#"<td class="reason">wrong code</td>"#),
        "{refused}"
    );
    assert!(page.body.contains(r#"<td class="device">phone</td>"#));
    for code in [wrong.to_owned(), at(1), at(0), at(-1)] {
        assert!(!page.body.contains(&code), "a code on the events page");
    }
    // Nobody else's, and nothing for a signed-out browser.
    assert!(!page.body.contains("dave"));
    let mut m = c.other();
    assert_eq!(m.get("/events").await.location.as_deref(), Some("/"));
}

#[tokio::test]
async fn metrics_are_served_as_prometheus_text_and_ask_for_the_token_when_one_is_set() {
    let mut c = Client::new();
    let at = enrolled(&mut c, "carol").await;
    c.sign_in("carol", PASSWORD, &at(1)).await;
    let r = c.get("/metrics").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers.get(CONTENT_TYPE).unwrap(),
        "text/plain; version=0.0.4; charset=utf-8"
    );
    assert!(
        r.body
            .contains("otpkit_events_total{event=\"sign_in_accepted\"} 1\n"),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains("otpkit_events_total{event=\"enrollment_completed\"} 1\n")
    );
    assert!(
        r.body
            .contains("# TYPE otpkit_verification_seconds histogram")
    );
    assert!(!r.body.contains("carol") && !r.body.contains(&at(1)));
    assert!(!r.body.contains(PHONE), "no device name");

    let token = crate::admin::AdminToken::new("metrics-token-0123456789abcdef0123").unwrap();
    let mut t = Client::with(|config: &mut Config| config.metrics_token = Some(token));
    let refused = t.get("/metrics").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.headers.get("www-authenticate").unwrap(), "Bearer");
    let wrong = t
        .send_with("GET", "/metrics", &[("authorization", "Bearer nope")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let ok = t
        .send_with(
            "GET",
            "/metrics",
            &[("authorization", "Bearer metrics-token-0123456789abcdef0123")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
}

/// Signs in with the password and, on page 2, `code` with "remember" ticked.
async fn sign_in_remembering(c: &mut Client, code: &str) -> Reply {
    c.sign_in_password("carol", PASSWORD).await;
    code_page_post(
        c,
        &[("code", code.to_owned()), ("remember", "1".to_owned())],
    )
    .await
}

#[tokio::test]
async fn a_remembered_browser_skips_the_code_once_per_cookie_which_rotates() {
    let mut c = Client::new();
    let at = enrolled(&mut c, "carol").await;
    // Not ticked: no cookie.
    c.sign_in("carol", PASSWORD, &at(1)).await;
    assert_eq!(c.cookie(REMEMBER_COOKIE), None);
    c.post("/signout", &[]).await;

    let r = sign_in_remembering(&mut c, &at(2)).await;
    assert_eq!(r.location.as_deref(), Some("/"));
    let set: Vec<&str> = r
        .headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let remember = set
        .iter()
        .find(|s| s.starts_with("otpkit_remember="))
        .unwrap();
    assert!(
        remember.ends_with("; Path=/signin; Max-Age=2592000; HttpOnly; SameSite=Strict"),
        "{remember}"
    );
    assert!(
        set.iter().any(|s| s.starts_with("otpkit_sid=")),
        "and a new session"
    );
    let first = c.cookie(REMEMBER_COOKIE).unwrap().to_owned();
    c.post("/signout", &[]).await;

    // The password alone now: signed in, and the cookie is a new one.
    let r = c.sign_in_password("carol", PASSWORD).await;
    assert_eq!(r.location.as_deref(), Some("/"));
    let home = c.get("/").await;
    assert_eq!(home.text_of("whoami"), "carol");
    assert!(
        home.text_of("signed-in-with")
            .starts_with("Signed in without a code")
    );
    assert_eq!(home.text_of("signed-in-device"), PHONE);
    let second = c.cookie(REMEMBER_COOKIE).unwrap().to_owned();
    assert_ne!(second, first, "rotated");
    c.post("/signout", &[]).await;
    // The rotated one works too, once more.
    assert_eq!(
        c.sign_in_password("carol", PASSWORD)
            .await
            .location
            .as_deref(),
        Some("/")
    );
    assert_ne!(c.cookie(REMEMBER_COOKIE).unwrap(), second);
    // A wrong password never reaches the cookie.
    c.post("/signout", &[]).await;
    let r = c.sign_in_password("carol", "wrong password").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_old_remember_cookie_revokes_every_remembered_browser_of_the_account() {
    let mut c = Client::new();
    let at = enrolled(&mut c, "carol").await;
    sign_in_remembering(&mut c, &at(1)).await;
    let old = c.cookie(REMEMBER_COOKIE).unwrap().to_owned();
    c.post("/signout", &[]).await;
    c.sign_in_password("carol", PASSWORD).await;
    let current = c.cookie(REMEMBER_COOKIE).unwrap().to_owned();
    c.post("/signout", &[]).await;

    // Another browser holding the old (copied) value: asked for a code, told why,
    // and the cookie is deleted.
    let mut thief = c.other();
    thief
        .jar
        .push((REMEMBER_COOKIE.into(), old, "/signin".into()));
    let r = thief.sign_in_password("carol", PASSWORD).await;
    assert_eq!(r.location.as_deref(), Some("/signin/mfa"));
    assert_eq!(thief.cookie(REMEMBER_COOKIE), None, "deleted");
    let page = thief.get("/signin/mfa").await;
    assert_eq!(
        page.text_of("remember-revoked"),
        crate::html::esc(REMEMBER_REVOKED)
    );
    assert_eq!(thief.whoami().await, None);
    // The user's current cookie was revoked with it: a code again.
    assert_eq!(c.cookie(REMEMBER_COOKIE), Some(current.as_str()));
    let r = c.sign_in_password("carol", PASSWORD).await;
    assert_eq!(r.location.as_deref(), Some("/signin/mfa"));
    assert_eq!(c.app.mfa.user_status("carol").unwrap().remembered, 0);
    let events = c.app.recent.of_user("carol");
    assert!(events.iter().any(|e| e.kind.name() == "remembered_revoked"));
}

#[tokio::test]
async fn removing_a_device_forgets_remembered_browsers_and_https_makes_the_cookie_secure() {
    let mut c = Client::new();
    let at = enrolled(&mut c, "carol").await;
    sign_in_remembering(&mut c, &at(1)).await;
    c.post("/mfa/remove", &[("device", PHONE)]).await;
    assert_eq!(c.app.mfa.user_status("carol").unwrap().remembered, 0);

    let s = Client::with(|config: &mut Config| config.https = true);
    assert!(
        s.app
            .sessions
            .set_cookie("x")
            .ends_with("; Secure; HttpOnly; SameSite=Strict")
    );
    assert!(!c.app.sessions.set_cookie("x").contains("Secure"));
    let cookie = s.app.remember_cookie("otprm1.x.0.y");
    assert!(
        cookie.contains("; Secure; HttpOnly; SameSite=Strict"),
        "{}",
        *cookie
    );
    assert!(s.app.forget_remember_cookie().contains("Max-Age=0; Secure"));
    assert!(!c.app.remember_cookie("t").contains("Secure"));
}
