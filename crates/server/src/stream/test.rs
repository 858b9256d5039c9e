//! `GET /v1/ws/test/{session_id}`, a test session's stream: no key — the session id is
//! the secret — and only ids of live test sessions (not ended by time or by count) are
//! upgraded; any other id is 404 before the upgrade, and more than
//! `test_sessions.max_sockets_per_session` sockets is 429. Each request the session
//! captures arrives as `{"type":"event","channel":"test","data":{"id","method","path",
//! "query","headers","body","body_encoding","content_type","received_at"}}`; the socket
//! closes (1000) when the session's lifetime ends or it is deleted.

use std::time::Duration;

use crate::extract::Path;
use axum::{
    extract::{ws::rejection::WebSocketUpgradeRejection, State, WebSocketUpgrade},
    response::Response,
};
use clickwire_store::SourceKind;
use tokio::time::Instant;

use super::socket::{serve, Control, Stream};
use crate::{
    error::{ApiError, ErrorBody as Error},
    feed::ws::timings,
    hub::Interest,
    ingest::now_ms,
    openapi::tag,
    sources::test_sessions::TEST_TENANT,
    state::AppState,
};

/// Handles `GET /v1/ws/test/{session_id}`.
#[utoipa::path(
    get,
    path = "/v1/ws/test/{session_id}",
    operation_id = "test_session_stream",
    tag = tag::TEST_SESSIONS,
    summary = "A test session's captures, live",
    description = "Each request the session captures, as it is stored (the frames are described in `docs/STREAMS.md`); the socket closes when the session ends or is deleted. No key: the session id is the secret.",
    params(
        ("session_id" = String, Path, description = "The test session's id."),
    ),
    responses(
        (status = 101, description = "Switching to the WebSocket."),
        (status = 404, description = "`not_found`: no live test session with this id.", body = Error),
        (status = 426, description = "`upgrade_required`: not a WebSocket handshake.", body = Error),
        (status = 429, description = "`too_many_subscribers`: `test_sessions.max_sockets_per_session` sockets are open.", body = Error),
    )
)]
pub async fn stream(
    State(state): State<AppState>,
    Path(id): Path<String>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let now = now_ms();
    let session = state
        .source_store
        .get_source(&id, Some(TEST_TENANT))
        .await?
        .filter(|s| s.kind == SourceKind::Test)
        .filter(|s| s.expires_at.is_none_or(|at| at > now))
        .filter(|s| s.request_limit.is_none_or(|limit| s.request_count < limit))
        .ok_or_else(|| ApiError::NotFound(format!("live test session `{id}`")))?;
    let upgrade = upgrade.map_err(|_| ApiError::UpgradeRequired("/v1/ws/test/{session_id}"))?;
    let sub = state.hub.register(
        TEST_TENANT,
        Interest::Test(id.as_str().into()),
        state.config.test_sessions.max_sockets_per_session,
    )?;
    // A DELETE between the check above and the registration would not have reached this
    // socket: look once more now that it is registered.
    if state
        .source_store
        .get_source(&id, Some(TEST_TENANT))
        .await?
        .is_none()
    {
        return Err(ApiError::NotFound(format!("live test session `{id}`")));
    }
    let left = session.expires_at.map(|at| {
        let left = u64::try_from(at.saturating_sub(now)).unwrap_or_default();
        Instant::now() + Duration::from_millis(left)
    });
    let stream = Stream {
        sub,
        timings: timings(&state.config.feed, true),
        control: Control::Test,
        revoked: None,
        ends_at: left,
    };
    Ok(upgrade
        .max_message_size(state.config.feed.ws_max_message)
        .on_upgrade(move |socket| serve(socket, stream, None)))
}
