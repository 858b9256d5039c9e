//! The shared state of every handler. axum clones it for every extractor of every
//! request, so it is one `Arc` around the handles: one reference count touched per clone
//! instead of one per field (perf showed cloning and dropping a dozen `Arc`s per request,
//! each a contended atomic on two cores).

use std::sync::Arc;

use clickwire_store::{
    Bus, Catalog, Deliveries, EventLog, EventQueries, MarkQueries, Sources, Vault,
};
use metrics_exporter_prometheus::PrometheusHandle;

use crate::{
    admission::Admission,
    auth::{session::Sessions, KeyCache},
    config::Config,
    deliver::Deliverer,
    hub::Hub,
    limits::RateLimits,
    pipeline::recall::Recall,
    privacy::Privacy,
    process::Processor,
    sources::{test_sessions::SessionLimiter, SourceCache},
};

/// Everything a handler may reach; fields are read through `Deref`.
#[derive(Clone)]
pub struct AppState(Arc<Handles>);

impl AppState {
    pub fn new(handles: Handles) -> Self {
        Self(Arc::new(handles))
    }
}

impl std::ops::Deref for AppState {
    type Target = Handles;

    fn deref(&self) -> &Handles {
        &self.0
    }
}

/// The handles of [`AppState`].
pub struct Handles {
    /// The validated configuration.
    pub config: Arc<Config>,
    /// The durable event log (appends).
    pub log: Arc<dyn EventLog>,
    /// Reads of stored events.
    pub events: Arc<dyn EventQueries>,
    /// Committed events on their way to live subscribers.
    pub bus: Arc<dyn Bus>,
    /// Tenants and keys.
    pub catalog: Arc<dyn Catalog>,
    /// Key → tenant, tier and kind, cached.
    pub keys: Arc<KeyCache>,
    /// Dashboard sessions (in memory: a restart signs everyone out).
    pub sessions: Arc<Sessions>,
    /// Per-key ingest limits.
    pub limits: Arc<RateLimits>,
    /// How many ingest requests may be handled at once.
    pub admission: Admission,
    /// The process stage (labels and scores); `None` with scoring off.
    pub processor: Option<Arc<Processor>>,
    /// Every live socket: Signals Feed subscribers, dashboard and test-session streams.
    pub hub: Arc<Hub>,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
    /// The data keys and the hash secret of personal data.
    pub privacy: Arc<Privacy>,
    /// Sealed fields of stored events and the audit log of their reveals.
    pub vault: Arc<dyn Vault>,
    /// Sources as the ingest routes read them (cached, with their rate limiters).
    pub sources: Arc<SourceCache>,
    /// Sources as the `/v1/sources` API manages them.
    pub source_store: Arc<dyn Sources>,
    /// The message ids and identity links pipeline events committed.
    pub marks: Arc<dyn MarkQueries>,
    /// Recently stored message ids and known identity links, in memory.
    pub recall: Arc<Recall>,
    /// Test sessions created per client address.
    pub test_sessions: Arc<SessionLimiter>,
    /// Destinations, connections, attempts and issues.
    pub deliveries: Arc<dyn Deliveries>,
    /// The router and the dispatcher.
    pub deliver: Arc<Deliverer>,
}
