//! The router: every route of the server, in route groups registered with
//! `utoipa_axum::routes!` (each route's path and methods come from its handler's
//! `#[utoipa::path]`, which [`openapi`] serves as the API's description), with the layers
//! all routes share (body limit, request metrics, a request log line at info without the
//! query string). The collector's routes allow browsers from anywhere (the Origin gate of
//! website keys decides); the pipeline routes answer CORS from their source's origins
//! ([`pipeline`]).

use std::time::Duration;

use axum::{
    extract::{DefaultBodyLimit, Request},
    http::{header, HeaderName, Method},
    middleware,
    routing::any,
    Router,
};
use tower_http::{
    cors::{AllowOrigin, CorsLayer},
    timeout::RequestBodyTimeoutLayer,
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;
use utoipa_axum::{
    router::{OpenApiRouter, UtoipaMethodRouterExt},
    routes,
};

use crate::{
    admin, admission, api, auth, deliver, error::ApiError, feed, ingest, openapi, ops, pipeline,
    sources, state::AppState, stream, telemetry, web,
};

/// How long browsers may cache a preflight answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// Builds the whole application.
pub fn app(state: AppState) -> Router {
    let body_limit = state.config.server.max_body_bytes;
    let (collector, collector_doc) = collector_routes(&state).split_for_parts();
    let (direct, direct_doc) = direct_routes(&state).split_for_parts();
    let (pipeline, pipeline_doc) = pipeline::routes(state.clone());
    let (deliveries, deliveries_doc) = deliver::api::routes().split_for_parts();
    let (web, web_doc) = web::routes().split_for_parts();
    let document = openapi::route([
        collector_doc,
        direct_doc,
        pipeline_doc,
        deliveries_doc,
        web_doc,
    ]);
    collector
        .merge(document)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(cors())
        .merge(direct)
        .merge(pipeline)
        .merge(deliveries)
        .merge(web)
        .fallback(|| async { ApiError::NotFound("route".into()) })
        // Before any route: the dashboard's session cookie counts only from its own origin.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::session::guard,
        ))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(RequestBodyTimeoutLayer::new(state.config.server.body_timeout))
        .layer(middleware::from_fn(telemetry::record_request))
        .layer(
            // At debug, a span per request gives what a request logs its context; the one
            // line per request at info is [`telemetry::record_request`]'s.
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    tracing::debug_span!("request", method = %request.method(), path = %telemetry::logged_path(request))
                })
                .on_response(DefaultOnResponse::new().level(Level::DEBUG)),
        )
        .with_state(state)
}

/// The collector's routes, open to browsers from anywhere ([`cors`]): ClickStream ingest
/// and read-back, the Signals Feed, the admin API, sources and the operator endpoints.
fn collector_routes(state: &AppState) -> OpenApiRouter<AppState> {
    let admit = middleware::from_fn_with_state(state.clone(), admission::admit);
    OpenApiRouter::new()
        .routes(routes!(ingest::events::post_events).layer(admit))
        .routes(routes!(api::events::list_events))
        .routes(routes!(feed::ws::unversioned_stream))
        .routes(routes!(admin::reveal::reveal))
        .routes(routes!(feed::ws::stream))
        .routes(routes!(feed::sse::sse))
        .routes(routes!(api::signals::visitor_signals))
        .routes(routes!(admin::tenants::list, admin::tenants::create))
        .routes(routes!(admin::keys::list, admin::keys::create))
        .routes(routes!(admin::keys::revoke))
        .routes(routes!(admin::audit::list))
        .routes(routes!(ops::healthz))
        .routes(routes!(ops::readyz))
        .routes(routes!(ops::metrics))
        .routes(routes!(sources::api::list, sources::api::create))
        .routes(routes!(
            sources::api::get,
            sources::api::update,
            sources::api::delete
        ))
}

/// The routes outside the collector's CORS: webhook ingest, the WebSocket sources and
/// streams, and test sessions.
fn direct_routes(state: &AppState) -> OpenApiRouter<AppState> {
    let admit = middleware::from_fn_with_state(state.clone(), admission::admit);
    OpenApiRouter::new()
        // Webhook senders may use any method: all of them reach the handler.
        .routes(
            routes!(sources::webhook::ingest).map(|_| any(sources::webhook::ingest).layer(admit)),
        )
        .routes(routes!(stream::dashboard::stream))
        .routes(routes!(sources::socket::inbound))
        .routes(routes!(stream::test::stream))
        .routes(routes!(sources::test_sessions::create))
        .routes(routes!(
            sources::test_sessions::get,
            sources::test_sessions::delete
        ))
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
