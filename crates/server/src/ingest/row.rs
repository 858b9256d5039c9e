//! Turning an event (and its labels, when scored) into the row the log stores: id,
//! payload, labels, analytics columns and the bytes the bus carries to the live feed.

use std::sync::Arc;

use clickwire_enrich::Labels;
use clickwire_model::{analytics_row, AnalyticsExtras, Event};
use clickwire_store::{KeyKind, Live, NewEvent};

use crate::{error::ApiError, feed::frame::labels_and_frame, privacy::Protected};

/// What every event of one request shares: who sent it, from where, and when.
#[derive(Debug)]
pub struct RowContext {
    pub tenant: Arc<str>,
    pub source: Option<Arc<str>>,
    pub key_kind: KeyKind,
    /// The keyed hash of the client address (never the address itself).
    pub ip_hash: String,
    pub received_at: i64,
    /// How the request arrived (the bus tells live subscribers).
    pub method: &'static str,
}

/// A new event id: `evt_` + a time-ordered ULID.
pub fn new_event_id() -> String {
    format!("evt_{}", ulid::Ulid::new())
}

/// The store row of `event` before it is labelled (its personal fields already sealed, as
/// `protected` says): everything that does not depend on the labels (payload, sealed
/// fields, analytics columns), built on the request's task so that the shard,
/// which scores visitors one at a time, only adds what the labels decide.
pub fn unlabelled_row(
    ctx: &RowContext,
    id: String,
    event: &Event,
    protected: Protected,
) -> Result<NewEvent, ApiError> {
    let mut extras = analytics_extras(None, &ctx.ip_hash);
    protected.fill(&mut extras);
    Ok(NewEvent {
        id,
        received_at: ctx.received_at,
        event_type: event.wire_type,
        visitor_id: event.visitor_id.clone(),
        session_id: event.session_id.clone(),
        timestamp: event.timestamp,
        payload: to_json(&event.payload)?,
        key_kind: ctx.key_kind.as_str(),
        labels: None,
        live: Live {
            method: ctx.method.into(),
            ..Live::default()
        },
        analytics: analytics_row(&ctx.tenant, event, &extras),
        sealed: protected.sealed,
        marks: None,
    })
}

/// Puts `labels` on the row of `event`: the stored labels, the feed frame and the
/// analytics columns that come from them.
pub fn label_row(
    ctx: &RowContext,
    row: &mut NewEvent,
    event: &Event,
    labels: &Labels,
) -> Result<(), ApiError> {
    let (json, frame) = labels_and_frame(event, labels, ctx.received_at)
        .map_err(|err| ApiError::Internal(err.to_string()))?;
    row.labels = Some(json);
    row.live.feed = frame;
    row.analytics
        .set_label_columns(event, &analytics_extras(Some(labels), &ctx.ip_hash));
    Ok(())
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
