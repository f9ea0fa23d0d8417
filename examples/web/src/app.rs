//! The routes and handlers: the AWS console's virtual-MFA flow.
//!
//! | route | what |
//! |---|---|
//! | `GET /` | sign in (password + MFA code) or create an account; signed in: the account's MFA device |
//! | `POST /signup`, `/signin`, `/signout` | accounts (a demo store: Argon2id hashes in memory) |
//! | `GET`/`POST /mfa/assign` | QR code + secret key in groups of four; two consecutive codes enrol |
//! | `GET`/`POST /mfa/resync` | two consecutive codes bring a drifted device back |
//! | `POST /mfa/remove` | removes the device |
//! | `GET /admin`, `POST /admin/clear` | every account's device; clears a lock-out (`--admin NAME` accounts only) |
//!
//! Every [`MfaService`] call is blocking (a database round trip, an HMAC), so it
//! runs in `spawn_blocking`; so do the Argon2 hashes.
// A helper that can end the request returns the whole response as its error, the
// way axum handlers return: large, and returned once per request.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::header::{CACHE_CONTROL, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use otpkit::verifier::{DeviceState, EnrollOutcome, Outcome, ResyncOutcome};
use otpkit::{Algorithm, Secret};
use otpkit_store::{DeviceStore, Generator, MfaService, ServiceError};
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::html::{error, error_if_any, esc, layout, notice, otpauth_uri, qr_svg};
use crate::session::{Session, Sessions, form_allowed, set_cookie};

/// Any store, chosen at start-up.
pub type Store = Box<dyn DeviceStore + Send + Sync>;

/// The server's state, shared by every request.
pub struct App {
    /// The MFA devices (device id = account name).
    pub mfa: MfaService<Store>,
    /// Accounts: name → Argon2id PHC string. A demo store, in memory.
    pub users: Mutex<BTreeMap<String, String>>,
    /// Account names allowed into `/admin`.
    pub admins: BTreeSet<String>,
    /// The issuer shown in the authenticator app.
    pub issuer: String,
    /// Live sessions.
    pub sessions: Sessions,
}

impl App {
    /// An app over `mfa`; `admins` may use the admin view.
    pub fn new(mfa: MfaService<Store>, admins: BTreeSet<String>, issuer: String) -> Self {
        App {
            mfa,
            users: Mutex::default(),
            admins,
            issuer,
            sessions: Sessions::default(),
        }
    }

    fn password_hash(&self, user: &str) -> Option<String> {
        let users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        users.get(user).cloned()
    }
}

/// The router over `app`.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/signup", post(signup))
        .route("/signin", post(signin))
        .route("/signout", post(signout))
        .route("/mfa/assign", get(assign_page).post(assign))
        .route("/mfa/resync", get(resync_page).post(resync))
        .route("/mfa/remove", post(remove))
        .route("/admin", get(admin_page))
        .route("/admin/clear", post(admin_clear))
        .with_state(app)
}

type Shared = State<Arc<App>>;

/// The request's session (started if it has none) and the cookie to set, if new.
struct Visit {
    sid: String,
    session: Session,
    new_cookie: bool,
}

impl Visit {
    fn user(&self) -> Option<&str> {
        self.session.user.as_deref()
    }

    /// A page with this visit's header (and cookie, if new). No page is cached:
    /// some show a secret.
    fn page(&self, status: StatusCode, title: &str, body: &str) -> Response {
        let html = layout(title, self.user(), &self.session.csrf, body);
        let mut response = (status, Html(html)).into_response();
        self.finish(&mut response);
        response
    }

    fn finish(&self, response: &mut Response) {
        let headers = response.headers_mut();
        if let (true, Ok(v)) = (
            self.new_cookie,
            HeaderValue::from_str(&set_cookie(&self.sid)),
        ) {
            headers.insert(SET_COOKIE, v);
        }
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(
            HeaderName::from_static("content-security-policy"),
            HeaderValue::from_static(
                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
            ),
        );
        // Not `no-referrer`: with it Chromium sends `Origin: null` on form posts,
        // which the origin check refuses. No URL here holds anything secret.
        headers.insert(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("same-origin"),
        );
    }

    fn redirect(&self, to: &str) -> Response {
        let mut response = StatusCode::SEE_OTHER.into_response();
        if let Ok(v) = HeaderValue::from_str(to) {
            response.headers_mut().insert(LOCATION, v);
        }
        self.finish(&mut response);
        response
    }
}

/// A page for a failure that is not the user's (the store, a spawned task).
fn server_error(e: impl std::fmt::Display) -> Response {
    eprintln!("otpkit-web: {e}");
    let html = layout(
        "Something went wrong",
        None,
        "",
        &error(&format!("{e}. Try again later.")),
    );
    (StatusCode::INTERNAL_SERVER_ERROR, Html(html)).into_response()
}

fn forbidden(message: &str) -> Response {
    let html = layout("Refused", None, "", &error(message));
    (StatusCode::FORBIDDEN, Html(html)).into_response()
}

/// The session of a page view, started if the browser has none.
fn visit(app: &App, headers: &HeaderMap) -> Result<Visit, Response> {
    if let Some((sid, session)) = app.sessions.get(headers) {
        return Ok(Visit {
            sid,
            session,
            new_cookie: false,
        });
    }
    let (sid, session) = app.sessions.start(None, None).map_err(server_error)?;
    Ok(Visit {
        sid,
        session,
        new_cookie: true,
    })
}

/// The session of a form post: it must exist, carry the session's CSRF token and
/// come from this server's own pages.
fn posted(app: &App, headers: &HeaderMap, csrf: &str) -> Result<Visit, Response> {
    match app.sessions.get(headers) {
        Some((sid, session)) if form_allowed(headers, &session, csrf) => Ok(Visit {
            sid,
            session,
            new_cookie: false,
        }),
        _ => Err(forbidden(
            "This form is from an expired session or another site: go back, reload the page and try again.",
        )),
    }
}

/// Runs `f` on the service in a blocking task.
async fn blocking<T: Send + 'static>(
    app: &Arc<App>,
    f: impl FnOnce(&App) -> T + Send + 'static,
) -> Result<T, Response> {
    let app = Arc::clone(app);
    tokio::task::spawn_blocking(move || f(&app))
        .await
        .map_err(server_error)
}

/// What the account's MFA device is: none, being assigned, or assigned.
fn device(app: &App, user: &str) -> Result<Option<DeviceState>, ServiceError> {
    match app.mfa.state(user) {
        Ok(state) => Ok(Some(state)),
        Err(ServiceError::NoSuchDevice { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

fn now() -> Result<u64, Response> {
    otpkit::unix_now().map_err(server_error)
}

fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "@._-+".contains(c))
}

// ---- home, accounts -------------------------------------------------------

#[derive(Deserialize)]
struct Done {
    done: Option<String>,
}

const DONE: &[(&str, &str)] = &[
    (
        "assigned",
        "MFA device assigned. From now on, sign in with your password and a code from the app.",
    ),
    ("resynced", "MFA device resynchronised."),
    ("removed", "MFA device removed."),
    ("signedout", "Signed out."),
    ("cleared", "Lock-out cleared."),
];

fn done_notice(done: Option<&str>) -> String {
    DONE.iter()
        .find(|(k, _)| Some(*k) == done)
        .map(|(_, text)| notice(text))
        .unwrap_or_default()
}

async fn home(State(app): Shared, headers: HeaderMap, Query(q): Query<Done>) -> Response {
    let v = match visit(&app, &headers) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let flash = done_notice(q.done.as_deref());
    match v.user().map(str::to_owned) {
        None => v.page(StatusCode::OK, "Sign in", &(flash + &signin_forms(&v, ""))),
        Some(user) => {
            let state = match blocking(&app, move |a| device(a, &user)).await {
                Ok(Ok(state)) => state,
                Ok(Err(e)) => return server_error(e),
                Err(r) => return r,
            };
            v.page(
                StatusCode::OK,
                "Your security credentials",
                &(flash + &account_body(&v, state.as_ref())),
            )
        }
    }
}

fn signin_forms(v: &Visit, message: &str) -> String {
    let csrf = esc(&v.session.csrf);
    format!(
        r#"{message}
<form method="post" action="/signin" id="signin-form">
<input type="hidden" name="csrf" value="{csrf}">
<label>User name <input name="user" id="signin-user" autocomplete="username" required></label>
<label>Password <input name="password" id="signin-password" type="password" autocomplete="current-password" required></label>
<label>MFA code (if your account has an MFA device) <input name="code" id="signin-code" inputmode="numeric" autocomplete="one-time-code"></label>
<button id="signin">Sign in</button>
</form>
<h2>No account yet?</h2>
<form method="post" action="/signup" id="signup-form">
<input type="hidden" name="csrf" value="{csrf}">
<label>User name <input name="user" id="signup-user" autocomplete="username" required></label>
<label>Password <input name="password" id="signup-password" type="password" autocomplete="new-password" required></label>
<button id="signup">Create account</button>
</form>
<p>Accounts live in this server's memory only (a demo: passwords hashed with Argon2id); MFA devices live in the device store.</p>"#,
        message = error_if_any(message),
    )
}

fn account_body(v: &Visit, state: Option<&DeviceState>) -> String {
    let csrf = esc(&v.session.csrf);
    let admin = r#"<p><a href="/admin">Administration</a> (accounts started with <code>--admin NAME</code>)</p>"#;
    match state {
        None => format!(
            r#"<p id="mfa-status">No MFA device assigned.</p>
<p><a href="/mfa/assign" id="assign">Assign MFA device</a></p>{admin}"#
        ),
        Some(s) if !s.is_enrolled() => format!(
            r#"<p id="mfa-status">MFA device being assigned (not active yet).</p>
<p><a href="/mfa/assign" id="assign">Continue assigning the MFA device</a></p>
<form method="post" action="/mfa/remove"><input type="hidden" name="csrf" value="{csrf}"><button id="remove">Remove</button></form>{admin}"#
        ),
        Some(_) => format!(
            r#"<p id="mfa-status">Virtual MFA device assigned.</p>
<p><a href="/mfa/resync" id="resync">Resync MFA device</a></p>
<form method="post" action="/mfa/remove"><input type="hidden" name="csrf" value="{csrf}"><button id="remove">Remove MFA device</button></form>{admin}"#
        ),
    }
}

#[derive(Deserialize)]
struct Credentials {
    csrf: String,
    user: String,
    password: String,
    #[serde(default)]
    code: String,
}

async fn signup(State(app): Shared, headers: HeaderMap, Form(f): Form<Credentials>) -> Response {
    let v = match posted(&app, &headers, &f.csrf) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let password = Zeroizing::new(f.password);
    if !valid_name(&f.user) || password.len() < 8 {
        return v.page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Sign in",
            &signin_forms(&v, "A user name is 1 to 64 letters, digits or @._-+; a password at least 8 characters."),
        );
    }
    let user = f.user.clone();
    let result = blocking(&app, move |a| -> Result<Option<&'static str>, String> {
        // A device left by an earlier run (the store persists, accounts do not).
        if device(a, &user).map_err(|e| e.to_string())?.is_some() {
            return Ok(Some(
                "An MFA device exists for this name already: choose another name.",
            ));
        }
        let hash = Argon2::default()
            .hash_password(password.as_bytes())
            .map_err(|e| e.to_string())?
            .to_string();
        let mut users = a.users.lock().unwrap_or_else(PoisonError::into_inner);
        if users.contains_key(&user) {
            return Ok(Some("This user name is taken."));
        }
        users.insert(user, hash);
        Ok(None)
    })
    .await;
    match result {
        Ok(Ok(None)) => sign_in_as(&app, &v, f.user, "/mfa/assign"),
        Ok(Ok(Some(refusal))) => {
            v.page(StatusCode::CONFLICT, "Sign in", &signin_forms(&v, refusal))
        }
        Ok(Err(e)) => server_error(e),
        Err(r) => r,
    }
}

/// A new session (new id) signed in as `user`, then `to`.
fn sign_in_as(app: &App, old: &Visit, user: String, to: &str) -> Response {
    match app.sessions.start(Some(&old.sid), Some(user)) {
        Ok((sid, session)) => Visit {
            sid,
            session,
            new_cookie: true,
        }
        .redirect(to),
        Err(e) => server_error(e),
    }
}

/// Why a sign-in code was refused, in the user's terms.
fn refusal(outcome: &Outcome, now: u64) -> String {
    match outcome {
        Outcome::Invalid => "The MFA code is not valid.".into(),
        Outcome::Replayed => {
            "This MFA code was used already: wait for the app to show the next one.".into()
        }
        Outcome::Locked { until } if *until == u64::MAX => {
            "Too many failed attempts: locked until an administrator clears it.".into()
        }
        Outcome::Locked { until } => format!(
            "Too many failed attempts: locked for {} s more, or until an administrator clears it.",
            until.saturating_sub(now)
        ),
        other => format!("The MFA code was refused: {other}."),
    }
}

async fn signin(State(app): Shared, headers: HeaderMap, Form(f): Form<Credentials>) -> Response {
    let v = match posted(&app, &headers, &f.csrf) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let now = match now() {
        Ok(t) => t,
        Err(r) => return r,
    };
    let password = Zeroizing::new(f.password);
    let user = f.user.clone();
    let code = Zeroizing::new(f.code);
    // The password first: without it nobody can spend the user's code attempts.
    let result = blocking(&app, move |a| -> Result<Result<(), String>, ServiceError> {
        // An unknown name costs the same Argon2 run as a wrong password, so the
        // time taken does not tell which names have accounts.
        let known = a.password_hash(&user);
        let hash = known.as_deref().unwrap_or(unknown_user_hash());
        let matches = PasswordHash::new(hash)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false);
        if known.is_none() || !matches {
            return Ok(Err("Wrong user name or password.".into()));
        }
        match device(a, &user)? {
            Some(state) if state.is_enrolled() => {
                let answer = a.mfa.verify(&user, code.trim(), now)?;
                if answer.outcome.is_accepted() {
                    Ok(Ok(()))
                } else {
                    Ok(Err(refusal(&answer.outcome, now)))
                }
            }
            // No device (or one still being assigned): the password alone.
            _ => Ok(Ok(())),
        }
    })
    .await;
    match result {
        Ok(Ok(Ok(()))) => sign_in_as(&app, &v, f.user, "/"),
        Ok(Ok(Err(refused))) => v.page(
            StatusCode::UNAUTHORIZED,
            "Sign in",
            &signin_forms(&v, &refused),
        ),
        Ok(Err(e)) => server_error(e),
        Err(r) => r,
    }
}

/// A hash no password is checked against successfully (for unknown user names).
fn unknown_user_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        Argon2::default()
            .hash_password(b"no account has this password")
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

#[derive(Deserialize)]
struct CsrfOnly {
    csrf: String,
}

async fn signout(State(app): Shared, headers: HeaderMap, Form(f): Form<CsrfOnly>) -> Response {
    match posted(&app, &headers, &f.csrf) {
        Ok(v) => match app.sessions.start(Some(&v.sid), None) {
            Ok((sid, session)) => Visit {
                sid,
                session,
                new_cookie: true,
            }
            .redirect("/?done=signedout"),
            Err(e) => server_error(e),
        },
        Err(r) => r,
    }
}

// ---- assign, resync, remove -----------------------------------------------

/// The signed-in user of a visit, or a redirect to sign in.
fn signed_in(v: &Visit) -> Result<String, Response> {
    v.user().map(str::to_owned).ok_or_else(|| v.redirect("/"))
}

async fn assign_page(State(app): Shared, headers: HeaderMap) -> Response {
    let v = match visit(&app, &headers) {
        Ok(v) => v,
        Err(r) => return r,
    };
    assign_form(&app, &v, "", StatusCode::OK).await
}

/// The "set up virtual MFA device" page: the pending device's secret (stored
/// sealed when first shown; shown again, the same, on a retry) as a QR code and in
/// groups of four, and the form for two consecutive codes.
async fn assign_form(app: &Arc<App>, v: &Visit, message: &str, status: StatusCode) -> Response {
    let user = match signed_in(v) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let result = blocking(app, move |a| {
        let shown = match a.mfa.pending_secret(&user) {
            Err(ServiceError::NoSuchDevice { .. }) => {
                let secret = Secret::generate(Algorithm::Sha1).map_err(|e| e.to_string())?;
                match a.mfa.begin_enrollment(&user, &secret, Generator::default()) {
                    Ok(_) => Ok((secret, Generator::default())),
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
    .await;
    let (svg, key) = match result {
        Ok(Ok(Some(shown))) => shown,
        Ok(Ok(None)) => return v.redirect("/"),
        Ok(Err(e)) => return server_error(e),
        Err(r) => return r,
    };
    let body = format!(
        r#"{message}
<ol>
<li>Install a compatible authenticator app on your phone or computer.</li>
<li>Open the app and scan this QR code:
<figure id="qr">{svg}</figure>
Or type this secret key into the app: <code id="secret-key">{key}</code></li>
<li>Type two consecutive MFA codes from the app below.
<form method="post" action="/mfa/assign" id="assign-form">
{inputs}
<button id="assign-submit">Assign MFA</button>
</form></li>
</ol>"#,
        message = error_if_any(message),
        svg = svg.as_str(),
        key = key.as_str(),
        inputs = two_code_inputs(v),
    );
    v.page(status, "Set up virtual MFA device", &body)
}

#[derive(Deserialize)]
struct TwoCodes {
    csrf: String,
    code1: String,
    code2: String,
}

/// The inside of a form asking for two consecutive codes (enrolment, resync): the
/// CSRF token and the two inputs, posted as [`TwoCodes`].
fn two_code_inputs(v: &Visit) -> String {
    format!(
        r#"<input type="hidden" name="csrf" value="{csrf}">
<label>MFA code 1 <input name="code1" id="code1" inputmode="numeric" autocomplete="off" required></label>
<label>MFA code 2 <input name="code2" id="code2" inputmode="numeric" autocomplete="off" required></label>"#,
        csrf = esc(&v.session.csrf),
    )
}

/// What the service does with two consecutive codes: `MfaService::enroll` or
/// `MfaService::resync` (the user, the codes, the time).
type TwoCodeOp<T> = fn(&MfaService<Store>, &str, &str, &str, u64) -> Result<T, ServiceError>;

impl TwoCodes {
    /// A posted pair of consecutive codes: the CSRF token checked, someone signed
    /// in, then `op` for them with the codes as typed (surrounding spaces dropped),
    /// off the async threads. `Err` is the response to send instead; otherwise the
    /// visit and the service's answer.
    async fn submit<T: Send + 'static>(
        self,
        app: &Arc<App>,
        headers: &HeaderMap,
        op: TwoCodeOp<T>,
    ) -> Result<(Visit, Result<T, ServiceError>), Response> {
        let v = posted(app, headers, &self.csrf)?;
        let (user, now) = match (signed_in(&v), now()) {
            (Ok(u), Ok(t)) => (u, t),
            (Err(r), _) | (_, Err(r)) => return Err(r),
        };
        let answer = blocking(app, move |a| {
            op(&a.mfa, &user, self.code1.trim(), self.code2.trim(), now)
        })
        .await?;
        Ok((v, answer))
    }
}

async fn assign(State(app): Shared, headers: HeaderMap, Form(f): Form<TwoCodes>) -> Response {
    let (v, result) = match f
        .submit(&app, &headers, |m, u, a, b, t| m.enroll(u, a, b, t))
        .await
    {
        Ok(submitted) => submitted,
        Err(r) => return r,
    };
    match result {
        Ok(answer) if answer.outcome.is_enrolled() => v.redirect("/?done=assigned"),
        Ok(answer) => {
            let why = match answer.outcome {
                EnrollOutcome::Rejected(e) => {
                    format!("The codes were refused: {e}. Type the next two codes the app shows.")
                }
                other => format!("{other}"),
            };
            assign_form(&app, &v, &why, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ServiceError::NoSuchDevice { .. }) => v.redirect("/mfa/assign"),
        Err(e) => server_error(e),
    }
}

fn resync_body(v: &Visit, message: &str) -> String {
    format!(
        r#"{message}
<p>If the MFA codes are refused although the app shows them, the device's clock may have drifted. Type two consecutive codes to resynchronise.</p>
<form method="post" action="/mfa/resync" id="resync-form">
{inputs}
<button id="resync-submit">Resync</button>
</form>"#,
        message = error_if_any(message),
        inputs = two_code_inputs(v),
    )
}

async fn resync_page(State(app): Shared, headers: HeaderMap) -> Response {
    match visit(&app, &headers) {
        Ok(v) if v.user().is_some() => {
            v.page(StatusCode::OK, "Resync MFA device", &resync_body(&v, ""))
        }
        Ok(v) => v.redirect("/"),
        Err(r) => r,
    }
}

async fn resync(State(app): Shared, headers: HeaderMap, Form(f): Form<TwoCodes>) -> Response {
    let (v, result) = match f
        .submit(&app, &headers, |m, u, a, b, t| m.resync(u, a, b, t))
        .await
    {
        Ok(submitted) => submitted,
        Err(r) => return r,
    };
    match result {
        Ok(answer) if answer.outcome.is_resynced() => v.redirect("/?done=resynced"),
        Ok(answer) => {
            let why = match answer.outcome {
                ResyncOutcome::Rejected(e) => format!("The codes were refused: {e}."),
                other => format!("{other}"),
            };
            v.page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Resync MFA device",
                &resync_body(&v, &why),
            )
        }
        Err(e) => server_error(e),
    }
}

async fn remove(State(app): Shared, headers: HeaderMap, Form(f): Form<CsrfOnly>) -> Response {
    let v = match posted(&app, &headers, &f.csrf) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let user = match signed_in(&v) {
        Ok(u) => u,
        Err(r) => return r,
    };
    match blocking(&app, move |a| a.mfa.remove(&user)).await {
        Ok(Ok(_)) => v.redirect("/?done=removed"),
        Ok(Err(e)) => server_error(e),
        Err(r) => r,
    }
}

// ---- admin ----------------------------------------------------------------

/// The visit's user if it is an administrator.
fn admin(app: &App, v: &Visit) -> Result<(), Response> {
    match v.user() {
        Some(u) if app.admins.contains(u) => Ok(()),
        _ => Err(forbidden(
            "Administrators only: sign in as an account named with --admin NAME when starting the server.",
        )),
    }
}

fn describe(state: Option<&DeviceState>, now: u64) -> String {
    match state {
        None => "none".into(),
        Some(s) if !s.is_enrolled() => "being assigned".into(),
        Some(s) if s.is_locked_at(now) => format!("locked out ({} failures)", s.failures()),
        Some(s) => format!("assigned, {} failures", s.failures()),
    }
}

async fn admin_page(State(app): Shared, headers: HeaderMap, Query(q): Query<Done>) -> Response {
    let v = match visit(&app, &headers) {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Err(r) = admin(&app, &v) {
        return r;
    }
    let now = match now() {
        Ok(t) => t,
        Err(r) => return r,
    };
    let rows = blocking(&app, move |a| {
        let names: Vec<String> = {
            let users = a.users.lock().unwrap_or_else(PoisonError::into_inner);
            users.keys().cloned().collect()
        };
        names
            .into_iter()
            .map(|name| device(a, &name).map(|s| (name, s)))
            .collect::<Result<Vec<_>, _>>()
    })
    .await;
    let rows = match rows {
        Ok(Ok(rows)) => rows,
        Ok(Err(e)) => return server_error(e),
        Err(r) => return r,
    };
    let csrf = esc(&v.session.csrf);
    let mut table = String::from(
        "<table id=\"accounts\"><tr><th>Account</th><th>MFA device</th><th></th></tr>",
    );
    for (name, state) in &rows {
        let clear = match state {
            Some(s) if s.failures() > 0 || s.locked_until().is_some() => format!(
                r#"<form method="post" action="/admin/clear"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="user" value="{n}"><button data-user="{n}">Clear lock-out</button></form>"#,
                n = esc(name)
            ),
            _ => String::new(),
        };
        table.push_str(&format!(
            r#"<tr data-user="{n}"><td>{n}</td><td class="status">{}</td><td>{clear}</td></tr>"#,
            esc(&describe(state.as_ref(), now)),
            n = esc(name),
        ));
    }
    table.push_str("</table>");
    let body = done_notice(q.done.as_deref()) + &table;
    v.page(StatusCode::OK, "Administration: MFA devices", &body)
}

#[derive(Deserialize)]
struct ClearForm {
    csrf: String,
    user: String,
}

async fn admin_clear(State(app): Shared, headers: HeaderMap, Form(f): Form<ClearForm>) -> Response {
    let v = match posted(&app, &headers, &f.csrf) {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Err(r) = admin(&app, &v) {
        return r;
    }
    match blocking(&app, move |a| a.mfa.clear_lockout(&f.user)).await {
        Ok(Ok(_)) => v.redirect("/admin?done=cleared"),
        // Removed meanwhile: nothing to clear.
        Ok(Err(ServiceError::NoSuchDevice { .. })) => v.redirect("/admin"),
        Ok(Err(e)) => server_error(e),
        Err(r) => r,
    }
}
