//! double1..double20 of the analytics mapping.

use super::AnalyticsExtras;
use crate::{detail::EventDetail, event::Event};

/// Every double, in column order; `None` where the event or extras do not say.
pub(super) fn doubles(event: &Event, extras: &AnalyticsExtras) -> [Option<f64>; 20] {
    let mut d = [None; 20];
    // Timestamps are below 2^53, so the cast is exact.
    d[0] = Some(event.timestamp as f64);
    d[3] = Some(event.device.viewport.width);
    d[4] = Some(event.device.viewport.height);
    fill_detail(&mut d, &event.detail);
    d[12] = event.device.fingerprint_confidence;
    // double14 is_vpn, double15 connection_type (a string in the schema), double16/17
    // latitude/longitude and double20 stay None until enrichment provides them.
    [d[17], d[18]] = bot(extras);
    d
}

/// double18 bot_score and double19 is_bot.
pub(super) fn bot(extras: &AnalyticsExtras) -> [Option<f64>; 2] {
    [
        extras.bot_score,
        extras.is_bot.map(|b| if b { 1.0 } else { 0.0 }),
    ]
}

fn fill_detail(d: &mut [Option<f64>; 20], detail: &EventDetail) {
    match detail {
        EventDetail::Scroll {
            depth,
            time_on_page,
        } => {
            d[1] = Some(*depth);
            d[2] = Some(*time_on_page);
        }
        EventDetail::Click { element } => {
            d[5] = Some(element.x);
            d[6] = Some(element.y);
        }
        EventDetail::Form { field_count, .. } => d[7] = Some(*field_count),
        EventDetail::Custom { value, .. } => d[8] = *value,
        EventDetail::Pageview {
            performance: Some(p),
        } => {
            d[9] = p.load_time;
            d[10] = p.dom_content_loaded;
            d[11] = p.first_contentful_paint;
        }
        _ => {}
    }
}
