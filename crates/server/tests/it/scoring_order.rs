//! Scores agree with the log: a refused request leaves visitor state untouched, concurrent
//! requests for one visitor are scored in the order they commit, a rebuild replays the
//! newest events of the session, and the configured weights are the ones used.

use std::time::Duration;

use clickwire_enrich::{score::ScoringConfig, ua::UaParser};
use clickwire_server::process::replay;
use clickwire_store::StoredEvent;
use futures::{stream, StreamExt};
use serde_json::{json, Value};

use crate::helpers::{batch, now_ms, pageview, spawn_app_with, TestApp};

fn page_at(visitor: &str, path: &str, at: i64) -> Value {
    let mut event = pageview(visitor);
    event["page"]["path"] = json!(path);
    event["page"]["url"] = json!(format!("https://example.com{path}"));
    event["timestamp"] = json!(at);
    event
}

/// Three events of a visitor: pricing, demo, docs, at fixed times.
fn session(visitor: &str, t: i64) -> Vec<Value> {
    vec![
        page_at(visitor, "/pricing", t),
        page_at(visitor, "/demo", t + 5_000),
        page_at(visitor, "/docs", t + 9_000),
    ]
}

async fn snapshot(app: &TestApp, visitor: &str) -> Value {
    let response = app
        .get(&format!("/v1/signals/{visitor}"), &app.keys.server)
        .await;
    assert_eq!(response.status(), 200, "snapshot of {visitor}");
    response.json().await.expect("json")
}

/// The parts of a snapshot that come from visitor state.
fn scored(snapshot: &Value) -> Value {
    json!({
        "bot": snapshot["bot"],
        "behavioralClass": snapshot["behavioralClass"],
        "scores": snapshot["scores"],
        "hasIdentified": snapshot["hasIdentified"],
    })
}

#[tokio::test]
async fn a_batch_refused_with_503_and_retried_scores_like_one_accepted_at_once() {
    let app = spawn_app_with(|config| {
        config.store.queue_capacity = 1;
        config.store.busy_timeout = Duration::from_secs(30);
    })
    .await;
    let t = now_ms() - 60_000;
    let key = app.keys.server.clone();
    // Another connection holds the write lock, so the first request keeps the only room.
    let blocker = rusqlite::Connection::open(app.data.join("clickwire.db")).expect("db");
    blocker.execute_batch("BEGIN IMMEDIATE").expect("lock");
    let first = {
        let app_url = app.url("/v1/events");
        let client = app.client.clone();
        let key = key.clone();
        tokio::spawn(async move {
            client
                .post(app_url)
                .header("x-api-key", key)
                .json(&pageview("holder"))
                .send()
                .await
                .expect("send")
                .status()
        })
    };
    app.wait_for_queue_depth(1).await;
    let refused = app.post_events(&key, &batch(session("retried", t))).await;
    assert_eq!(refused.status(), 503);
    blocker.execute_batch("COMMIT").expect("unlock");
    assert_eq!(first.await.expect("first request"), 202);

    let retried = app.post_events(&key, &batch(session("retried", t))).await;
    assert_eq!(retried.status(), 202);
    let once = app.post_events(&key, &batch(session("once", t))).await;
    assert_eq!(once.status(), 202);
    assert_eq!(
        scored(&snapshot(&app, "retried").await),
        scored(&snapshot(&app, "once").await),
        "the refused attempt left no trace in the visitor's state"
    );
    app.stop().await;
}

/// Every stored event of `visitor`, oldest first.
async fn stored(app: &TestApp, visitor: &str) -> Vec<StoredEvent> {
    let mut events = Vec::new();
    let mut query = format!("visitorId={visitor}&limit=1000");
    loop {
        let page = app.read_events(&query).await;
        for event in page["events"].as_array().expect("events") {
            events.push(stored_event(event));
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("visitorId={visitor}&limit=1000&cursor={cursor}"),
            None => return events,
        }
    }
}

/// An event as `GET /v1/events` shows it, in the store's shape (server keys sent them).
fn stored_event(event: &Value) -> StoredEvent {
    let raw = |value: &Value| serde_json::value::to_raw_value(value).expect("raw");
    StoredEvent {
        id: event["id"].as_str().expect("id").to_owned(),
        seq: event["seq"].as_i64().expect("seq"),
        received_at: event["receivedAt"].as_i64().expect("receivedAt"),
        source: None,
        key_kind: "server".into(),
        event: raw(&event["event"]),
        labels: Some(raw(&event["labels"])),
    }
}

#[tokio::test]
async fn a_thousand_concurrent_requests_for_one_visitor_replay_to_the_scores_they_got_live() {
    // 200 at once, above the default admission limit: this test is about their order.
    let app = spawn_app_with(|config| config.server.max_in_flight = 1_000).await;
    let t = now_ms() - 200_000;
    let paths = ["/pricing", "/docs", "/demo", "/blog", "/checkout"];
    let client = app.client.clone();
    let url = app.url("/v1/events");
    let statuses: Vec<u16> = stream::iter(0..1_000)
        .map(|i| {
            let event = page_at("busy", paths[i % paths.len()], t + i as i64 * 150);
            let (client, url, key) = (client.clone(), url.clone(), app.keys.server.clone());
            async move {
                let response = client
                    .post(url)
                    .header("x-api-key", key)
                    .json(&event)
                    .send();
                response.await.expect("send").status().as_u16()
            }
        })
        .buffer_unordered(200)
        .collect()
        .await;
    assert!(statuses.iter().all(|&s| s == 202), "every request stored");

    let events = stored(&app, "busy").await;
    assert_eq!(events.len(), 1_000);
    // What a rebuild from the log computes, event by event, against what was stored live.
    let ua = UaParser::new(100).expect("ua data");
    let mut state = Default::default();
    let replayed = replay(&mut state, &events, &ua, &ScoringConfig::default());
    for (event, labels) in events.iter().zip(replayed) {
        let live: Value =
            serde_json::from_str(event.labels.as_ref().expect("labels").get()).expect("json");
        let rebuilt = serde_json::to_value(labels.expect("parses")).expect("json");
        assert_eq!(
            rebuilt, live,
            "event seq {} scored out of commit order",
            event.seq
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn a_rebuild_replays_the_newest_events_of_the_session() {
    let app = spawn_app_with(|config| config.scoring.rebuild_limit = 2).await;
    let t = now_ms() - 120_000;
    let mut events: Vec<Value> = (0..4)
        .map(|i| page_at("long", "/docs", t + i * 1_000))
        .collect();
    let mut identify = page_at("long", "/docs", t + 5_000);
    identify["type"] = json!("identify");
    identify["hem"] = json!("d".repeat(64));
    events.push(identify);
    let key = app.keys.server.clone();
    assert_eq!(app.post_events(&key, &batch(events)).await.status(), 202);

    let app = app.restart().await;
    let next = page_at("long", "/docs", t + 6_000);
    assert_eq!(app.post_events(&key, &next).await.status(), 202);
    assert_eq!(
        snapshot(&app, "long").await["hasIdentified"],
        true,
        "the identify is among the newest two events, which the rebuild replays"
    );
    app.stop().await;
}

#[tokio::test]
async fn configured_weights_are_the_ones_scoring_uses() {
    let app = spawn_app_with(|config| {
        config.scoring.weights.intent.pricing_points = 0.0;
        config.scoring.weights.intent.demo_points = 0.0;
    })
    .await;
    let t = now_ms() - 60_000;
    let response = app
        .post_events(&app.keys.server, &batch(session("weighed", t)))
        .await;
    assert_eq!(response.status(), 202);
    let intent = snapshot(&app, "weighed").await["scores"]["intent"].clone();
    assert_eq!(
        intent,
        json!(0),
        "pricing and demo pages weigh nothing here"
    );
    app.stop().await;
}

#[test]
fn zero_shards_and_bad_weights_are_refused_at_start_with_the_setting_named() {
    let dir = tempfile::tempdir().expect("dir");
    for (toml, setting) in [
        ("[scoring]\nshards = 0\n", "scoring.shards"),
        (
            "[scoring.weights.intent]\nhalf_life_ms = 0\n",
            "scoring.weights",
        ),
    ] {
        let file = dir.path().join("clickwire.toml");
        std::fs::write(&file, toml).expect("write");
        let err =
            clickwire_server::Config::load(Some(&file), Default::default()).expect_err("refused");
        assert!(err.to_string().contains(setting), "{err}");
    }
}
