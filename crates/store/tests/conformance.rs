//! The conformance suite every event backend passes: the same tests, run against the
//! in-memory backend and SQLite on a real file. A new backend adds one `backend!` line.

mod support;

use std::sync::Arc;

use clickwire_store::{
    memory::MemoryEventStore,
    sqlite::{SqliteConfig, SqliteEventStore, Synchronous},
    AppendBatch, Bus, EventLog, EventQueries, EventQuery, IdentityLink, MarkQueries, MarkQuery,
    Marks, MemoryBus, StoreError,
};
use support::{append, event, visitor_ids};

/// A backend under test, with what keeps it alive.
struct Backend {
    log: Arc<dyn EventLog>,
    queries: Arc<dyn EventQueries>,
    marks: Arc<dyn MarkQueries>,
    bus: Arc<dyn Bus>,
    _dir: Option<tempfile::TempDir>,
}

fn memory(capacity: usize) -> Backend {
    let bus: Arc<dyn Bus> = Arc::new(MemoryBus::default());
    let store = Arc::new(MemoryEventStore::new(capacity, Arc::clone(&bus)));
    Backend {
        log: store.clone(),
        queries: store.clone(),
        marks: store,
        bus,
        _dir: None,
    }
}

fn sqlite(capacity: usize) -> Backend {
    let dir = tempfile::tempdir().expect("dir");
    let config = SqliteConfig {
        dir: dir.path().to_owned(),
        synchronous: Synchronous::Normal,
        queue_capacity: capacity,
        max_batch_rows: 500,
        busy_timeout: std::time::Duration::from_secs(5),
        readers: 2,
        retention: None,
        read_queue: 64,
    };
    let bus: Arc<dyn Bus> = Arc::new(MemoryBus::default());
    let store = Arc::new(SqliteEventStore::open(&config, Arc::clone(&bus)).expect("open"));
    Backend {
        log: store.clone(),
        queries: store.clone(),
        marks: store,
        bus,
        _dir: Some(dir),
    }
}

/// Runs every conformance test against one backend constructor.
macro_rules! backend {
    ($name:ident, $open:expr) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn appends_get_increasing_seqs_and_read_back_in_order() {
                super::appends_get_increasing_seqs_and_read_back_in_order($open(64)).await;
            }
            #[tokio::test]
            async fn per_visitor_reads_see_only_that_visitor() {
                super::per_visitor_reads_see_only_that_visitor($open(64)).await;
            }
            #[tokio::test]
            async fn pages_continue_after_the_last_seq() {
                super::pages_continue_after_the_last_seq($open(64)).await;
            }
            #[tokio::test]
            async fn newest_first_reads_start_at_the_end() {
                super::newest_first_reads_start_at_the_end($open(64)).await;
            }
            #[tokio::test]
            async fn a_full_queue_refuses_before_anything_is_queued() {
                super::a_full_queue_refuses_before_anything_is_queued($open(2)).await;
            }
            #[tokio::test]
            async fn batches_queued_by_one_caller_commit_in_call_order() {
                super::batches_queued_by_one_caller_commit_in_call_order($open(64)).await;
            }
            #[tokio::test]
            async fn commits_reach_the_bus_in_seq_order() {
                super::commits_reach_the_bus_in_seq_order($open(64)).await;
            }
            #[tokio::test]
            async fn every_event_reaches_the_bus_with_its_source_and_arrival() {
                super::every_event_reaches_the_bus_with_its_source_and_arrival($open(64)).await;
            }
            #[tokio::test]
            async fn reads_filter_by_source() {
                super::reads_filter_by_source($open(64)).await;
            }
            #[tokio::test]
            async fn marks_are_read_back_within_their_window() {
                super::marks_are_read_back_within_their_window($open(64)).await;
            }
            #[tokio::test]
            async fn appends_after_close_are_refused() {
                super::appends_after_close_are_refused($open(64)).await;
            }
        }
    };
}

backend!(in_memory, memory);
backend!(on_sqlite, sqlite);

async fn appends_get_increasing_seqs_and_read_back_in_order(b: Backend) {
    let first = append(b.log.as_ref(), None, vec![event("a", 0), event("b", 1)])
        .await
        .expect("append");
    let second = append(b.log.as_ref(), Some("web"), vec![event("a", 2)])
        .await
        .expect("append");
    assert!(first[0].seq < first[1].seq && first[1].seq < second[0].seq);
    let page = b
        .queries
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
    let other = b
        .queries
        .query(EventQuery {
            tenant: "other".into(),
            limit: 10,
            ..EventQuery::default()
        })
        .await
        .expect("query");
    assert!(other.events.is_empty(), "tenants do not see each other");
    b.log.close().await.expect("close");
}

async fn per_visitor_reads_see_only_that_visitor(b: Backend) {
    let events = vec![event("a", 0), event("b", 1), event("a", 2)];
    append(b.log.as_ref(), None, events).await.expect("append");
    assert_eq!(
        visitor_ids(b.queries.as_ref(), "a").await,
        ["evt_a_0", "evt_a_2"]
    );
    assert_eq!(visitor_ids(b.queries.as_ref(), "b").await, ["evt_b_1"]);
    assert!(visitor_ids(b.queries.as_ref(), "c").await.is_empty());
}

async fn pages_continue_after_the_last_seq(b: Backend) {
    let events = (0..5).map(|n| event("a", n)).collect();
    append(b.log.as_ref(), None, events).await.expect("append");
    let mut query = EventQuery {
        tenant: "t".into(),
        limit: 2,
        ..EventQuery::default()
    };
    let mut seen = Vec::new();
    loop {
        let page = b.queries.query(query.clone()).await.expect("query");
        seen.extend(page.events.iter().map(|e| e.id.clone()));
        match page.next_after {
            Some(after) => query.after_seq = Some(after),
            None => break,
        }
    }
    let expected: Vec<String> = (0..5).map(|n| format!("evt_a_{n}")).collect();
    assert_eq!(seen, expected);
}

async fn newest_first_reads_start_at_the_end(b: Backend) {
    let events = (0..4).map(|n| event("a", n)).collect();
    append(b.log.as_ref(), None, events).await.expect("append");
    let page = b
        .queries
        .query(EventQuery {
            tenant: "t".into(),
            visitor_id: Some("a".into()),
            limit: 2,
            newest_first: true,
            ..EventQuery::default()
        })
        .await
        .expect("query");
    let ids: Vec<&str> = page.events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["evt_a_3", "evt_a_2"]);
}

async fn a_full_queue_refuses_before_anything_is_queued(b: Backend) {
    let held = b.log.reserve(2).expect("room for two");
    assert!(matches!(b.log.reserve(1), Err(StoreError::Overloaded)));
    assert_eq!(b.log.queue_depth(), 2);
    drop(held);
    append(b.log.as_ref(), None, vec![event("a", 0)])
        .await
        .expect("room again once the reservation is given back");
}

async fn batches_queued_by_one_caller_commit_in_call_order(b: Backend) {
    let mut pending = Vec::new();
    for n in 0..20 {
        let reservation = b.log.reserve(1).expect("room");
        let batch = AppendBatch {
            tenant: Arc::from("t"),
            source: None,
            events: vec![event("a", n)],
        };
        pending.push(clickwire_store::append_committed(
            b.log.as_ref(),
            reservation,
            batch,
        ));
    }
    let mut seqs = Vec::new();
    // Awaited in reverse: the order is decided when the batch is queued, not when awaited.
    for commit in pending.into_iter().rev() {
        seqs.push(commit.await.expect("commit")[0].seq);
    }
    seqs.reverse();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "seqs {seqs:?}");
}

async fn commits_reach_the_bus_in_seq_order(b: Backend) {
    let mut rx = b.bus.subscribe();
    for n in 0..3 {
        append(b.log.as_ref(), None, vec![event("a", n), event("b", n)])
            .await
            .expect("append");
    }
    let mut seqs = Vec::new();
    for _ in 0..3 {
        let committed = rx.recv().await.expect("a commit");
        assert_eq!(&*committed.tenant, "t");
        seqs.extend(committed.events.iter().map(|e| e.seq));
    }
    assert_eq!(seqs.len(), 6);
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "seqs {seqs:?}");
}

async fn every_event_reaches_the_bus_with_its_source_and_arrival(b: Backend) {
    let mut rx = b.bus.subscribe();
    let mut unscored = event("a", 1);
    unscored.received_at = 42;
    unscored.live.feed = None;
    unscored.live.method = "PATCH".into();
    append(b.log.as_ref(), Some("src_1"), vec![event("a", 0), unscored])
        .await
        .expect("append");
    let committed = rx.recv().await.expect("a commit");
    assert_eq!(committed.source.as_deref(), Some("src_1"));
    let events = &committed.events;
    assert_eq!(
        events.len(),
        2,
        "an event without a feed frame is published too"
    );
    assert_eq!(events[0].live.feed.as_deref(), Some(&b"0"[..]));
    assert_eq!(events[1].id, "evt_a_1");
    assert_eq!(events[1].received_at, 42);
    assert_eq!(events[1].live.method, "PATCH");
    assert!(events[1].live.feed.is_none());
}

async fn appends_after_close_are_refused(b: Backend) {
    b.log.close().await.expect("close");
    let refused = append(b.log.as_ref(), None, vec![event("a", 0)]).await;
    assert!(refused.is_err());
}

async fn marks_are_read_back_within_their_window(b: Backend) {
    let mut identify = event("anon_1", 0);
    identify.received_at = 1_000;
    identify.marks = Some(Box::new(Marks {
        message_id: Some("m1".into()),
        link: Some(IdentityLink {
            anonymous_id: "anon_1".into(),
            user_id: "user_1".into(),
        }),
    }));
    append(b.log.as_ref(), Some("src_a"), vec![identify])
        .await
        .expect("append");
    let ask = |source: &str, seen_since: i64| MarkQuery {
        tenant: "t".into(),
        source: source.into(),
        message_ids: vec!["m1".into(), "m2".into()],
        seen_since,
        anonymous_ids: vec!["anon_1".into(), "anon_2".into()],
    };
    let found = b
        .marks
        .lookup_marks(ask("src_a", 1_000))
        .await
        .expect("lookup");
    let seen: Vec<(String, String)> = found.seen.into_iter().collect();
    assert_eq!(
        seen,
        [("m1".to_owned(), "evt_anon_1_0".to_owned())],
        "with the first event's id"
    );
    assert_eq!(
        found.links.get("anon_1").map(String::as_str),
        Some("user_1")
    );
    assert_eq!(found.links.len(), 1);
    let later = b
        .marks
        .lookup_marks(ask("src_a", 1_001))
        .await
        .expect("lookup");
    assert!(
        later.seen.is_empty(),
        "outside the window the id is new again"
    );
    let other = b.marks.lookup_marks(ask("src_b", 0)).await.expect("lookup");
    assert!(other.seen.is_empty(), "message ids are per source");
    assert_eq!(
        other.links.len(),
        1,
        "links are per tenant, whatever the source"
    );
}

async fn reads_filter_by_source(b: Backend) {
    append(b.log.as_ref(), Some("src_a"), vec![event("a", 0)])
        .await
        .expect("append");
    append(b.log.as_ref(), Some("src_b"), vec![event("a", 1)])
        .await
        .expect("append");
    append(b.log.as_ref(), None, vec![event("b", 2)])
        .await
        .expect("append");
    for visitor in [None, Some("a".to_owned())] {
        let page = b
            .queries
            .query(EventQuery {
                tenant: "t".into(),
                visitor_id: visitor.clone(),
                source: Some("src_b".into()),
                limit: 10,
                ..EventQuery::default()
            })
            .await
            .expect("query");
        let ids: Vec<&str> = page.events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["evt_a_1"], "visitor {visitor:?}");
    }
}
