//! `bot.score` (0–100) and the bot verdict. Independent pieces of evidence — the bot
//! registry match, automation evidence and behaviour — are composed by noisy-OR:
//! `score = 100 · (1 − Π (1 − pᵢ / 100))`, so one strong piece decides and weak pieces add
//! up without passing 100. HTTP-library user agents count under a browser key and are
//! exempt (no points, no category) under a native or server key: the exemption follows
//! the key, never the user agent.

use serde::{Deserialize, Serialize};

use super::{
    behaviour,
    check::{self, Checked},
    class,
    config::SECOND_MS,
    human,
    navigation::PAGEVIEW_HISTORY,
    scale::{noisy_or, to_score},
    session::SessionState,
    Observation, ScoringConfig,
};
use crate::{bots::BotMatch, BotCategory, BotVerdict, KeyPosture};

/// Evidence weights of the bot score, each on the 0–100 scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BotConfig {
    /// A crawler, AI agent or other registry entry: enough alone for class `bot`.
    pub registry_points: f64,
    /// An HTTP library or command-line client under a browser key.
    pub http_library_points: f64,
    /// `navigator.webdriver` was true: enough alone for class `bot`.
    pub webdriver_points: f64,
    /// Headless markers in the user agent.
    pub headless_points: f64,
    /// Points per point of the SDK's `automation.score`.
    pub automation_score_factor: f64,
    /// Points per automation signal the SDK reported.
    pub automation_signal_points: f64,
    /// Most points automation signals can earn.
    pub automation_signals_max: f64,
    /// Machine-regular timing, at CV 0 (see `TimingConfig::regular_cv`).
    pub regular_timing_points: f64,
    /// A pageview burst without interaction.
    pub burst_points: f64,
    /// A burst is this many pageviews ...
    pub burst_pageviews: usize,
    /// ... within this long (10 s), with no interaction since the first of them.
    pub burst_window_ms: u32,
    /// A crawl: this many pageviews in a row without any interaction.
    pub crawl_pageviews: usize,
    /// Points for a crawl.
    pub crawl_points: f64,
}

impl Default for BotConfig {
    fn default() -> Self {
        Self {
            registry_points: 95.0,
            http_library_points: 95.0,
            webdriver_points: 90.0,
            headless_points: 85.0,
            automation_score_factor: 0.9,
            automation_signal_points: 20.0,
            automation_signals_max: 60.0,
            regular_timing_points: 60.0,
            burst_points: 50.0,
            burst_pageviews: 5,
            burst_window_ms: 10 * SECOND_MS,
            crawl_pageviews: 10,
            crawl_points: 45.0,
        }
    }
}

impl BotConfig {
    pub(crate) fn validate(&self) -> Checked {
        check::weights(
            [
                "bot.registry_points",
                "bot.http_library_points",
                "bot.webdriver_points",
                "bot.headless_points",
                "bot.automation_score_factor",
                "bot.automation_signal_points",
                "bot.automation_signals_max",
                "bot.regular_timing_points",
                "bot.burst_points",
                "bot.crawl_points",
            ],
            [
                self.registry_points,
                self.http_library_points,
                self.webdriver_points,
                self.headless_points,
                self.automation_score_factor,
                self.automation_signal_points,
                self.automation_signals_max,
                self.regular_timing_points,
                self.burst_points,
                self.crawl_points,
            ],
        )?;
        check::positive("bot.burst_pageviews", self.burst_pageviews as u64)?;
        check::fits(
            "bot.burst_pageviews",
            self.burst_pageviews,
            PAGEVIEW_HISTORY,
        )?;
        check::positive("bot.crawl_pageviews", self.crawl_pageviews as u64)
    }
}

/// The bot verdict of an event and the human confidence behind it.
#[derive(Debug, Clone)]
pub(crate) struct Assessment {
    pub(crate) verdict: BotVerdict,
    pub(crate) human_confidence: u8,
}

/// Judges the session as it stands after `obs`.
pub(crate) fn assess(
    cfg: &ScoringConfig,
    session: &SessionState,
    obs: &Observation<'_>,
) -> Assessment {
    let registry = registry_match(obs);
    let behaviour = behaviour_points(cfg, session, obs);
    let score = bot_score(cfg, session, registry, behaviour);
    let human_confidence = human::confidence(
        &cfg.human,
        &cfg.timing,
        session,
        obs,
        behaviour,
        registry.is_some(),
    );
    let is_bot = class::is_bot(score, human_confidence);
    let (category, name) = match registry {
        Some(m) => (Some(m.category), Some(m.name.clone())),
        None if is_bot => (Some(unlisted_category(session)), None),
        None => (None, None),
    };
    Assessment {
        verdict: BotVerdict {
            is_bot,
            score,
            category,
            name,
        },
        human_confidence,
    }
}

/// Noisy-OR of the registry match, the automation evidence and behaviour.
fn bot_score(
    cfg: &ScoringConfig,
    session: &SessionState,
    registry: Option<&BotMatch>,
    behaviour: f64,
) -> u8 {
    let registry_points = registry.map_or(0.0, |m| {
        if m.http_library {
            cfg.bot.http_library_points
        } else {
            cfg.bot.registry_points
        }
    });
    let [webdriver, headless, automation, signals] = session.automation.points(&cfg.bot);
    to_score(noisy_or([
        registry_points,
        webdriver,
        headless,
        automation,
        signals,
        behaviour,
    ]))
}

/// Behavioural bot points; none under a native or server key.
fn behaviour_points(cfg: &ScoringConfig, session: &SessionState, obs: &Observation<'_>) -> f64 {
    match obs.posture {
        KeyPosture::Browser => behaviour::points(
            &cfg.bot,
            &cfg.timing,
            &session.timing,
            &session.navigation,
            obs.event.timestamp,
        ),
        KeyPosture::Native => 0.0,
    }
}

/// The registry entry that counts: none for an HTTP library under a native/server key.
fn registry_match<'a>(obs: &Observation<'a>) -> Option<&'a BotMatch> {
    let exempt = |m: &BotMatch| m.http_library && obs.posture == KeyPosture::Native;
    obs.ua.bot.as_deref().filter(|m| !exempt(m))
}

/// A bot the registry does not know: a controlled browser (webdriver, headless) is
/// `automation`; one that hides it and is caught by behaviour is `stealth_bot`.
fn unlisted_category(session: &SessionState) -> BotCategory {
    if session.automation.controlled() {
        BotCategory::Automation
    } else {
        BotCategory::StealthBot
    }
}
