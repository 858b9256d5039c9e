//! Stored events: what the pipeline appends, what a read returns, and the [`EventQueries`]
//! trait every backend implements for reads.

use clickwire_bus::Live;
use clickwire_model::AnalyticsRow;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::StoreFuture;

/// One validated, normalised event ready for the durable append.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// `evt_` + a time-ordered id.
    pub id: String,
    pub received_at: i64,
    pub event_type: &'static str,
    pub visitor_id: String,
    pub session_id: String,
    /// Event time in ms (after skew correction).
    pub timestamp: i64,
    /// The normalised event as a JSON object.
    pub payload: String,
    /// The kind of key that sent it (`website`, `mobile`, `server`, …): scoring treats
    /// library user agents differently under browser and native keys.
    pub key_kind: &'static str,
    /// The event's labels (bot verdict, class, device, scores) as a JSON object, when scored.
    pub labels: Option<String>,
    /// What the bus carries for the event once committed (how it arrived, the feed frame
    /// body, a test session's frame), built once at ingest; never stored.
    pub live: Live,
    /// The analytics column mapping.
    pub analytics: AnalyticsRow,
    /// The ciphertexts of the personal fields the payload shows as `{"encrypted":true}`:
    /// a JSON object of field path → `"<key id>:<base64 nonce+ciphertext>"`.
    pub sealed: Option<String>,
    /// What a pipeline event leaves behind besides itself (its message id, an identity
    /// link), committed with it; `None` for every other event.
    pub marks: Option<Box<crate::Marks>>,
}

/// Where an appended event landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// Monotonic per tenant (not necessarily contiguous).
    pub seq: i64,
}

/// A read-back filter; every field narrows the result.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    pub tenant: String,
    pub visitor_id: Option<String>,
    pub session_id: Option<String>,
    pub event_type: Option<String>,
    /// Only events that came through this source.
    pub source: Option<String>,
    /// Event time lower bound, ms, inclusive.
    pub since: Option<i64>,
    /// Event time upper bound, ms, exclusive.
    pub until: Option<i64>,
    /// Only events with a larger seq.
    pub after_seq: Option<i64>,
    /// Only events with a smaller seq (for paging newest first).
    pub before_seq: Option<i64>,
    pub limit: usize,
    /// Newest first instead of oldest first.
    pub newest_first: bool,
}

/// An event as read back.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredEvent {
    pub id: String,
    pub seq: i64,
    pub received_at: i64,
    pub source: Option<String>,
    /// The kind of key that sent the event (used by scoring, not shown by the API).
    #[serde(skip)]
    pub key_kind: String,
    pub event: Box<RawValue>,
    /// The labels computed at ingest, when the event was scored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<Box<RawValue>>,
}

/// One page of a read, oldest first.
#[derive(Debug, Clone)]
pub struct EventPage {
    pub events: Vec<StoredEvent>,
    /// The seq to continue after, when more events match.
    pub next_after: Option<i64>,
}

/// Reads of stored events.
pub trait EventQueries: Send + Sync {
    /// Reads events matching `query`, oldest first (or newest first when it asks).
    fn query(&self, query: EventQuery) -> StoreFuture<'_, EventPage>;
    /// Succeeds when the store answers.
    fn ping(&self) -> StoreFuture<'_, ()>;
}
