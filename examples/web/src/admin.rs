//! The administrator: whoever holds the token in the file given with
//! `--admin-token-file` (created with a fresh random token, mode 0600, if it does
//! not exist). Not an account: no name anyone can sign up with grants anything.
//! The token is typed into `/admin`'s sign-in form, compared in constant time,
//! and starts an administrator session, kept apart from user sessions (its own
//! table, its own cookie sent only under `/admin`, shorter timeouts).

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::Path;

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::app::{Shared, Visit, Who, blocking, now, posted};
use crate::csrf::{same_origin, secrets_equal};
use crate::error::Failure;
use crate::handlers::{CsrfOnly, Done};
use crate::html::{Nav, layout};
use crate::pages::{AccountRow, admin_signin_body, admin_table};

/// The shortest token accepted from a file: 32 characters.
pub const MIN_TOKEN_LEN: usize = 32;
/// The longest token accepted from a file: 512 characters.
pub const MAX_TOKEN_LEN: usize = 512;
/// The most bytes read from a token file (a token and some white space).
const MAX_TOKEN_FILE_BYTES: u64 = 1024;
/// Random bytes in a new token (shown as twice as many hex digits): 256 bits.
const NEW_TOKEN_BYTES: usize = 32;

/// Said where there is no administrator.
const ADMIN_OFF: &str =
    "There is no administrator: the server was started without --admin-token-file PATH.";

/// The principal of an administrator session (made only by [`signin`], after the
/// token matched).
#[derive(Clone)]
pub struct Admin;

impl Who for Admin {
    fn nav<'a>(who: Option<&'a Self>, csrf: &'a str) -> Nav<'a> {
        match who {
            Some(Admin) => Nav::Admin { csrf },
            None => Nav::None,
        }
    }
}

/// The administrator's token. Its `Debug` shows no character of it.
pub struct AdminToken(Zeroizing<String>);

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminToken(…)")
    }
}

/// Whether [`AdminToken::from_file`] made the file or read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenFile {
    /// The file did not exist: it holds a new token now.
    Created,
    /// The file existed: its token is used.
    Read,
}

impl AdminToken {
    /// `text` (surrounding white space dropped) as a token: [`MIN_TOKEN_LEN`] to
    /// [`MAX_TOKEN_LEN`] characters, none of them a control character.
    pub fn new(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let len = text.chars().count();
        if !(MIN_TOKEN_LEN..=MAX_TOKEN_LEN).contains(&len) || text.chars().any(char::is_control) {
            return Err(format!(
                "an administrator token is {MIN_TOKEN_LEN} to {MAX_TOKEN_LEN} characters without control characters (a new file gets {} random hex digits)",
                NEW_TOKEN_BYTES * 2
            ));
        }
        Ok(AdminToken(Zeroizing::new(text.to_owned())))
    }

    /// The token in the file at `path`; if there is no such file, a new random one
    /// written to a new file there, readable by this user only (mode 0600). An
    /// existing file that others may read or write is refused: whoever can read it
    /// is the administrator.
    pub fn from_file(path: &Path) -> Result<(Self, TokenFile), String> {
        let at = |e: &dyn fmt::Display| format!("--admin-token-file {}: {e}", path.display());
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(path) {
            Ok(mut file) => {
                let token = new_token().map_err(|e| at(&e))?;
                file.write_all(format!("{}\n", token.as_str()).as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(|e| at(&e))?;
                Ok((AdminToken(token), TokenFile::Created))
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                let file = File::open(path).map_err(|e| at(&e))?;
                let meta = file.metadata().map_err(|e| at(&e))?;
                if !meta.is_file() {
                    return Err(at(&"not a regular file"));
                }
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = meta.permissions().mode() & 0o777;
                    if mode & 0o077 != 0 {
                        return Err(at(&format_args!(
                            "others may read or write it (mode {mode:03o}): make it the server's user's alone (chmod 600)"
                        )));
                    }
                }
                let mut bytes = Zeroizing::new(Vec::new());
                file.take(MAX_TOKEN_FILE_BYTES + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| at(&e))?;
                if bytes.len() as u64 > MAX_TOKEN_FILE_BYTES {
                    return Err(at(&format_args!(
                        "longer than {MAX_TOKEN_FILE_BYTES} bytes: not a token file"
                    )));
                }
                let text = std::str::from_utf8(&bytes).map_err(|_| at(&"not UTF-8 text"))?;
                Ok((AdminToken::new(text).map_err(|e| at(&e))?, TokenFile::Read))
            }
            Err(e) => Err(at(&e)),
        }
    }

    /// Whether `typed` (surrounding white space dropped) is the token, compared in
    /// constant time.
    pub fn matches(&self, typed: &str) -> bool {
        secrets_equal(typed.trim().as_bytes(), self.0.as_bytes())
    }
}

/// 256 random bits as hex.
fn new_token() -> Result<Zeroizing<String>, getrandom::Error> {
    let mut bytes = Zeroizing::new([0u8; NEW_TOKEN_BYTES]);
    getrandom::fill(bytes.as_mut())?;
    let mut text = Zeroizing::new(String::with_capacity(NEW_TOKEN_BYTES * 2));
    for b in bytes.iter() {
        text.push(char::from(HEX[usize::from(b >> 4)]));
        text.push(char::from(HEX[usize::from(b & 15)]));
    }
    Ok(text)
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The administrator session of a request, if it has a live one.
fn session(app: &crate::app::App, headers: &HeaderMap) -> Option<Visit<Admin>> {
    app.admin_sessions
        .get(headers)
        .filter(|(_, s)| s.who.is_some())
        .map(Visit::existing)
}

/// A page outside any session (the sign-in form, a refusal).
fn plain_page(status: StatusCode, title: &str, body: &str) -> Response {
    (status, Html(layout(title, Nav::None, body))).into_response()
}

/// `GET /admin`: every account's device for the administrator; the sign-in form
/// (401) for anyone else; 403 if there is no administrator.
pub async fn page(
    State(app): Shared,
    headers: HeaderMap,
    Query(q): Query<Done>,
) -> Result<Response, Failure> {
    if app.admin_token.is_none() {
        return Err(Failure::Forbidden(ADMIN_OFF));
    }
    let Some(v) = session(&app, &headers) else {
        return Ok(plain_page(
            StatusCode::UNAUTHORIZED,
            "Administrator sign-in",
            &admin_signin_body("", &q.notice()),
        ));
    };
    let now = now()?;
    let rows = blocking(&app, move |a| {
        a.accounts
            .names()
            .into_iter()
            .map(|name| {
                let status = a.mfa.user_status(&name)?;
                let enrolled = a.mfa.devices(&name)?.iter().filter(|d| d.enrolled).count();
                Ok(AccountRow {
                    name,
                    status,
                    enrolled,
                })
            })
            .collect::<Result<Vec<_>, otpkit_store::ServiceError>>()
    })
    .await?
    .map_err(Failure::server)?;
    let body = q.notice() + &admin_table(v.csrf(), &rows, now);
    Ok(v.page(StatusCode::OK, "Administration: MFA devices", &body))
}

/// The administrator sign-in form.
#[derive(Deserialize)]
pub struct TokenForm {
    token: String,
}

/// `POST /admin/signin`: the token, from this server's own page, starts an
/// administrator session.
pub async fn signin(
    State(app): Shared,
    headers: HeaderMap,
    Form(f): Form<TokenForm>,
) -> Result<Response, Failure> {
    let Some(token) = &app.admin_token else {
        return Err(Failure::Forbidden(ADMIN_OFF));
    };
    if !same_origin(&headers) {
        return Err(Failure::Forbidden(
            "This form is from another site: open /admin on this server and sign in there.",
        ));
    }
    let typed = Zeroizing::new(f.token);
    if !token.matches(&typed) {
        return Ok(plain_page(
            StatusCode::UNAUTHORIZED,
            "Administrator sign-in",
            &admin_signin_body("Wrong administrator token.", ""),
        ));
    }
    // Signing in again replaces the browser's earlier administrator session.
    let old = app.admin_sessions.get(&headers).map(|(sid, _)| sid);
    let started = app
        .admin_sessions
        .start(old.as_deref(), Some(Admin))
        .map_err(Failure::server)?;
    Ok(Visit::started(&app.admin_sessions, started).redirect("/admin"))
}

/// The administrator session of a form post, or a refusal.
fn admin_post(
    app: &crate::app::App,
    headers: &HeaderMap,
    csrf: &str,
) -> Result<Visit<Admin>, Failure> {
    if app.admin_token.is_none() {
        return Err(Failure::Forbidden(ADMIN_OFF));
    }
    let v = posted(&app.admin_sessions, headers, csrf)?;
    match v.who() {
        Some(Admin) => Ok(v),
        None => Err(Failure::Forbidden(
            "Administrators only: sign in at /admin with the administrator token.",
        )),
    }
}

/// The "Clear lock-out" form: the account whose device it is.
#[derive(Deserialize)]
pub struct ClearForm {
    csrf: String,
    user: String,
}

/// `POST /admin/clear`: clears an account's failures and lock-out (the user's
/// and every device's).
pub async fn clear(
    State(app): Shared,
    headers: HeaderMap,
    Form(f): Form<ClearForm>,
) -> Result<Response, Failure> {
    let v = admin_post(&app, &headers, &f.csrf)?;
    let now = now()?;
    let cleared = blocking(&app, move |a| {
        let status = a.mfa.user_status(&f.user)?;
        // Nothing to clear (no such user, or removed meanwhile): no record is made.
        if status.devices == 0 && status.failures == 0 && status.locked_until.is_none() {
            return Ok(false);
        }
        a.mfa.clear_user_lockout(&f.user, now).map(|()| true)
    })
    .await?
    .map_err(|e: otpkit_store::ServiceError| Failure::server(e))?;
    Ok(v.redirect(if cleared {
        "/admin?done=cleared"
    } else {
        "/admin"
    }))
}

/// `POST /admin/signout`: ends the administrator session.
pub async fn signout(
    State(app): Shared,
    headers: HeaderMap,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, Failure> {
    let v = admin_post(&app, &headers, &f.csrf)?;
    app.admin_sessions.end(&v.sid);
    Ok(v.redirect("/admin?done=signedout"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path in the system's temporary directory that nothing uses yet.
    fn fresh_path() -> std::path::PathBuf {
        let mut r = [0u8; 8];
        getrandom::fill(&mut r).unwrap();
        let hex: String = r.iter().map(|b| format!("{b:02x}")).collect();
        std::env::temp_dir().join(format!("otpkit-web-admin-{hex}"))
    }

    #[test]
    fn a_missing_token_file_is_created_private_with_256_random_bits_and_read_back() {
        let path = fresh_path();
        let (made, how) = AdminToken::from_file(&path).unwrap();
        assert_eq!(how, TokenFile::Created);
        let text = std::fs::read_to_string(&path).unwrap();
        let token = text.trim_end();
        assert_eq!(token.len(), 64);
        assert!(token.bytes().all(|b| HEX.contains(&b)), "{token}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(made.matches(token));
        assert!(made.matches(&format!(" {token}\n")));
        assert!(!made.matches(&token[..63]));
        assert!(!made.matches(""));
        assert_eq!(format!("{made:?}"), "AdminToken(…)");
        let (read, how) = AdminToken::from_file(&path).unwrap();
        assert_eq!(how, TokenFile::Read);
        assert!(read.matches(token));
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_token_file_others_may_read_or_holding_no_token_is_refused() {
        let path = fresh_path();
        std::fs::write(&path, "short\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let e = AdminToken::from_file(&path).unwrap_err();
            assert!(e.contains("others may read or write it (mode 644)"), "{e}");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let e = AdminToken::from_file(&path).unwrap_err();
        assert!(e.contains("32 to 512 characters"), "{e}");
        assert!(!e.contains("short"), "no token text in errors: {e}");
        std::fs::write(&path, "x".repeat(2000)).unwrap();
        let e = AdminToken::from_file(&path).unwrap_err();
        assert!(e.contains("longer than 1024 bytes"), "{e}");
        std::fs::remove_file(&path).unwrap();
    }
}
