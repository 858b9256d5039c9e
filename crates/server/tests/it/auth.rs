//! Keys: where they are read from, the Origin gate, key kinds, and key lifecycle.

use std::time::Duration;

use serde_json::Value;

use crate::helpers::{pageview, spawn_app, spawn_app_with, TestApp};

async fn error_of(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("json");
    (
        status,
        body["error"].as_str().expect("error code").to_owned(),
    )
}

async fn post_with_origin(
    app: &TestApp,
    key: &str,
    header: &str,
    origin: &str,
) -> reqwest::Response {
    app.client
        .post(app.url("/v1/events"))
        .header("X-API-Key", key)
        .header(header, origin)
        .json(&pageview("v"))
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn a_missing_or_unknown_key_is_401_invalid_api_key() {
    let app = spawn_app().await;
    let missing = app
        .client
        .post(app.url("/v1/events"))
        .json(&pageview("v"))
        .send()
        .await
        .expect("request");
    assert_eq!(error_of(missing).await, (401, "invalid_api_key".into()));
    let unknown = app.post_events("cs_live_nope", &pageview("v")).await;
    assert_eq!(error_of(unknown).await, (401, "invalid_api_key".into()));
    app.stop().await;
}

#[tokio::test]
async fn the_key_may_ride_in_the_query_string() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url(&format!("/v1/events?key={}", app.keys.website)))
        .json(&pageview("beacon"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 202);
    app.stop().await;
}

#[tokio::test]
async fn a_website_key_with_domains_needs_a_matching_origin_or_referer() {
    let app = spawn_app().await;
    let key = app
        .create_key(
            "shop",
            "scale",
            "website",
            &["example.com", "*.example.org"],
        )
        .await;
    assert_eq!(
        post_with_origin(&app, &key, "Origin", "https://example.com")
            .await
            .status(),
        202
    );
    assert_eq!(
        post_with_origin(&app, &key, "Origin", "https://a.example.org")
            .await
            .status(),
        202
    );
    assert_eq!(
        post_with_origin(&app, &key, "Referer", "https://b.example.org/page")
            .await
            .status(),
        202
    );
    let wrong = post_with_origin(&app, &key, "Origin", "https://evil.test").await;
    assert_eq!(error_of(wrong).await, (403, "domain_not_allowed".into()));
    let none = app.post_events(&key, &pageview("v")).await;
    assert_eq!(error_of(none).await, (403, "domain_not_allowed".into()));
    app.stop().await;
}

#[tokio::test]
async fn mobile_and_server_keys_are_never_origin_gated() {
    let app = spawn_app().await;
    for kind in ["mobile", "server"] {
        let key = app
            .create_key("apps", "scale", kind, &["example.com"])
            .await;
        let response = post_with_origin(&app, &key, "Origin", "https://elsewhere.test").await;
        assert_eq!(response.status(), 202, "{kind} with a foreign origin");
        let response = app.post_events(&key, &pageview("v")).await;
        assert_eq!(response.status(), 202, "{kind} without an origin");
    }
    app.stop().await;
}

#[tokio::test]
async fn pipeline_and_admin_keys_cannot_send_clickstream_events() {
    let app = spawn_app().await;
    for key in [&app.keys.pipeline, &app.keys.admin] {
        let response = app.post_events(key, &pageview("v")).await;
        assert_eq!(error_of(response).await, (403, "forbidden".into()));
    }
    app.stop().await;
}

#[tokio::test]
async fn a_new_key_works_at_once_and_a_revoked_one_stops_within_five_seconds() {
    let app = spawn_app().await;
    let (key, id) = app
        .create_key_with_id("fresh", "builder", "server", &[])
        .await;
    assert_eq!(app.post_events(&key, &pageview("v")).await.status(), 202);

    let revoked = app.revoke(&app.keys.operator, &id).await;
    assert_eq!(revoked.status(), 200);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let status = app.post_events(&key, &pageview("v")).await.status();
        if status == 401 {
            break;
        }
        assert_eq!(status, 202);
        assert!(
            tokio::time::Instant::now() < deadline,
            "revoked key still works after 5 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.stop().await;
}

/// The value of a counter without labels in `/metrics` (0 before its first increment).
async fn counter(app: &TestApp, name: &str) -> f64 {
    let text = app.metrics_text().await;
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .map_or(0.0, |value| value.trim().parse().expect("a number"))
}

#[tokio::test]
async fn a_thousand_requests_with_one_unknown_key_read_the_catalog_only_a_few_times() {
    // A long refresh, so the miss outlives the test; the counter is process-wide, so other
    // tests running alongside add a few lookups of their own.
    let app = spawn_app_with(|c| c.auth.key_refresh = Duration::from_secs(60)).await;
    let name = "clickwire_auth_catalog_lookups_total";
    let before = counter(&app, name).await;
    for _ in 0..1_000 {
        let response = app.post_events("cs_live_made_up", &pageview("v")).await;
        assert_eq!(response.status(), 401);
    }
    let lookups = counter(&app, name).await - before;
    assert!(lookups >= 1.0, "the first request asks the catalog");
    assert!(
        lookups < 100.0,
        "{lookups} catalog lookups for one unknown key"
    );
    app.stop().await;
}
