//! Deliveries survive SIGKILL: with requests in flight and attempts pending when the
//! process is killed, every delivery arrives after the restart, each carries one
//! `webhook-id` on every attempt, and a delivery whose success was recorded is never sent
//! again (at-least-once: only an attempt cut off by the kill, unrecorded, can repeat).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{http::HeaderMap, routing::post, Router};
use serde_json::{json, Value};
use tokio::sync::Notify;

use crate::process::{data_dir, event, key, start, Running};

/// Events posted before the kill.
const EVENTS: usize = 40;
/// Requests the receiver must have got before the kill.
const BEFORE_KILL: usize = 8;
/// Longest wait for the deliveries to complete.
const WAIT: Duration = Duration::from_secs(60);

/// A receiver that answers 200 after a pause and records each request's webhook-id and
/// event id.
#[derive(Clone, Default)]
struct Receiver {
    seen: Arc<Mutex<Vec<(String, String)>>>,
    arrived: Arc<Notify>,
}

impl Receiver {
    async fn start(self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        let me = self.clone();
        // A test's webhook receiver, not the gateway: no part of the OpenAPI document.
        #[allow(clippy::disallowed_methods)]
        let app = Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, body: String| {
                let me = me.clone();
                async move {
                    tokio::time::sleep(Duration::from_millis(150)).await;
                    let id = headers
                        .get("webhook-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    let event: Value = serde_json::from_str(&body).unwrap_or_default();
                    let event = event["id"].as_str().unwrap_or_default().to_owned();
                    me.seen.lock().expect("lock").push((id, event));
                    me.arrived.notify_waiters();
                    "ok"
                }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        url
    }

    fn seen(&self) -> Vec<(String, String)> {
        self.seen.lock().expect("lock").clone()
    }

    async fn until(&self, n: usize) {
        loop {
            let arrived = self.arrived.notified();
            if self.seen().len() >= n {
                return;
            }
            tokio::time::timeout(WAIT, arrived)
                .await
                .expect("requests in time");
        }
    }
}

async fn attempts(client: &reqwest::Client, server: &Running, key: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = server.url("/v1/delivery-attempts?limit=100");
        if let Some(cursor) = &cursor {
            url.push_str(&format!("&cursor={cursor}"));
        }
        let page: Value = client
            .get(url)
            .header("x-api-key", key)
            .send()
            .await
            .expect("attempts")
            .json()
            .await
            .expect("json");
        all.extend(page["attempts"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return all,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pending_deliveries_survive_sigkill_and_none_is_sent_again_once_recorded() {
    let (_dir, data) = data_dir();
    let env = [("CLICKWIRE_RATE_LIMITS__ENABLED", "false")];
    let server = start(&data, &[], &env);
    let admin = key(&data, "admin");
    let server_key = key(&data, "server");
    let receiver = Receiver::default();
    let url = receiver.clone().start().await;
    let client = reqwest::Client::new();
    let destination: Value = client
        .post(server.url("/v1/destinations"))
        .header("x-api-key", &admin)
        .json(&json!({"name": "crm", "url": url, "max_concurrency": 4,
                      "retry_intervals": [0.2]}))
        .send()
        .await
        .expect("destination")
        .json()
        .await
        .expect("json");
    let connection = client
        .post(server.url("/v1/connections"))
        .header("x-api-key", &admin)
        .json(&json!({"source_id": "*", "destination_id": destination["id"]}))
        .send()
        .await
        .expect("connection");
    assert_eq!(connection.status(), 201);
    let events: Vec<Value> = (0..EVENTS).map(|n| event(&format!("m{n}"))).collect();
    for chunk in events.chunks(10) {
        let posted = client
            .post(server.url("/v1/events"))
            .header("x-api-key", &server_key)
            .json(&json!({"events": chunk}))
            .send()
            .await
            .expect("post");
        assert_eq!(posted.status(), 202);
    }
    receiver.until(BEFORE_KILL).await;
    server.kill();
    let before_restart = receiver.seen().len();
    assert!(
        before_restart < EVENTS,
        "the kill came with deliveries pending"
    );

    let server = start(&data, &[], &env);
    let deadline = tokio::time::Instant::now() + WAIT;
    let recorded = loop {
        let recorded = attempts(&client, &server, &admin).await;
        let delivered = recorded.iter().filter(|a| a["status"] == "success").count();
        let pending = recorded.iter().any(|a| a["status"] == "pending");
        if delivered >= EVENTS && !pending {
            break recorded;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{delivered} of {EVENTS} delivered"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut successes: HashMap<String, usize> = HashMap::new();
    let mut recorded_per_delivery: HashMap<String, usize> = HashMap::new();
    for attempt in &recorded {
        let delivery = attempt["delivery_id"]
            .as_str()
            .expect("delivery")
            .to_owned();
        *recorded_per_delivery.entry(delivery.clone()).or_default() += 1;
        if attempt["status"] == "success" {
            *successes.entry(delivery).or_default() += 1;
        }
    }
    assert_eq!(successes.len(), EVENTS, "one delivery per event");
    assert!(
        successes.values().all(|n| *n == 1),
        "one recorded success each"
    );

    // A witness event after everything: once it arrives, the worker has looked for due
    // attempts again, and nothing recorded is due.
    let before_witness = receiver.seen().len();
    let witness = client
        .post(server.url("/v1/events"))
        .header("x-api-key", &server_key)
        .json(&event("witness"))
        .send()
        .await
        .expect("witness");
    assert_eq!(witness.status(), 202);
    receiver.until(before_witness + 1).await;
    let seen = receiver.seen();
    let mut requests: HashMap<&str, usize> = HashMap::new();
    let mut event_of: HashMap<&str, &str> = HashMap::new();
    for (delivery, event) in &seen {
        *requests.entry(delivery).or_default() += 1;
        let first = event_of.entry(delivery).or_insert(event);
        assert_eq!(first, event, "a webhook-id names one event");
    }
    for (delivery, recorded) in &recorded_per_delivery {
        let sent = requests.get(delivery.as_str()).copied().unwrap_or_default();
        assert!(
            sent == *recorded || sent == recorded + 1,
            "{delivery}: {sent} requests for {recorded} recorded attempts"
        );
    }
    let distinct_events: std::collections::HashSet<&str> =
        seen.iter().map(|(_, e)| e.as_str()).collect();
    assert_eq!(
        distinct_events.len(),
        EVENTS + 1,
        "every event arrived, and the witness"
    );
    let _ = server.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destination_and_connection_made_with_the_cli_deliver() {
    let (_dir, data) = data_dir();
    // The first start writes the data directory; the CLI then works on it offline.
    let first = start(&data, &[], &[]);
    let _ = first.terminate();
    let receiver = Receiver::default();
    let url = receiver.clone().start().await;
    let created = crate::process::run(
        &data,
        &[
            "destination",
            "create",
            "crm",
            "--url",
            &url,
            "--header",
            "X-Team: growth",
            "--retry-intervals",
            "1,5",
            "--retry-max-attempts",
            "3",
        ],
    );
    let destination: Value = serde_json::from_str(created.trim()).expect("one JSON line");
    assert!(destination["signing_secret"]
        .as_str()
        .is_some_and(|s| s.starts_with("whsec_")));
    assert_eq!(destination["retry_intervals"], json!([1.0, 5.0]));
    let rule = r#"{"path":"name","op":"eq","value":"checkout_step"}"#;
    let connection = crate::process::run(
        &data,
        &[
            "connection",
            "create",
            "--destination",
            destination["id"].as_str().expect("id"),
            "--rule",
            rule,
        ],
    );
    let connection: Value = serde_json::from_str(connection.trim()).expect("one JSON line");
    assert_eq!(connection["source_id"], "*");
    let listed = crate::process::run(&data, &["destination", "list"]);
    assert_eq!(listed.lines().count(), 1);

    let server = start(&data, &[], &[]);
    let posted = reqwest::Client::new()
        .post(server.url("/v1/events"))
        .header("x-api-key", key(&data, "server"))
        .json(&event("from-cli"))
        .send()
        .await
        .expect("post");
    assert_eq!(posted.status(), 202);
    receiver.until(1).await;
    assert_eq!(receiver.seen().len(), 1);
    let _ = server.terminate();
}
