//! The Segment HTTP Tracking API: Basic auth, gzip bodies, every call type, its message
//! limit and the `sentAt` clock correction.

use std::io::Write;

use base64::Engine;
use flate2::{write::GzEncoder, Compression};
use serde_json::{json, Value};

use super::{error_code, track};
use crate::helpers::{now_ms, spawn_app, TestApp};

impl TestApp {
    /// `POST path` as the Segment SDKs send it: Basic auth with the key as user name.
    async fn post_segment(&self, path: &str, key: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .basic_auth(key, Some(""))
            .json(body)
            .send()
            .await
            .expect("request")
    }
}

#[tokio::test]
async fn every_call_type_is_accepted_with_basic_auth() {
    let app = spawn_app().await;
    let key = &app.keys.pipeline;
    let calls = [
        (
            "/v1/track",
            json!({"event": "Signed Up", "userId": "u_seg"}),
        ),
        ("/v1/page", json!({"name": "Home", "userId": "u_seg"})),
        ("/v1/screen", json!({"name": "Settings", "userId": "u_seg"})),
        (
            "/v1/identify",
            json!({"userId": "u_seg", "traits": {"plan": "pro"}}),
        ),
        ("/v1/group", json!({"groupId": "g_1", "userId": "u_seg"})),
        (
            "/v1/alias",
            json!({"previousId": "anon_seg", "userId": "u_seg"}),
        ),
    ];
    for (path, body) in &calls {
        let response = app.post_segment(path, key, body).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            response.json::<Value>().await.expect("json"),
            json!({"success": true})
        );
    }
    let stored = app.stored("visitorId=u_seg").await;
    let types: Vec<&str> = stored
        .iter()
        .filter_map(|e| e["event"]["type"].as_str())
        .collect();
    assert_eq!(
        types,
        ["track", "page", "screen", "identify", "group", "alias"]
    );
    assert_eq!(stored[5]["event"]["previousId"], "anon_seg");
    let alias = app
        .post_segment("/v1/alias", key, &json!({"userId": "u_seg"}))
        .await;
    assert_eq!(alias.status(), 400, "an alias needs previousId");
    let anonymous = app
        .post_segment("/v1/identify", key, &json!({"anonymousId": "a_seg"}))
        .await;
    assert_eq!(
        anonymous.status(),
        200,
        "a Segment identify may be anonymous"
    );
    let wrong = app
        .post_segment(
            "/v1/track",
            &app.keys.server,
            &json!({"event": "E", "userId": "u"}),
        )
        .await;
    assert_eq!(wrong.status(), 401);
}

#[tokio::test]
async fn gzip_bodies_are_read_whatever_their_content_type() {
    let app = spawn_app().await;
    let body = json!({"batch": [track("anon_gz"), track("anon_gz")]});
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder
        .write_all(body.to_string().as_bytes())
        .expect("gzip");
    let packed = encoder.finish().expect("gzip");
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{}:", app.keys.pipeline));
    let response = app
        .client
        .post(app.url("/v1/batch"))
        .header("authorization", format!("Basic {auth}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("content-encoding", "gzip")
        .body(packed)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    assert_eq!(app.stored("visitorId=anon_gz").await.len(), 2);
    let corrupt = app
        .client
        .post(app.url("/v1/batch"))
        .header("authorization", format!("Basic {auth}"))
        .header("content-encoding", "gzip")
        .body("not gzip at all")
        .send()
        .await
        .expect("request");
    assert_eq!(corrupt.status(), 400);
}

#[tokio::test]
async fn a_message_over_32_kb_on_a_segment_route_is_413() {
    let app = spawn_app().await;
    let mut message = json!({"event": "Big", "userId": "u_big"});
    message["properties"] = json!({"blob": "x".repeat(33 * 1024)});
    let response = app
        .post_segment("/v1/track", &app.keys.pipeline, &message)
        .await;
    assert_eq!(response.status(), 413);
    assert_eq!(error_code(response).await, "payload_too_large");
}

#[tokio::test]
async fn sent_at_corrects_the_client_clock_but_never_into_the_future() {
    let app = spawn_app().await;
    let iso = |ms: i64| {
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .expect("time")
            .format(&time::format_description::well_known::Rfc3339)
            .expect("format")
    };
    let parse = |text: &str| {
        let at = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .expect("rfc3339");
        (at.unix_timestamp_nanos() / 1_000_000) as i64
    };
    // The client clock runs an hour ahead: its event happened 10 s before it sent the batch.
    let client_now = now_ms() + 3_600_000;
    let before = now_ms();
    let body = json!({
        "sentAt": iso(client_now),
        "batch": [
            {"type": "track", "event": "Skewed", "userId": "u_skew", "timestamp": iso(client_now - 10_000)},
            {"type": "track", "event": "Ahead", "userId": "u_skew", "timestamp": iso(client_now + 60_000)},
            {"type": "track", "event": "Rudder", "userId": "u_skew",
             "originalTimestamp": iso(client_now - 20_000), "sentAt": iso(client_now)}
        ]
    });
    let response = app
        .post_segment("/v1/batch", &app.keys.pipeline, &body)
        .await;
    assert_eq!(response.status(), 200);
    let after = now_ms();
    let stored = app.stored("visitorId=u_skew").await;
    let at = |i: usize| parse(stored[i]["event"]["timestamp"].as_str().expect("timestamp"));
    assert!(
        at(0) >= before - 10_000 - 5 && at(0) <= after - 10_000 + 5,
        "corrected: {}",
        at(0)
    );
    assert!(
        at(1) >= before && at(1) <= after,
        "capped at the receipt: {}",
        at(1)
    );
    assert!(
        at(2) >= before - 20_000 - 5 && at(2) <= after - 20_000 + 5,
        "from originalTimestamp"
    );
    assert!(
        stored[0]["event"]["originalTimestamp"].is_string(),
        "the sent time is kept"
    );
}
