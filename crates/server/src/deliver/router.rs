//! The router: committed events → pending first attempts. It follows the event log after
//! its durable checkpoint (woken by each commit on the bus), evaluates the enabled
//! connections of each event's tenant on the delivered document, and commits the attempts
//! of a page together with the page's last seq. A crash between an event's commit and its
//! routing routes it after the restart; nothing is routed twice. While no connection is
//! enabled the router is parked and reads nothing; enabling the first connection unparks it
//! at the log's end before the API answers, so a connection takes exactly the events
//! committed after it was saved.

use std::{
    collections::HashSet,
    sync::{Arc, RwLock},
    time::Duration,
};

use clickwire_model::rules::all_match;
use clickwire_store::{
    deliveries::{new_id, Connection, NewAttempt},
    BusReceiver, Deliveries, StoreError,
};
use tokio::sync::{watch, Notify};

use super::{dispatch::Dispatcher, document::document as document_of};
use crate::ingest::now_ms;

/// How long the router waits after the store failed.
const BACKOFF: Duration = Duration::from_millis(500);

pub struct Router {
    store: Arc<dyn Deliveries>,
    dispatcher: Arc<Dispatcher>,
    connections: RwLock<Arc<Vec<Connection>>>,
    changed: Notify,
    page: usize,
}

impl Router {
    pub fn new(store: Arc<dyn Deliveries>, dispatcher: Arc<Dispatcher>, page: usize) -> Self {
        Self {
            store,
            dispatcher,
            connections: RwLock::new(Arc::new(Vec::new())),
            changed: Notify::new(),
            page,
        }
    }

    /// Reads the enabled connections again (after a change through the API or the CLI),
    /// parking the router when there are none and unparking it at the end of the log when
    /// there are.
    pub async fn reload(&self) -> Result<(), StoreError> {
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
        let mut checkpoint: Option<i64> = None;
        loop {
            let step = self.step(&mut checkpoint).await;
            let more = match step {
                Ok(more) => more,
                Err(err) => {
                    tracing::warn!(error = %err, "routing failed; retrying");
                    tokio::time::sleep(BACKOFF).await;
                    continue;
                }
            };
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

    /// Routes one page; true when more may be waiting.
    async fn step(&self, checkpoint: &mut Option<i64>) -> Result<bool, StoreError> {
        let connections = self.connections();
        if connections.is_empty() {
            *checkpoint = None;
            return Ok(false);
        }
        let after = match *checkpoint {
            Some(at) => at,
            None => {
                let latest = self.store.latest_seq().await?;
                let at = self.store.unpark_router(latest).await?;
                *checkpoint = Some(at);
                at
            }
        };
        let tenants: Vec<String> = connections
            .iter()
            .map(|c| c.tenant.clone())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let events = self.store.route_page(after, tenants, self.page).await?;
        let Some(last) = events.last().map(|e| e.seq) else {
            return Ok(false);
        };
        let now = now_ms();
        let mut attempts = Vec::new();
        for event in &events {
            let mine = connections
                .iter()
                .filter(|c| c.tenant == event.tenant && c.takes_source(event.source.as_deref()));
            let mut document = None;
            for connection in mine {
                let Some(destination) = self.dispatcher.destination(&connection.destination_id)
                else {
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
        let woken: HashSet<String> = attempts.iter().map(|a| a.destination_id.clone()).collect();
        metrics::counter!("clickwire_deliveries_routed_total").increment(attempts.len() as u64);
        self.store.commit_routed(attempts, last).await?;
        *checkpoint = Some(last);
        for destination in woken {
            self.dispatcher.wake(&destination);
        }
        Ok(events.len() >= self.page)
    }
}
