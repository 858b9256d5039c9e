//! `POST /v1/batch`: up to 500 messages and 500 KB; invalid messages are reported one by
//! one and the valid ones stored.

use serde_json::{json, Value};

use super::{error_code, track};
use crate::helpers::spawn_app;

#[tokio::test]
async fn valid_messages_are_stored_and_invalid_ones_reported_each() {
    let app = spawn_app().await;
    let first = track("anon_batch");
    let body = json!({"batch": [
        first,
        {"type": "track", "anonymousId": "anon_batch", "messageId": "m_bad"},
        {"type": "page", "name": "Home", "anonymousId": "anon_batch", "messageId": "m_page"},
        first,
        {"type": "launch", "anonymousId": "anon_batch", "messageId": "m_type"}
    ]});
    let response = app
        .post_bearer("/v1/batch", &app.keys.pipeline, &body)
        .await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.expect("json");
    assert_eq!(answer["success"], true);
    let results = answer["results"].as_array().expect("results");
    let statuses: Vec<&str> = results
        .iter()
        .filter_map(|r| r["status"].as_str())
        .collect();
    assert_eq!(
        statuses,
        ["accepted", "rejected", "accepted", "duplicate", "rejected"]
    );
    assert_eq!(results[0]["messageId"], first["messageId"]);
    assert_eq!(results[1]["messageId"], "m_bad");
    assert_eq!(results[1]["error"], "validation_error");
    assert_eq!(results[1]["details"][0]["path"], "batch[1].event");
    assert_eq!(results[4]["details"][0]["path"], "batch[4].type");
    let stored = app.stored("visitorId=anon_batch").await;
    let types: Vec<&str> = stored
        .iter()
        .filter_map(|e| e["event"]["type"].as_str())
        .collect();
    assert_eq!(types, ["track", "page"]);
}

#[tokio::test]
async fn a_batch_with_no_valid_message_is_400() {
    let app = spawn_app().await;
    let body = json!({"batch": [{"type": "track", "anonymousId": "a"}]});
    let response = app
        .post_bearer("/v1/batch", &app.keys.pipeline, &body)
        .await;
    assert_eq!(response.status(), 400);
    let answer: Value = response.json().await.expect("json");
    assert_eq!(answer["details"][0]["path"], "batch[0].event");
    for bad in [
        json!({"batch": []}),
        json!({"batch": "x"}),
        json!({"messages": []}),
    ] {
        let response = app.post_bearer("/v1/batch", &app.keys.pipeline, &bad).await;
        assert_eq!(response.status(), 400, "{bad}");
        assert_eq!(error_code(response).await, "validation_error");
    }
}

#[tokio::test]
async fn batch_limits_are_500_messages_500_kb_and_32_kb_a_message() {
    let app = spawn_app().await;
    let many: Vec<Value> = (0..501).map(|_| track("anon_many")).collect();
    let response = app
        .post_bearer("/v1/batch", &app.keys.pipeline, &json!({"batch": many}))
        .await;
    assert_eq!(response.status(), 400);
    let answer: Value = response.json().await.expect("json");
    assert_eq!(answer["details"][0]["path"], "batch");

    let mut big = track("anon_big");
    big["properties"]["blob"] = json!("x".repeat(33 * 1024));
    let body = json!({"batch": [big, track("anon_big")]});
    let response = app
        .post_bearer("/v1/batch", &app.keys.pipeline, &body)
        .await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.expect("json");
    assert_eq!(answer["results"][0]["status"], "rejected");
    assert_eq!(
        answer["results"][0]["details"][0]["message"],
        "must be at most 32768 bytes"
    );
    assert_eq!(answer["results"][1]["status"], "accepted");

    let chunks: Vec<Value> = (0..20)
        .map(|_| {
            let mut message = track("anon_huge");
            message["properties"]["blob"] = json!("x".repeat(30 * 1024));
            message
        })
        .collect();
    let response = app
        .post_bearer("/v1/batch", &app.keys.pipeline, &json!({"batch": chunks}))
        .await;
    assert_eq!(response.status(), 413);
    assert_eq!(error_code(response).await, "payload_too_large");
    assert!(app.stored("visitorId=anon_huge").await.is_empty());
}
