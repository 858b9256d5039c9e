//! The hub: every tenant's live sockets — Signals Feed subscribers, dashboard streams and
//! test-session streams — fed by the store's committed appends. One task receives each
//! commit and offers each event to each socket of that tenant that wants it ([`Interest`])
//! with `try_send` on its bounded queue: the fan-out never waits for a socket. The bytes
//! of an event are built at most once per stream kind (the feed frame with its position,
//! the dashboard frame per channel; a test session's frame arrives ready on the bus) and
//! shared by every socket. A full queue marks the socket as overflowed (its connection
//! closes it with 1011); a hub that fell behind the store marks every socket as having a
//! gap (a feed subscriber recovers from the store by seq).

mod interest;
mod notice;

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, RwLock,
    },
};

use bytes::Bytes;
use clickwire_store::{BusReceiver, Committed};
pub use interest::Interest;
use interest::Offers;
pub use notice::Notice;
use tokio::sync::{broadcast::error::RecvError, mpsc, watch, Notify};

use crate::{config::FeedConfig, error::ApiError, feed::filter::Filter};

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
    /// What the socket watches has ended (a deleted test session).
    ended: AtomicBool,
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

    /// True once what the socket watches has ended.
    pub fn is_ended(&self) -> bool {
        self.ended.load(Ordering::Acquire)
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

impl From<SubscribeError> for ApiError {
    fn from(err: SubscribeError) -> Self {
        match err {
            SubscribeError::TooMany => ApiError::TooManySubscribers,
            SubscribeError::Closed => ApiError::NotReady(err.to_string()),
        }
    }
}

struct Slot {
    id: u64,
    tx: mpsc::Sender<LiveFrame>,
    interest: Interest,
    signal: Arc<Signal>,
}

impl Slot {
    fn offer(&self, frame: LiveFrame) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.tx.try_send(frame) {
            match self.interest.stream() {
                "feed" => {
                    metrics::counter!("clickwire_feed_frames_dropped_total", "reason" => "slow")
                        .increment(1);
                }
                stream => {
                    metrics::counter!("clickwire_stream_frames_dropped_total", "stream" => stream)
                        .increment(1);
                }
            }
            self.signal.raise(&self.signal.overflowed);
        }
    }
}

/// Counts a socket in (`1.0`) or out (`-1.0`) of its stream's gauge.
fn count(interest: &Interest, by: f64) {
    match interest.stream() {
        "feed" => metrics::gauge!("clickwire_feed_subscribers").increment(by),
        stream => metrics::gauge!("clickwire_stream_sockets", "stream" => stream).increment(by),
    }
}

/// Every tenant's live sockets.
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

    /// Registers a Signals Feed subscriber of `tenant`, within the tenant's cap.
    pub fn subscribe(
        self: &Arc<Self>,
        tenant: &str,
        filter: Option<Arc<Filter>>,
    ) -> Result<Subscription, SubscribeError> {
        self.register(tenant, Interest::Feed(filter), self.max_per_tenant)
    }

    /// Registers a socket of `tenant` that wants `interest`, if fewer than `cap` sockets
    /// of the same pool ([`Interest::same_pool`]) are registered.
    pub fn register(
        self: &Arc<Self>,
        tenant: &str,
        interest: Interest,
        cap: usize,
    ) -> Result<Subscription, SubscribeError> {
        let mut tenants = self.tenants.write().map_err(|_| SubscribeError::Closed)?;
        if self.closed.load(Ordering::Acquire) {
            return Err(SubscribeError::Closed);
        }
        let tenant: Arc<str> = Arc::from(tenant);
        let slots = tenants.entry(Arc::clone(&tenant)).or_default();
        let pool = slots
            .iter()
            .filter(|slot| slot.interest.same_pool(&interest))
            .count();
        if pool >= cap {
            return Err(SubscribeError::TooMany);
        }
        let (tx, rx) = mpsc::channel(self.queue);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let signal = Arc::new(Signal::default());
        count(&interest, 1.0);
        slots.push(Slot {
            id,
            tx,
            interest,
            signal: Arc::clone(&signal),
        });
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
            if let Some(at) = slots.iter().position(|slot| slot.id == id) {
                count(&slots.swap_remove(at).interest, -1.0);
            }
            if slots.is_empty() {
                tenants.remove(tenant);
            }
        }
    }

    /// Sockets of `tenant` right now, of every stream.
    pub fn subscribers(&self, tenant: &str) -> usize {
        self.tenants
            .read()
            .map_or(0, |t| t.get(tenant).map_or(0, Vec::len))
    }

    /// Offers every event of `committed` to its tenant's sockets that want it. Each kind
    /// of frame is built when the first socket wants it, once per event.
    pub fn publish(&self, committed: &Committed) {
        let Ok(tenants) = self.tenants.read() else {
            return;
        };
        let Some(slots) = tenants.get(&committed.tenant) else {
            return;
        };
        for event in &committed.events {
            let offers = Offers::new(committed, event);
            for slot in slots {
                offers.to(&slot.interest, |frame| {
                    slot.offer(LiveFrame {
                        seq: event.seq,
                        frame,
                    });
                });
            }
        }
    }

    /// Whether `tenant` has a dashboard socket (else a notice need not be built).
    pub fn has_dashboards(&self, tenant: &str) -> bool {
        self.tenants.read().is_ok_and(|tenants| {
            tenants.get(tenant).is_some_and(|slots| {
                slots
                    .iter()
                    .any(|slot| matches!(slot.interest, Interest::Dashboard(_)))
            })
        })
    }

    /// Offers what happened outside the event log (a delivery attempt, an issue) to the
    /// dashboard sockets of `tenant` subscribed to its channels: each frame is built once.
    pub fn announce(&self, tenant: &str, notice: &Notice<'_>) {
        let Ok(tenants) = self.tenants.read() else {
            return;
        };
        let Some(slots) = tenants.get(tenant) else {
            return;
        };
        let frames = notice::Frames::new(notice);
        for slot in slots {
            frames.to(&slot.interest, |frame| {
                slot.offer(LiveFrame { seq: 0, frame })
            });
        }
    }

    /// Tells the sockets of `tenant` whose interest `ended` matches that what they watch
    /// has ended (they close).
    pub fn end(&self, tenant: &str, ended: impl Fn(&Interest) -> bool) {
        if let Ok(tenants) = self.tenants.read() {
            for slot in tenants.get(tenant).into_iter().flatten() {
                if ended(&slot.interest) {
                    slot.signal.raise(&slot.signal.ended);
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
            for slot in tenants.values().flatten() {
                count(&slot.interest, -1.0);
            }
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
                        tracing::warn!(missed, "the hub fell behind the store; feed subscribers recover from it");
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
    use clickwire_store::{CommittedEvent, Live};

    use super::*;
    use crate::stream::channel::{Channel, Channels};

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
            source: None,
            events: seqs
                .iter()
                .map(|&seq| CommittedEvent {
                    seq,
                    id: format!("evt_{seq}"),
                    received_at: 0,
                    live: Live {
                        method: "POST".into(),
                        feed: Some(Bytes::from(format!(
                            r#"{{"type":"event","behavioralClass":"{class}"}}"#
                        ))),
                        capture: None,
                    },
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

    /// A commit of `source` with one unscored event and one scored event.
    fn from_source(tenant: &str, source: Option<&str>, capture: Option<&str>) -> Committed {
        let mut committed = commit(tenant, &[1, 2], "human");
        committed.source = source.map(Arc::from);
        committed.events[0].live.feed = None;
        committed.events[0].live.capture = capture.map(|c| Bytes::from(c.to_owned()));
        committed
    }

    fn channels(names: &[&str]) -> Arc<RwLock<Channels>> {
        let mut channels = Channels::default();
        for name in names {
            channels.add(Channel::parse(name).expect("channel"));
        }
        Arc::new(RwLock::new(channels))
    }

    fn channel_of(frame: &LiveFrame) -> String {
        let frame: serde_json::Value = serde_json::from_slice(&frame.frame).expect("json");
        frame["channel"].as_str().expect("channel").to_owned()
    }

    #[test]
    fn a_dashboard_gets_every_event_once_per_subscribed_channel_and_the_feed_only_scored_ones() {
        let hub = hub(10, 8);
        let mut feed = hub.subscribe("a", None).expect("feed");
        let both = channels(&["events", "events:src_1"]);
        let mut dashboard = hub
            .register("a", Interest::Dashboard(Arc::clone(&both)), 10)
            .expect("dashboard");
        let mut other = hub
            .register("a", Interest::Dashboard(channels(&["events:src_2"])), 10)
            .expect("other source");
        hub.publish(&from_source("a", Some("src_1"), None));
        let got: Vec<(i64, String)> = std::iter::from_fn(|| dashboard.try_recv())
            .map(|f| (f.seq, channel_of(&f)))
            .collect();
        let want = [
            (1, "events".to_owned()),
            (1, "events:src_1".to_owned()),
            (2, "events".to_owned()),
            (2, "events:src_1".to_owned()),
        ];
        assert_eq!(got, want);
        assert!(other.try_recv().is_none(), "another source's channel");
        assert_eq!(
            feed.try_recv().map(|f| f.seq),
            Some(2),
            "only the scored event"
        );
        assert!(feed.try_recv().is_none());
        both.write().expect("lock").remove(&Channel::Events);
        hub.publish(&from_source("a", None, None));
        assert!(
            dashboard.try_recv().is_none(),
            "no source, no source channel"
        );
    }

    #[test]
    fn a_test_stream_gets_the_captures_of_its_own_session() {
        let hub = hub(10, 8);
        let mut mine = hub
            .register("t", Interest::Test(Arc::from("src_1")), 10)
            .expect("mine");
        let mut theirs = hub
            .register("t", Interest::Test(Arc::from("src_2")), 10)
            .expect("theirs");
        hub.publish(&from_source("t", Some("src_1"), Some("capture")));
        let frame = mine.try_recv().expect("the capture");
        assert_eq!((frame.seq, &frame.frame[..]), (1, &b"capture"[..]));
        assert!(mine.try_recv().is_none(), "an event without a capture");
        assert!(theirs.try_recv().is_none());
    }

    #[test]
    fn each_stream_counts_against_its_own_cap() {
        let hub = hub(1, 8);
        let _feed = hub.subscribe("a", None).expect("feed");
        assert_eq!(
            hub.subscribe("a", None).err(),
            Some(SubscribeError::TooMany)
        );
        let dashboard = || Interest::Dashboard(channels(&[]));
        let _one = hub.register("a", dashboard(), 2).expect("first dashboard");
        let _two = hub.register("a", dashboard(), 2).expect("second dashboard");
        assert_eq!(
            hub.register("a", dashboard(), 2).err(),
            Some(SubscribeError::TooMany)
        );
        let test = |id: &str| Interest::Test(Arc::from(id));
        let _session = hub.register("t", test("src_1"), 1).expect("session 1");
        assert!(hub.register("t", test("src_1"), 1).is_err());
        assert!(hub.register("t", test("src_2"), 1).is_ok());
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
