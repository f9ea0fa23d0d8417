//! The server's state, its routes, and what every handler shares: the visit (a
//! session and its cookie), the checks on posted forms, blocking calls.
//!
//! | route | what |
//! |---|---|
//! | `GET /` | sign in (user name and password) or create an account; signed in: the account's MFA devices |
//! | `POST /signin` | sign-in page 1: the password; with an enrolled MFA device, on to page 2 ([`crate::signin`]) unless the browser's remember cookie is accepted |
//! | `GET`/`POST /signin/mfa` | sign-in page 2: the MFA code (any device, or one chosen), within 5 minutes of the password, in the same session; "remember this browser" |
//! | `POST /signup`, `/signout` | accounts (a demo store: Argon2id hashes in memory) |
//! | `GET /mfa/assign`, `POST /mfa/add` | the device name form; a new named device (up to 8) |
//! | `GET /mfa/assign?device=NAME`, `POST /mfa/assign` | that pending device's QR code + secret key in groups of four; two consecutive codes enrol it |
//! | `GET /mfa/resync?device=NAME`, `POST /mfa/resync` | two consecutive codes bring a drifted device back |
//! | `POST /mfa/remove`, `/mfa/rename` | removes or renames a device |
//! | `GET /events` | the account's recent security events |
//! | `GET /metrics` | the service's counters in the Prometheus text format ([`crate::metrics`]) |
//! | `GET /admin`, `POST /admin/signin`, `/admin/clear`, `/admin/signout` | the administrator (the holder of the token in `--admin-token-file`): every account's devices; clears a lock-out |
//!
//! Every [`MfaService`] call is blocking (a database round trip, an HMAC), so it
//! runs in `spawn_blocking`; so do the Argon2 hashes, each holding one of the
//! few hashing slots ([`crate::accounts`]).

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::map_response;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use otpkit_store::audit::RecentEvents;
use otpkit_store::remember::DEFAULT_REMEMBER_SECS;
use otpkit_store::{DeviceStore, MfaService};
use zeroize::Zeroizing;

use crate::accounts::{Accounts, MAX_ACCOUNTS, hash_slots};
use crate::admin::{self, Admin, AdminToken};
use crate::csrf::form_allowed;
use crate::error::Failure;
use crate::handlers;
use crate::html::{Nav, layout};
use crate::metrics::{self, Metrics};
use crate::session::{ADMIN_LIMITS, Limits, Session, Sessions, USER_LIMITS, cookie};
use crate::signin::{self, User};

/// Any store, chosen at start-up.
pub type Store = Box<dyn DeviceStore + Send + Sync>;

/// The largest form body read (the longest form holds a CSRF token, a user name,
/// a password and a code: well under 1 KiB).
pub const MAX_FORM_BYTES: usize = 16 * 1024;

/// The remember-this-device cookie.
pub const REMEMBER_COOKIE: &str = "otpkit_remember";

/// The path the remember cookie is sent to: the sign-in pages only.
const REMEMBER_PATH: &str = "/signin";

/// The most recent security events kept per account (the events page).
pub const EVENTS_PER_USER: usize = 50;

/// The server's state, shared by every request.
pub struct App {
    /// The accounts' MFA devices (user = account name), telling `recent` and the
    /// metrics every event.
    pub mfa: MfaService<Store>,
    /// Each account's recent security events.
    pub recent: Arc<RecentEvents>,
    /// Counts of every event, for `GET /metrics`.
    pub metrics: Arc<Metrics>,
    /// The token `GET /metrics` asks for; `None`: no token (see [`crate::metrics`]).
    pub metrics_token: Option<AdminToken>,
    /// Whether browsers reach the server over HTTPS (a TLS proxy in front): every
    /// cookie is then `Secure`.
    pub https: bool,
    /// Accounts and the password-hashing slots.
    pub accounts: Accounts,
    /// The issuer shown in the authenticator app.
    pub issuer: String,
    /// Live user sessions.
    pub sessions: Sessions<User>,
    /// The administrator's token; `None`: no administrator (`/admin` is off).
    pub admin_token: Option<AdminToken>,
    /// Live administrator sessions.
    pub admin_sessions: Sessions<Admin>,
}

/// What [`App::new`] needs besides the service; [`Config::new`] gives the
/// server's bounds.
pub struct Config {
    /// The issuer shown in the authenticator app.
    pub issuer: String,
    /// The administrator's token, if there is an administrator.
    pub admin_token: Option<AdminToken>,
    /// User sessions' timeouts and cap.
    pub user_sessions: Limits,
    /// Administrator sessions' timeouts and cap.
    pub admin_sessions: Limits,
    /// Password hashes at once.
    pub hash_slots: usize,
    /// The most accounts.
    pub max_accounts: usize,
    /// The token `GET /metrics` asks for, if any.
    pub metrics_token: Option<AdminToken>,
    /// Whether browsers reach the server over HTTPS.
    pub https: bool,
}

impl Config {
    /// The server's bounds ([`USER_LIMITS`], [`ADMIN_LIMITS`], [`hash_slots`],
    /// [`MAX_ACCOUNTS`]).
    pub fn new(issuer: String, admin_token: Option<AdminToken>) -> Self {
        Config {
            issuer,
            admin_token,
            user_sessions: USER_LIMITS,
            admin_sessions: ADMIN_LIMITS,
            hash_slots: hash_slots(),
            max_accounts: MAX_ACCOUNTS,
            metrics_token: None,
            https: false,
        }
    }
}

impl App {
    /// An app over `mfa`, whose events go to the app's recent-events list and
    /// metrics.
    pub fn new(mfa: MfaService<Store>, config: Config) -> Self {
        let recent = Arc::new(RecentEvents::new(EVENTS_PER_USER));
        let metrics = Arc::new(Metrics::new());
        App {
            mfa: mfa.with_audit((Arc::clone(&recent), Arc::clone(&metrics))),
            recent,
            metrics,
            metrics_token: config.metrics_token,
            https: config.https,
            accounts: Accounts::new(config.hash_slots, config.max_accounts),
            issuer: config.issuer,
            sessions: Sessions::new("otpkit_sid", "/", config.user_sessions).secure(config.https),
            admin_token: config.admin_token,
            admin_sessions: Sessions::new("otpkit_admin", "/admin", config.admin_sessions)
                .secure(config.https),
        }
    }

    /// The `Set-Cookie` value giving the browser remember token `token` for 30
    /// days: sent only to the sign-in pages, not readable by scripts, not sent by
    /// other sites, `Secure` over HTTPS.
    pub fn remember_cookie(&self, token: &str) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "{REMEMBER_COOKIE}={token}; Path={REMEMBER_PATH}; Max-Age={DEFAULT_REMEMBER_SECS}{}; HttpOnly; SameSite=Strict",
            self.secure()
        ))
    }

    /// The `Set-Cookie` value deleting the remember cookie.
    pub fn forget_remember_cookie(&self) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "{REMEMBER_COOKIE}=; Path={REMEMBER_PATH}; Max-Age=0{}; HttpOnly; SameSite=Strict",
            self.secure()
        ))
    }

    fn secure(&self) -> &'static str {
        if self.https { "; Secure" } else { "" }
    }
}

/// The remember token the request's cookie holds, if any.
pub fn remembered_token(headers: &HeaderMap) -> Option<Zeroizing<String>> {
    cookie(headers, REMEMBER_COOKIE)
        .filter(|t| !t.is_empty())
        .map(|t| Zeroizing::new(t.to_owned()))
}

/// `response` with one more `Set-Cookie` header.
pub fn add_cookie(mut response: Response, set_cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(set_cookie) {
        response.headers_mut().append(SET_COOKIE, v);
    }
    response
}

/// The router over `app`.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(handlers::home))
        .route("/signup", post(handlers::signup))
        .route("/signin", post(signin::signin))
        .route("/signin/mfa", get(signin::mfa_page).post(signin::mfa))
        .route("/signout", post(handlers::signout))
        .route(
            "/mfa/assign",
            get(handlers::assign_page).post(handlers::assign),
        )
        .route(
            "/mfa/resync",
            get(handlers::resync_page).post(handlers::resync),
        )
        .route("/mfa/add", post(handlers::add))
        .route("/mfa/remove", post(handlers::remove))
        .route("/mfa/rename", post(handlers::rename))
        .route("/events", get(handlers::events))
        .route("/metrics", get(metrics::metrics))
        .route("/admin", get(admin::page))
        .route("/admin/signin", post(admin::signin))
        .route("/admin/clear", post(admin::clear))
        .route("/admin/signout", post(admin::signout))
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
        .layer(map_response(security_headers))
        .with_state(app)
}

/// The headers of every response: no page is cached (some show a secret), a
/// restrictive content security policy, referrers only to this server.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
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
    response
}

/// The handlers' state.
pub type Shared = State<Arc<App>>;

/// A kind of principal a session stands for: a user (the account name) or the
/// administrator.
pub trait Who: Clone {
    /// The page header for a session of this kind.
    fn nav<'a>(who: Option<&'a Self>, csrf: &'a str) -> Nav<'a>;
}

/// A request's session, and the cookie to set if it is new.
pub struct Visit<P> {
    /// The session id.
    pub sid: String,
    /// The session.
    pub session: Session<P>,
    set_cookie: Option<String>,
}

impl<P: Who> Visit<P> {
    /// A session the browser already had.
    pub fn existing((sid, session): (String, Session<P>)) -> Self {
        Visit {
            sid,
            session,
            set_cookie: None,
        }
    }

    /// A session just started in `sessions`: its cookie goes with the response.
    pub fn started(sessions: &Sessions<P>, (sid, session): (String, Session<P>)) -> Self {
        Visit {
            set_cookie: Some(sessions.set_cookie(&sid)),
            sid,
            session,
        }
    }

    /// Who is signed in, if anyone.
    pub fn who(&self) -> Option<&P> {
        self.session.who.as_ref()
    }

    /// The session's CSRF token.
    pub fn csrf(&self) -> &str {
        &self.session.csrf
    }

    /// A page with this visit's header (and cookie, if new).
    pub fn page(&self, status: StatusCode, title: &str, body: &str) -> Response {
        let html = layout(title, P::nav(self.who(), self.csrf()), body);
        self.finish((status, Html(html)).into_response())
    }

    /// A redirect to `to` (with the cookie, if new).
    pub fn redirect(&self, to: &str) -> Response {
        let mut response = StatusCode::SEE_OTHER.into_response();
        if let Ok(v) = HeaderValue::from_str(to) {
            response.headers_mut().insert(LOCATION, v);
        }
        self.finish(response)
    }

    fn finish(&self, mut response: Response) -> Response {
        if let Some(Ok(v)) = self.set_cookie.as_deref().map(HeaderValue::from_str) {
            response.headers_mut().insert(SET_COOKIE, v);
        }
        response
    }
}

/// The user session of a page view, started if the browser has none (or only an
/// expired one).
pub fn visit(app: &App, headers: &HeaderMap) -> Result<Visit<User>, Failure> {
    match app.sessions.get(headers) {
        Some(found) => Ok(Visit::existing(found)),
        None => {
            let started = app.sessions.start(None, None).map_err(Failure::server)?;
            Ok(Visit::started(&app.sessions, started))
        }
    }
}

/// The session (of `sessions`' kind) of a form post: it must be live, carry the
/// session's CSRF token and come from this server's own pages.
pub fn posted<P: Who>(
    sessions: &Sessions<P>,
    headers: &HeaderMap,
    csrf: &str,
) -> Result<Visit<P>, Failure> {
    match sessions.get(headers) {
        Some(found) if form_allowed(headers, &found.1, csrf) => Ok(Visit::existing(found)),
        _ => Err(Failure::Forbidden(
            "This form is from an expired session or another site: go back, reload the page and try again.",
        )),
    }
}

/// Runs `f` on the app in a blocking task.
pub async fn blocking<T: Send + 'static>(
    app: &Arc<App>,
    f: impl FnOnce(&App) -> T + Send + 'static,
) -> Result<T, Failure> {
    let app = Arc::clone(app);
    tokio::task::spawn_blocking(move || f(&app))
        .await
        .map_err(Failure::server)
}

/// Unix time now.
pub fn now() -> Result<u64, Failure> {
    otpkit::unix_now().map_err(Failure::server)
}
