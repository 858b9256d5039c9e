//! Health, readiness, metrics, and the JSON answers of unknown routes.

use serde_json::Value;

use crate::helpers::{pageview, spawn_app};

#[tokio::test]
async fn health_and_readiness_answer_200() {
    let app = spawn_app().await;
    for path in ["/healthz", "/readyz"] {
        let response = app.client.get(app.url(path)).send().await.expect("request");
        assert_eq!(response.status(), 200, "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn metrics_count_events_and_time_requests_and_commits() {
    let app = spawn_app().await;
    assert_eq!(
        app.post_events(&app.keys.server, &pageview("v"))
            .await
            .status(),
        202
    );
    assert_eq!(
        app.post_events("cs_live_bad", &pageview("v"))
            .await
            .status(),
        401
    );
    let text = app.metrics_text().await;
    for name in [
        "clickwire_events_received_total",
        "clickwire_events_accepted_total",
        "clickwire_requests_rejected_total{error=\"invalid_api_key\"}",
        "clickwire_http_request_duration_seconds_bucket",
        "clickwire_store_commit_seconds_bucket",
        "clickwire_ingest_queue_depth",
    ] {
        assert!(text.contains(name), "{name} missing from /metrics");
    }
    app.stop().await;
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/nope"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"], "not_found");
    let response = app
        .client
        .put(app.url("/v1/events"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 405);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"], "method_not_allowed");
    app.stop().await;
}

#[tokio::test]
async fn made_up_paths_and_methods_never_become_metric_labels() {
    let app = spawn_app().await;
    let path = format!("/made-up-{}", ulid_like());
    let response = app
        .client
        .get(app.url(&path))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 404);
    let method = reqwest::Method::from_bytes(b"XFLOODMETHOD").expect("method");
    let response = app
        .client
        .request(method, app.url("/v1/events"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 405);
    let text = app.metrics_text().await;
    assert!(!text.contains(&path), "the path became a label");
    assert!(!text.contains("XFLOODMETHOD"), "the method became a label");
    assert!(text.contains(r#"method="other""#), "{text}");
    app.stop().await;
}

/// A value no other test uses.
fn ulid_like() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_nanos()
}
