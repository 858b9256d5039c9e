//! What a webhook event records and when a request is refused.

use serde_json::{json, Value};

use super::id_of;
use crate::{helpers::spawn_app, pipeline::error_code};

#[tokio::test]
async fn a_webhook_is_stored_with_its_method_headers_query_and_body() {
    let app = spawn_app().await;
    let source = id_of(&app.webhook_source(json!({})).await);
    let response = app
        .client
        .post(app.url(&format!(
            "/v1/ingest/{source}?topic=orders&topic=refunds&v=2"
        )))
        .header("content-type", "application/json")
        .header("x-shop", "acme")
        .header("connection", "keep-alive")
        .body(r#"{"order":{"id":"ord_1","amount":4999}}"#)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 202);
    let answer: Value = response.json().await.expect("json");
    let event_id = answer["event_id"].as_str().expect("event id");
    assert!(event_id.starts_with("evt_"));
    assert_eq!(answer["source_id"], source.as_str());

    let text = app
        .client
        .put(app.url(&format!("/v1/ingest/{source}")))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .expect("request");
    assert_eq!(text.status(), 202);
    let binary = app
        .client
        .post(app.url(&format!("/v1/ingest/{source}")))
        .body(vec![0xffu8, 0x00, 0x7f])
        .send()
        .await
        .expect("request");
    assert_eq!(binary.status(), 202);
    let get = app
        .client
        .get(app.url(&format!("/v1/ingest/{source}")))
        .send()
        .await
        .expect("request");
    assert_eq!(get.status(), 202, "any method is recorded");

    let stored = app.stored(&format!("source_id={source}")).await;
    assert_eq!(stored.len(), 4);
    let first = &stored[0];
    assert_eq!(first["id"], event_id);
    assert_eq!(first["source"], source.as_str());
    assert!(first.get("labels").is_none(), "webhooks are not scored");
    let event = &first["event"];
    assert_eq!(event["type"], "webhook");
    assert_eq!(event["method"], "POST");
    assert_eq!(event["path"], format!("/v1/ingest/{source}"));
    assert_eq!(
        event["query"],
        json!({"topic": ["orders", "refunds"], "v": "2"})
    );
    assert_eq!(event["headers"]["x-shop"], "acme");
    assert!(
        event["headers"].get("connection").is_none(),
        "hop-by-hop headers are dropped"
    );
    assert_eq!(
        event["body"],
        json!({"order": {"id": "ord_1", "amount": 4999}})
    );
    assert_eq!(event["body_encoding"], "json");
    assert!(event["ip_hash"]
        .as_str()
        .is_some_and(|h| !h.is_empty() && !h.contains("127.0.0.1")));
    assert_eq!(stored[1]["event"]["method"], "PUT");
    assert_eq!(stored[1]["event"]["body"], "hello");
    assert_eq!(stored[1]["event"]["body_encoding"], "text");
    assert_eq!(stored[2]["event"]["body"], "/wB/");
    assert_eq!(stored[2]["event"]["body_encoding"], "base64");
    let others = app.stored(&format!("source_id={}", app.source)).await;
    assert!(
        others.is_empty(),
        "the filter keeps only the source's events"
    );
}

#[tokio::test]
async fn unknown_deleted_or_pipeline_sources_are_404() {
    let app = spawn_app().await;
    assert_eq!(app.post_webhook("src_nope", "{}", &[]).await.status(), 404);
    let pipeline = app.source.clone();
    assert_eq!(
        app.post_webhook(&pipeline, "{}", &[]).await.status(),
        404,
        "not a webhook source"
    );
    let source = id_of(&app.webhook_source(json!({})).await);
    let deleted = app
        .client
        .delete(app.url(&format!("/v1/sources/{source}")))
        .header("X-API-Key", &app.keys.admin)
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), 204);
    let gone = app.post_webhook(&source, "{}", &[]).await;
    assert_eq!(gone.status(), 404);
    assert_eq!(error_code(gone).await, "not_found");
}

#[tokio::test]
async fn refused_addresses_are_403_and_large_bodies_413() {
    let app = spawn_app().await;
    let denied = id_of(
        &app.webhook_source(json!({"ip_deny": ["127.0.0.0/8"]}))
            .await,
    );
    let response = app.post_webhook(&denied, "{}", &[]).await;
    assert_eq!(response.status(), 403);
    assert_eq!(error_code(response).await, "ip_not_allowed");
    let elsewhere = id_of(
        &app.webhook_source(json!({"ip_allow": ["10.0.0.0/8"]}))
            .await,
    );
    assert_eq!(app.post_webhook(&elsewhere, "{}", &[]).await.status(), 403);
    let open = id_of(&app.webhook_source(json!({"ip_allow": ["127.0.0.1"]})).await);
    assert_eq!(app.post_webhook(&open, "{}", &[]).await.status(), 202);
    let big = format!("\"{}\"", "x".repeat(1024 * 1024 + 1));
    let response = app.post_webhook(&open, &big, &[]).await;
    assert_eq!(response.status(), 413);
    assert_eq!(error_code(response).await, "payload_too_large");
}

#[tokio::test]
async fn webhook_settings_are_checked_when_the_source_is_saved() {
    let app = spawn_app().await;
    let bad = json!({
        "name": "hooks", "kind": "webhook", "origins": ["https://a.example.com"],
        "verification": {"type": "standard_webhooks", "secret": "not-a-secret"},
        "dedup": {"strategy": "header_field"}, "ip_deny": ["nope"]
    });
    let response = app.post_json("/v1/sources", &app.keys.admin, &bad).await;
    assert_eq!(response.status(), 400);
    let answer: Value = response.json().await.expect("json");
    let mut paths: Vec<&str> = answer["details"]
        .as_array()
        .expect("details")
        .iter()
        .filter_map(|d| d["path"].as_str())
        .collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            "dedup.field",
            "ip_deny[0]",
            "origins",
            "verification.secret"
        ]
    );
    let pipeline = json!({"name": "p", "kind": "pipeline", "dedup": {"strategy": "payload_hash"}});
    assert_eq!(
        app.post_json("/v1/sources", &app.keys.admin, &pipeline)
            .await
            .status(),
        400
    );
    let shown = app
        .webhook_source(
            json!({"dedup": {"strategy": "body_field", "field": "data.id", "window": "1h"}}),
        )
        .await;
    assert_eq!(
        shown["dedup"],
        json!({"strategy": "body_field", "field": "data.id", "window": "1h"})
    );
}
