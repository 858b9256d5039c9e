//! Load shedding: with the writer stuck behind another process's lock, a full ingest queue
//! answers 503 `overloaded` with `Retry-After` at once, and nothing acknowledged is lost.

use std::time::Duration;

use futures::{stream::FuturesUnordered, StreamExt};
use serde_json::Value;

use crate::helpers::{pageview, spawn_app_with};

#[tokio::test]
async fn a_full_queue_answers_503_and_the_queued_events_commit_later() {
    let app = spawn_app_with(|config| {
        config.store.queue_capacity = 1;
        config.store.max_batch_rows = 1;
        config.store.busy_timeout = Duration::from_secs(30);
    })
    .await;
    // Another connection holds the write lock, as a long CLI transaction would.
    let blocker = rusqlite::Connection::open(app.data.join("clickwire.db")).expect("db");
    blocker.execute_batch("BEGIN IMMEDIATE").expect("lock");

    let mut requests: FuturesUnordered<_> = (0..8)
        .map(|i| {
            let app = &app;
            async move {
                app.post_events(&app.keys.server, &pageview(&format!("v{i}")))
                    .await
            }
        })
        .collect();
    // While the lock is held nothing can be acknowledged, so the first answer is a refusal.
    let first = requests.next().await.expect("an answer");
    assert_eq!(first.status(), 503);
    assert_eq!(first.headers()["retry-after"], "1");
    let body: Value = first.json().await.expect("json");
    assert_eq!(body["error"], "overloaded");

    blocker.execute_batch("COMMIT").expect("unlock");
    let mut accepted = 0;
    while let Some(response) = requests.next().await {
        match response.status().as_u16() {
            202 => accepted += 1,
            503 => {}
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(
        accepted >= 1,
        "queued requests commit once the lock is released"
    );
    drop(requests);
    let stored = app.read_events("").await;
    assert_eq!(stored["events"].as_array().map(Vec::len), Some(accepted));
    app.stop().await;
}
