//! The dispatcher: one worker per destination, so a slow or dead destination only ever
//! holds up its own deliveries. Each worker sends its destination's due attempts with at
//! most `max_concurrency` in flight (`deliveries.busy_concurrency` while ingest has events
//! waiting for their commit), behind the destination's circuit breaker, and records how
//! each ended ([`outcome`]). The set of workers follows the stored destinations: it is
//! synced after every API change and every `deliveries.reload_interval` (for changes made
//! by the CLI).

mod circuit;
mod outcome;
mod request;
mod worker;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use circuit::Circuit;
pub use circuit::State as CircuitState;
use clickwire_store::{deliveries::Destination, Deliveries, EventLog, StoreError};
use serde::Serialize;
use tokio::{
    runtime::Handle,
    sync::{watch, Notify},
    task::JoinHandle,
};
use utoipa::ToSchema;

use crate::hub::Hub;

/// What every worker shares.
pub struct Shared {
    pub store: Arc<dyn Deliveries>,
    pub client: reqwest::Client,
    pub hub: Arc<Hub>,
    workers: Mutex<HashMap<String, Worker>>,
    /// Held through a sync: a sync that read the destinations before another one created
    /// a worker would otherwise stop that worker.
    syncing: tokio::sync::Mutex<()>,
    /// The deliveries' runtime, where workers run.
    runtime: Handle,
    /// The event log: while ingest has events waiting for their commit, workers send
    /// with `busy_concurrency` requests in flight at most.
    pub ingest: Arc<dyn EventLog>,
    pub busy_concurrency: usize,
}

impl Shared {
    /// Hands the worker of `destination` (and the router) its changed settings.
    pub fn update(&self, destination: Destination) {
        if let Ok(workers) = self.workers.lock() {
            if let Some(worker) = workers.get(&destination.id) {
                worker.destination.send_replace(Arc::new(destination));
            }
        }
    }
}

struct Worker {
    destination: watch::Sender<Arc<Destination>>,
    wake: Arc<Notify>,
    circuit: Arc<Mutex<Circuit>>,
    task: JoinHandle<()>,
}

/// A destination's breaker as `GET /v1/destinations/{id}/circuit` shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CircuitView {
    pub state: CircuitState,
    pub consecutive_failures: u32,
    pub opened_at: Option<String>,
    pub queued: u64,
}

/// Every destination's worker.
pub struct Dispatcher {
    shared: Arc<Shared>,
}

impl Dispatcher {
    pub fn new(
        store: Arc<dyn Deliveries>,
        hub: Arc<Hub>,
        ingest: Arc<dyn EventLog>,
        busy_concurrency: usize,
        runtime: Handle,
    ) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1024)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            shared: Arc::new(Shared {
                store,
                client,
                hub,
                workers: Mutex::new(HashMap::new()),
                syncing: tokio::sync::Mutex::new(()),
                runtime,
                ingest,
                busy_concurrency,
            }),
        })
    }

    /// Starts a worker for each stored destination without one, hands each running worker
    /// its destination's current settings, and stops the workers of deleted destinations.
    pub async fn sync(&self) -> Result<(), StoreError> {
        let _one_at_a_time = self.shared.syncing.lock().await;
        let destinations = self.shared.store.all_destinations().await?;
        let Ok(mut workers) = self.shared.workers.lock() else {
            return Err(StoreError::Closed);
        };
        let mut current: HashMap<String, Destination> = destinations
            .into_iter()
            .map(|d| (d.id.clone(), d))
            .collect();
        workers.retain(|id, worker| {
            let keep = current.contains_key(id);
            if !keep {
                worker.task.abort();
            }
            keep
        });
        for (id, destination) in current.drain() {
            match workers.get(&id) {
                Some(worker) => {
                    if let Ok(mut circuit) = worker.circuit.lock() {
                        circuit.configure(&destination.settings.circuit_breaker);
                    }
                    worker.destination.send_if_modified(|held| {
                        let changed = **held != destination;
                        if changed {
                            *held = Arc::new(destination);
                        }
                        changed
                    });
                }
                None => {
                    let circuit = Arc::new(Mutex::new(Circuit::new(
                        &destination.settings.circuit_breaker,
                    )));
                    let (tx, rx) = watch::channel(Arc::new(destination));
                    let wake = Arc::new(Notify::new());
                    let task = self.shared.runtime.spawn(worker::run(
                        Arc::clone(&self.shared),
                        rx,
                        Arc::clone(&wake),
                        Arc::clone(&circuit),
                    ));
                    workers.insert(
                        id,
                        Worker {
                            destination: tx,
                            wake,
                            circuit,
                            task,
                        },
                    );
                }
            }
        }
        Ok(())
    }

    /// Whether ingest has events waiting for their commit right now.
    pub fn ingest_busy(&self) -> bool {
        self.shared.ingest.queue_depth() > 0
    }

    /// The current settings of destination `id`.
    pub fn destination(&self, id: &str) -> Option<Arc<Destination>> {
        let workers = self.shared.workers.lock().ok()?;
        workers.get(id).map(|w| Arc::clone(&w.destination.borrow()))
    }

    /// Tells the worker of `id` that attempts may be due.
    pub fn wake(&self, id: &str) {
        if let Ok(workers) = self.shared.workers.lock() {
            if let Some(worker) = workers.get(id) {
                worker.wake.notify_one();
            }
        }
    }

    /// The breaker of destination `id`.
    pub async fn circuit(&self, id: &str) -> Result<Option<CircuitView>, StoreError> {
        let snapshot = {
            let Ok(workers) = self.shared.workers.lock() else {
                return Err(StoreError::Closed);
            };
            workers
                .get(id)
                .and_then(|w| w.circuit.lock().ok().map(|c| c.clone()))
        };
        let Some(circuit) = snapshot else {
            return Ok(None);
        };
        Ok(Some(CircuitView {
            state: circuit.state,
            consecutive_failures: circuit.consecutive_failures,
            opened_at: circuit.opened_at.map(clickwire_model::signal::format_iso),
            queued: self.shared.store.queued(id).await?,
        }))
    }

    /// Closes the breaker of destination `id` by hand; false when there is no such worker.
    pub fn reset(&self, id: &str) -> bool {
        let Ok(workers) = self.shared.workers.lock() else {
            return false;
        };
        let Some(worker) = workers.get(id) else {
            return false;
        };
        if let Ok(mut circuit) = worker.circuit.lock() {
            circuit.reset();
        }
        worker.wake.notify_one();
        true
    }

    /// Keeps the workers in step with the store every `interval` until `stop` changes,
    /// then stops them all.
    pub async fn run(self: Arc<Self>, interval: Duration, mut stop: watch::Receiver<bool>) {
        // The first sync was made at start.
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    if let Err(err) = self.sync().await {
                        tracing::warn!(error = %err, "could not reload destinations");
                    }
                }
                _ = stop.changed() => break,
            }
        }
        if let Ok(mut workers) = self.shared.workers.lock() {
            for (_, worker) in workers.drain() {
                worker.task.abort();
            }
        }
    }
}
