//! Per-key rate limits by tier, with their headers.

use serde_json::Value;

use crate::helpers::{batch, pageview, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_key_past_its_burst_gets_429_with_retry_headers() {
    let app = spawn_app_with(|config| config.rate_limits.free = 5).await;
    let key = app.create_key("small", "free", "server", &[]).await;
    // Burst is 2× the per-second limit: 10 events pass at once.
    let burst = batch((0..10).map(|i| pageview(&format!("v{i}"))).collect());
    let ok = app.post_events(&key, &burst).await;
    assert_eq!(ok.status(), 202);
    assert_eq!(ok.headers()["x-ratelimit-limit"], "5");
    assert_eq!(ok.headers()["x-ratelimit-remaining"], "0");

    let refused = app.post_events(&key, &pageview("one-more")).await;
    assert_eq!(refused.status(), 429);
    let headers = refused.headers().clone();
    let retry_after: u64 = headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("secs");
    assert!(retry_after >= 1);
    assert_eq!(headers["x-ratelimit-limit"], "5");
    assert_eq!(headers["x-ratelimit-remaining"], "0");
    assert!(headers.contains_key("x-ratelimit-reset"));
    let body: Value = refused.json().await.expect("json");
    assert_eq!(body["error"], "rate_limit_exceeded");
    app.stop().await;
}

#[tokio::test]
async fn limits_are_per_key() {
    let app = spawn_app_with(|config| config.rate_limits.free = 1).await;
    let first = app.create_key("tiny", "free", "server", &[]).await;
    let second = app.create_key("tiny", "free", "server", &[]).await;
    let two = batch(vec![pageview("a"), pageview("b")]);
    assert_eq!(app.post_events(&first, &two).await.status(), 202);
    assert_eq!(app.post_events(&first, &pageview("c")).await.status(), 429);
    assert_eq!(app.post_events(&second, &two).await.status(), 202);
    app.stop().await;
}

#[tokio::test]
async fn successful_answers_carry_the_remaining_allowance() {
    let app = spawn_app().await;
    let response = app.post_events(&app.keys.server, &pageview("v")).await;
    assert_eq!(response.status(), 202);
    // The default tenant is on `network`: 25,000/s with a burst of 50,000, one used.
    assert_eq!(response.headers()["x-ratelimit-remaining"], "49999");
    app.stop().await;
}

#[tokio::test]
async fn disabled_limits_let_everything_through() {
    let app = spawn_app_with(|config| {
        config.rate_limits.enabled = false;
        config.rate_limits.free = 1;
    })
    .await;
    let key = app.create_key("unlimited", "free", "server", &[]).await;
    for _ in 0..5 {
        let body = batch((0..5).map(|i| pageview(&format!("v{i}"))).collect());
        assert_eq!(app.post_events(&key, &body).await.status(), 202);
    }
    app.stop().await;
}
