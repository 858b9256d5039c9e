//! `?since=`: the replay from the store and the hand-over to live frames, across a
//! restart and while events keep arriving; `resume_gap` for a seq older than the store.

use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::{ids, seqs, stored_ids, subscribe};
use crate::helpers::{batch, pageview, spawn_app, TestApp};

async fn post(app: &TestApp, key: &str, events: Vec<Value>) {
    let response = app.post_events(key, &batch(events)).await;
    assert_eq!(response.status(), 202);
}

fn visitor_ids(frames: &[Value]) -> Vec<&str> {
    frames
        .iter()
        .map(|e| e["visitorId"].as_str().expect("visitor"))
        .collect()
}

fn views(prefix: &str, n: usize) -> Vec<Value> {
    (0..n).map(|i| pageview(&format!("{prefix}{i}"))).collect()
}

#[tokio::test]
async fn resuming_after_a_restart_replays_what_was_missed_then_continues_live() {
    let app = spawn_app().await;
    let key = app.keys.server.clone();
    let mut feed = subscribe(&app, &key, "").await;
    post(&app, &key, views("a", 3)).await;
    let seen = feed.events(3).await;
    let last = *seqs(&seen).last().expect("a seq");

    let app = app.restart().await;
    let (code, _) = feed.until_close().await;
    assert_eq!(
        code,
        Some(CloseCode::Away),
        "shutdown closes subscribers with 1001"
    );
    post(&app, &key, views("b", 4)).await;
    let mut feed = subscribe(&app, &key, &format!("since={last}")).await;
    post(&app, &key, views("c", 2)).await;
    let resumed = feed.events(6).await;
    assert_eq!(
        ids(&resumed),
        stored_ids(&app, last).await,
        "no gap, no duplicate"
    );
    // Replay first, then live; within a batch, events of different visitors may commit in
    // any order (each visitor's own events keep theirs).
    let mut replayed = visitor_ids(&resumed[..4]);
    let mut live = visitor_ids(&resumed[4..]);
    replayed.sort_unstable();
    live.sort_unstable();
    assert_eq!(replayed, ["b0", "b1", "b2", "b3"]);
    assert_eq!(live, ["c0", "c1"]);
    app.stop().await;
}

#[tokio::test]
async fn resuming_while_events_arrive_has_no_gap_and_no_duplicate() {
    let app = spawn_app().await;
    let key = app.keys.server.clone();
    for n in 0..4 {
        post(&app, &key, views(&format!("old{n}-"), 25)).await;
    }
    let writer = {
        let client = app.client.clone();
        let url = app.url("/v1/events");
        let key = key.clone();
        tokio::spawn(async move {
            for n in 0..40 {
                let response = client
                    .post(&url)
                    .header("X-API-Key", &key)
                    .json(&batch(views(&format!("new{n}-"), 2)))
                    .send()
                    .await
                    .expect("request");
                assert_eq!(response.status(), 202);
            }
        })
    };
    let mut feed = subscribe(&app, &key, "since=0").await;
    let got = feed.events(180).await;
    writer.await.expect("writer");
    let seqs = seqs(&got);
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "in order, no duplicate"
    );
    assert_eq!(ids(&got), stored_ids(&app, 0).await, "nothing missing");
    app.stop().await;
}

#[tokio::test]
async fn a_since_older_than_the_oldest_stored_event_gets_resume_gap_first() {
    let app = spawn_app().await;
    // Another tenant's events take the first seqs.
    post(&app, &app.keys.server, views("x", 5)).await;
    let key = app.create_key("late-co", "scale", "server", &[]).await;
    post(&app, &key, views("late", 2)).await;
    let mut feed = subscribe(&app, &key, "since=2").await;
    let gap = feed.next_non_ping().await;
    let events = feed.events(2).await;
    let oldest = seqs(&events)[0];
    assert_eq!(
        gap,
        json!({"type": "resume_gap", "since": 2, "oldest_seq": oldest})
    );
    let mut visitors = visitor_ids(&events);
    visitors.sort_unstable();
    assert_eq!(visitors, ["late0", "late1"], "only the tenant's own events");
    app.stop().await;
}

#[tokio::test]
async fn since_zero_replays_everything_without_a_gap_notice() {
    let app = spawn_app().await;
    post(&app, &app.keys.server, views("v", 3)).await;
    let mut feed = subscribe(&app, &app.keys.server, "since=0&filter=visitorId%3Av1%7Cv2").await;
    let events = feed.events(2).await;
    let mut visitors = visitor_ids(&events);
    visitors.sort_unstable();
    assert_eq!(visitors, ["v1", "v2"]);
    app.stop().await;
}
