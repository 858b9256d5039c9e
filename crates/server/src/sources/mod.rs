//! Sources: the `/v1/sources` API (each key manages its own tenant's sources) and the
//! cache the ingest routes read a source through, with its rate limiter.

pub mod api;
mod cache;
pub mod settings;

pub use api::SourceView;
pub use cache::{SourceCache, SourceEntry};
