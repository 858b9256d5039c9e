//! A webhook request as the event that stores it: `{"type":"webhook","method","path",
//! "query","headers","content_type","body","body_encoding","ip_hash"}`. Headers are kept
//! minus the hop-by-hop ones (lowercased; repeated headers joined with `, `); a JSON body
//! is kept as JSON, other UTF-8 as text, anything else as base64. The event belongs to the
//! source (its visitor id is the source id) and is not scored.

use std::sync::Arc;

use axum::http::{HeaderMap, Method};
use base64::Engine;
use clickwire_model::AnalyticsRow;
use clickwire_store::{
    append_committed, AppendBatch, Appended, EventLog, Live, Marks, NewEvent, Source, SourceKind,
    StoreError,
};
use serde_json::{json, Map, Value};

use crate::{error::ApiError, ingest::row::new_event_id, sources::test_sessions::Captured};

/// Headers that describe one hop of the connection, not the request (RFC 9110 § 7.6.1).
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// The stored event type of a webhook.
pub const EVENT_TYPE: &str = "webhook";

/// What is recorded of a request.
pub struct Request<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    /// The keyed hash of the client address.
    pub ip_hash: String,
}

/// Queues the single `event` of `source` in the log at once (so events queued one after
/// another commit in that order); the future resolves after the commit.
pub fn append(
    log: &dyn EventLog,
    tenant: Arc<str>,
    source: &Source,
    event: NewEvent,
) -> Result<impl std::future::Future<Output = Result<Vec<Appended>, StoreError>>, ApiError> {
    let reservation = log.reserve(1)?;
    let batch = AppendBatch {
        tenant,
        source: Some(source.id.as_str().into()),
        events: vec![event],
    };
    Ok(append_committed(log, reservation, batch))
}

/// The event row of `request`, to be appended for `source` (with its dedup key as mark).
/// A test session's capture also gets its stream frame, for the bus to carry.
pub fn new_event(
    tenant: &Arc<str>,
    source: &Source,
    request: &Request<'_>,
    dedup_key: Option<String>,
    received_at: i64,
) -> Result<NewEvent, ApiError> {
    let id = new_event_id();
    let payload = payload(request);
    let internal = |err: serde_json::Error| ApiError::Internal(err.to_string());
    let capture = match source.kind {
        SourceKind::Test => Some(
            Captured::new(&id, &payload, received_at)
                .frame()
                .map_err(internal)?,
        ),
        _ => None,
    };
    let mut analytics = AnalyticsRow {
        index1: tenant.to_string(),
        blobs: Default::default(),
        doubles: [None; 20],
    };
    analytics.blobs[19].clone_from(&request.ip_hash);
    Ok(NewEvent {
        id,
        received_at,
        event_type: EVENT_TYPE,
        visitor_id: source.id.clone(),
        session_id: String::new(),
        timestamp: received_at,
        payload: serde_json::to_string(&payload).map_err(internal)?,
        key_kind: EVENT_TYPE,
        labels: None,
        live: Live {
            method: request.method.as_str().to_owned().into(),
            feed: None,
            capture,
        },
        analytics,
        sealed: None,
        marks: dedup_key.map(|key| {
            Box::new(Marks {
                message_id: Some(key),
                link: None,
            })
        }),
    })
}

fn payload(request: &Request<'_>) -> Value {
    let content_type = request
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (body, encoding) = body(request.body, content_type.as_deref());
    json!({
        "type": EVENT_TYPE,
        "method": request.method.as_str(),
        "path": request.path,
        "query": query(request.query),
        "headers": headers(request.headers),
        "content_type": content_type,
        "body": body,
        "body_encoding": encoding,
        "ip_hash": request.ip_hash,
    })
}

fn headers(headers: &HeaderMap) -> Map<String, Value> {
    let mut out: Map<String, Value> = Map::new();
    for (name, value) in headers {
        let name = name.as_str();
        if HOP_BY_HOP.contains(&name) {
            continue;
        }
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match out.get_mut(name) {
            Some(Value::String(joined)) => {
                joined.push_str(", ");
                joined.push_str(&value);
            }
            _ => {
                out.insert(name.to_owned(), Value::String(value));
            }
        }
    }
    out
}

/// The query string as an object; a repeated parameter becomes an array.
fn query(raw: Option<&str>) -> Map<String, Value> {
    let mut out: Map<String, Value> = Map::new();
    for (name, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let value = Value::String(value.into_owned());
        match out.get_mut(name.as_ref()) {
            Some(Value::Array(items)) => items.push(value),
            Some(first) => {
                let first = first.take();
                out.insert(name.into_owned(), Value::Array(vec![first, value]));
            }
            None => {
                out.insert(name.into_owned(), value);
            }
        }
    }
    out
}

/// The body as JSON (when it says so and is), text (UTF-8) or base64.
fn body(bytes: &[u8], content_type: Option<&str>) -> (Value, &'static str) {
    if bytes.is_empty() {
        return (Value::Null, "none");
    }
    let says_json = content_type.is_some_and(|t| t.contains("json"));
    if says_json {
        if let Ok(value) = serde_json::from_slice::<Value>(bytes) {
            return (value, "json");
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (Value::String(text.to_owned()), "text"),
        Err(_) => (
            Value::String(base64::engine::general_purpose::STANDARD.encode(bytes)),
            "base64",
        ),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn hop_by_hop_headers_are_dropped_and_repeats_joined() {
        let mut map = HeaderMap::new();
        map.insert("connection", HeaderValue::from_static("keep-alive"));
        map.append("x-tag", HeaderValue::from_static("a"));
        map.append("x-tag", HeaderValue::from_static("b"));
        let kept = headers(&map);
        assert!(kept.get("connection").is_none());
        assert_eq!(kept["x-tag"], "a, b");
    }

    #[test]
    fn bodies_are_json_text_or_base64() {
        assert_eq!(
            body(br#"{"a":1}"#, Some("application/json")),
            (json!({"a": 1}), "json")
        );
        assert_eq!(
            body(br#"{"a":1}"#, Some("text/plain")),
            (json!("{\"a\":1}"), "text")
        );
        assert_eq!(
            body(b"not json", Some("application/json")),
            (json!("not json"), "text")
        );
        assert_eq!(body(&[0xff, 0x00], None), (json!("/wA="), "base64"));
        assert_eq!(
            query(Some("a=1&b=2&a=3")),
            json!({"a": ["1", "3"], "b": "2"})
                .as_object()
                .cloned()
                .unwrap_or_default()
        );
    }
}
