//! One scoring shard: the state of the visitors hashed to it, in an LRU bounded by
//! `max_visitors / shards`, swept of visitors idle past `session_idle`. The shard appends
//! what it scored to the log at once, so each visitor's events commit in scoring order.
//!
//! A visitor the shard does not hold (new, evicted, or from before a restart) is rebuilt
//! from the store on a task of its own: its events wait in arrival order while the read
//! runs, and every other visitor of the shard goes on being scored. A failed commit makes
//! the shard forget the tenant's visitors, so they are rebuilt from what was committed.

use std::{collections::HashMap, num::NonZeroUsize, sync::Arc, time::Duration};

use clickwire_enrich::{
    score::{observe, Observation, ScoringConfig, VisitorState},
    ua::{UaParser, UserAgentInfo},
};
use clickwire_model::Event;
use clickwire_store::{AppendBatch, NewEvent, Reservation};
use lru::LruCache;
use tokio::sync::{mpsc, watch};

use super::{
    completion::Completion,
    posture,
    rebuild::{rebuild, RebuildRequest},
    ShardStores,
};
use crate::{
    config::ScoringSettings,
    ingest::{
        now_ms,
        row::{label_row, RowContext},
    },
};

/// How often idle visitors are swept out.
const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// One event on its way through a shard, with its row as far as it is built unlabelled.
pub struct ShardItem {
    pub row: NewEvent,
    pub event: Event,
    pub ua: Arc<UserAgentInfo>,
}

/// A request's events that hash to this shard, with room for them in the log.
pub struct ShardJob {
    pub ctx: Arc<RowContext>,
    pub items: Vec<ShardItem>,
    pub reservation: Reservation,
    pub completion: Arc<Completion>,
}

/// What a shard is asked to do.
pub enum ShardMsg {
    Job(ShardJob),
    /// A commit of this tenant failed: drop its visitors' state (rebuilt from the log).
    Forget(Arc<str>),
}

type VisitorKey = (Arc<str>, String);

/// An event waiting for its visitor's rebuild.
struct Waiting {
    ctx: Arc<RowContext>,
    item: ShardItem,
    reservation: Reservation,
    completion: Arc<Completion>,
}

pub struct Shard {
    visitors: LruCache<VisitorKey, VisitorState>,
    /// Visitors being rebuilt, with their events in arrival order.
    waiting: HashMap<VisitorKey, Vec<Waiting>>,
    config: Arc<ScoringConfig>,
    stores: ShardStores,
    ua: Arc<UaParser>,
    /// This shard's own queue, for commit callbacks that must make it forget.
    own: mpsc::WeakUnboundedSender<ShardMsg>,
    rebuilt_tx: mpsc::UnboundedSender<(VisitorKey, VisitorState)>,
    rebuilt_rx: mpsc::UnboundedReceiver<(VisitorKey, VisitorState)>,
    session_idle: Duration,
    rebuild_limit: usize,
}

impl Shard {
    pub fn new(
        capacity: usize,
        settings: &ScoringSettings,
        config: Arc<ScoringConfig>,
        stores: ShardStores,
        ua: Arc<UaParser>,
        own: mpsc::WeakUnboundedSender<ShardMsg>,
    ) -> Self {
        let (rebuilt_tx, rebuilt_rx) = mpsc::unbounded_channel();
        Self {
            visitors: LruCache::new(NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN)),
            waiting: HashMap::new(),
            config,
            stores,
            ua,
            own,
            rebuilt_tx,
            rebuilt_rx,
            session_idle: settings.session_idle,
            rebuild_limit: settings.rebuild_limit,
        }
    }

    pub async fn run(
        mut self,
        mut jobs: mpsc::UnboundedReceiver<ShardMsg>,
        mut stop: watch::Receiver<bool>,
    ) {
        let mut sweep = tokio::time::interval(SWEEP_INTERVAL);
        loop {
            tokio::select! {
                msg = jobs.recv() => match msg {
                    Some(ShardMsg::Job(job)) => self.handle(job),
                    Some(ShardMsg::Forget(tenant)) => self.forget(&tenant),
                    None => return,
                },
                Some((key, state)) = self.rebuilt_rx.recv() => self.resume(key, state),
                _ = sweep.tick() => self.sweep_idle(),
                _ = stop.changed() => return,
            }
        }
    }

    /// Scores the job's events of visitors the shard holds and appends them as one batch;
    /// the others wait for their visitor's rebuild.
    fn handle(&mut self, mut job: ShardJob) {
        let mut rows = Vec::with_capacity(job.items.len());
        for item in job.items {
            let key = (Arc::clone(&job.ctx.tenant), item.event.visitor_id.clone());
            if self.visitors.contains(&key) && !self.waiting.contains_key(&key) {
                rows.extend(self.score(key, &job.ctx, item, &job.completion));
                continue;
            }
            let waiting = Waiting {
                ctx: Arc::clone(&job.ctx),
                reservation: job.reservation.split(1),
                completion: Arc::clone(&job.completion),
                item,
            };
            self.wait_for_rebuild(key, waiting);
        }
        self.append(&job.ctx, job.reservation, rows, &job.completion);
    }

    /// Labels one event with its visitor's state and builds its row.
    fn score(
        &mut self,
        key: VisitorKey,
        ctx: &RowContext,
        item: ShardItem,
        completion: &Completion,
    ) -> Option<NewEvent> {
        let state = self.visitors.get_or_insert_mut(key, VisitorState::default);
        let observation = Observation {
            event: &item.event,
            ua: &item.ua,
            posture: posture(ctx.key_kind, &item.event),
        };
        let labels = observe(&self.config, state, &observation);
        let mut row = item.row;
        match label_row(ctx, &mut row, &item.event, &labels) {
            Ok(()) => Some(row),
            Err(err) => {
                completion.fail(err);
                None
            }
        }
    }

    /// Queues scored rows in the log, in the order they were scored.
    fn append(
        &self,
        ctx: &RowContext,
        reservation: Reservation,
        rows: Vec<NewEvent>,
        completion: &Arc<Completion>,
    ) {
        if rows.is_empty() {
            return;
        }
        let own = self.own.clone();
        let tenant = Arc::clone(&ctx.tenant);
        let on_commit = completion.part(rows.len(), move || {
            if let Some(own) = own.upgrade() {
                let _ = own.send(ShardMsg::Forget(tenant));
            }
        });
        let batch = AppendBatch {
            tenant: Arc::clone(&ctx.tenant),
            source: ctx.source.clone(),
            events: rows,
        };
        self.stores.log.append(reservation, batch, on_commit);
    }

    /// Parks an event behind its visitor's rebuild, starting the rebuild if none runs.
    fn wait_for_rebuild(&mut self, key: VisitorKey, waiting: Waiting) {
        if let Some(queue) = self.waiting.get_mut(&key) {
            queue.push(waiting);
            return;
        }
        let request = RebuildRequest {
            tenant: Arc::clone(&key.0),
            visitor_id: key.1.clone(),
            session_id: waiting.item.event.session_id.clone(),
            limit: self.rebuild_limit,
        };
        let queries = Arc::clone(&self.stores.queries);
        let turns = Arc::clone(&self.stores.rebuild_reads);
        let (ua, config, done) = (
            Arc::clone(&self.ua),
            Arc::clone(&self.config),
            self.rebuilt_tx.clone(),
        );
        self.waiting.insert(key.clone(), vec![waiting]);
        tokio::spawn(async move {
            // A closed semaphore only means the server is stopping: the read goes ahead.
            let _turn = turns.acquire_owned().await;
            let state = rebuild(queries.as_ref(), &ua, &config, &request).await;
            let _ = done.send((key, state));
        });
    }

    /// A visitor's state is back from the store: score the events that waited for it.
    fn resume(&mut self, key: VisitorKey, state: VisitorState) {
        self.visitors.put(key.clone(), state);
        for waiting in self.waiting.remove(&key).unwrap_or_default() {
            let row = self.score(key.clone(), &waiting.ctx, waiting.item, &waiting.completion);
            let rows = row.into_iter().collect();
            self.append(&waiting.ctx, waiting.reservation, rows, &waiting.completion);
        }
    }

    /// Drops the state of every visitor of `tenant`.
    fn forget(&mut self, tenant: &str) {
        let keys: Vec<VisitorKey> = self
            .visitors
            .iter()
            .filter(|((t, _), _)| &**t == tenant)
            .map(|(key, _)| key.clone())
            .collect();
        for key in keys {
            self.visitors.pop(&key);
        }
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
