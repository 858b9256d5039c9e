//! Rebuilding a visitor's state from the store: the newest `limit` stored events of the
//! incoming event's session are replayed through the scorer, oldest first, as they were
//! scored at ingest.

use std::sync::Arc;

use clickwire_enrich::{
    score::{observe, Observation, ScoringConfig, VisitorState},
    ua::UaParser,
    Labels,
};
use clickwire_model::{parse_events, signal, Event, ValidateContext};
use clickwire_store::{EventQueries, EventQuery, KeyKind, StoredEvent};

use super::posture;

/// Whose state to rebuild.
pub struct RebuildRequest {
    pub tenant: Arc<str>,
    pub visitor_id: String,
    pub session_id: String,
    /// Most stored events replayed (the newest of the session).
    pub limit: usize,
}

/// The state the visitor had before its waiting events, as far as the store remembers.
pub async fn rebuild(
    store: &dyn EventQueries,
    ua: &UaParser,
    config: &ScoringConfig,
    request: &RebuildRequest,
) -> VisitorState {
    let mut state = VisitorState::default();
    let query = EventQuery {
        tenant: request.tenant.to_string(),
        visitor_id: Some(request.visitor_id.clone()),
        session_id: Some(request.session_id.clone()),
        limit: request.limit,
        newest_first: true,
        ..EventQuery::default()
    };
    let mut stored = match store.query(query).await {
        Ok(page) => page.events,
        Err(err) => {
            tracing::warn!(error = %err, "could not rebuild a visitor's state; scoring starts afresh");
            return state;
        }
    };
    stored.reverse();
    replay(&mut state, &stored, ua, config);
    state
}

/// Scores stored events, oldest first, onto `state` as they were scored at ingest; returns
/// the labels each one gets (`None` for an event that no longer parses).
pub fn replay(
    state: &mut VisitorState,
    stored: &[StoredEvent],
    ua: &UaParser,
    config: &ScoringConfig,
) -> Vec<Option<Labels>> {
    stored
        .iter()
        .map(|past| {
            let (event, kind) = reparse(past)?;
            let observation = Observation {
                event: &event,
                ua: &ua.parse(&event.device.user_agent),
                posture: posture(kind, &event),
            };
            Some(observe(config, state, &observation))
        })
        .collect()
}

/// A stored event as the scorer saw it at ingest (its clock is the time it was received).
fn reparse(stored: &StoredEvent) -> Option<(Event, KeyKind)> {
    let kind: KeyKind = stored.key_kind.parse().ok()?;
    if kind == KeyKind::Pipeline {
        return Some((
            signal::reparse(stored.event.get(), stored.received_at)?,
            kind,
        ));
    }
    let context = ValidateContext {
        now_ms: stored.received_at,
    };
    let event = parse_events(stored.event.get().as_bytes(), context)
        .ok()?
        .into_iter()
        .next()?;
    Some((event, kind))
}
