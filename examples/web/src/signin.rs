//! Signing in, in two pages as the AWS console does: the user name and password,
//! then, if the account has an enrolled MFA device, its code.
//!
//! A right password for an account with an enrolled device starts a new session
//! (new id, new CSRF token) in the "password checked" state,
//! [`User::PasswordChecked`]: it names the account and lasts
//! [`PASSWORD_CHECKED_FOR`]. Only that state lets page 2 hand a code to the
//! verifier: a code posted without it (no password, another browser, too late)
//! is refused unseen, so nobody without the password can spend the user's code
//! attempts. Every code posted on page 2 goes to `MfaService::sign_in` (any
//! enrolled device, or the one chosen), which counts it on the user before looking
//! at it and locks the user: page 2 allows exactly the attempts the lock-out
//! allows, however many devices the account has. The first code accepted turns the
//! session into a signed-in one, once
//! ([`Sessions::replace`](crate::session::Sessions::replace)): the state is
//! single-use. With "remember this browser" ticked, the browser also gets a
//! remember cookie ([`crate::app::REMEMBER_COOKIE`]); on a later sign-in, after
//! the right password, an accepted cookie stands in for the code (and is replaced
//! by the next one of its series), a refused one leads to page 2.
//!
//! Without an enrolled device (none, or only ones still being assigned) the
//! password alone signs in on page 1.

use std::time::{Duration, Instant};

use std::sync::Arc;

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use otpkit_store::audit::Reason;
use otpkit_store::remember::RememberToken;
use otpkit_store::{DeviceChoice, Remembered, ServiceError};
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::app::{
    App, Shared, Visit, Who, add_cookie, blocking, now, posted, remembered_token, visit,
};
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
        /// Whether this browser's remember-this-device cookie was just refused as
        /// copied (every remembered browser of the account revoked): page 2 says so.
        revoked: bool,
    },
    /// Signed in as this account.
    SignedIn {
        /// The account.
        name: String,
        /// What besides the password signed in.
        with: Factor,
    },
}

/// What besides the password signed a session in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Factor {
    /// Nothing: the account had no enrolled device (or was just created).
    PasswordOnly,
    /// A code from this device.
    Device(String),
    /// This browser's remember-this-device cookie, whose series this device's
    /// sign-in started.
    Remembered(String),
}

impl User {
    /// A session signed in as `name` with `with`.
    pub fn signed_in_with(name: String, with: Factor) -> Self {
        User::SignedIn { name, with }
    }

    /// The account signed in, if this session is signed in.
    pub fn signed_in(&self) -> Option<&str> {
        match self {
            User::SignedIn { name, .. } => Some(name),
            User::PasswordChecked { .. } => None,
        }
    }

    /// What signed this session in, if it is signed in.
    pub fn factor(&self) -> Option<&Factor> {
        match self {
            User::SignedIn { with, .. } => Some(with),
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

/// Said on page 2 when this browser's remember-this-device cookie came back after
/// another browser had used it: it was copied, and every remembered browser of the
/// account is signed out of that.
pub const REMEMBER_REVOKED: &str = "This browser's remembered sign-in was revoked: it was used from another browser too, so every browser remembered for your account must enter a code again.";

/// Said on page 2 when the device chosen is no longer the account's.
pub const NO_SUCH_DEVICE: &str =
    "That MFA device is no longer on your account: choose another, or any device.";

/// What page 1 found out about the account once the password was right.
enum Second {
    /// No enrolled device: the password alone signs in.
    Nothing,
    /// This browser is remembered: signed in without a code, the cookie rotated.
    Remembered { next: RememberToken, device: String },
    /// Ask for a code; `refused` is why a remember cookie presented was refused.
    Code { refused: Option<Reason> },
}

/// `POST /signin`: page 1, the password (one hashing slot). Right, with an
/// enrolled device: page 2, unless this browser's remember-this-device cookie is
/// accepted (then signed in, the cookie replaced by the series' next token);
/// right, without one: signed in.
pub async fn signin(
    State(app): Shared,
    headers: HeaderMap,
    Form(f): Form<Credentials>,
) -> Result<Response, Failure> {
    let v = posted(&app.sessions, &headers, &f.csrf)?;
    let permit = app.accounts.permit()?;
    let password = Zeroizing::new(f.password);
    let user = f.user.clone();
    let presented = remembered_token(&headers);
    let now = now()?;
    // `None`: wrong password.
    let checked = blocking(&app, move |a| -> Result<Option<Second>, ServiceError> {
        if !a.accounts.check(permit, &user, password.as_bytes()) {
            return Ok(None);
        }
        if !a.mfa.devices(&user)?.iter().any(|d| d.enrolled) {
            return Ok(Some(Second::Nothing));
        }
        let Some(token) = presented else {
            return Ok(Some(Second::Code { refused: None }));
        };
        Ok(Some(match a.mfa.check_remembered(&user, &token, now)? {
            Remembered::Accepted { next, device } => Second::Remembered { next, device },
            Remembered::Refused(reason) => Second::Code {
                refused: Some(reason),
            },
        }))
    })
    .await?
    .map_err(Failure::server)?;
    let Some(second) = checked else {
        return Ok(page_one(
            &v,
            StatusCode::UNAUTHORIZED,
            WRONG_PASSWORD,
            &f.user,
        ));
    };
    match second {
        // No device, or only ones still being assigned (they protect nothing until
        // two codes prove the app has the secret): the password alone.
        Second::Nothing => sign_in_as(
            &app,
            &v,
            User::signed_in_with(f.user, Factor::PasswordOnly),
            "/",
        ),
        Second::Remembered { next, device } => {
            let response = sign_in_as(
                &app,
                &v,
                User::signed_in_with(f.user, Factor::Remembered(device)),
                "/",
            )?;
            Ok(add_cookie(response, &app.remember_cookie(next.as_str())))
        }
        Second::Code { refused } => {
            let at = app.sessions.now();
            let revoked = refused == Some(Reason::Theft);
            let response = sign_in_as(
                &app,
                &v,
                User::PasswordChecked {
                    name: f.user,
                    at,
                    revoked,
                },
                "/signin/mfa",
            )?;
            Ok(if refused.is_some_and(forget_cookie_after) {
                add_cookie(response, &app.forget_remember_cookie())
            } else {
                response
            })
        }
    }
}

/// Whether a remember cookie refused for `reason` is dead and is deleted from the
/// browser. An unknown token is kept: it may be another account's (one browser,
/// two accounts), still good for that one.
fn forget_cookie_after(reason: Reason) -> bool {
    match reason {
        Reason::Theft | Reason::Expired | Reason::Malformed | Reason::Revoked => true,
        Reason::Unknown
        | Reason::Invalid
        | Reason::Locked
        | Reason::Replayed
        | Reason::NotEnrolled
        | Reason::DeviceRemoved
        | Reason::Error => false,
    }
}

/// The account whose password this visit's session checked, if that was less
/// than [`PASSWORD_CHECKED_FOR`] ago, and whether its remember cookie was just
/// revoked; otherwise the response (page 1, or home for a signed-in session).
fn password_checked(app: &App, v: &Visit<User>) -> Result<(String, bool), Failure> {
    match v.who() {
        Some(User::PasswordChecked { name, at, revoked })
            if app.sessions.now().saturating_duration_since(*at) < PASSWORD_CHECKED_FOR =>
        {
            Ok((name.clone(), *revoked))
        }
        Some(User::PasswordChecked { name, .. }) => {
            Err(page_one(v, StatusCode::UNAUTHORIZED, TOOK_TOO_LONG, name).into())
        }
        Some(User::SignedIn { .. }) => Err(v.redirect("/").into()),
        None => Err(page_one(v, StatusCode::UNAUTHORIZED, PASSWORD_FIRST, "").into()),
    }
}

/// The title of page 2.
const MFA_TITLE: &str = "Multi-factor authentication";

/// Page 2 with `message` (an error) above the form: the names of `user`'s
/// enrolled devices for the device choice.
async fn page_two(
    app: &Arc<App>,
    v: &Visit<User>,
    status: StatusCode,
    message: &str,
    user: &str,
    revoked: bool,
) -> Result<Response, Failure> {
    let owner = user.to_owned();
    let devices = blocking(app, move |a| a.mfa.devices(&owner))
        .await?
        .map_err(Failure::server)?;
    let names: Vec<&str> = devices
        .iter()
        .filter(|d| d.enrolled)
        .map(|d| d.name.as_str())
        .collect();
    let notice = if revoked { REMEMBER_REVOKED } else { "" };
    Ok(v.page(
        status,
        MFA_TITLE,
        &mfa_body(v.csrf(), message, notice, user, &names),
    ))
}

/// `GET /signin/mfa`: page 2, the form for the MFA code.
pub async fn mfa_page(State(app): Shared, headers: HeaderMap) -> Result<Response, Failure> {
    let v = visit(&app, &headers)?;
    let (name, revoked) = password_checked(&app, &v)?;
    page_two(&app, &v, StatusCode::OK, "", &name, revoked).await
}

/// Page 2's form.
#[derive(Deserialize)]
pub struct CodeForm {
    csrf: String,
    code: String,
    /// The device chosen; empty or missing: any device.
    #[serde(default)]
    device: String,
    /// "Remember this browser for 30 days", when ticked.
    #[serde(default)]
    remember: Option<String>,
}

/// `POST /signin/mfa`: the MFA code of the account whose password this session
/// checked, for the device chosen or any; accepted, the session is signed in
/// (once) and, with "remember" ticked, the browser gets a remember cookie.
pub async fn mfa(
    State(app): Shared,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> Result<Response, Failure> {
    let v = posted(&app.sessions, &headers, &f.csrf)?;
    let (name, revoked) = password_checked(&app, &v)?;
    let now = now()?;
    let code = Zeroizing::new(f.code);
    let user = name.clone();
    let device = f.device.clone();
    let answer = blocking(&app, move |a| {
        let choice = if device.is_empty() {
            DeviceChoice::Any
        } else {
            DeviceChoice::Named(&device)
        };
        a.mfa.sign_in(&user, code.trim(), choice, now)
    })
    .await?;
    let signed = match answer {
        Ok(signed) => signed,
        Err(ServiceError::NoSuchDevice { .. }) => {
            return Ok(page_one(&v, StatusCode::CONFLICT, DEVICE_CHANGED, &name));
        }
        Err(ServiceError::UnknownDevice { .. }) => {
            return page_two(
                &app,
                &v,
                StatusCode::CONFLICT,
                NO_SUCH_DEVICE,
                &name,
                revoked,
            )
            .await;
        }
        Err(e) => return Err(Failure::server(e)),
    };
    match messages::sign_in(&signed.outcome(), now)? {
        Reply::Success => {
            let with = Factor::Device(signed.device().unwrap_or_default().to_owned());
            let replaced = app
                .sessions
                .replace(&v.sid, User::signed_in_with(name.clone(), with))
                .map_err(Failure::server)?;
            // `None`: another request finished this sign-in (or signed out) first.
            let Some(started) = replaced else {
                return Ok(v.redirect("/"));
            };
            let response = Visit::started(&app.sessions, started).redirect("/");
            if f.remember.is_none() {
                return Ok(response);
            }
            // Signed in already: a failure to remember the browser is logged and
            // the sign-in stands (the next one asks for a code).
            match blocking(&app, move |a| a.mfa.remember_device(&name, &signed, now)).await? {
                Ok(token) => Ok(add_cookie(response, &app.remember_cookie(token.as_str()))),
                Err(e) => {
                    eprintln!("otpkit-web: browser not remembered: {e}");
                    Ok(response)
                }
            }
        }
        Reply::Refused(said) => {
            page_two(&app, &v, StatusCode::UNAUTHORIZED, &said, &name, revoked).await
        }
        Reply::Elsewhere => Ok(page_one(&v, StatusCode::CONFLICT, DEVICE_CHANGED, &name)),
    }
}
