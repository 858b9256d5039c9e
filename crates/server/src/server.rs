//! Building and running a server: open the store and catalog, bootstrap an empty data
//! directory, then serve on an already-bound listener until a shutdown future resolves,
//! and drain (in-flight requests finish, queued batches commit) before returning.

use std::{future::Future, net::SocketAddr, path::PathBuf, sync::Arc};

use clickwire_store::{sqlite::SqliteConfig, StoreConfig};
use tokio::{
    net::TcpListener,
    sync::{watch, Notify},
};

use crate::{
    admission::Admission,
    app::app,
    auth::{session::Sessions, KeyCache},
    bootstrap::bootstrap,
    config::Config,
    deliver::Deliverer,
    hub::Hub,
    limits::RateLimits,
    listen,
    pipeline::recall::Recall,
    privacy::{Privacy, PrivacyError},
    process::{Processor, ShardStores},
    sources::{test_sessions::SessionLimiter, SourceCache},
    state::{AppState, Handles},
    telemetry,
};

/// A server ready to run.
pub struct Server {
    listener: TcpListener,
    state: AppState,
    bootstrap_file: Option<PathBuf>,
    /// Tells the background tasks (key refresh, data key reload, metrics upkeep, scoring
    /// shards, the feed hub) to stop.
    stop: watch::Sender<bool>,
}

/// Why a server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("store: {0}")]
    Store(#[from] clickwire_store::StoreError),
    #[error("listener: {0}")]
    Io(#[from] std::io::Error),
    #[error("user-agent data: {0}")]
    UserAgents(#[from] clickwire_enrich::ua::UaError),
    #[error("personal data keys: {0}")]
    Privacy(#[from] PrivacyError),
    #[error("deliveries: {0}")]
    Deliveries(#[from] crate::deliver::DeliverError),
}

impl Server {
    /// Opens everything `config` names and binds its listen address.
    pub async fn build(config: Config) -> Result<Self, ServerError> {
        let listener = listen(config.server.listen)?;
        Self::with_listener(config, listener).await
    }

    /// As [`Server::build`], on a listener the caller bound (tests bind port 0).
    pub async fn with_listener(config: Config, listener: TcpListener) -> Result<Self, ServerError> {
        let store = &config.store;
        let sqlite = SqliteConfig {
            dir: store.data.clone(),
            synchronous: store.synchronous,
            queue_capacity: store.queue_capacity,
            max_batch_rows: store.max_batch_rows,
            busy_timeout: store.busy_timeout,
            readers: store.readers,
            retention: store.retention_config(),
            read_queue: store.read_queue,
        };
        let backends = clickwire_store::open(&StoreConfig::Sqlite(sqlite))?;
        let catalog = backends.catalog;
        let privacy = Arc::new(Privacy::load(&config.security, &store.data)?);
        let bootstrap_file =
            bootstrap(catalog.as_ref(), backends.sources.as_ref(), &store.data).await?;
        let keys = Arc::new(KeyCache::new(Arc::clone(&catalog), config.auth.key_refresh));
        keys.refresh()
            .await
            .map_err(|err| clickwire_store::StoreError::Task(format!("loading keys: {err}")))?;
        let (stop, stopped) = watch::channel(false);
        let stores = ShardStores {
            log: Arc::clone(&backends.log),
            queries: Arc::clone(&backends.queries),
            rebuild_reads: Arc::new(tokio::sync::Semaphore::new(config.store.readers)),
        };
        let processor = Processor::start(&config.scoring, stores, &stopped)?;
        let config_refresh = config.auth.key_refresh;
        let test_sessions = Arc::new(SessionLimiter::new(&config.test_sessions));
        let hub = Arc::new(Hub::new(&config.feed));
        let sessions = Arc::new(Sessions::new(config.dashboard.session_ttl));
        let deliver = Deliverer::new(
            Arc::clone(&backends.deliveries),
            Arc::clone(&hub),
            Arc::clone(&backends.log),
            &config.deliveries,
        )?;
        let state = AppState::new(Handles {
            limits: Arc::new(RateLimits::new(&config.rate_limits)),
            admission: Admission::new(config.server.max_in_flight),
            processor: processor.map(Arc::new),
            hub,
            deliveries: backends.deliveries,
            deliver: Arc::new(deliver),
            config: Arc::new(config),
            log: backends.log,
            events: backends.queries,
            bus: backends.bus,
            catalog,
            keys,
            sessions,
            metrics: telemetry::metrics_handle(),
            privacy,
            vault: backends.vault,
            sources: Arc::new(SourceCache::new(
                Arc::clone(&backends.sources),
                config_refresh,
            )),
            source_store: backends.sources,
            marks: backends.marks,
            recall: Arc::new(Recall::default()),
            test_sessions,
        });
        Ok(Self {
            listener,
            state,
            bootstrap_file,
            stop,
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The credentials file written by this start, when the data directory was empty.
    pub fn bootstrap_file(&self) -> Option<&std::path::Path> {
        self.bootstrap_file.as_deref()
    }

    /// Serves until `shutdown` resolves, then drains and closes the store.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let state = self.state;
        let stop_tx = self.stop;
        let stop_rx = stop_tx.subscribe();
        let refresher = tokio::spawn(
            Arc::clone(&state.keys).run_refresher(state.config.auth.key_refresh, stop_rx.clone()),
        );
        let feed = tokio::spawn(Arc::clone(&state.hub).run(state.bus.subscribe(), stop_rx.clone()));
        let delivering = state
            .deliver
            .start(state.bus.subscribe(), stop_rx.clone())
            .await?;
        let data_keys = tokio::spawn(
            Arc::clone(&state.privacy.data_keys)
                .run_reloader(state.config.auth.key_refresh, stop_rx.clone()),
        );
        let upkeep = tokio::spawn(run_metrics_upkeep(state.metrics.clone(), stop_rx));
        let router = app(state.clone());
        let stopping = Arc::new(Notify::new());
        let signalled = Arc::clone(&stopping);
        let hub = Arc::clone(&state.hub);
        let serve = listen::serve(
            self.listener,
            router,
            state.config.server.header_timeout,
            async move {
                shutdown.await;
                // Feed connections are long-lived: they close now (1001) instead of holding
                // the drain open.
                hub.close_all();
                signalled.notify_one();
            },
        );
        let grace = state.config.server.shutdown_grace;
        // In-flight requests get `grace` to finish; a request cut off after it was never
        // acknowledged, so nothing acknowledged is lost.
        tokio::select! {
            () = serve => {}
            () = async { stopping.notified().await; tokio::time::sleep(grace).await } => {
                tracing::warn!(?grace, "shutdown grace expired; closing the remaining connections");
            }
        }
        let _ = stop_tx.send(true);
        let _ = tokio::join!(refresher, data_keys, upkeep, feed);
        futures::future::join_all(delivering).await;
        state.deliver.shut_down();
        state.log.close().await?;
        tracing::info!("stopped; every acknowledged batch is committed");
        Ok(())
    }
}

/// Histograms need periodic upkeep so their buffers stay small.
async fn run_metrics_upkeep(
    handle: metrics_exporter_prometheus::PrometheusHandle,
    mut stop: watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
    loop {
        tokio::select! {
            _ = tick.tick() => handle.run_upkeep(),
            _ = stop.changed() => return,
        }
    }
}

/// Connections the kernel may hold completed for us before we accept them (it caps this
/// at `net.core.somaxconn`). tokio's default of 1,024 overflows under a connection flood,
/// and a client whose handshake overflowed believes it is connected while we never see it.
const LISTEN_BACKLOG: u32 = 4096;

/// Binds `addr` for accepting connections.
fn listen(addr: std::net::SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}
