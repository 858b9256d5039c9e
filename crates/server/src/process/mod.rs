//! The process stage: between validation and the durable append, every event gets its
//! labels (bot verdict, behavioural class, device, scores). User agents are parsed on the
//! request's task (cached); visitor state lives in shard tasks, and an event goes to shard
//! `xxh3(tenant, visitor) % N` — a hash that is the same in every process and release, so
//! that nodes can agree on it. A shard appends the events it scored to the log itself, in
//! the order it scored them, so one visitor's scoring order is its commit order and a
//! visitor rebuilt from the log gets the scores it had live.

mod completion;
mod rebuild;
mod shard;

pub use rebuild::replay;

use std::sync::Arc;

use clickwire_enrich::{
    score::ScoringConfig,
    ua::{UaError, UaParser},
    KeyPosture,
};
use clickwire_model::{ClientPlatform, Event};
use clickwire_store::{EventLog, EventQueries, KeyKind, NewEvent, Reservation};
use tokio::sync::{mpsc, watch};

use self::{
    completion::Completion,
    shard::{Shard, ShardItem, ShardJob, ShardMsg},
};
use crate::{config::ScoringSettings, error::ApiError, ingest::row::RowContext};

/// The handle the ingest routes use.
pub struct Processor {
    shards: Vec<mpsc::UnboundedSender<ShardMsg>>,
    ua: Arc<UaParser>,
}

/// Which posture the user-agent heuristics take for `event` sent with a key of `kind`:
/// the key kind decides, except for pipeline keys, whose messages say where they came
/// from (a message without a user agent was sent by a server library).
pub fn posture(kind: KeyKind, event: &Event) -> KeyPosture {
    match kind {
        KeyKind::Mobile | KeyKind::Server | KeyKind::Admin => KeyPosture::Native,
        KeyKind::Website => KeyPosture::Browser,
        KeyKind::Pipeline if event.device.client_platform == ClientPlatform::Server => {
            KeyPosture::Native
        }
        KeyKind::Pipeline => KeyPosture::Browser,
    }
}

/// The stores a shard reads visitors back from and appends scored events to.
#[derive(Clone)]
pub struct ShardStores {
    pub log: Arc<dyn EventLog>,
    pub queries: Arc<dyn EventQueries>,
    /// Rebuild reads running at once, over all shards: more wait for a turn rather than be
    /// refused by the bounded read pool (which would restart a visitor's scores).
    pub rebuild_reads: Arc<tokio::sync::Semaphore>,
}

impl Processor {
    /// Starts the shard tasks; they stop when `stop` changes. `None` when scoring is off.
    pub fn start(
        settings: &ScoringSettings,
        stores: ShardStores,
        stop: &watch::Receiver<bool>,
    ) -> Result<Option<Self>, UaError> {
        if !settings.enabled {
            return Ok(None);
        }
        let ua = Arc::new(UaParser::new(settings.ua_cache)?);
        let config: Arc<ScoringConfig> = Arc::new(settings.weights.clone());
        let per_shard = (settings.max_visitors / settings.shards).max(1);
        let shards = (0..settings.shards)
            .map(|_| {
                let (tx, rx) = mpsc::unbounded_channel();
                let shard = Shard::new(
                    per_shard,
                    settings,
                    Arc::clone(&config),
                    stores.clone(),
                    Arc::clone(&ua),
                    tx.downgrade(),
                );
                tokio::spawn(shard.run(rx, stop.clone()));
                tx
            })
            .collect();
        Ok(Some(Self { shards, ua }))
    }

    /// Labels a request's events and appends them (room for them is `reservation`);
    /// resolves once every one is committed. `events` are each event's unlabelled row and
    /// the event, in input order.
    pub async fn label_and_append(
        &self,
        ctx: Arc<RowContext>,
        mut reservation: Reservation,
        events: Vec<(NewEvent, Event)>,
    ) -> Result<(), ApiError> {
        let (completion, done) = Completion::new(events.len());
        let mut per_shard: Vec<Vec<ShardItem>> =
            (0..self.shards.len()).map(|_| Vec::new()).collect();
        for (row, event) in events {
            let ua = self.ua.parse(&event.device.user_agent);
            let shard = shard_of(&ctx.tenant, &event.visitor_id, self.shards.len());
            per_shard[shard].push(ShardItem { row, event, ua });
        }
        for (shard, items) in per_shard.into_iter().enumerate() {
            if items.is_empty() {
                continue;
            }
            let job = ShardJob {
                ctx: Arc::clone(&ctx),
                reservation: reservation.split(items.len()),
                items,
                completion: Arc::clone(&completion),
            };
            if self.shards[shard].send(ShardMsg::Job(job)).is_err() {
                completion.fail(ApiError::Internal("a scoring shard has stopped".into()));
            }
        }
        done.await
            .map_err(|_| ApiError::Internal("a scoring shard dropped a request".into()))?
    }
}

/// The shard of a visitor: stable across processes, releases and machines.
fn shard_of(tenant: &str, visitor: &str, shards: usize) -> usize {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(tenant.as_bytes());
    // A separator, so ("ab", "c") and ("a", "bc") differ.
    hasher.update(&[0xff]);
    hasher.update(visitor.as_bytes());
    (hasher.digest() % shards as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::shard_of;

    const PINNED: usize = 667_969;

    #[test]
    fn the_shard_of_a_visitor_is_fixed_for_every_process() {
        // Pinned: a change here moves every visitor to another shard, which nodes of a
        // cluster running different builds could not agree on.
        assert_eq!(shard_of("default", "vis_abc123", 1 << 20), PINNED);
        let spread: std::collections::HashSet<usize> = (0..200)
            .map(|i| shard_of("t", &format!("v{i}"), 4))
            .collect();
        assert_eq!(spread.len(), 4, "visitors spread over every shard");
        assert_ne!(shard_of("ab", "c", 1 << 20), shard_of("a", "bc", 1 << 20));
    }
}
