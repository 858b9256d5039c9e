//! Emotional state (a label), from the scores, most pressing first: `frustrated` when
//! frustration reaches `frustrated_at`, `confused` when confusion reaches `confused_at`,
//! `positive` when momentum reaches `positive_momentum`, `neutral` otherwise.

use serde::{Deserialize, Serialize};

use super::{
    check::{self, Checked},
    scores::Core,
};
use crate::EmotionalState;

/// Thresholds of the emotional state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmotionConfig {
    /// Frustration at or above which the visitor is `frustrated`.
    pub frustrated_at: u8,
    /// Confusion at or above which the visitor is `confused`.
    pub confused_at: u8,
    /// Momentum at or above which the visitor is `positive`.
    pub positive_momentum: f64,
}

impl Default for EmotionConfig {
    fn default() -> Self {
        Self {
            frustrated_at: 50,
            confused_at: 50,
            positive_momentum: 0.25,
        }
    }
}

impl EmotionConfig {
    pub(crate) fn validate(&self) -> Checked {
        check::within(
            "emotion.positive_momentum",
            self.positive_momentum,
            -1.0,
            1.0,
        )
    }
}

/// The emotional state now.
pub(crate) fn classify(cfg: &EmotionConfig, core: &Core, momentum: f64) -> EmotionalState {
    if core.frustration >= cfg.frustrated_at {
        EmotionalState::Frustrated
    } else if core.confusion >= cfg.confused_at {
        EmotionalState::Confused
    } else if momentum >= cfg.positive_momentum {
        EmotionalState::Positive
    } else {
        EmotionalState::Neutral
    }
}
