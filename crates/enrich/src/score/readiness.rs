//! Conversion readiness (0–100): how ready the visitor is to convert now. Intent and
//! engagement, how far down the funnel they are, whether they identified, less what stands
//! in the way (frustration, confusion).
//!
//! ```text
//! readiness = intent_weight · intent + engagement_weight · engagement
//!           + stage points (consideration / evaluation / decision / purchase)
//!           + identified_points                       [identified this session]
//!           − frustration_weight · frustration − confusion_weight · confusion
//! ```

use serde::{Deserialize, Serialize};

use super::{
    check::{self, Checked},
    scale::to_score,
    scores::Core,
};
use crate::DecisionStage;

/// Weights of conversion readiness.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReadinessConfig {
    /// Share of intent.
    pub intent_weight: f64,
    /// Share of engagement.
    pub engagement_weight: f64,
    /// At the consideration stage.
    pub consideration_points: f64,
    /// At the evaluation stage.
    pub evaluation_points: f64,
    /// At the decision stage.
    pub decision_points: f64,
    /// At the purchase stage.
    pub purchase_points: f64,
    /// Identified in this session.
    pub identified_points: f64,
    /// Share of frustration, subtracted.
    pub frustration_weight: f64,
    /// Share of confusion, subtracted.
    pub confusion_weight: f64,
}

impl Default for ReadinessConfig {
    fn default() -> Self {
        Self {
            intent_weight: 0.5,
            engagement_weight: 0.2,
            consideration_points: 5.0,
            evaluation_points: 10.0,
            decision_points: 20.0,
            purchase_points: 20.0,
            identified_points: 10.0,
            frustration_weight: 0.3,
            confusion_weight: 0.2,
        }
    }
}

impl ReadinessConfig {
    pub(crate) fn validate(&self) -> Checked {
        check::weights(
            [
                "readiness.intent_weight",
                "readiness.engagement_weight",
                "readiness.consideration_points",
                "readiness.evaluation_points",
                "readiness.decision_points",
                "readiness.purchase_points",
                "readiness.identified_points",
                "readiness.frustration_weight",
                "readiness.confusion_weight",
            ],
            [
                self.intent_weight,
                self.engagement_weight,
                self.consideration_points,
                self.evaluation_points,
                self.decision_points,
                self.purchase_points,
                self.identified_points,
                self.frustration_weight,
                self.confusion_weight,
            ],
        )
    }

    fn stage_points(&self, stage: DecisionStage) -> f64 {
        match stage {
            DecisionStage::Awareness => 0.0,
            DecisionStage::Consideration => self.consideration_points,
            DecisionStage::Evaluation => self.evaluation_points,
            DecisionStage::Decision => self.decision_points,
            DecisionStage::Purchase => self.purchase_points,
        }
    }
}

/// Conversion readiness now.
pub(crate) fn score(cfg: &ReadinessConfig, core: &Core) -> u8 {
    let identified = if core.identified {
        cfg.identified_points
    } else {
        0.0
    };
    to_score(
        cfg.intent_weight * f64::from(core.intent)
            + cfg.engagement_weight * f64::from(core.engagement)
            + cfg.stage_points(core.stage)
            + identified
            - cfg.frustration_weight * f64::from(core.frustration)
            - cfg.confusion_weight * f64::from(core.confusion),
    )
}
