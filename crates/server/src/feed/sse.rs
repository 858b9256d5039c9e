//! `GET /v1/signals/sse`: the same frames as Server-Sent Events, for `EventSource` and
//! `curl -N`. Each event frame is `id: <seq>` + `data: <frame>`; control frames are plain
//! `data:`; pings are comments. `Last-Event-ID` (what `EventSource` sends when it
//! reconnects) resumes like `?since=`. Same key, plan and subscriber-cap rules as the
//! WebSocket feed; there is no inbound channel, so no idle timeout and no Write.

use std::convert::Infallible;

use axum::{
    body::Body,
    extract::{RawQuery, State},
    http::{header, HeaderMap, HeaderValue},
    response::{IntoResponse, Response},
};
use bytes::{BufMut, Bytes, BytesMut};
use futures::{future, SinkExt, StreamExt};

use super::{
    admit::{admit, authorise, feed_key, FeedParams},
    socket::{self, Inbound, Outbound, Session},
    write::Writes,
    ws::timings,
};
use crate::{
    error::{ApiError, ErrorBody as Error},
    openapi::tag,
    state::AppState,
};

/// Items between the connection task and the response body; the rest is back-pressure.
const BODY_BUFFER: usize = 16;

/// Handles `GET /v1/signals/sse`.
#[utoipa::path(
    get,
    path = "/v1/signals/sse",
    tag = tag::SIGNALS_FEED,
    summary = "The Signals Feed as Server-Sent Events",
    description = "The same frames as the WebSocket feed as Server-Sent Events, for `EventSource` and `curl -N`: each event is `id: <seq>` + `data: <frame>`, control frames plain `data:`, pings comments (see `docs/STREAMS.md`). `Last-Event-ID` resumes like `since`. Same keys, plans and subscriber cap as the WebSocket feed; no Write. Refusals are JSON, before the stream begins.",
    security(("query_key" = []), ("api_key" = []), ("bearer" = [])),
    params(
        ("since" = Option<i64>, Query, description = "Replay the stored events after this seq first, then go live."),
        ("filter" = Option<String>, Query, description = "Only events that match this filter expression (see `docs/STREAMS.md`)."),
        ("Last-Event-ID" = Option<String>, Header, description = "The seq to resume after (what `EventSource` sends when it reconnects); wins over `since`."),
    ),
    responses(
        (status = 200, description = "The event stream.", content_type = "text/event-stream", body = String),
        (status = 400, description = "`invalid_request` (a bad `since`) or `invalid_filter`.", body = Error),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden` (not a website, mobile, server or admin key; or an operator key), `domain_not_allowed` or `plan_upgrade_required` (free and builder plans; with `currentPlan`).", body = Error),
        (status = 429, description = "`too_many_subscribers`: the tenant's subscriber cap.", body = Error),
    )
)]
pub async fn sse(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let key = feed_key(&headers, query.as_deref());
    let key = authorise(&state, key.as_deref(), &headers).await?;
    let last_event_id = headers
        .get("last-event-id")
        .and_then(|value| value.to_str().ok());
    let params = FeedParams::parse(query.as_deref(), last_event_id)?;
    let admitted = admit(&state, &key, params).await?;
    let session = Session {
        sub: admitted.sub,
        replay: admitted.replay,
        start: admitted.start,
        timings: timings(&state.config.feed, false),
        writes: Writes::Denied,
        revoked: state.keys.watch(&key),
    };
    let (tx, rx) = futures::channel::mpsc::channel::<Outbound>(BODY_BUFFER);
    tokio::spawn(socket::run(
        session,
        tx.sink_map_err(|_| ()),
        futures::stream::pending::<Inbound>(),
    ));
    let body = rx
        .take_while(|out| future::ready(!matches!(out, Outbound::Close { .. })))
        .map(|out| Ok::<_, Infallible>(to_chunk(out)));
    let mut response = Body::from_stream(body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// One SSE message.
fn to_chunk(out: Outbound) -> Bytes {
    let (id, data) = match out {
        Outbound::Event { seq, frame } => (Some(seq), frame),
        Outbound::Control(frame) => (None, frame),
        Outbound::Ping => return Bytes::from_static(b": ping\n\n"),
        Outbound::Close { .. } => return Bytes::new(),
    };
    let mut chunk = BytesMut::with_capacity(data.len() + 32);
    if let Some(seq) = id {
        chunk.put_slice(format!("id: {seq}\n").as_bytes());
    }
    chunk.put_slice(b"data: ");
    chunk.put_slice(&data);
    chunk.put_slice(b"\n\n");
    chunk.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_frames_carry_their_seq_as_the_sse_id() {
        let chunk = to_chunk(Outbound::Event {
            seq: 42,
            frame: Bytes::from_static(br#"{"seq":42}"#),
        });
        assert_eq!(&chunk[..], b"id: 42\ndata: {\"seq\":42}\n\n");
        assert_eq!(&to_chunk(Outbound::Ping)[..], b": ping\n\n");
    }
}
