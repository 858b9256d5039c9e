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
pub mod settings;
mod sweep;
pub mod views;

use std::{sync::Arc, time::Duration};

use clickwire_store::{BusReceiver, Deliveries, StoreError};
use tokio::{sync::watch, task::JoinHandle};

use crate::{config::DeliveriesConfig, hub::Hub};
pub use dispatch::Dispatcher;
pub use router::Router;

/// The router, the dispatcher and their background tasks.
pub struct Deliverer {
    pub router: Arc<Router>,
    pub dispatcher: Arc<Dispatcher>,
    store: Arc<dyn Deliveries>,
    hub: Arc<Hub>,
    config: DeliveriesConfig,
}

impl Deliverer {
    pub fn new(
        store: Arc<dyn Deliveries>,
        hub: Arc<Hub>,
        config: &DeliveriesConfig,
    ) -> Result<Self, reqwest::Error> {
        let dispatcher = Arc::new(Dispatcher::new(Arc::clone(&store), Arc::clone(&hub))?);
        let router = Arc::new(Router::new(
            Arc::clone(&store),
            Arc::clone(&dispatcher),
            config.route_page,
        ));
        Ok(Self {
            router,
            dispatcher,
            store,
            hub,
            config: config.clone(),
        })
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
                let mut tick = tokio::time::interval(interval);
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
        Ok(vec![
            tokio::spawn(Arc::clone(&self.router).run(commits, stop.clone())),
            tokio::spawn(
                Arc::clone(&self.dispatcher).run(self.config.reload_interval, stop.clone()),
            ),
            tokio::spawn(reload),
            tokio::spawn(sweep::run(
                Arc::clone(&self.store),
                Arc::clone(&self.hub),
                auto_resolve,
                sweep_every,
                stop,
            )),
        ])
    }
}
