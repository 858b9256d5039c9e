//! The hub: every tenant's live subscribers, fed by the store's committed appends. One task
//! receives each commit, puts the position in front of each frame body once, and offers
//! the shared bytes to each subscriber of that tenant with `try_send` on its bounded queue:
//! the fan-out never waits for a subscriber. A full queue marks the subscriber as
//! overflowed (its connection closes it with 1011); a hub that fell behind the store marks
//! every subscriber as having a gap (each recovers from the store by seq).

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, RwLock,
    },
};

use bytes::Bytes;
use clickwire_store::{BusReceiver, Committed};
use serde_json::Value;
use tokio::sync::{broadcast::error::RecvError, mpsc, watch, Notify};

use super::{filter::Filter, frame::with_position};
use crate::config::FeedConfig;

/// One complete event frame on its way to one subscriber.
#[derive(Debug, Clone)]
pub struct LiveFrame {
    pub seq: i64,
    pub frame: Bytes,
}

/// What the hub tells a subscriber's connection besides frames.
#[derive(Debug, Default)]
pub struct Signal {
    /// The queue was full and a frame was dropped.
    overflowed: AtomicBool,
    /// The hub missed commits: frames may be missing, recover them from the store.
    gap: AtomicBool,
    wake: Notify,
}

impl Signal {
    /// True (once) when a frame was dropped since the last call.
    pub fn take_overflow(&self) -> bool {
        self.overflowed.swap(false, Ordering::AcqRel)
    }

    /// True (once) when the hub missed commits since the last call.
    pub fn take_gap(&self) -> bool {
        self.gap.swap(false, Ordering::AcqRel)
    }

    /// True while a dropped frame has not been taken.
    pub fn is_overflowed(&self) -> bool {
        self.overflowed.load(Ordering::Acquire)
    }

    /// True while a dropped frame or a gap has not been taken.
    pub fn pending(&self) -> bool {
        self.is_overflowed() || self.gap.load(Ordering::Acquire)
    }

    /// Resolves when a flag may have been set (a flag set before the call also counts).
    pub async fn woken(&self) {
        self.wake.notified().await;
    }

    fn raise(&self, flag: &AtomicBool) {
        flag.store(true, Ordering::Release);
        self.wake.notify_one();
    }
}

/// Why a subscriber was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SubscribeError {
    #[error("the tenant has the most subscribers allowed")]
    TooMany,
    #[error("the server is shutting down")]
    Closed,
}

struct Slot {
    id: u64,
    tx: mpsc::Sender<LiveFrame>,
    filter: Option<Arc<Filter>>,
    signal: Arc<Signal>,
}

impl Slot {
    fn offer(&self, frame: LiveFrame) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.tx.try_send(frame) {
            metrics::counter!("clickwire_feed_frames_dropped_total", "reason" => "slow")
                .increment(1);
            self.signal.raise(&self.signal.overflowed);
        }
    }
}

/// Every tenant's subscribers.
pub struct Hub {
    tenants: RwLock<HashMap<Arc<str>, Vec<Slot>>>,
    max_per_tenant: usize,
    queue: usize,
    next_id: AtomicU64,
    closed: AtomicBool,
}

/// A registered subscriber: its queue of frames and signals. Dropping it unregisters it.
pub struct Subscription {
    hub: Arc<Hub>,
    tenant: Arc<str>,
    id: u64,
    rx: mpsc::Receiver<LiveFrame>,
    signal: Arc<Signal>,
}

impl Subscription {
    /// The next frame; `None` once the hub has closed (server shutdown).
    pub async fn recv(&mut self) -> Option<LiveFrame> {
        self.rx.recv().await
    }

    /// A frame already queued, without waiting.
    pub fn try_recv(&mut self) -> Option<LiveFrame> {
        self.rx.try_recv().ok()
    }

    /// Discards every queued frame (they are all in the store).
    pub fn discard_queued(&mut self) {
        while self.rx.try_recv().is_ok() {}
    }

    pub fn signal(&self) -> &Signal {
        &self.signal
    }

    /// The signal, to watch while the subscription is borrowed elsewhere.
    pub fn signal_handle(&self) -> Arc<Signal> {
        Arc::clone(&self.signal)
    }

    pub fn tenant(&self) -> &str {
        &self.tenant
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.remove(&self.tenant, self.id);
    }
}

impl Hub {
    pub fn new(config: &FeedConfig) -> Self {
        Self {
            tenants: RwLock::new(HashMap::new()),
            max_per_tenant: config.max_subscribers_per_tenant,
            queue: config.subscriber_queue,
            next_id: AtomicU64::new(1),
            closed: AtomicBool::new(false),
        }
    }

    /// Registers a subscriber of `tenant`, within the tenant's cap.
    pub fn subscribe(
        self: &Arc<Self>,
        tenant: &str,
        filter: Option<Arc<Filter>>,
    ) -> Result<Subscription, SubscribeError> {
        let mut tenants = self.tenants.write().map_err(|_| SubscribeError::Closed)?;
        if self.closed.load(Ordering::Acquire) {
            return Err(SubscribeError::Closed);
        }
        let tenant: Arc<str> = Arc::from(tenant);
        let slots = tenants.entry(Arc::clone(&tenant)).or_default();
        if slots.len() >= self.max_per_tenant {
            return Err(SubscribeError::TooMany);
        }
        let (tx, rx) = mpsc::channel(self.queue);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let signal = Arc::new(Signal::default());
        slots.push(Slot {
            id,
            tx,
            filter,
            signal: Arc::clone(&signal),
        });
        metrics::gauge!("clickwire_feed_subscribers").increment(1.0);
        Ok(Subscription {
            hub: Arc::clone(self),
            tenant,
            id,
            rx,
            signal,
        })
    }

    fn remove(&self, tenant: &str, id: u64) {
        let Ok(mut tenants) = self.tenants.write() else {
            return;
        };
        if let Some(slots) = tenants.get_mut(tenant) {
            let before = slots.len();
            slots.retain(|slot| slot.id != id);
            if slots.len() < before {
                metrics::gauge!("clickwire_feed_subscribers").decrement(1.0);
            }
            if slots.is_empty() {
                tenants.remove(tenant);
            }
        }
    }

    /// Subscribers of `tenant` right now.
    pub fn subscribers(&self, tenant: &str) -> usize {
        self.tenants
            .read()
            .map_or(0, |t| t.get(tenant).map_or(0, Vec::len))
    }

    /// Offers every frame of `committed` to its tenant's subscribers. A frame is parsed
    /// (once) only when a subscriber of the tenant has a filter.
    pub fn publish(&self, committed: &Committed) {
        let Ok(tenants) = self.tenants.read() else {
            return;
        };
        let Some(slots) = tenants.get(&committed.tenant) else {
            return;
        };
        let filtered = slots.iter().any(|slot| slot.filter.is_some());
        for event in &committed.events {
            let frame = with_position(&event.id, event.seq, &event.live);
            let parsed: Option<Value> = if filtered {
                serde_json::from_slice(&frame).ok()
            } else {
                None
            };
            for slot in slots {
                let wanted = match (&slot.filter, &parsed) {
                    (None, _) => true,
                    (Some(filter), Some(parsed)) => filter.matches(parsed),
                    (Some(_), None) => false,
                };
                if wanted {
                    slot.offer(LiveFrame {
                        seq: event.seq,
                        frame: frame.clone(),
                    });
                }
            }
        }
    }

    /// The hub missed commits: every subscriber recovers from the store.
    pub fn mark_gap(&self) {
        if let Ok(tenants) = self.tenants.read() {
            for slot in tenants.values().flatten() {
                slot.signal.raise(&slot.signal.gap);
            }
        }
    }

    /// Refuses new subscribers and ends every subscriber's queue (server shutdown).
    pub fn close_all(&self) {
        self.closed.store(true, Ordering::Release);
        if let Ok(mut tenants) = self.tenants.write() {
            let gone: usize = tenants.values().map(Vec::len).sum();
            metrics::gauge!("clickwire_feed_subscribers").decrement(gone as f64);
            tenants.clear();
        }
    }

    /// Feeds the hub from the bus's commits until `stop` changes.
    pub async fn run(self: Arc<Self>, mut commits: BusReceiver, mut stop: watch::Receiver<bool>) {
        loop {
            tokio::select! {
                received = commits.recv() => match received {
                    Ok(committed) => self.publish(&committed),
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(missed, "feed hub fell behind the store; subscribers recover from it");
                        metrics::counter!("clickwire_feed_hub_lagged_total").increment(1);
                        self.mark_gap();
                    }
                    Err(RecvError::Closed) => return,
                },
                _ = stop.changed() => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use clickwire_store::CommittedEvent;

    use super::*;

    fn hub(cap: usize, queue: usize) -> Arc<Hub> {
        let config = FeedConfig {
            max_subscribers_per_tenant: cap,
            subscriber_queue: queue,
            ..FeedConfig::default()
        };
        Arc::new(Hub::new(&config))
    }

    fn commit(tenant: &str, seqs: &[i64], class: &str) -> Committed {
        Committed {
            tenant: Arc::from(tenant),
            events: seqs
                .iter()
                .map(|&seq| CommittedEvent {
                    seq,
                    id: format!("evt_{seq}"),
                    live: Bytes::from(format!(r#"{{"type":"event","behavioralClass":"{class}"}}"#)),
                })
                .collect(),
        }
    }

    #[test]
    fn a_tenant_gets_at_most_its_cap_and_a_dropped_subscription_frees_a_slot() {
        let hub = hub(2, 4);
        let first = hub.subscribe("t", None).expect("first");
        let _second = hub.subscribe("t", None).expect("second");
        assert_eq!(
            hub.subscribe("t", None).err(),
            Some(SubscribeError::TooMany)
        );
        assert!(hub.subscribe("other", None).is_ok());
        drop(first);
        assert!(hub.subscribe("t", None).is_ok());
    }

    #[test]
    fn frames_go_only_to_the_tenant_that_committed_them_with_their_position() {
        let hub = hub(10, 8);
        let mut mine = hub.subscribe("a", None).expect("a");
        let mut theirs = hub.subscribe("b", None).expect("b");
        hub.publish(&commit("a", &[1, 2], "human"));
        let frame = mine.try_recv().expect("first frame");
        assert_eq!(frame.seq, 1);
        assert!(frame
            .frame
            .starts_with(br#"{"id":"evt_1","seq":1,"type":"event""#));
        assert_eq!(mine.try_recv().map(|f| f.seq), Some(2));
        assert!(theirs.try_recv().is_none());
    }

    #[test]
    fn a_filter_is_applied_before_the_queue() {
        let hub = hub(10, 8);
        let filter = Filter::parse("behavioralClass:human").expect("filter");
        let mut humans = hub.subscribe("a", Some(Arc::new(filter))).expect("a");
        let mut all = hub.subscribe("a", None).expect("a");
        hub.publish(&commit("a", &[1], "bot"));
        hub.publish(&commit("a", &[2], "human"));
        assert_eq!(humans.try_recv().map(|f| f.seq), Some(2));
        assert!(humans.try_recv().is_none());
        assert_eq!(all.try_recv().map(|f| f.seq), Some(1));
    }

    #[test]
    fn a_full_queue_drops_the_frame_and_raises_overflow_without_blocking() {
        let hub = hub(10, 2);
        let slow = hub.subscribe("a", None).expect("slow");
        let mut fast = hub.subscribe("a", None).expect("fast");
        for seq in 1..=5 {
            hub.publish(&commit("a", &[seq], "human"));
            assert_eq!(fast.try_recv().map(|f| f.seq), Some(seq));
        }
        assert!(slow.signal().take_overflow());
        assert!(!slow.signal().take_overflow(), "taken once");
        assert!(!fast.signal().take_overflow());
    }

    #[test]
    fn closing_ends_every_queue_and_refuses_new_subscribers() {
        let hub = hub(10, 2);
        let mut sub = hub.subscribe("a", None).expect("a");
        hub.mark_gap();
        assert!(sub.signal().take_gap());
        hub.close_all();
        assert!(sub.try_recv().is_none());
        assert_eq!(hub.subscribe("a", None).err(), Some(SubscribeError::Closed));
        assert_eq!(hub.subscribers("a"), 0);
    }
}
