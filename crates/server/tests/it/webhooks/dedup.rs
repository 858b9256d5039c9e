//! Each dedup strategy: a repeat inside the window answers 200 with the first event's id
//! and is not stored again, also after a restart.

use serde_json::{json, Value};

use super::id_of;
use crate::helpers::spawn_app;

#[tokio::test]
async fn every_strategy_answers_a_repeat_with_the_first_event_even_after_a_restart() {
    let app = spawn_app().await;
    let by_hash = id_of(
        &app.webhook_source(json!({"dedup": {"strategy": "payload_hash"}}))
            .await,
    );
    let by_header = id_of(
        &app.webhook_source(json!({"dedup": {"strategy": "header_field", "field": "X-Delivery"}}))
            .await,
    );
    let by_body = id_of(
        &app.webhook_source(json!({"dedup": {"strategy": "body_field", "field": "data.id"}}))
            .await,
    );
    // (source, first request, a repeat, a different one)
    let cases = [
        (
            by_hash.as_str(),
            (r#"{"a":1}"#, ""),
            (r#"{"a":1}"#, ""),
            (r#"{"a":2}"#, ""),
        ),
        (
            by_header.as_str(),
            (r#"{"a":1}"#, "d-1"),
            (r#"{"a":9}"#, "d-1"),
            (r#"{"a":1}"#, "d-2"),
        ),
        (
            by_body.as_str(),
            (r#"{"data":{"id":"x"},"n":1}"#, ""),
            (r#"{"data":{"id":"x"},"n":2}"#, ""),
            (r#"{"data":{"id":"y"}}"#, ""),
        ),
    ];
    let send = |app: &crate::helpers::TestApp, source: &str, (body, delivery): (&str, &str)| {
        let source = source.to_owned();
        let body = body.to_owned();
        let delivery = delivery.to_owned();
        let client = app.client.clone();
        let url = app.url(&format!("/v1/ingest/{source}"));
        async move {
            let mut request = client
                .post(url)
                .header("content-type", "application/json")
                .body(body);
            if !delivery.is_empty() {
                request = request.header("x-delivery", delivery);
            }
            let response = request.send().await.expect("request");
            let status = response.status().as_u16();
            let answer: Value = response.json().await.expect("json");
            (
                status,
                answer["event_id"].as_str().unwrap_or_default().to_owned(),
            )
        }
    };
    let mut firsts = Vec::new();
    for (source, first, repeat, other) in &cases {
        let (status, first_id) = send(&app, source, *first).await;
        assert_eq!(status, 202, "{source}");
        let (status, again) = send(&app, source, *repeat).await;
        assert_eq!(
            (status, again.as_str()),
            (200, first_id.as_str()),
            "{source}: a repeat"
        );
        let (status, _) = send(&app, source, *other).await;
        assert_eq!(status, 202, "{source}: a different delivery");
        firsts.push(first_id);
    }
    let app = app.restart().await;
    for ((source, _, repeat, _), first_id) in cases.iter().zip(&firsts) {
        let (status, again) = send(&app, source, *repeat).await;
        assert_eq!(
            (status, again.as_str()),
            (200, first_id.as_str()),
            "{source} after a restart"
        );
        assert_eq!(
            app.stored(&format!("source_id={source}")).await.len(),
            2,
            "{source}"
        );
    }
}
