//! `GET /v1/ws`, the dashboard stream: every event of the caller's tenant, on the channels
//! the client subscribes to. The caller is a server or admin key, passed as `?token=`
//! (browsers cannot set headers on an upgrade) or `X-API-Key`; a browser signed in to the
//! dashboard sends its session cookie instead ([`session`]; only from the server's own
//! origin, which the cookie's CSRF rule checks before any route runs). Refusals are JSON
//! before the upgrade: 401 without a valid credential, 403 for another kind of key, 426
//! without an upgrade, 429 above `dashboard.max_sockets_per_tenant`. The first frame is
//! `{"type":"welcome","org_id":<tenant>}`.

use std::sync::{Arc, RwLock};

use axum::{
    extract::{ws::rejection::WebSocketUpgradeRejection, RawQuery, State, WebSocketUpgrade},
    http::HeaderMap,
    response::Response,
};
use clickwire_store::{AuthKey, KeyKind};

use super::{
    channel::Channels,
    frame,
    socket::{serve, Control, Stream},
};
use crate::{
    auth::{
        authorize_key, query_param, request_key, require_kind,
        session::{self, session_cookie},
    },
    error::{ApiError, ErrorBody as Error},
    feed::ws::timings,
    hub::Interest,
    openapi::tag,
    state::AppState,
};

/// The kinds of key that may watch a tenant's stream.
const WATCH_KINDS: &[KeyKind] = &[KeyKind::Server, KeyKind::Admin];

/// How the caller proves who it is.
#[derive(Debug, PartialEq, Eq)]
enum Credential {
    Key(String),
    Session(String),
    None,
}

impl Credential {
    /// `?token=`, then `X-API-Key` / `Authorization: Bearer`, then the session cookie.
    fn of(query: Option<&str>, headers: &HeaderMap) -> Self {
        if let Some(key) = query_param(query, "token").or_else(|| request_key(headers, None)) {
            return Credential::Key(key);
        }
        match session_cookie(headers) {
            Some(session) => Credential::Session(session),
            None => Credential::None,
        }
    }
}

/// Handles `GET /v1/ws`.
#[utoipa::path(
    get,
    path = "/v1/ws",
    operation_id = "dashboard_stream",
    tag = tag::STREAMS,
    summary = "The dashboard stream",
    description = "Every event of the caller's tenant, on the channels the client subscribes to; the first frame is `{\"type\":\"welcome\",\"org_id\":<tenant>}` (the frames are described in `docs/STREAMS.md`). A server or admin key as `?token=` or a header, or the `clickwire_session` cookie of a dashboard sign-in (from the server's own origin). Refusals are JSON, before the upgrade.",
    security(("token" = []), ("api_key" = []), ("bearer" = []), ("session" = [])),
    responses(
        (status = 101, description = "Switching to the WebSocket."),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
        (status = 426, description = "`upgrade_required`: not a WebSocket handshake.", body = Error),
        (status = 429, description = "`too_many_subscribers`: `dashboard.max_sockets_per_tenant` sockets are open.", body = Error),
    )
)]
pub async fn stream(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let key = authenticate(&state, Credential::of(query.as_deref(), &headers), &headers).await?;
    let upgrade = upgrade.map_err(|_| ApiError::UpgradeRequired("/v1/ws"))?;
    let channels = Arc::new(RwLock::new(Channels::default()));
    let sub = state.hub.register(
        &key.tenant,
        Interest::Dashboard(Arc::clone(&channels)),
        state.config.dashboard.max_sockets_per_tenant,
    )?;
    let config = &state.config.feed;
    let stream = Stream {
        sub,
        timings: timings(config, true),
        revoked: Some(state.keys.watch(&key)),
        ends_at: None,
        control: Control::Dashboard {
            state: state.clone(),
            tenant: key.tenant.clone(),
            channels,
        },
    };
    let welcome = frame::welcome(&key.tenant);
    Ok(upgrade
        .write_buffer_size(config.ws_write_buffer)
        .max_write_buffer_size(config.ws_max_write_buffer)
        .max_message_size(config.ws_max_message)
        .max_frame_size(config.ws_max_message)
        .on_upgrade(move |socket| serve(socket, stream, Some(welcome))))
}

async fn authenticate(
    state: &AppState,
    credential: Credential,
    headers: &HeaderMap,
) -> Result<Arc<AuthKey>, ApiError> {
    match credential {
        Credential::Key(key) => {
            authorize_key(
                state,
                Some(&key),
                headers,
                WATCH_KINDS,
                "watch the dashboard stream",
            )
            .await
        }
        Credential::Session(token) => {
            let key = session::resolve(state, &token).await?;
            // Sign-in admits only these kinds; checked again as the key is now.
            require_kind(&key, WATCH_KINDS, "watch the dashboard stream")?;
            Ok(key)
        }
        Credential::None => Err(ApiError::InvalidApiKey),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::{header, HeaderValue};

    use super::*;

    #[test]
    fn the_token_comes_first_then_a_key_header_then_the_session_cookie() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; clickwire_session=s1"),
        );
        assert_eq!(
            Credential::of(Some("token=sk_1"), &headers),
            Credential::Key("sk_1".into())
        );
        assert_eq!(
            Credential::of(None, &headers),
            Credential::Session("s1".into())
        );
        headers.insert("x-api-key", HeaderValue::from_static("sk_2"));
        assert_eq!(
            Credential::of(None, &headers),
            Credential::Key("sk_2".into())
        );
        assert_eq!(
            Credential::of(Some("token="), &HeaderMap::new()),
            Credential::None
        );
    }
}
