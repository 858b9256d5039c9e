//! The SQLite deliveries: destinations and connections, the router's pages and checkpoint,
//! due attempts with their events, finished attempts with retries and dead letters, manual
//! retries, and issues opened, counted, resolved and reopened.

mod support;

use std::{sync::Arc, time::Duration};

use clickwire_model::rules::{Op, Rule};
use clickwire_store::{
    deliveries::{
        AttemptQuery, AttemptStatus, DestinationSettings, Failure, Finished, IssueStatus,
        NewAttempt, NewConnection, NewDestination, RetryOf, ANY_SOURCE,
    },
    sqlite::{SqliteConfig, SqliteDeliveries, SqliteEventStore, Synchronous},
    Deliveries, MemoryBus, StoreError,
};
use support::{append, event};

struct Setup {
    _dir: tempfile::TempDir,
    events: SqliteEventStore,
    deliveries: SqliteDeliveries,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("dir");
    let config = SqliteConfig {
        dir: dir.path().to_owned(),
        synchronous: Synchronous::Normal,
        queue_capacity: 64,
        max_batch_rows: 500,
        busy_timeout: Duration::from_secs(5),
        readers: 2,
        retention: None,
        read_queue: 64,
    };
    let events = SqliteEventStore::open(&config, Arc::new(MemoryBus::default())).expect("events");
    let deliveries = SqliteDeliveries::open(dir.path(), Duration::from_secs(5)).expect("open");
    Setup {
        _dir: dir,
        events,
        deliveries,
    }
}

fn settings() -> DestinationSettings {
    DestinationSettings {
        url: "http://127.0.0.1:9/hook".into(),
        method: "POST".into(),
        headers: Default::default(),
        timeout: 5.0,
        auth: Default::default(),
        retry: Default::default(),
        circuit_breaker: Default::default(),
        max_concurrency: 4,
    }
}

fn first_attempt(seq: i64, event_id: &str, destination: &str, n: usize) -> NewAttempt {
    NewAttempt {
        tenant: "t".into(),
        delivery_id: format!("dlv_{n}"),
        event_id: event_id.into(),
        event_seq: seq,
        destination_id: destination.into(),
        connection_id: "con_1".into(),
        attempt_number: 1,
        scheduled_at: 0,
        request_url: "http://127.0.0.1:9/hook".into(),
    }
}

fn failed(attempt_id: &str, retry: Option<NewAttempt>, dead_letter: bool) -> Finished {
    Finished {
        attempt_id: attempt_id.into(),
        request_url: "http://127.0.0.1:9/hook".into(),
        success: false,
        response_status: Some(503),
        response_body: Some("down".into()),
        duration_ms: 3,
        error_type: Some("http_5xx".into()),
        error: None,
        completed_at: 10,
        retry,
        dead_letter,
    }
}

#[tokio::test]
async fn connections_need_a_destination_of_their_tenant_and_go_with_it() {
    let s = setup();
    let d = &s.deliveries;
    let dst = d
        .create_destination(NewDestination {
            tenant: "t".into(),
            name: "crm".into(),
            settings: settings(),
        })
        .await
        .expect("destination");
    assert!(dst.id.starts_with("dst_") && dst.signing_secret.starts_with("whsec_"));
    let rules = vec![Rule {
        path: "scores.intent".into(),
        op: Op::Gte,
        value: Some(70.into()),
    }];
    let new = |tenant: &str| NewConnection {
        tenant: tenant.into(),
        name: "hot leads".into(),
        source_id: ANY_SOURCE.into(),
        destination_id: dst.id.clone(),
        rules: rules.clone(),
        enabled: true,
    };
    assert!(matches!(
        d.create_connection(new("other")).await,
        Err(StoreError::NotFound(_))
    ));
    let con = d.create_connection(new("t")).await.expect("connection");
    assert_eq!(
        d.enabled_connections().await.expect("enabled")[0].rules,
        rules
    );
    assert_eq!(d.get_connection(&con.id, "other").await.expect("get"), None);
    d.delete_destination("t", &dst.id).await.expect("delete");
    assert!(d.enabled_connections().await.expect("enabled").is_empty());
    assert!(d.list_destinations("t").await.expect("list").is_empty());
}

#[tokio::test]
async fn routed_attempts_read_their_events_and_move_the_checkpoint() {
    let s = setup();
    let d = &s.deliveries;
    append(&s.events, Some("src_1"), vec![event("a", 0), event("b", 1)])
        .await
        .expect("append");
    assert_eq!(
        d.route_checkpoint().await.expect("checkpoint"),
        -1,
        "parked at first"
    );
    assert_eq!(d.unpark_router(0).await.expect("unpark"), 0);
    let page = d
        .route_page(0, i64::MAX, vec!["t".into()], 10)
        .await
        .expect("page");
    assert_eq!(page.len(), 2);
    assert_eq!(page[0].source.as_deref(), Some("src_1"));
    assert!(d
        .route_page(0, i64::MAX, vec!["nobody".into()], 10)
        .await
        .expect("page")
        .is_empty());
    let attempts = vec![first_attempt(page[1].seq, &page[1].id, "dst_1", 1)];
    d.commit_routed(attempts, page[1].seq)
        .await
        .expect("commit");
    assert_eq!(d.route_checkpoint().await.expect("checkpoint"), page[1].seq);
    assert_eq!(
        d.unpark_router(99).await.expect("unpark"),
        page[1].seq,
        "a router that is not parked keeps its checkpoint"
    );
    d.park_router().await.expect("park");
    d.commit_routed(Vec::new(), 50).await.expect("commit");
    assert_eq!(
        d.route_checkpoint().await.expect("checkpoint"),
        -1,
        "parked stays parked"
    );
    assert_eq!(
        d.unpark_router(page[1].seq).await.expect("unpark"),
        page[1].seq
    );
    let due = d.due("dst_1", 0, 10).await.expect("due");
    assert_eq!(due.len(), 1);
    assert_eq!(
        due[0].event.as_ref().map(|e| e.id.as_str()),
        Some(page[1].id.as_str())
    );
    assert_eq!(
        due[0].event.as_ref().map(|e| e.payload.as_str()),
        Some(r#"{"visitorId":"b","n":1}"#)
    );
    assert_eq!(d.queued("dst_1").await.expect("queued"), 1);
    assert!(d.due("dst_2", 0, 10).await.expect("due").is_empty());
}

#[tokio::test]
async fn a_failure_schedules_its_retry_and_the_last_one_is_dead_lettered_then_retried() {
    let s = setup();
    let d = &s.deliveries;
    d.commit_routed(vec![first_attempt(1, "evt_1", "dst_1", 1)], 1)
        .await
        .expect("commit");
    let first = d.due("dst_1", 0, 10).await.expect("due").remove(0).attempt;
    let mut retry = first_attempt(1, "evt_1", "dst_1", 1);
    retry.attempt_number = 2;
    retry.scheduled_at = 500;
    let failure = Failure {
        tenant: "t".into(),
        destination_id: "dst_1".into(),
        error_type: "http_5xx".into(),
        attempt_id: first.id.clone(),
        at: 10,
    };
    let issues = d
        .finish(
            vec![failed(&first.id, Some(retry), false)],
            vec![failure.clone()],
        )
        .await
        .expect("finish");
    assert_eq!(issues.len(), 1);
    assert_eq!(
        (issues[0].status, issues[0].occurrences),
        (IssueStatus::Open, 1)
    );
    assert!(
        d.due("dst_1", 499, 10).await.expect("due").is_empty(),
        "not yet due"
    );
    assert_eq!(d.next_due("dst_1").await.expect("next"), Some(500));
    let second = d
        .due("dst_1", 500, 10)
        .await
        .expect("due")
        .remove(0)
        .attempt;
    assert_eq!(
        (second.attempt_number, second.delivery_id.as_str()),
        (2, "dlv_1")
    );
    let second_failure = Failure {
        attempt_id: second.id.clone(),
        at: 20,
        ..failure
    };
    let issues = d
        .finish(vec![failed(&second.id, None, true)], vec![second_failure])
        .await
        .expect("finish");
    assert_eq!(issues[0].occurrences, 2);
    assert_eq!(
        issues[0].recent_attempts,
        [second.id.clone(), first.id.clone()]
    );

    let (listed, _) = d
        .list_attempts(AttemptQuery {
            tenant: "t".into(),
            event_id: Some("evt_1".into()),
            limit: 10,
            ..AttemptQuery::default()
        })
        .await
        .expect("list");
    assert_eq!(listed.len(), 2);
    assert!(
        listed[0].is_dlq && listed[0].dlq_at.is_some(),
        "newest first, dead-lettered"
    );
    assert_eq!(listed[1].next_retry_at, Some(500));
    assert_eq!(listed[1].status, AttemptStatus::Failed);

    let made = d
        .retry("t", RetryOf::Event("evt_1".into()), 1_000)
        .await
        .expect("retry");
    assert_eq!(made.len(), 1);
    assert_eq!(
        (made[0].attempt_number, made[0].status),
        (3, AttemptStatus::Pending)
    );
    let again = d
        .retry("t", RetryOf::Attempt(first.id.clone()), 1_000)
        .await
        .expect("retry");
    assert!(again.is_empty(), "a pending delivery is not dead-lettered");
}

#[tokio::test]
async fn issues_resolve_without_new_failures_and_reopen_on_the_next() {
    let s = setup();
    let d = &s.deliveries;
    let failure = |attempt: &str, at: i64| Failure {
        tenant: "t".into(),
        destination_id: "dst_1".into(),
        error_type: "timeout".into(),
        attempt_id: attempt.into(),
        at,
    };
    let opened = d
        .finish(vec![], vec![failure("att_1", 100)])
        .await
        .expect("open");
    let id = opened[0].id.clone();
    assert!(
        d.auto_resolve(100, 200).await.expect("sweep").is_empty(),
        "still fresh"
    );
    let resolved = d.auto_resolve(101, 200).await.expect("sweep");
    assert_eq!(resolved[0].status, IssueStatus::Resolved);
    let counts = d.issue_counts("t").await.expect("counts");
    assert!(counts.contains(&(IssueStatus::Resolved, 1)));
    let reopened = d
        .finish(vec![], vec![failure("att_2", 300)])
        .await
        .expect("again");
    assert_eq!(reopened[0].id, id, "the same issue");
    assert_eq!(
        (reopened[0].status, reopened[0].occurrences),
        (IssueStatus::Open, 2)
    );
    let acked = d
        .set_issue_status("t", &id, IssueStatus::Acknowledged, 400)
        .await
        .expect("ack");
    assert_eq!(acked.status, IssueStatus::Acknowledged);
    let counted = d
        .finish(vec![], vec![failure("att_3", 500)])
        .await
        .expect("more");
    assert_eq!(
        counted[0].status,
        IssueStatus::Acknowledged,
        "stays acknowledged"
    );
}
