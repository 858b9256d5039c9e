//! Integration tests: each test starts the real server on a real socket (port 0) with its
//! own temporary data directory and talks to it over HTTP.

mod admin;
mod auth;
mod browser_sdks;
mod dashboard;
mod deliveries;
mod feed;
mod helpers;
mod ingest;
mod limits;
mod openapi;
mod ops;
mod overload;
mod pipeline;
mod privacy;
mod read;
mod retention;
mod scoring_order;
mod signals;
mod slow_clients;
mod streams;
mod webhooks;
