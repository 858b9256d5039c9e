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

use super::pipeline::{now_ms, store_events, Arrival};
use crate::{
    auth::authorize, body::read_body, client_addr::client_ip_hash, error::ApiError,
    pipeline::signed, state::AppState,
};

/// The kinds of key that may send ClickStream events.
const INGEST_KINDS: &[KeyKind] = &[KeyKind::Website, KeyKind::Mobile, KeyKind::Server];

#[derive(Serialize)]
struct Accepted {
    success: bool,
    accepted: usize,
    received: usize,
    timestamp: i64,
}

/// Handles `POST /v1/events`.
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
