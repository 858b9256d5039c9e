//! Frustration (0–100): rage clicks, error pages or events, and abandoned forms, decaying
//! with a half-life so a bad minute fades when the session recovers.
//!
//! `frustration = min(100, Σ wᵢ · 2^(−Δtᵢ / half_life))` over: a new rage cluster
//! (`rage_burst_points`), each further click in it (`rage_repeat_points`), an error
//! (`error_points`), a form abandon (`form_abandon_points`).

use serde::{Deserialize, Serialize};

use super::{
    check::{self, Checked},
    clicks::{Rage, CLICK_HISTORY},
    config::{MINUTE_MS, SECOND_MS},
    decay::Decaying,
    scale::{to_score, SCORE_MAX},
    signals::{Marks, Signals},
};

/// The rage-click rule, weights and decay of frustration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FrustrationConfig {
    /// Clicks that make a rage cluster (3).
    pub rage_min_clicks: usize,
    /// ... all within this long of each other (1 s).
    pub rage_window_ms: u32,
    /// ... and within this many CSS pixels of each other (30 px).
    pub rage_radius_px: f64,
    /// The click that completes a new rage cluster.
    pub rage_burst_points: f64,
    /// Each further click of the same cluster.
    pub rage_repeat_points: f64,
    /// An error page or error event.
    pub error_points: f64,
    /// A form the SDK reports abandoned.
    pub form_abandon_points: f64,
    /// Frustration halves after this long without a new signal (5 min).
    pub half_life_ms: u32,
}

impl Default for FrustrationConfig {
    fn default() -> Self {
        Self {
            rage_min_clicks: 3,
            rage_window_ms: SECOND_MS,
            rage_radius_px: 30.0,
            rage_burst_points: 40.0,
            rage_repeat_points: 10.0,
            error_points: 20.0,
            form_abandon_points: 15.0,
            half_life_ms: 5 * MINUTE_MS,
        }
    }
}

impl FrustrationConfig {
    pub(crate) fn validate(&self) -> Checked {
        check::positive("frustration.rage_min_clicks", self.rage_min_clicks as u64)?;
        check::fits(
            "frustration.rage_min_clicks",
            self.rage_min_clicks,
            CLICK_HISTORY + 1,
        )?;
        check::weights(
            [
                "frustration.rage_radius_px",
                "frustration.rage_burst_points",
                "frustration.rage_repeat_points",
                "frustration.error_points",
                "frustration.form_abandon_points",
            ],
            [
                self.rage_radius_px,
                self.rage_burst_points,
                self.rage_repeat_points,
                self.error_points,
                self.form_abandon_points,
            ],
        )?;
        check::positive("frustration.half_life_ms", self.half_life_ms.into())
    }
}

/// The session's frustration.
#[derive(Debug, Clone, Default)]
pub(crate) struct Frustration {
    points: Decaying,
}

impl Frustration {
    pub(crate) fn fold(&mut self, cfg: &FrustrationConfig, signals: &Signals, now_ms: i64) {
        let rage = match signals.rage {
            Rage::None => 0.0,
            Rage::Burst => cfg.rage_burst_points,
            Rage::Repeat => cfg.rage_repeat_points,
        };
        let marks = signals.marks;
        let error = if marks.any(Marks::ERROR) {
            cfg.error_points
        } else {
            0.0
        };
        let abandon = if marks.any(Marks::FORM_ABANDON) {
            cfg.form_abandon_points
        } else {
            0.0
        };
        let gained = rage + error + abandon;
        if gained > 0.0 {
            self.points.add(now_ms, cfg.half_life_ms, gained, SCORE_MAX);
        }
    }

    pub(crate) fn score(&self, cfg: &FrustrationConfig, now_ms: i64) -> u8 {
        to_score(self.points.at(now_ms, cfg.half_life_ms))
    }
}
