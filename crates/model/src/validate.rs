//! Validation of one event object: walks the parsed JSON once, records every failing field
//! with its path, and when nothing failed builds the typed [`Event`] and normalises the
//! stored payload.

mod consent;
mod detail;
mod device;
mod envelope;
pub(crate) mod fields;
pub(crate) mod normalise;
mod page;
pub(crate) mod path;
pub(crate) mod problem;
pub(crate) mod report;

use serde_json::Value;

use self::{fields::Obj, path::Path, problem::Problem, report::Report};
use crate::event::Event;

/// Context of validation: the clock, injectable so skew correction is testable.
#[derive(Debug, Clone, Copy)]
pub struct ValidateContext {
    /// The server's current time in milliseconds since the epoch.
    pub now_ms: i64,
}

/// Validates one event found at `path`; `None` when anything failed (all recorded in `r`).
pub(crate) fn validate_event(
    value: Value,
    path: Path<'_>,
    ctx: ValidateContext,
    r: &mut Report,
) -> Option<Event> {
    let Value::Object(mut map) = value else {
        r.push(&path, Problem::NotObject);
        return None;
    };
    let before = r.len();
    let event = check(&Obj::new(&map, path), r);
    if r.len() > before {
        return None;
    }
    let mut event = event?;
    event.timestamp = normalise::correct_skew(event.client_timestamp, ctx.now_ms);
    normalise::normalise_payload(&mut map, event.event_type, event.timestamp);
    event.payload = Value::Object(map);
    Some(event)
}

/// Checks every field; the typed event it returns has an empty payload and no skew
/// correction yet.
fn check(obj: &Obj<'_, '_>, r: &mut Report) -> Option<Event> {
    let event_type = envelope::event_type(obj, r);
    let visitor_id = envelope::id(obj, r, "visitorId");
    let session_id = envelope::id(obj, r, "sessionId");
    let client_timestamp = envelope::timestamp(obj, r);
    let page = page::page(obj, r, device::url_rule(obj));
    let device = device::device(obj, r);
    let consent = consent::consent(obj, r);
    let detail = event_type.and_then(|t| detail::detail(t, obj, r));
    let event_type = event_type?;
    Some(Event {
        event_type,
        wire_type: event_type.as_str(),
        user_id: None,
        visitor_id: visitor_id?,
        session_id: session_id?,
        timestamp: client_timestamp?,
        client_timestamp: client_timestamp?,
        page: page?,
        device: device?,
        consent,
        detail: detail?,
        payload: Value::Null,
    })
}
