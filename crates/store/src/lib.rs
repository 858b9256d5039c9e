//! Durable storage for clickwire: the [`EventStore`] (append with group commit, read back by
//! tenant) and the [`Catalog`] (tenants and API keys), each a trait so the pipeline does not
//! know which backend it runs on. The [`Vault`] holds sealed personal fields and the
//! audit log of their reveals. The embedded backend is SQLite ([`sqlite::SqliteStore`]).

pub mod catalog;
mod error;
pub mod events;
pub mod keys;
pub mod sqlite;
pub mod vault;

use std::{future::Future, pin::Pin};

pub use catalog::{AuthKey, Catalog, KeyKind, KeyRecord, NewKey, Tenant, Tier};
pub use error::StoreError;
pub use events::{
    Appended, Committed, CommittedEvent, EventPage, EventQuery, EventStore, NewEvent, StoredEvent,
};
pub use vault::{AuditEntry, AuditPage, AuditQuery, NewAuditEntry, Vault};

/// The future every store method returns: boxed so the traits stay object-safe
/// (`Arc<dyn EventStore>`), which lets one binary pick its backend at start-up.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;
