//! Browser-automation evidence of the session: `navigator.webdriver`, the SDK's automation
//! score and signals, and headless markers in the user agent. Sticky for the session: a
//! script that hides `webdriver` on a later event does not clean its record.

use clickwire_model::Device;

use super::{bot::BotConfig, human::HumanConfig, scale::SCORE_MAX};
use crate::ua::UserAgentInfo;

/// The strongest automation evidence seen in the session.
#[derive(Debug, Clone, Default)]
pub(crate) struct AutomationSeen {
    webdriver: bool,
    headless: bool,
    /// Highest `automation.score` (0–100).
    score: f64,
    /// Most `automation.signals` on one event.
    signals: usize,
}

impl AutomationSeen {
    pub(crate) fn record(&mut self, device: &Device, ua: &UserAgentInfo) {
        self.headless |= ua.headless;
        if let Some(a) = &device.automation {
            self.webdriver |= a.webdriver == Some(true);
            self.score = self.score.max(a.score.unwrap_or(0.0));
            self.signals = self.signals.max(a.signals.len());
        }
    }

    /// A browser under remote control (webdriver or headless), rather than a disguised one.
    pub(crate) fn controlled(&self) -> bool {
        self.webdriver || self.headless
    }

    /// Bot evidence: webdriver, headless, automation score, automation signals.
    pub(crate) fn points(&self, cfg: &BotConfig) -> [f64; 4] {
        let flag = |on: bool, points: f64| if on { points } else { 0.0 };
        [
            flag(self.webdriver, cfg.webdriver_points),
            flag(self.headless, cfg.headless_points),
            self.score * cfg.automation_score_factor,
            (self.signals as f64 * cfg.automation_signal_points).min(cfg.automation_signals_max),
        ]
    }

    /// The most human confidence this evidence allows.
    pub(crate) fn human_cap(&self, cfg: &HumanConfig) -> f64 {
        let mut cap = SCORE_MAX - self.score * cfg.automation_cap_factor;
        if self.webdriver {
            cap = cap.min(cfg.webdriver_cap);
        }
        if self.headless {
            cap = cap.min(cfg.headless_cap);
        }
        cap
    }
}
