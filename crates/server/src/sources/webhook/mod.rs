//! Webhook ingest: `ANY /v1/ingest/{source_id}`. No key — the source id is the address.
//! The request is checked against its source (IP lists, rate limit, signature), its dedup
//! key looked up (a duplicate answers 200 with the first event's id and is not stored
//! again, also after a restart), then recorded as an event ([`record`]) — not scored — and
//! answered `202 {"event_id","source_id"}` after the durable append. A test session's id
//! is such an address too, until it ends ([`super::test_sessions`]).

pub mod dedup;
pub mod record;
pub mod verify;

use std::{net::SocketAddr, sync::Arc};

use crate::extract::Path;
use axum::{
    body::Body,
    extract::{ConnectInfo, State},
    http::{HeaderMap, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
    Json,
};
use clickwire_store::{MarkQuery, SourceKind};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    body::read_body,
    client_addr::{client_ip, client_ip_hash},
    error::{ApiError, ErrorBody as Error},
    ingest::now_ms,
    openapi::tag,
    state::AppState,
};

/// The answer to a received webhook.
#[derive(Serialize, ToSchema)]
pub struct Received<'a> {
    event_id: &'a str,
    source_id: &'a str,
}

/// Handles `ANY /v1/ingest/{source_id}`. Documented as `POST`, what webhook senders use;
/// the router hands every method to it.
#[utoipa::path(
    post,
    path = "/v1/ingest/{source_id}",
    operation_id = "receive_webhook",
    tag = tag::WEBHOOKS,
    summary = "Receive a webhook",
    description = "Any method is accepted and recorded (webhook senders use `POST`; the method, path, query, headers and body are stored as an event of the source, not scored). No key: the source id is the address, of a `webhook` source or a live test session. The request is checked against the source's IP lists, rate limit and signature verification; a duplicate (by the source's dedup rule, within its window) answers 200 with the first event's id and is not stored again.",
    params(
        ("source_id" = String, Path, description = "The webhook source's id, or a test session's id."),
    ),
    request_body(description = "Whatever the sender sends; stored as received.", content_type = "*/*", content = String),
    responses(
        (status = 202, description = "Stored.", body = Received),
        (status = 200, description = "A duplicate: the first event's id.", body = Received),
        (status = 401, description = "`invalid_signature`: the source's verification failed.", body = Error),
        (status = 403, description = "`ip_not_allowed`.", body = Error),
        (status = 404, description = "`not_found`: no webhook source or test session with this id.", body = Error),
        (status = 410, description = "`session_expired`: the test session has ended.", body = Error),
        (status = 413, description = "`payload_too_large`: the body is over `server.max_body_bytes`.", body = Error),
        (status = 429, description = "`rate_limit_exceeded`: the source's rate limit (`Retry-After`).", body = Error),
        (status = 503, description = "`overloaded` or `storage_unavailable` (`Retry-After`).", body = Error),
    )
)]
pub async fn ingest(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(source_id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let entry = state
        .sources
        .get(&source_id)
        .await?
        .filter(|entry| matches!(entry.source.kind, SourceKind::Webhook | SourceKind::Test))
        .ok_or_else(|| ApiError::NotFound(format!("source `{source_id}`")))?;
    let ip = client_ip(&state.config.server.trusted_proxies, peer.ip(), &headers);
    if !entry.ip_allowed(ip) {
        return Err(ApiError::IpNotAllowed);
    }
    entry.check_rate().map_err(ApiError::RateLimited)?;
    let body = read_body(&state, body).await?;
    let received_at = now_ms();
    let source = &entry.source;
    if source.kind == SourceKind::Test {
        super::test_sessions::take_request(&state, source, received_at).await?;
    }
    if let Some(verification) = &source.verification {
        verify::check(verification, &headers, &body)?;
    }
    let tenant: Arc<str> = source.tenant.as_str().into();
    let source_key: Arc<str> = source.id.as_str().into();
    let key = source
        .dedup_rule
        .as_ref()
        .and_then(|rule| dedup::key(rule, &headers, &body));
    if let Some(key) = &key {
        let since = received_at.saturating_sub(source.dedup_window_ms);
        if let Some(first) = first_event(&state, &tenant, &source_key, key, since).await? {
            metrics::counter!("clickwire_webhook_duplicates_total").increment(1);
            let answer = Received {
                event_id: &first,
                source_id: &source.id,
            };
            return Ok((StatusCode::OK, Json(answer)).into_response());
        }
    }
    let request = record::Request {
        method: &method,
        path: uri.path(),
        query: uri.query(),
        headers: &headers,
        body: &body,
        ip_hash: client_ip_hash(&state, peer, &headers),
    };
    let event = record::new_event(&tenant, source, &request, key.clone(), received_at)?;
    let event_id = event.id.clone();
    record::append(state.log.as_ref(), Arc::clone(&tenant), source, event)?.await?;
    if let Some(key) = key {
        state
            .recall
            .remember_seen(&tenant, &source_key, key, received_at, &event_id);
    }
    metrics::counter!("clickwire_webhooks_received_total").increment(1);
    let answer = Received {
        event_id: &event_id,
        source_id: &source.id,
    };
    Ok((StatusCode::ACCEPTED, Json(answer)).into_response())
}

/// The event first stored with dedup `key` inside the window, if any: from memory, else
/// from the store.
async fn first_event(
    state: &AppState,
    tenant: &Arc<str>,
    source: &Arc<str>,
    key: &str,
    since: i64,
) -> Result<Option<String>, ApiError> {
    if let Some((at, first)) = state.recall.seen_at(tenant, source, key) {
        if at >= since {
            return Ok(Some(first.to_string()));
        }
    }
    let ask = MarkQuery {
        tenant: tenant.to_string(),
        source: source.to_string(),
        message_ids: vec![key.to_owned()],
        seen_since: since,
        anonymous_ids: Vec::new(),
    };
    let mut found = state.marks.lookup_marks(ask).await?;
    Ok(found.seen.remove(key))
}
