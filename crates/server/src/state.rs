//! The shared state of every handler: cheap handles, cloned per request.

use std::sync::Arc;

use clickwire_store::{Bus, Catalog, EventLog, EventQueries, Vault};
use metrics_exporter_prometheus::PrometheusHandle;

use crate::{
    auth::KeyCache, config::Config, feed::Hub, limits::RateLimits, privacy::Privacy,
    process::Processor,
};

/// Everything a handler may reach.
#[derive(Clone)]
pub struct AppState {
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
    /// Per-key ingest limits.
    pub limits: Arc<RateLimits>,
    /// The process stage (labels and scores); `None` with scoring off.
    pub processor: Option<Arc<Processor>>,
    /// The Signals Feed's subscribers.
    pub feed: Arc<Hub>,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
    /// The data keys and the hash secret of personal data.
    pub privacy: Arc<Privacy>,
    /// Sealed fields of stored events and the audit log of their reveals.
    pub vault: Arc<dyn Vault>,
}
