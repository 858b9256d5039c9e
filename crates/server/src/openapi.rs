//! The OpenAPI 3.1 description of the REST API, assembled from the `#[utoipa::path]` of
//! each handler as [`crate::app`] registers it with `utoipa_axum::routes!` (the attribute
//! gives the route its path and methods, so a route cannot exist without its description),
//! and served, serialized once when the app is built, at `GET /v1/openapi.json`.

use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
    Router,
};
use bytes::Bytes;
use utoipa::{
    openapi::{
        security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
        OpenApi as Document,
    },
    Modify, OpenApi,
};
use utoipa_axum::{router::OpenApiRouter, routes};

/// The tags that group the operations.
pub mod tag {
    pub const CLICKSTREAM: &str = "ClickStream";
    pub const SIGNALS_FEED: &str = "Signals Feed";
    pub const SIGNALS: &str = "Signals";
    pub const PIPELINE: &str = "Pipeline";
    pub const SEGMENT: &str = "Segment";
    pub const SOURCES: &str = "Sources";
    pub const WEBHOOKS: &str = "Webhooks";
    pub const STREAMS: &str = "Streams";
    pub const TEST_SESSIONS: &str = "Test sessions";
    pub const DESTINATIONS: &str = "Destinations";
    pub const CONNECTIONS: &str = "Connections";
    pub const DELIVERIES: &str = "Deliveries";
    pub const ISSUES: &str = "Issues";
    pub const ADMIN: &str = "Admin";
    pub const OPERATIONS: &str = "Operations";
    pub const BROWSER_SDKS: &str = "Browser SDKs";
    pub const DASHBOARD: &str = "Dashboard";
}

/// What the routes' own attributes do not say: the title, version, security schemes and
/// tag descriptions.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "clickwire",
        version = env!("CARGO_PKG_VERSION"),
        description = "The clickwire event gateway's REST API. Every failure is answered \
            with the `Error` body; any route may also answer `500 internal_error` (a generic \
            message; the cause is logged) and, on routes that read a body, `408 \
            request_timeout` when the body does not arrive in time.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = tag::CLICKSTREAM, description = "The ClickStream collector and the read-back of stored events."),
        (name = tag::SIGNALS_FEED, description = "The live Signals Feed over WebSocket and Server-Sent Events."),
        (name = tag::SIGNALS, description = "A visitor's latest labels and scores."),
        (name = tag::PIPELINE, description = "The Datafly Signal endpoints, with a pipeline key."),
        (name = tag::SEGMENT, description = "The Segment HTTP Tracking API, with a pipeline key (the write key)."),
        (name = tag::SOURCES, description = "The tenant's sources, with a server or admin key."),
        (name = tag::WEBHOOKS, description = "Webhook and WebSocket ingest into a source, addressed by its id."),
        (name = tag::STREAMS, description = "The dashboard stream of a tenant's events."),
        (name = tag::TEST_SESSIONS, description = "Ephemeral webhook addresses that capture what they are sent."),
        (name = tag::DESTINATIONS, description = "Where events are delivered, with a server or admin key."),
        (name = tag::CONNECTIONS, description = "Which source's events go to which destination."),
        (name = tag::DELIVERIES, description = "Delivery attempts and manual retries."),
        (name = tag::ISSUES, description = "Grouped delivery failures."),
        (name = tag::ADMIN, description = "Tenants, keys, the audit log and the reveal of sealed fields, with an admin key."),
        (name = tag::OPERATIONS, description = "Liveness, readiness, metrics and this document."),
        (name = tag::BROWSER_SDKS, description = "The tracking scripts web pages load from the collector."),
        (name = tag::DASHBOARD, description = "The operator's web dashboard: its page, its assets and its sign-in session."),
    )
)]
struct Base;

/// The ways a request carries its key (which kinds of key a route takes is in its
/// description).
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let header = |name: &str, description: &str| {
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                name,
                description,
            )))
        };
        let query = |name: &str, description: &str| {
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                name,
                description,
            )))
        };
        let schemes = [
            (
                "api_key",
                header("X-API-Key", "The API key in the `X-API-Key` header."),
            ),
            (
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some("The API key as `Authorization: Bearer <key>`."))
                        .build(),
                ),
            ),
            (
                "query_key",
                query(
                    "key",
                    "The API key as `?key=` (for browsers and beacons; the headers win).",
                ),
            ),
            (
                "basic",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Basic)
                        .description(Some(
                            "The pipeline key as the user name of HTTP Basic auth, with an \
                             empty password (what the Segment and RudderStack SDKs send).",
                        ))
                        .build(),
                ),
            ),
            (
                "token",
                query(
                    "token",
                    "The key as `?token=` (browsers cannot set headers on an upgrade).",
                ),
            ),
            (
                "subprotocol",
                header(
                    "Sec-WebSocket-Protocol",
                    "`Sec-WebSocket-Protocol: clickstream-v1, <key>`; the server answers \
                     with `clickstream-v1` alone.",
                ),
            ),
            (
                "session",
                SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                    "clickwire_session",
                    "The dashboard's session cookie (`POST /v1/dashboard/session`): without a \
                     key, it stands for the key it signed in with on every route that takes \
                     a server or admin key, and on `/v1/ws`; honoured only on requests from \
                     the server's own origin.",
                ))),
            ),
            (
                "signature",
                header(
                    "X-Signature",
                    "`X-Signature: sha256=<hex>`: HMAC-SHA256, keyed with the source's \
                     `signing_secret`, of `X-Timestamp + \".\" + body`; `X-Timestamp` \
                     (Unix seconds or milliseconds) may be at most five minutes off.",
                ),
            ),
        ];
        for (name, scheme) in schemes {
            components.add_security_scheme(name, scheme);
        }
    }
}

/// The serialized document, shared by every request.
#[derive(Clone)]
struct Served(Bytes);

/// Handles `GET /v1/openapi.json`.
#[utoipa::path(
    get,
    path = "/v1/openapi.json",
    tag = tag::OPERATIONS,
    summary = "The OpenAPI 3.1 description of this API",
    description = "Every REST route of the server, generated from the handlers' own \
        descriptions. No key.",
    responses(
        (status = 200, description = "The document.", content_type = "application/json", body = Object),
    )
)]
async fn openapi_json(State(Served(document)): State<Served>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], document).into_response()
}

/// The route of `GET /v1/openapi.json`, serving the description of `parts` (the route
/// groups of the app) and of itself.
pub fn route<S: Clone + Send + Sync + 'static>(
    parts: impl IntoIterator<Item = Document>,
) -> Router<S> {
    let (router, own) = OpenApiRouter::<Served>::default()
        .routes(routes!(openapi_json))
        .split_for_parts();
    let document = parts
        .into_iter()
        .fold(Base::openapi(), Document::merge_from)
        .merge_from(own);
    let bytes = serde_json::to_vec(&document).expect("an OpenAPI document always serializes");
    router.with_state(Served(Bytes::from(bytes)))
}
