//! Datafly server-side `POST /v1/events`, signed with `X-Signature` and `X-Timestamp`; the
//! same path without a signature stays the ClickStream collector.

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::{error_code, track};
use crate::helpers::{now_ms, pageview, spawn_app, TestApp};

fn signature(secret: &str, timestamp: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

impl TestApp {
    async fn post_signed(
        &self,
        key: &str,
        secret: &str,
        timestamp: i64,
        body: &Value,
    ) -> reqwest::Response {
        let text = body.to_string();
        let timestamp = timestamp.to_string();
        self.client
            .post(self.url("/v1/events"))
            .bearer_auth(key)
            .header("content-type", "application/json")
            .header("x-timestamp", &timestamp)
            .header("x-signature", signature(secret, &timestamp, &text))
            .body(text)
            .send()
            .await
            .expect("request")
    }
}

#[tokio::test]
async fn a_signed_server_side_event_is_stored_as_a_pipeline_message() {
    let app = spawn_app().await;
    let (source, key) = app.pipeline_source(json!({})).await;
    let secret = source["signing_secret"].as_str().expect("secret");
    let now = now_ms() / 1000;
    let response = app
        .post_signed(&key, secret, now, &track("anon_signed"))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.expect("json"),
        json!({"success": true})
    );
    let batch = json!({"batch": [track("anon_signed"), {"type": "identify", "userId": "u_s", "anonymousId": "anon_signed"}]});
    let response = app.post_signed(&key, secret, now, &batch).await;
    assert_eq!(response.status(), 200);
    let stored = app.stored("visitorId=anon_signed").await;
    assert_eq!(stored.len(), 3);
    assert_eq!(stored[0]["source"], source["id"]);
    let clickstream = app.post_events(&app.keys.server, &pageview("v_cs")).await;
    assert_eq!(
        clickstream.status(),
        202,
        "unsigned, the path is the ClickStream collector"
    );
}

#[tokio::test]
async fn a_bad_signature_or_a_stale_timestamp_is_401_invalid_signature() {
    let app = spawn_app().await;
    let (source, key) = app.pipeline_source(json!({})).await;
    let secret = source["signing_secret"].as_str().expect("secret");
    let now = now_ms() / 1000;
    let wrong = app
        .post_signed(&key, "whsec_wrong", now, &track("anon_bad"))
        .await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(error_code(wrong).await, "invalid_signature");
    let stale = app
        .post_signed(&key, secret, now - 301, &track("anon_bad"))
        .await;
    assert_eq!(stale.status(), 401);
    assert_eq!(error_code(stale).await, "invalid_signature");
    // Well past the 5 minutes: the server's clock may already be in the next second.
    let early = app
        .post_signed(&key, secret, now + 310, &track("anon_bad"))
        .await;
    assert_eq!(early.status(), 401);
    let unkeyed = app
        .post_signed("dk_live_nope", secret, now, &track("anon_bad"))
        .await;
    assert_eq!(unkeyed.status(), 401);
    assert_eq!(error_code(unkeyed).await, "invalid_pipeline_key");
    assert!(app.stored("visitorId=anon_bad").await.is_empty());
}

#[tokio::test]
async fn a_server_side_request_from_outside_the_ip_allowlist_is_403() {
    let app = spawn_app().await;
    let (outside, outside_key) = app
        .pipeline_source(json!({"ip_allow": ["10.0.0.0/8"]}))
        .await;
    let (inside, inside_key) = app
        .pipeline_source(json!({"ip_allow": ["127.0.0.1"]}))
        .await;
    let now = now_ms() / 1000;
    let secret = |s: &Value| s["signing_secret"].as_str().expect("secret").to_owned();
    let refused = app
        .post_signed(&outside_key, &secret(&outside), now, &track("anon_ip"))
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(error_code(refused).await, "ip_not_allowed");
    let unsigned = app
        .post_bearer("/v1/t", &outside_key, &track("anon_ip"))
        .await;
    assert_eq!(
        unsigned.status(),
        403,
        "browser endpoints called from server code too"
    );
    let allowed = app
        .post_signed(&inside_key, &secret(&inside), now, &track("anon_ip"))
        .await;
    assert_eq!(allowed.status(), 200);
}
