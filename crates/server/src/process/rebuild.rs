//! Rebuilding a visitor's state from the store: the stored events of the incoming event's
//! session are replayed through the scorer, oldest first, as they were scored at ingest.

use clickwire_enrich::{
    score::{observe, Observation, ScoringConfig, VisitorState},
    ua::UaParser,
};
use clickwire_model::{parse_events, Event, ValidateContext};
use clickwire_store::{EventQuery, EventStore, KeyKind, StoredEvent};

use super::posture;

/// The state `event`'s visitor had before it, as far as the store remembers.
pub async fn rebuild(
    store: &dyn EventStore,
    ua: &UaParser,
    config: &ScoringConfig,
    tenant: &str,
    event: &Event,
    limit: usize,
) -> VisitorState {
    let mut state = VisitorState::default();
    let query = EventQuery {
        tenant: tenant.to_owned(),
        visitor_id: Some(event.visitor_id.clone()),
        session_id: Some(event.session_id.clone()),
        limit,
        ..EventQuery::default()
    };
    let stored = match store.query(query).await {
        Ok(page) => page.events,
        Err(err) => {
            tracing::warn!(error = %err, "could not rebuild a visitor's state; scoring starts afresh");
            return state;
        }
    };
    for past in stored {
        if let Some((event, kind)) = reparse(&past) {
            let observation = Observation {
                event: &event,
                ua: &ua.parse(&event.device.user_agent),
                posture: posture(kind),
            };
            observe(config, &mut state, &observation);
        }
    }
    state
}

/// A stored event as the scorer saw it at ingest (its clock is the time it was received).
fn reparse(stored: &StoredEvent) -> Option<(Event, KeyKind)> {
    let kind = stored.key_kind.parse().ok()?;
    let context = ValidateContext {
        now_ms: stored.received_at,
    };
    let event = parse_events(stored.event.get().as_bytes(), context)
        .ok()?
        .into_iter()
        .next()?;
    Some((event, kind))
}
