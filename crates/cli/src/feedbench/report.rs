//! What `feedbench` prints: one report, as text or as one JSON object, and the server's
//! resident memory read from `/proc`.

use std::{collections::BTreeMap, fmt::Write as _};

use anyhow::Context as _;
use hdrhistogram::Histogram;
use serde::Serialize;

use super::{poster::Posted, subscriber::Seen};

/// Latency percentiles in microseconds.
#[derive(Debug, Serialize)]
pub struct Percentiles {
    pub count: u64,
    pub p50_us: u64,
    pub p90_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
}

impl Percentiles {
    fn of(histogram: &Histogram<u64>) -> Self {
        Self {
            count: histogram.len(),
            p50_us: histogram.value_at_quantile(0.50),
            p90_us: histogram.value_at_quantile(0.90),
            p99_us: histogram.value_at_quantile(0.99),
            max_us: histogram.max(),
        }
    }
}

/// Resident memory of the server around the connect phase.
#[derive(Debug, Serialize)]
pub struct Memory {
    pub server_pid: u32,
    pub rss_before_kib: u64,
    pub rss_after_kib: u64,
    /// (after − before) / connected subscribers.
    pub bytes_per_subscriber: f64,
}

impl Memory {
    pub fn new(server_pid: u32, before_kib: u64, after_kib: u64, subscribers: u64) -> Self {
        let grown = after_kib.saturating_sub(before_kib) as f64 * 1024.0;
        Self {
            server_pid,
            rss_before_kib: before_kib,
            rss_after_kib: after_kib,
            bytes_per_subscriber: grown / subscribers.max(1) as f64,
        }
    }
}

/// Everything one run measured.
#[derive(Debug, Serialize)]
pub struct Report {
    #[serde(flatten)]
    pub setup: Setup,
    pub connected: u64,
    pub events_acked: u64,
    pub post_failures: u64,
    pub first_post_failure: Option<String>,
    /// Event frames that arrived inside the window, over all subscribers.
    pub frames: u64,
    pub frames_per_s: f64,
    pub frame_bytes_per_s: f64,
    /// Frames of in-window events that arrived, over events acked × subscribers.
    pub delivered_ratio: Option<f64>,
    pub ack_to_frame: Percentiles,
    pub send_to_frame: Percentiles,
    /// Subscribers the server ended before the run did, by close code.
    pub ended_early: BTreeMap<String, u64>,
}

/// What the run set up, for the report.
#[derive(Debug, Serialize)]
pub struct Setup {
    pub subscribers: u32,
    /// Connect attempts that failed, by first error.
    pub connect_failures: BTreeMap<String, u64>,
    pub connect_s: f64,
    pub memory: Option<Memory>,
    pub rate_target: u64,
    pub batch: u32,
    pub duration_s: f64,
}

impl Report {
    pub fn new(setup: Setup, seen: &[Seen], posted: &Posted) -> anyhow::Result<Self> {
        let mut total = Seen::new()?;
        let mut ended_early = BTreeMap::new();
        for one in seen {
            total.merge(one)?;
            if let Some(code) = &one.ended_early {
                *ended_early.entry(code.clone()).or_insert(0) += 1;
            }
        }
        let connected = seen.len() as u64;
        let expected = posted.acked_in_window * connected;
        let duration_s = setup.duration_s;
        let per_s = |n: u64| {
            if duration_s > 0.0 {
                n as f64 / duration_s
            } else {
                0.0
            }
        };
        Ok(Self {
            setup,
            connected,
            events_acked: posted.acked_in_window,
            post_failures: posted.failed,
            first_post_failure: posted.first_failure.clone(),
            frames: total.frames,
            frames_per_s: per_s(total.frames),
            frame_bytes_per_s: per_s(total.bytes),
            delivered_ratio: (expected > 0)
                .then(|| total.send_to_frame_us.len() as f64 / expected as f64),
            ack_to_frame: Percentiles::of(&total.ack_to_frame_us),
            send_to_frame: Percentiles::of(&total.send_to_frame_us),
            ended_early,
        })
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "subscribers      {} connected of {} in {:.2}s",
            self.connected, self.setup.subscribers, self.setup.connect_s
        );
        for (error, count) in &self.setup.connect_failures {
            let _ = writeln!(out, "  connect failed  {count} × {error}");
        }
        if let Some(memory) = &self.setup.memory {
            let _ = writeln!(
                out,
                "server RSS       {} KiB → {} KiB: {:.0} bytes ({:.2} KiB) per subscriber",
                memory.rss_before_kib,
                memory.rss_after_kib,
                memory.bytes_per_subscriber,
                memory.bytes_per_subscriber / 1024.0
            );
        }
        if self.setup.rate_target > 0 {
            let _ = writeln!(
                out,
                "events           {} acked in {:.1}s (target {}/s, batch {}), {} failed{}",
                self.events_acked,
                self.setup.duration_s,
                self.setup.rate_target,
                self.setup.batch,
                self.post_failures,
                self.first_post_failure
                    .as_deref()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            );
            let _ = writeln!(
                out,
                "frames           {} delivered, {:.0}/s ({:.1} MB/s), delivered ratio {}",
                self.frames,
                self.frames_per_s,
                self.frame_bytes_per_s / 1e6,
                self.delivered_ratio
                    .map_or_else(|| "-".into(), |r| format!("{r:.4}"))
            );
            for (name, p) in [
                ("ack → frame", &self.ack_to_frame),
                ("send → frame", &self.send_to_frame),
            ] {
                let _ = writeln!(
                    out,
                    "{name:<16} p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms  ({} frames)",
                    ms(p.p50_us),
                    ms(p.p90_us),
                    ms(p.p99_us),
                    ms(p.max_us),
                    p.count
                );
            }
        }
        for (code, count) in &self.ended_early {
            let _ = writeln!(out, "ended early      {count} subscriber(s) with {code}");
        }
        out
    }
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

/// `VmRSS` of `pid`, in KiB.
pub fn resident_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("no VmRSS in /proc/{pid}/status"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resident_memory_of_this_process_is_readable() -> anyhow::Result<()> {
        assert!(resident_kib(std::process::id())? > 0);
        Ok(())
    }

    #[test]
    fn memory_per_subscriber_is_the_growth_over_the_subscribers() {
        let memory = Memory::new(1, 1000, 1100, 10);
        assert!((memory.bytes_per_subscriber - 10_240.0).abs() < f64::EPSILON);
    }
}
