//! Session momentum (−1..1): which way the session is heading. Every event gets a valence
//! (+ for conversions, funnel pages and engaged interactions; − for rage clicks, errors,
//! abandoned forms, confused navigation and cancellation pages) and momentum is its
//! exponentially weighted moving average:
//!
//! `momentum ← (1 − smoothing) · momentum + smoothing · valence`.
//!
//! A convex combination of values in −1..1 stays in −1..1. When an event carries both
//! kinds of signal, the negative one wins: a rage click on the pricing page is not progress.

use clickwire_model::EventType;
use serde::{Deserialize, Serialize};

use super::{
    check::{self, Checked},
    clicks::Rage,
    signals::{Marks, Signals},
};

/// Momentum is published to two decimals (`0.42`).
const HUNDREDTHS: f64 = 100.0;

/// Valences and smoothing of momentum; every valence lies in −1..1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MomentumConfig {
    /// Weight of the newest event (0–1); 0.3 lets about the last six events matter.
    pub smoothing: f64,
    /// A conversion: form submit, identify, purchase.
    pub conversion: f64,
    /// A pricing, demo or checkout page.
    pub funnel: f64,
    /// An engaged interaction: a click, a form focus, a deeper scroll.
    pub interaction: f64,
    /// A plain pageview.
    pub pageview: f64,
    /// A rage click.
    pub rage: f64,
    /// An error page or event.
    pub error: f64,
    /// A form abandon.
    pub abandon: f64,
    /// Circular navigation or a rapid switch.
    pub confusion: f64,
    /// A cancellation page or event.
    pub cancel: f64,
}

impl Default for MomentumConfig {
    fn default() -> Self {
        Self {
            smoothing: 0.3,
            conversion: 1.0,
            funnel: 0.8,
            interaction: 0.4,
            pageview: 0.1,
            rage: -1.0,
            error: -0.8,
            abandon: -0.8,
            confusion: -0.5,
            cancel: -0.6,
        }
    }
}

impl MomentumConfig {
    pub(crate) fn validate(&self) -> Checked {
        check::within("momentum.smoothing", self.smoothing, 0.0, 1.0)?;
        let valences = [
            ("momentum.conversion", self.conversion),
            ("momentum.funnel", self.funnel),
            ("momentum.interaction", self.interaction),
            ("momentum.pageview", self.pageview),
            ("momentum.rage", self.rage),
            ("momentum.error", self.error),
            ("momentum.abandon", self.abandon),
            ("momentum.confusion", self.confusion),
            ("momentum.cancel", self.cancel),
        ];
        valences
            .into_iter()
            .try_for_each(|(field, v)| check::within(field, v, -1.0, 1.0))
    }

    /// The valence of one event: its most negative signal, else its most positive one.
    fn valence(&self, s: &Signals, event_type: EventType) -> f64 {
        let m = s.marks;
        let negatives = [
            (s.rage != Rage::None, self.rage),
            (m.any(Marks::ERROR), self.error),
            (m.any(Marks::FORM_ABANDON), self.abandon),
            (s.circular || s.rapid_switch, self.confusion),
            (m.any(Marks::CANCEL), self.cancel),
        ];
        let engaged = event_type == EventType::Click || m.any(Marks::FORM_FOCUS) || s.deeper_scroll;
        let positives = [
            (m.any(Marks::CONVERSION), self.conversion),
            (m.any(Marks::FUNNEL), self.funnel),
            (engaged, self.interaction),
            (event_type == EventType::Pageview, self.pageview),
        ];
        strongest(&negatives, f64::min)
            .or_else(|| strongest(&positives, f64::max))
            .unwrap_or(0.0)
    }
}

/// The most extreme valence among the signals that are on, by `pick` (min or max).
fn strongest(signals: &[(bool, f64)], pick: fn(f64, f64) -> f64) -> Option<f64> {
    signals
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, valence)| *valence)
        .reduce(pick)
}

/// The session's momentum.
#[derive(Debug, Clone, Default)]
pub(crate) struct Momentum {
    value: f64,
}

impl Momentum {
    pub(crate) fn fold(&mut self, cfg: &MomentumConfig, signals: &Signals, event_type: EventType) {
        let valence = cfg.valence(signals, event_type);
        self.value = (1.0 - cfg.smoothing) * self.value + cfg.smoothing * valence;
    }

    /// −1..1, rounded to hundredths.
    pub(crate) fn value(&self) -> f64 {
        let v = if self.value.is_nan() { 0.0 } else { self.value };
        (v.clamp(-1.0, 1.0) * HUNDREDTHS).round() / HUNDREDTHS
    }
}
