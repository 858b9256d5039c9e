//! What a socket wants from the hub ([`Interest`]) and the frames of one committed event,
//! each built the first time a socket wants it ([`Offers`]).

use std::{
    cell::OnceCell,
    sync::{Arc, RwLock},
};

use bytes::Bytes;
use clickwire_store::{Committed, CommittedEvent};
use serde_json::Value;

use crate::{
    feed::{filter::Filter, frame::with_position},
    stream::{channel::Channels, frame},
};

/// What a socket wants of its tenant's events.
#[derive(Debug)]
pub enum Interest {
    /// A Signals Feed subscriber: the feed frames of scored events, those its filter
    /// matches.
    Feed(Option<Arc<Filter>>),
    /// A dashboard stream: every event of the tenant, on each channel it subscribed to.
    Dashboard(Arc<RwLock<Channels>>),
    /// A test-session stream: the captures of the session with this id.
    Test(Arc<str>),
}

impl Interest {
    /// The stream's name in metrics.
    pub fn stream(&self) -> &'static str {
        match self {
            Interest::Feed(_) => "feed",
            Interest::Dashboard(_) => "dashboard",
            Interest::Test(_) => "test",
        }
    }

    /// Whether both count against the same cap: feed subscribers of a tenant, dashboard
    /// sockets of a tenant, the sockets of one test session.
    pub fn same_pool(&self, other: &Interest) -> bool {
        match (self, other) {
            (Interest::Feed(_), Interest::Feed(_))
            | (Interest::Dashboard(_), Interest::Dashboard(_)) => true,
            (Interest::Test(a), Interest::Test(b)) => a == b,
            _ => false,
        }
    }
}

/// The frames of one committed event, built lazily and then shared.
pub struct Offers<'a> {
    committed: &'a Committed,
    event: &'a CommittedEvent,
    feed: OnceCell<Option<Bytes>>,
    parsed: OnceCell<Option<Value>>,
    all_events: OnceCell<Option<Bytes>>,
    source_events: OnceCell<Option<Bytes>>,
}

impl<'a> Offers<'a> {
    pub fn new(committed: &'a Committed, event: &'a CommittedEvent) -> Self {
        Self {
            committed,
            event,
            feed: OnceCell::new(),
            parsed: OnceCell::new(),
            all_events: OnceCell::new(),
            source_events: OnceCell::new(),
        }
    }

    /// Hands `offer` each frame of the event that `interest` wants (none, one, or — for a
    /// dashboard subscribed to both `events` and `events:<source>` — one per channel).
    pub fn to(&self, interest: &Interest, mut offer: impl FnMut(Bytes)) {
        match interest {
            Interest::Feed(filter) => {
                let Some(frame) = self.feed() else { return };
                let wanted = filter
                    .as_ref()
                    .is_none_or(|filter| self.parsed().is_some_and(|v| filter.matches(v)));
                if wanted {
                    offer(frame.clone());
                }
            }
            Interest::Dashboard(channels) => {
                let Ok(channels) = channels.read() else {
                    return;
                };
                if channels.all_events() {
                    if let Some(frame) = self.all_events() {
                        offer(frame.clone());
                    }
                }
                let source = self.committed.source.as_deref();
                if source.is_some_and(|source| channels.source_events(source)) {
                    if let Some(frame) = self.source_events() {
                        offer(frame.clone());
                    }
                }
            }
            Interest::Test(session) => {
                if self.committed.source.as_deref() == Some(&**session) {
                    if let Some(frame) = &self.event.live.capture {
                        offer(frame.clone());
                    }
                }
            }
        }
    }

    /// The feed frame with its position, for scored events.
    fn feed(&self) -> Option<&Bytes> {
        self.feed
            .get_or_init(|| {
                let body = self.event.live.feed.as_ref()?;
                Some(with_position(&self.event.id, self.event.seq, body))
            })
            .as_ref()
    }

    /// The feed frame as JSON, for filters.
    fn parsed(&self) -> Option<&Value> {
        self.parsed
            .get_or_init(|| serde_json::from_slice(self.feed()?).ok())
            .as_ref()
    }

    fn all_events(&self) -> Option<&Bytes> {
        let source = self.committed.source.as_deref();
        self.all_events
            .get_or_init(|| frame::event("events", self.event, source))
            .as_ref()
    }

    fn source_events(&self) -> Option<&Bytes> {
        self.source_events
            .get_or_init(|| {
                let source = self.committed.source.as_deref()?;
                frame::event(&format!("events:{source}"), self.event, Some(source))
            })
            .as_ref()
    }
}
