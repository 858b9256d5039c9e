//! What the scorer remembers about a visitor across sessions: how many sessions, the gap
//! before the current one, whether they ever identified, their conversions, and recent
//! cancellation signals. Value and churn read it; a new session does not reset it.

use super::{churn::ChurnConfig, decay::Decaying, scale::SCORE_MAX, signals::Marks};

/// The visitor's history.
#[derive(Debug, Clone, Default)]
pub(crate) struct VisitorHistory {
    /// Sessions seen, the current one included.
    pub(crate) sessions: u32,
    /// Time between the previous session's last event and this session's first.
    pub(crate) gap_before_session_ms: Option<i64>,
    /// An identify event was seen in any session.
    pub(crate) identified: bool,
    /// Conversions (form submit, identify, purchase) over all sessions.
    pub(crate) conversions: u32,
    /// Cancellation signals, decaying over days.
    pub(crate) cancel: Decaying,
}

impl VisitorHistory {
    /// A session starts at `now_ms`; `last_seen_ms` is the visitor's previous event.
    pub(crate) fn start_session(&mut self, last_seen_ms: Option<i64>, now_ms: i64) {
        self.sessions = self.sessions.saturating_add(1);
        self.gap_before_session_ms = last_seen_ms.map(|last| now_ms.saturating_sub(last).max(0));
    }

    pub(crate) fn fold(&mut self, cfg: &ChurnConfig, marks: Marks, now_ms: i64) {
        self.identified |= marks.any(Marks::IDENTIFY);
        if marks.any(Marks::CONVERSION) {
            self.conversions = self.conversions.saturating_add(1);
        }
        if marks.any(Marks::CANCEL) {
            self.cancel.add(
                now_ms,
                cfg.cancel_half_life_ms,
                cfg.cancel_points,
                SCORE_MAX,
            );
        }
    }
}
