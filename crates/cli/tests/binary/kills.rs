//! SIGKILL at 20 random moments under mixed load: single events, batches, webhooks, a
//! Signals Feed subscriber being written to, and deliveries to a receiver, all at once.
//! After each kill both databases pass `PRAGMA integrity_check`, and after each restart
//! every event acknowledged so far is stored exactly once. At the end, every acknowledged
//! event has reached the destination. The moments come from a seeded generator; the seed
//! is printed, and `KILL_SEED=<n>` replays a run.

use std::{
    collections::{HashMap, HashSet},
    path::Path,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{routing::post, Router};
use futures::StreamExt;
use rand::{rngs::StdRng, Rng, SeedableRng};
use serde_json::{json, Value};
use tokio::sync::Notify;

use crate::process::{data_dir, event, key, start, stored_events, Running};

/// Kills.
const ROUNDS: usize = 20;
/// The kill comes this long after the load started, uniformly at random (ms).
const KILL_AFTER_MS: std::ops::Range<u64> = 50..700;
/// Longest wait for the last deliveries.
const DELIVERED_WAIT: Duration = Duration::from_secs(90);

/// The markers of every acknowledged event.
type Acked = Arc<Mutex<Vec<String>>>;

/// Records the event id of each delivery and answers 200.
#[derive(Clone, Default)]
struct Receiver {
    delivered: Arc<Mutex<HashSet<String>>>,
    arrived: Arc<Notify>,
}

impl Receiver {
    async fn start(self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        // A test's webhook receiver, not the gateway: no part of the OpenAPI document.
        #[allow(clippy::disallowed_methods)]
        let app = Router::new().route(
            "/hook",
            post(move |body: String| {
                let me = self.clone();
                async move {
                    let event: Value = serde_json::from_str(&body).unwrap_or_default();
                    if let Some(marker) = marker_of(&event) {
                        me.delivered.lock().expect("lock").insert(marker);
                        me.arrived.notify_waiters();
                    }
                    "ok"
                }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        url
    }

    async fn until_all(&self, markers: &[String]) {
        let deadline = tokio::time::Instant::now() + DELIVERED_WAIT;
        loop {
            let arrived = self.arrived.notified();
            let missing = {
                let delivered = self.delivered.lock().expect("lock");
                markers.iter().filter(|m| !delivered.contains(*m)).count()
            };
            if missing == 0 {
                return;
            }
            assert!(
                tokio::time::timeout_at(deadline, arrived).await.is_ok(),
                "{missing} acknowledged events never reached the destination"
            );
        }
    }
}

/// The marker of an event as stored or delivered: a ClickStream event's visitor id, or the
/// `marker` of a webhook's JSON body.
fn marker_of(event: &Value) -> Option<String> {
    event["visitorId"]
        .as_str()
        .filter(|v| !v.starts_with("src_"))
        .or_else(|| event["body"]["marker"].as_str())
        .map(str::to_owned)
}

/// Every stored event's marker.
async fn stored(client: &reqwest::Client, server: &Running, key: &str) -> Vec<String> {
    stored_events(client, &server.base, key)
        .await
        .iter()
        .filter_map(marker_of)
        .collect()
}

fn integrity(data: &Path) {
    for db in ["clickwire.db", "deliveries.db"] {
        let conn = rusqlite::Connection::open(data.join(db)).expect("open");
        let verdict: String = conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .expect("integrity_check");
        assert_eq!(verdict, "ok", "{db} after a kill");
    }
}

/// One sender: posts until the server is gone, recording what was acknowledged.
fn sender(
    base: String,
    (index, kind): (usize, &'static str),
    key: String,
    round: usize,
    acked: Acked,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let client = reqwest::Client::new();
        for n in 0.. {
            let marker = |i: usize| format!("{kind}{index}-k{round}-n{n}-e{i}");
            let (request, markers) = match kind {
                "single" => (
                    client
                        .post(format!("{base}/v1/events"))
                        .header("x-api-key", &key)
                        .json(&event(&marker(0))),
                    vec![marker(0)],
                ),
                "batch" => {
                    let markers: Vec<String> = (0..10).map(marker).collect();
                    let events: Vec<Value> = markers.iter().map(|m| event(m)).collect();
                    (
                        client
                            .post(format!("{base}/v1/events"))
                            .header("x-api-key", &key)
                            .json(&json!({ "events": events })),
                        markers,
                    )
                }
                // `key` is the webhook source's id.
                _ => (
                    client
                        .post(format!("{base}/v1/ingest/{key}"))
                        .json(&json!({ "marker": marker(0) })),
                    vec![marker(0)],
                ),
            };
            let Ok(response) = request.send().await else {
                return;
            };
            if !response.status().is_success() {
                return;
            }
            acked.lock().expect("lock").extend(markers);
        }
    })
}

/// A Signals Feed subscriber reading frames until the server is gone.
fn subscriber(base: &str, key: &str) -> tokio::task::JoinHandle<usize> {
    let url = format!(
        "{}/v1/signals/stream?key={key}",
        base.replacen("http", "ws", 1)
    );
    tokio::spawn(async move {
        let Ok((mut socket, _)) = tokio_tungstenite::connect_async(url).await else {
            return 0;
        };
        let mut frames = 0;
        while let Some(Ok(_)) = socket.next().await {
            frames += 1;
        }
        frames
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_kills_under_mixed_load_lose_and_double_nothing() {
    let seed: u64 = std::env::var("KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    eprintln!("kill moments from KILL_SEED={seed}");
    let mut moments = StdRng::seed_from_u64(seed);
    let (_dir, data) = data_dir();
    let env = [("CLICKWIRE_RATE_LIMITS__ENABLED", "false")];
    let client = reqwest::Client::new();
    let receiver = Receiver::default();
    let hook = receiver.clone().start().await;

    let mut server = start(&data, &[], &env);
    let admin = key(&data, "admin");
    let server_key = key(&data, "server");
    let source: Value = client
        .post(server.url("/v1/sources"))
        .header("x-api-key", &admin)
        .json(&json!({"name": "hooks", "kind": "webhook"}))
        .send()
        .await
        .expect("source")
        .json()
        .await
        .expect("json");
    let source = source["id"].as_str().expect("source id").to_owned();
    let destination: Value = client
        .post(server.url("/v1/destinations"))
        .header("x-api-key", &admin)
        .json(&json!({"name": "sink", "url": hook, "max_concurrency": 8,
                      "retry_intervals": [0.2]}))
        .send()
        .await
        .expect("destination")
        .json()
        .await
        .expect("json");
    let connected = client
        .post(server.url("/v1/connections"))
        .header("x-api-key", &admin)
        .json(&json!({"source_id": "*", "destination_id": destination["id"]}))
        .send()
        .await
        .expect("connection");
    assert_eq!(connected.status(), 201);

    let acked: Acked = Arc::default();
    let mut frames = 0;
    for round in 0..ROUNDS {
        let feed = subscriber(&server.base, &server_key);
        let senders = [
            (0, "single", &server_key),
            (1, "single", &server_key),
            (0, "batch", &server_key),
            (1, "batch", &server_key),
            (0, "webhook", &source),
        ]
        .map(|(index, kind, key)| {
            sender(
                server.base.clone(),
                (index, kind),
                key.clone(),
                round,
                Arc::clone(&acked),
            )
        });
        let wait = moments.random_range(KILL_AFTER_MS);
        tokio::time::sleep(Duration::from_millis(wait)).await;
        server.kill();
        for sender in senders {
            sender.await.expect("sender");
        }
        frames += feed.await.expect("subscriber");
        integrity(&data);

        server = start(&data, &[], &env);
        let mut counts: HashMap<String, usize> = HashMap::new();
        for marker in stored(&client, &server, &server_key).await {
            *counts.entry(marker).or_default() += 1;
        }
        let acked = acked.lock().expect("lock").clone();
        for marker in &acked {
            assert_eq!(
                counts.get(marker),
                Some(&1),
                "round {round} (killed after {wait} ms, KILL_SEED={seed}): {marker} lost or doubled"
            );
        }
        let doubled: Vec<_> = counts.iter().filter(|(_, &n)| n > 1).collect();
        assert!(doubled.is_empty(), "stored twice: {doubled:?}");
    }
    let acked = acked.lock().expect("lock").clone();
    receiver.until_all(&acked).await;
    eprintln!(
        "{ROUNDS} kills: {} events acknowledged, every one stored once and delivered; \
         {frames} feed frames read",
        acked.len()
    );
    server.kill();
}
