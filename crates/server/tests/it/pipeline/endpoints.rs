//! `/v1/t /v1/p /v1/i /v1/g`: what they store, every status code of the contract's table,
//! and where the key may ride.

use std::time::Duration;

use serde_json::{json, Value};

use super::{error_code, track};
use crate::{
    feed,
    helpers::{now_ms, spawn_app, spawn_app_with},
};

#[tokio::test]
async fn each_endpoint_answers_success_after_storing_its_message() {
    let app = spawn_app().await;
    let anon = "anon_each";
    let messages = [
        ("/v1/t", track(anon)),
        (
            "/v1/p",
            json!({"type": "page", "name": "Pricing", "anonymousId": anon,
            "properties": {"url": "https://shop.example.com/pricing", "path": "/pricing", "title": "Pricing"}}),
        ),
        (
            "/v1/i",
            json!({"type": "identify", "userId": "user_1", "anonymousId": anon,
            "traits": {"email": "jane@example.com", "plan": "premium"}}),
        ),
        (
            "/v1/g",
            json!({"type": "group", "groupId": "org_555", "anonymousId": anon,
            "traits": {"name": "Acme Corp"}}),
        ),
    ];
    for (path, message) in &messages {
        let response = app.post_bearer(path, &app.keys.pipeline, message).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["content-type"], "application/json");
        assert_eq!(
            response.headers()["access-control-allow-methods"],
            "POST, OPTIONS"
        );
        assert_eq!(
            response.headers()["access-control-allow-headers"],
            "Content-Type, Authorization"
        );
        assert_eq!(
            response.headers()["access-control-allow-credentials"],
            "true"
        );
        let body: Value = response.json().await.expect("json");
        assert_eq!(body, json!({"success": true}));
    }
    let stored = app.stored(&format!("visitorId={anon}")).await;
    let types: Vec<&str> = stored
        .iter()
        .filter_map(|e| e["event"]["type"].as_str())
        .collect();
    assert_eq!(types, ["track", "page", "identify", "group"]);
    for event in &stored {
        assert_eq!(event["source"], app.source.as_str());
        assert!(
            event["labels"]["bot"].is_object(),
            "pipeline events are labelled: {event}"
        );
        assert!(event["event"].get("writeKey").is_none());
    }
    assert_eq!(stored[0]["event"]["properties"]["price"], 79.99);
    assert_eq!(stored[2]["event"]["traits"]["plan"], "premium");
    assert_eq!(stored[3]["event"]["groupId"], "org_555");
    let tracks = app.stored(&format!("visitorId={anon}&type=track")).await;
    assert_eq!(tracks.len(), 1, "the stored type is the message's");

    let signals = app
        .get(&format!("/v1/signals/{anon}"), &app.keys.server)
        .await;
    assert_eq!(signals.status(), 200);
    let signals: Value = signals.json().await.expect("json");
    assert_eq!(signals["hasIdentified"], true, "{signals}");
    assert_eq!(
        signals["sessionId"], anon,
        "without context.sessionId the session is the visitor"
    );
}

#[tokio::test]
async fn pipeline_events_reach_the_signals_feed_with_their_user() {
    let app = spawn_app().await;
    let mut subscriber = feed::subscribe(&app, &app.keys.server, "").await;
    let identify = json!({"type": "identify", "userId": "user_feed", "anonymousId": "anon_feed"});
    assert_eq!(
        app.post_bearer("/v1/i", &app.keys.pipeline, &identify)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.post_bearer("/v1/t", &app.keys.pipeline, &track("anon_feed"))
            .await
            .status(),
        200
    );
    let frames = subscriber.events(2).await;
    assert_eq!(frames[0]["eventType"], "identify");
    assert_eq!(
        frames[1]["eventType"], "custom",
        "a track is a custom event on the feed"
    );
    assert_eq!(frames[1]["page"], "/products/headphones");
    for frame in &frames {
        assert_eq!(frame["visitorId"], "anon_feed");
        assert_eq!(frame["userId"], "user_feed");
        assert!(frame["scores"].is_object());
    }
    // A resume replays the same frames byte for byte.
    let mut replay = feed::subscribe(&app, &app.keys.server, "since=0").await;
    assert_eq!(replay.events(2).await, frames);
}

#[tokio::test]
async fn a_missing_invalid_revoked_or_foreign_key_is_401() {
    let app = spawn_app().await;
    let expected = json!({
        "error": "invalid_pipeline_key",
        "message": "The supplied pipeline key was not recognised."
    });
    let none = app
        .client
        .post(app.url("/v1/t"))
        .json(&track("a"))
        .send()
        .await
        .expect("request");
    assert_eq!(none.status(), 401);
    assert_eq!(none.json::<Value>().await.expect("json"), expected);
    for key in [
        "dk_live_made_up",
        app.keys.website.as_str(),
        app.keys.server.as_str(),
    ] {
        let response = app.post_bearer("/v1/t", key, &track("a")).await;
        assert_eq!(response.status(), 401, "{key}");
        assert_eq!(response.json::<Value>().await.expect("json"), expected);
    }
    let key = app.pipeline_key(&app.source).await;
    let id = app.key_id(&key).await;
    assert_eq!(app.revoke(&app.keys.admin, &id).await.status(), 200);
    let revoked = app.post_bearer("/v1/t", &key, &track("a")).await;
    assert_eq!(revoked.status(), 401);
    assert_eq!(error_code(revoked).await, "invalid_pipeline_key");
}

#[tokio::test]
async fn the_key_may_ride_in_the_query_string_or_the_body() {
    let app = spawn_app().await;
    let by_query = app
        .client
        .post(app.url(&format!("/v1/t?key={}", app.keys.pipeline)))
        .json(&track("anon_q"))
        .send()
        .await
        .expect("request");
    assert_eq!(by_query.status(), 200);
    let mut message = track("anon_b");
    message["writeKey"] = json!(app.keys.pipeline);
    let by_body = app
        .client
        .post(app.url("/v1/t"))
        .json(&message)
        .send()
        .await
        .expect("request");
    assert_eq!(by_body.status(), 200);
    let stored = app.stored("visitorId=anon_b").await;
    assert_eq!(stored.len(), 1);
    assert!(
        stored[0]["event"].get("writeKey").is_none(),
        "a key is never stored"
    );
}

#[tokio::test]
async fn invalid_payloads_are_400_naming_the_field() {
    let app = spawn_app().await;
    let key = &app.keys.pipeline;
    let malformed = app
        .client
        .post(app.url("/v1/t"))
        .bearer_auth(key)
        .header("content-type", "application/json")
        .body("{\"type\": \"track\",")
        .send()
        .await
        .expect("request");
    assert_eq!(malformed.status(), 400);
    assert_eq!(error_code(malformed).await, "invalid_json");
    let cases = [
        (
            "/v1/t",
            json!({"type": "track", "anonymousId": "a"}),
            "event",
        ),
        (
            "/v1/i",
            json!({"type": "identify", "anonymousId": "a"}),
            "userId",
        ),
        (
            "/v1/g",
            json!({"type": "group", "anonymousId": "a"}),
            "groupId",
        ),
        (
            "/v1/t",
            json!({"type": "track", "event": "E"}),
            "anonymousId",
        ),
        (
            "/v1/t",
            json!({"type": "track", "event": "E", "anonymousId": "a", "properties": "x"}),
            "properties",
        ),
        (
            "/v1/t",
            json!({"type": "page", "event": "E", "anonymousId": "a"}),
            "type",
        ),
        (
            "/v1/p",
            json!({"type": "page", "anonymousId": "a", "timestamp": "yesterday"}),
            "timestamp",
        ),
        (
            "/v1/p",
            json!({"type": "page", "anonymousId": ["a"]}),
            "anonymousId",
        ),
    ];
    for (path, body, field) in cases {
        let response = app.post_bearer(path, key, &body).await;
        assert_eq!(response.status(), 400, "{path} {body}");
        let answer: Value = response.json().await.expect("json");
        assert_eq!(answer["error"], "validation_error");
        let paths: Vec<&str> = answer["details"]
            .as_array()
            .expect("details")
            .iter()
            .filter_map(|d| d["path"].as_str())
            .collect();
        assert_eq!(paths, [field], "{body}");
    }
    assert!(app.stored("").await.is_empty(), "nothing invalid is stored");
}

#[tokio::test]
async fn a_body_over_one_megabyte_is_413() {
    let app = spawn_app().await;
    let mut message = track("anon_big");
    message["properties"]["blob"] = json!("x".repeat(1024 * 1024));
    let response = app.post_bearer("/v1/t", &app.keys.pipeline, &message).await;
    assert_eq!(response.status(), 413);
    assert_eq!(error_code(response).await, "payload_too_large");
}

#[tokio::test]
async fn over_the_source_rate_limit_is_429_with_retry_after() {
    let app = spawn_app().await;
    let (_, key) = app.pipeline_source(json!({"rate_limit": 2})).await;
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..4 {
        let response = app.post_bearer("/v1/t", &key, &track("anon_rl")).await;
        statuses.push(response.status().as_u16());
        if response.status() == 429 {
            retry_after = response.headers().get("retry-after").cloned();
            assert_eq!(error_code(response).await, "rate_limit_exceeded");
        }
    }
    assert_eq!(&statuses[..2], [200, 200], "{statuses:?}");
    assert!(statuses[2..].contains(&429), "{statuses:?}");
    assert_eq!(retry_after.expect("Retry-After"), "1");
}

#[tokio::test]
async fn a_full_queue_is_503_with_retry_after() {
    let app = spawn_app_with(|config| {
        config.store.queue_capacity = 1;
        config.store.busy_timeout = Duration::from_secs(30);
    })
    .await;
    // Another connection holds the write lock, so the first message keeps the queue full.
    let blocker = rusqlite::Connection::open(app.data.join("clickwire.db")).expect("db");
    blocker.execute_batch("BEGIN IMMEDIATE").expect("lock");
    let first_message = track("anon_q1");
    let first = app.post_bearer("/v1/t", &app.keys.pipeline, &first_message);
    tokio::pin!(first);
    let refused = tokio::select! {
        refused = async {
            app.wait_for_queue_depth(1).await;
            app.post_bearer("/v1/t", &app.keys.pipeline, &track("anon_q2")).await
        } => refused,
        done = &mut first => panic!("the first message cannot commit while the lock is held: {}", done.status()),
    };
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "1");
    assert_eq!(error_code(refused).await, "overloaded");
    blocker.execute_batch("COMMIT").expect("unlock");
    assert_eq!(
        first.await.status(),
        200,
        "the queued message commits once the lock is released"
    );
}

#[tokio::test]
async fn timestamps_default_to_receipt_and_far_future_ones_are_replaced() {
    let app = spawn_app().await;
    let before = now_ms();
    let mut past = track("anon_ts");
    past["timestamp"] = json!("2026-02-25T14:30:00.000Z");
    let mut future = track("anon_ts");
    future["timestamp"] = json!("2999-01-01T00:00:00.000Z");
    let mut absent = track("anon_ts");
    absent.as_object_mut().expect("object").remove("timestamp");
    for message in [&past, &future, &absent] {
        assert_eq!(
            app.post_bearer("/v1/t", &app.keys.pipeline, message)
                .await
                .status(),
            200
        );
    }
    let stored = app.stored("visitorId=anon_ts").await;
    let time = |event: &Value| {
        let text = event["event"]["timestamp"].as_str().expect("timestamp");
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .expect("rfc3339")
            .unix_timestamp_nanos()
            / 1_000_000
    };
    assert_eq!(stored[0]["event"]["timestamp"], "2026-02-25T14:30:00.000Z");
    assert!(time(&stored[1]) >= i128::from(before) && time(&stored[1]) <= i128::from(now_ms()));
    assert_eq!(
        stored[1]["event"]["originalTimestamp"],
        "2999-01-01T00:00:00.000Z"
    );
    assert!(time(&stored[2]) >= i128::from(before));
    assert!(stored[2]["event"]["receivedAt"].is_string());
}
