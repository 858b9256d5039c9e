//! Sources: the `/v1/sources` API (each key manages its own tenant's sources), the cache
//! the ingest routes read a source through, with its rate limiter, and the webhook ingest
//! of webhook sources.

pub mod api;
mod cache;
pub mod settings;
pub mod socket;
pub mod test_sessions;
pub mod webhook;

pub use api::SourceView;
pub use cache::{SourceCache, SourceEntry};
