//! Intent (0–100): how strongly the session signals a wish to buy or sign up. Points for
//! funnel signals — a pricing, demo or checkout page, a form submit, identify, a purchase —
//! decaying with a half-life; a signal already seen in the session counts a fraction, so
//! reloading the pricing page does not manufacture intent.
//!
//! `intent = min(100, Σ wᵢ · rᵢ · 2^(−Δtᵢ / half_life))`, `rᵢ` = 1 the first time a kind is
//! seen in the session and `repeat_factor` after.

use serde::{Deserialize, Serialize};

use super::{
    check::{self, Checked},
    config::MINUTE_MS,
    decay::Decaying,
    scale::{to_score, SCORE_MAX},
    signals::Marks,
};

/// Weights and decay of intent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IntentConfig {
    /// A pricing or plans page.
    pub pricing_points: f64,
    /// A demo, trial or sign-up page or event.
    pub demo_points: f64,
    /// A cart or checkout page or event.
    pub checkout_points: f64,
    /// A purchase confirmation.
    pub purchase_points: f64,
    /// A form submit.
    pub form_submit_points: f64,
    /// An identify event.
    pub identify_points: f64,
    /// Share of its weight a signal earns when its kind was already seen this session.
    pub repeat_factor: f64,
    /// Intent points halve after this long (15 min: a signal from the start of a long
    /// session still counts, one from yesterday's would not).
    pub half_life_ms: u32,
}

impl Default for IntentConfig {
    fn default() -> Self {
        Self {
            pricing_points: 25.0,
            demo_points: 30.0,
            checkout_points: 40.0,
            purchase_points: 50.0,
            form_submit_points: 25.0,
            identify_points: 20.0,
            repeat_factor: 0.3,
            half_life_ms: 15 * MINUTE_MS,
        }
    }
}

impl IntentConfig {
    fn weights(&self) -> [(Marks, f64); 6] {
        [
            (Marks::PRICING, self.pricing_points),
            (Marks::DEMO, self.demo_points),
            (Marks::CHECKOUT, self.checkout_points),
            (Marks::PURCHASE, self.purchase_points),
            (Marks::FORM_SUBMIT, self.form_submit_points),
            (Marks::IDENTIFY, self.identify_points),
        ]
    }

    pub(crate) fn validate(&self) -> Checked {
        check::weights(
            [
                "intent.pricing_points",
                "intent.demo_points",
                "intent.checkout_points",
                "intent.purchase_points",
                "intent.form_submit_points",
                "intent.identify_points",
            ],
            self.weights().map(|(_, w)| w),
        )?;
        check::within("intent.repeat_factor", self.repeat_factor, 0.0, 1.0)?;
        check::positive("intent.half_life_ms", self.half_life_ms.into())
    }
}

/// The session's intent.
#[derive(Debug, Clone, Default)]
pub(crate) struct Intent {
    points: Decaying,
    /// Kinds of intent signal already seen this session.
    seen: Marks,
}

impl Intent {
    pub(crate) fn fold(&mut self, cfg: &IntentConfig, marks: Marks, now_ms: i64) {
        let gained: f64 = cfg
            .weights()
            .into_iter()
            .filter(|(kind, _)| marks.any(*kind))
            .map(|(kind, points)| {
                let repeat = if self.seen.any(kind) {
                    cfg.repeat_factor
                } else {
                    1.0
                };
                points * repeat
            })
            .sum();
        self.seen.insert(marks);
        if gained > 0.0 {
            self.points.add(now_ms, cfg.half_life_ms, gained, SCORE_MAX);
        }
    }

    pub(crate) fn score(&self, cfg: &IntentConfig, now_ms: i64) -> u8 {
        to_score(self.points.at(now_ms, cfg.half_life_ms))
    }
}
