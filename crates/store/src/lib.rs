//! Durable storage for clickwire, behind traits so the pipeline does not know which backend
//! it runs on: the [`EventLog`] (reserve, append in order, commit), [`EventQueries`] (read
//! back by tenant, visitor, seq), the [`Catalog`] (tenants and API keys), and the bus the
//! log publishes commits to ([`clickwire_bus::Bus`]). The [`Vault`] holds the audit log of
//! reveals of sealed personal fields. [`Sources`] holds where pipeline and webhook events come
//! from, and [`MarkQueries`] the message ids and identity links pipeline events commit. [`open`] picks the backend in one place. The embedded backend is SQLite ([`sqlite`]); [`memory`] holds events in memory
//! for tests.

mod backend;
pub mod catalog;
pub mod deliveries;
mod error;
pub mod events;
mod ids;
pub mod keys;
pub mod log;
pub mod marks;
pub mod memory;
pub mod sources;
pub mod sqlite;
pub mod vault;

use std::{future::Future, pin::Pin};

pub use backend::{open, Backends, StoreConfig};
pub use catalog::{AuthKey, Catalog, KeyKind, KeyRecord, NewKey, Tenant, Tier};
pub use clickwire_bus::{Bus, BusReceiver, Committed, CommittedEvent, Live, MemoryBus};
pub use deliveries::Deliveries;
pub use error::StoreError;
pub use events::{Appended, EventPage, EventQueries, EventQuery, NewEvent, StoredEvent};
pub use log::{append_committed, AppendBatch, AppendQueue, EventLog, OnCommit, Reservation};
pub use marks::{IdentityLink, MarkLookup, MarkQueries, MarkQuery, Marks};
pub use sources::{
    DedupRule, DedupStrategy, NewSource, Source, SourceKind, SourcePatch, Sources, Verification,
};
pub use vault::{AuditEntry, AuditPage, AuditQuery, NewAuditEntry, Vault};

/// The future every store method returns: boxed so the traits stay object-safe
/// (`Arc<dyn EventQueries>`), which lets one binary pick its backend at start-up.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;
