//! The pipeline routes: the Datafly Signal endpoints `/v1/t /v1/p /v1/i /v1/g`, the
//! Segment HTTP Tracking API `/v1/track /v1/page /v1/screen /v1/identify /v1/group
//! /v1/alias`, and `/v1/batch` (`/v1/import`), which both APIs share. Each answers
//! `200 {"success":true}` after the durable append; a batch answers per message.

use std::net::SocketAddr;

use axum::{
    body::Body,
    extract::{ConnectInfo, RawQuery, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{post, MethodRouter},
    Json,
};
use clickwire_model::{
    signal::{
        parse_batch, parse_single, Dialect, MessageType, SignalContext, MAX_BATCH_BYTES,
        MAX_MESSAGE_BYTES,
    },
    FieldError,
};
use serde::Serialize;

use super::{
    cors::OriginAllowed,
    gate::{admit, OriginCheck},
    store::{store_messages, Stored},
};
use crate::{client_addr::client_ip_hash, error::ApiError, ingest::now_ms, state::AppState};

#[derive(Serialize)]
struct Success {
    success: bool,
}

/// One message's result in a batch answer.
#[derive(Serialize)]
struct MessageResult {
    #[serde(rename = "messageId")]
    message_id: Option<String>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<Vec<FieldError>>,
}

#[derive(Serialize)]
struct BatchAnswer {
    success: bool,
    results: Vec<MessageResult>,
}

/// The request parts every pipeline handler takes.
type Parts = (
    State<AppState>,
    ConnectInfo<SocketAddr>,
    RawQuery,
    HeaderMap,
    Body,
);

/// `POST` of one message of type `kind`, validated as `dialect` says.
pub fn typed(kind: MessageType, dialect: Dialect) -> MethodRouter<AppState> {
    post(
        move |State(state): State<AppState>,
              ConnectInfo(peer): ConnectInfo<SocketAddr>,
              RawQuery(query): RawQuery,
              headers: HeaderMap,
              body: Body| async move {
            let mut origin = OriginCheck::default();
            let result = single(
                &state,
                peer,
                query,
                &headers,
                body,
                kind,
                dialect,
                &mut origin,
            )
            .await;
            respond(result, &origin)
        },
    )
    .options(preflight)
}

/// `POST /v1/batch` (and `/v1/import`).
pub fn batch() -> MethodRouter<AppState> {
    post(|parts: Parts| async move {
        let (State(state), ConnectInfo(peer), RawQuery(query), headers, body) = parts;
        let mut origin = OriginCheck::default();
        let result = many(&state, peer, query, &headers, body, &mut origin).await;
        respond(result, &origin)
    })
    .options(preflight)
}

/// `OPTIONS`: answered by the CORS layer ([`super::cors`]) before it reaches here.
async fn preflight() -> StatusCode {
    StatusCode::NO_CONTENT
}

/// The response, marked when its request's Origin was allowed.
fn respond(result: Result<Response, ApiError>, origin: &OriginCheck) -> Response {
    let mut response = result.unwrap_or_else(IntoResponse::into_response);
    if origin.allowed {
        response.extensions_mut().insert(OriginAllowed);
    }
    response
}

#[allow(clippy::too_many_arguments)]
async fn single(
    state: &AppState,
    peer: SocketAddr,
    query: Option<String>,
    headers: &HeaderMap,
    body: Body,
    kind: MessageType,
    dialect: Dialect,
    origin: &mut OriginCheck,
) -> Result<Response, ApiError> {
    let limit = match dialect {
        Dialect::Signal => state.config.server.max_body_bytes,
        Dialect::Segment => MAX_MESSAGE_BYTES,
    };
    let admitted = admit(state, peer, query.as_deref(), headers, body, limit, origin).await?;
    let received_at = now_ms();
    let ctx = SignalContext {
        now_ms: received_at,
        dialect,
        batch_sent_at: None,
    };
    let message = parse_single(admitted.body.value, Some(kind), ctx)?;
    let ip_hash = client_ip_hash(state, peer, headers);
    store_messages(state, &admitted.caller, vec![message], ip_hash, received_at).await?;
    Ok((StatusCode::OK, Json(Success { success: true })).into_response())
}

async fn many(
    state: &AppState,
    peer: SocketAddr,
    query: Option<String>,
    headers: &HeaderMap,
    body: Body,
    origin: &mut OriginCheck,
) -> Result<Response, ApiError> {
    let admitted = admit(
        state,
        peer,
        query.as_deref(),
        headers,
        body,
        MAX_BATCH_BYTES,
        origin,
    )
    .await?;
    let received_at = now_ms();
    let ip_hash = client_ip_hash(state, peer, headers);
    store_batch(
        state,
        &admitted.caller,
        admitted.body.value,
        ip_hash,
        received_at,
    )
    .await
}

/// Validates a batch, stores its valid messages and answers for each.
pub async fn store_batch(
    state: &AppState,
    caller: &super::key::Caller,
    body: serde_json::Map<String, serde_json::Value>,
    ip_hash: String,
    received_at: i64,
) -> Result<Response, ApiError> {
    let ctx = SignalContext {
        now_ms: received_at,
        dialect: Dialect::Segment,
        batch_sent_at: None,
    };
    let items = parse_batch(body, ctx)?;
    let mut results = Vec::with_capacity(items.len());
    let mut valid = Vec::new();
    let mut refused = Vec::new();
    for item in items {
        match item.result {
            Ok(message) => {
                results.push(MessageResult {
                    message_id: item.message_id,
                    status: Stored::Accepted.as_str(),
                    error: None,
                    details: None,
                });
                valid.push((results.len() - 1, message));
            }
            Err(details) => {
                refused.extend(details.iter().cloned());
                results.push(MessageResult {
                    message_id: item.message_id,
                    status: "rejected",
                    error: Some("validation_error"),
                    details: Some(details),
                });
            }
        }
    }
    if valid.is_empty() {
        return Err(ApiError::Validation(refused));
    }
    let (at, messages): (Vec<usize>, Vec<_>) = valid.into_iter().unzip();
    let stored = store_messages(state, caller, messages, ip_hash, received_at).await?;
    for (i, outcome) in at.into_iter().zip(stored) {
        results[i].status = outcome.as_str();
    }
    Ok((
        StatusCode::OK,
        Json(BatchAnswer {
            success: true,
            results,
        }),
    )
        .into_response())
}
