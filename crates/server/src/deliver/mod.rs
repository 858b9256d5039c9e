//! Deliveries: the outbound half. Tenants configure destinations and connections through
//! [`api`]; the [`router`] turns committed events that match an enabled connection into
//! pending attempts (the log is the outbox, see `clickwire_store::deliveries`); the
//! [`dispatch`]er sends them per destination with retries and a circuit breaker; issues
//! group failures and resolve themselves ([`sweep`]). Attempts and issues are announced on
//! the dashboard stream.

pub mod api;
pub mod dispatch;
pub mod document;
pub mod router;
mod runtime;
pub mod settings;
mod sweep;
pub mod views;

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use clickwire_store::{BusReceiver, Deliveries, EventLog, StoreError};
use tokio::{
    runtime::{Handle, Runtime},
    sync::watch,
    task::JoinHandle,
};

use crate::{config::DeliveriesConfig, hub::Hub};
pub use dispatch::Dispatcher;
pub use router::Router;

/// Why deliveries could not start.
#[derive(Debug, thiserror::Error)]
pub enum DeliverError {
    #[error("the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
    #[error("the delivery runtime: {0}")]
    Runtime(#[from] std::io::Error),
}

/// The router, the dispatcher and their background tasks, on their own runtime.
pub struct Deliverer {
    pub router: Arc<Router>,
    pub dispatcher: Arc<Dispatcher>,
    store: Arc<dyn Deliveries>,
    hub: Arc<Hub>,
    config: DeliveriesConfig,
    runtime: Mutex<Option<Runtime>>,
    handle: Handle,
}

impl Deliverer {
    pub fn new(
        store: Arc<dyn Deliveries>,
        hub: Arc<Hub>,
        ingest: Arc<dyn EventLog>,
        config: &DeliveriesConfig,
    ) -> Result<Self, DeliverError> {
        let runtime = runtime::build(config.threads, config.low_priority)?;
        let handle = runtime.handle().clone();
        let dispatcher = Arc::new(Dispatcher::new(
            Arc::clone(&store),
            Arc::clone(&hub),
            ingest,
            config.busy_concurrency,
            handle.clone(),
        )?);
        let router = Arc::new(Router::new(
            Arc::clone(&store),
            Arc::clone(&dispatcher),
            config.route_page,
            config.busy_route_interval,
        ));
        Ok(Self {
            router,
            dispatcher,
            store,
            hub,
            config: config.clone(),
            runtime: Mutex::new(Some(runtime)),
            handle,
        })
    }

    /// Stops the delivery runtime (after `start`'s tasks have ended); what was in flight
    /// stays pending in the store and is sent after the next start.
    pub fn shut_down(&self) {
        if let Some(runtime) = self.runtime.lock().ok().and_then(|mut r| r.take()) {
            runtime.shutdown_background();
        }
    }

    /// Takes a change of destinations or connections into account at once.
    pub async fn changed(&self) -> Result<(), StoreError> {
        self.dispatcher.sync().await?;
        self.router.reload().await
    }

    /// Loads the configuration, then starts the router (on `commits`), the dispatcher's
    /// reloads and the issue sweep; all stop when `stop` changes.
    pub async fn start(
        &self,
        commits: BusReceiver,
        stop: watch::Receiver<bool>,
    ) -> Result<Vec<JoinHandle<()>>, StoreError> {
        self.changed().await?;
        let reload = {
            let router = Arc::clone(&self.router);
            let interval = self.config.reload_interval;
            let mut stop = stop.clone();
            async move {
                // The first reload was made above.
                let mut tick =
                    tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
                loop {
                    tokio::select! {
                        _ = tick.tick() => {
                            if let Err(err) = router.reload().await {
                                tracing::warn!(error = %err, "could not reload connections");
                            }
                        }
                        _ = stop.changed() => return,
                    }
                }
            }
        };
        let auto_resolve = self.config.issue_auto_resolve;
        let sweep_every =
            (auto_resolve / 4).clamp(Duration::from_millis(50), Duration::from_secs(60));
        let spawn = &self.handle;
        Ok(vec![
            spawn.spawn(Arc::clone(&self.router).run(commits, stop.clone())),
            spawn
                .spawn(Arc::clone(&self.dispatcher).run(self.config.reload_interval, stop.clone())),
            spawn.spawn(reload),
            spawn.spawn(sweep::run(
                Arc::clone(&self.store),
                Arc::clone(&self.hub),
                auto_resolve,
                sweep_every,
                stop,
            )),
        ])
    }
}

impl Drop for Deliverer {
    /// A runtime may not be dropped where blocking is not allowed; shutting it down in the
    /// background may happen anywhere.
    fn drop(&mut self) {
        self.shut_down();
    }
}
