//! The shared ingest steps after validation: drop events without analytics consent, label
//! the rest in the process stage, turn them into store rows (id, payload, labels, analytics
//! columns) and append them durably.

use clickwire_enrich::Labels;
use clickwire_model::{analytics_row, AnalyticsExtras, Event};
use clickwire_store::{AuthKey, NewEvent};

use crate::{
    error::ApiError,
    feed::frame::frame_body,
    privacy::{self, Privacy},
    process::{posture, Labelled},
    state::AppState,
};

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// What one ingest call did.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub received: usize,
    pub accepted: usize,
    /// The ids of the stored events, in input order (events without consent have none).
    pub ids: Vec<String>,
}

/// Consent drop → labels → durable append; resolves after the commit.
pub async fn store_events(
    state: &AppState,
    key: &AuthKey,
    mut events: Vec<Event>,
    ip_hash: String,
    received_at: i64,
) -> Result<Outcome, ApiError> {
    let received = events.len();
    events.retain(Event::analytics_allowed);
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
    let labelled = match &state.processor {
        Some(processor) => {
            processor
                .label(&key.tenant, posture(key.kind), events)
                .await?
        }
        None => events
            .into_iter()
            .map(|event| Labelled {
                event,
                labels: None,
            })
            .collect(),
    };
    let rows: Vec<NewEvent> = labelled
        .into_iter()
        .map(|item| new_event(&state.privacy, key, item, &ip_hash, received_at))
        .collect::<Result<_, _>>()?;
    let ids = rows.iter().map(|row| row.id.clone()).collect();
    state
        .events
        .append(&key.tenant, key.source.as_deref(), rows)
        .await?;
    metrics::counter!("clickwire_events_accepted_total").increment(accepted as u64);
    Ok(Outcome {
        received,
        accepted,
        ids,
    })
}

fn new_event(
    privacy: &Privacy,
    key: &AuthKey,
    mut item: Labelled,
    ip_hash: &str,
    received_at: i64,
) -> Result<NewEvent, ApiError> {
    let id = format!("evt_{}", ulid::Ulid::new());
    let protected = privacy::protect(privacy, &key.tenant, &id, &mut item.event)?;
    let mut extras = analytics_extras(item.labels.as_ref(), ip_hash);
    protected.fill(&mut extras);
    let analytics = analytics_row(&key.tenant, &item.event, &extras);
    let payload = to_json(&item.event.payload)?;
    let labels = item.labels.as_ref().map(to_json).transpose()?;
    let frame = item
        .labels
        .as_ref()
        .and_then(|l| frame_body(&item.event, l, received_at));
    let event = item.event;
    Ok(NewEvent {
        id,
        received_at,
        event_type: event.event_type.as_str(),
        visitor_id: event.visitor_id,
        session_id: event.session_id,
        timestamp: event.timestamp,
        payload,
        key_kind: key.kind.as_str(),
        labels,
        frame,
        analytics,
        sealed: protected.sealed,
    })
}

/// The analytics columns that come from the labels (blob7, blob17, double18, double19).
fn analytics_extras(labels: Option<&Labels>, ip_hash: &str) -> AnalyticsExtras {
    let mut extras = AnalyticsExtras {
        ip_hash: Some(ip_hash.to_owned()),
        ..AnalyticsExtras::default()
    };
    if let Some(labels) = labels {
        extras.device_type = Some(labels.device.device_type.as_str().to_owned());
        extras.browser = Some(labels.device.browser.clone());
        extras.os = Some(labels.device.os.clone());
        extras.bot_category = labels.bot.category.map(|c| c.as_str().to_owned());
        extras.bot_name = labels.bot.name.clone();
        extras.bot_score = Some(f64::from(labels.bot.score));
        extras.is_bot = Some(labels.bot.is_bot);
    }
    extras
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|err| ApiError::Internal(err.to_string()))
}
