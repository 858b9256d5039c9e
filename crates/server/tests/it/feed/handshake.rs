//! Before the upgrade: where the key comes from, the subprotocol answer, and the plain JSON
//! refusals (401, 403, 426, 429, 400) in their order.

use std::time::Duration;

use serde_json::json;

use super::{connect, refused, request, subscribe, with_header};
use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn the_key_comes_from_the_subprotocol_then_the_query_then_the_header() {
    let app = spawn_app().await;
    let good = app.keys.server.clone();
    let bad = "cs_srv_live_nope";
    let proto = |key: &str| format!("clickstream-v1, {key}");

    // Subprotocol wins over a bad query key and a bad header.
    let all = request(&app, &format!("/signals/stream?key={bad}"));
    let all = with_header(
        with_header(all, "sec-websocket-protocol", &proto(&good)),
        "x-api-key",
        bad,
    );
    connect(all).await;
    // A bad subprotocol key loses even to good query and header keys.
    let all = request(&app, &format!("/signals/stream?key={good}"));
    let all = with_header(
        with_header(all, "sec-websocket-protocol", &proto(bad)),
        "x-api-key",
        &good,
    );
    assert_eq!(refused(all).await.0, 401);
    // Without a subprotocol the query wins over the header.
    let query_header = with_header(
        request(&app, &format!("/v1/signals/stream?key={good}")),
        "x-api-key",
        bad,
    );
    connect(query_header).await;
    let query_header = with_header(
        request(&app, &format!("/v1/signals/stream?key={bad}")),
        "x-api-key",
        &good,
    );
    assert_eq!(refused(query_header).await.0, 401);
    // The header alone is enough.
    connect(with_header(
        request(&app, "/v1/signals/stream"),
        "x-api-key",
        &good,
    ))
    .await;
    app.stop().await;
}

#[tokio::test]
async fn the_server_selects_clickstream_v1_and_never_echoes_the_key() {
    let app = spawn_app().await;
    let protocol = format!("clickstream-v1, {}", app.keys.server);
    let feed = connect(with_header(
        request(&app, "/signals/stream"),
        "sec-websocket-protocol",
        &protocol,
    ))
    .await;
    assert_eq!(feed.protocol.as_deref(), Some("clickstream-v1"));
    let by_header = connect(with_header(
        request(&app, "/signals/stream"),
        "x-api-key",
        &app.keys.server,
    ))
    .await;
    assert_eq!(
        by_header.protocol, None,
        "nothing to select without a subprotocol"
    );
    app.stop().await;
}

#[tokio::test]
async fn missing_invalid_and_revoked_keys_get_a_json_401_before_the_upgrade() {
    let app = spawn_app().await;
    let (status, body) = refused(request(&app, "/v1/signals/stream")).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_api_key"))
    );
    let invalid = with_header(
        request(&app, "/v1/signals/stream"),
        "x-api-key",
        "cs_live_nope",
    );
    assert_eq!(refused(invalid).await.0, 401);
    // A real key sent as the only subprotocol: still 401, with the form that works.
    let alone = with_header(
        request(&app, "/v1/signals/stream"),
        "sec-websocket-protocol",
        &app.keys.server,
    );
    let (status, body) = refused(alone).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_api_key"))
    );
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains("clickstream-v1, <key>"), "{message}");

    let (key, id) = app
        .create_key_with_id("revoked-co", "scale", "server", &[])
        .await;
    connect(with_header(
        request(&app, "/v1/signals/stream"),
        "x-api-key",
        &key,
    ))
    .await;
    let revoked = app.revoke(&app.keys.operator, &id).await;
    assert_eq!(revoked.status(), 200);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let attempt = with_header(request(&app, "/v1/signals/stream"), "x-api-key", &key);
        match tokio_tungstenite::connect_async(attempt).await {
            Ok(_) => {}
            Err(_) => {
                let again = with_header(request(&app, "/v1/signals/stream"), "x-api-key", &key);
                assert_eq!(refused(again).await.0, 401);
                break;
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "revoked key still subscribes"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.stop().await;
}

#[tokio::test]
async fn free_and_builder_keys_get_403_plan_upgrade_required_with_their_plan() {
    let app = spawn_app().await;
    for tier in ["free", "builder"] {
        let key = app
            .create_key(&format!("{tier}-co"), tier, "server", &[])
            .await;
        let (status, body) = refused(with_header(
            request(&app, "/signals/stream"),
            "x-api-key",
            &key,
        ))
        .await;
        assert_eq!(status, 403);
        assert_eq!(body["error"], "plan_upgrade_required");
        assert_eq!(body["currentPlan"], tier);
    }
    let scale = app.create_key("scale-co", "scale", "website", &[]).await;
    connect(with_header(
        request(&app, "/signals/stream"),
        "x-api-key",
        &scale,
    ))
    .await;
    app.stop().await;
}

#[tokio::test]
async fn a_request_without_an_upgrade_gets_426_but_only_after_auth() {
    let app = spawn_app().await;
    let get = |query: String| {
        let client = app.client.clone();
        let url = app.url(&format!("/signals/stream?{query}"));
        async move { client.get(url).send().await.expect("request") }
    };
    let response = get(format!("key={}", app.keys.server)).await;
    assert_eq!(response.status(), 426);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(
        body,
        json!({"error": "upgrade_required", "message": "WebSocket upgrade required at /v1/signals/stream"})
    );
    assert_eq!(get("key=cs_live_nope".into()).await.status(), 401);
    let free = app.create_key("free-co", "free", "server", &[]).await;
    let response = app
        .client
        .get(app.url(&format!("/signals/stream?key={free}")))
        .header("Upgrade", "websocket")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn the_eleventh_subscriber_of_a_tenant_gets_429_and_a_freed_slot_is_reusable() {
    let app = spawn_app().await;
    let mut feeds = Vec::new();
    for _ in 0..10 {
        feeds.push(subscribe(&app, &app.keys.server, "").await);
    }
    let eleventh = with_header(
        request(&app, "/v1/signals/stream"),
        "x-api-key",
        &app.keys.server,
    );
    let (status, body) = refused(eleventh).await;
    assert_eq!(status, 429);
    assert_eq!(body["error"], "too_many_subscribers");
    assert_eq!(body["message"], "Too many subscribers");
    // Another tenant has its own cap.
    let other = app.create_key("other-co", "scale", "server", &[]).await;
    subscribe(&app, &other, "").await;
    // A subscriber that leaves frees its slot.
    drop(feeds.pop());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let again = with_header(
            request(&app, "/v1/signals/stream"),
            "x-api-key",
            &app.keys.server,
        );
        if tokio_tungstenite::connect_async(again).await.is_ok() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the slot was never freed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.stop().await;
}

#[tokio::test]
async fn a_bad_filter_or_since_is_400_before_the_upgrade() {
    let app = spawn_app_with(|_| {}).await;
    let bad = with_header(
        request(&app, "/v1/signals/stream?filter=scores.intnet%3E%3D70"),
        "x-api-key",
        &app.keys.server,
    );
    let (status, body) = refused(bad).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_filter");
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("scores.intnet"),
        "{body}"
    );
    // Values are checked against each field's type: these matched nothing before.
    for (filter, why) in [
        ("scores.intent%3E%3E%3Ex", "is not a number"),
        ("bot.isBot%3Dmaybe", "is not true or false"),
    ] {
        let bad = with_header(
            request(&app, &format!("/v1/signals/stream?filter={filter}")),
            "x-api-key",
            &app.keys.server,
        );
        let (status, body) = refused(bad).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_filter"))
        );
        assert!(
            body["message"].as_str().is_some_and(|m| m.contains(why)),
            "{body}"
        );
    }
    let since = with_header(
        request(&app, "/v1/signals/stream?since=soon"),
        "x-api-key",
        &app.keys.server,
    );
    assert_eq!(refused(since).await.0, 400);
    app.stop().await;
}
