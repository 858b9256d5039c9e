//! The clickwire server as a library: configuration, the axum application and the
//! [`Server`] that runs it. The `clickwire` binary only parses flags and calls in here.

pub mod admin;
pub mod admission;
pub mod api;
mod app;
pub mod auth;
mod body;
pub mod bootstrap;
pub mod client_addr;
pub mod config;
pub mod deliver;
pub mod error;
pub mod extract;
pub mod feed;
pub mod hub;
pub mod ingest;
pub mod limits;
mod listen;
mod openapi;
mod ops;
pub mod page;
pub mod pipeline;
pub mod privacy;
mod private_file;
pub mod process;
mod server;
pub mod sources;
pub mod state;
pub mod stream;
pub mod telemetry;
pub mod web;

pub use app::app;
pub use config::{Config, ConfigError, Overrides};
pub use server::{Server, ServerError};
pub use state::AppState;
