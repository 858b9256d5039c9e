//! The in-process bus of the embedded mode: a bounded tokio broadcast channel.

use std::sync::Arc;

use tokio::sync::broadcast;

use crate::{Bus, BusReceiver, Committed};

/// Commits subscribers may fall behind by before they must recover from the store.
pub const DEFAULT_CAPACITY: usize = 16 * 1024;

/// A [`Bus`] inside one process.
pub struct MemoryBus {
    tx: broadcast::Sender<Arc<Committed>>,
}

impl MemoryBus {
    /// A bus that keeps up to `capacity` commits for slow subscribers.
    pub fn new(capacity: usize) -> Self {
        let (tx, _) = broadcast::channel(capacity.max(1));
        Self { tx }
    }
}

impl Default for MemoryBus {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl Bus for MemoryBus {
    fn publish(&self, committed: Arc<Committed>) {
        let _ = self.tx.send(committed);
    }

    fn subscribe(&self) -> BusReceiver {
        self.tx.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CommittedEvent;

    fn commit(seq: i64) -> Arc<Committed> {
        Arc::new(Committed {
            tenant: "t".into(),
            source: None,
            events: vec![CommittedEvent {
                seq,
                id: format!("evt_{seq}"),
                received_at: 0,
                live: crate::Live::default(),
            }],
        })
    }

    #[tokio::test]
    async fn subscribers_receive_commits_in_publish_order() {
        let bus = MemoryBus::new(8);
        let mut rx = bus.subscribe();
        bus.publish(commit(1));
        bus.publish(commit(2));
        assert_eq!(rx.recv().await.expect("first").events[0].seq, 1);
        assert_eq!(rx.recv().await.expect("second").events[0].seq, 2);
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_is_told_it_lagged() {
        let bus = MemoryBus::new(2);
        let mut rx = bus.subscribe();
        for seq in 1..=3 {
            bus.publish(commit(seq));
        }
        assert!(matches!(
            rx.recv().await,
            Err(broadcast::error::RecvError::Lagged(1))
        ));
    }
}
