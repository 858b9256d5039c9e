//! `clickwire loadgen`: posts realistic web events (ClickStream events, or the same traffic
//! as Datafly Signal pipeline messages) at an ingest endpoint over
//! N keep-alive connections for a bounded time and reports requests/s, events/s and
//! latency percentiles.
//!
//! The generator is meant to share a 2-core machine with the server it measures, so it
//! stays cheap: bodies are serialised once up front (`events`), each connection counts
//! into its own histogram (`report`), and it runs on one worker thread unless told
//! otherwise. It is bounded in time and stops by itself.

mod catalog;
pub mod events;
mod pipeline;
mod report;
mod worker;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{bail, ensure, Context as _};
use clap::value_parser;
use reqwest::{
    header::{HeaderMap, HeaderValue, CONTENT_TYPE, ORIGIN},
    Url,
};

use self::{
    report::{Report, Setup, Stats},
    worker::Plan,
};
use crate::progress::{Goal, Progress};

/// Events pre-generated per run, split into bodies of `--batch` events; enough variety
/// that bodies repeat rarely enough to defeat any cache on the server.
const POOL_EVENTS: usize = 16_384;
/// The ClickStream contract caps a batch at 25 events.
const MAX_BATCH: u32 = 25;
/// A pipeline batch holds up to 500 messages.
const MAX_PIPELINE_BATCH: u32 = 500;

/// What the bodies are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// ClickStream events for `POST /v1/events`.
    Clickstream,
    /// Datafly Signal messages for `POST /v1/t` (batch 1) or `POST /v1/batch`.
    Pipeline,
}

#[derive(Debug, clap::Args)]
pub struct LoadgenArgs {
    /// Ingest endpoint to POST to (http only: the generator targets loopback servers).
    #[arg(long, default_value = "http://127.0.0.1:8080/v1/events")]
    url: Url,
    /// API key sent as `X-API-Key`; leave out for the unauthenticated baseline.
    #[arg(long, env = "LOADGEN_API_KEY", hide_env_values = true)]
    key: Option<String>,
    /// `Origin` header to send, for website keys bound to allowed origins.
    #[arg(long)]
    origin: Option<String>,
    /// Concurrent keep-alive connections, each with one request in flight.
    #[arg(long, default_value_t = 32, value_parser = value_parser!(u32).range(1..=10_000))]
    connections: u32,
    /// How long to measure, after the warm-up (e.g. 10s, 1m).
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    duration: Duration,
    /// Events per request: 1 sends a bare event object, more an `{"events": [...]}` batch
    /// (at most 25), or with `--format pipeline` a `{"batch": [...]}` (at most 500).
    #[arg(long, default_value_t = 1, value_parser = value_parser!(u32).range(1..=MAX_PIPELINE_BATCH as i64))]
    batch: u32,
    /// The body format: ClickStream events or pipeline (Datafly Signal) messages.
    #[arg(long, value_enum, default_value_t = Format::Clickstream)]
    format: Format,
    /// Target events per second over all connections; without it each connection sends
    /// as fast as answers come back.
    #[arg(long, value_parser = value_parser!(u64).range(1..))]
    rate: Option<u64>,
    /// Time spent sending before measuring starts; not counted.
    #[arg(long, default_value = "1s", value_parser = humantime::parse_duration)]
    warmup: Duration,
    /// Distinct visitors the events are drawn from.
    #[arg(long, default_value_t = 10_000, value_parser = value_parser!(u32).range(1..=1_000_000))]
    visitors: u32,
    /// Tokio worker threads of the generator; 1 leaves the other core to the server.
    #[arg(long, default_value_t = 1, value_parser = value_parser!(u16).range(1..=256))]
    threads: u16,
    /// Print the result as one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(args: LoadgenArgs) -> anyhow::Result<()> {
    ensure!(
        !args.duration.is_zero(),
        "--duration must be longer than zero"
    );
    if args.url.scheme() != "http" {
        bail!("only http:// URLs are supported, got {}", args.url);
    }
    let bodies = (POOL_EVENTS / args.batch as usize).max(64);
    let pool = match args.format {
        Format::Clickstream => {
            ensure!(
                args.batch <= MAX_BATCH,
                "a ClickStream batch holds at most {MAX_BATCH} events"
            );
            events::build_pool(bodies, args.batch, args.visitors)?
        }
        Format::Pipeline => pipeline::build_pool(bodies, args.batch, args.visitors)?,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(usize::from(args.threads))
        .enable_all()
        .build()
        .context("building the tokio runtime")?;
    let report = runtime.block_on(generate(&args, pool))?;
    print(&report, args.json)?;
    if report.ok == 0 {
        bail!("no request was answered 200/202 by {}", args.url);
    }
    Ok(())
}

/// Runs every connection to the end of the plan and merges what they measured.
async fn generate(args: &LoadgenArgs, pool: Vec<events::Body>) -> anyhow::Result<Report> {
    let plan = Arc::new(plan(args, pool)?);
    eprintln!(
        "loadgen: {} connection(s) to {}, batch {}, warm-up {}, measuring {}",
        args.connections,
        args.url,
        args.batch,
        humantime::format_duration(args.warmup),
        humantime::format_duration(args.duration),
    );
    let tasks: Vec<_> = (0..args.connections)
        .map(|id| tokio::spawn(worker::run_connection(Arc::clone(&plan), id)))
        .collect();
    let mut total = Stats::new()?;
    for task in tasks {
        total.merge(task.await.context("a connection task panicked")??)?;
    }
    plan.progress.finish();
    let window = total.window(plan.measure_start, args.duration);
    Ok(Report::new(setup(args), &total, window))
}

fn plan(args: &LoadgenArgs, pool: Vec<events::Body>) -> anyhow::Result<Plan> {
    let start = Instant::now();
    let measure_start = start + args.warmup;
    // Each connection sends `batch` events per tick, so the connections together send
    // `rate` events per second when each ticks every connections × batch / rate seconds.
    let period = args.rate.map(|rate| {
        Duration::from_secs_f64(f64::from(args.connections) * f64::from(args.batch) / rate as f64)
    });
    Ok(Plan {
        url: args.url.clone(),
        headers: headers(args)?,
        pool,
        connections: args.connections,
        start,
        measure_start,
        measure_end: measure_start + args.duration,
        period,
        progress: Progress::new("loadgen", "events", Goal::Time(args.warmup + args.duration)),
    })
}

fn headers(args: &LoadgenArgs) -> anyhow::Result<HeaderMap> {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Some(key) = &args.key {
        let mut value = HeaderValue::from_str(key).context("--key is not a valid header value")?;
        value.set_sensitive(true);
        headers.insert("x-api-key", value);
    }
    if let Some(origin) = &args.origin {
        let value =
            HeaderValue::from_str(origin).context("--origin is not a valid header value")?;
        headers.insert(ORIGIN, value);
    }
    Ok(headers)
}

fn setup(args: &LoadgenArgs) -> Setup {
    Setup {
        url: args.url.to_string(),
        connections: args.connections,
        batch: args.batch,
        threads: args.threads,
        rate_target: args.rate,
        warmup_s: args.warmup.as_secs_f64(),
        duration_s: args.duration.as_secs_f64(),
    }
}

fn print(report: &Report, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(report)?);
    } else {
        print!("{}", report.to_text());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn run_against_baseline(rate: Option<u64>, batch: u32) -> anyhow::Result<Report> {
        let addr = crate::baseline::tests::spawn_baseline().await?;
        let args = LoadgenArgs {
            url: format!("http://{addr}/v1/events").parse()?,
            key: Some("cs_srv_live_test".into()),
            origin: None,
            connections: 2,
            duration: Duration::from_millis(500),
            batch,
            rate,
            warmup: Duration::ZERO,
            visitors: 50,
            threads: 1,
            json: true,
            format: Format::Clickstream,
        };
        let pool = events::build_pool(64, batch, args.visitors)?;
        generate(&args, pool).await
    }

    #[tokio::test]
    async fn every_answer_of_the_baseline_is_counted_ok() -> anyhow::Result<()> {
        let report = run_against_baseline(None, 25).await?;
        assert!(report.ok > 0);
        assert_eq!(report.ok, report.requests);
        assert_eq!(report.transport_errors, 0);
        assert!(report.non_ok.is_empty());
        Ok(())
    }

    #[tokio::test]
    async fn a_paced_run_never_sends_faster_than_its_rate() -> anyhow::Result<()> {
        // 200 events/s over 2 connections: one request per connection every 10 ms, so at
        // most 50 ticks plus the first one each in 500 ms.
        let report = run_against_baseline(Some(200), 1).await?;
        assert!(report.ok > 0);
        assert!(report.requests <= 2 * 51, "{} requests", report.requests);
        Ok(())
    }
}
