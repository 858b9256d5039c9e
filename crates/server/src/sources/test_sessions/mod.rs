//! Test sessions: `POST /v1/test/sessions` (no key; `test_sessions.per_ip_per_hour` per
//! client address, then 429) hands out an ephemeral webhook address — a source of kind
//! `test` in the tenant [`TEST_TENANT`] — answered `201 {"session_id","url","expires_at",
//! "request_limit","request_count"}`. The session id is the source id for
//! `/v1/ingest/{id}`, which captures requests until `test_sessions.lifetime` passes or
//! `request_limit` are taken (then 410 `session_expired`). `GET /v1/test/sessions/{id}`
//! shows the session and its captured requests, newest first, paged by `cursor`;
//! `DELETE` ends it. `GET /v1/ws/test/{id}` streams each capture as it is stored
//! (`crate::stream::test`).

mod capture;

pub use capture::Captured;

use std::{
    net::{IpAddr, SocketAddr},
    num::NonZeroU32,
};

use crate::extract::Path;
use axum::{
    extract::{ConnectInfo, RawQuery, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use clickwire_model::signal::format_iso;
use clickwire_store::{EventQuery, NewSource, Source, SourceKind, StoreError, StoredEvent, Tier};
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::settings::{DEFAULT_DEDUP_WINDOW, DEFAULT_RATE_LIMIT};
use crate::{
    client_addr::client_ip,
    config::TestSessionsConfig,
    error::{ApiError, ErrorBody as Error},
    hub::Interest,
    ingest::now_ms,
    limits::RateLimited,
    openapi::tag,
    page::{invalid, limit_and_cursor},
    state::AppState,
};

/// The tenant test sessions and their captured requests belong to (it has no keys).
pub const TEST_TENANT: &str = "test-sessions";
/// Captured requests per page of `GET /v1/test/sessions/{id}` by default.
const PAGE: usize = 50;

/// Sessions created per client address.
pub struct SessionLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    per_hour: u32,
}

impl SessionLimiter {
    pub fn new(config: &TestSessionsConfig) -> Self {
        let per_hour = NonZeroU32::new(config.per_ip_per_hour).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: RateLimiter::keyed(Quota::per_hour(per_hour)),
            per_hour: per_hour.get(),
        }
    }

    fn check(&self, ip: IpAddr) -> Result<(), RateLimited> {
        self.limiter
            .check_key(&ip)
            .map_err(|not_until| RateLimited {
                limit: self.per_hour,
                retry_after: not_until
                    .wait_time_from(governor::clock::DefaultClock::default().now()),
            })
    }
}

/// A session as the API shows it.
#[derive(Serialize, ToSchema)]
struct SessionView {
    session_id: String,
    url: String,
    expires_at: String,
    request_limit: u32,
    request_count: u32,
}

#[derive(Serialize, ToSchema)]
pub struct SessionPage {
    #[serde(flatten)]
    session: SessionView,
    requests: Vec<Captured>,
    next_cursor: Option<String>,
}

/// Handles `POST /v1/test/sessions`.
#[utoipa::path(
    post,
    path = "/v1/test/sessions",
    operation_id = "create_test_session",
    tag = tag::TEST_SESSIONS,
    summary = "Start a test session",
    description = "An ephemeral webhook address (`url`, `/v1/ingest/{session_id}`) that captures what it is sent until `test_sessions.lifetime` passes or `request_limit` requests are taken. No key; `test_sessions.per_ip_per_hour` sessions per client address.",
    responses(
        (status = 201, description = "The new session.", body = SessionView),
        (status = 429, description = "`rate_limit_exceeded`: too many sessions from this address (`Retry-After`).", body = Error),
        (status = 503, description = "`overloaded` or `storage_unavailable` (`Retry-After`).", body = Error),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let ip = client_ip(&state.config.server.trusted_proxies, peer.ip(), &headers);
    state
        .test_sessions
        .check(ip)
        .map_err(ApiError::RateLimited)?;
    match state.catalog.create_tenant(TEST_TENANT, Tier::Free).await {
        Ok(_) | Err(StoreError::Conflict(_)) => {}
        Err(err) => return Err(err.into()),
    }
    let config = &state.config.test_sessions;
    let lifetime = i64::try_from(config.lifetime.as_millis()).unwrap_or(i64::MAX);
    let source = state
        .source_store
        .create_source(NewSource {
            tenant: TEST_TENANT.into(),
            name: "test session".into(),
            kind: SourceKind::Test,
            origins: Vec::new(),
            rate_limit: DEFAULT_RATE_LIMIT,
            ip_allow: Vec::new(),
            ip_deny: Vec::new(),
            verification: None,
            dedup_rule: None,
            dedup_window_ms: DEFAULT_DEDUP_WINDOW.as_millis() as i64,
            expires_at: Some(now_ms().saturating_add(lifetime)),
            request_limit: Some(config.request_limit),
        })
        .await?;
    let view = view(&source, &headers);
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// Handles `GET /v1/test/sessions/{id}`.
#[utoipa::path(
    get,
    path = "/v1/test/sessions/{id}",
    operation_id = "get_test_session",
    tag = tag::TEST_SESSIONS,
    summary = "A test session and its captured requests",
    description = "The session and its captured requests, newest first. No key.",
    params(
        ("id" = String, Path, description = "The test session's id."),
        ("limit" = Option<u32>, Query, description = "Requests per page, 1 to 100 (default 50)."),
        ("cursor" = Option<String>, Query, description = "The previous page's `next_cursor`."),
    ),
    responses(
        (status = 200, description = "The session and a page of its requests.", body = SessionPage),
        (status = 400, description = "`validation_error`: a bad `limit` or `cursor`.", body = Error),
        (status = 404, description = "`not_found`: no test session with this id.", body = Error),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Json<SessionPage>, ApiError> {
    let source = session(&state, &id).await?;
    let (limit, cursor) = limit_and_cursor(query.as_deref().unwrap_or_default(), PAGE)?;
    // The cursor is the seq to continue below.
    let before = cursor
        .map(|c| c.parse::<i64>())
        .transpose()
        .map_err(|_| invalid("cursor", "must be a next_cursor of this session"))?;
    let page = state
        .events
        .query(EventQuery {
            tenant: TEST_TENANT.into(),
            source: Some(id.clone()),
            before_seq: before,
            newest_first: true,
            limit,
            ..EventQuery::default()
        })
        .await?;
    Ok(Json(SessionPage {
        session: view(&source, &headers),
        requests: page.events.iter().map(captured).collect(),
        next_cursor: page.next_after.map(|seq| seq.to_string()),
    }))
}

/// Handles `DELETE /v1/test/sessions/{id}`.
#[utoipa::path(
    delete,
    path = "/v1/test/sessions/{id}",
    operation_id = "delete_test_session",
    tag = tag::TEST_SESSIONS,
    summary = "End a test session",
    description = "Its address stops capturing and its sockets close. No key.",
    params(
        ("id" = String, Path, description = "The test session's id."),
    ),
    responses(
        (status = 204, description = "Ended."),
        (status = 404, description = "`not_found`: no test session with this id.", body = Error),
        (status = 503, description = "`overloaded` or `storage_unavailable` (`Retry-After`).", body = Error),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    session(&state, &id).await?;
    state.source_store.delete_source(TEST_TENANT, &id).await?;
    state.sources.forget(&id);
    state.hub.end(
        TEST_TENANT,
        |interest| matches!(interest, Interest::Test(s) if **s == *id),
    );
    Ok(StatusCode::NO_CONTENT)
}

/// Refuses a capture by an expired or full session (410); counts it otherwise.
pub async fn take_request(state: &AppState, source: &Source, now: i64) -> Result<(), ApiError> {
    let ended = || {
        let lifetime = humantime::format_duration(state.config.test_sessions.lifetime);
        ApiError::SessionExpired(lifetime.to_string())
    };
    if source.expires_at.is_some_and(|at| at <= now) {
        return Err(ended());
    }
    match state.source_store.take_request(&source.id).await? {
        Some(_) => Ok(()),
        None => Err(ended()),
    }
}

async fn session(state: &AppState, id: &str) -> Result<Source, ApiError> {
    state
        .source_store
        .get_source(id, Some(TEST_TENANT))
        .await?
        .filter(|s| s.kind == SourceKind::Test)
        .ok_or_else(|| ApiError::NotFound(format!("test session `{id}`")))
}

/// The session's public fields; its URL is on the host the request was sent to.
fn view(source: &Source, headers: &HeaderMap) -> SessionView {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    SessionView {
        session_id: source.id.clone(),
        url: format!("http://{host}/v1/ingest/{}", source.id),
        expires_at: format_iso(source.expires_at.unwrap_or_default()),
        request_limit: source.request_limit.unwrap_or_default(),
        request_count: source.request_count,
    }
}

fn captured(event: &StoredEvent) -> Captured {
    let payload: Value = serde_json::from_str(event.event.get()).unwrap_or_default();
    Captured::new(&event.id, &payload, event.received_at)
}
