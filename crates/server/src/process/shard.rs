//! One scoring shard: the state of the visitors hashed to it, in an LRU bounded by
//! `max_visitors / shards`, swept of visitors idle past `session_idle`. A visitor the shard
//! does not hold is rebuilt from the store before its event is scored, so scores continue
//! across restarts and evictions instead of starting over.

use std::{num::NonZeroUsize, sync::Arc, time::Duration};

use clickwire_enrich::{
    score::{observe, Observation, ScoringConfig, VisitorState},
    ua::{UaParser, UserAgentInfo},
    KeyPosture,
};
use clickwire_model::Event;
use clickwire_store::EventStore;
use lru::LruCache;
use tokio::sync::{mpsc, oneshot, watch};

use super::{rebuild::rebuild, Labelled};
use crate::{config::ScoringSettings, ingest::now_ms};

/// How often idle visitors are swept out.
const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// One event on its way through a shard; `index` is its place in the request.
pub struct ShardItem {
    pub index: usize,
    pub event: Event,
    pub ua: Arc<UserAgentInfo>,
}

/// A request's events that hash to this shard.
pub struct ShardJob {
    pub tenant: Arc<str>,
    pub posture: KeyPosture,
    pub items: Vec<ShardItem>,
    pub reply: oneshot::Sender<Vec<(usize, Labelled)>>,
}

type VisitorKey = (Arc<str>, String);

pub struct Shard {
    visitors: LruCache<VisitorKey, VisitorState>,
    config: Arc<ScoringConfig>,
    store: Arc<dyn EventStore>,
    ua: Arc<UaParser>,
    session_idle: Duration,
    rebuild_limit: usize,
}

impl Shard {
    pub fn new(
        capacity: usize,
        settings: &ScoringSettings,
        config: Arc<ScoringConfig>,
        store: Arc<dyn EventStore>,
        ua: Arc<UaParser>,
    ) -> Self {
        Self {
            visitors: LruCache::new(NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN)),
            config,
            store,
            ua,
            session_idle: settings.session_idle,
            rebuild_limit: settings.rebuild_limit,
        }
    }

    pub async fn run(
        mut self,
        mut jobs: mpsc::Receiver<ShardJob>,
        mut stop: watch::Receiver<bool>,
    ) {
        let mut sweep = tokio::time::interval(SWEEP_INTERVAL);
        loop {
            tokio::select! {
                job = jobs.recv() => match job {
                    Some(job) => self.handle(job).await,
                    None => return,
                },
                _ = sweep.tick() => self.sweep_idle(),
                _ = stop.changed() => return,
            }
        }
    }

    async fn handle(&mut self, job: ShardJob) {
        let mut done = Vec::with_capacity(job.items.len());
        for item in job.items {
            let key = (Arc::clone(&job.tenant), item.event.visitor_id.clone());
            if !self.visitors.contains(&key) {
                let state = rebuild(
                    self.store.as_ref(),
                    &self.ua,
                    &self.config,
                    &key.0,
                    &item.event,
                    self.rebuild_limit,
                )
                .await;
                self.visitors.put(key.clone(), state);
            }
            let state = self.visitors.get_or_insert_mut(key, VisitorState::default);
            let observation = Observation {
                event: &item.event,
                ua: &item.ua,
                posture: job.posture,
            };
            let labels = observe(&self.config, state, &observation);
            done.push((
                item.index,
                Labelled {
                    event: item.event,
                    labels: Some(labels),
                },
            ));
        }
        // The caller may have gone (client disconnected): its events were not acknowledged.
        let _ = job.reply.send(done);
    }

    /// Drops visitors whose last event is older than the session idle time.
    fn sweep_idle(&mut self) {
        let cutoff = now_ms() - self.session_idle.as_millis() as i64;
        while let Some((_, state)) = self.visitors.peek_lru() {
            if state.last_seen_ms().is_some_and(|seen| seen >= cutoff) {
                break;
            }
            self.visitors.pop_lru();
        }
    }
}
