//! `clickwire feedbench` (hidden): the Signals Feed benchmark. It opens N WebSocket
//! subscribers to one tenant, optionally posts marked events over HTTP at a fixed rate,
//! and reports frames delivered per second over all subscribers, the latency from an
//! event's 202 (and from its send) to its frame's arrival at each subscriber, and — given
//! the server's pid — the server's resident memory per connected idle subscriber.
//!
//! Like `loadgen` it shares a 2-core machine with the server it measures, so it runs on
//! one thread by default, never parses event frames (the marker is found by a byte scan),
//! and is bounded in time.

mod ledger;
mod poster;
mod report;
mod subscriber;

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use anyhow::{ensure, Context as _};
use clap::value_parser;
use futures::{stream, StreamExt};
use reqwest::Url;
use tokio::time::Instant;

use self::{
    ledger::Ledger,
    poster::{PostPlan, Posted},
    report::{resident_kib, Memory, Report, Setup},
    subscriber::Window,
};
use crate::subscribe::connect::{self, ConnectError, FeedSocket, Target};

/// Longest wait for one subscriber's handshake and hello frame.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, clap::Args)]
pub struct FeedbenchArgs {
    /// The feed's WebSocket URL.
    #[arg(long, default_value = "ws://127.0.0.1:8080/v1/signals/stream")]
    url: String,
    /// Where events are posted; by default `/v1/events` on the feed's host.
    #[arg(long)]
    ingest_url: Option<Url>,
    /// A key of the tenant: it subscribes and it posts.
    #[arg(long, env = "CS_API_KEY", hide_env_values = true)]
    key: String,
    /// Subscribers to open to the tenant.
    #[arg(long, default_value_t = 100, value_parser = value_parser!(u32).range(1..=100_000))]
    subscribers: u32,
    /// Events posted per second over all posters; 0 posts nothing (an idle run).
    #[arg(long, default_value_t = 0)]
    rate: u64,
    /// Events per request: 1 posts a bare event, up to 25 a batch.
    #[arg(long, default_value_t = 1, value_parser = value_parser!(u32).range(1..=25))]
    batch: u32,
    /// Keep-alive HTTP connections that post, each at rate / posters.
    #[arg(long, default_value_t = 4, value_parser = value_parser!(u32).range(1..=256))]
    posters: u32,
    /// Distinct visitors the events are spread over.
    #[arg(long, default_value_t = 100, value_parser = value_parser!(u64).range(1..))]
    visitors: u64,
    /// How long to measure, after the warm-up.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    duration: Duration,
    /// Posting before measuring starts; not counted.
    #[arg(long, default_value = "2s", value_parser = humantime::parse_duration)]
    warmup: Duration,
    /// Reading after the last post, so the last events' frames still arrive.
    #[arg(long, default_value = "1s", value_parser = humantime::parse_duration)]
    drain: Duration,
    /// The server's pid: its VmRSS is read before and after the subscribers connect.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Wait between the last connect and the second memory reading.
    #[arg(long, default_value = "2s", value_parser = humantime::parse_duration)]
    settle: Duration,
    /// Handshakes in flight at once while connecting.
    #[arg(long, default_value_t = 128, value_parser = value_parser!(u32).range(1..=10_000))]
    connect_concurrency: u32,
    /// Read buffer per subscriber socket, in bytes.
    #[arg(long, default_value_t = 4096, value_parser = value_parser!(u32).range(512..))]
    read_buffer: u32,
    /// Tokio worker threads of the benchmark; 1 leaves the other core to the server.
    #[arg(long, default_value_t = 1, value_parser = value_parser!(u16).range(1..=256))]
    threads: u16,
    /// Print the report as one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run(args: FeedbenchArgs) -> anyhow::Result<()> {
    let target = Target::new(&args.url, args.key.clone(), None)?;
    let ingest = match &args.ingest_url {
        Some(url) => url.clone(),
        None => ingest_url(&target)?,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(usize::from(args.threads))
        .enable_all()
        .build()
        .context("building the tokio runtime")?;
    let report = runtime.block_on(bench(&args, &target, ingest))?;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print!("{}", report.to_text());
    }
    Ok(())
}

/// `http://host:port/v1/events` of the feed's server.
fn ingest_url(target: &Target) -> anyhow::Result<Url> {
    let mut url = target.url(None);
    url.set_scheme("http")
        .map_err(|()| anyhow::anyhow!("cannot derive the ingest URL from {url}"))?;
    url.set_path("/v1/events");
    url.set_query(None);
    Ok(url)
}

async fn bench(args: &FeedbenchArgs, target: &Target, ingest: Url) -> anyhow::Result<Report> {
    let rss_before = args.server_pid.map(resident_kib).transpose()?;
    let connecting = Instant::now();
    let (sockets, connect_failures) = connect_all(args, target).await;
    let connect_s = connecting.elapsed().as_secs_f64();
    ensure!(
        !sockets.is_empty(),
        "no subscriber could connect: {connect_failures:?}"
    );
    eprintln!(
        "feedbench: {} of {} subscriber(s) connected in {connect_s:.2}s",
        sockets.len(),
        args.subscribers
    );
    let memory = match (args.server_pid, rss_before) {
        (Some(pid), Some(before)) => {
            tokio::time::sleep(args.settle).await;
            let after = resident_kib(pid)?;
            Some(Memory::new(pid, before, after, sockets.len() as u64))
        }
        _ => None,
    };
    let (seen, posted) = measure(args, ingest, sockets).await?;
    let setup = Setup {
        subscribers: args.subscribers,
        connect_failures,
        connect_s,
        memory,
        rate_target: args.rate,
        batch: args.batch,
        duration_s: args.duration.as_secs_f64(),
    };
    Report::new(setup, &seen, &posted)
}

/// Opens every subscriber, each up to its hello frame; the sockets and, by message, the
/// attempts that failed.
async fn connect_all(
    args: &FeedbenchArgs,
    target: &Target,
) -> (Vec<FeedSocket>, BTreeMap<String, u64>) {
    let config = connect::socket_config(args.read_buffer as usize);
    let attempts = stream::iter(0..args.subscribers)
        .map(|_| connect_one(target, config))
        .buffer_unordered(args.connect_concurrency as usize)
        .collect::<Vec<_>>()
        .await;
    let mut sockets = Vec::with_capacity(attempts.len());
    let mut failures = BTreeMap::new();
    for attempt in attempts {
        match attempt {
            Ok(socket) => sockets.push(socket),
            Err(error) => *failures.entry(error).or_insert(0) += 1,
        }
    }
    (sockets, failures)
}

async fn connect_one(
    target: &Target,
    config: tokio_tungstenite::tungstenite::protocol::WebSocketConfig,
) -> Result<FeedSocket, String> {
    let mut socket = connect::connect(target, None, config, CONNECT_TIMEOUT)
        .await
        .map_err(|e: ConnectError| e.to_string())?;
    // The hello frame says the server has registered the subscriber.
    match tokio::time::timeout(CONNECT_TIMEOUT, socket.next()).await {
        Ok(Some(Ok(_))) => Ok(socket),
        Ok(Some(Err(error))) => Err(error.to_string()),
        Ok(None) => Err("closed before the hello frame".into()),
        Err(_) => Err("no hello frame".into()),
    }
}

/// Runs the subscribers (and the posters, given a rate) through warm-up, window and drain.
async fn measure(
    args: &FeedbenchArgs,
    ingest: Url,
    sockets: Vec<FeedSocket>,
) -> anyhow::Result<(Vec<subscriber::Seen>, Posted)> {
    let ledger = Arc::new(Ledger::new());
    let start = Instant::now();
    let posting = args.rate > 0;
    let measure_start = if posting { start + args.warmup } else { start };
    let measure_end = measure_start + args.duration;
    let window = Window {
        start_ns: ledger.ns_at(measure_start.into_std()),
        end_ns: ledger.ns_at(measure_end.into_std()),
    };
    let stop_at = if posting {
        measure_end + args.drain
    } else {
        measure_end
    };
    let readers: Vec<_> = sockets
        .into_iter()
        .map(|socket| {
            tokio::spawn(subscriber::follow(
                socket,
                Arc::clone(&ledger),
                window,
                stop_at,
            ))
        })
        .collect();
    let mut posted = Posted::default();
    if posting {
        let plan = Arc::new(PostPlan {
            url: ingest,
            key: args.key.clone(),
            batch: args.batch,
            visitors: args.visitors,
            period: Duration::from_secs_f64(
                f64::from(args.posters) * f64::from(args.batch) / args.rate as f64,
            ),
            posters: args.posters,
            start,
            end: measure_end,
            window,
        });
        let posters: Vec<_> = (0..args.posters)
            .map(|id| tokio::spawn(poster::post(Arc::clone(&plan), Arc::clone(&ledger), id)))
            .collect();
        for task in posters {
            posted.merge(task.await.context("a poster panicked")??);
        }
    }
    let mut seen = Vec::with_capacity(readers.len());
    for task in readers {
        seen.push(task.await.context("a subscriber panicked")??);
    }
    Ok((seen, posted))
}
