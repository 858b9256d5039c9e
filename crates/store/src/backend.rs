//! The one place a backend is chosen: [`open`] turns a [`StoreConfig`] into the handles the
//! server holds, each behind its trait.

use std::sync::Arc;

use clickwire_bus::{Bus, MemoryBus};

use crate::{
    sqlite::{
        SqliteCatalog, SqliteConfig, SqliteDeliveries, SqliteEventStore, SqliteSources, SqliteVault,
    },
    Catalog, Deliveries, EventLog, EventQueries, MarkQueries, Sources, StoreError, Vault,
};

/// Which backend holds the events and the catalog.
#[derive(Debug, Clone)]
pub enum StoreConfig {
    /// The embedded mode: one SQLite file in a data directory, an in-process bus.
    Sqlite(SqliteConfig),
}

/// The opened backend, as the pipeline sees it.
#[derive(Clone)]
pub struct Backends {
    pub log: Arc<dyn EventLog>,
    pub queries: Arc<dyn EventQueries>,
    pub catalog: Arc<dyn Catalog>,
    pub vault: Arc<dyn Vault>,
    pub sources: Arc<dyn Sources>,
    pub marks: Arc<dyn MarkQueries>,
    pub deliveries: Arc<dyn Deliveries>,
    pub bus: Arc<dyn Bus>,
}

/// Opens (creating and migrating when needed) the backend `config` names.
pub fn open(config: &StoreConfig) -> Result<Backends, StoreError> {
    match config {
        StoreConfig::Sqlite(sqlite) => {
            let bus: Arc<dyn Bus> = Arc::new(MemoryBus::default());
            let events = Arc::new(SqliteEventStore::open(sqlite, Arc::clone(&bus))?);
            let catalog = Arc::new(SqliteCatalog::open(&sqlite.dir, sqlite.busy_timeout)?);
            let vault = Arc::new(SqliteVault::open(&sqlite.dir, sqlite.busy_timeout)?);
            let sources = Arc::new(SqliteSources::open(&sqlite.dir, sqlite.busy_timeout)?);
            let deliveries = Arc::new(SqliteDeliveries::open(&sqlite.dir, sqlite.busy_timeout)?);
            Ok(Backends {
                log: events.clone(),
                queries: events.clone(),
                marks: events,
                sources,
                deliveries,
                catalog,
                vault,
                bus,
            })
        }
    }
}
