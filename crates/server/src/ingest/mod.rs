//! Ingest: the routes that take events in. Each file is one route group; they share the
//! steps of [`pipeline`] (consent drop, reservation, labels, the durable append) and the
//! row building of [`row`].

pub mod events;
mod pipeline;
pub mod row;

pub use pipeline::{now_ms, store_events, store_marked, Arrival, Outcome};
