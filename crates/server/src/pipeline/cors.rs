//! CORS of the pipeline routes, decided by the source's allowed origins rather than the
//! collector's open policy. Every response carries `Access-Control-Allow-Methods`,
//! `-Allow-Headers` and `-Allow-Credentials`; `Access-Control-Allow-Origin` echoes the
//! request's `Origin` only once the handler found it allowed (never `*`: credentials are
//! allowed). A preflight names its source only through `?key=` (browsers send no
//! `Authorization` on one); without it, the origin must be allowed by some pipeline source,
//! and the request itself is then checked against its own source.

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::key::{authenticate, presented_key};
use crate::{
    auth::{host_allowed, is_localhost},
    error::ApiError,
    state::AppState,
};

const ALLOW_METHODS: HeaderValue = HeaderValue::from_static("POST, OPTIONS");
const ALLOW_HEADERS: HeaderValue = HeaderValue::from_static("Content-Type, Authorization");
const ALLOW_CREDENTIALS: HeaderValue = HeaderValue::from_static("true");
/// How long a browser may cache a preflight answer (seconds).
const MAX_AGE: HeaderValue = HeaderValue::from_static("86400");

/// Marks a response whose request `Origin` the handler allowed.
#[derive(Clone, Copy)]
pub struct OriginAllowed;

/// Answers preflights and puts the CORS headers on every pipeline response.
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    let mut response = if request.method() == Method::OPTIONS {
        preflight(&state, request.headers(), request.uri().query()).await
    } else {
        next.run(request).await
    };
    let allowed = response.extensions().get::<OriginAllowed>().is_some();
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS);
    headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS);
    headers.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, ALLOW_CREDENTIALS);
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let (Some(origin), true) = (origin, allowed) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    response
}

/// `OPTIONS`: 204 when the origin may send, 403 `origin_not_allowed` otherwise.
async fn preflight(state: &AppState, headers: &HeaderMap, query: Option<&str>) -> Response {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return StatusCode::NO_CONTENT.into_response();
    };
    let allowed = match presented_key(headers, query) {
        Some(key) => match authenticate(state, Some(&key)).await {
            Ok(caller) => origin_ok(state, &caller.source.source.origins, origin),
            Err(err) => return err.into_response(),
        },
        None => any_source_allows(state, origin).await,
    };
    if !allowed {
        return ApiError::OriginNotAllowed.into_response();
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::ACCESS_CONTROL_MAX_AGE, MAX_AGE);
    response.extensions_mut().insert(OriginAllowed);
    response
}

async fn any_source_allows(state: &AppState, origin: &str) -> bool {
    if state.config.server.development && is_localhost(origin) {
        return true;
    }
    match state.sources.all_origins().await {
        Ok(origins) => host_allowed(&origins, origin),
        Err(err) => {
            tracing::warn!(error = %err, "could not read the sources' origins for a preflight");
            false
        }
    }
}

/// True when a request from `origin` may reach a source allowing `origins`.
pub fn origin_ok(state: &AppState, origins: &[String], origin: &str) -> bool {
    (state.config.server.development && is_localhost(origin)) || host_allowed(origins, origin)
}
