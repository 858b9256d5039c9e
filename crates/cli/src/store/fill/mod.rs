//! `clickwire store fill`: writes N realistic, labelled events straight into a data
//! directory through the store's own append path (one transaction per `--batch`), for
//! benchmarks on a store that already holds millions of events. Generation runs on
//! `--threads` threads, each a batch ahead of the writer; progress goes to stderr, the
//! result to stdout.
//!
//! The rows are those ingest would store for a website key (see [`row`]); a fresh directory
//! gets its `default` tenant and keys at the server's first start, as usual.

mod generate;
mod row;

use std::{
    path::Path,
    sync::{mpsc, Arc},
    thread,
    time::{Duration, Instant},
};

use anyhow::Context;
use clap::value_parser;
use clickwire_server::{config::SecurityConfig, ingest::now_ms, privacy::Privacy};
use clickwire_store::{
    append_committed,
    sqlite::{SqliteConfig, SqliteEventStore, Synchronous},
    AppendBatch, EventLog, MemoryBus, NewEvent,
};

use self::generate::{Generator, Lane, Plan};
use crate::{
    data::DataArg,
    progress::{Goal, Progress},
};

/// Gap between two events of one session the generator aims for.
const SESSION_EVENT_GAP_MS: u64 = 30_000;

#[derive(Debug, clap::Args)]
pub struct FillArgs {
    #[command(flatten)]
    data: DataArg,
    /// Events to write.
    #[arg(long, value_parser = value_parser!(u64).range(1..))]
    events: u64,
    /// Tenant of the events (it need not exist in the catalog).
    #[arg(long, default_value = "default")]
    tenant: String,
    /// Distinct visitors; by default one per 50 events, at most 1,000,000.
    #[arg(long, value_parser = value_parser!(u32).range(1..=1_000_000))]
    visitors: Option<u32>,
    /// Receive times are spread evenly over this span, ending now (e.g. 30d, 12h).
    #[arg(long, default_value = "30d", value_parser = humantime::parse_duration)]
    span: Duration,
    /// Events per transaction.
    #[arg(long, default_value_t = 20_000, value_parser = value_parser!(u32).range(1..=1_000_000))]
    batch: u32,
    /// Threads generating events (the writer has its own); default: the number of CPUs.
    #[arg(long, value_parser = value_parser!(u32).range(1..=64))]
    threads: Option<u32>,
}

pub fn run(args: FillArgs) -> anyhow::Result<()> {
    let dir = args.data.data.clone();
    let total = args.events;
    let plan = plan(&args);
    let lanes = lanes(&args, &plan);
    let store = open(&dir, args.batch as usize)?;
    // The data directory's own secrets (created on first use, as `serve` would): filled
    // rows are hashed and sealed as ingest would store them.
    let privacy =
        Arc::new(Privacy::load(&SecurityConfig::default(), &dir).context("loading the data keys")?);
    let generators = (0..lanes)
        .map(|index| {
            Generator::new(
                plan.clone(),
                Lane { index, of: lanes },
                Arc::clone(&privacy),
            )
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    let started = Instant::now();
    let (receivers, producers) = spawn_lanes(generators)?;
    let appended = runtime.block_on(append_all(&store, &args.tenant, &receivers, &plan));
    drop(receivers);
    for producer in producers {
        producer
            .join()
            .map_err(|_| anyhow::anyhow!("a generator thread panicked"))??;
    }
    appended?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "wrote {total} events to {} in {secs:.1} s: {:.0} events/s",
        dir.display(),
        total as f64 / secs.max(f64::EPSILON)
    );
    Ok(())
}

/// A generator thread, and where its batches arrive.
type Producer = thread::JoinHandle<anyhow::Result<()>>;
type Batches = mpsc::Receiver<Vec<NewEvent>>;

/// One thread per generator, each handing its batches over a channel one batch deep.
fn spawn_lanes(generators: Vec<Generator>) -> anyhow::Result<(Vec<Batches>, Vec<Producer>)> {
    let mut receivers = Vec::new();
    let mut producers = Vec::new();
    for generator in generators {
        let (tx, rx) = mpsc::sync_channel(1);
        receivers.push(rx);
        let producer = thread::Builder::new()
            .name("fill-generate".into())
            .spawn(move || produce(generator, &tx))?;
        producers.push(producer);
    }
    Ok((receivers, producers))
}

/// Generator threads: `--threads` or the CPUs, at most one per visitor and per batch.
fn lanes(args: &FillArgs, plan: &Plan) -> u64 {
    let cpus = thread::available_parallelism().map_or(1, |n| n.get() as u32);
    let wanted = u64::from(args.threads.unwrap_or(cpus));
    wanted
        .min(u64::from(plan.visitors))
        .min(plan.batches())
        .max(1)
}

fn open(dir: &Path, batch: usize) -> anyhow::Result<SqliteEventStore> {
    let config = SqliteConfig {
        dir: dir.to_owned(),
        synchronous: Synchronous::Normal,
        // Room for the batch being committed and the one queued behind it.
        queue_capacity: 2 * batch,
        max_batch_rows: batch,
        busy_timeout: Duration::from_secs(10),
        readers: 1,
        retention: None,
        read_queue: 64,
    };
    // Nobody subscribes to a fill: its bus has no receivers.
    SqliteEventStore::open(&config, std::sync::Arc::new(MemoryBus::new(1)))
        .with_context(|| format!("opening the store in {}", dir.display()))
}

fn plan(args: &FillArgs) -> Plan {
    let last_ms = now_ms();
    let span_ms = u64::try_from(args.span.as_millis()).unwrap_or(u64::MAX);
    let visitors = args
        .visitors
        .unwrap_or_else(|| (args.events / 50).clamp(1, 1_000_000) as u32);
    // Enough sessions under way that one session's events are about 30 s apart.
    let per_event_ms = (span_ms / args.events).max(1);
    let concurrent = (SESSION_EVENT_GAP_MS / per_event_ms).clamp(8, 10_000) as usize;
    Plan {
        tenant: args.tenant.clone(),
        events: args.events,
        batch: u64::from(args.batch),
        visitors,
        first_ms: last_ms.saturating_sub(i64::try_from(span_ms).unwrap_or(i64::MAX)),
        last_ms,
        concurrent_sessions: concurrent,
    }
}

/// Generates the lane's batches until they are done or the receiver is gone.
fn produce(mut generator: Generator, tx: &mpsc::SyncSender<Vec<NewEvent>>) -> anyhow::Result<()> {
    let numbers: Vec<u64> = generator.batch_numbers().collect();
    for number in numbers {
        if tx.send(generator.batch(number)?).is_err() {
            return Ok(());
        }
    }
    Ok(())
}

/// Appends the plan's batches in order (batch `n` comes from lane `n % lanes`), keeping
/// one queued behind the one being committed, then closes the store (which also flushes
/// the visitor index).
async fn append_all(
    store: &SqliteEventStore,
    tenant: &str,
    lanes: &[Batches],
    plan: &Plan,
) -> anyhow::Result<()> {
    let progress = Progress::new("fill", "events", Goal::Items(plan.events));
    let mut waiting = None;
    for number in 0..plan.batches() {
        // Blocks this (only) thread while the writer thread commits what is queued.
        let lane = &lanes[(number % lanes.len() as u64) as usize];
        let Ok(events) = lane.recv() else {
            anyhow::bail!("a generator stopped early");
        };
        let rows = events.len() as u64;
        let reservation = store.reserve(events.len())?;
        let batch = AppendBatch {
            tenant: tenant.into(),
            source: None,
            events,
        };
        let queued = append_committed(store, reservation, batch);
        if let Some((previous, rows)) = waiting.replace((queued, rows)) {
            previous.await.context("appending a batch")?;
            progress.add(rows);
        }
    }
    if let Some((last, rows)) = waiting {
        last.await.context("appending a batch")?;
        progress.add(rows);
    }
    progress.finish();
    eprintln!(
        "fill: committed {} events; flushing the visitor index",
        plan.events
    );
    store.close().await.context("closing the store")?;
    Ok(())
}
