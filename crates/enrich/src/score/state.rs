//! [`VisitorState`]: everything the scorer keeps about one visitor — the visitor's history
//! across sessions and the current session — and the session boundary: a new `sessionId`,
//! or more than `session_idle_ms` since the visitor's last event, starts a new session.

use clickwire_model::Event;

use super::{session::SessionState, visitor::VisitorHistory, ScoringConfig};

/// Per-visitor state of the current session. Bounded: fixed-size rings and counters, no
/// collection grows with the number of events. Keep one per visitor id.
#[derive(Debug, Clone, Default)]
pub struct VisitorState {
    /// The current session's id; its buffer is reused when the session changes.
    session_id: Option<String>,
    /// Latest event time seen (events older than it arrive out of order).
    last_seen_ms: Option<i64>,
    pub(crate) visitor: VisitorHistory,
    pub(crate) session: SessionState,
}

impl VisitorState {
    /// The current session's id; `None` before the first event.
    pub fn session_id(&self) -> Option<&str> {
        self.session_id.as_deref()
    }

    /// Timestamp of the latest event observed; `None` before the first event.
    pub fn last_seen_ms(&self) -> Option<i64> {
        self.last_seen_ms
    }

    /// Opens `event`'s session when it is not the current one, and moves the clock.
    pub(crate) fn enter(&mut self, cfg: &ScoringConfig, event: &Event) {
        let now = event.timestamp;
        let idle = self
            .last_seen_ms
            .is_some_and(|last| now.saturating_sub(last) > i64::from(cfg.session_idle_ms));
        if idle || self.session_id() != Some(event.session_id.as_str()) {
            self.start_session(&event.session_id, now);
        }
        self.last_seen_ms = Some(self.last_seen_ms.map_or(now, |last| last.max(now)));
    }

    fn start_session(&mut self, id: &str, now_ms: i64) {
        self.visitor.start_session(self.last_seen_ms, now_ms);
        self.session = SessionState::default();
        match &mut self.session_id {
            Some(current) => {
                current.clear();
                current.push_str(id);
            }
            None => self.session_id = Some(id.to_owned()),
        }
    }
}
