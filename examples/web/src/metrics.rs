//! `GET /metrics`: the service's counters ([`Metrics`], fed every audit event) in
//! the Prometheus text format, version 0.0.4.
//!
//! Who may read them: the server listens on 127.0.0.1 only, so without a token any
//! process on this machine may (the counters hold no user name, device name, code
//! or secret: only counts by event kind and reason, and timings). With
//! `--metrics-token-file PATH` a scraper must also send `Authorization: Bearer
//! TOKEN`, for when a proxy makes the server reachable from elsewhere.

use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
pub use otpkit_store::audit::Metrics;

use crate::app::Shared;

/// Whether the request may read the metrics: no token configured, or the right
/// `Authorization: Bearer` token.
fn allowed(token: Option<&crate::admin::AdminToken>, headers: &HeaderMap) -> bool {
    let Some(token) = token else {
        return true;
    };
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|typed| token.matches(typed))
}

/// `GET /metrics`: [`Metrics::render`] as [`Metrics::CONTENT_TYPE`]
/// (`text/plain; version=0.0.4`); 401 without
/// the token when one is configured.
pub async fn metrics(State(app): Shared, headers: HeaderMap) -> Response {
    if !allowed(app.metrics_token.as_ref(), &headers) {
        let mut response = (
            StatusCode::UNAUTHORIZED,
            "/metrics needs the token from --metrics-token-file: Authorization: Bearer TOKEN\n",
        )
            .into_response();
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return response;
    }
    let mut response = app.metrics.render().into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static(Metrics::CONTENT_TYPE),
    );
    response
}
