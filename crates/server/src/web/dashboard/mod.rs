//! The operator's dashboard: `GET /dashboard` (one HTML page) and its assets under
//! `/dashboard/…`, plain files next to this module compiled into the binary (no build
//! step), and its sign-in session ([`session`]). The page talks to the REST API and to
//! `/v1/ws` with the session cookie; nothing it loads comes from anywhere else, which its
//! Content-Security-Policy states. uPlot (MIT, `vendor/uplot/`) draws the charts.

pub mod session;

use axum::{
    http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    error::{ApiError, ErrorBody as Error},
    extract::Path,
    openapi::tag,
    state::AppState,
};

/// Everything the page may load or connect to: itself. No inline script or style, no
/// framing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";
/// The page and its own scripts change with the binary: revalidated on every load (by
/// `ETag`).
const REVALIDATE: &str = "no-cache";
/// The vendored library's URLs carry its version: cached for good.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// One embedded file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
    cache: &'static str,
}

const INDEX: Asset = Asset {
    name: "index.html",
    content_type: "text/html; charset=utf-8",
    body: include_str!("index.html"),
    cache: REVALIDATE,
};

/// The files under `/dashboard/`.
const ASSETS: &[Asset] = &[
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("app.js"),
        cache: REVALIDATE,
    },
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("app.css"),
        cache: REVALIDATE,
    },
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        body: include_str!("favicon.svg"),
        cache: REVALIDATE,
    },
    Asset {
        name: "uPlot-1.6.32.iife.min.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("vendor/uplot/uPlot.iife.min.js"),
        cache: IMMUTABLE,
    },
    Asset {
        name: "uPlot-1.6.32.min.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("vendor/uplot/uPlot.min.css"),
        cache: IMMUTABLE,
    },
];

/// The dashboard's routes: the page, its assets and its session.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(page))
        .routes(routes!(asset))
        .routes(routes!(
            session::sign_in,
            session::current,
            session::sign_out
        ))
}

/// Handles `GET /dashboard`.
#[utoipa::path(
    get,
    path = "/dashboard",
    operation_id = "dashboard_page",
    tag = tag::DASHBOARD,
    summary = "The dashboard",
    description = "The operator's web page: sign in with a server or admin key, then the tenant's live events, deliveries and issues, charts, a visitor lookup, sources, destinations and a test-session inspector. Served with a Content-Security-Policy allowing only the server itself, `X-Frame-Options: DENY`, `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer`.",
    responses(
        (status = 200, description = "The page.", content_type = "text/html"),
        (status = 304, description = "Not modified (`If-None-Match`)."),
    )
)]
pub async fn page(headers: HeaderMap) -> Response {
    serve(&INDEX, &headers)
}

/// Handles `GET /dashboard/{asset}`.
#[utoipa::path(
    get,
    path = "/dashboard/{asset}",
    operation_id = "dashboard_asset",
    tag = tag::DASHBOARD,
    summary = "A file of the dashboard",
    description = "The page's scripts and style sheets (its own, revalidated by `ETag`; the vendored uPlot, cached for good), with the same security headers as the page.",
    params(("asset" = String, Path, description = "The file's name, e.g. `app.js`.")),
    responses(
        (status = 200, description = "The file.", content_type = "text/javascript"),
        (status = 304, description = "Not modified (`If-None-Match`)."),
        (status = 404, description = "`not_found`: no such file.", body = Error),
    )
)]
pub async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Result<Response, ApiError> {
    let found = ASSETS
        .iter()
        .find(|asset| asset.name == name)
        .ok_or_else(|| ApiError::NotFound(format!("dashboard file {name}")))?;
    Ok(serve(found, &headers))
}

/// `asset` with its headers, or 304 when the browser's copy is current.
fn serve(asset: &Asset, request: &HeaderMap) -> Response {
    let etag = etag(asset);
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|tag| tag.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, asset.content_type)], asset.body).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(asset.cache));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    add_security_headers(headers);
    response
}

/// A strong `ETag` of the file's content.
fn etag(asset: &Asset) -> String {
    format!(
        "\"{:016x}\"",
        xxhash_rust::xxh3::xxh3_64(asset.body.as_bytes())
    )
}

/// The headers that keep the page to itself.
fn add_security_headers(headers: &mut HeaderMap) {
    let fixed: [(HeaderName, &'static str); 6] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_has_no_inline_script_or_style_and_loads_only_its_own_files() {
        let html = INDEX.body;
        assert!(!html.contains("<script>"), "inline script");
        assert!(!html.contains("style="), "inline style");
        assert!(!html.contains("<style"), "inline style sheet");
        for asset in ASSETS {
            assert!(
                html.contains(&format!("/dashboard/{}", asset.name)),
                "{} is not loaded by the page",
                asset.name
            );
        }
        assert!(!html.contains("http://") && !html.contains("https://"));
    }

    #[test]
    fn the_script_writes_no_html_from_data() {
        // Everything the server sends is shown through textContent, never innerHTML.
        assert!(!ASSETS[0].body.contains("innerHTML"));
        assert!(!ASSETS[0].body.contains("eval("));
    }
}
