//! [`ScoringConfig`]: every weight, threshold, decay and window of the scoring engine in one
//! typed, documented struct, grouped by the score it tunes (each group lives beside its
//! formula). The defaults are the values `docs/SCORING.md` publishes. A deployment may layer
//! a file over them — every field is optional, unknown ones are refused — and should call
//! [`ScoringConfig::validate`] at start-up.

use serde::{Deserialize, Serialize};

use super::{
    abandonment::AbandonmentConfig, bot::BotConfig, check::Checked, churn::ChurnConfig,
    confusion::ConfusionConfig, emotion::EmotionConfig, engagement::EngagementConfig,
    frustration::FrustrationConfig, human::HumanConfig, intent::IntentConfig,
    keywords::KeywordConfig, momentum::MomentumConfig, readiness::ReadinessConfig,
    stage::StageConfig, timing::TimingConfig, value::ValueConfig, ScoringConfigError,
};

/// One second, in the milliseconds every window and half-life is written in.
pub(crate) const SECOND_MS: u32 = 1_000;
/// One minute in milliseconds.
pub(crate) const MINUTE_MS: u32 = 60 * SECOND_MS;
/// One day in milliseconds.
pub(crate) const DAY_MS: u32 = 24 * 60 * MINUTE_MS;

/// The scoring engine's configuration. Durations are in milliseconds of event time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoringConfig {
    /// More than this long without an event ends the session (30 min, the SDK's own rule),
    /// even when the next event carries the same `sessionId`.
    pub session_idle_ms: u32,
    /// Which pages and custom events are pricing, demo, checkout, purchase, error, cancel.
    pub keywords: KeywordConfig,
    /// When event timing is machine-regular or human-irregular.
    pub timing: TimingConfig,
    /// Evidence weights of `bot.score`.
    pub bot: BotConfig,
    /// Prior, evidence, suppression and caps of human confidence.
    pub human: HumanConfig,
    /// `scores.intent`.
    pub intent: IntentConfig,
    /// `scores.frustration`, including the rage-click rule.
    pub frustration: FrustrationConfig,
    /// `scores.confusion`, including circular navigation and rapid switching.
    pub confusion: ConfusionConfig,
    /// `scores.engagement`.
    pub engagement: EngagementConfig,
    /// `scores.abandonment`.
    pub abandonment: AbandonmentConfig,
    /// `scores.value`.
    pub value: ValueConfig,
    /// `scores.churn`.
    pub churn: ChurnConfig,
    /// `scores.conversionReadiness`.
    pub readiness: ReadinessConfig,
    /// `scores.sessionMomentum`.
    pub momentum: MomentumConfig,
    /// `scores.emotionalState`.
    pub emotion: EmotionConfig,
    /// `scores.decisionStage`.
    pub stage: StageConfig,
}

impl Default for ScoringConfig {
    fn default() -> Self {
        Self {
            session_idle_ms: 30 * MINUTE_MS,
            keywords: KeywordConfig::default(),
            timing: TimingConfig::default(),
            bot: BotConfig::default(),
            human: HumanConfig::default(),
            intent: IntentConfig::default(),
            frustration: FrustrationConfig::default(),
            confusion: ConfusionConfig::default(),
            engagement: EngagementConfig::default(),
            abandonment: AbandonmentConfig::default(),
            value: ValueConfig::default(),
            churn: ChurnConfig::default(),
            readiness: ReadinessConfig::default(),
            momentum: MomentumConfig::default(),
            emotion: EmotionConfig::default(),
            stage: StageConfig::default(),
        }
    }
}

impl ScoringConfig {
    /// Refuses values that would make the scores meaningless: negative or non-finite
    /// weights, zero windows and half-lives, rules that need more history than the state
    /// keeps, empty keywords. Scores stay in range whatever the configuration.
    pub fn validate(&self) -> Result<(), ScoringConfigError> {
        super::check::positive("session_idle_ms", self.session_idle_ms.into())?;
        let parts: [&dyn Fn() -> Checked; 15] = [
            &|| self.keywords.validate(),
            &|| self.timing.validate(),
            &|| self.bot.validate(),
            &|| self.human.validate(),
            &|| self.intent.validate(),
            &|| self.frustration.validate(),
            &|| self.confusion.validate(),
            &|| self.engagement.validate(),
            &|| self.abandonment.validate(),
            &|| self.value.validate(),
            &|| self.churn.validate(),
            &|| self.readiness.validate(),
            &|| self.momentum.validate(),
            &|| self.emotion.validate(),
            &|| self.stage.validate(),
        ];
        parts.iter().try_for_each(|check| check())
    }
}

#[cfg(test)]
mod tests {
    use super::ScoringConfig;
    use crate::score::ScoringConfigError;

    #[test]
    fn the_defaults_are_valid() {
        assert_eq!(ScoringConfig::default().validate(), Ok(()));
    }

    #[test]
    fn a_negative_weight_is_refused_by_name() {
        let mut cfg = ScoringConfig::default();
        cfg.intent.pricing_points = -1.0;
        assert_eq!(
            cfg.validate(),
            Err(ScoringConfigError::NotAWeight {
                field: "intent.pricing_points",
                value: -1.0
            })
        );
    }

    #[test]
    fn a_rule_needing_more_history_than_kept_is_refused() {
        let mut cfg = ScoringConfig::default();
        cfg.frustration.rage_min_clicks = 50;
        assert!(matches!(
            cfg.validate(),
            Err(ScoringConfigError::BeyondHistory { .. })
        ));
    }

    #[test]
    fn a_partial_file_layers_over_the_defaults() {
        let cfg: ScoringConfig =
            serde_json::from_str(r#"{"intent":{"pricing_points":30}}"#).expect("valid config");
        assert_eq!(cfg.intent.pricing_points, 30.0);
        assert_eq!(
            cfg.intent.demo_points,
            ScoringConfig::default().intent.demo_points
        );
        assert!(serde_json::from_str::<ScoringConfig>(r#"{"intnet":{}}"#).is_err());
    }
}
