//! Labels for every web event, computed in the process stage between validation and the
//! durable append. Pure code: no I/O, the clock comes in with the event.
//!
//! - [`ua`]: user agent → browser, OS, device type (uap regexes, cached).
//! - [`bots`]: user agent → known crawler / AI agent / tool, with its category.
//! - [`score`]: per-visitor state → bot score, human confidence, behavioural class and the
//!   eleven behavioural scores, every weight in one [`score::ScoringConfig`].
//! - [`labels`]: the types the rest of clickwire stores and streams.

pub mod bots;
pub mod labels;
pub mod score;
pub mod ua;

pub use labels::{
    BehavioralClass, BotCategory, BotVerdict, DecisionStage, DeviceSummary, DeviceType,
    EmotionalState, KeyPosture, Labels, Scores,
};
