//! The inbound WebSocket source: `GET /v1/ws/source/{source_id}?token=<key>`, a server or
//! admin key of the source's tenant (checked, with the source, before the upgrade: 401 /
//! 404 as JSON). Each text message is stored as an event of the source, recorded like a
//! webhook whose body is the message, and answered `{"type":"ack","event_id"}` after the
//! durable append. Messages may be pipelined: each is queued for the log in the order it
//! arrived (so commits keep that order) and acks go out in the same order, with at most
//! [`IN_FLIGHT`] waiting before the socket stops reading. A message that is not JSON gets
//! `{"type":"error","error":"invalid_json"}` and the connection stays. The server sends
//! `{"type":"ping"}` every `feed.ping_interval`; a `{"type":"pong"}` message is the answer,
//! not an event. A revoked key closes the socket with 4001; a client silent for
//! `feed.idle_timeout` (no message, no pong) is closed with 4000; one that stops reading,
//! so that a write waits longer than `feed.slow_grace`, is dropped. Either way nothing of
//! it is held past those timeouts (`clickwire_stream_sockets{stream="source"}` counts the
//! open ones).

use std::{net::SocketAddr, sync::Arc};

use crate::extract::Path;
use axum::{
    extract::{
        ws::{rejection::WebSocketUpgradeRejection, CloseFrame, Message, Utf8Bytes, WebSocket},
        ConnectInfo, RawQuery, State, WebSocketUpgrade,
    },
    http::{header, HeaderMap, HeaderValue, Method},
    response::Response,
};
use bytes::Bytes;
use clickwire_store::{KeyKind, SourceKind};
use futures::{future::BoxFuture, stream::FuturesOrdered, FutureExt, SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::watch;

use super::{webhook::record, SourceEntry};
use crate::{
    auth::{authorize_key, query_param, request_key},
    client_addr::client_ip_hash,
    error::{ApiError, ErrorBody as Error},
    ingest::now_ms,
    openapi::tag,
    state::AppState,
    stream::frame,
    telemetry::Counted,
};

/// Messages stored or being stored before their ack is sent, per socket.
const IN_FLIGHT: usize = 256;
/// The kinds of key that may send to a source.
const SEND_KINDS: &[KeyKind] = &[KeyKind::Server, KeyKind::Admin];
/// The close code of a revoked key (as on the Signals Feed).
const KEY_REVOKED: u16 = 4001;
/// The close code of a silent client (as on the Signals Feed).
const IDLE: u16 = 4000;

/// Handles `GET /v1/ws/source/{source_id}`.
#[utoipa::path(
    get,
    path = "/v1/ws/source/{source_id}",
    operation_id = "source_socket",
    tag = tag::WEBHOOKS,
    summary = "Send events to a source over WebSocket",
    description = "Each text message is stored as an event of the webhook source and acknowledged after the durable append; the frames are described in `docs/STREAMS.md`. A server or admin key of the source's tenant, as `?token=` or a header. The key and the source are checked before the upgrade; refusals are JSON.",
    security(("token" = []), ("api_key" = []), ("bearer" = [])),
    params(
        ("source_id" = String, Path, description = "The webhook source's id."),
    ),
    responses(
        (status = 101, description = "Switching to the WebSocket."),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
        (status = 404, description = "`not_found`: no webhook source with this id in the key's tenant.", body = Error),
        (status = 426, description = "`upgrade_required`: not a WebSocket handshake.", body = Error),
    )
)]
pub async fn inbound(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(source_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let token = query_param(query.as_deref(), "token").or_else(|| request_key(&headers, None));
    let key = authorize_key(
        &state,
        token.as_deref(),
        &headers,
        SEND_KINDS,
        "send to a source",
    )
    .await?;
    let entry = state
        .sources
        .get(&source_id)
        .await?
        .filter(|e| e.source.tenant == key.tenant && e.source.kind == SourceKind::Webhook)
        .ok_or_else(|| ApiError::NotFound(format!("source `{source_id}`")))?;
    let upgrade = upgrade.map_err(|_| ApiError::UpgradeRequired("/v1/ws/source/{source_id}"))?;
    let connection = Connection {
        revoked: state.keys.watch(&key),
        ip_hash: client_ip_hash(&state, peer, &headers),
        state: state.clone(),
        entry,
    };
    let max = state.config.feed.ws_max_message;
    Ok(upgrade
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| connection.serve(socket)))
}

struct Connection {
    state: AppState,
    entry: Arc<SourceEntry>,
    revoked: watch::Receiver<bool>,
    ip_hash: String,
}

impl Connection {
    async fn serve(mut self, socket: WebSocket) {
        let _open = Counted::new(metrics::gauge!("clickwire_stream_sockets", "stream" => "source"));
        let feed = &self.state.config.feed;
        let (idle, grace) = (feed.idle_timeout, feed.slow_grace);
        let (mut sink, mut stream) = socket.split();
        let mut pending: FuturesOrdered<BoxFuture<'static, Bytes>> = FuturesOrdered::new();
        let mut ping = tokio::time::interval(feed.ping_interval);
        ping.tick().await;
        let mut heard = tokio::time::Instant::now();
        loop {
            let out = tokio::select! {
                Some(answer) = pending.next(), if !pending.is_empty() => answer,
                () = tokio::time::sleep_until(heard + idle) => {
                    let close = CloseFrame { code: IDLE, reason: "idle timeout".into() };
                    let _ = tokio::time::timeout(grace, sink.send(Message::Close(Some(close)))).await;
                    break;
                }
                message = stream.next(), if pending.len() < IN_FLIGHT => {
                    heard = tokio::time::Instant::now();
                    match message {
                        Some(Ok(Message::Text(text))) => {
                            if let Some(answer) = self.take(text.as_str()) {
                                pending.push_back(answer);
                            }
                            continue;
                        }
                        Some(Ok(Message::Binary(_))) => frame::error("invalid_json", "send JSON text messages"),
                        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                        Some(Ok(_)) => continue,
                    }
                }
                _ = ping.tick() => frame::ping(),
                _ = self.revoked.changed() => {
                    let close = CloseFrame { code: KEY_REVOKED, reason: "key revoked".into() };
                    let _ = tokio::time::timeout(grace, sink.send(Message::Close(Some(close)))).await;
                    break;
                }
            };
            // A client that stopped reading: its acks wait in full buffers; drop it.
            let sent = tokio::time::timeout(
                grace,
                sink.send(Message::Text(Utf8Bytes::try_from(out).unwrap_or_default())),
            )
            .await;
            if !matches!(sent, Ok(Ok(()))) {
                break;
            }
        }
    }

    /// Queues one message for the log; its answer once committed. `None` for a `pong`.
    fn take(&self, text: &str) -> Option<BoxFuture<'static, Bytes>> {
        let value: Value = match serde_json::from_str(text) {
            Ok(value) => value,
            Err(err) => {
                let answer =
                    frame::error("invalid_json", &format!("the message is not JSON: {err}"));
                return Some(futures::future::ready(answer).boxed());
            }
        };
        if value.get("type").and_then(Value::as_str) == Some("pong") {
            return None;
        }
        Some(match self.append(text) {
            Ok(committed) => committed,
            Err(err) => {
                futures::future::ready(frame::error(err.code(), &err.public_message())).boxed()
            }
        })
    }

    /// Queues the event of `text` behind every message before it.
    fn append(&self, text: &str) -> Result<BoxFuture<'static, Bytes>, ApiError> {
        let source = &self.entry.source;
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let path = format!("/v1/ws/source/{}", source.id);
        let method =
            Method::from_bytes(b"WEBSOCKET").map_err(|err| ApiError::Internal(err.to_string()))?;
        let request = record::Request {
            method: &method,
            path: &path,
            query: None,
            headers: &headers,
            body: text.as_bytes(),
            ip_hash: self.ip_hash.clone(),
        };
        let tenant: Arc<str> = source.tenant.as_str().into();
        let event = record::new_event(&tenant, source, &request, None, now_ms())?;
        let event_id = event.id.clone();
        let committed = record::append(self.state.log.as_ref(), tenant, source, event)?;
        Ok(async move {
            match committed.await {
                Ok(_) => Bytes::from(json!({"type": "ack", "event_id": event_id}).to_string()),
                Err(err) => {
                    let err = ApiError::from(err);
                    frame::error(err.code(), &err.public_message())
                }
            }
        }
        .boxed())
    }
}
