//! What the load generator measured: per-connection counters that are merged once at the
//! end (no shared state on the hot path), and the report printed as text or JSON.

use std::{
    collections::BTreeMap,
    fmt::Write as _,
    time::{Duration, Instant},
};

use hdrhistogram::Histogram;
use serde::Serialize;

/// Highest latency the histogram tracks exactly; slower answers are clamped to it.
const MAX_LATENCY_US: u64 = 60_000_000;

/// How one request ended.
#[derive(Debug, Clone, Copy)]
pub enum Outcome {
    /// The server answered with this status and the whole body was read.
    Status(u16),
    /// Connect, write, read or timeout failure: no status to count.
    Transport,
}

impl Outcome {
    fn is_ok(self) -> bool {
        matches!(self, Outcome::Status(200 | 202))
    }
}

/// Counters of one connection (or, after [`Stats::merge`], of all of them).
pub struct Stats {
    latency_us: Histogram<u64>,
    sent: u64,
    ok: u64,
    ok_events: u64,
    bytes: u64,
    non_ok: BTreeMap<u16, u64>,
    transport_errors: u64,
    /// The first transport error, kept so a refused connection is explained once.
    first_error: Option<String>,
    last_done: Option<Instant>,
}

impl Stats {
    pub fn new() -> anyhow::Result<Self> {
        Ok(Self {
            latency_us: Histogram::new_with_bounds(1, MAX_LATENCY_US, 3)?,
            sent: 0,
            ok: 0,
            ok_events: 0,
            bytes: 0,
            non_ok: BTreeMap::new(),
            transport_errors: 0,
            first_error: None,
            last_done: None,
        })
    }

    /// Counts one measured request, sent at `sent_at` and answered just now, that carried
    /// `events` events in `bytes` bytes.
    pub fn record(&mut self, outcome: Outcome, sent_at: Instant, events: u32, bytes: usize) {
        let done = Instant::now();
        let latency = done.saturating_duration_since(sent_at);
        self.sent += 1;
        self.bytes += bytes as u64;
        self.last_done = Some(self.last_done.map_or(done, |last| last.max(done)));
        match outcome {
            Outcome::Status(_) if outcome.is_ok() => {
                self.ok += 1;
                self.ok_events += u64::from(events);
                let micros = u64::try_from(latency.as_micros()).unwrap_or(MAX_LATENCY_US);
                self.latency_us.saturating_record(micros.max(1));
            }
            Outcome::Status(code) => *self.non_ok.entry(code).or_default() += 1,
            Outcome::Transport => self.transport_errors += 1,
        }
    }

    /// Keeps the first transport error's message for the report.
    pub fn note_error(&mut self, message: impl FnOnce() -> String) {
        if self.first_error.is_none() {
            self.first_error = Some(message());
        }
    }

    /// Folds another connection's counters into this one.
    pub fn merge(&mut self, other: Stats) -> anyhow::Result<()> {
        self.latency_us.add(&other.latency_us)?;
        self.sent += other.sent;
        self.ok += other.ok;
        self.ok_events += other.ok_events;
        self.bytes += other.bytes;
        for (code, count) in other.non_ok {
            *self.non_ok.entry(code).or_default() += count;
        }
        self.transport_errors += other.transport_errors;
        self.first_error = self.first_error.take().or(other.first_error);
        self.last_done = self.last_done.max(other.last_done);
        Ok(())
    }

    /// The time from the start of measurement to the last counted answer: requests sent
    /// just before the end are counted, so the window stretches to cover their answers.
    pub fn window(&self, measure_start: Instant, nominal: Duration) -> Duration {
        self.last_done
            .map_or(nominal, |last| {
                last.saturating_duration_since(measure_start)
            })
            .max(nominal)
    }
}

/// How the run was set up, echoed in the report.
#[derive(Debug, Serialize)]
pub struct Setup {
    pub url: String,
    pub connections: u32,
    pub batch: u32,
    pub threads: u16,
    pub rate_target: Option<u64>,
    pub warmup_s: f64,
    pub duration_s: f64,
}

/// Latency percentiles of OK requests, microseconds.
#[derive(Debug, Serialize)]
pub struct Latency {
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub p999: u64,
    pub max: u64,
    pub mean: f64,
}

/// The result of one run; `--json` prints exactly this.
#[derive(Debug, Serialize)]
pub struct Report {
    #[serde(flatten)]
    pub setup: Setup,
    pub window_s: f64,
    pub requests: u64,
    pub ok: u64,
    /// Answers other than 200/202, by status code.
    pub non_ok: BTreeMap<u16, u64>,
    pub transport_errors: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_error: Option<String>,
    pub req_per_s: f64,
    pub events_per_s: f64,
    pub bytes_per_request: u64,
    pub latency_us: Latency,
}

impl Report {
    pub fn new(setup: Setup, stats: &Stats, window: Duration) -> Self {
        let seconds = window.as_secs_f64();
        let h = &stats.latency_us;
        Self {
            setup,
            window_s: seconds,
            requests: stats.sent,
            ok: stats.ok,
            non_ok: stats.non_ok.clone(),
            transport_errors: stats.transport_errors,
            first_error: stats.first_error.clone(),
            req_per_s: stats.ok as f64 / seconds,
            events_per_s: stats.ok_events as f64 / seconds,
            bytes_per_request: stats.bytes.checked_div(stats.sent).unwrap_or(0),
            latency_us: Latency {
                p50: h.value_at_quantile(0.50),
                p90: h.value_at_quantile(0.90),
                p99: h.value_at_quantile(0.99),
                p999: h.value_at_quantile(0.999),
                max: h.max(),
                mean: h.mean(),
            },
        }
    }

    /// A few aligned lines for a person reading a terminal.
    pub fn to_text(&self) -> String {
        let s = &self.setup;
        let pacing = s.rate_target.map_or("max throughput".to_string(), |rate| {
            format!("paced at {rate} events/s")
        });
        let l = &self.latency_us;
        let mut out = String::new();
        let _ = writeln!(out, "target      {}", s.url);
        let _ = writeln!(
            out,
            "load        {} connections, batch {}, {pacing}, {} thread(s), {:.1}s warm-up",
            s.connections, s.batch, s.threads, s.warmup_s
        );
        let _ = writeln!(
            out,
            "requests    {} sent, {} OK, {} non-OK{}, {} transport errors",
            self.requests,
            self.ok,
            self.non_ok.values().sum::<u64>(),
            self.non_ok_detail(),
            self.transport_errors
        );
        if let Some(error) = &self.first_error {
            let _ = writeln!(out, "first error {error}");
        }
        let _ = writeln!(
            out,
            "throughput  {:.0} req/s, {:.0} events/s (OK only, over {:.2}s)",
            self.req_per_s, self.events_per_s, self.window_s
        );
        let _ = writeln!(out, "body        {} bytes/request", self.bytes_per_request);
        if self.ok == 0 {
            let _ = writeln!(out, "latency     n/a (no OK answer)");
        } else {
            let _ = writeln!(
                out,
                "latency     p50 {}  p90 {}  p99 {}  p99.9 {}  max {}",
                ms(l.p50),
                ms(l.p90),
                ms(l.p99),
                ms(l.p999),
                ms(l.max)
            );
        }
        out
    }

    /// ` (429: 12, 503: 3)`, or nothing when every answer was OK.
    fn non_ok_detail(&self) -> String {
        if self.non_ok.is_empty() {
            return String::new();
        }
        let codes: Vec<String> = self
            .non_ok
            .iter()
            .map(|(code, count)| format!("{code}: {count}"))
            .collect();
        format!(" ({})", codes.join(", "))
    }
}

fn ms(micros: u64) -> String {
    format!("{:.2} ms", micros as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_stats_count_ok_non_ok_and_transport_errors_apart() -> anyhow::Result<()> {
        let mut a = Stats::new()?;
        let ago = |micros| Instant::now() - Duration::from_micros(micros);
        a.record(Outcome::Status(202), ago(800), 25, 18_000);
        a.record(Outcome::Status(429), ago(90), 25, 18_000);
        let mut b = Stats::new()?;
        b.record(Outcome::Status(200), ago(1200), 25, 18_000);
        b.record(Outcome::Transport, ago(5), 25, 18_000);
        a.merge(b)?;
        let start = Instant::now() - Duration::from_secs(2);
        let report = Report::new(setup(), &a, a.window(start, Duration::from_secs(2)));
        assert_eq!(
            (report.requests, report.ok, report.transport_errors),
            (4, 2, 1)
        );
        assert_eq!(report.non_ok.get(&429), Some(&1));
        assert!(
            (report.events_per_s - 25.0).abs() < 1.0,
            "{}",
            report.events_per_s
        );
        assert!(report.latency_us.max >= 1200, "{}", report.latency_us.max);
        Ok(())
    }

    fn setup() -> Setup {
        Setup {
            url: "http://127.0.0.1:8081/v1/events".into(),
            connections: 2,
            batch: 25,
            threads: 1,
            rate_target: None,
            warmup_s: 0.0,
            duration_s: 2.0,
        }
    }
}
