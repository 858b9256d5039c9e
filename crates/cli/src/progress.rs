//! How far the CLI's long jobs (`loadgen`, `store fill`, a `subscribe --since` replay) have
//! come, on stderr, so that stdout stays the job's output: a live bar (done, rate, time left)
//! when stderr is a terminal, drawn by `indicatif`; otherwise one plain line every
//! [`PLAIN_EVERY`] while something moved, for logs and CI.

use std::{
    io::IsTerminal,
    sync::atomic::{AtomicU64, Ordering},
    sync::Mutex,
    time::{Duration, Instant},
};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How often a plain line is printed when stderr is not a terminal.
pub const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// What the total is: a count of items, a length of time, or unknown.
#[derive(Debug, Clone, Copy)]
pub enum Goal {
    /// `total` items (time left from the rate so far).
    Items(u64),
    /// A job bounded in time (time left from the clock).
    Time(Duration),
    /// No end known: done and rate only.
    Open,
}

/// A job's progress; shared by reference between the tasks that do the work.
pub struct Progress {
    job: &'static str,
    unit: &'static str,
    goal: Goal,
    done: AtomicU64,
    started: Instant,
    bar: Option<ProgressBar>,
    /// When a plain line was last printed, and the count it showed.
    plain: Mutex<(Instant, u64)>,
}

impl Progress {
    /// Starts the display of `job` counting `unit`s (e.g. "events") towards `goal`.
    pub fn new(job: &'static str, unit: &'static str, goal: Goal) -> Self {
        let started = Instant::now();
        let bar = std::io::stderr()
            .is_terminal()
            .then(|| bar(job, unit, goal));
        Self {
            job,
            unit,
            goal,
            done: AtomicU64::new(0),
            started,
            bar,
            plain: Mutex::new((started, 0)),
        }
    }

    /// Counts `n` more done.
    pub fn add(&self, n: u64) {
        let done = self.done.fetch_add(n, Ordering::Relaxed) + n;
        self.show(done);
    }

    /// Ends the display; the final figures are the job's own report.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    fn show(&self, done: u64) {
        let elapsed = self.started.elapsed();
        if let Some(bar) = &self.bar {
            match self.goal {
                Goal::Items(_) | Goal::Open => bar.set_position(done),
                Goal::Time(_) => {
                    bar.set_position(elapsed.as_millis() as u64);
                    bar.set_message(format!("{done} {}, {}/s", self.unit, rate(done, elapsed)));
                }
            }
            return;
        }
        let Ok(mut plain) = self.plain.lock() else {
            return;
        };
        if plain.0.elapsed() < PLAIN_EVERY || plain.1 == done {
            return;
        }
        *plain = (Instant::now(), done);
        eprintln!("{}", self.line(done, elapsed));
    }

    /// The plain line: `fill: 120000 / 1000000 events, 98000 events/s, 9s left`.
    fn line(&self, done: u64, elapsed: Duration) -> String {
        let per_second = rate(done, elapsed);
        let (of, left) = match self.goal {
            Goal::Items(total) => {
                let rest = total.saturating_sub(done) as f64;
                let left = (per_second > 0.0).then(|| Duration::from_secs_f64(rest / per_second));
                (format!(" / {total}"), left)
            }
            Goal::Time(total) => (String::new(), Some(total.saturating_sub(elapsed))),
            Goal::Open => (String::new(), None),
        };
        let left = left.map_or_else(String::new, |left| format!(", {}s left", left.as_secs()));
        format!(
            "{}: {done}{of} {}, {per_second:.0} {}/s{left}",
            self.job, self.unit, self.unit
        )
    }
}

impl Drop for Progress {
    /// A job that ends early (an error, Ctrl-C) leaves no half-drawn bar behind.
    fn drop(&mut self) {
        self.finish();
    }
}

fn rate(done: u64, elapsed: Duration) -> f64 {
    done as f64 / elapsed.as_secs_f64().max(f64::EPSILON)
}

/// The terminal bar for `goal`.
fn bar(job: &str, unit: &str, goal: Goal) -> ProgressBar {
    let (bar, template) = match goal {
        Goal::Items(total) => (
            ProgressBar::new(total),
            format!(
                "{job}: {{wide_bar}} {{human_pos}}/{{human_len}} {unit}, {{per_sec}}, {{eta}} left"
            ),
        ),
        Goal::Time(total) => (
            ProgressBar::new(total.as_millis() as u64),
            format!("{job}: {{wide_bar}} {{msg}}, {{eta}} left"),
        ),
        Goal::Open => (
            ProgressBar::no_length(),
            format!("{job}: {{spinner}} {{human_pos}} {unit}, {{per_sec}}"),
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(4));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(goal: Goal) -> Progress {
        let mut progress = Progress::new("fill", "events", goal);
        progress.bar = None;
        progress
    }

    #[test]
    fn a_plain_line_tells_done_total_rate_and_time_left() {
        let line = at(Goal::Items(1_000)).line(250, Duration::from_secs(5));
        assert_eq!(line, "fill: 250 / 1000 events, 50 events/s, 15s left");
    }

    #[test]
    fn a_timed_job_counts_down_its_clock_and_an_open_one_tells_no_end() {
        let timed = at(Goal::Time(Duration::from_secs(60))).line(900, Duration::from_secs(9));
        assert_eq!(timed, "fill: 900 events, 100 events/s, 51s left");
        let open = at(Goal::Open).line(10, Duration::from_secs(10));
        assert_eq!(open, "fill: 10 events, 1 events/s");
    }
}
