//! Churn (0–100): the risk that the visitor drifts away, visitor-level. Frustration,
//! disengagement, visits to cancellation or downgrade pages (remembered for days), a long
//! absence before this session (recency, as in RFM), less a loyalty credit for coming back.
//!
//! ```text
//! churn = frustration_weight · frustration + disengagement_weight · (100 − engagement)
//!       + Σ cancel_points · 2^(−Δt / cancel_half_life)
//!       + recency_points · min(1, gap_before_session / recency_full_ms)
//!       − loyalty_points · min(1, (sessions − 1) / loyalty_sessions_full)
//! ```

use serde::{Deserialize, Serialize};

use super::{
    check::{self, Checked},
    config::DAY_MS,
    scale::{progress, to_score, SCORE_MAX},
    scores::Core,
    visitor::VisitorHistory,
};

/// Weights of churn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChurnConfig {
    /// Share of frustration.
    pub frustration_weight: f64,
    /// Share of disengagement (100 − engagement).
    pub disengagement_weight: f64,
    /// A cancellation, downgrade or unsubscribe page or event.
    pub cancel_points: f64,
    /// Cancel points halve after this long (7 days).
    pub cancel_half_life_ms: u32,
    /// Points for a long absence before the current session.
    pub recency_points: f64,
    /// Absence that earns all of `recency_points` (30 days).
    pub recency_full_ms: u32,
    /// Credit for coming back, subtracted.
    pub loyalty_points: f64,
    /// Earlier sessions that earn all of `loyalty_points`.
    pub loyalty_sessions_full: u32,
}

impl Default for ChurnConfig {
    fn default() -> Self {
        Self {
            frustration_weight: 0.3,
            disengagement_weight: 0.25,
            cancel_points: 45.0,
            cancel_half_life_ms: 7 * DAY_MS,
            recency_points: 15.0,
            recency_full_ms: 30 * DAY_MS,
            loyalty_points: 10.0,
            loyalty_sessions_full: 4,
        }
    }
}

impl ChurnConfig {
    pub(crate) fn validate(&self) -> Checked {
        check::weights(
            [
                "churn.frustration_weight",
                "churn.disengagement_weight",
                "churn.cancel_points",
                "churn.recency_points",
                "churn.loyalty_points",
            ],
            [
                self.frustration_weight,
                self.disengagement_weight,
                self.cancel_points,
                self.recency_points,
                self.loyalty_points,
            ],
        )?;
        check::positive("churn.cancel_half_life_ms", self.cancel_half_life_ms.into())?;
        check::positive("churn.recency_full_ms", self.recency_full_ms.into())?;
        check::positive(
            "churn.loyalty_sessions_full",
            self.loyalty_sessions_full.into(),
        )
    }
}

/// The visitor's churn risk now.
pub(crate) fn score(cfg: &ChurnConfig, visitor: &VisitorHistory, core: &Core, now_ms: i64) -> u8 {
    let disengagement = SCORE_MAX - f64::from(core.engagement);
    let absence = visitor.gap_before_session_ms.unwrap_or(0) as f64;
    let recency = progress(absence, cfg.recency_full_ms.into());
    let earlier_sessions = visitor.sessions.saturating_sub(1);
    let loyalty = progress(earlier_sessions.into(), cfg.loyalty_sessions_full.into());
    to_score(
        cfg.frustration_weight * f64::from(core.frustration)
            + cfg.disengagement_weight * disengagement
            + visitor.cancel.at(now_ms, cfg.cancel_half_life_ms)
            + cfg.recency_points * recency
            - cfg.loyalty_points * loyalty,
    )
}
