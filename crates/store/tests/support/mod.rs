//! What the store tests share: a small event row and appends that wait for their commit.

#![allow(dead_code)]

use std::sync::Arc;

use clickwire_model::AnalyticsRow;
use clickwire_store::{
    append_committed, AppendBatch, Appended, EventLog, EventQueries, EventQuery, Live, NewEvent,
    StoreError,
};

/// The `n`th test event of `visitor`, with live bytes `n` for the bus.
pub fn event(visitor: &str, n: usize) -> NewEvent {
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
        live: Live {
            method: "POST".into(),
            feed: Some(bytes::Bytes::from(n.to_string())),
            capture: None,
        },
        sealed: None,
        marks: None,
        analytics: AnalyticsRow {
            index1: "t".into(),
            blobs: Default::default(),
            doubles: [None; 20],
        },
    }
}

/// Appends `events` of tenant `t` and waits for the commit.
pub async fn append(
    log: &dyn EventLog,
    source: Option<&str>,
    events: Vec<NewEvent>,
) -> Result<Vec<Appended>, StoreError> {
    append_to(log, "t", source, events).await
}

/// Appends `events` of `tenant` and waits for the commit.
pub async fn append_to(
    log: &dyn EventLog,
    tenant: &str,
    source: Option<&str>,
    events: Vec<NewEvent>,
) -> Result<Vec<Appended>, StoreError> {
    let reservation = log.reserve(events.len())?;
    let batch = AppendBatch {
        tenant: Arc::from(tenant),
        source: source.map(Arc::from),
        events,
    };
    append_committed(log, reservation, batch).await
}

/// The ids of `visitor`'s events of tenant `t`, oldest first.
pub async fn visitor_ids(queries: &dyn EventQueries, visitor: &str) -> Vec<String> {
    let page = queries
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
