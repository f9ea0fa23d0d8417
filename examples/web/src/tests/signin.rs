//! Signing in in two pages (the password, then the MFA code), what the pages say
//! to a person, the name kept after an error, and which pages lead to the
//! administrator's.

use std::time::Duration;

use axum::http::StatusCode;
use otpkit::CodeError;
use otpkit::verifier::{EnrollError, Outcome, Policy, ResyncError};

use super::{
    ADMIN_TOKEN, Client, PASSWORD, PHONE, Reply, encode, enrolled, phone, sign_up_and_show_secret,
};
use crate::messages::{USED_CODE, WRONG_CODE, enter_code};
use crate::signin::{PASSWORD_CHECKED_FOR, PASSWORD_FIRST, TOOK_TOO_LONG, WRONG_PASSWORD};

/// A six-digit code that none of the phone's codes around now is.
fn not_a_code_of(at: &impl Fn(i64) -> String) -> String {
    let near: Vec<String> = (-8..=8).map(at).collect();
    (0u32..)
        .map(|n| format!("{n:06}"))
        .find(|c| !near.contains(c))
        .unwrap()
}

#[tokio::test]
async fn signing_in_takes_the_password_then_the_code_on_a_second_page() {
    let mut c = Client::new();
    let at = enrolled(&mut c, "carol").await;
    let before = c.cookie("otpkit_sid").unwrap().to_owned();
    let first = c.sign_in_password("carol", PASSWORD).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    assert_eq!(first.location.as_deref(), Some("/signin/mfa"));
    let checked = c.cookie("otpkit_sid").unwrap().to_owned();
    assert_ne!(checked, before, "a right password starts a new session");
    assert_eq!(c.whoami().await, None, "signed in to nothing yet");

    let page = c.get("/signin/mfa").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text_of("mfa-user"), "carol");
    assert!(page.has("mfa-form") && page.has("mfa-code"));
    assert!(!page.body.contains(r#"name="password""#), "the code only");

    let done = c.sign_in_code(&at(1)).await;
    assert_eq!(done.location.as_deref(), Some("/"));
    assert_ne!(
        c.cookie("otpkit_sid").unwrap(),
        checked,
        "a new session again"
    );
    assert_eq!(c.whoami().await.as_deref(), Some("carol"));
    // Page 2 of a signed-in session leads home.
    assert_eq!(c.get("/signin/mfa").await.location.as_deref(), Some("/"));
}

#[tokio::test]
async fn without_an_enrolled_device_the_password_alone_signs_in_on_page_one() {
    let mut c = Client::new();
    // A device still being assigned protects nothing yet.
    sign_up_and_show_secret(&mut c, "dave").await;
    c.post("/signout", &[]).await;
    let r = c.sign_in_password("dave", PASSWORD).await;
    assert_eq!(r.location.as_deref(), Some("/"));
    assert_eq!(c.whoami().await.as_deref(), Some("dave"));
    // No device at all.
    let mut e = c.other();
    e.post("/signup", &[("user", "erin"), ("password", PASSWORD)])
        .await;
    e.post("/signout", &[]).await;
    let r = e.sign_in_password("erin", PASSWORD).await;
    assert_eq!(r.location.as_deref(), Some("/"));
    assert_eq!(e.whoami().await.as_deref(), Some("erin"));
}

#[tokio::test]
async fn a_code_without_the_password_step_is_refused_and_never_reaches_the_verifier() {
    let mut c = Client::new();
    let at = enrolled(&mut c, "carol").await;

    // A browser that never gave the password, with the name and a right code.
    let mut m = c.other();
    let r = m
        .post("/signin/mfa", &[("user", "carol"), ("code", &at(1))])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.text_of("error"), PASSWORD_FIRST);
    assert!(r.has("signin-form"), "page 1 again");
    assert_eq!(m.get("/signin/mfa").await.text_of("error"), PASSWORD_FIRST);
    // After a wrong password too.
    let wrong = m.sign_in_password("carol", "wrong password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let r = m.post("/signin/mfa", &[("code", &at(1))]).await;
    assert_eq!(r.text_of("error"), PASSWORD_FIRST);
    assert_eq!(m.whoami().await, None);

    // Another browser's password-checked session: its form's token is no use
    // without its cookie.
    c.sign_in_password("carol", PASSWORD).await;
    let csrf = c.get("/signin/mfa").await.csrf();
    let stolen = Some(encode(&[("csrf", &csrf), ("code", &at(1))]));
    let r = m.send("POST", "/signin/mfa", stolen).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Nothing reached the verifier: no failure counted, and the code is unused.
    assert_eq!(c.app.mfa.user_status("carol").unwrap().failures, 0);
    assert_eq!(c.sign_in_code(&at(1)).await.location.as_deref(), Some("/"));
}

#[tokio::test]
async fn page_two_takes_a_code_for_5_minutes_after_the_password() {
    assert_eq!(PASSWORD_CHECKED_FOR, Duration::from_secs(5 * 60));
    let mut c = Client::new();
    let at = enrolled(&mut c, "carol").await;
    c.sign_in_password("carol", PASSWORD).await;
    let csrf = c.get("/signin/mfa").await.csrf();
    c.app
        .sessions
        .advance(PASSWORD_CHECKED_FOR - Duration::from_secs(1));
    assert_eq!(c.get("/signin/mfa").await.status, StatusCode::OK);
    c.app.sessions.advance(Duration::from_secs(1));

    let late = Some(encode(&[("csrf", &csrf), ("code", &at(1))]));
    let r = c.send("POST", "/signin/mfa", late).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.text_of("error"), TOOK_TOO_LONG);
    assert!(
        r.body.contains(r#"id="signin-user" value="carol""#),
        "{}",
        r.body
    );
    assert_eq!(c.get("/signin/mfa").await.text_of("error"), TOOK_TOO_LONG);
    assert_eq!(c.whoami().await, None);
    assert_eq!(c.app.mfa.user_status("carol").unwrap().failures, 0);
    // The password again, then the same code: it was never looked at.
    let again = c.sign_in("carol", PASSWORD, &at(1)).await;
    assert_eq!(again.location.as_deref(), Some("/"));
}

/// Every code posted on page 2 goes to the verifier, which counts each refused one
/// (a text that is no code at all included) and stops looking at
/// `max_failures`: one right password allows no more guesses than the lock-out.
#[tokio::test]
async fn every_code_on_page_two_counts_and_the_lock_out_stops_the_guessing() {
    let mut c = Client::new();
    let at = enrolled(&mut c, "carol").await;
    let wrong = not_a_code_of(&at);
    let bound = Policy::default().max_failures();
    let r = c.sign_in_password("carol", PASSWORD).await;
    assert_eq!(r.location.as_deref(), Some("/signin/mfa"));

    let failures = |c: &Client| c.app.mfa.user_status("carol").unwrap().failures;
    for (n, typed) in ["", "12345", "12a456"].into_iter().enumerate() {
        let r = c.sign_in_code(typed).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.text_of("error"), enter_code());
        assert!(r.has("mfa-form"), "page 2 again");
        assert_eq!(failures(&c) as usize, n + 1);
    }
    let mut looked_at = 3;
    for _ in 0..20 {
        let r = c.sign_in_code(&wrong).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        match r.text_of("error") {
            WRONG_CODE => looked_at += 1,
            e => assert!(
                e.starts_with("Too many wrong codes: your MFA device is locked for 1 minute."),
                "{e}"
            ),
        }
    }
    assert_eq!(looked_at, bound);
    assert_eq!(failures(&c), bound);
    // The right code now: refused unseen, still on page 2.
    let r = c.sign_in_code(&at(1)).await;
    assert!(
        r.text_of("error").contains("locked for 1 minute"),
        "{}",
        r.body
    );
    assert!(r.has("mfa-form"));
    assert_eq!(c.whoami().await, None);
    assert_eq!(failures(&c), bound);
}

#[tokio::test]
async fn the_password_checked_state_signs_in_once() {
    let mut c = Client::new();
    let at = enrolled(&mut c, "carol").await;
    c.sign_in_password("carol", PASSWORD).await;
    let checked = c.jar.clone();
    let csrf = c.get("/signin/mfa").await.csrf();
    assert_eq!(c.sign_in_code(&at(1)).await.location.as_deref(), Some("/"));
    // The same password-checked session again, with the next code: it is gone.
    let mut again = c.other();
    again.jar = checked;
    let next = Some(encode(&[("csrf", &csrf), ("code", &at(2))]));
    let r = again.send("POST", "/signin/mfa", next).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(again.whoami().await, None);
    // The verifier never saw that code: it signs in later.
    c.post("/signout", &[]).await;
    let later = c.sign_in("carol", PASSWORD, &at(2)).await;
    assert_eq!(later.location.as_deref(), Some("/"));
}

#[tokio::test]
async fn the_name_typed_is_kept_after_an_error_and_the_password_never_is() {
    let mut c = Client::new();
    let _at = enrolled(&mut c, "carol").await;
    let r = c.sign_in_password("carol", "wrong password 123").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.text_of("error"), WRONG_PASSWORD);
    assert!(
        r.body.contains(r#"id="signin-user" value="carol""#),
        "{}",
        r.body
    );
    assert!(!r.body.contains("wrong password 123"));
    // Escaped as it goes back.
    let r = c.sign_in_password(r#"<b>"carol'&"#, "wrong").await;
    assert!(
        r.body
            .contains(r#"id="signin-user" value="&lt;b&gt;&quot;carol&#39;&amp;""#),
        "{}",
        r.body
    );

    // Sign-up: the name in the sign-up form, the message beside it.
    for (user, password, status) in [
        ("carol", "another password", StatusCode::CONFLICT),
        ("dave", "short", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let r = c
            .post("/signup", &[("user", user), ("password", password)])
            .await;
        assert_eq!(r.status, status, "{user}");
        assert!(
            r.body
                .contains(&format!(r#"id="signup-user" value="{user}""#)),
            "{}",
            r.body
        );
        assert!(r.body.contains(r#"id="signin-user" value="""#));
        assert!(!r.body.contains(password));
        let heading = r.body.find("No account yet?").unwrap();
        assert!(r.body.find(r#"id="error""#).unwrap() > heading, "{user}");
    }
}

/// What the library says about codes (its `Display`, for developers and logs) and
/// its internal names: none of it belongs on a page.
fn library_words() -> Vec<String> {
    let malformed = [
        CodeError::WrongLength {
            expected: 6,
            got: 0,
        },
        CodeError::WrongLength {
            expected: 6,
            got: 5,
        },
        CodeError::InvalidCharacter { position: 3 },
    ];
    let mut words: Vec<String> = ["malformed code", "LengthPolicy", "otpk1", "failed attempts"]
        .map(String::from)
        .into();
    words.extend(malformed.iter().map(ToString::to_string));
    words.extend(
        [Outcome::Invalid, Outcome::Replayed]
            .iter()
            .map(ToString::to_string),
    );
    words.extend(
        [
            EnrollError::FirstCodeNotFound,
            EnrollError::SecondCodeNotFound,
            EnrollError::NotConsecutive,
            EnrollError::SameCodeTwice,
        ]
        .iter()
        .map(ToString::to_string),
    );
    words.extend([ResyncError::Rejected].iter().map(ToString::to_string));
    words.into_iter().map(|w| w.to_lowercase()).collect()
}

/// Every refusal the verifier can give a person, on each form: each page says it
/// in a sentence of this server's, never in the library's words.
#[tokio::test]
async fn no_page_says_the_librarys_words() {
    let mut c = Client::new();
    let mut pages: Vec<Reply> = Vec::new();
    let secret = sign_up_and_show_secret(&mut c, "carol").await;
    let at = phone(&secret);
    let wrong = not_a_code_of(&at);

    // Assign: no codes, a wrong first code, the same code twice, codes apart, a
    // wrong second code (four failures: not yet locked), then the right pair.
    for (a, b) in [
        (String::new(), "12a456".into()),
        (wrong.clone(), at(0)),
        (at(0), at(0)),
        (at(-1), at(1)),
        (at(0), wrong.clone()),
    ] {
        let r = c
            .post(
                "/mfa/assign",
                &[("device", PHONE), ("code1", &a), ("code2", &b)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{a} {b}");
        pages.push(r);
    }
    let done = c
        .post(
            "/mfa/assign",
            &[("device", PHONE), ("code1", &at(-1)), ("code2", &at(0))],
        )
        .await;
    assert_eq!(done.location.as_deref(), Some("/?done=assigned"));
    c.post("/signout", &[]).await;

    // Sign in: a wrong password; no codes, a wrong code; then in.
    pages.push(c.sign_in_password("carol", "wrong password").await);
    c.sign_in_password("carol", PASSWORD).await;
    for typed in ["", "12345", "12a456", &wrong] {
        pages.push(c.sign_in_code(typed).await);
    }
    assert_eq!(c.sign_in_code(&at(1)).await.location.as_deref(), Some("/"));
    // A used code.
    c.post("/signout", &[]).await;
    pages.push(c.sign_in("carol", PASSWORD, &at(1)).await);
    assert_eq!(pages.last().unwrap().text_of("error"), USED_CODE);
    assert_eq!(c.sign_in_code(&at(2)).await.location.as_deref(), Some("/"));

    // Resync: no codes, the same code twice, codes apart.
    for (a, b) in [
        (String::new(), String::new()),
        (wrong.clone(), wrong.clone()),
        (at(4), at(6)),
    ] {
        let r = c
            .post(
                "/mfa/resync",
                &[("device", PHONE), ("code1", &a), ("code2", &b)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{a} {b}");
        pages.push(r);
    }
    let resynced = c
        .post(
            "/mfa/resync",
            &[("device", PHONE), ("code1", &at(4)), ("code2", &at(5))],
        )
        .await;
    assert_eq!(resynced.location.as_deref(), Some("/?done=resynced"));
    pages.push(c.get("/?done=resynced").await);

    // Locked out on page 2.
    c.post("/signout", &[]).await;
    c.sign_in_password("carol", PASSWORD).await;
    for _ in 0..=Policy::default().max_failures() {
        pages.push(c.sign_in_code(&wrong).await);
    }
    assert!(
        pages
            .last()
            .unwrap()
            .text_of("error")
            .starts_with("Too many wrong codes")
    );
    let mut admin = c.other();
    admin.admin_sign_in(ADMIN_TOKEN).await;
    pages.push(admin.get("/admin").await);

    let words = library_words();
    for page in &pages {
        assert!(!page.status.is_server_error(), "{}", page.body);
        let text = page.body.to_lowercase();
        for w in &words {
            assert!(!text.contains(w.as_str()), "{w:?} in {}", page.body);
        }
    }
}

/// No page a user sees, in any state, leads to (or names) the administrator's
/// pages, whatever the account's name; the administrator's pages have their
/// forms.
#[tokio::test]
async fn only_the_administrators_pages_lead_to_the_administrators_pages() {
    let mut c = Client::new();
    let mut pages = vec![c.get("/").await];
    let secret = sign_up_and_show_secret(&mut c, "root").await;
    let at = phone(&secret);
    pages.push(c.get("/mfa/assign").await);
    pages.push(c.get("/mfa/assign?device=phone").await);
    pages.push(c.get("/").await);
    pages.push(
        c.post(
            "/mfa/assign",
            &[("device", PHONE), ("code1", "1"), ("code2", "2")],
        )
        .await,
    );
    c.post(
        "/mfa/assign",
        &[("device", PHONE), ("code1", &at(-1)), ("code2", &at(0))],
    )
    .await;
    pages.push(c.get("/?done=assigned").await);
    pages.push(c.get("/mfa/resync?device=phone").await);
    c.post("/signout", &[]).await;
    pages.push(c.get("/?done=signedout").await);
    pages.push(c.sign_in_password("root", "wrong password").await);
    c.sign_in_password("root", PASSWORD).await;
    pages.push(c.get("/signin/mfa").await);
    pages.push(c.sign_in_code("000").await);
    c.sign_in_code(&at(1)).await;
    pages.push(c.get("/events").await);
    pages.push(c.get("/").await);
    assert_eq!(pages.last().unwrap().text_of("whoami"), "root");
    for page in &pages {
        assert!(!page.body.contains("/admin"), "{}", page.body);
    }

    let mut admin = c.other();
    admin.admin_sign_in(ADMIN_TOKEN).await;
    let page = admin.get("/admin").await;
    assert!(page.body.contains(r#"action="/admin/signout""#));
}
