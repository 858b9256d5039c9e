//! What only the SQLite event store has: the deferred visitor index across restarts, its
//! repair when it remembers more than the log, retention, the pruning of expired message
//! ids, and the per-tenant stats. The
//! rest is in the conformance suite.

mod support;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use clickwire_store::{
    sqlite::{
        self, EventEdge, RetentionConfig, SqliteCatalog, SqliteConfig, SqliteEventStore,
        Synchronous,
    },
    Catalog, EventLog, EventQueries, EventQuery, MarkQueries, MarkQuery, Marks, MemoryBus,
    NewEvent, StoreError, Tier,
};
use support::{append, append_to, event, visitor_ids};

fn config(dir: &std::path::Path) -> SqliteConfig {
    SqliteConfig {
        dir: dir.to_owned(),
        synchronous: Synchronous::Normal,
        queue_capacity: 64,
        max_batch_rows: 500,
        busy_timeout: Duration::from_secs(5),
        readers: 2,
        retention: None,
        read_queue: 64,
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

/// `event`, received at `received_at` (ms since the epoch).
fn received(visitor: &str, n: usize, received_at: i64) -> NewEvent {
    NewEvent {
        received_at,
        ..event(visitor, n)
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64
}

async fn tenant_ids(store: &SqliteEventStore) -> Vec<String> {
    let query = EventQuery {
        tenant: "t".into(),
        limit: 1000,
        ..EventQuery::default()
    };
    let page = store.query(query).await.expect("query");
    page.events.into_iter().map(|e| e.id).collect()
}

#[tokio::test]
async fn retention_deletes_expired_events_and_their_visitor_index_entries_chunk_by_chunk() {
    let dir = tempfile::tempdir().expect("dir");
    let store =
        SqliteEventStore::open(&config(dir.path()), Arc::new(MemoryBus::default())).expect("open");
    let indexed = (0..5).map(|n| received(["a", "b"][n % 2], n, 1)).collect();
    append(&store, None, indexed).await.expect("append");
    // Closing flushes these into `visitor_seq`.
    store.close().await.expect("close");

    let mut retained = config(dir.path());
    retained.retention = Some(RetentionConfig {
        keep: Duration::from_secs(3600),
        interval: Duration::from_millis(20),
        chunk_rows: 2,
    });
    let store = SqliteEventStore::open(&retained, Arc::new(MemoryBus::default())).expect("reopen");
    // Still waiting for the indexer when they expire.
    let fresh_but_old = vec![received("a", 5, 2), received("b", 6, 2)];
    append(&store, None, fresh_but_old).await.expect("append");
    let now = now_ms();
    let kept = vec![received("a", 7, now), received("b", 8, now)];
    append(&store, None, kept).await.expect("append");

    let deadline = Instant::now() + Duration::from_secs(10);
    while tenant_ids(&store).await.len() > 2 {
        assert!(Instant::now() < deadline, "expired events were not deleted");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(tenant_ids(&store).await, ["evt_a_7", "evt_b_8"]);
    assert_eq!(visitor_ids(&store, "a").await, ["evt_a_7"]);
    store.close().await.expect("close");
    assert_eq!(
        indexed_seqs(dir.path()),
        [8, 9],
        "only the kept events stay indexed"
    );
}

#[tokio::test]
async fn stats_count_each_tenants_events_and_share_the_files_by_event_count() {
    let dir = tempfile::tempdir().expect("dir");
    let store =
        SqliteEventStore::open(&config(dir.path()), Arc::new(MemoryBus::default())).expect("open");
    let t = vec![
        received("a", 0, 10),
        received("b", 1, 20),
        received("a", 2, 30),
    ];
    append(&store, None, t).await.expect("append");
    append_to(&store, "u", None, vec![received("c", 3, 40)])
        .await
        .expect("append");
    store.close().await.expect("close");
    let catalog = SqliteCatalog::open(dir.path(), Duration::from_secs(5)).expect("catalog");
    catalog
        .create_tenant("idle", Tier::Free)
        .await
        .expect("tenant");

    let stats = sqlite::stats(dir.path()).expect("stats");
    let names: Vec<&str> = stats.iter().map(|s| s.tenant.as_str()).collect();
    assert_eq!(names, ["idle", "t", "u"]);
    let (idle, t, u) = (&stats[0], &stats[1], &stats[2]);
    assert_eq!((idle.events, idle.bytes, idle.oldest), (0, 0, None));
    assert_eq!((t.events, u.events), (3, 1));
    let edge = |seq, received_at| Some(EventEdge { seq, received_at });
    assert_eq!((t.oldest, t.newest), (edge(1, 10), edge(3, 30)));
    assert_eq!((u.oldest, u.newest), (edge(4, 40), edge(4, 40)));
    assert!(
        u.bytes > 0 && t.bytes / 3 == u.bytes,
        "{} vs {}",
        t.bytes,
        u.bytes
    );
}

#[test]
fn stats_of_a_directory_without_a_store_are_not_found_and_create_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let missing = dir.path().join("nowhere");
    assert!(matches!(
        sqlite::stats(&missing),
        Err(StoreError::NotFound(_))
    ));
    assert!(!missing.exists());
    assert!(matches!(
        sqlite::stats(dir.path()),
        Err(StoreError::NotFound(_))
    ));
    assert!(!dir.path().join("clickwire.db").exists());
}

#[tokio::test]
async fn index_entries_of_events_deleted_just_before_a_crash_are_dropped_at_the_next_start() {
    let dir = tempfile::tempdir().expect("dir");
    let store =
        SqliteEventStore::open(&config(dir.path()), Arc::new(MemoryBus::default())).expect("open");
    let events = (0..5).map(|n| event(["a", "b"][n % 2], n)).collect();
    append(&store, None, events).await.expect("append");
    store.close().await.expect("close");
    // As if a retention chunk committed and the process died before the indexer's flush.
    let db = rusqlite::Connection::open(dir.path().join("clickwire.db")).expect("db");
    db.execute("DELETE FROM events WHERE seq <= 3", [])
        .expect("delete");
    drop(db);

    let store = SqliteEventStore::open(&config(dir.path()), Arc::new(MemoryBus::default()))
        .expect("reopen");
    assert_eq!(visitor_ids(&store, "a").await, ["evt_a_4"]);
    store.close().await.expect("close");
    assert_eq!(indexed_seqs(dir.path()), [4, 5]);
}

/// Every seq in the visitor index file, in order.
fn indexed_seqs(dir: &std::path::Path) -> Vec<i64> {
    let index = rusqlite::Connection::open(dir.join("clickwire-index.db")).expect("index");
    let mut stmt = index
        .prepare("SELECT seq FROM visitor_seq ORDER BY seq")
        .expect("sql");
    let rows = stmt.query_map([], |row| row.get(0)).expect("query");
    rows.collect::<Result<_, _>>().expect("rows")
}

/// `event` carrying message id `id`, received at `received_at`.
fn with_message_id(n: usize, id: &str, received_at: i64) -> NewEvent {
    NewEvent {
        marks: Some(Box::new(Marks {
            message_id: Some(id.to_owned()),
            link: None,
        })),
        ..received("a", n, received_at)
    }
}

#[tokio::test]
async fn message_ids_older_than_any_dedup_window_are_pruned_and_recent_ones_kept() {
    let dir = tempfile::tempdir().expect("dir");
    let store = open(dir.path());
    let ancient = now_ms() - clickwire_store::sources::MAX_DEDUP_WINDOW_MS - 1;
    append(
        &store,
        Some("src"),
        vec![with_message_id(0, "old", ancient)],
    )
    .await
    .expect("append");
    // Enough new ids to trigger a prune, in appends of the batch size.
    for chunk in 0..20 {
        let events = (0..500)
            .map(|i| with_message_id(1 + chunk * 500 + i, &format!("new_{chunk}_{i}"), now_ms()))
            .collect();
        append(&store, Some("src"), events).await.expect("append");
    }
    // The prune runs after the commit that crossed the threshold, before the next one.
    append(
        &store,
        Some("src"),
        vec![with_message_id(20_000, "last", now_ms())],
    )
    .await
    .expect("append");
    let ask = MarkQuery {
        tenant: "t".into(),
        source: "src".into(),
        message_ids: vec!["old".into(), "new_0_0".into(), "last".into()],
        seen_since: 0,
        anonymous_ids: Vec::new(),
    };
    let found = store.lookup_marks(ask).await.expect("lookup");
    let mut seen: Vec<String> = found.seen.into_keys().collect();
    seen.sort();
    assert_eq!(seen, ["last", "new_0_0"]);
    store.close().await.expect("close");
}
