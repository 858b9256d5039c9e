//! Ack means durable: nothing acknowledged is lost to SIGKILL, and SIGTERM drains.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use serde_json::json;
use tokio::sync::Notify;

use crate::process::{data_dir, event, key, start, stored_markers};

/// Events per request in the load.
const BATCH: usize = 5;
/// Concurrent senders.
const SENDERS: usize = 8;
/// Acknowledged requests to wait for before the kill.
const ACKED_BEFORE_KILL: usize = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_event_survives_sigkill_exactly_once() {
    let (_dir, data) = data_dir();
    let server = start(&data, &[], &[("CLICKWIRE_RATE_LIMITS__ENABLED", "false")]);
    let base = server.base.clone();
    let server_key = key(&data, "server");
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let enough = Arc::new(Notify::new());

    let senders: Vec<_> = (0..SENDERS)
        .map(|sender| {
            let (base, server_key) = (base.clone(), server_key.clone());
            let (acked, enough) = (Arc::clone(&acked), Arc::clone(&enough));
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                for request in 0.. {
                    let markers: Vec<String> = (0..BATCH)
                        .map(|i| format!("s{sender}-r{request}-e{i}"))
                        .collect();
                    let events: Vec<_> = markers.iter().map(|m| event(m)).collect();
                    let sent = client
                        .post(format!("{base}/v1/events"))
                        .header("X-API-Key", &server_key)
                        .json(&json!({ "events": events }))
                        .send()
                        .await;
                    // Once the process is gone, requests fail: the sender's work is over.
                    let Ok(response) = sent else { return };
                    if response.status() != 202 {
                        return;
                    }
                    let mut acked = acked.lock().expect("lock");
                    acked.extend(markers);
                    if acked.len() >= ACKED_BEFORE_KILL * BATCH {
                        enough.notify_one();
                    }
                }
            })
        })
        .collect();

    enough.notified().await;
    server.kill();
    for sender in senders {
        sender.await.expect("sender");
    }
    let acked = acked.lock().expect("lock").clone();
    assert!(acked.len() >= ACKED_BEFORE_KILL * BATCH);

    let restarted = start(&data, &[], &[]);
    let stored = stored_markers(&reqwest::Client::new(), &restarted.base, &server_key).await;
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for marker in &stored {
        *counts.entry(marker.as_str()).or_default() += 1;
    }
    for marker in &acked {
        assert_eq!(
            counts.get(marker.as_str()),
            Some(&1),
            "{marker} lost or duplicated"
        );
    }
    assert!(
        counts.values().all(|&n| n == 1),
        "some event was stored twice"
    );
    restarted.kill();
}

#[tokio::test]
async fn sigterm_commits_what_was_acknowledged_and_exits_zero() {
    let (_dir, data) = data_dir();
    let server = start(&data, &[], &[]);
    let server_key = key(&data, "server");
    let client = reqwest::Client::new();
    for i in 0..20 {
        let response = client
            .post(server.url("/v1/events"))
            .header("X-API-Key", &server_key)
            .json(&event(&format!("m{i}")))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 202);
    }
    let (exited_zero, _) = server.terminate();
    assert!(exited_zero, "SIGTERM must exit 0");
    let db = rusqlite::Connection::open(data.join("clickwire.db")).expect("db");
    let count: i64 = db
        .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
        .expect("count");
    assert_eq!(count, 20);
}
