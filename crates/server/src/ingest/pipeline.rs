//! The shared ingest steps after validation: drop events without analytics consent, take
//! room in the log for the rest (a full log refuses them here, before anything is scored),
//! seal their personal fields, then either hand them to the process stage, which labels
//! each visitor's events and appends them in the order it scored them, or append them
//! unlabelled. Resolves after the commit.

use std::sync::Arc;

use clickwire_model::Event;
use clickwire_store::{append_committed, AppendBatch, AuthKey, Marks};

use super::row::{new_event_id, unlabelled_row, RowContext};
use crate::{error::ApiError, privacy, state::AppState};

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// How one request's events arrived.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// The keyed hash of the client address (never the address itself).
    pub ip_hash: String,
    pub received_at: i64,
    /// `POST` for the HTTP collectors, `WEBSOCKET` for a feed subscriber's event frame.
    pub method: &'static str,
}

/// What one ingest call did.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub received: usize,
    pub accepted: usize,
    /// The ids of the stored events, in input order (events without consent have none).
    pub ids: Vec<String>,
}

/// Consent drop → reservation → sealing → labels → durable append; resolves after the
/// commit.
pub async fn store_events(
    state: &AppState,
    key: &AuthKey,
    events: Vec<Event>,
    arrival: Arrival,
) -> Result<Outcome, ApiError> {
    let events = events.into_iter().map(|event| (event, None)).collect();
    store_marked(state, key, events, arrival).await
}

/// [`store_events`] for events that each may carry [`Marks`] committed with them.
pub async fn store_marked(
    state: &AppState,
    key: &AuthKey,
    mut events: Vec<(Event, Option<Box<Marks>>)>,
    arrival: Arrival,
) -> Result<Outcome, ApiError> {
    let received = events.len();
    events.retain(|(event, _)| event.analytics_allowed());
    let accepted = events.len();
    metrics::counter!("clickwire_events_received_total").increment(received as u64);
    metrics::counter!("clickwire_events_dropped_total", "reason" => "no_consent")
        .increment((received - accepted) as u64);
    if accepted == 0 {
        return Ok(Outcome {
            received,
            accepted,
            ids: Vec::new(),
        });
    }
    let reservation = state.log.reserve(accepted)?;
    let ctx = Arc::new(RowContext {
        tenant: key.tenant.as_str().into(),
        source: key.source.as_deref().map(Into::into),
        key_kind: key.kind,
        ip_hash: arrival.ip_hash,
        received_at: arrival.received_at,
        method: arrival.method,
    });
    let ids: Vec<String> = (0..accepted).map(|_| new_event_id()).collect();
    let mut rows = Vec::with_capacity(accepted);
    let mut typed = Vec::with_capacity(accepted);
    for (id, (mut event, marks)) in ids.iter().zip(events) {
        let protected = privacy::protect(&state.privacy, &ctx.tenant, id, &mut event)?;
        let mut row = unlabelled_row(&ctx, id.clone(), &event, protected)?;
        row.marks = marks;
        rows.push(row);
        typed.push(event);
    }
    match &state.processor {
        Some(processor) => {
            let events = rows.into_iter().zip(typed).collect();
            processor.label_and_append(ctx, reservation, events).await?;
        }
        None => {
            let batch = AppendBatch {
                tenant: Arc::clone(&ctx.tenant),
                source: ctx.source.clone(),
                events: rows,
            };
            append_committed(state.log.as_ref(), reservation, batch).await?;
        }
    }
    metrics::counter!("clickwire_events_accepted_total").increment(accepted as u64);
    Ok(Outcome {
        received,
        accepted,
        ids,
    })
}
