//! `POST /v1/events`: the ClickStream collector (a request signed with `X-Signature` is a
//! Datafly server-side request instead, see [`crate::pipeline::signed`]). Checks run cheapest-first: key, key kind,
//! Origin gate (all before a byte of the body is read), body size, JSON and validation,
//! rate limit; then the durable append, and
//! only then the 202.

use std::net::SocketAddr;

use axum::{
    body::Body,
    extract::{ConnectInfo, RawQuery, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use clickwire_model::{parse_events, ValidateContext};
use clickwire_store::KeyKind;
use serde::Serialize;
use utoipa::ToSchema;

use super::pipeline::{now_ms, store_events, Arrival};
use crate::{
    auth::authorize,
    body::read_body,
    client_addr::client_ip_hash,
    error::{ApiError, ErrorBody as Error},
    openapi::tag,
    pipeline::signed,
    state::AppState,
};

/// The kinds of key that may send ClickStream events.
const INGEST_KINDS: &[KeyKind] = &[KeyKind::Website, KeyKind::Mobile, KeyKind::Server];

/// The answer to stored ClickStream events.
#[derive(Serialize, ToSchema)]
pub struct Accepted {
    /// Always `true`.
    success: bool,
    /// Events stored (duplicates of stored events are not).
    accepted: usize,
    /// Events in the request.
    received: usize,
    /// When the answer was made (ms since the epoch).
    timestamp: i64,
}

/// Handles `POST /v1/events`.
#[utoipa::path(
    post,
    path = "/v1/events",
    tag = tag::CLICKSTREAM,
    summary = "Send ClickStream events",
    description = "A website, mobile or server key sends one event or `{\"events\": [...]}` (1 to 25), validated whole: one bad event refuses the request. Checks run cheapest-first (key, kind, Origin gate, body size, JSON and validation, rate limit); the answer comes after the durable append. A request with `X-Signature` is a Datafly server-side request instead: a pipeline key in the headers, `X-Signature` and `X-Timestamp` over the body, the client inside the source's IP allowlist, and one Signal message (with its `type`) or `{\"batch\": [...]}` as the body, answered 200 as the pipeline routes answer.",
    security(("api_key" = []), ("bearer" = []), ("query_key" = []), ("signature" = [], "bearer" = []), ("signature" = [], "basic" = []), ("signature" = [], "api_key" = []), ("signature" = [], "query_key" = [])),
    request_body(description = "One event, or `{\"events\": [...]}`.", content_type = "application/json", content = Object),
    responses(
        (status = 202, description = "The events are stored.", body = Accepted, headers(("X-RateLimit-Limit" = u32, description = "The limit of the key's plan (when rate limits are on)."), ("X-RateLimit-Remaining" = u32, description = "Events left in the current window."))),
        (status = 200, description = "A signed request's message is stored (`{\"success\": true}`), or a signed batch's per-message results.", body = Object),
        (status = 400, description = "`invalid_json`, `validation_error` (with `details`) or `invalid_request`.", body = Error),
        (status = 401, description = "`invalid_api_key`, `invalid_pipeline_key` (signed) or `invalid_signature` (signed).", body = Error),
        (status = 403, description = "`forbidden` (not a website, mobile or server key), `domain_not_allowed` (a website key from outside its domains) or `ip_not_allowed` (signed).", body = Error),
        (status = 413, description = "`payload_too_large`: the body is over `server.max_body_bytes`.", body = Error),
        (status = 429, description = "`rate_limit_exceeded` (`Retry-After`, `X-RateLimit-*`).", body = Error),
        (status = 503, description = "`overloaded` or `storage_unavailable` (`Retry-After`).", body = Error),
    )
)]
pub async fn post_events(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    if headers.contains_key(signed::SIGNATURE_HEADER) {
        return signed::post(&state, peer, query.as_deref(), &headers, body).await;
    }
    let key = authorize(
        &state,
        &headers,
        query.as_deref(),
        INGEST_KINDS,
        "send events",
    )
    .await?;
    let body = read_body(&state, body).await?;
    let received_at = now_ms();
    let events = parse_events(
        &body,
        ValidateContext {
            now_ms: received_at,
        },
    )?;
    let allowed = state
        .limits
        .check(&key, events.len())
        .map_err(ApiError::RateLimited)?;
    let arrival = Arrival {
        ip_hash: client_ip_hash(&state, peer, &headers),
        received_at,
        method: "POST",
    };
    let outcome = store_events(&state, &key, events, arrival).await?;
    let body = Accepted {
        success: true,
        accepted: outcome.accepted,
        received: outcome.received,
        timestamp: now_ms(),
    };
    let mut response = (StatusCode::ACCEPTED, Json(body)).into_response();
    if let Some(allowed) = allowed {
        allowed.write_headers(response.headers_mut());
    }
    Ok(response)
}
