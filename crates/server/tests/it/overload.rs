//! Load shedding: with the writer stuck behind another process's lock, a full ingest queue
//! answers 503 `overloaded` with `Retry-After` at once, and nothing acknowledged is lost;
//! beyond `server.max_in_flight` ingest requests, the next is refused the same way before
//! its body is read, on every ingest route.

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

#[tokio::test]
async fn a_request_beyond_max_in_flight_is_refused_at_once_on_every_ingest_route() {
    let app = spawn_app_with(|config| {
        config.server.max_in_flight = 1;
        config.store.busy_timeout = Duration::from_secs(30);
    })
    .await;
    let blocker = rusqlite::Connection::open(app.data.join("clickwire.db")).expect("db");
    blocker.execute_batch("BEGIN IMMEDIATE").expect("lock");
    // The one slot: a request waiting for its commit (seen in the ingest queue).
    let held = {
        let (client, url, key) = (
            app.client.clone(),
            app.url("/v1/events"),
            app.keys.server.clone(),
        );
        tokio::spawn(async move {
            client
                .post(url)
                .header("x-api-key", key)
                .json(&pageview("held"))
                .send()
                .await
        })
    };
    loop {
        let metrics = app
            .client
            .get(app.url("/metrics"))
            .send()
            .await
            .expect("metrics");
        let text = metrics.text().await.expect("text");
        if text
            .lines()
            .any(|line| line == "clickwire_ingest_queue_depth 1")
        {
            break;
        }
        tokio::task::yield_now().await;
    }
    let mut refused_on = Vec::new();
    for path in ["/v1/events", "/v1/track", "/v1/ingest/src_unknown"] {
        let refused = app
            .client
            .post(app.url(path))
            .header("x-api-key", &app.keys.server)
            .json(&pageview("refused"))
            .send()
            .await
            .expect("request");
        assert_eq!(refused.status(), 503, "{path}");
        assert_eq!(refused.headers()["retry-after"], "1");
        let body: Value = refused.json().await.expect("json");
        assert_eq!(body["error"], "overloaded", "{path}");
        refused_on.push(path);
    }
    assert!(
        !held.is_finished(),
        "the held request finished while the lock was held"
    );
    assert_eq!(refused_on.len(), 3);
    // Reads are not ingest: they are served while the slot is taken.
    assert_eq!(app.get("/v1/events", &app.keys.server).await.status(), 200);
    blocker.execute_batch("COMMIT").expect("unlock");
    assert_eq!(held.await.expect("task").expect("held").status(), 202);
    // The slot is free again.
    assert_eq!(
        app.post_events(&app.keys.server, &pageview("after"))
            .await
            .status(),
        202
    );
    app.stop().await;
}
