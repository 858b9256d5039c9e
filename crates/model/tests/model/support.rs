//! Fixtures shared by the test modules: a valid event per type and helpers to parse one and
//! look at its errors.

use clickwire_model::{parse_events, BatchError, Event, FieldError, ValidateContext};
use serde_json::{json, Value};

/// The fixed "server clock" of the tests; fixture timestamps are 1 s before it.
pub const NOW: i64 = 1_713_797_640_000;

pub fn ctx() -> ValidateContext {
    ValidateContext { now_ms: NOW }
}

/// A valid web pageview, the contract's example.
pub fn pageview() -> Value {
    json!({
        "type": "pageview",
        "visitorId": "vis_abc123",
        "sessionId": "sess_xyz456",
        "timestamp": NOW - 1_000,
        "page": {
            "url": "https://example.com/docs/getting-started",
            "path": "/docs/getting-started",
            "title": "Getting started"
        },
        "device": { "userAgent": "Mozilla/5.0", "viewport": { "width": 1280, "height": 800 } }
    })
}

/// A valid event of `kind`: the pageview envelope plus the fields that type requires.
pub fn event(kind: &str) -> Value {
    let mut e = pageview();
    e["type"] = json!(kind);
    let extra = match kind {
        "click" => json!({"element": {"selector": "#buy", "text": "Buy", "x": 10, "y": 20}}),
        "scroll" => json!({"depth": 50, "timeOnPage": 1200}),
        "form" => json!({"action": "submit", "formId": "signup", "fieldCount": 3}),
        "custom" => json!({"name": "docs_filter_changed"}),
        "identify" => json!({"hem": "a".repeat(64)}),
        _ => json!({}),
    };
    merge(&mut e, extra);
    e
}

/// Shallow-merges the keys of `extra` into `target`.
pub fn merge(target: &mut Value, extra: Value) {
    if let (Some(t), Value::Object(x)) = (target.as_object_mut(), extra) {
        t.extend(x);
    }
}

/// Parses `body` as a request body.
pub fn parse(body: &Value) -> Result<Vec<Event>, BatchError> {
    parse_events(body.to_string().as_bytes(), ctx())
}

/// Parses a single event that must be valid.
pub fn accept(body: &Value) -> Event {
    match parse(body) {
        Ok(mut events) if events.len() == 1 => events.remove(0),
        other => panic!("expected one valid event, got {other:?}"),
    }
}

/// Parses a body that must fail validation; returns its field errors.
pub fn refuse(body: &Value) -> Vec<FieldError> {
    match parse(body) {
        Err(BatchError::Validation(errors)) => errors,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// The errors of a refused body as `"path: message"` lines.
pub fn lines(body: &Value) -> Vec<String> {
    refuse(body)
        .into_iter()
        .map(|e| format!("{}: {}", e.path, e.message))
        .collect()
}

/// The paths of the errors of a refused body.
pub fn paths(body: &Value) -> Vec<String> {
    refuse(body).into_iter().map(|e| e.path).collect()
}

/// Removes `key` (dot-separated) from `value`.
pub fn remove(value: &mut Value, key: &str) {
    let (parent, last) = match key.rsplit_once('.') {
        Some((p, l)) => (pointer_mut(value, p), l),
        None => (Some(value), key),
    };
    if let Some(Value::Object(map)) = parent {
        map.remove(last);
    }
}

/// Sets `key` (dot-separated, parents must exist) of `value`.
pub fn set(value: &mut Value, key: &str, new: Value) {
    let (parent, last) = match key.rsplit_once('.') {
        Some((p, l)) => (pointer_mut(value, p), l),
        None => (Some(value), key),
    };
    if let Some(Value::Object(map)) = parent {
        map.insert(last.to_owned(), new);
    }
}

fn pointer_mut<'a>(value: &'a mut Value, dotted: &str) -> Option<&'a mut Value> {
    value.pointer_mut(&format!("/{}", dotted.replace('.', "/")))
}
