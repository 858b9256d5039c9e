//! The scoring engine: folds each event of a visitor into a bounded [`VisitorState`] and
//! returns the event's [`Labels`] — bot score and verdict, human confidence, behavioural
//! class and the eleven behavioural scores. Pure: no I/O, and the only clock is the event's
//! `timestamp`. Every weight, threshold, decay and window is a field of [`ScoringConfig`];
//! `docs/SCORING.md` writes out every formula.
//!
//! One file per score or concern under `score/`: the bot side (`bot`, `automation`,
//! `behaviour`, `human`, `class`), the behavioural scores (`intent`, `frustration`,
//! `confusion`, `engagement`, `abandonment`, `value`, `churn`, `readiness`, `momentum`,
//! `emotion`, `stage`), and the state they read (`state`, `session`, `visitor`, `activity`,
//! `timing`, `navigation`, `clicks`, `forms`).

mod abandonment;
mod activity;
mod automation;
mod behaviour;
mod bot;
mod check;
mod churn;
mod class;
mod clicks;
mod config;
mod confusion;
mod decay;
mod emotion;
mod engagement;
mod forms;
mod frustration;
mod hash;
mod human;
mod intent;
mod keywords;
mod momentum;
mod navigation;
mod readiness;
mod ring;
mod scale;
mod scores;
mod session;
mod signals;
mod stage;
mod state;
mod timing;
mod value;
mod visitor;

use clickwire_model::{Event, EventType};

pub use self::{
    abandonment::AbandonmentConfig,
    bot::BotConfig,
    check::ScoringConfigError,
    churn::ChurnConfig,
    class::{behavioral_class, is_bot},
    config::ScoringConfig,
    confusion::ConfusionConfig,
    emotion::EmotionConfig,
    engagement::EngagementConfig,
    frustration::FrustrationConfig,
    human::HumanConfig,
    intent::IntentConfig,
    keywords::KeywordConfig,
    momentum::MomentumConfig,
    readiness::ReadinessConfig,
    stage::StageConfig,
    state::VisitorState,
    timing::TimingConfig,
    value::ValueConfig,
};
use crate::{ua::UserAgentInfo, KeyPosture, Labels};

/// One event as the scorer sees it.
#[derive(Debug, Clone, Copy)]
pub struct Observation<'a> {
    pub event: &'a Event,
    /// What the event's user agent parsed to (including its bot registry match).
    pub ua: &'a UserAgentInfo,
    /// What the key that sent the event says about its sender.
    pub posture: KeyPosture,
}

/// Folds the event into the state and returns the event's labels. Unscored events
/// (`_consent_transition`) get `scores: None` but still a bot verdict and device summary,
/// and do not move the behavioural state.
pub fn observe(config: &ScoringConfig, state: &mut VisitorState, obs: &Observation<'_>) -> Labels {
    let event = obs.event;
    state.enter(config, event);
    state.session.automation.record(&event.device, obs.ua);
    let scores = is_scored(event.event_type).then(|| {
        let signals = state.session.fold(config, event);
        state
            .visitor
            .fold(&config.churn, signals.marks, event.timestamp);
        scores::compute(config, state, event.timestamp)
    });
    let assessment = bot::assess(config, &state.session, obs);
    let human_confidence = assessment.human_confidence;
    Labels {
        behavioral_class: behavioral_class(assessment.verdict.score, human_confidence),
        bot: assessment.verdict,
        human_confidence,
        device: obs.ua.device.clone(),
        scores,
        has_identified: state.session.activity.identified,
    }
}

/// Events that describe the visitor's behaviour; a consent change is bookkeeping.
fn is_scored(event_type: EventType) -> bool {
    event_type != EventType::ConsentTransition
}
