//! Abandonment (0–100): the risk that the visitor leaves a started task. Form abandonment
//! as analytics tools define it (a form focused and not submitted, weighing more the
//! longer it stays open), forms the SDK reports abandoned, a checkout without a purchase,
//! and a share of frustration.
//!
//! ```text
//! abandonment = open_form_points + open_form_growth_points · min(1, open_for / open_form_full_ms)
//!                                                       [while a focused form is unsubmitted]
//!             + Σ form_abandon_points · 2^(−Δt / half_life)
//!             + checkout_open_points                    [checkout seen, no purchase]
//!             + frustration_weight · frustration
//! ```

use serde::{Deserialize, Serialize};

use super::{
    activity::Activity,
    check::{self, Checked},
    config::{MINUTE_MS, SECOND_MS},
    decay::Decaying,
    forms::Forms,
    scale::{progress, to_score, SCORE_MAX},
    scores::Core,
    signals::Marks,
};

/// Weights of abandonment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AbandonmentConfig {
    /// While a focused form is neither submitted nor abandoned.
    pub open_form_points: f64,
    /// Added as the oldest open form stays open, up to all of it after `open_form_full_ms`.
    pub open_form_growth_points: f64,
    /// How long an open form takes to earn all of `open_form_growth_points` (1 min).
    pub open_form_full_ms: u32,
    /// A form the SDK reports abandoned.
    pub form_abandon_points: f64,
    /// Abandon points halve after this long (10 min).
    pub half_life_ms: u32,
    /// A checkout seen in the session with no purchase after it.
    pub checkout_open_points: f64,
    /// Share of frustration that counts as abandonment risk.
    pub frustration_weight: f64,
}

impl Default for AbandonmentConfig {
    fn default() -> Self {
        Self {
            open_form_points: 30.0,
            open_form_growth_points: 20.0,
            open_form_full_ms: 60 * SECOND_MS,
            form_abandon_points: 50.0,
            half_life_ms: 10 * MINUTE_MS,
            checkout_open_points: 25.0,
            frustration_weight: 0.2,
        }
    }
}

impl AbandonmentConfig {
    pub(crate) fn validate(&self) -> Checked {
        check::weights(
            [
                "abandonment.open_form_points",
                "abandonment.open_form_growth_points",
                "abandonment.form_abandon_points",
                "abandonment.checkout_open_points",
                "abandonment.frustration_weight",
            ],
            [
                self.open_form_points,
                self.open_form_growth_points,
                self.form_abandon_points,
                self.checkout_open_points,
                self.frustration_weight,
            ],
        )?;
        check::positive(
            "abandonment.open_form_full_ms",
            self.open_form_full_ms.into(),
        )?;
        check::positive("abandonment.half_life_ms", self.half_life_ms.into())
    }
}

/// Abandoned forms of the session.
#[derive(Debug, Clone, Default)]
pub(crate) struct Abandonment {
    abandoned: Decaying,
}

impl Abandonment {
    pub(crate) fn fold(&mut self, cfg: &AbandonmentConfig, marks: Marks, now_ms: i64) {
        if marks.any(Marks::FORM_ABANDON) {
            self.abandoned
                .add(now_ms, cfg.half_life_ms, cfg.form_abandon_points, SCORE_MAX);
        }
    }

    pub(crate) fn score(
        &self,
        cfg: &AbandonmentConfig,
        forms: &Forms,
        activity: &Activity,
        core: &Core,
        now_ms: i64,
    ) -> u8 {
        let open_form = forms.earliest_open_focus().map_or(0.0, |focused| {
            let open_for = now_ms.saturating_sub(focused) as f64;
            cfg.open_form_points
                + cfg.open_form_growth_points * progress(open_for, cfg.open_form_full_ms.into())
        });
        let checkout_open =
            activity.seen.any(Marks::CHECKOUT) && !activity.seen.any(Marks::PURCHASE);
        let checkout = if checkout_open {
            cfg.checkout_open_points
        } else {
            0.0
        };
        to_score(
            open_form
                + self.abandoned.at(now_ms, cfg.half_life_ms)
                + checkout
                + cfg.frustration_weight * f64::from(core.frustration),
        )
    }
}
