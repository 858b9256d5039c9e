//! The life of a connection with short timings: hello, pings, the idle drop, the duration
//! cap.

use std::time::Duration;

use serde_json::json;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::{subscribe, Read};
use crate::helpers::{batch, pageview, spawn_app_with};

const MS: Duration = Duration::from_millis(1);

#[tokio::test]
async fn hello_comes_first_then_pings_every_interval() {
    let app = spawn_app_with(|c| c.feed.ping_interval = 200 * MS).await;
    let connected = Instant::now();
    // `subscribe` checks that the first frame is `hello`.
    let mut feed = subscribe(&app, &app.keys.server, "").await;
    for n in 1..=3 {
        assert_eq!(feed.next_json().await, json!({"type": "ping"}));
        assert!(connected.elapsed() >= 200 * MS * n, "ping {n} came early");
        feed.send(&json!({"type": "pong", "timestamp": 1})).await;
    }
    app.stop().await;
}

#[tokio::test]
async fn the_hello_frame_has_its_contract_fields() {
    let app = spawn_app_with(|_| {}).await;
    let request = super::with_header(
        super::request(&app, "/signals/stream"),
        "x-api-key",
        &app.keys.server,
    );
    let mut feed = super::connect(request).await;
    let hello = feed.next_json().await;
    assert_eq!(hello["type"], "hello");
    assert_eq!(hello["message"], "connected to signals feed");
    assert!(hello["ts"].as_i64().expect("ts") > 1_700_000_000_000);
    app.stop().await;
}

#[tokio::test]
async fn a_silent_subscriber_is_dropped_while_one_that_answers_stays() {
    let app = spawn_app_with(|c| {
        c.feed.ping_interval = 100 * MS;
        c.feed.idle_timeout = 500 * MS;
    })
    .await;
    let mut silent = subscribe(&app, &app.keys.server, "").await;
    let mut chatty = subscribe(&app, &app.keys.server, "").await;
    let started = Instant::now();
    // The chatty one answers each ping with a pong text frame.
    let answering = tokio::spawn(async move {
        while started.elapsed() < 1500 * MS {
            if chatty.next_json().await["type"] == "ping" {
                chatty.send(&json!({"type": "pong"})).await;
            }
        }
        chatty
    });
    let (code, _) = silent.until_close().await;
    assert_eq!(code, Some(CloseCode::from(4000)));
    assert!(
        started.elapsed() >= 450 * MS,
        "dropped before the idle timeout"
    );
    let mut chatty = answering.await.expect("answering task");
    // Still connected after three idle timeouts: it receives a new event.
    assert_eq!(
        app.post_events(&app.keys.server, &batch(vec![pageview("v1")]))
            .await
            .status(),
        202
    );
    let event = chatty.next_non_ping().await;
    assert_eq!(event["type"], "event");
    app.stop().await;
}

#[tokio::test]
async fn the_duration_cap_sends_duration_limit_then_closes_4008() {
    let app = spawn_app_with(|c| c.feed.max_duration = 700 * MS).await;
    let started = Instant::now();
    let mut feed = subscribe(&app, &app.keys.server, "").await;
    let last = feed.next_non_ping().await;
    assert_eq!(last, json!({"type": "duration_limit"}));
    assert!(started.elapsed() >= 650 * MS);
    match feed.read().await {
        Read::Closed(Some(frame)) => assert_eq!(frame.code, CloseCode::from(4008)),
        other => panic!("expected close 4008, got {other:?}"),
    }
    app.stop().await;
}
