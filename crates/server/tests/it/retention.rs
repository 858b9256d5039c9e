//! `store.retention`: a server deletes events older than the retention age while ingest
//! goes on, and a feed resume from before what it kept gets `resume_gap`.

use std::time::{Duration, Instant};

use clickwire_server::{Config, ConfigError, Overrides};
use serde_json::{json, Value};

use crate::{
    feed::subscribe,
    helpers::{batch, pageview, spawn_app_with, TestApp},
};

/// The visitor of every stored event, oldest first.
async fn stored_visitors(app: &TestApp) -> Vec<(i64, String)> {
    let page = app.read_events("limit=1000").await;
    page["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            let seq = e["seq"].as_i64().expect("seq");
            (
                seq,
                e["event"]["visitorId"]
                    .as_str()
                    .expect("visitor")
                    .to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn events_older_than_the_retention_are_deleted_while_new_ones_keep_arriving() {
    let app = spawn_app_with(|config| {
        config.store.retention = Some(Duration::from_secs(2));
        config.store.retention_interval = Duration::from_millis(100);
        config.store.retention_chunk = 3;
    })
    .await;
    let key = app.keys.server.clone();
    let old: Vec<Value> = (0..10).map(|i| pageview(&format!("old{i}"))).collect();
    assert_eq!(app.post_events(&key, &batch(old)).await.status(), 202);

    // Keep ingesting until the old batch is gone: the newest events must still be there.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut pace = tokio::time::interval(Duration::from_millis(50));
    let mut sent = 0;
    let kept = loop {
        assert!(
            Instant::now() < deadline,
            "the old events were never deleted"
        );
        pace.tick().await;
        let response = app
            .post_events(&key, &pageview(&format!("new{sent}")))
            .await;
        assert_eq!(response.status(), 202, "ingest goes on during retention");
        sent += 1;
        let stored = stored_visitors(&app).await;
        if !stored.iter().any(|(_, visitor)| visitor.starts_with("old")) {
            break stored;
        }
    };
    let newest = kept.last().map(|(_, visitor)| visitor.clone());
    assert_eq!(newest, Some(format!("new{}", sent - 1)));

    // A resume from the first seq, long deleted, is told where the log now starts.
    let mut feed = subscribe(&app, &key, "since=1").await;
    let gap = feed.next_non_ping().await;
    assert_eq!(gap["type"], "resume_gap", "{gap}");
    assert_eq!(gap["since"], json!(1));
    let oldest = gap["oldest_seq"].as_i64().expect("oldest_seq");
    assert!(oldest >= kept[0].0, "oldest_seq {oldest} is a kept event");
    let first = feed.events(1).await;
    let first_seq = first[0]["seq"].as_i64().expect("seq");
    assert!(
        first_seq >= oldest,
        "the replay starts at or after oldest_seq"
    );
    app.stop().await;
}

/// Loads a config file holding `toml`.
fn load(toml: &str) -> Result<Config, ConfigError> {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("clickwire.toml");
    std::fs::write(&file, toml).expect("write");
    Config::load(Some(&file), Overrides::default())
}

#[test]
fn retention_is_off_by_default_and_read_as_a_duration() {
    assert_eq!(load("").expect("defaults").store.retention, None);
    let config =
        load("[store]\nretention = \"30d\"\nretention_interval = \"250ms\"\n").expect("valid");
    assert_eq!(
        config.store.retention,
        Some(Duration::from_secs(30 * 86_400))
    );
    assert_eq!(config.store.retention_interval, Duration::from_millis(250));
}

#[test]
fn a_zero_retention_or_chunk_is_refused_at_start_up() {
    for (toml, setting) in [
        ("[store]\nretention = \"0s\"\n", "store.retention"),
        (
            "[store]\nretention_interval = \"0s\"\n",
            "store.retention_interval",
        ),
        ("[store]\nretention_chunk = 0\n", "store.retention_chunk"),
    ] {
        match load(toml) {
            Err(ConfigError::Invalid(name, _)) => assert_eq!(name, setting),
            other => panic!("{toml}: expected {setting} refused, got {other:?}"),
        }
    }
}
