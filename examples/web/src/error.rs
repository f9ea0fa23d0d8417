//! What ends a request early, as a response: handlers return
//! `Result<Response, Failure>` and use `?`.

use std::fmt::Display;

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use crate::html::{Nav, error, layout};

/// How long a refused sign-in is asked to wait before trying again (the
/// `Retry-After` of [`Failure::Busy`]): a hash takes about 50 ms, so a slot is
/// free again well within a second.
pub const RETRY_AFTER_SECS: u64 = 1;

/// Why a request ends without the page it asked for.
#[derive(Debug)]
pub enum Failure {
    /// A failure that is not the user's (the store, a spawned task, the clock):
    /// written to the server's log, a generic page to the browser.
    Server(String),
    /// A form from an expired session or another site, or a page for someone
    /// else: this sentence, 403.
    Forbidden(&'static str),
    /// Every password-hashing slot is taken: 503 with `Retry-After`.
    Busy,
    /// A response made already (a redirect to sign in first).
    Respond(Box<Response>),
}

impl Failure {
    /// [`Failure::Server`] from any error (its text must hold no secret).
    pub fn server(e: impl Display) -> Self {
        Failure::Server(e.to_string())
    }
}

impl From<Response> for Failure {
    fn from(response: Response) -> Self {
        Failure::Respond(Box::new(response))
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let page = |status: StatusCode, title: &str, message: &str| {
            (status, Html(layout(title, Nav::None, &error(message)))).into_response()
        };
        match self {
            Failure::Server(e) => {
                eprintln!("otpkit-web: {e}");
                page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "The server could not answer this request. Try again later.",
                )
            }
            Failure::Forbidden(message) => page(StatusCode::FORBIDDEN, "Refused", message),
            Failure::Busy => {
                let mut response = page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Busy",
                    "The server is checking too many passwords at once: try again in a moment.",
                );
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
                response
            }
            Failure::Respond(response) => *response,
        }
    }
}
