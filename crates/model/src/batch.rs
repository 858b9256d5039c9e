//! The body of `POST /v1/events`: one event object, or `{"events": [...]}` with 1 to
//! [`MAX_BATCH`] events. Every event is validated; the result is all of them or every error.

use serde_json::{Map, Value};

use crate::{
    error::BatchError,
    event::Event,
    limits::MAX_BATCH,
    validate::{path::Path, problem::Problem, report::Report, validate_event, ValidateContext},
};

/// Parses the body of `POST /v1/events`: either one event object or `{"events":[...]}`
/// (1..=25 items). Validates every event; returns all of them typed and normalised, or
/// every error. Paths: a single event uses `"page.url"`; a batch uses `"events[3].page.url"`;
/// a body that is not an object is reported at the root path `""`.
pub fn parse_events(body: &[u8], ctx: ValidateContext) -> Result<Vec<Event>, BatchError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| BatchError::InvalidJson(e.to_string()))?;
    let mut report = Report::default();
    let events = match value {
        Value::Object(mut map) => match map.remove("events") {
            Some(events) => parse_batch(events, ctx, &mut report),
            None => parse_single(map, ctx, &mut report),
        },
        _ => {
            report.push(&Path::Root, Problem::BodyNotObject);
            Vec::new()
        }
    };
    if report.is_empty() {
        Ok(events)
    } else {
        Err(BatchError::Validation(report.into_errors()))
    }
}

fn parse_single(map: Map<String, Value>, ctx: ValidateContext, r: &mut Report) -> Vec<Event> {
    validate_event(Value::Object(map), Path::Root, ctx, r)
        .into_iter()
        .collect()
}

fn parse_batch(events: Value, ctx: ValidateContext, r: &mut Report) -> Vec<Event> {
    let root = Path::Root;
    let path = root.key("events");
    let Value::Array(items) = events else {
        r.push(&path, Problem::NotArray);
        return Vec::new();
    };
    if items.is_empty() {
        r.push(&path, Problem::NoEvents);
        return Vec::new();
    }
    if items.len() > MAX_BATCH {
        r.push(&path, Problem::TooManyEvents(MAX_BATCH));
        return Vec::new();
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        out.extend(validate_event(item, path.index(i), ctx, r));
    }
    out
}
