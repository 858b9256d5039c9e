//! `GET /signals/stream` and `/v1/signals/stream`: the WebSocket handshake (auth 401/403,
//! then 426 without an upgrade, then parameters 400, then the subscriber cap 429), the
//! socket's buffer sizes, and the mapping between WebSocket messages and the connection's
//! [`Outbound`] / [`Inbound`] items.

use std::net::SocketAddr;

use axum::{
    extract::{
        ws::{rejection::WebSocketUpgradeRejection, CloseFrame, Message, Utf8Bytes, WebSocket},
        ConnectInfo, RawQuery, State, WebSocketUpgrade,
    },
    http::HeaderMap,
    response::Response,
};
use bytes::Bytes;
use futures::{future, SinkExt, StreamExt};

use super::{
    admit::{admit, authorise, feed_key, protocol_without_name, FeedParams, PROTOCOL},
    socket::{self, Inbound, Outbound, Session, Timings},
    write::Writes,
};
use crate::{
    client_addr::client_ip_hash,
    config::FeedConfig,
    error::{ApiError, ErrorBody as Error},
    openapi::tag,
    state::AppState,
};

/// What both feed paths' descriptions say.
const DESCRIPTION: &str = "A WebSocket (subprotocol `clickstream-v1`) carrying the tenant's scored events live, after an optional replay from `since`; the client may send events too (network and custom plans). The frames are described in `docs/STREAMS.md`. Website, mobile, server and admin keys, on the scale plan and above. Every refusal is JSON, before the upgrade: the key (401, 403), then the upgrade (426), then the parameters (400), then the subscriber cap (429).";

/// Handles `GET /v1/signals/stream`.
#[utoipa::path(
    get,
    path = "/v1/signals/stream",
    tag = tag::SIGNALS_FEED,
    summary = "The Signals Feed over WebSocket",
    description = DESCRIPTION,
    security(("subprotocol" = []), ("query_key" = []), ("api_key" = []), ("bearer" = [])),
    params(
        ("since" = Option<i64>, Query, description = "Replay the stored events after this seq first, then go live."),
        ("filter" = Option<String>, Query, description = "Only events that match this filter expression (see `docs/STREAMS.md`)."),
    ),
    responses(
        (status = 101, description = "Switching to the WebSocket (`Sec-WebSocket-Protocol: clickstream-v1`)."),
        (status = 400, description = "`invalid_request` (a bad `since`) or `invalid_filter`.", body = Error),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden` (not a website, mobile, server or admin key; or an operator key), `domain_not_allowed` or `plan_upgrade_required` (free and builder plans; with `currentPlan`).", body = Error),
        (status = 426, description = "`upgrade_required`: not a WebSocket handshake.", body = Error),
        (status = 429, description = "`too_many_subscribers`: the tenant's subscriber cap.", body = Error),
    )
)]
pub async fn stream(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let key = feed_key(&headers, query.as_deref());
    if key.is_none() && protocol_without_name(&headers) {
        return Err(ApiError::KeyNotAfterProtocol);
    }
    let key = authorise(&state, key.as_deref(), &headers).await?;
    let upgrade = upgrade.map_err(|_| ApiError::UpgradeRequired("/v1/signals/stream"))?;
    let params = FeedParams::parse(query.as_deref(), None)?;
    let admitted = admit(&state, &key, params).await?;
    let config = &state.config.feed;
    let revoked = state.keys.watch(&key);
    let session = Session {
        sub: admitted.sub,
        replay: admitted.replay,
        start: admitted.start,
        timings: timings(config, true),
        writes: Writes::for_key(
            &state,
            key,
            client_ip_hash(&state, peer, &headers),
            revoked.clone(),
        ),
        revoked,
    };
    Ok(upgrade
        .protocols([PROTOCOL])
        .read_buffer_size(config.ws_read_buffer)
        .write_buffer_size(config.ws_write_buffer)
        .max_write_buffer_size(config.ws_max_write_buffer)
        .max_message_size(config.ws_max_message)
        .max_frame_size(config.ws_max_message)
        .on_upgrade(move |socket| serve(socket, session)))
}

#[utoipa::path(
    get,
    path = "/signals/stream",
    operation_id = "unversioned_stream",
    tag = tag::SIGNALS_FEED,
    summary = "The Signals Feed over WebSocket (the path without `/v1`)",
    description = DESCRIPTION,
    security(("subprotocol" = []), ("query_key" = []), ("api_key" = []), ("bearer" = [])),
    params(
        ("since" = Option<i64>, Query, description = "Replay the stored events after this seq first, then go live."),
        ("filter" = Option<String>, Query, description = "Only events that match this filter expression (see `docs/STREAMS.md`)."),
    ),
    responses(
        (status = 101, description = "Switching to the WebSocket (`Sec-WebSocket-Protocol: clickstream-v1`)."),
        (status = 400, description = "`invalid_request` (a bad `since`) or `invalid_filter`.", body = Error),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden` (not a website, mobile, server or admin key; or an operator key), `domain_not_allowed` or `plan_upgrade_required` (free and builder plans; with `currentPlan`).", body = Error),
        (status = 426, description = "`upgrade_required`: not a WebSocket handshake.", body = Error),
        (status = 429, description = "`too_many_subscribers`: the tenant's subscriber cap.", body = Error),
    )
)]
/// Handles `GET /signals/stream`, the same feed as [`stream`].
pub async fn unversioned_stream(
    state: State<AppState>,
    peer: ConnectInfo<SocketAddr>,
    query: RawQuery,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    stream(state, peer, query, headers, upgrade).await
}

/// The timings of a connection from the configuration; SSE has no idle timeout.
pub fn timings(config: &FeedConfig, inbound: bool) -> Timings {
    Timings {
        ping_interval: config.ping_interval,
        idle_timeout: inbound.then_some(config.idle_timeout),
        max_duration: config.max_duration,
        close_timeout: config.close_timeout,
        slow_grace: config.slow_grace,
        write_in_flight: config.write_in_flight,
    }
}

async fn serve(socket: WebSocket, session: Session) {
    let (sink, stream) = socket.split();
    let sink = sink.with(|out: Outbound| future::ready(Ok::<_, axum::Error>(to_message(out))));
    let inbound = stream
        .take_while(|message| {
            future::ready(matches!(message, Ok(m) if !matches!(m, Message::Close(_))))
        })
        .filter_map(|message| future::ready(message.ok().map(to_inbound)));
    socket::run(session, Box::pin(sink), Box::pin(inbound)).await;
}

fn to_message(out: Outbound) -> Message {
    let text = |bytes: Bytes| Message::Text(Utf8Bytes::try_from(bytes).unwrap_or_default());
    match out {
        Outbound::Event { frame, .. } => text(frame),
        Outbound::Control(frame) => text(frame),
        Outbound::Ping => text(super::control::ping()),
        Outbound::Close { code, reason } => Message::Close(Some(CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        })),
    }
}

fn to_inbound(message: Message) -> Inbound {
    match message {
        Message::Text(_) | Message::Binary(_) => Inbound::Text(message.into_data()),
        _ => Inbound::Alive,
    }
}
