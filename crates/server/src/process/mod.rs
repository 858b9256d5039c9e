//! The process stage: between validation and the durable append, every event gets its
//! labels (bot verdict, behavioural class, device, scores). User agents are parsed on the
//! request's task (cached); visitor state lives in shard tasks, and an event goes to shard
//! `hash(tenant, visitor) % N`, so one visitor's events are scored in order without locks.

mod rebuild;
mod shard;

use std::{hash::BuildHasher, sync::Arc};

use clickwire_enrich::{
    score::ScoringConfig,
    ua::{UaError, UaParser},
    KeyPosture, Labels,
};
use clickwire_model::Event;
use clickwire_store::{EventStore, KeyKind};
use tokio::sync::{mpsc, oneshot, watch};

use self::shard::{Shard, ShardItem, ShardJob};
use crate::{config::ScoringSettings, error::ApiError};

/// An event with the labels the process stage gave it (`None` with scoring off).
pub struct Labelled {
    pub event: Event,
    pub labels: Option<Labels>,
}

/// The handle the ingest routes use.
pub struct Processor {
    shards: Vec<mpsc::Sender<ShardJob>>,
    ua: Arc<UaParser>,
    hasher: std::hash::RandomState,
}

/// Which posture a key kind implies for the user-agent heuristics.
pub fn posture(kind: KeyKind) -> KeyPosture {
    match kind {
        KeyKind::Mobile | KeyKind::Server | KeyKind::Admin => KeyPosture::Native,
        KeyKind::Website | KeyKind::Pipeline => KeyPosture::Browser,
    }
}

impl Processor {
    /// Starts the shard tasks; they stop when `stop` changes. `None` when scoring is off.
    pub fn start(
        settings: &ScoringSettings,
        store: Arc<dyn EventStore>,
        stop: &watch::Receiver<bool>,
    ) -> Result<Option<Self>, UaError> {
        if !settings.enabled {
            return Ok(None);
        }
        let ua = Arc::new(UaParser::new(settings.ua_cache)?);
        let config = Arc::new(ScoringConfig::default());
        let per_shard = (settings.max_visitors / settings.shards).max(1);
        let shards = (0..settings.shards)
            .map(|_| {
                let (tx, rx) = mpsc::channel(settings.queue_capacity);
                let shard = Shard::new(
                    per_shard,
                    settings,
                    Arc::clone(&config),
                    Arc::clone(&store),
                    Arc::clone(&ua),
                );
                tokio::spawn(shard.run(rx, stop.clone()));
                tx
            })
            .collect();
        Ok(Some(Self {
            shards,
            ua,
            hasher: std::hash::RandomState::new(),
        }))
    }

    /// Labels a request's events, in their order.
    pub async fn label(
        &self,
        tenant: &str,
        posture: KeyPosture,
        events: Vec<Event>,
    ) -> Result<Vec<Labelled>, ApiError> {
        let tenant: Arc<str> = tenant.into();
        let mut per_shard: Vec<Vec<ShardItem>> =
            (0..self.shards.len()).map(|_| Vec::new()).collect();
        let total = events.len();
        for (index, event) in events.into_iter().enumerate() {
            let ua = self.ua.parse(&event.device.user_agent);
            let shard = self.shard_of(&tenant, &event.visitor_id);
            per_shard[shard].push(ShardItem { index, event, ua });
        }
        let mut answers = Vec::new();
        for (shard, items) in per_shard.into_iter().enumerate() {
            if items.is_empty() {
                continue;
            }
            let (reply, answer) = oneshot::channel();
            let job = ShardJob {
                tenant: Arc::clone(&tenant),
                posture,
                items,
                reply,
            };
            self.shards[shard].try_send(job).map_err(|err| match err {
                mpsc::error::TrySendError::Full(_) => ApiError::Overloaded,
                mpsc::error::TrySendError::Closed(_) => {
                    ApiError::Internal("a scoring shard has stopped".into())
                }
            })?;
            answers.push(answer);
        }
        let mut labelled: Vec<Option<Labelled>> = (0..total).map(|_| None).collect();
        for answer in answers {
            let done = answer
                .await
                .map_err(|_| ApiError::Internal("a scoring shard dropped a job".into()))?;
            for (index, item) in done {
                labelled[index] = Some(item);
            }
        }
        labelled
            .into_iter()
            .map(|item| item.ok_or_else(|| ApiError::Internal("an event was not labelled".into())))
            .collect()
    }

    fn shard_of(&self, tenant: &str, visitor: &str) -> usize {
        (self.hasher.hash_one((tenant, visitor)) % self.shards.len() as u64) as usize
    }
}
