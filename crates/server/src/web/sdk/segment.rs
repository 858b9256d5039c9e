//! `GET /v1/projects/{writeKey}/settings`: the settings document `@segment/analytics-next`
//! fetches from its `cdnURL` before it sends anything. Its `Segment.io` integration points
//! the SDK back at this server, whose `/v1/t`, `/v1/p`, `/v1/i`, `/v1/g` (the paths the SDK
//! posts to, under `apiHost`) take its messages with the write key in the body. The write
//! key is checked first (an unknown one is 401, as for the pipeline routes), and the path,
//! which carries it, is logged as its route pattern ([`SETTINGS_ROUTE`]).

use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, HeaderValue},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::{json, Value};

use crate::{
    error::{ApiError, ErrorBody as Error},
    openapi::tag,
    pipeline::authenticate,
    state::AppState,
};

/// The route's pattern, which request logs show instead of its path (the write key).
pub const SETTINGS_ROUTE: &str = "/v1/projects/{writeKey}/settings";

/// Handles `GET /v1/projects/{writeKey}/settings`.
#[utoipa::path(
    get,
    path = "/v1/projects/{writeKey}/settings",
    tag = tag::SEGMENT,
    summary = "Settings for @segment/analytics-next",
    description = "What `@segment/analytics-next` loads from its `cdnURL`: the `Segment.io` \
        integration with `apiHost` (this server's host, `/v1`), `protocol` (`https` when a \
        proxy says so in `X-Forwarded-Proto` or `Forwarded`, else `http`) and `apiKey` (the \
        write key), and a plan that enables every call. `Access-Control-Allow-Origin: *`. \
        Request logs show the route's pattern, not the key.",
    params(("writeKey" = String, Path, description = "A pipeline key (`dk_live_…`), the SDK's write key.")),
    responses(
        (status = 200, description = "The settings.", body = Object),
        (status = 400, description = "`invalid_request`: the request has no `Host`.", body = Error),
        (status = 401, description = "`invalid_pipeline_key`: not a live pipeline key.", body = Error),
    )
)]
pub async fn settings(
    State(state): State<AppState>,
    Path(write_key): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authenticate(&state, Some(&write_key)).await?;
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::InvalidRequest("the request has no Host header".into()))?;
    let document = document(&write_key, host, protocol(&headers));
    let open = [
        (
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, max-age=60"),
        ),
    ];
    Ok((open, Json(document)).into_response())
}

/// The settings of `write_key`, sending to `protocol://host/v1`.
fn document(write_key: &str, host: &str, protocol: &str) -> Value {
    let enabled = json!({ "__default": { "enabled": true, "integrations": {} } });
    json!({
        "integrations": {
            "Segment.io": {
                "apiKey": write_key,
                "apiHost": format!("{host}/v1"),
                "protocol": protocol,
                "unbundledIntegrations": [],
                "addBundledMetadata": true,
                "maybeBundledConfigIds": {},
            }
        },
        "plan": { "track": enabled, "identify": enabled, "group": enabled },
        "edgeFunction": {},
        "analyticsNextEnabled": true,
        "middlewareSettings": {},
        "enabledMiddleware": {},
        // No metrics: the SDK would post them to Segment's own host.
        "metrics": { "sampleRate": 0 },
        "legacyVideoPluginsEnabled": false,
        "remotePlugins": [],
    })
}

/// `https` when a proxy in front says the client used it, else `http`. A client that
/// forges the header only misdirects its own SDK.
fn protocol(headers: &HeaderMap) -> &'static str {
    let said = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let forwarded_https = said("forwarded").is_some_and(|v| {
        v.split([';', ','])
            .any(|pair| pair.trim().eq_ignore_ascii_case("proto=https"))
    });
    let proto_https = said("x-forwarded-proto")
        .is_some_and(|v| v.split(',').next().is_some_and(|p| p.trim() == "https"));
    if forwarded_https || proto_https {
        "https"
    } else {
        "http"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_points_the_sdk_back_at_this_host() {
        let doc = document("dk_live_x", "t.example.com:8443", "https");
        let io = &doc["integrations"]["Segment.io"];
        assert_eq!(io["apiHost"], "t.example.com:8443/v1");
        assert_eq!(io["protocol"], "https");
        assert_eq!(io["apiKey"], "dk_live_x");
        assert_eq!(doc["metrics"]["sampleRate"], 0);
    }

    #[test]
    fn https_is_read_from_the_proxy_headers() {
        let mut headers = HeaderMap::new();
        assert_eq!(protocol(&headers), "http");
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert_eq!(protocol(&headers), "https");
        let mut headers = HeaderMap::new();
        headers.insert(
            "forwarded",
            HeaderValue::from_static("for=192.0.2.1;proto=https;host=t.example.com"),
        );
        assert_eq!(protocol(&headers), "https");
    }
}
