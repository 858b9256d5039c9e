//! The one place `store fill` turns a labelled event into a store row. It mirrors what
//! ingest builds (`new_event` and `analytics_extras` in
//! crates/server/src/ingest/pipeline.rs, which keeps them private): when a row changes
//! there, change it here, or better, call a shared builder once ingest exposes one.

use clickwire_enrich::Labels;
use clickwire_model::{analytics_row, AnalyticsExtras, Event};
use clickwire_store::NewEvent;

/// How the event arrived, as ingest would have recorded it.
pub struct Arrival<'a> {
    pub tenant: &'a str,
    /// `evt_` + a ULID of the receive time.
    pub id: String,
    pub received_at: i64,
    /// SHA-256 of the (simulated) client address.
    pub ip_hash: &'a str,
}

/// The row ingest would store for `event` with `labels`, sent with a website key.
pub fn new_event(arrival: Arrival<'_>, event: Event, labels: &Labels) -> anyhow::Result<NewEvent> {
    let analytics = analytics_row(arrival.tenant, &event, &extras(labels, arrival.ip_hash));
    Ok(NewEvent {
        id: arrival.id,
        received_at: arrival.received_at,
        event_type: event.event_type.as_str(),
        payload: serde_json::to_string(&event.payload)?,
        labels: Some(serde_json::to_string(labels)?),
        visitor_id: event.visitor_id,
        session_id: event.session_id,
        timestamp: event.timestamp,
        key_kind: "website",
        // The live-feed frame is never stored: a filled directory has no subscribers yet.
        frame: None,
        analytics,
    })
}

/// The analytics columns that come from the labels (blob7, blob17, double18, double19).
fn extras(labels: &Labels, ip_hash: &str) -> AnalyticsExtras {
    AnalyticsExtras {
        ip_hash: Some(ip_hash.to_owned()),
        device_type: Some(labels.device.device_type.as_str().to_owned()),
        browser: Some(labels.device.browser.clone()),
        os: Some(labels.device.os.clone()),
        bot_category: labels.bot.category.map(|c| c.as_str().to_owned()),
        bot_name: labels.bot.name.clone(),
        bot_score: Some(f64::from(labels.bot.score)),
        is_bot: Some(labels.bot.is_bot),
        ..AnalyticsExtras::default()
    }
}
