//! CORS from the source's origins: preflights from allowed and refused origins, the POST
//! itself, requests without an Origin (server code), and localhost in development mode.

use reqwest::Method;
use serde_json::json;

use super::{error_code, track};
use crate::helpers::{spawn_app, TestApp};

impl TestApp {
    async fn preflight(&self, path: &str, origin: &str) -> reqwest::Response {
        self.client
            .request(Method::OPTIONS, self.url(path))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type, authorization",
            )
            .send()
            .await
            .expect("request")
    }

    async fn post_from(&self, origin: &str, key: &str) -> reqwest::Response {
        self.client
            .post(self.url("/v1/t"))
            .bearer_auth(key)
            .header("origin", origin)
            .json(&track("anon_cors"))
            .send()
            .await
            .expect("request")
    }
}

#[tokio::test]
async fn an_allowed_origin_gets_the_four_headers_on_preflight_and_post() {
    let app = spawn_app().await;
    let (_, key) = app
        .pipeline_source(json!({"origins": ["https://shop.example.com"]}))
        .await;
    for path in ["/v1/t", &format!("/v1/t?key={key}")] {
        let preflight = app.preflight(path, "https://shop.example.com").await;
        assert_eq!(preflight.status(), 204, "{path}");
        let headers = preflight.headers();
        assert_eq!(
            headers["access-control-allow-origin"],
            "https://shop.example.com"
        );
        assert_eq!(headers["access-control-allow-methods"], "POST, OPTIONS");
        assert_eq!(
            headers["access-control-allow-headers"],
            "Content-Type, Authorization"
        );
        assert_eq!(headers["access-control-allow-credentials"], "true");
    }
    let posted = app.post_from("https://shop.example.com", &key).await;
    assert_eq!(posted.status(), 200);
    assert_eq!(
        posted.headers()["access-control-allow-origin"],
        "https://shop.example.com"
    );
}

#[tokio::test]
async fn a_refused_origin_is_403_on_preflight_and_post() {
    let app = spawn_app().await;
    let (_, key) = app
        .pipeline_source(json!({"origins": ["https://shop.example.com"]}))
        .await;
    let preflight = app
        .preflight(&format!("/v1/t?key={key}"), "https://evil.example.net")
        .await;
    assert_eq!(preflight.status(), 403);
    assert!(preflight
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert_eq!(error_code(preflight).await, "origin_not_allowed");
    let keyless = app.preflight("/v1/t", "https://evil.example.net").await;
    assert_eq!(keyless.status(), 403, "no source allows it");
    let posted = app.post_from("https://evil.example.net", &key).await;
    assert_eq!(posted.status(), 403);
    assert!(posted
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert_eq!(error_code(posted).await, "origin_not_allowed");
    // Another source's origin does not open this one.
    let (_, other) = app
        .pipeline_source(json!({"origins": ["https://other.example.org"]}))
        .await;
    assert_eq!(
        app.post_from("https://other.example.org", &other)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.post_from("https://other.example.org", &key)
            .await
            .status(),
        403
    );
    assert!(app.stored("visitorId=anon_cors").await.len() == 1);
}

#[tokio::test]
async fn server_code_sends_no_origin_and_is_allowed() {
    let app = spawn_app().await;
    let (_, key) = app
        .pipeline_source(json!({"origins": ["https://shop.example.com"]}))
        .await;
    let response = app.post_bearer("/v1/t", &key, &track("anon_srv")).await;
    assert_eq!(response.status(), 200);
    assert!(response
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

#[tokio::test]
async fn localhost_is_allowed_only_in_development_mode() {
    let app = spawn_app().await;
    let refused = app
        .post_from("http://localhost:3000", &app.keys.pipeline)
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(
        app.preflight("/v1/t", "http://localhost:3000")
            .await
            .status(),
        403
    );
    let app = app
        .restart_with(|config| config.server.development = true)
        .await;
    let allowed = app
        .post_from("http://localhost:3000", &app.keys.pipeline)
        .await;
    assert_eq!(allowed.status(), 200);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    assert_eq!(
        app.preflight("/v1/t", "http://127.0.0.1:5173")
            .await
            .status(),
        204
    );
    let elsewhere = app
        .post_from("https://evil.example.net", &app.keys.pipeline)
        .await;
    assert_eq!(
        elsewhere.status(),
        403,
        "development mode opens localhost only"
    );
}
