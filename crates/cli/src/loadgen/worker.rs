//! One load-generator connection: a task with its own HTTP/1.1 keep-alive client that
//! sends one request at a time, as fast as answers come or at the pace `--rate` sets, and
//! counts what happened in its own [`Stats`] so connections never contend on a lock.

use std::{
    error::Error as _,
    sync::Arc,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use anyhow::Context as _;
use reqwest::{header::HeaderMap, Client, Url};
use tokio::time::{interval_at, Interval, MissedTickBehavior};

use super::{
    events::{now_digits, Body},
    report::{Outcome, Stats},
};
use crate::progress::Progress;

/// A request that gets no answer in this time counts as a transport error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Pause after a transport error so a refused connection does not become a busy loop.
const ERROR_BACKOFF: Duration = Duration::from_millis(10);

/// What every connection shares: where to send, what to send and when to stop.
pub struct Plan {
    pub url: Url,
    /// `Content-Type`, and `X-API-Key` / `Origin` when given; set once per client.
    pub headers: HeaderMap,
    pub pool: Vec<Body>,
    pub connections: u32,
    /// When the run (warm-up included) began.
    pub start: Instant,
    /// Requests sent from here on are counted.
    pub measure_start: Instant,
    /// No request is sent from here on.
    pub measure_end: Instant,
    /// Time between two sends of one connection when `--rate` paces the run.
    pub period: Option<Duration>,
    /// Events answered so far, shown on stderr while the run lasts.
    pub progress: Progress,
}

impl Plan {
    /// A ticker for connection `id`, offset so that paced connections do not fire
    /// together.
    fn pacer(&self, id: u32) -> Option<Interval> {
        let period = self.period?;
        let offset = period.mul_f64(f64::from(id) / f64::from(self.connections));
        let first = tokio::time::Instant::from_std(self.start + offset);
        let mut ticker = interval_at(first, period);
        // A late answer delays the next send instead of causing a catch-up burst.
        ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
        Some(ticker)
    }

    /// Where connection `id` starts walking the pool, so connections send different
    /// bodies at the same moment.
    fn first_body(&self, id: u32) -> usize {
        let stride = (self.pool.len() / self.connections as usize).max(1);
        id as usize * stride
    }
}

/// Runs connection `id` until the plan's end and returns what it measured.
pub async fn run_connection(plan: Arc<Plan>, id: u32) -> anyhow::Result<Stats> {
    let client = http_client(&plan.headers)?;
    let mut pacer = plan.pacer(id);
    let mut stats = Stats::new()?;
    let mut next = plan.first_body(id);
    loop {
        if let Some(pacer) = pacer.as_mut() {
            pacer.tick().await;
        }
        let body = &plan.pool[next % plan.pool.len()];
        next += 1;
        let payload = body.render(&timestamp_now()?);
        let sent_at = Instant::now();
        if sent_at >= plan.measure_end {
            break;
        }
        let outcome = match send(&client, &plan.url, payload).await {
            Ok(status) => Outcome::Status(status),
            Err(error) => {
                stats.note_error(|| describe(&error));
                Outcome::Transport
            }
        };
        if sent_at >= plan.measure_start {
            stats.record(outcome, sent_at, body.events, body.len());
        }
        plan.progress.add(u64::from(body.events));
        if matches!(outcome, Outcome::Transport) {
            tokio::time::sleep(ERROR_BACKOFF).await;
        }
    }
    Ok(stats)
}

/// One client per connection with a pool of one: every request of this task rides the
/// same keep-alive connection, so `--connections` is the number of sockets.
fn http_client(headers: &HeaderMap) -> anyhow::Result<Client> {
    Client::builder()
        .http1_only()
        .no_proxy()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(1)
        .timeout(REQUEST_TIMEOUT)
        .default_headers(headers.clone())
        .build()
        .context("building the HTTP client")
}

/// Posts one body and reads the whole answer; the status once the body is read.
async fn send(client: &Client, url: &Url, payload: bytes::Bytes) -> reqwest::Result<u16> {
    let response = client.post(url.clone()).body(payload).send().await?;
    let status = response.status().as_u16();
    response.bytes().await?;
    Ok(status)
}

/// Epoch milliseconds as the 13 digits spliced into every event.
fn timestamp_now() -> anyhow::Result<[u8; 13]> {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("the clock is before 1970")?
        .as_millis();
    let millis = u64::try_from(millis).context("the clock is past the year 2286")?;
    now_digits(millis).context("epoch milliseconds no longer have 13 digits")
}

/// The error with its causes: reqwest's own message alone rarely says "refused".
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
