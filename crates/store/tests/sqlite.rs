//! What only the SQLite event store has: the deferred visitor index across restarts, and
//! its repair when it remembers more than the log. The rest is in the conformance suite.

mod support;

use std::{sync::Arc, time::Duration};

use clickwire_store::{
    sqlite::{SqliteConfig, SqliteEventStore, Synchronous},
    EventLog, MemoryBus,
};
use support::{append, event, visitor_ids};

fn config(dir: &std::path::Path) -> SqliteConfig {
    SqliteConfig {
        dir: dir.to_owned(),
        synchronous: Synchronous::Normal,
        queue_capacity: 64,
        max_batch_rows: 500,
        busy_timeout: Duration::from_secs(5),
        readers: 2,
    }
}

fn open(dir: &std::path::Path) -> SqliteEventStore {
    SqliteEventStore::open(&config(dir), Arc::new(MemoryBus::default())).expect("open")
}

#[tokio::test]
async fn a_visitor_is_found_across_the_indexed_part_and_the_fresh_tail() {
    let dir = tempfile::tempdir().expect("dir");
    let store = open(dir.path());
    append(
        &store,
        None,
        vec![event("a", 0), event("b", 1), event("a", 2)],
    )
    .await
    .expect("append");
    // Closing flushes the index: after the restart these are served from `visitor_seq`.
    store.close().await.expect("close");
    let index = rusqlite::Connection::open(dir.path().join("clickwire-index.db")).expect("index");
    let indexed: i64 = index
        .query_row("SELECT COUNT(*) FROM visitor_seq", [], |r| r.get(0))
        .expect("count");
    assert_eq!(indexed, 3);

    let store = open(dir.path());
    append(&store, None, vec![event("a", 3), event("b", 4)])
        .await
        .expect("append");
    assert_eq!(
        visitor_ids(&store, "a").await,
        ["evt_a_0", "evt_a_2", "evt_a_3"]
    );
    assert_eq!(visitor_ids(&store, "b").await, ["evt_b_1", "evt_b_4"]);
    store.close().await.expect("close");
}

#[tokio::test]
async fn an_index_that_remembers_lost_commits_is_repaired_at_start() {
    let dir = tempfile::tempdir().expect("dir");
    let store = open(dir.path());
    append(&store, None, vec![event("a", 0), event("a", 1)])
        .await
        .expect("append");
    store.close().await.expect("close");
    // As after a power loss: the log lost its last commit, the index did not.
    let db = rusqlite::Connection::open(dir.path().join("clickwire.db")).expect("db");
    db.execute("DELETE FROM events WHERE id = 'evt_a_1'", [])
        .expect("delete");
    drop(db);

    let store = open(dir.path());
    // The lost seq is handed out again, to another visitor.
    append(&store, None, vec![event("b", 2)])
        .await
        .expect("append");
    assert_eq!(visitor_ids(&store, "a").await, ["evt_a_0"]);
    assert_eq!(visitor_ids(&store, "b").await, ["evt_b_2"]);
    store.close().await.expect("close");
}
