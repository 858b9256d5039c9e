//! `/v1/dashboard/session`: sign in (`POST {"key"}` → the `clickwire_session` cookie), who
//! is signed in (`GET`), sign out (`DELETE`). The sessions themselves, and the CSRF rule
//! that decides when their cookie counts, are [`crate::auth::session`].

use std::net::SocketAddr;

use axum::{
    body::Body,
    extract::{ConnectInfo, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use clickwire_store::{AuthKey, KeyKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    admin::json_body,
    auth::{
        authorize_key, require_kind,
        session::{self, clear_cookie, foreign_origin, session_cookie, set_cookie},
    },
    body::read_body,
    client_addr::forwarded_https,
    error::{ApiError, ErrorBody as Error},
    openapi::tag,
    state::AppState,
};

/// The kinds of key that may sign in (those that may watch the dashboard stream).
const SIGN_IN_KINDS: &[KeyKind] = &[KeyKind::Server, KeyKind::Admin];
/// What a refused kind of key is told it cannot do.
const SIGN_IN: &str = "sign in to the dashboard";

/// The body of a sign-in.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// A server or admin key of the tenant to watch.
    key: String,
}

/// Who is signed in.
#[derive(Serialize, ToSchema)]
pub struct SignedIn {
    /// The tenant the session watches.
    tenant: String,
    /// The kind of key it signed in with (`server` or `admin`).
    kind: &'static str,
    /// Seconds until the session ends (it also ends when the key is revoked).
    expires_in: u64,
}

impl SignedIn {
    fn new(key: &AuthKey, expires_in: std::time::Duration) -> Self {
        Self {
            tenant: key.tenant.clone(),
            kind: key.kind.as_str(),
            expires_in: expires_in.as_secs(),
        }
    }
}

/// Handles `POST /v1/dashboard/session`.
#[utoipa::path(
    post,
    path = "/v1/dashboard/session",
    operation_id = "dashboard_sign_in",
    tag = tag::DASHBOARD,
    summary = "Sign in to the dashboard",
    description = "Takes `{\"key\": \"<server or admin key>\"}` in the body (never in the URL) and sets the `clickwire_session` cookie (`HttpOnly; SameSite=Strict; Path=/`, `Secure` when a trusted proxy says the request came over https), a random token that stands for the key for `dashboard.session_ttl` or until the key is revoked. A request with an `Origin` other than the server's own is refused.",
    request_body = SignIn,
    responses(
        (status = 200, description = "Signed in; the cookie is set.", body = SignedIn),
        (status = 400, description = "`invalid_json` or `validation_error`: the body is not `{\"key\": …}`.", body = Error),
        (status = 401, description = "`invalid_api_key`: the key is unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, an operator key, or a request from another origin.", body = Error),
    )
)]
pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    if foreign_origin(&state, &headers, Some(peer)) {
        return Err(ApiError::Forbidden(
            "sign in from the dashboard's own page (the request's Origin is another site)".into(),
        ));
    }
    let request: SignIn = json_body(&read_body(&state, body).await?)?;
    let key = authorize_key(&state, Some(&request.key), &headers, SIGN_IN_KINDS, SIGN_IN).await?;
    let token = state.sessions.start(&key);
    let ttl = state.sessions.ttl();
    let secure = is_https(&state, peer, &headers);
    let mut response = Json(SignedIn::new(&key, ttl)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::SET_COOKIE, set_cookie(&token, ttl, secure));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Handles `GET /v1/dashboard/session`.
#[utoipa::path(
    get,
    path = "/v1/dashboard/session",
    operation_id = "dashboard_session",
    tag = tag::DASHBOARD,
    summary = "Who is signed in",
    description = "The tenant and key kind of the `clickwire_session` cookie's session, and the seconds it has left (the page cannot read its `HttpOnly` cookie).",
    security(("session" = [])),
    responses(
        (status = 200, description = "The session.", body = SignedIn),
        (status = 401, description = "`invalid_api_key`: no cookie, or its session ended (expired, signed out, or the key was revoked).", body = Error),
    )
)]
pub async fn current(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let token = session_cookie(&headers).ok_or(ApiError::InvalidApiKey)?;
    let key = session::resolve(&state, &token).await?;
    require_kind(&key, SIGN_IN_KINDS, SIGN_IN)?;
    let left = state
        .sessions
        .remaining(&token)
        .ok_or(ApiError::InvalidApiKey)?;
    let mut response = Json(SignedIn::new(&key, left)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Handles `DELETE /v1/dashboard/session`.
#[utoipa::path(
    delete,
    path = "/v1/dashboard/session",
    operation_id = "dashboard_sign_out",
    tag = tag::DASHBOARD,
    summary = "Sign out of the dashboard",
    description = "Ends the cookie's session and clears the cookie. Always 204: signing out twice, or without a session, is not an error (a cookie sent from another origin is ignored, so its session stays).",
    security(("session" = [])),
    responses(
        (status = 204, description = "Signed out; the cookie is cleared."),
    )
)]
pub async fn sign_out(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if let Some(token) = session_cookie(&headers) {
        state.sessions.end(&token);
    }
    let secure = is_https(&state, peer, &headers);
    (
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, clear_cookie(secure))],
    )
        .into_response()
}

/// True when the browser reached the server over https (through a trusted proxy: the
/// server itself speaks plain HTTP).
fn is_https(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> bool {
    forwarded_https(&state.config.server.trusted_proxies, peer.ip(), headers)
}
