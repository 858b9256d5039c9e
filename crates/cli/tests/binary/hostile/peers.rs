//! Slow and dead peers: a Signals Feed subscriber and a dashboard stream that never read,
//! an inbound source socket that sends and then neither reads nor speaks again, and a
//! delivery receiver that reads the start of each request and then nothing. None of them
//! may hold a task, a buffer or a connection past its timeout: the gauges of `/metrics`
//! (feed subscribers, stream sockets, deliveries in flight, HTTP connections) are back to
//! their values from before, and the stalled deliveries are recorded as timeouts.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::{io::AsyncReadExt, io::AsyncWriteExt, net::TcpListener};

use super::{
    sockets::{frame, open},
    Target,
};
use crate::process::event;

/// A client that closes its connection after each request, so that the test's own
/// connections do not count among those the server holds.
fn fresh() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client")
}

/// The gauges that count what peers hold.
const GAUGES: [&str; 4] = [
    "clickwire_feed_subscribers",
    "clickwire_stream_sockets",
    "clickwire_deliveries_in_flight",
    "clickwire_http_connections",
];
/// Longest wait for everything to be let go.
const LET_GO: Duration = Duration::from_secs(30);
/// Events routed to the stalled receiver.
const STALLED_EVENTS: usize = 4;

/// A receiver that reads the first 100 bytes of each request and then never reads or
/// answers again.
async fn stalled_receiver() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut tcp, _)) = listener.accept().await {
            let mut start = [0u8; 100];
            let _ = tcp.read(&mut start).await;
            held.push(tcp);
        }
    });
    url
}

async fn gauges(target: &Target) -> Vec<f64> {
    let mut values = Vec::new();
    for name in GAUGES {
        values.push(
            target.metric(&format!("{name}{{")).await + target.metric(&format!("{name} ")).await,
        );
    }
    values
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peers_that_stop_reading_hold_nothing_past_their_timeouts() {
    let target = Target::start(&[
        ("CLICKWIRE_FEED__SLOW_GRACE", "1s"),
        ("CLICKWIRE_FEED__IDLE_TIMEOUT", "3s"),
        ("CLICKWIRE_FEED__PING_INTERVAL", "1s"),
    ])
    .await;
    let admin = |path: &str, body: Value| {
        target
            .client
            .post(target.url(path))
            .header("x-api-key", &target.admin)
            .json(&body)
            .send()
    };
    let stalled = stalled_receiver().await;
    let destination: Value = admin(
        "/v1/destinations",
        json!({"name": "stalled", "url": stalled, "timeout": 1, "retry_max_attempts": 1}),
    )
    .await
    .expect("destination")
    .json()
    .await
    .expect("json");
    let destination = destination["id"].as_str().expect("id").to_owned();
    let connected = admin(
        "/v1/connections",
        json!({"source_id": "*", "destination_id": destination,
               "rules": [{"path": "visitorId", "op": "contains", "value": "to-stalled"}]}),
    )
    .await
    .expect("connection");
    assert_eq!(connected.status(), 201);
    let before = gauges(&target).await;

    let _feed = open(
        &target,
        &format!("/v1/signals/stream?key={}", target.server_key),
    )
    .await;
    let mut dashboard = open(&target, &format!("/v1/ws?token={}", target.admin)).await;
    dashboard
        .write_all(&frame(0x1, br#"{"type":"subscribe","channel":"events"}"#))
        .await
        .expect("subscribe");
    let mut source = open(
        &target,
        &format!("/v1/ws/source/{}?token={}", target.webhook, target.admin),
    )
    .await;
    for n in 0..100 {
        let message = format!(r#"{{"n":{n},"padding":"{}"}}"#, "x".repeat(512));
        source
            .write_all(&frame(0x1, message.as_bytes()))
            .await
            .expect("send");
    }
    let opened = gauges(&target).await;

    // Events for the subscribers to fall behind on, a few of them for the stalled receiver.
    let started = Instant::now();
    let mut posted = 0;
    let mut in_flight_seen = 0.0f64;
    loop {
        let mut events: Vec<Value> = (0..25)
            .map(|i| event(&format!("load-{posted}-{i}")))
            .collect();
        if posted < STALLED_EVENTS {
            events[0] = event(&format!("to-stalled-{posted}"));
        }
        let response = fresh()
            .post(target.url("/v1/events"))
            .header("x-api-key", &target.server_key)
            .json(&json!({ "events": events }))
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), 202);
        posted += 1;
        let now = gauges(&target).await;
        in_flight_seen = in_flight_seen.max(now[2]);
        if now.iter().zip(&before).all(|(now, before)| now <= before) {
            break;
        }
        assert!(
            started.elapsed() < LET_GO,
            "after {:?} and {posted} requests, still held (before → now): {:?}",
            started.elapsed(),
            GAUGES
                .iter()
                .zip(before.iter().zip(&now))
                .collect::<Vec<_>>()
        );
    }
    let let_go_after = started.elapsed();
    // An attempt routed just before the gauges settled may not have been sent yet (pending
    // is not in flight); each ends within the destination's 1 s timeout.
    let attempts = loop {
        let attempts: Value = target
            .client
            .get(target.url(&format!(
                "/v1/delivery-attempts?destination_id={destination}"
            )))
            .header("x-api-key", &target.admin)
            .send()
            .await
            .expect("attempts")
            .json()
            .await
            .expect("json");
        let attempts = attempts["attempts"].as_array().cloned().unwrap_or_default();
        if attempts.iter().all(|a| a["status"] != "pending") {
            break attempts;
        }
        assert!(
            started.elapsed() < LET_GO,
            "attempts still pending after {:?}: {attempts:?}",
            started.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        !attempts.is_empty(),
        "nothing was sent to the stalled receiver"
    );
    for attempt in &attempts {
        assert_eq!(attempt["error_type"], "timeout", "{attempt}");
    }
    eprintln!(
        "slow and dead peers: gauges {GAUGES:?} before {before:?}, with the peers {opened:?}, \
         {in_flight_seen} deliveries in flight at most; all back after {let_go_after:?} \
         ({posted} batches posted); {} stalled deliveries recorded as timeouts",
        attempts.len()
    );
}
