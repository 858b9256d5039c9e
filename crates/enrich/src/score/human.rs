//! Human confidence (0–100): how sure the scorer is that a person is behind the session.
//! It starts from a prior and grows with human evidence — engaged time, irregular timing,
//! varied scroll depth, clicks, form interaction, identify — then behavioural bot evidence
//! scales it down and hard automation evidence caps it.
//!
//! ```text
//! raw   = prior + Σ evidence
//! human = min(raw · (1 − behaviour_suppression · behaviour / 100), caps)
//! ```
//!
//! The prior (55) sits just above the contract's `suspicious` line (humanConfidence < 50):
//! a first pageview from an ordinary browser, with no bot evidence, is `human`, as most
//! first pageviews are; a small amount of bot evidence is enough to make it `suspicious`,
//! and it stays well clear of the `isBot` line (< 40). A user agent the parser could not
//! name starts below the line (45), so it is `suspicious` until it behaves like a person.

use serde::{Deserialize, Serialize};

use super::{
    check::{self, Checked},
    config::SECOND_MS,
    scale::{progress, to_score, SCORE_MAX},
    session::SessionState,
    timing::TimingConfig,
    Observation,
};
use crate::KeyPosture;

/// `DeviceSummary::browser` of a user agent the parser could not name.
const UNKNOWN_BROWSER: &str = "Other";

/// Prior, evidence weights, suppression and caps of human confidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HumanConfig {
    /// Starting confidence for a named browser (and for any native/server sender).
    pub prior: f64,
    /// Starting confidence for a browser key whose user agent names no browser.
    pub unknown_browser_prior: f64,
    /// Points for engaged time.
    pub engaged_time_points: f64,
    /// Engaged time that earns all of `engaged_time_points` (1 min).
    pub engaged_time_full_ms: u32,
    /// Points for irregular timing (see `TimingConfig::irregular_cv`).
    pub irregular_timing_points: f64,
    /// Points per scroll mark reached beyond the first (varied scroll depth).
    pub scroll_variety_points: f64,
    /// Most points scroll variety can earn.
    pub scroll_variety_max: f64,
    /// Points per click.
    pub click_points: f64,
    /// Most points clicks can earn.
    pub click_max: f64,
    /// Points per form focus.
    pub form_focus_points: f64,
    /// Points per form submit.
    pub form_submit_points: f64,
    /// Most points form interaction can earn.
    pub form_max: f64,
    /// Points for identifying in the session.
    pub identify_points: f64,
    /// How strongly behavioural bot evidence scales confidence down (1: behaviour 60 leaves
    /// 40 % of it).
    pub behaviour_suppression: f64,
    /// Cap for a user agent in the bot registry (crawler, AI agent, HTTP library under a
    /// browser key): low enough that the match alone makes `isBot` true.
    pub registry_cap: f64,
    /// Cap once `navigator.webdriver` was true.
    pub webdriver_cap: f64,
    /// Cap once the user agent carried headless markers.
    pub headless_cap: f64,
    /// The SDK's automation score lowers the cap: `100 − factor · automation.score`.
    pub automation_cap_factor: f64,
}

impl Default for HumanConfig {
    fn default() -> Self {
        Self {
            prior: 55.0,
            unknown_browser_prior: 45.0,
            engaged_time_points: 15.0,
            engaged_time_full_ms: 60 * SECOND_MS,
            irregular_timing_points: 10.0,
            scroll_variety_points: 4.0,
            scroll_variety_max: 12.0,
            click_points: 4.0,
            click_max: 8.0,
            form_focus_points: 5.0,
            form_submit_points: 10.0,
            form_max: 15.0,
            identify_points: 15.0,
            behaviour_suppression: 1.0,
            registry_cap: 10.0,
            webdriver_cap: 15.0,
            headless_cap: 20.0,
            automation_cap_factor: 1.0,
        }
    }
}

impl HumanConfig {
    pub(crate) fn validate(&self) -> Checked {
        check::weights(
            [
                "human.prior",
                "human.unknown_browser_prior",
                "human.engaged_time_points",
                "human.irregular_timing_points",
                "human.scroll_variety_points",
                "human.scroll_variety_max",
                "human.click_points",
                "human.click_max",
                "human.form_focus_points",
                "human.form_submit_points",
                "human.form_max",
                "human.identify_points",
                "human.registry_cap",
                "human.webdriver_cap",
                "human.headless_cap",
                "human.automation_cap_factor",
            ],
            [
                self.prior,
                self.unknown_browser_prior,
                self.engaged_time_points,
                self.irregular_timing_points,
                self.scroll_variety_points,
                self.scroll_variety_max,
                self.click_points,
                self.click_max,
                self.form_focus_points,
                self.form_submit_points,
                self.form_max,
                self.identify_points,
                self.registry_cap,
                self.webdriver_cap,
                self.headless_cap,
                self.automation_cap_factor,
            ],
        )?;
        check::within(
            "human.behaviour_suppression",
            self.behaviour_suppression,
            0.0,
            1.0,
        )?;
        check::positive(
            "human.engaged_time_full_ms",
            self.engaged_time_full_ms.into(),
        )
    }

    fn prior_for(&self, obs: &Observation<'_>) -> f64 {
        let unnamed = obs.ua.device.browser == UNKNOWN_BROWSER;
        if obs.posture == KeyPosture::Browser && unnamed {
            self.unknown_browser_prior
        } else {
            self.prior
        }
    }

    /// Points for the human evidence of the session.
    fn evidence(&self, timing: &TimingConfig, s: &SessionState) -> f64 {
        let a = &s.activity;
        let time = progress(a.engaged_ms as f64, self.engaged_time_full_ms.into());
        let irregular = s
            .timing
            .variation(timing.human_min_gaps)
            .map_or(0.0, |cv| timing.irregularity(cv));
        let variety = f64::from(a.depth_variety().saturating_sub(1));
        let forms = f64::from(a.form_focuses) * self.form_focus_points
            + f64::from(a.form_submits) * self.form_submit_points;
        let identified = if a.identified {
            self.identify_points
        } else {
            0.0
        };
        self.engaged_time_points * time
            + self.irregular_timing_points * irregular
            + (variety * self.scroll_variety_points).min(self.scroll_variety_max)
            + (f64::from(a.clicks) * self.click_points).min(self.click_max)
            + forms.min(self.form_max)
            + identified
    }
}

/// Human confidence for the session, given its behavioural bot points and whether the user
/// agent is a (non-exempt) registry bot.
pub(crate) fn confidence(
    cfg: &HumanConfig,
    timing: &TimingConfig,
    session: &SessionState,
    obs: &Observation<'_>,
    behaviour: f64,
    registry_bot: bool,
) -> u8 {
    let raw = cfg.prior_for(obs) + cfg.evidence(timing, session);
    let kept = 1.0 - (cfg.behaviour_suppression * progress(behaviour, SCORE_MAX)).clamp(0.0, 1.0);
    let mut cap = session.automation.human_cap(cfg);
    if registry_bot {
        cap = cap.min(cfg.registry_cap);
    }
    to_score((raw * kept).min(cap))
}
