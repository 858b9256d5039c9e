//! Confusion (0–100): circular navigation (coming back to a page seen a few pages ago) and
//! rapid page switching (leaving pages within seconds), the two navigation patterns
//! analytics tools report as a visitor not finding their way; decaying with a half-life.
//!
//! `confusion = min(100, Σ wᵢ · 2^(−Δtᵢ / half_life))`.

use serde::{Deserialize, Serialize};

use super::{
    check::{self, Checked},
    config::{MINUTE_MS, SECOND_MS},
    decay::Decaying,
    navigation::PAGE_HISTORY,
    scale::{to_score, SCORE_MAX},
    signals::Signals,
};

/// The navigation rules, weights and decay of confusion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConfusionConfig {
    /// A return to any of this many pages before the previous one is circular (A → B → A
    /// needs 1; the default 5 also catches A → B → C → D → A).
    pub circular_lookback: usize,
    /// Leaving a page sooner than this after arriving is a rapid switch (5 s).
    pub rapid_switch_ms: u32,
    /// A circular pageview.
    pub circular_points: f64,
    /// A rapid switch.
    pub rapid_switch_points: f64,
    /// Confusion halves after this long without a new signal (3 min).
    pub half_life_ms: u32,
}

impl Default for ConfusionConfig {
    fn default() -> Self {
        Self {
            circular_lookback: 5,
            rapid_switch_ms: 5 * SECOND_MS,
            circular_points: 20.0,
            rapid_switch_points: 15.0,
            half_life_ms: 3 * MINUTE_MS,
        }
    }
}

impl ConfusionConfig {
    pub(crate) fn validate(&self) -> Checked {
        check::fits(
            "confusion.circular_lookback",
            self.circular_lookback,
            PAGE_HISTORY - 1,
        )?;
        check::weights(
            ["confusion.circular_points", "confusion.rapid_switch_points"],
            [self.circular_points, self.rapid_switch_points],
        )?;
        check::positive("confusion.half_life_ms", self.half_life_ms.into())
    }
}

/// The session's confusion.
#[derive(Debug, Clone, Default)]
pub(crate) struct Confusion {
    points: Decaying,
}

impl Confusion {
    pub(crate) fn fold(&mut self, cfg: &ConfusionConfig, signals: &Signals, now_ms: i64) {
        let mut gained = 0.0;
        if signals.circular {
            gained += cfg.circular_points;
        }
        if signals.rapid_switch {
            gained += cfg.rapid_switch_points;
        }
        if gained > 0.0 {
            self.points.add(now_ms, cfg.half_life_ms, gained, SCORE_MAX);
        }
    }

    pub(crate) fn score(&self, cfg: &ConfusionConfig, now_ms: i64) -> u8 {
        to_score(self.points.at(now_ms, cfg.half_life_ms))
    }
}
