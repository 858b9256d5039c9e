//! The bus: committed events, in commit order, on their way to whoever watches them live
//! (the Signals Feed hub today; dashboards and deliveries later). The log publishes each
//! commit once; every subscriber gets the same shared [`Committed`]. The embedded mode
//! uses [`MemoryBus`]; a distributed backend implements [`Bus`] over its broker.

mod memory;

use std::sync::Arc;

use bytes::Bytes;
pub use memory::MemoryBus;
use tokio::sync::broadcast;

/// One committed append of one tenant, as the bus carries it.
#[derive(Debug, Clone)]
pub struct Committed {
    pub tenant: Arc<str>,
    /// The events of the append that carry live bytes, in seq order.
    pub events: Vec<CommittedEvent>,
}

/// A committed event's position and the bytes published for it.
#[derive(Debug, Clone)]
pub struct CommittedEvent {
    pub seq: i64,
    pub id: String,
    /// What live subscribers receive for the event (the feed frame body), serialised once
    /// before the append.
    pub live: Bytes,
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
