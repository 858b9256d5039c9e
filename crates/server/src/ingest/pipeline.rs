//! The shared ingest steps after validation: drop events without analytics consent, turn
//! the rest into store rows (id, payload, analytics columns) and append them durably.

use std::net::IpAddr;

use clickwire_model::{analytics_row, AnalyticsExtras, Event};
use clickwire_store::{AuthKey, NewEvent};
use sha2::{Digest, Sha256};

use crate::{error::ApiError, state::AppState};

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// SHA-256 of the client address: the only form of it that is stored.
pub fn client_ip_hash(ip: IpAddr) -> String {
    hex::encode(Sha256::digest(ip.to_string().as_bytes()))
}

/// What one ingest call did.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    pub received: usize,
    pub accepted: usize,
}

/// Drops unconsented events and appends the rest; resolves after the durable commit.
pub async fn store_events(
    state: &AppState,
    key: &AuthKey,
    events: Vec<Event>,
    ip_hash: String,
    received_at: i64,
) -> Result<Outcome, ApiError> {
    let received = events.len();
    let extras = AnalyticsExtras {
        ip_hash: Some(ip_hash),
        ..AnalyticsExtras::default()
    };
    let rows: Vec<NewEvent> = events
        .into_iter()
        .filter(Event::analytics_allowed)
        .map(|event| new_event(&key.tenant, event, &extras, received_at))
        .collect::<Result<_, _>>()?;
    let accepted = rows.len();
    metrics::counter!("clickwire_events_received_total").increment(received as u64);
    metrics::counter!("clickwire_events_dropped_total", "reason" => "no_consent")
        .increment((received - accepted) as u64);
    if accepted > 0 {
        state
            .events
            .append(&key.tenant, key.source.as_deref(), rows)
            .await?;
    }
    metrics::counter!("clickwire_events_accepted_total").increment(accepted as u64);
    Ok(Outcome { received, accepted })
}

fn new_event(
    tenant: &str,
    event: Event,
    extras: &AnalyticsExtras,
    received_at: i64,
) -> Result<NewEvent, ApiError> {
    let analytics = analytics_row(tenant, &event, extras);
    let payload =
        serde_json::to_string(&event.payload).map_err(|err| ApiError::Internal(err.to_string()))?;
    Ok(NewEvent {
        id: format!("evt_{}", ulid::Ulid::new()),
        received_at,
        event_type: event.event_type.as_str(),
        visitor_id: event.visitor_id,
        session_id: event.session_id,
        timestamp: event.timestamp,
        payload,
        analytics,
    })
}
