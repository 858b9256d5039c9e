//! `GET /v1/events`: filters, pagination, key kinds and tenant isolation.

use serde_json::{json, Value};

use crate::helpers::{batch, click, pageview, spawn_app};

fn visitors(page: &Value) -> Vec<String> {
    page["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            e["event"]["visitorId"]
                .as_str()
                .expect("visitor")
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn pages_follow_the_cursor_oldest_first_until_it_is_null() {
    let app = spawn_app().await;
    let events: Vec<Value> = (0..7).map(|i| pageview(&format!("v{i}"))).collect();
    assert_eq!(
        app.post_events(&app.keys.server, &batch(events))
            .await
            .status(),
        202
    );
    let mut seen = Vec::new();
    let mut seqs = Vec::new();
    let mut query = "limit=3".to_owned();
    loop {
        let page = app.read_events(&query).await;
        seen.extend(visitors(&page));
        seqs.extend(
            page["events"]
                .as_array()
                .expect("events")
                .iter()
                .map(|e| e["seq"].clone()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("limit=3&cursor={cursor}"),
            None => break,
        }
    }
    let seqs: Vec<i64> = seqs.iter().map(|s| s.as_i64().expect("seq")).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "oldest first: {seqs:?}"
    );
    // Events of different visitors in one batch may commit in any order.
    seen.sort_unstable();
    let expected: Vec<String> = (0..7).map(|i| format!("v{i}")).collect();
    assert_eq!(seen, expected);
    app.stop().await;
}

#[tokio::test]
async fn filters_narrow_the_result() {
    let app = spawn_app().await;
    let mut old = pageview("a");
    old["timestamp"] = json!(crate::helpers::now_ms() - 120_000);
    let events = vec![old, click("a"), pageview("b"), click("b")];
    assert_eq!(
        app.post_events(&app.keys.server, &batch(events))
            .await
            .status(),
        202
    );

    assert_eq!(visitors(&app.read_events("visitorId=a").await), ["a", "a"]);
    // Events of different visitors in one batch may commit in either order.
    let mut clicks = visitors(&app.read_events("type=click").await);
    clicks.sort_unstable();
    assert_eq!(clicks, ["a", "b"]);
    assert_eq!(
        visitors(&app.read_events("sessionId=sess_b&type=pageview").await),
        ["b"]
    );
    let since = crate::helpers::now_ms() - 60_000;
    assert_eq!(
        app.read_events(&format!("since={since}")).await["events"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    let until = crate::helpers::now_ms() - 60_000;
    assert_eq!(
        visitors(&app.read_events(&format!("until={until}")).await),
        ["a"]
    );

    let all = app.read_events("").await;
    let second_seq = all["events"][1]["seq"].as_i64().expect("seq");
    let later: Vec<Value> = all["events"].as_array().expect("events")[2..].to_vec();
    let after = app.read_events(&format!("after_seq={second_seq}")).await;
    assert_eq!(
        after["events"],
        Value::Array(later),
        "exactly the events after that seq"
    );
    app.stop().await;
}

#[tokio::test]
async fn stored_events_carry_an_id_a_seq_and_the_received_time() {
    let app = spawn_app().await;
    let events = vec![pageview("a"), pageview("b")];
    assert_eq!(
        app.post_events(&app.keys.server, &batch(events))
            .await
            .status(),
        202
    );
    let page = app.read_events("").await;
    let events = page["events"].as_array().expect("events");
    let first = events[0]["seq"].as_i64().expect("seq");
    let second = events[1]["seq"].as_i64().expect("seq");
    assert!(second > first);
    for event in events {
        assert!(event["id"].as_str().expect("id").starts_with("evt_"));
        assert!(event["receivedAt"].as_i64().expect("receivedAt") > 0);
    }
    app.stop().await;
}

#[tokio::test]
async fn a_limit_over_1000_is_a_validation_error() {
    let app = spawn_app().await;
    let response = app.get("/v1/events?limit=1001", &app.keys.server).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"], "validation_error");
    assert_eq!(body["details"][0]["path"], "limit");
    app.stop().await;
}

#[tokio::test]
async fn website_and_mobile_keys_cannot_read_and_admin_keys_can() {
    let app = spawn_app().await;
    for key in [&app.keys.website, &app.keys.mobile] {
        let response = app.get("/v1/events", key).await;
        assert_eq!(response.status(), 403);
    }
    let response = app.get("/v1/events", &app.keys.admin).await;
    assert_eq!(response.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn a_tenant_never_reads_another_tenants_events() {
    let app = spawn_app().await;
    let other_ingest = app.create_key("other", "scale", "server", &[]).await;
    assert_eq!(
        app.post_events(&other_ingest, &pageview("theirs"))
            .await
            .status(),
        202
    );
    assert_eq!(
        app.post_events(&app.keys.server, &pageview("ours"))
            .await
            .status(),
        202
    );
    assert_eq!(visitors(&app.read_events("").await), ["ours"]);
    let theirs: Value = app
        .get("/v1/events", &other_ingest)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(visitors(&theirs), ["theirs"]);
    app.stop().await;
}
