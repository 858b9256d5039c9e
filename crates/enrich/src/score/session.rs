//! The state of the current session and how one event folds into it. Everything here is
//! reset when a new session starts; every part has a fixed size.

use clickwire_model::{Event, EventDetail};

use super::{
    abandonment::Abandonment, activity::Activity, automation::AutomationSeen, clicks::Clicks,
    confusion::Confusion, forms::Forms, frustration::Frustration, intent::Intent,
    momentum::Momentum, navigation::Navigation, signals::Signals, stage::Stage, timing::Timing,
    ScoringConfig,
};

/// One session's state: tallies, recent history and each score's accumulator.
#[derive(Debug, Clone, Default)]
pub(crate) struct SessionState {
    pub(crate) activity: Activity,
    pub(crate) timing: Timing,
    pub(crate) navigation: Navigation,
    pub(crate) clicks: Clicks,
    pub(crate) forms: Forms,
    pub(crate) automation: AutomationSeen,
    pub(crate) intent: Intent,
    pub(crate) frustration: Frustration,
    pub(crate) confusion: Confusion,
    pub(crate) abandonment: Abandonment,
    pub(crate) momentum: Momentum,
    pub(crate) stage: Stage,
}

impl SessionState {
    /// Folds a scored event into the session; returns what it signalled.
    pub(crate) fn fold(&mut self, cfg: &ScoringConfig, event: &Event) -> Signals {
        let now = event.timestamp;
        let mut signals = Signals::of(event, &cfg.keywords);
        self.timing.record(now);
        self.activity
            .record(event, &mut signals, cfg.engagement.active_gap_cap_ms);
        self.follow(cfg, event, &mut signals);
        self.intent.fold(&cfg.intent, signals.marks, now);
        self.frustration.fold(&cfg.frustration, &signals, now);
        self.confusion.fold(&cfg.confusion, &signals, now);
        self.abandonment.fold(&cfg.abandonment, signals.marks, now);
        self.momentum
            .fold(&cfg.momentum, &signals, event.event_type);
        signals
    }

    /// Navigation, clicks and forms: the history-dependent signals.
    fn follow(&mut self, cfg: &ScoringConfig, event: &Event, signals: &mut Signals) {
        let now = event.timestamp;
        match &event.detail {
            EventDetail::Pageview { .. } => {
                let step = self
                    .navigation
                    .on_pageview(&cfg.confusion, &event.page.path, now);
                signals.circular = step.circular;
                signals.rapid_switch = step.rapid_switch;
            }
            EventDetail::Click { element } => {
                signals.rage = self.clicks.on_click(&cfg.frustration, element, now);
            }
            EventDetail::Form {
                action, form_id, ..
            } => self.forms.record(*action, form_id, now),
            _ => {}
        }
        if signals.interaction {
            self.navigation.on_interaction();
        }
    }
}
