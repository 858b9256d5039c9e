//! Decision stage (a label): where the visitor stands in the buying funnel — awareness,
//! consideration, evaluation, decision, purchase — from the pages and events of the session
//! and its intent. The stage never moves back within a session, even as intent decays.
//!
//! - purchase: a purchase confirmation;
//! - decision: a checkout, or a form submit together with identify, or intent ≥
//!   `decision_intent`;
//! - evaluation: a demo/trial page, a form submit or identify, or intent ≥
//!   `evaluation_intent`;
//! - consideration: a pricing page, `consideration_pageviews` pageviews, or intent ≥
//!   `consideration_intent`;
//! - awareness otherwise.

use serde::{Deserialize, Serialize};

use super::{
    activity::Activity,
    check::{self, Checked},
    signals::Marks,
};
use crate::DecisionStage;

/// Thresholds of the decision stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StageConfig {
    /// Intent that means consideration.
    pub consideration_intent: u8,
    /// Intent that means evaluation.
    pub evaluation_intent: u8,
    /// Intent that means decision (the contract's "high intent").
    pub decision_intent: u8,
    /// Pageviews in a session that mean consideration: the visitor is comparing.
    pub consideration_pageviews: u32,
}

impl Default for StageConfig {
    fn default() -> Self {
        Self {
            consideration_intent: 15,
            evaluation_intent: 40,
            decision_intent: 70,
            consideration_pageviews: 3,
        }
    }
}

impl StageConfig {
    pub(crate) fn validate(&self) -> Checked {
        check::positive(
            "stage.consideration_pageviews",
            self.consideration_pageviews.into(),
        )?;
        check::within(
            "stage.evaluation_intent",
            self.evaluation_intent.into(),
            self.consideration_intent.into(),
            self.decision_intent.into(),
        )
    }
}

/// The furthest stage the session reached.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stage {
    reached: Option<DecisionStage>,
}

impl Stage {
    /// Moves forward to what the session shows now; returns the stage.
    pub(crate) fn advance(&mut self, cfg: &StageConfig, a: &Activity, intent: u8) -> DecisionStage {
        let now = evidence(cfg, a, intent);
        let stage = self.reached.map_or(now, |reached| reached.max(now));
        self.reached = Some(stage);
        stage
    }
}

fn evidence(cfg: &StageConfig, a: &Activity, intent: u8) -> DecisionStage {
    let seen = |m| a.seen.any(m);
    let submitted = a.form_submits > 0;
    if seen(Marks::PURCHASE) {
        DecisionStage::Purchase
    } else if seen(Marks::CHECKOUT) || (submitted && a.identified) || intent >= cfg.decision_intent
    {
        DecisionStage::Decision
    } else if seen(Marks::DEMO) || submitted || a.identified || intent >= cfg.evaluation_intent {
        DecisionStage::Evaluation
    } else if seen(Marks::PRICING)
        || a.pageviews >= cfg.consideration_pageviews
        || intent >= cfg.consideration_intent
    {
        DecisionStage::Consideration
    } else {
        DecisionStage::Awareness
    }
}
