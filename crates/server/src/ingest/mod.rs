//! Ingest: the routes that take events in. Each file is one route group; they share the
//! steps of [`pipeline`] (consent drop, normalisation into store rows, the durable append).

pub mod events;
mod pipeline;

pub use pipeline::{now_ms, store_events, Outcome};
