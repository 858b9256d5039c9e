//! Value (0–100): what the visitor is worth to the site, visitor-level. Current intent and
//! engagement, whether they ever identified, their conversions over all sessions, and
//! whether they come back.
//!
//! ```text
//! value = intent_weight · intent + engagement_weight · engagement
//!       + identified_points                              [ever identified]
//!       + conversion_points · min(1, conversions / conversions_full)
//!       + returning_points  · min(1, (sessions − 1) / returning_sessions_full)
//! ```

use serde::{Deserialize, Serialize};

use super::{
    check::{self, Checked},
    scale::{progress, to_score},
    scores::Core,
    visitor::VisitorHistory,
};

/// Weights of value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ValueConfig {
    /// Share of intent.
    pub intent_weight: f64,
    /// Share of engagement.
    pub engagement_weight: f64,
    /// A visitor who ever identified.
    pub identified_points: f64,
    /// Points for conversions over all sessions.
    pub conversion_points: f64,
    /// Conversions that earn all of `conversion_points`.
    pub conversions_full: u32,
    /// Points for coming back.
    pub returning_points: f64,
    /// Earlier sessions that earn all of `returning_points`.
    pub returning_sessions_full: u32,
}

impl Default for ValueConfig {
    fn default() -> Self {
        Self {
            intent_weight: 0.3,
            engagement_weight: 0.2,
            identified_points: 20.0,
            conversion_points: 20.0,
            conversions_full: 3,
            returning_points: 10.0,
            returning_sessions_full: 4,
        }
    }
}

impl ValueConfig {
    pub(crate) fn validate(&self) -> Checked {
        check::weights(
            [
                "value.intent_weight",
                "value.engagement_weight",
                "value.identified_points",
                "value.conversion_points",
                "value.returning_points",
            ],
            [
                self.intent_weight,
                self.engagement_weight,
                self.identified_points,
                self.conversion_points,
                self.returning_points,
            ],
        )?;
        check::positive("value.conversions_full", self.conversions_full.into())?;
        check::positive(
            "value.returning_sessions_full",
            self.returning_sessions_full.into(),
        )
    }
}

/// The visitor's value now.
pub(crate) fn score(cfg: &ValueConfig, visitor: &VisitorHistory, core: &Core) -> u8 {
    let identified = if visitor.identified || core.identified {
        cfg.identified_points
    } else {
        0.0
    };
    let conversions = progress(visitor.conversions.into(), cfg.conversions_full.into());
    let earlier_sessions = visitor.sessions.saturating_sub(1);
    let returning = progress(earlier_sessions.into(), cfg.returning_sessions_full.into());
    to_score(
        cfg.intent_weight * f64::from(core.intent)
            + cfg.engagement_weight * f64::from(core.engagement)
            + identified
            + cfg.conversion_points * conversions
            + cfg.returning_points * returning,
    )
}
