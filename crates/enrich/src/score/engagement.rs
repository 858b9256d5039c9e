//! Engagement (0–100), after GA4's engaged session (longer than 10 s, or 2+ pageviews, or
//! a conversion) and its engagement time: engaged time, scroll depth, pages, interactions,
//! and a bonus once the session meets GA4's definition.
//!
//! ```text
//! engagement = time_points        · min(1, engaged_ms / time_full_ms)
//!            + depth_points       · max_depth / 100
//!            + pageview_points    · min(1, pageviews / pageviews_full)
//!            + interaction_points · min(1, interactions / interactions_full)
//!            + engaged_session_points · [GA4 engaged session]
//! ```
//! Engaged time is the sum of the gaps between the session's events, each capped at
//! `active_gap_cap_ms`, so a tab left open is not engagement.

use serde::{Deserialize, Serialize};

use super::{
    activity::Activity,
    check::{self, Checked},
    config::{MINUTE_MS, SECOND_MS},
    scale::{progress, to_score},
};

/// Scroll depth is a percentage of the page.
const FULL_PAGE_PERCENT: f64 = 100.0;

/// Weights and saturation points of engagement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngagementConfig {
    /// A gap between two events counts as engaged time up to this long (30 s); beyond it
    /// the visitor may have left the tab.
    pub active_gap_cap_ms: u32,
    /// Points for engaged time.
    pub time_points: f64,
    /// Engaged time that earns all of `time_points` (3 min).
    pub time_full_ms: u32,
    /// Points for scroll depth, in proportion to the deepest scroll.
    pub depth_points: f64,
    /// Points for pageviews.
    pub pageview_points: f64,
    /// Pageviews that earn all of `pageview_points`.
    pub pageviews_full: u32,
    /// Points for interactions (clicks, scrolls, form events, custom events, identify).
    pub interaction_points: f64,
    /// Interactions that earn all of `interaction_points`.
    pub interactions_full: u32,
    /// Bonus once the session is engaged in GA4's sense.
    pub engaged_session_points: f64,
    /// GA4: a session longer than this (10 s) is engaged.
    pub engaged_session_ms: u32,
    /// GA4: a session with this many pageviews (2) is engaged.
    pub engaged_session_pageviews: u32,
}

impl Default for EngagementConfig {
    fn default() -> Self {
        Self {
            active_gap_cap_ms: 30 * SECOND_MS,
            time_points: 35.0,
            time_full_ms: 3 * MINUTE_MS,
            depth_points: 20.0,
            pageview_points: 15.0,
            pageviews_full: 5,
            interaction_points: 20.0,
            interactions_full: 5,
            engaged_session_points: 10.0,
            engaged_session_ms: 10 * SECOND_MS,
            engaged_session_pageviews: 2,
        }
    }
}

impl EngagementConfig {
    pub(crate) fn validate(&self) -> Checked {
        check::weights(
            [
                "engagement.time_points",
                "engagement.depth_points",
                "engagement.pageview_points",
                "engagement.interaction_points",
                "engagement.engaged_session_points",
            ],
            [
                self.time_points,
                self.depth_points,
                self.pageview_points,
                self.interaction_points,
                self.engaged_session_points,
            ],
        )?;
        check::positive(
            "engagement.active_gap_cap_ms",
            self.active_gap_cap_ms.into(),
        )?;
        check::positive("engagement.time_full_ms", self.time_full_ms.into())?;
        check::positive("engagement.pageviews_full", self.pageviews_full.into())?;
        check::positive(
            "engagement.interactions_full",
            self.interactions_full.into(),
        )
    }
}

/// Engagement of the session so far.
pub(crate) fn score(cfg: &EngagementConfig, a: &Activity) -> u8 {
    let time = progress(a.engaged_ms as f64, cfg.time_full_ms.into());
    let depth = progress(a.max_depth, FULL_PAGE_PERCENT);
    let pages = progress(a.pageviews.into(), cfg.pageviews_full.into());
    let interactions = progress(a.interactions.into(), cfg.interactions_full.into());
    let engaged = if is_engaged_session(cfg, a) { 1.0 } else { 0.0 };
    to_score(
        cfg.time_points * time
            + cfg.depth_points * depth
            + cfg.pageview_points * pages
            + cfg.interaction_points * interactions
            + cfg.engaged_session_points * engaged,
    )
}

/// GA4's engaged session: longer than 10 s, or 2+ pageviews, or a conversion.
pub(crate) fn is_engaged_session(cfg: &EngagementConfig, a: &Activity) -> bool {
    a.engaged_ms > i64::from(cfg.engaged_session_ms)
        || a.pageviews >= cfg.engaged_session_pageviews
        || a.conversions > 0
}
