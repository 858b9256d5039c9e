//! Turning a labelled event into the row ingest would store for it, with ingest's own row
//! builder (`clickwire_server::ingest::row`), as sent with a website key.

use std::sync::Arc;

use clickwire_enrich::Labels;
use clickwire_model::Event;
use clickwire_server::{
    ingest::row::{label_row, unlabelled_row, RowContext},
    privacy::{self, Privacy},
};
use clickwire_store::{KeyKind, NewEvent};

/// How the event arrived, as ingest would have recorded it.
pub struct Arrival<'a> {
    pub tenant: &'a str,
    /// `evt_` + a ULID of the receive time.
    pub id: String,
    pub received_at: i64,
    /// The hash of the (simulated) client address.
    pub ip_hash: &'a str,
}

/// The row ingest would store for `event` with `labels` (personal fields sealed).
pub fn new_event(
    arrival: Arrival<'_>,
    mut event: Event,
    labels: &Labels,
    privacy: &Privacy,
) -> anyhow::Result<NewEvent> {
    let ctx = RowContext {
        tenant: Arc::from(arrival.tenant),
        source: None,
        key_kind: KeyKind::Website,
        ip_hash: arrival.ip_hash.to_owned(),
        received_at: arrival.received_at,
        method: "POST",
    };
    let protected = privacy::protect(privacy, arrival.tenant, &arrival.id, &mut event)?;
    let mut row = unlabelled_row(&ctx, arrival.id, &event, protected)?;
    label_row(&ctx, &mut row, &event, labels)?;
    // The live-feed frame is never stored: a filled directory has no subscribers yet.
    row.live.feed = None;
    Ok(row)
}
