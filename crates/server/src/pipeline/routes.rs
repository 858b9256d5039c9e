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
use utoipa::ToSchema;

use super::{
    cors::OriginAllowed,
    gate::{admit, OriginCheck},
    store::{store_messages, Stored},
};
use crate::{
    client_addr::client_ip_hash,
    error::{ApiError, ErrorBody as Error},
    ingest::now_ms,
    openapi::tag,
    state::AppState,
};

/// The answer to a stored message.
#[derive(Serialize, ToSchema)]
pub struct Success {
    /// Always `true`.
    success: bool,
}

/// One message's result in a batch answer.
#[derive(Serialize, ToSchema)]
pub struct MessageResult {
    #[serde(rename = "messageId")]
    message_id: Option<String>,
    /// `accepted`, `duplicate` or `rejected`.
    status: &'static str,
    /// `validation_error` when rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
    /// Why the message was rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<FieldError>>)]
    details: Option<Vec<FieldError>>,
}

/// The answer to a batch: one result per message, in the batch's order.
#[derive(Serialize, ToSchema)]
pub struct BatchAnswer {
    /// Always `true` (a batch with no valid message is a 400 instead).
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

/// How every pipeline request is authenticated and admitted.
const ADMISSION: &str = "The pipeline key (`dk_…`) may come as `Authorization: Bearer`, as \
    the user name of HTTP Basic auth, as `X-API-Key`, as `?key=`, or — when the headers \
    carry none — as the body's `writeKey`; any failure is the same 401 \
    `invalid_pipeline_key`. A browser request (with `Origin`) must come from one of the \
    source's origins, a server-side one (no `Origin`) from inside its IP allowlist. The \
    body may be sent gzip or deflate (`Content-Encoding`). CORS answers come from the \
    source's origins.";

/// One pipeline route: the `POST` of one message of type `$kind`, validated as `$dialect`
/// says, and the `OPTIONS` of its path (answered by the CORS layer, [`super::cors`]).
macro_rules! typed_route {
    ($post:ident, $preflight:ident, $path:tt, $kind:ident, $dialect:ident, $tag:expr, $summary:tt, $limit:tt) => {
        #[utoipa::path(
            post,
            path = $path,
            tag = $tag,
            summary = $summary,
            description = ADMISSION,
            security(("bearer" = []), ("basic" = []), ("api_key" = []), ("query_key" = [])),
            request_body(
                description = concat!("One message (at most ", $limit, " once decoded); its `type`, when present, must match the route."),
                content_type = "application/json",
                content = Object
            ),
            responses(
                (status = 200, description = "Stored (or a duplicate of a stored message).", body = Success),
                (status = 400, description = "`invalid_json`, `validation_error` (with `details`) or `invalid_request` (an unsupported `Content-Encoding`).", body = Error),
                (status = 401, description = "`invalid_pipeline_key`.", body = Error),
                (status = 403, description = "`origin_not_allowed` or `ip_not_allowed`.", body = Error),
                (status = 413, description = "`payload_too_large`.", body = Error),
                (status = 429, description = "`rate_limit_exceeded`: the source's rate limit (`Retry-After`).", body = Error),
                (status = 503, description = "`overloaded` or `storage_unavailable` (`Retry-After`).", body = Error),
            )
        )]
        pub async fn $post(parts: Parts) -> Response {
            typed(parts, MessageType::$kind, Dialect::$dialect).await
        }

        preflight_route!($preflight, $path, $tag);
    };
}

/// The documented `OPTIONS` of a pipeline path.
macro_rules! preflight_route {
    ($preflight:ident, $path:tt, $tag:expr) => {
        #[utoipa::path(
            options,
            path = $path,
            tag = $tag,
            summary = "CORS preflight",
            description = "Answered from the source's origins: the source is named by \
                `?key=` (browsers send no `Authorization` on a preflight); without it, the \
                `Origin` must be allowed by some pipeline source. Without an `Origin` it is a \
                plain 204.",
            params(("key" = Option<String>, Query, description = "The pipeline key, naming the source.")),
            responses(
                (status = 204, description = "The origin may send (`Access-Control-Allow-Origin` echoes it)."),
                (status = 401, description = "`invalid_pipeline_key`: `?key=` is not a live pipeline key.", body = Error),
                (status = 403, description = "`origin_not_allowed`.", body = Error),
            )
        )]
        pub async fn $preflight() -> StatusCode {
            StatusCode::NO_CONTENT
        }
    };
}

/// A batch route: `POST` of `{"batch": [...]}`, and its `OPTIONS`.
macro_rules! batch_route {
    ($post:ident, $preflight:ident, $path:tt, $summary:tt) => {
        #[utoipa::path(
            post,
            path = $path,
            tag = tag::SEGMENT,
            tags = [tag::PIPELINE],
            summary = $summary,
            description = ADMISSION,
            security(("bearer" = []), ("basic" = []), ("api_key" = []), ("query_key" = [])),
            request_body(
                description = "`{\"batch\": [message, …], \"sentAt\"?, \"context\"?}` (at most 500 KiB once decoded); each message carries its `type`.",
                content_type = "application/json",
                content = Object
            ),
            responses(
                (status = 200, description = "The valid messages are stored; each message's result, in order.", body = BatchAnswer),
                (status = 400, description = "`invalid_json`, `validation_error` (no valid message; `details` for all) or `invalid_request`.", body = Error),
                (status = 401, description = "`invalid_pipeline_key`.", body = Error),
                (status = 403, description = "`origin_not_allowed` or `ip_not_allowed`.", body = Error),
                (status = 413, description = "`payload_too_large`.", body = Error),
                (status = 429, description = "`rate_limit_exceeded`: the source's rate limit (`Retry-After`).", body = Error),
                (status = 503, description = "`overloaded` or `storage_unavailable` (`Retry-After`).", body = Error),
            )
        )]
        pub async fn $post(parts: Parts) -> Response {
            batch_of(parts).await
        }

        preflight_route!($preflight, $path, tag::SEGMENT);
    };
}

typed_route!(
    signal_track,
    signal_track_preflight,
    "/v1/t",
    Track,
    Signal,
    tag::PIPELINE,
    "Send one Signal `track` message",
    "`server.max_body_bytes`"
);
typed_route!(
    signal_page,
    signal_page_preflight,
    "/v1/p",
    Page,
    Signal,
    tag::PIPELINE,
    "Send one Signal `page` message",
    "`server.max_body_bytes`"
);
typed_route!(
    signal_identify,
    signal_identify_preflight,
    "/v1/i",
    Identify,
    Signal,
    tag::PIPELINE,
    "Send one Signal `identify` message",
    "`server.max_body_bytes`"
);
typed_route!(
    signal_group,
    signal_group_preflight,
    "/v1/g",
    Group,
    Signal,
    tag::PIPELINE,
    "Send one Signal `group` message",
    "`server.max_body_bytes`"
);
typed_route!(
    segment_track,
    segment_track_preflight,
    "/v1/track",
    Track,
    Segment,
    tag::SEGMENT,
    "Send one Segment `track` call",
    "32 KiB"
);
typed_route!(
    segment_page,
    segment_page_preflight,
    "/v1/page",
    Page,
    Segment,
    tag::SEGMENT,
    "Send one Segment `page` call",
    "32 KiB"
);
typed_route!(
    segment_screen,
    segment_screen_preflight,
    "/v1/screen",
    Screen,
    Segment,
    tag::SEGMENT,
    "Send one Segment `screen` call",
    "32 KiB"
);
typed_route!(
    segment_identify,
    segment_identify_preflight,
    "/v1/identify",
    Identify,
    Segment,
    tag::SEGMENT,
    "Send one Segment `identify` call",
    "32 KiB"
);
typed_route!(
    segment_group,
    segment_group_preflight,
    "/v1/group",
    Group,
    Segment,
    tag::SEGMENT,
    "Send one Segment `group` call",
    "32 KiB"
);
typed_route!(
    segment_alias,
    segment_alias_preflight,
    "/v1/alias",
    Alias,
    Segment,
    tag::SEGMENT,
    "Send one Segment `alias` call",
    "32 KiB"
);
batch_route!(
    batch,
    batch_preflight,
    "/v1/batch",
    "Send a batch of messages of any type"
);
batch_route!(
    import,
    import_preflight,
    "/v1/import",
    "Send a batch of messages (Segment's `/v1/import`, the same as `/v1/batch`)"
);

/// `POST` of one message of type `kind`, validated as `dialect` says.
async fn typed(parts: Parts, kind: MessageType, dialect: Dialect) -> Response {
    let (State(state), ConnectInfo(peer), RawQuery(query), headers, body) = parts;
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
}

/// `POST /v1/batch` (and `/v1/import`).
async fn batch_of(parts: Parts) -> Response {
    let (State(state), ConnectInfo(peer), RawQuery(query), headers, body) = parts;
    let mut origin = OriginCheck::default();
    let result = many(&state, peer, query, &headers, body, &mut origin).await;
    respond(result, &origin)
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
