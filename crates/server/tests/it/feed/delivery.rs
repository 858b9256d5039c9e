//! What subscribers receive: every stored event of their tenant once, in commit order, in
//! the contract's shape; never another tenant's; never a consent-false event; the
//! filtered subset; and what happens to a subscriber that cannot keep up.

use std::time::Duration;

use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::{ids, request, seqs, stored_ids, subscribe, subscribe_small, with_header};
use crate::helpers::{batch, click, pageview, spawn_app, spawn_app_with, TestApp};

async fn post(app: &TestApp, key: &str, events: Vec<Value>) {
    let response = app.post_events(key, &batch(events)).await;
    assert_eq!(response.status(), 202);
}

#[tokio::test]
async fn every_stored_event_arrives_once_in_commit_order_with_the_contract_fields() {
    let app = spawn_app().await;
    let mut feed = subscribe(&app, &app.keys.server, "").await;
    let key = &app.keys.server;
    post(&app, key, vec![pageview("v1"), click("v1")]).await;
    post(&app, key, vec![pageview("v2")]).await;
    post(&app, key, (0..5).map(|i| click(&format!("v{i}"))).collect()).await;
    let events = feed.events(8).await;
    assert_eq!(
        ids(&events),
        stored_ids(&app, 0).await,
        "the stored order, each once"
    );
    let seqs = seqs(&events);
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");

    let frame = &events[1];
    let mut keys: Vec<&str> = frame
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "behavioralClass",
            "bot",
            "device",
            "eventType",
            "hasIdentified",
            "id",
            "page",
            "scores",
            "seq",
            "sessionId",
            "ts",
            "type",
            "visitorId"
        ]
    );
    assert_eq!(frame["type"], "event");
    assert_eq!(frame["eventType"], "click");
    assert_eq!(frame["visitorId"], "v1");
    assert_eq!(frame["sessionId"], "sess_v1");
    assert_eq!(frame["page"], "/pricing");
    assert!(frame["ts"].is_i64());
    assert!(frame["id"].as_str().expect("id").starts_with("evt_"));
    assert!(frame["bot"]["isBot"].is_boolean() && frame["bot"]["score"].is_u64());
    assert!(["human", "suspicious", "likely_bot", "bot"]
        .contains(&frame["behavioralClass"].as_str().expect("class")));
    assert_eq!(
        frame["device"],
        json!({"type": "desktop", "browser": "Chrome", "os": "macOS", "isMobile": false})
    );
    let scores = frame["scores"].as_object().expect("scores");
    assert_eq!(scores.len(), 11);
    assert!(scores["sessionMomentum"].is_number() && scores["emotionalState"].is_string());
    assert!(frame["hasIdentified"].is_boolean());
    app.stop().await;
}

#[tokio::test]
async fn an_event_without_analytics_consent_never_appears() {
    let app = spawn_app().await;
    let mut feed = subscribe(&app, &app.keys.server, "").await;
    let mut denied = pageview("no-consent");
    denied["consent"] = json!({"analytics": false});
    post(&app, &app.keys.server, vec![denied, pageview("ok")]).await;
    post(&app, &app.keys.server, vec![pageview("ok2")]).await;
    let events = feed.events(2).await;
    assert_eq!(events[0]["visitorId"], "ok");
    assert_eq!(events[1]["visitorId"], "ok2");
    app.stop().await;
}

#[tokio::test]
async fn no_subscriber_sees_another_tenants_events() {
    let app = spawn_app().await;
    let other = app.create_key("other-co", "scale", "server", &[]).await;
    let mut mine = subscribe(&app, &app.keys.server, "").await;
    let mut theirs = subscribe(&app, &other, "").await;
    post(&app, &other, vec![pageview("theirs")]).await;
    post(&app, &app.keys.server, vec![pageview("mine")]).await;
    post(&app, &other, vec![pageview("theirs-2")]).await;
    // Had the other tenant's first event leaked, it would have come first (commit order).
    assert_eq!(mine.events(1).await[0]["visitorId"], "mine");
    let theirs = theirs.events(2).await;
    assert_eq!(theirs[0]["visitorId"], "theirs");
    assert_eq!(theirs[1]["visitorId"], "theirs-2");
    app.stop().await;
}

#[tokio::test]
async fn a_filter_delivers_only_the_matching_events() {
    let app = spawn_app().await;
    let filter =
        "eventType:click|form,behavioralClass:human|suspicious,bot.isBot=false,scores.intent>=0";
    let query = format!("filter={}", urlencode(filter));
    let mut clicks = subscribe(&app, &app.keys.server, &query).await;
    let mut pricing = subscribe(&app, &app.keys.server, "filter=page%3D%2Fdocs").await;
    let mut docs = pageview("v2");
    docs["page"]["path"] = json!("/docs");
    docs["page"]["url"] = json!("https://example.com/docs");
    post(
        &app,
        &app.keys.server,
        vec![pageview("v1"), click("v1"), docs, click("v3")],
    )
    .await;
    let mut got = clicks.events(2).await;
    // Events of different visitors in one batch may commit in either order.
    got.sort_by_key(|frame| frame["visitorId"].as_str().map(str::to_owned));
    assert_eq!(got[0]["visitorId"], "v1");
    assert_eq!(got[0]["eventType"], "click");
    assert_eq!(got[1]["visitorId"], "v3");
    assert_eq!(pricing.events(1).await[0]["visitorId"], "v2");
    app.stop().await;
}

#[tokio::test]
async fn a_burst_larger_than_the_queue_is_caught_up_from_the_store_in_order() {
    let app = spawn_app_with(|c| c.feed.subscriber_queue = 4).await;
    let mut feed = subscribe(&app, &app.keys.server, "").await;
    post(
        &app,
        &app.keys.server,
        (0..25).map(|i| click(&format!("v{i}"))).collect(),
    )
    .await;
    post(
        &app,
        &app.keys.server,
        (0..25).map(|i| pageview(&format!("w{i}"))).collect(),
    )
    .await;
    let events = feed.events(50).await;
    assert_eq!(ids(&events), stored_ids(&app, 0).await);
    app.stop().await;
}

#[tokio::test]
async fn a_stalled_reader_is_closed_1011_while_another_receives_everything() {
    let app = spawn_app_with(|c| {
        c.feed.subscriber_queue = 8;
        c.feed.slow_grace = Duration::from_millis(100);
        c.feed.close_timeout = Duration::from_secs(20);
        c.feed.max_subscribers_per_tenant = 2;
    })
    .await;
    let mut stalled = subscribe_small(&app, &app.keys.server).await;
    let mut reader = subscribe(&app, &app.keys.server, "").await;
    // Big frames (a long page path) fill the socket buffers between server and client.
    const BATCHES: usize = 40;
    let total = BATCHES * 25;
    let long_path = format!("/{}", "p".repeat(8 * 1024));
    let reading = tokio::spawn(async move {
        let events = reader.events(total).await;
        (reader, events)
    });
    for b in 0..BATCHES {
        let events = (0..25)
            .map(|i| {
                let mut event = click(&format!("v{b}-{i}"));
                event["page"]["path"] = json!(long_path);
                event
            })
            .collect();
        // Ingest is never slowed by the stalled subscriber.
        post(&app, &app.keys.server, events).await;
    }
    let (_reader, received) = reading.await.expect("reader");
    assert_eq!(
        ids(&received),
        stored_ids_all(&app).await,
        "the reader got every event"
    );
    // The stalled subscriber's slot is freed when the server gives up on it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let probe = with_header(
            request(&app, "/v1/signals/stream"),
            "x-api-key",
            &app.keys.server,
        );
        if tokio_tungstenite::connect_async(probe).await.is_ok() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the stalled subscriber was never closed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (code, got) = stalled.until_close().await;
    assert_eq!(code, Some(CloseCode::Error), "close 1011");
    assert!(
        got.len() < total,
        "the stalled subscriber cannot have received everything"
    );
    app.stop().await;
}

/// Every stored event id, paging through the read API.
async fn stored_ids_all(app: &TestApp) -> Vec<String> {
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let page = app
            .read_events(&format!("after_seq={after}&limit=1000"))
            .await;
        let events = page["events"].as_array().expect("events");
        all.extend(
            events
                .iter()
                .map(|e| e["id"].as_str().expect("id").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => after = cursor.parse().expect("cursor"),
            None => return all,
        }
    }
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
