//! The SQLite event store on a real file: append, read back, the deferred visitor index
//! across restarts, and its repair when it remembers more than the log.

use std::time::Duration;

use clickwire_model::AnalyticsRow;
use clickwire_store::{
    sqlite::{SqliteConfig, SqliteEventStore, Synchronous},
    EventQuery, EventStore, NewEvent,
};

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

fn event(visitor: &str, n: usize) -> NewEvent {
    NewEvent {
        id: format!("evt_{visitor}_{n}"),
        received_at: 1,
        event_type: "custom",
        visitor_id: visitor.to_owned(),
        session_id: "s".into(),
        timestamp: 1_000 + n as i64,
        payload: format!(r#"{{"visitorId":"{visitor}","n":{n}}}"#),
        key_kind: "server",
        labels: None,
        frame: None,
        analytics: AnalyticsRow {
            index1: "t".into(),
            blobs: Default::default(),
            doubles: [None; 20],
        },
        sealed: None,
    }
}

async fn visitor_ids(store: &SqliteEventStore, visitor: &str) -> Vec<String> {
    let page = store
        .query(EventQuery {
            tenant: "t".into(),
            visitor_id: Some(visitor.into()),
            limit: 1000,
            ..EventQuery::default()
        })
        .await
        .expect("query");
    page.events.into_iter().map(|e| e.id).collect()
}

#[tokio::test]
async fn appends_get_increasing_seqs_and_read_back_in_order() {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteEventStore::open(&config(dir.path())).expect("open");
    let first = store
        .append("t", None, vec![event("a", 0), event("b", 1)])
        .await
        .expect("append");
    let second = store
        .append("t", Some("web"), vec![event("a", 2)])
        .await
        .expect("append");
    assert!(first[0].seq < first[1].seq && first[1].seq < second[0].seq);
    let page = store
        .query(EventQuery {
            tenant: "t".into(),
            limit: 10,
            ..EventQuery::default()
        })
        .await
        .expect("query");
    let ids: Vec<&str> = page.events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["evt_a_0", "evt_b_1", "evt_a_2"]);
    assert_eq!(page.events[2].source.as_deref(), Some("web"));
    assert_eq!(page.events[0].event.get(), r#"{"visitorId":"a","n":0}"#);
    store.close().await.expect("close");
}

#[tokio::test]
async fn a_visitor_is_found_across_the_indexed_part_and_the_fresh_tail() {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteEventStore::open(&config(dir.path())).expect("open");
    store
        .append("t", None, vec![event("a", 0), event("b", 1), event("a", 2)])
        .await
        .expect("append");
    // Closing flushes the index: after the restart these are served from `visitor_seq`.
    store.close().await.expect("close");
    let index = rusqlite::Connection::open(dir.path().join("clickwire-index.db")).expect("index");
    let indexed: i64 = index
        .query_row("SELECT COUNT(*) FROM visitor_seq", [], |r| r.get(0))
        .expect("count");
    assert_eq!(indexed, 3);

    let store = SqliteEventStore::open(&config(dir.path())).expect("reopen");
    store
        .append("t", None, vec![event("a", 3), event("b", 4)])
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
    let store = SqliteEventStore::open(&config(dir.path())).expect("open");
    store
        .append("t", None, vec![event("a", 0), event("a", 1)])
        .await
        .expect("append");
    store.close().await.expect("close");
    // As after a power loss: the log lost its last commit, the index did not.
    let db = rusqlite::Connection::open(dir.path().join("clickwire.db")).expect("db");
    db.execute("DELETE FROM events WHERE id = 'evt_a_1'", [])
        .expect("delete");
    drop(db);

    let store = SqliteEventStore::open(&config(dir.path())).expect("reopen");
    // The lost seq is handed out again, to another visitor.
    store
        .append("t", None, vec![event("b", 2)])
        .await
        .expect("append");
    assert_eq!(visitor_ids(&store, "a").await, ["evt_a_0"]);
    assert_eq!(visitor_ids(&store, "b").await, ["evt_b_2"]);
    store.close().await.expect("close");
}

#[tokio::test]
async fn appends_after_close_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteEventStore::open(&config(dir.path())).expect("open");
    store.close().await.expect("close");
    let refused = store.append("t", None, vec![event("a", 0)]).await;
    assert!(refused.is_err());
}
