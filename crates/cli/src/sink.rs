//! `clickwire sink`: a delivery receiver for benchmarks and drills. It answers every
//! request with `--status` after `--delay`, counts what it received, and on Ctrl-C (or
//! SIGTERM) prints `{"requests","distinct_webhook_ids"}` as one JSON line.

use std::{
    collections::HashSet,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use anyhow::Context as _;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::get,
    Router,
};
use clap::value_parser;

#[derive(Debug, clap::Args)]
pub struct SinkArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8090")]
    listen: SocketAddr,
    /// How long each answer takes, e.g. `200ms`.
    #[arg(long, default_value = "0s", value_parser = humantime::parse_duration)]
    delay: Duration,
    /// The status of every answer.
    #[arg(long, default_value_t = 200)]
    status: u16,
    /// Tokio worker threads.
    #[arg(long, default_value_t = 1, value_parser = value_parser!(u16).range(1..=64))]
    threads: u16,
}

#[derive(Default)]
struct Tally {
    requests: u64,
    ids: HashSet<String>,
}

#[derive(Clone)]
struct Sink {
    delay: Duration,
    status: StatusCode,
    tally: Arc<Mutex<Tally>>,
}

pub fn run(args: SinkArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(usize::from(args.threads))
        .enable_all()
        .build()
        .context("building the tokio runtime")?;
    runtime.block_on(serve(args))
}

async fn serve(args: SinkArgs) -> anyhow::Result<()> {
    let sink = Sink {
        delay: args.delay,
        status: StatusCode::from_u16(args.status).context("--status")?,
        tally: Arc::default(),
    };
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    eprintln!("sink listening on http://{}", listener.local_addr()?);
    // A stand-in destination, not the gateway: no part of the OpenAPI document.
    #[allow(clippy::disallowed_methods)]
    let app = Router::new()
        .route("/readyz", get(|| async { StatusCode::OK }))
        .fallback(receive)
        .with_state(sink.clone());
    axum::serve(listener, app)
        .with_graceful_shutdown(crate::baseline::shutdown_signal())
        .await
        .context("serving")?;
    let tally = sink
        .tally
        .lock()
        .map_err(|_| anyhow::anyhow!("tally lost"))?;
    println!(
        "{}",
        serde_json::json!({"requests": tally.requests, "distinct_webhook_ids": tally.ids.len()})
    );
    Ok(())
}

async fn receive(State(sink): State<Sink>, headers: HeaderMap) -> StatusCode {
    if !sink.delay.is_zero() {
        tokio::time::sleep(sink.delay).await;
    }
    if let Ok(mut tally) = sink.tally.lock() {
        tally.requests += 1;
        if let Some(id) = headers.get("webhook-id").and_then(|v| v.to_str().ok()) {
            tally.ids.insert(id.to_owned());
        }
    }
    sink.status
}
