//! The user's handlers: the home page, accounts (sign up, out; signing in is
//! [`crate::signin`]) and the MFA device (assign, resync, remove).

use std::sync::Arc;

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use otpkit::{Algorithm, Secret};
use otpkit_store::{DeviceParams, MfaService, ServiceError};
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::accounts::SignUp;
use crate::app::{App, Shared, Store, Visit, blocking, device, now, posted, visit};
use crate::error::Failure;
use crate::html::{otpauth_uri, qr_svg};
use crate::messages::{self, Reply};
use crate::pages::{Typed, account_body, assign_body, done_notice, resync_body, signin_forms};
use crate::signin::User;

/// A `?done=…` query: which notice to show.
#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

impl Done {
    /// The notice asked for, or nothing.
    pub fn notice(&self) -> String {
        done_notice(self.done.as_deref())
    }
}

fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "@._-+".contains(c))
}

/// The signed-in user of a visit, or a redirect to sign in.
fn signed_in(v: &Visit<User>) -> Result<String, Failure> {
    v.who()
        .and_then(User::signed_in)
        .map(str::to_owned)
        .ok_or_else(|| v.redirect("/").into())
}

// ---- home, accounts -------------------------------------------------------

/// `GET /`: the sign-in and sign-up forms, or the signed-in user's device.
pub async fn home(
    State(app): Shared,
    headers: HeaderMap,
    Query(q): Query<Done>,
) -> Result<Response, Failure> {
    let v = visit(&app, &headers)?;
    let flash = q.notice();
    let Some(user) = v.who().and_then(User::signed_in).map(str::to_owned) else {
        return Ok(v.page(
            StatusCode::OK,
            "Sign in",
            &(flash + &signin_forms(v.csrf(), "", Typed::Nothing)),
        ));
    };
    let state = blocking(&app, move |a| device(a, &user))
        .await?
        .map_err(Failure::server)?;
    Ok(v.page(
        StatusCode::OK,
        "Your security credentials",
        &(flash + &account_body(v.csrf(), state.as_ref())),
    ))
}

/// The sign-in and sign-up forms (the MFA code is on a page of its own:
/// [`crate::signin`]).
#[derive(Deserialize)]
pub struct Credentials {
    /// The session's CSRF token.
    pub csrf: String,
    /// The user name typed.
    pub user: String,
    /// The password typed.
    pub password: String,
}

/// `POST /signup`: a new account, signed in at once and sent to assign a device.
pub async fn signup(
    State(app): Shared,
    headers: HeaderMap,
    Form(f): Form<Credentials>,
) -> Result<Response, Failure> {
    let v = posted(&app.sessions, &headers, &f.csrf)?;
    let password = Zeroizing::new(f.password);
    let refuse = |status, message| {
        Ok(v.page(
            status,
            "Sign in",
            &signin_forms(v.csrf(), message, Typed::SignUp(&f.user)),
        ))
    };
    if !valid_name(&f.user) || password.len() < 8 {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "A user name is 1 to 64 letters, digits or @._-+; a password at least 8 characters.",
        );
    }
    if app.accounts.is_full() {
        return refuse(StatusCode::SERVICE_UNAVAILABLE, FULL);
    }
    let permit = app.accounts.permit()?;
    let user = f.user.clone();
    let result = blocking(&app, move |a| -> Result<Option<SignUp>, String> {
        // A device left by an earlier run (the store persists, accounts do not).
        if device(a, &user).map_err(|e| e.to_string())?.is_some() {
            return Ok(None);
        }
        a.accounts
            .create(permit, &user, password.as_bytes())
            .map(Some)
    })
    .await?
    .map_err(Failure::Server)?;
    match result {
        Some(SignUp::Created) => {
            sign_in_as(&app, &v, User::SignedIn(f.user.clone()), "/mfa/assign")
        }
        Some(SignUp::Taken) => refuse(StatusCode::CONFLICT, "This user name is taken."),
        Some(SignUp::Full) => refuse(StatusCode::SERVICE_UNAVAILABLE, FULL),
        None => refuse(
            StatusCode::CONFLICT,
            "An MFA device exists for this name already: choose another name.",
        ),
    }
}

/// Said when [`MAX_ACCOUNTS`](crate::accounts::MAX_ACCOUNTS) accounts exist.
const FULL: &str =
    "This demo server holds as many accounts as it keeps: sign in to an existing one.";

/// A new session (new id) for `user`, then `to`.
pub fn sign_in_as(app: &App, old: &Visit<User>, user: User, to: &str) -> Result<Response, Failure> {
    let started = app
        .sessions
        .start(Some(&old.sid), Some(user))
        .map_err(Failure::server)?;
    Ok(Visit::started(&app.sessions, started).redirect(to))
}

/// A form with nothing but its CSRF token.
#[derive(Deserialize)]
pub struct CsrfOnly {
    /// The session's CSRF token.
    pub csrf: String,
}

/// `POST /signout`: a new session nobody is signed in to.
pub async fn signout(
    State(app): Shared,
    headers: HeaderMap,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, Failure> {
    let v = posted(&app.sessions, &headers, &f.csrf)?;
    let started = app
        .sessions
        .start(Some(&v.sid), None)
        .map_err(Failure::server)?;
    Ok(Visit::started(&app.sessions, started).redirect("/?done=signedout"))
}

// ---- assign, resync, remove -----------------------------------------------

/// `GET /mfa/assign`: the pending device's secret and the form for two codes.
pub async fn assign_page(State(app): Shared, headers: HeaderMap) -> Result<Response, Failure> {
    let v = visit(&app, &headers)?;
    assign_form(&app, &v, "", StatusCode::OK).await
}

/// The "set up virtual MFA device" page: the pending device's secret (stored
/// sealed when first shown; shown again, the same, on a retry or after signing in
/// again, until two codes enrol it) as a QR code and in groups of four, and the
/// form for two consecutive codes.
async fn assign_form(
    app: &Arc<App>,
    v: &Visit<User>,
    message: &str,
    status: StatusCode,
) -> Result<Response, Failure> {
    let user = signed_in(v)?;
    let shown = blocking(app, move |a| {
        let shown = match a.mfa.pending_secret(&user) {
            Err(ServiceError::NoSuchDevice { .. }) => {
                let secret = Secret::generate(Algorithm::Sha1).map_err(|e| e.to_string())?;
                match a
                    .mfa
                    .begin_enrollment(&user, &secret, DeviceParams::default())
                {
                    Ok(_) => Ok((secret, DeviceParams::default())),
                    // Another tab began first: show its secret.
                    Err(ServiceError::DeviceExists { .. }) => a.mfa.pending_secret(&user),
                    Err(e) => Err(e),
                }
            }
            other => other,
        };
        match shown {
            Ok((secret, _)) => {
                let uri = otpauth_uri(&a.issuer, &user, &secret);
                let svg = qr_svg(&uri).map_err(|e| e.to_string())?;
                let key = Zeroizing::new(secret.base32_grouped().to_string());
                Ok(Some((svg, key)))
            }
            Err(ServiceError::AlreadyEnrolled { .. }) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    })
    .await?
    .map_err(Failure::Server)?;
    let Some((svg, key)) = shown else {
        return Ok(v.redirect("/"));
    };
    let body = Zeroizing::new(assign_body(v.csrf(), message, &svg, &key));
    Ok(v.page(status, "Set up virtual MFA device", &body))
}

/// The assign and resync forms.
#[derive(Deserialize)]
pub struct TwoCodes {
    csrf: String,
    code1: String,
    code2: String,
}

/// What the service does with two consecutive codes: `MfaService::enroll` or
/// `MfaService::resync` (the user, the codes, the time).
type TwoCodeOp<T> = fn(&MfaService<Store>, &str, &str, &str, u64) -> Result<T, ServiceError>;

impl TwoCodes {
    /// A posted pair of consecutive codes: the CSRF token checked, someone signed
    /// in, then `op` for them with the codes as typed (surrounding spaces dropped),
    /// off the async threads. The visit, the time the codes were checked at and
    /// the service's answer.
    async fn submit<T: Send + 'static>(
        self,
        app: &Arc<App>,
        headers: &HeaderMap,
        op: TwoCodeOp<T>,
    ) -> Result<(Visit<User>, u64, Result<T, ServiceError>), Failure> {
        let v = posted(&app.sessions, headers, &self.csrf)?;
        let user = signed_in(&v)?;
        let now = now()?;
        let answer = blocking(app, move |a| {
            op(&a.mfa, &user, self.code1.trim(), self.code2.trim(), now)
        })
        .await?;
        Ok((v, now, answer))
    }
}

/// `POST /mfa/assign`: two consecutive codes enrol the pending device.
pub async fn assign(
    State(app): Shared,
    headers: HeaderMap,
    Form(f): Form<TwoCodes>,
) -> Result<Response, Failure> {
    let (v, now, result) = f
        .submit(&app, &headers, |m, u, a, b, t| m.enroll(u, a, b, t))
        .await?;
    let answer = match result {
        Ok(answer) => answer,
        // Removed from another tab meanwhile: a new secret.
        Err(ServiceError::NoSuchDevice { .. }) => return Ok(v.redirect("/mfa/assign")),
        Err(e) => return Err(Failure::server(e)),
    };
    match messages::enrolment(&answer.outcome, now)? {
        Reply::Success => Ok(v.redirect("/?done=assigned")),
        Reply::Refused(why) => assign_form(&app, &v, &why, StatusCode::UNPROCESSABLE_ENTITY).await,
        Reply::Elsewhere => Ok(v.redirect("/")),
    }
}

/// `GET /mfa/resync`: the form for two consecutive codes.
pub async fn resync_page(State(app): Shared, headers: HeaderMap) -> Result<Response, Failure> {
    let v = visit(&app, &headers)?;
    signed_in(&v)?;
    Ok(v.page(
        StatusCode::OK,
        "Resync MFA device",
        &resync_body(v.csrf(), ""),
    ))
}

/// `POST /mfa/resync`: two consecutive codes from a drifted device.
pub async fn resync(
    State(app): Shared,
    headers: HeaderMap,
    Form(f): Form<TwoCodes>,
) -> Result<Response, Failure> {
    let (v, now, result) = f
        .submit(&app, &headers, |m, u, a, b, t| m.resync(u, a, b, t))
        .await?;
    let answer = match result {
        Ok(answer) => answer,
        // Removed from another tab meanwhile.
        Err(ServiceError::NoSuchDevice { .. }) => return Ok(v.redirect("/")),
        Err(e) => return Err(Failure::server(e)),
    };
    match messages::resync(&answer.outcome, now)? {
        Reply::Success => Ok(v.redirect("/?done=resynced")),
        Reply::Refused(why) => Ok(v.page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Resync MFA device",
            &resync_body(v.csrf(), &why),
        )),
        Reply::Elsewhere => Ok(v.redirect("/")),
    }
}

/// `POST /mfa/remove`: removes the signed-in user's device.
pub async fn remove(
    State(app): Shared,
    headers: HeaderMap,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, Failure> {
    let v = posted(&app.sessions, &headers, &f.csrf)?;
    let user = signed_in(&v)?;
    blocking(&app, move |a| a.mfa.remove(&user))
        .await?
        .map_err(Failure::server)?;
    Ok(v.redirect("/?done=removed"))
}
