//! The user's handlers: the home page, accounts (sign up, out; signing in is
//! [`crate::signin`]), the MFA devices (add, assign, resync, remove) and the
//! security events.

use std::sync::Arc;

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use otpkit::{Algorithm, Secret};
use otpkit_store::{DeviceParams, MAX_DEVICES_PER_USER, MfaService, ServiceError};
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::accounts::SignUp;
use crate::app::{App, Shared, Store, Visit, blocking, now, posted, visit};
use crate::error::Failure;
use crate::html::{otpauth_uri, qr_svg, url_encode};
use crate::messages::{self, Reply};
use crate::pages::{
    Typed, account_body, assign_body, device_name_body, done_notice, events_body, resync_body,
    signin_forms,
};
use crate::signin::{Factor, User};

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

/// `GET /`: the sign-in and sign-up forms, or the signed-in user's devices.
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
    let devices = blocking(&app, move |a| a.mfa.devices(&user))
        .await?
        .map_err(Failure::server)?;
    let with = v
        .who()
        .and_then(User::factor)
        .unwrap_or(&Factor::PasswordOnly);
    Ok(v.page(
        StatusCode::OK,
        "Your security credentials",
        &(flash + &account_body(v.csrf(), &devices, with)),
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
        // Devices left by an earlier run (the store persists, accounts do not).
        if !a.mfa.devices(&user).map_err(|e| e.to_string())?.is_empty() {
            return Ok(None);
        }
        a.accounts
            .create(permit, &user, password.as_bytes())
            .map(Some)
    })
    .await?
    .map_err(Failure::Server)?;
    match result {
        Some(SignUp::Created) => sign_in_as(
            &app,
            &v,
            User::signed_in_with(f.user.clone(), Factor::PasswordOnly),
            "/mfa/assign",
        ),
        Some(SignUp::Taken) => refuse(StatusCode::CONFLICT, "This user name is taken."),
        Some(SignUp::Full) => refuse(StatusCode::SERVICE_UNAVAILABLE, FULL),
        None => refuse(
            StatusCode::CONFLICT,
            "MFA devices exist for this name already: choose another name.",
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

// ---- add, assign, resync, remove ------------------------------------------

/// A `?device=NAME` query.
#[derive(Deserialize)]
pub struct DeviceQuery {
    #[serde(default)]
    device: Option<String>,
}

/// The title of the device pages.
const ASSIGN_TITLE: &str = "Set up virtual MFA device";

/// `GET /mfa/assign`: the device name form; `?device=NAME`: that pending device's
/// secret and the form for two codes.
pub async fn assign_page(
    State(app): Shared,
    headers: HeaderMap,
    Query(q): Query<DeviceQuery>,
) -> Result<Response, Failure> {
    let v = visit(&app, &headers)?;
    let user = signed_in(&v)?;
    match q.device {
        Some(device) => assign_form(&app, &v, &device, "", StatusCode::OK).await,
        None => name_form(&app, &v, user, "", "", StatusCode::OK).await,
    }
}

/// The device name form ("Device name", as the AWS console asks), with `typed` in
/// it and `message` above; the account's devices count towards the
/// [`MAX_DEVICES_PER_USER`] shown.
async fn name_form(
    app: &Arc<App>,
    v: &Visit<User>,
    user: String,
    typed: &str,
    message: &str,
    status: StatusCode,
) -> Result<Response, Failure> {
    let devices = blocking(app, move |a| a.mfa.devices(&user))
        .await?
        .map_err(Failure::server)?;
    let body = device_name_body(v.csrf(), message, typed, devices.len());
    Ok(v.page(status, ASSIGN_TITLE, &body))
}

/// The device name form.
#[derive(Deserialize)]
pub struct NameForm {
    csrf: String,
    name: String,
}

/// Said when a device name is empty, too long or has control characters.
pub const BAD_DEVICE_NAME: &str =
    "A device name is 1 to 64 characters, not only spaces: for example \"Work phone\".";

/// `POST /mfa/add`: a new pending device of this name, its secret generated and
/// stored sealed; on to its QR code.
pub async fn add(
    State(app): Shared,
    headers: HeaderMap,
    Form(f): Form<NameForm>,
) -> Result<Response, Failure> {
    let v = posted(&app.sessions, &headers, &f.csrf)?;
    let user = signed_in(&v)?;
    let name = f.name.trim().to_owned();
    let now = now()?;
    let (owner, device) = (user.clone(), name.clone());
    let added = blocking(&app, move |a| -> Result<Result<(), ServiceError>, String> {
        let secret = Secret::generate(Algorithm::Sha1).map_err(|e| e.to_string())?;
        Ok(a.mfa
            .add_device(&owner, &device, &secret, DeviceParams::default(), now))
    })
    .await?
    .map_err(Failure::Server)?;
    let (status, message) = match added {
        Ok(()) => {
            return Ok(v.redirect(&format!("/mfa/assign?device={}", url_encode(&name))));
        }
        Err(ServiceError::InvalidDeviceName) => {
            (StatusCode::UNPROCESSABLE_ENTITY, BAD_DEVICE_NAME.to_owned())
        }
        Err(ServiceError::DeviceNameTaken { .. }) => (
            StatusCode::CONFLICT,
            format!("You have a device named \"{name}\" already: choose another name."),
        ),
        Err(ServiceError::TooManyDevices { .. }) => (
            StatusCode::CONFLICT,
            format!(
                "Your account has {MAX_DEVICES_PER_USER} MFA devices, the most it may have: remove one first."
            ),
        ),
        Err(e) => return Err(Failure::server(e)),
    };
    name_form(&app, &v, user, &name, &message, status).await
}

/// The "set up virtual MFA device" page of the pending device `device`: its
/// secret (stored sealed when the device was added; shown again, the same, on a
/// retry or after signing in again, until two codes enrol it) as a QR code and in
/// groups of four, and the form for two consecutive codes. An enrolled device's
/// secret is never shown again: home; an unknown one: the name form.
async fn assign_form(
    app: &Arc<App>,
    v: &Visit<User>,
    device: &str,
    message: &str,
    status: StatusCode,
) -> Result<Response, Failure> {
    let user = signed_in(v)?;
    let name = device.to_owned();
    let shown = blocking(app, move |a| {
        match a.mfa.pending_device_secret(&user, &name) {
            Ok((secret, _)) => {
                let uri = otpauth_uri(&a.issuer, &user, &secret);
                let svg = qr_svg(&uri).map_err(|e| e.to_string())?;
                let key = Zeroizing::new(secret.base32_grouped().to_string());
                Ok(Ok((svg, key)))
            }
            Err(ServiceError::AlreadyEnrolled { .. }) => Ok(Err("/")),
            Err(ServiceError::UnknownDevice { .. }) => Ok(Err("/mfa/assign")),
            Err(e) => Err(e.to_string()),
        }
    })
    .await?
    .map_err(Failure::Server)?;
    let (svg, key) = match shown {
        Ok(shown) => shown,
        Err(to) => return Ok(v.redirect(to)),
    };
    let body = Zeroizing::new(assign_body(v.csrf(), message, device, &svg, &key));
    Ok(v.page(status, ASSIGN_TITLE, &body))
}

/// The assign and resync forms.
#[derive(Deserialize)]
pub struct TwoCodes {
    csrf: String,
    device: String,
    code1: String,
    code2: String,
}

/// What the service does with two consecutive codes: `MfaService::enroll_device`
/// or `MfaService::resync_device` (the user, the device, the codes, the time).
type TwoCodeOp<T> = fn(&MfaService<Store>, &str, &str, &str, &str, u64) -> Result<T, ServiceError>;

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
            op(
                &a.mfa,
                &user,
                &self.device,
                self.code1.trim(),
                self.code2.trim(),
                now,
            )
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
    let device = f.device.clone();
    let (v, now, result) = f
        .submit(&app, &headers, |m, u, d, a, b, t| {
            m.enroll_device(u, d, a, b, t)
        })
        .await?;
    let answer = match result {
        Ok(answer) => answer,
        // Removed from another tab meanwhile: the name form.
        Err(ServiceError::UnknownDevice { .. }) => return Ok(v.redirect("/mfa/assign")),
        Err(e) => return Err(Failure::server(e)),
    };
    match messages::enrolment(&answer.outcome, now)? {
        Reply::Success => Ok(v.redirect("/?done=assigned")),
        Reply::Refused(why) => {
            assign_form(&app, &v, &device, &why, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Reply::Elsewhere => Ok(v.redirect("/")),
    }
}

/// The title of the resync page.
const RESYNC_TITLE: &str = "Resync MFA device";

/// `GET /mfa/resync?device=NAME`: the form for two consecutive codes.
pub async fn resync_page(
    State(app): Shared,
    headers: HeaderMap,
    Query(q): Query<DeviceQuery>,
) -> Result<Response, Failure> {
    let v = visit(&app, &headers)?;
    signed_in(&v)?;
    let Some(device) = q.device else {
        return Ok(v.redirect("/"));
    };
    Ok(v.page(
        StatusCode::OK,
        RESYNC_TITLE,
        &resync_body(v.csrf(), "", &device),
    ))
}

/// `POST /mfa/resync`: two consecutive codes from a drifted device.
pub async fn resync(
    State(app): Shared,
    headers: HeaderMap,
    Form(f): Form<TwoCodes>,
) -> Result<Response, Failure> {
    let device = f.device.clone();
    let (v, now, result) = f
        .submit(&app, &headers, |m, u, d, a, b, t| {
            m.resync_device(u, d, a, b, t)
        })
        .await?;
    let answer = match result {
        Ok(answer) => answer,
        // Removed from another tab meanwhile (or no such device).
        Err(ServiceError::UnknownDevice { .. }) => return Ok(v.redirect("/")),
        Err(e) => return Err(Failure::server(e)),
    };
    match messages::resync(&answer.outcome, now)? {
        Reply::Success => Ok(v.redirect("/?done=resynced")),
        Reply::Refused(why) => Ok(v.page(
            StatusCode::UNPROCESSABLE_ENTITY,
            RESYNC_TITLE,
            &resync_body(v.csrf(), &why, &device),
        )),
        Reply::Elsewhere => Ok(v.redirect("/")),
    }
}

/// The remove form: the device's name.
#[derive(Deserialize)]
pub struct DeviceForm {
    csrf: String,
    device: String,
}

/// `POST /mfa/remove`: removes one of the signed-in user's devices (and, with it,
/// every browser remembered for the account).
pub async fn remove(
    State(app): Shared,
    headers: HeaderMap,
    Form(f): Form<DeviceForm>,
) -> Result<Response, Failure> {
    let v = posted(&app.sessions, &headers, &f.csrf)?;
    let user = signed_in(&v)?;
    let now = now()?;
    let removed = blocking(&app, move |a| a.mfa.remove_device(&user, &f.device, now))
        .await?
        .map_err(Failure::server)?;
    // Not there: removed from another tab already.
    Ok(v.redirect(if removed { "/?done=removed" } else { "/" }))
}

/// The rename form: the device's name and the new one.
#[derive(Deserialize)]
pub struct RenameForm {
    csrf: String,
    device: String,
    to: String,
}

/// `POST /mfa/rename`: renames one of the signed-in user's devices; a name taken
/// or not a name: home with a notice saying so.
pub async fn rename(
    State(app): Shared,
    headers: HeaderMap,
    Form(f): Form<RenameForm>,
) -> Result<Response, Failure> {
    let v = posted(&app.sessions, &headers, &f.csrf)?;
    let user = signed_in(&v)?;
    let now = now()?;
    let to = f.to.trim().to_owned();
    let renamed = blocking(&app, move |a| {
        a.mfa.rename_device(&user, &f.device, &to, now)
    })
    .await?;
    Ok(v.redirect(match renamed {
        Ok(()) => "/?done=renamed",
        Err(ServiceError::InvalidDeviceName) => "/?done=badname",
        Err(ServiceError::DeviceNameTaken { .. }) => "/?done=nametaken",
        // Removed from another tab meanwhile.
        Err(ServiceError::UnknownDevice { .. }) => "/",
        Err(e) => return Err(Failure::server(e)),
    }))
}

// ---- security events ------------------------------------------------------

/// `GET /events`: the signed-in user's recent security events, newest first.
pub async fn events(State(app): Shared, headers: HeaderMap) -> Result<Response, Failure> {
    let v = visit(&app, &headers)?;
    let user = signed_in(&v)?;
    let events = app.recent.of_user(&user);
    Ok(v.page(StatusCode::OK, "Security events", &events_body(&events)))
}
