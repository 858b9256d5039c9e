//! The browser SDKs, served by the collector they send to: `GET /sdk.js` (ClickStream),
//! `GET /datafly.js` (Datafly.js-compatible) and the settings document
//! `@segment/analytics-next` loads before it sends (`GET /v1/projects/{writeKey}/settings`,
//! in [`segment`]). The scripts are plain, hand-written JavaScript in this folder, compiled
//! into the binary: nothing is built to run them.

mod asset;
mod segment;

use std::sync::LazyLock;

use axum::{http::HeaderMap, response::Response};
use utoipa_axum::{router::OpenApiRouter, routes};

use self::asset::Asset;
use crate::{openapi::tag, state::AppState};

pub use segment::SETTINGS_ROUTE;

/// The JavaScript media type the scripts are served with.
const JAVASCRIPT: &str = "application/javascript; charset=utf-8";

/// `sdk.js`, the ClickStream browser SDK.
static CLICKSTREAM: LazyLock<Asset> =
    LazyLock::new(|| Asset::new(JAVASCRIPT, include_bytes!("sdk.js")));

/// `datafly.js`, the Datafly.js-compatible SDK.
static DATAFLY: LazyLock<Asset> =
    LazyLock::new(|| Asset::new(JAVASCRIPT, include_bytes!("datafly.js")));

/// The SDK routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sdk_js))
        .routes(routes!(datafly_js))
        .routes(routes!(segment::settings))
}

/// Handles `GET /sdk.js`.
#[utoipa::path(
    get,
    path = "/sdk.js",
    tag = tag::BROWSER_SDKS,
    summary = "The ClickStream browser SDK",
    description = "`<script src=\".../sdk.js\" data-key=\"cs_live_…\" async>`: pageviews (also \
        on SPA navigation), clicks, scroll depth, forms, custom events, identify and consent, \
        batched to `POST /v1/events` of the script's origin. Gzipped when the client takes it; \
        `ETag`, `Cache-Control: public, max-age=300`, `Access-Control-Allow-Origin: *`. No key.",
    responses(
        (status = 200, description = "The script.", content_type = "application/javascript", body = String),
        (status = 304, description = "`If-None-Match` names the current version."),
    )
)]
pub async fn sdk_js(headers: HeaderMap) -> Response {
    CLICKSTREAM.respond(&headers)
}

/// Handles `GET /datafly.js`.
#[utoipa::path(
    get,
    path = "/datafly.js",
    tag = tag::BROWSER_SDKS,
    summary = "The Datafly.js-compatible SDK",
    description = "`<script src=\".../datafly.js\" data-pipeline-key=\"dk_live_…\">`: a global \
        `datafly` with `page` (also sent on load and SPA navigation), `track`, `identify` and \
        `group`, sent to `/v1/p`, `/v1/t`, `/v1/i`, `/v1/g` of the script's origin. Served like \
        `/sdk.js`. No key.",
    responses(
        (status = 200, description = "The script.", content_type = "application/javascript", body = String),
        (status = 304, description = "`If-None-Match` names the current version."),
    )
)]
pub async fn datafly_js(headers: HeaderMap) -> Response {
    DATAFLY.respond(&headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README promises at most 6 KB gzipped for each script.
    const SDK_BUDGET: usize = 6 * 1024;

    #[test]
    fn the_scripts_stay_small_gzipped() {
        let (sdk, datafly) = (CLICKSTREAM.gzipped_len(), DATAFLY.gzipped_len());
        println!("sdk.js {sdk} bytes gzipped, datafly.js {datafly}");
        assert!(sdk <= SDK_BUDGET, "sdk.js is {sdk} bytes gzipped");
        assert!(
            datafly <= SDK_BUDGET,
            "datafly.js is {datafly} bytes gzipped"
        );
    }
}
