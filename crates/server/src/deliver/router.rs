//! The router: committed events → pending first attempts. It follows the event log after
//! its durable checkpoint (woken by each commit on the bus), evaluates the enabled
//! connections of each event's tenant on the delivered document, and commits the attempts
//! of a page together with the seq the page reached. A crash between an event's commit and
//! its routing routes it after the restart; nothing is routed twice. A connection takes the
//! events received after it was created (never older ones, however far behind the router
//! is). While no connection is enabled the router is parked and reads nothing. Ingest comes
//! first: while it has events waiting for their commit, the router reads one page per
//! `deliveries.busy_route_interval`.

use std::{
    collections::HashSet,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use clickwire_model::rules::all_match;
use clickwire_store::{
    deliveries::{new_id, Connection, NewAttempt, RoutedEvent},
    BusReceiver, Deliveries, StoreError,
};
use tokio::sync::{watch, Mutex, Notify};

use super::{dispatch::Dispatcher, document::document as document_of};
use crate::ingest::now_ms;

/// How long the router waits after the store failed.
const BACKOFF: Duration = Duration::from_millis(500);
/// How often a checkpoint that moved without routing anything is stored.
const PERSIST_EVERY: Duration = Duration::from_secs(1);

pub struct Router {
    store: Arc<dyn Deliveries>,
    dispatcher: Arc<Dispatcher>,
    connections: RwLock<Arc<Vec<Connection>>>,
    /// Held through a reload: two reloads at once (the API's and the periodic one) could
    /// otherwise store a stale list last, or park the router after a connection was made.
    reloading: Mutex<()>,
    changed: Notify,
    page: usize,
    busy_interval: Duration,
}

impl Router {
    pub fn new(
        store: Arc<dyn Deliveries>,
        dispatcher: Arc<Dispatcher>,
        page: usize,
        busy_interval: Duration,
    ) -> Self {
        Self {
            store,
            dispatcher,
            connections: RwLock::new(Arc::new(Vec::new())),
            reloading: Mutex::new(()),
            changed: Notify::new(),
            page,
            busy_interval,
        }
    }

    /// Reads the enabled connections again (after a change through the API or the CLI),
    /// parking the router when there are none and unparking it at the end of the log when
    /// there are.
    pub async fn reload(&self) -> Result<(), StoreError> {
        let _one_at_a_time = self.reloading.lock().await;
        let enabled = self.store.enabled_connections().await?;
        if enabled.is_empty() {
            self.store.park_router().await?;
        } else if self.store.route_checkpoint().await? < 0 {
            let latest = self.store.latest_seq().await?;
            self.store.unpark_router(latest).await?;
        }
        if let Ok(mut connections) = self.connections.write() {
            *connections = Arc::new(enabled);
        }
        self.changed.notify_one();
        Ok(())
    }

    fn connections(&self) -> Arc<Vec<Connection>> {
        self.connections
            .read()
            .map(|c| Arc::clone(&c))
            .unwrap_or_default()
    }

    /// Routes until `stop` changes.
    pub async fn run(self: Arc<Self>, mut commits: BusReceiver, mut stop: watch::Receiver<bool>) {
        let mut at = Position::default();
        loop {
            let more = match self.step(&mut at).await {
                Ok(more) => more,
                Err(err) => {
                    tracing::warn!(error = %err, "routing failed; retrying");
                    tokio::time::sleep(BACKOFF).await;
                    continue;
                }
            };
            if self.dispatcher.ingest_busy() {
                // Ingest first: while events wait for their commit, a page at most every
                // `busy_interval`; the log keeps the rest until ingest has a gap.
                tokio::select! {
                    () = tokio::time::sleep(self.busy_interval) => continue,
                    _ = stop.changed() => return,
                }
            }
            if more {
                continue;
            }
            tokio::select! {
                _ = commits.recv() => {}
                () = self.changed.notified() => {}
                _ = stop.changed() => return,
            }
        }
    }

    /// Routes one page of the events up to the log's end; true when more may be waiting.
    async fn step(&self, at: &mut Position) -> Result<bool, StoreError> {
        let connections = self.connections();
        if connections.is_empty() {
            at.checkpoint = None;
            return Ok(false);
        }
        let latest = self.store.latest_seq().await?;
        let after = match at.checkpoint {
            Some(seq) => seq,
            None => {
                let seq = self.store.unpark_router(latest).await?;
                at.checkpoint = Some(seq);
                seq
            }
        };
        if latest <= after {
            return Ok(false);
        }
        let tenants: Vec<String> = connections
            .iter()
            .map(|c| c.tenant.clone())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let events = self
            .store
            .route_page(after, latest, tenants, self.page)
            .await?;
        // A short page holds every event of these tenants up to `latest`.
        let full = events.len() >= self.page;
        let reached = match events.last() {
            Some(last) if full => last.seq,
            _ => latest,
        };
        let attempts = self.attempts_of(&connections, &events).await?;
        let quiet = attempts.is_empty() && at.persisted.elapsed() < PERSIST_EVERY;
        if quiet {
            // Nothing routed: the checkpoint moves in memory; the store learns it within
            // PERSIST_EVERY (routing those events again after a crash makes nothing).
            at.checkpoint = Some(reached);
            return Ok(full);
        }
        let woken: HashSet<String> = attempts.iter().map(|a| a.destination_id.clone()).collect();
        metrics::counter!("clickwire_deliveries_routed_total").increment(attempts.len() as u64);
        self.store.commit_routed(attempts, reached).await?;
        at.checkpoint = Some(reached);
        at.persisted = Instant::now();
        for destination in woken {
            self.dispatcher.wake(&destination);
        }
        Ok(full)
    }

    /// The first attempts of `events`: one per event and enabled connection of its tenant
    /// that takes its source, was created before the event arrived, whose destination is
    /// enabled, and whose rules all match the delivered document.
    async fn attempts_of(
        &self,
        connections: &[Connection],
        events: &[RoutedEvent],
    ) -> Result<Vec<NewAttempt>, StoreError> {
        let now = now_ms();
        let mut synced = false;
        let mut attempts = Vec::new();
        for event in events {
            let mine = connections.iter().filter(|c| {
                c.tenant == event.tenant
                    && c.takes_source(event.source.as_deref())
                    && event.received_at >= c.created_at
            });
            let mut document = None;
            for connection in mine {
                let mut destination = self.dispatcher.destination(&connection.destination_id);
                if destination.is_none() && !synced {
                    // A destination made by the CLI that the dispatcher has not loaded yet.
                    self.dispatcher.sync().await?;
                    synced = true;
                    destination = self.dispatcher.destination(&connection.destination_id);
                }
                let Some(destination) = destination else {
                    continue;
                };
                if destination.disabled_reason.is_some() {
                    continue;
                }
                let document = document.get_or_insert_with(|| document_of(event));
                if !all_match(&connection.rules, document) {
                    continue;
                }
                attempts.push(NewAttempt {
                    tenant: event.tenant.clone(),
                    delivery_id: new_id("dlv_"),
                    event_id: event.id.clone(),
                    event_seq: event.seq,
                    destination_id: connection.destination_id.clone(),
                    connection_id: connection.id.clone(),
                    attempt_number: 1,
                    scheduled_at: now,
                    request_url: destination.settings.url.clone(),
                });
            }
        }
        Ok(attempts)
    }
}

/// Where the router is.
struct Position {
    /// The last seq routed; `None` until read from the store.
    checkpoint: Option<i64>,
    /// When the checkpoint was last stored.
    persisted: Instant,
}

impl Default for Position {
    fn default() -> Self {
        Self {
            checkpoint: None,
            persisted: Instant::now(),
        }
    }
}
