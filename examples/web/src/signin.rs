//! Signing in, in two pages as the AWS console does: the user name and password,
//! then, if the account has an enrolled MFA device, its code.
//!
//! A right password for an account with an enrolled device starts a new session
//! (new id, new CSRF token) in the "password checked" state,
//! [`User::PasswordChecked`]: it names the account and lasts
//! [`PASSWORD_CHECKED_FOR`]. Only that state lets page 2 hand a code to the
//! verifier: a code posted without it (no password, another browser, too late)
//! is refused unseen, so nobody without the password can spend the user's code
//! attempts. Every code posted on page 2 goes to the verifier, which counts each
//! refused one and locks the device: page 2 allows exactly the attempts the
//! verifier's lock-out allows, as one page with both fields did. The first code
//! accepted turns the session into a signed-in one, once
//! ([`Sessions::replace`](crate::session::Sessions::replace)): the state is
//! single-use.
//!
//! Without an enrolled device (none, or one still being assigned) the password
//! alone signs in on page 1.

use std::time::{Duration, Instant};

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use otpkit_store::ServiceError;
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::app::{App, Shared, Visit, Who, blocking, device, now, posted, visit};
use crate::error::Failure;
use crate::handlers::{Credentials, sign_in_as};
use crate::html::Nav;
use crate::messages::{self, Reply};
use crate::pages::{Typed, mfa_body, signin_forms};

/// How long after a right password page 2 takes a code: 5 minutes. Long enough
/// to find the phone, open the app and wait out a first lock-out (60 s); short
/// enough that a sign-in left half-done on a shared computer does not stay open
/// for the session's 30 idle minutes.
pub const PASSWORD_CHECKED_FOR: Duration = Duration::from_secs(5 * 60);

/// Whom a user session is for, when it is for someone.
#[derive(Clone, Debug)]
pub enum User {
    /// The account's password was right at `at` (the session table's clock); its
    /// MFA code is asked for on page 2 until [`PASSWORD_CHECKED_FOR`] later.
    /// Signed in to nothing.
    PasswordChecked {
        /// The account.
        name: String,
        /// When the password was checked.
        at: Instant,
    },
    /// Signed in as this account.
    SignedIn(String),
}

impl User {
    /// The account signed in, if this session is signed in.
    pub fn signed_in(&self) -> Option<&str> {
        match self {
            User::SignedIn(name) => Some(name),
            User::PasswordChecked { .. } => None,
        }
    }
}

impl Who for User {
    fn nav<'a>(who: Option<&'a Self>, csrf: &'a str) -> Nav<'a> {
        match who.and_then(User::signed_in) {
            Some(name) => Nav::User { name, csrf },
            None => Nav::None,
        }
    }
}

/// Page 1 again: the sign-in form with `name` in it and `message` above it.
fn page_one(v: &Visit<User>, status: StatusCode, message: &str, name: &str) -> Response {
    v.page(
        status,
        "Sign in",
        &signin_forms(v.csrf(), message, Typed::SignIn(name)),
    )
}

/// Said when the password is wrong or the name unknown (the same words: they do
/// not tell which names have accounts).
pub const WRONG_PASSWORD: &str = "Wrong user name or password.";

/// Said when a code is posted without a right password first.
pub const PASSWORD_FIRST: &str =
    "Enter your user name and password first: the MFA code is asked for after them.";

/// Said when page 2 is used more than [`PASSWORD_CHECKED_FOR`] after the password.
pub const TOOK_TOO_LONG: &str =
    "That took too long: enter your password again, then the code from your app.";

/// Said when the device changed between the two pages (removed, assigned again).
const DEVICE_CHANGED: &str =
    "Your MFA device changed while you were signing in: enter your password again.";

/// `POST /signin`: page 1, the password (one hashing slot). Right, with an
/// enrolled device: page 2; right, without one: signed in.
pub async fn signin(
    State(app): Shared,
    headers: HeaderMap,
    Form(f): Form<Credentials>,
) -> Result<Response, Failure> {
    let v = posted(&app.sessions, &headers, &f.csrf)?;
    let permit = app.accounts.permit()?;
    let password = Zeroizing::new(f.password);
    let user = f.user.clone();
    // `None`: wrong password; `Some(true)`: the account has an enrolled device.
    let checked = blocking(&app, move |a| -> Result<Option<bool>, ServiceError> {
        if !a.accounts.check(permit, &user, password.as_bytes()) {
            return Ok(None);
        }
        Ok(Some(device(a, &user)?.is_some_and(|s| s.is_enrolled())))
    })
    .await?
    .map_err(Failure::server)?;
    match checked {
        None => Ok(page_one(
            &v,
            StatusCode::UNAUTHORIZED,
            WRONG_PASSWORD,
            &f.user,
        )),
        // No device, or one still being assigned (it protects nothing until two
        // codes prove the app has its secret): the password alone.
        Some(false) => sign_in_as(&app, &v, User::SignedIn(f.user), "/"),
        Some(true) => {
            let at = app.sessions.now();
            sign_in_as(
                &app,
                &v,
                User::PasswordChecked { name: f.user, at },
                "/signin/mfa",
            )
        }
    }
}

/// The account whose password this visit's session checked, if that was less
/// than [`PASSWORD_CHECKED_FOR`] ago; otherwise the response (page 1, or home
/// for a signed-in session).
fn password_checked(app: &App, v: &Visit<User>) -> Result<String, Failure> {
    match v.who() {
        Some(User::PasswordChecked { name, at })
            if app.sessions.now().saturating_duration_since(*at) < PASSWORD_CHECKED_FOR =>
        {
            Ok(name.clone())
        }
        Some(User::PasswordChecked { name, .. }) => {
            Err(page_one(v, StatusCode::UNAUTHORIZED, TOOK_TOO_LONG, name).into())
        }
        Some(User::SignedIn(_)) => Err(v.redirect("/").into()),
        None => Err(page_one(v, StatusCode::UNAUTHORIZED, PASSWORD_FIRST, "").into()),
    }
}

/// The title of page 2.
const MFA_TITLE: &str = "Multi-factor authentication";

/// `GET /signin/mfa`: page 2, the form for the MFA code.
pub async fn mfa_page(State(app): Shared, headers: HeaderMap) -> Result<Response, Failure> {
    let v = visit(&app, &headers)?;
    let name = password_checked(&app, &v)?;
    Ok(v.page(StatusCode::OK, MFA_TITLE, &mfa_body(v.csrf(), "", &name)))
}

/// Page 2's form.
#[derive(Deserialize)]
pub struct CodeForm {
    csrf: String,
    code: String,
}

/// `POST /signin/mfa`: the MFA code of the account whose password this session
/// checked; accepted, the session is signed in (once).
pub async fn mfa(
    State(app): Shared,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> Result<Response, Failure> {
    let v = posted(&app.sessions, &headers, &f.csrf)?;
    let name = password_checked(&app, &v)?;
    let now = now()?;
    let code = Zeroizing::new(f.code);
    let user = name.clone();
    let answer = blocking(&app, move |a| a.mfa.verify(&user, code.trim(), now)).await?;
    let outcome = match answer {
        Ok(answer) => answer.outcome,
        Err(ServiceError::NoSuchDevice { .. }) => {
            return Ok(page_one(&v, StatusCode::CONFLICT, DEVICE_CHANGED, &name));
        }
        Err(e) => return Err(Failure::server(e)),
    };
    match messages::sign_in(&outcome, now)? {
        Reply::Success => {
            let signed_in = app
                .sessions
                .replace(&v.sid, User::SignedIn(name))
                .map_err(Failure::server)?;
            match signed_in {
                Some(started) => Ok(Visit::started(&app.sessions, started).redirect("/")),
                // Another request finished this sign-in (or signed out) first.
                None => Ok(v.redirect("/")),
            }
        }
        Reply::Refused(said) => Ok(v.page(
            StatusCode::UNAUTHORIZED,
            MFA_TITLE,
            &mfa_body(v.csrf(), &said, &name),
        )),
        Reply::Elsewhere => Ok(page_one(&v, StatusCode::CONFLICT, DEVICE_CHANGED, &name)),
    }
}
