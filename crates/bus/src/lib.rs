//! The bus: committed events, in commit order, on their way to whoever watches them live
//! (the hub behind the Signals Feed, the dashboard stream and test-session sockets;
//! deliveries later). The log publishes each commit once, every event of it; every
//! subscriber gets the same shared [`Committed`]. The embedded mode uses [`MemoryBus`]; a
//! distributed backend implements [`Bus`] over its broker.

mod memory;

use std::{borrow::Cow, sync::Arc};

use bytes::Bytes;
pub use memory::MemoryBus;
use tokio::sync::broadcast;

/// One committed append of one tenant, as the bus carries it.
#[derive(Debug, Clone)]
pub struct Committed {
    pub tenant: Arc<str>,
    /// The source the events came through, if any.
    pub source: Option<Arc<str>>,
    /// Every event of the append, in seq order.
    pub events: Vec<CommittedEvent>,
}

/// A committed event's position and what live subscribers are told of it.
#[derive(Debug, Clone)]
pub struct CommittedEvent {
    pub seq: i64,
    pub id: String,
    /// Milliseconds since the epoch.
    pub received_at: i64,
    pub live: Live,
}

/// What the bus carries for an event besides its position, built once before the append
/// and never stored.
#[derive(Debug, Clone, Default)]
pub struct Live {
    /// How the event arrived: the HTTP method of its request (`POST` for the collectors, a
    /// webhook's own method), or `WEBSOCKET` for a socket message.
    pub method: Cow<'static, str>,
    /// The Signals Feed frame body (without its position), for scored events.
    pub feed: Option<Bytes>,
    /// The complete test-session frame, for a request a test session captured.
    pub capture: Option<Bytes>,
}

/// What a subscriber receives: commits in order. A receiver that falls more than the
/// bus's capacity behind gets `Lagged` and must recover from the store by seq.
pub type BusReceiver = broadcast::Receiver<Arc<Committed>>;

/// Carries committed appends from the log to live subscribers.
pub trait Bus: Send + Sync {
    /// Publishes a commit; called in commit order. Having no subscriber is not an error.
    fn publish(&self, committed: Arc<Committed>);
    /// Every commit published from now on.
    fn subscribe(&self) -> BusReceiver;
}
