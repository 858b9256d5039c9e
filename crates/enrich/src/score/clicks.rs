//! Rage clicks: three or more clicks within one second within 30 px of each other (the
//! definition session-replay tools publish; all three numbers are configuration). The
//! session remembers its last few clicks; each new click counts its close neighbours.

use clickwire_model::ClickElement;

use super::{frustration::FrustrationConfig, ring::Ring};

/// How many recent clicks the session remembers (the rage rule can count this many).
pub(crate) const CLICK_HISTORY: usize = 8;

/// What a click means given the clicks before it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Rage {
    /// Not part of a rage cluster.
    #[default]
    None,
    /// Completes a new rage cluster.
    Burst,
    /// Continues a cluster already counted.
    Repeat,
}

#[derive(Debug, Clone, Copy, Default)]
struct Click {
    at_ms: i64,
    x: f64,
    y: f64,
}

/// The session's recent clicks.
#[derive(Debug, Clone, Default)]
pub(crate) struct Clicks {
    recent: Ring<Click, CLICK_HISTORY>,
    /// When the last rage click happened.
    last_rage_ms: Option<i64>,
}

impl Clicks {
    pub(crate) fn on_click(
        &mut self,
        cfg: &FrustrationConfig,
        element: &ClickElement,
        now_ms: i64,
    ) -> Rage {
        // Document coordinates when sent, so a scroll between clicks does not move them.
        let click = Click {
            at_ms: now_ms,
            x: element.page_x.unwrap_or(element.x),
            y: element.page_y.unwrap_or(element.y),
        };
        let window = i64::from(cfg.rage_window_ms);
        let close = |c: &Click| {
            now_ms.saturating_sub(c.at_ms).abs() <= window
                && (c.x - click.x).hypot(c.y - click.y) <= cfg.rage_radius_px
        };
        let neighbours = self.recent.iter().filter(close).count();
        self.recent.push(click);
        if neighbours + 1 < cfg.rage_min_clicks {
            return Rage::None;
        }
        let repeat = self
            .last_rage_ms
            .is_some_and(|at| now_ms.saturating_sub(at).abs() <= window);
        self.last_rage_ms = Some(now_ms);
        if repeat {
            Rage::Repeat
        } else {
            Rage::Burst
        }
    }
}
