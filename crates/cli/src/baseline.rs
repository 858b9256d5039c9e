//! `clickwire baseline`: the yardstick for ingest benchmarks. A bare axum server whose
//! `POST /v1/events` only reads the body and parses it as JSON, then answers like the real
//! ingest endpoint does. No auth, no validation, no storage: whatever the real server costs
//! on top of this is what the benchmark's "ratio vs baseline" shows, measured in the same
//! run on the same noisy machine.

use std::{
    net::SocketAddr,
    time::{SystemTime, UNIX_EPOCH},
};

use anyhow::Context as _;
use axum::{
    body::Bytes,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use clap::value_parser;
use serde_json::{json, Value};

#[derive(Debug, clap::Args)]
pub struct BaselineArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8081")]
    listen: SocketAddr,
    /// Tokio worker threads.
    #[arg(long, default_value_t = 2, value_parser = value_parser!(u16).range(1..=256))]
    threads: u16,
}

pub fn run(args: BaselineArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(usize::from(args.threads))
        .enable_all()
        .build()
        .context("building the tokio runtime")?;
    runtime.block_on(serve(args.listen))
}

async fn serve(listen: SocketAddr) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    eprintln!("baseline listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving")
}

// The baseline is not the gateway: its two routes are no part of the OpenAPI document.
#[allow(clippy::disallowed_methods)]
pub(crate) fn app() -> Router {
    Router::new()
        .route("/v1/events", post(ingest))
        // Same readiness probe as the real server, so scripts wait on both alike.
        .route("/readyz", get(|| async { StatusCode::OK }))
}

/// Parses the body into a `serde_json::Value` (the least any JSON endpoint must do) and
/// acknowledges it in the shape of the real `202`.
async fn ingest(body: Bytes) -> Response {
    let Ok(value) = serde_json::from_slice::<Value>(&body) else {
        let error = json!({ "success": false, "error": "invalid_json" });
        return (StatusCode::BAD_REQUEST, Json(error)).into_response();
    };
    let events = count_events(&value);
    let ack = json!({
        "success": true,
        "accepted": events,
        "received": events,
        "timestamp": now_ms(),
    });
    (StatusCode::ACCEPTED, Json(ack)).into_response()
}

/// `{"events": [...]}` carries its array's length; anything else is one event.
fn count_events(value: &Value) -> usize {
    value
        .get("events")
        .and_then(Value::as_array)
        .map_or(1, Vec::len)
}

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis())
}

/// Resolves on SIGINT or SIGTERM. If a handler cannot be installed, that signal is
/// simply not waited for, rather than shutting down at once.
pub(crate) async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Serves the baseline on an ephemeral loopback port for the rest of the test.
    pub(crate) async fn spawn_baseline() -> anyhow::Result<SocketAddr> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move { axum::serve(listener, app()).await });
        Ok(addr)
    }

    async fn post_events(body: &'static str) -> anyhow::Result<reqwest::Response> {
        let addr = spawn_baseline().await?;
        let client = reqwest::Client::builder().no_proxy().build()?;
        let url = format!("http://{addr}/v1/events");
        Ok(client.post(url).body(body).send().await?)
    }

    #[tokio::test]
    async fn a_batch_is_acknowledged_with_its_event_count() -> anyhow::Result<()> {
        let response = post_events(r#"{"events":[{"type":"pageview"},{"type":"click"}]}"#).await?;
        assert_eq!(response.status().as_u16(), 202);
        let ack: Value = response.json().await?;
        assert_eq!(ack["success"], json!(true));
        assert_eq!(
            (ack["accepted"].as_u64(), ack["received"].as_u64()),
            (Some(2), Some(2))
        );
        Ok(())
    }

    #[tokio::test]
    async fn a_single_event_object_counts_as_one() -> anyhow::Result<()> {
        let response = post_events(r#"{"type":"pageview","visitorId":"v"}"#).await?;
        let ack: Value = response.json().await?;
        assert_eq!(ack["accepted"].as_u64(), Some(1));
        Ok(())
    }

    #[tokio::test]
    async fn a_body_that_is_not_json_is_a_bad_request() -> anyhow::Result<()> {
        let response = post_events("{not json").await?;
        assert_eq!(response.status().as_u16(), 400);
        Ok(())
    }
}
