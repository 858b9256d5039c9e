//! An in-memory backend of the event log and its queries, for tests of the pipeline and as
//! the reference the conformance suite holds every backend to. A batch is "committed" the
//! moment it is appended; nothing survives the process.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use clickwire_bus::{Bus, Committed, CommittedEvent};
use serde_json::value::RawValue;

use crate::{
    AppendBatch, AppendQueue, Appended, EventLog, EventPage, EventQueries, EventQuery, MarkLookup,
    MarkQueries, MarkQuery, NewEvent, OnCommit, Reservation, StoreError, StoreFuture, StoredEvent,
};

/// Events kept in memory, appended in call order.
pub struct MemoryEventStore {
    queue: AppendQueue,
    bus: Arc<dyn Bus>,
    rows: Mutex<Rows>,
}

#[derive(Default)]
struct Rows {
    next_seq: i64,
    closed: bool,
    events: Vec<Row>,
    /// (tenant, source, message id) → when it was received, and its event's id.
    message_ids: HashMap<(String, String, String), (i64, String)>,
    /// (tenant, anonymous id) → user id.
    links: HashMap<(String, String), String>,
}

struct Row {
    seq: i64,
    tenant: Arc<str>,
    source: Option<Arc<str>>,
    event: NewEvent,
}

impl MemoryEventStore {
    /// An empty store whose append queue has room for `capacity` events.
    pub fn new(capacity: usize, bus: Arc<dyn Bus>) -> Self {
        Self {
            queue: AppendQueue::new(capacity),
            bus,
            rows: Mutex::new(Rows {
                next_seq: 1,
                ..Rows::default()
            }),
        }
    }

    fn commit(&self, batch: AppendBatch) -> Result<Vec<Appended>, StoreError> {
        let mut rows = self.rows.lock().map_err(|_| StoreError::Closed)?;
        if rows.closed {
            return Err(StoreError::Closed);
        }
        let mut appended = Vec::with_capacity(batch.events.len());
        let mut live = Vec::new();
        for event in batch.events {
            let seq = rows.next_seq;
            rows.next_seq += 1;
            appended.push(Appended { seq });
            live.push(CommittedEvent {
                seq,
                id: event.id.clone(),
                received_at: event.received_at,
                live: event.live.clone(),
            });
            if let Some(marks) = &event.marks {
                let tenant = batch.tenant.to_string();
                if let Some(id) = &marks.message_id {
                    let source = batch.source.as_deref().unwrap_or_default().to_owned();
                    rows.message_ids.insert(
                        (tenant.clone(), source, id.clone()),
                        (event.received_at, event.id.clone()),
                    );
                }
                if let Some(link) = &marks.link {
                    rows.links
                        .insert((tenant, link.anonymous_id.clone()), link.user_id.clone());
                }
            }
            rows.events.push(Row {
                seq,
                tenant: Arc::clone(&batch.tenant),
                source: batch.source.clone(),
                event,
            });
        }
        if !live.is_empty() {
            self.bus.publish(Arc::new(Committed {
                tenant: batch.tenant,
                source: batch.source,
                events: live,
            }));
        }
        Ok(appended)
    }
}

impl EventLog for MemoryEventStore {
    fn reserve(&self, events: usize) -> Result<Reservation, StoreError> {
        self.queue.reserve(events)
    }

    fn append(&self, reservation: Reservation, batch: AppendBatch, on_commit: OnCommit) {
        let result = self.commit(batch);
        drop(reservation);
        on_commit(result);
    }

    fn queue_depth(&self) -> usize {
        self.queue.depth()
    }

    fn close(&self) -> StoreFuture<'_, ()> {
        self.queue.close();
        if let Ok(mut rows) = self.rows.lock() {
            rows.closed = true;
        }
        Box::pin(async { Ok(()) })
    }
}

impl EventQueries for MemoryEventStore {
    fn query(&self, query: EventQuery) -> StoreFuture<'_, EventPage> {
        let page = self.read(&query);
        Box::pin(async move { page })
    }

    fn ping(&self) -> StoreFuture<'_, ()> {
        Box::pin(async { Ok(()) })
    }
}

impl MarkQueries for MemoryEventStore {
    fn lookup_marks(&self, query: MarkQuery) -> StoreFuture<'_, MarkLookup> {
        let found = self
            .rows
            .lock()
            .map_err(|_| StoreError::Closed)
            .map(|rows| {
                let mut found = MarkLookup::default();
                for id in &query.message_ids {
                    let key = (query.tenant.clone(), query.source.clone(), id.clone());
                    let first = rows
                        .message_ids
                        .get(&key)
                        .filter(|(at, _)| *at >= query.seen_since);
                    if let Some((_, first)) = first {
                        found.seen.insert(id.clone(), first.clone());
                    }
                }
                for anonymous_id in &query.anonymous_ids {
                    let key = (query.tenant.clone(), anonymous_id.clone());
                    if let Some(user) = rows.links.get(&key) {
                        found.links.insert(anonymous_id.clone(), user.clone());
                    }
                }
                found
            });
        Box::pin(async move { found })
    }
}

impl MemoryEventStore {
    fn read(&self, query: &EventQuery) -> Result<EventPage, StoreError> {
        let rows = self.rows.lock().map_err(|_| StoreError::Closed)?;
        let matching = rows.events.iter().filter(|row| matches(row, query));
        let picked: Vec<&Row> = if query.newest_first {
            matching.rev().take(query.limit + 1).collect()
        } else {
            matching.take(query.limit + 1).collect()
        };
        let more = picked.len() > query.limit;
        let events = picked
            .into_iter()
            .take(query.limit)
            .map(stored)
            .collect::<Result<Vec<_>, _>>()?;
        let next_after = if more {
            events.last().map(|e| e.seq)
        } else {
            None
        };
        Ok(EventPage { events, next_after })
    }
}

fn matches(row: &Row, query: &EventQuery) -> bool {
    let event = &row.event;
    *row.tenant == *query.tenant
        && row.seq > query.after_seq.unwrap_or(0)
        && query.before_seq.is_none_or(|before| row.seq < before)
        && query
            .visitor_id
            .as_ref()
            .is_none_or(|v| *v == event.visitor_id)
        && query
            .session_id
            .as_ref()
            .is_none_or(|s| *s == event.session_id)
        && query
            .event_type
            .as_ref()
            .is_none_or(|t| t == event.event_type)
        && query
            .source
            .as_deref()
            .is_none_or(|s| row.source.as_deref() == Some(s))
        && query.since.is_none_or(|since| event.timestamp >= since)
        && query.until.is_none_or(|until| event.timestamp < until)
}

fn stored(row: &Row) -> Result<StoredEvent, StoreError> {
    let raw = |text: &str| {
        RawValue::from_string(text.to_owned()).map_err(|err| StoreError::Invalid(err.to_string()))
    };
    Ok(StoredEvent {
        id: row.event.id.clone(),
        seq: row.seq,
        received_at: row.event.received_at,
        source: row.source.as_deref().map(str::to_owned),
        key_kind: row.event.key_kind.to_owned(),
        event: raw(&row.event.payload)?,
        labels: row.event.labels.as_deref().map(raw).transpose()?,
    })
}
