//! The router: every route of the server in one table, with the layers all routes share
//! (body limit, request metrics, a request log line at info without the query string). The collector's
//! routes allow browsers from anywhere (the Origin gate of website keys decides); the
//! pipeline routes answer CORS from their source's origins ([`pipeline`]).

use std::time::Duration;

use axum::{
    extract::{DefaultBodyLimit, Request},
    http::{header, HeaderName, Method},
    middleware,
    routing::{any, delete, get, post},
    Router,
};
use tower_http::{
    cors::{AllowOrigin, CorsLayer},
    timeout::RequestBodyTimeoutLayer,
    trace::{DefaultOnResponse, TraceLayer},
    LatencyUnit,
};
use tracing::Level;

use crate::{
    admin, admission, api, deliver, error::ApiError, feed, ingest, ops, pipeline, sources,
    state::AppState, stream, telemetry,
};

/// How long browsers may cache a preflight answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// Builds the whole application.
pub fn app(state: AppState) -> Router {
    let body_limit = state.config.server.max_body_bytes;
    let admit = middleware::from_fn_with_state(state.clone(), admission::admit);
    Router::new()
        .route(
            "/v1/events",
            post(ingest::events::post_events)
                .layer(admit.clone())
                .get(api::events::list_events),
        )
        .route("/signals/stream", get(feed::ws::stream))
        .route("/v1/events/{event_id}/reveal", post(admin::reveal::reveal))
        .route("/v1/signals/stream", get(feed::ws::stream))
        .route("/v1/signals/sse", get(feed::sse::sse))
        .route("/v1/signals/{visitor_id}", get(api::signals::visitor_signals))
        .route("/v1/admin/tenants", get(admin::tenants::list).post(admin::tenants::create))
        .route("/v1/admin/keys", get(admin::keys::list).post(admin::keys::create))
        .route("/v1/admin/keys/{id}", delete(admin::keys::revoke))
        .route("/v1/admin/audit", get(admin::audit::list))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/v1/sources", get(sources::api::list).post(sources::api::create))
        .route(
            "/v1/sources/{id}",
            get(sources::api::get)
                .patch(sources::api::update)
                .delete(sources::api::delete),
        )
        .method_not_allowed_fallback(method_not_allowed)
        .layer(cors())
        .route("/v1/ingest/{source_id}", any(sources::webhook::ingest).layer(admit))
        .route("/v1/ws", get(stream::dashboard::stream))
        .route("/v1/ws/source/{source_id}", get(sources::socket::inbound))
        .route("/v1/ws/test/{session_id}", get(stream::test::stream))
        .route("/v1/test/sessions", post(sources::test_sessions::create))
        .route(
            "/v1/test/sessions/{id}",
            get(sources::test_sessions::get).delete(sources::test_sessions::delete),
        )
        .merge(pipeline::routes(state.clone()))
        .merge(deliver::api::routes())
        .fallback(|| async { ApiError::NotFound("route".into()) })
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(RequestBodyTimeoutLayer::new(state.config.server.body_timeout))
        .layer(middleware::from_fn(telemetry::record_request))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    // The path only: a `?key=` must never reach the logs.
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
                })
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(LatencyUnit::Micros),
                ),
        )
        .with_state(state)
}

/// The answer to a method a route does not take (set inside each route group's CORS layer,
/// so that preflights still reach it).
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// Browsers on any site may call the collector; the Origin gate of website keys decides
/// whether their events are accepted.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            HeaderName::from_static("x-api-key"),
            HeaderName::from_static("last-event-id"),
        ])
        .expose_headers([
            header::RETRY_AFTER,
            HeaderName::from_static("x-ratelimit-limit"),
            HeaderName::from_static("x-ratelimit-remaining"),
            HeaderName::from_static("x-ratelimit-reset"),
        ])
        .max_age(PREFLIGHT_MAX_AGE)
}
