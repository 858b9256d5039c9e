//! The eleven-field `scores` snapshot, computed from the state after an event was folded
//! in. The five core scores come first because the others are built from them.

use super::{churn, emotion, engagement, readiness, state::VisitorState, value, ScoringConfig};
use crate::{DecisionStage, Scores};

/// The scores the others are built from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Core {
    pub(crate) intent: u8,
    pub(crate) frustration: u8,
    pub(crate) confusion: u8,
    pub(crate) engagement: u8,
    pub(crate) stage: DecisionStage,
    /// Identified in this session.
    pub(crate) identified: bool,
}

/// The visitor's scores at `now_ms`; advances the decision stage.
pub(crate) fn compute(cfg: &ScoringConfig, state: &mut VisitorState, now_ms: i64) -> Scores {
    let session = &mut state.session;
    let intent = session.intent.score(&cfg.intent, now_ms);
    let core = Core {
        intent,
        frustration: session.frustration.score(&cfg.frustration, now_ms),
        confusion: session.confusion.score(&cfg.confusion, now_ms),
        engagement: engagement::score(&cfg.engagement, &session.activity),
        stage: session.stage.advance(&cfg.stage, &session.activity, intent),
        identified: session.activity.identified,
    };
    let session_momentum = session.momentum.value();
    Scores {
        intent: core.intent,
        frustration: core.frustration,
        engagement: core.engagement,
        value: value::score(&cfg.value, &state.visitor, &core),
        churn: churn::score(&cfg.churn, &state.visitor, &core, now_ms),
        abandonment: session.abandonment.score(
            &cfg.abandonment,
            &session.forms,
            &session.activity,
            &core,
            now_ms,
        ),
        conversion_readiness: readiness::score(&cfg.readiness, &core),
        session_momentum,
        confusion: core.confusion,
        emotional_state: emotion::classify(&cfg.emotion, &core, session_momentum),
        decision_stage: core.stage,
    }
}
