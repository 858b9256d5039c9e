//! The rhythm of a session: the gaps between its events, kept in a ring and summarised as a
//! coefficient of variation (CV = σ / μ). Scripts tick like clocks (CV near 0); people
//! read, hesitate and burst (CV near or above 1, as inter-event times of human activity
//! are heavy-tailed). The same measure is bot evidence at one end and human evidence at
//! the other.

use serde::{Deserialize, Serialize};

use super::{
    check::{self, Checked},
    ring::Ring,
};

/// How many gaps the session remembers.
pub(crate) const GAP_HISTORY: usize = 16;
/// A CV needs at least two gaps to mean anything.
const MIN_GAPS_FOR_CV: usize = 2;

/// When timing counts as machine-regular or as human-irregular.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TimingConfig {
    /// Gaps needed before regular timing counts as bot evidence (six gaps = seven events:
    /// a short human session must not be judged on three clicks).
    pub bot_min_gaps: usize,
    /// Gaps needed before irregular timing counts as human evidence.
    pub human_min_gaps: usize,
    /// CV at or below which timing starts to look machine-made; bot evidence grows
    /// linearly from nothing here to full at CV 0.
    pub regular_cv: f64,
    /// CV at or above which timing is fully human-irregular; human evidence grows linearly
    /// from `regular_cv` to here.
    pub irregular_cv: f64,
}

impl Default for TimingConfig {
    fn default() -> Self {
        Self {
            bot_min_gaps: 6,
            human_min_gaps: 3,
            regular_cv: 0.25,
            irregular_cv: 1.0,
        }
    }
}

impl TimingConfig {
    pub(crate) fn validate(&self) -> Checked {
        check::fits("timing.bot_min_gaps", self.bot_min_gaps, GAP_HISTORY)?;
        check::fits("timing.human_min_gaps", self.human_min_gaps, GAP_HISTORY)?;
        check::weight("timing.regular_cv", self.regular_cv)?;
        check::within(
            "timing.irregular_cv",
            self.irregular_cv,
            self.regular_cv,
            f64::MAX,
        )
    }

    /// Bot evidence of a CV: 1 at CV 0, falling to 0 at `regular_cv`.
    pub(crate) fn regularity(&self, cv: f64) -> f64 {
        1.0 - super::scale::progress(cv, self.regular_cv)
    }

    /// Human evidence of a CV: 0 at `regular_cv`, rising to 1 at `irregular_cv`.
    pub(crate) fn irregularity(&self, cv: f64) -> f64 {
        super::scale::progress(cv - self.regular_cv, self.irregular_cv - self.regular_cv)
    }
}

/// The gaps between the session's events.
#[derive(Debug, Clone, Default)]
pub(crate) struct Timing {
    /// Latest event time seen.
    last_ms: Option<i64>,
    /// Positive gaps, newest first. Events in the same millisecond (a batch whose clock was
    /// replaced by the server's) and out-of-order events carry no rhythm and are skipped.
    gaps: Ring<u32, GAP_HISTORY>,
}

impl Timing {
    pub(crate) fn record(&mut self, now_ms: i64) {
        if let Some(last) = self.last_ms {
            let gap = now_ms.saturating_sub(last);
            if gap > 0 {
                self.gaps.push(u32::try_from(gap).unwrap_or(u32::MAX));
            }
        }
        self.last_ms = Some(self.last_ms.map_or(now_ms, |last| last.max(now_ms)));
    }

    /// The coefficient of variation of the remembered gaps, once there are `min_gaps`.
    pub(crate) fn variation(&self, min_gaps: usize) -> Option<f64> {
        let n = self.gaps.len();
        if n < min_gaps.max(MIN_GAPS_FOR_CV) {
            return None;
        }
        let count = n as f64;
        let mean = self.gaps.iter().map(f64::from).sum::<f64>() / count;
        let variance = self
            .gaps
            .iter()
            .map(|g| (f64::from(g) - mean).powi(2))
            .sum::<f64>()
            / count;
        Some(variance.sqrt() / mean)
    }
}

#[cfg(test)]
mod tests {
    use super::{Timing, TimingConfig};

    #[test]
    fn a_clockwork_session_has_no_variation() {
        let mut t = Timing::default();
        for i in 0..8 {
            t.record(i * 1_000);
        }
        assert_eq!(t.variation(6), Some(0.0));
        assert_eq!(TimingConfig::default().regularity(0.0), 1.0);
    }

    #[test]
    fn same_millisecond_events_are_not_rhythm() {
        let mut t = Timing::default();
        for _ in 0..8 {
            t.record(5_000);
        }
        assert_eq!(t.variation(2), None);
    }

    #[test]
    fn irregular_gaps_read_as_human() {
        let mut t = Timing::default();
        for at in [0, 400, 9_000, 9_800, 31_000, 33_000] {
            t.record(at);
        }
        let cv = t.variation(3).expect("five gaps");
        assert!(cv > 0.9, "cv {cv}");
        assert!(TimingConfig::default().irregularity(cv) > 0.8);
    }
}
