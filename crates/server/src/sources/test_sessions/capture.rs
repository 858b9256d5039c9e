//! A captured request as a test session shows it: `{"id","method","path","query",
//! "headers","body","body_encoding","content_type","received_at"}`, read from the stored
//! webhook event — by `GET /v1/test/sessions/{id}` from the store, and by the test-session
//! stream from the payload at ingest, inside the frame
//! `{"type":"event","channel":"test","data":…}` that the bus carries once per capture.

use bytes::Bytes;
use clickwire_model::signal::format_iso;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// One captured request.
#[derive(Debug, Serialize, ToSchema)]
pub struct Captured {
    id: String,
    #[schema(value_type = String)]
    method: Value,
    #[schema(value_type = String)]
    path: Value,
    /// The query string as an object; a repeated parameter is an array.
    #[schema(value_type = Object)]
    query: Value,
    #[schema(value_type = Object)]
    headers: Value,
    /// The body as JSON (when it says so and is), text (UTF-8) or base64, as
    /// `body_encoding` says.
    #[schema(value_type = Object)]
    body: Value,
    #[schema(value_type = String)]
    body_encoding: Value,
    #[schema(value_type = Option<String>)]
    content_type: Value,
    received_at: String,
}

#[derive(Serialize)]
struct Frame<'a> {
    r#type: &'static str,
    channel: &'static str,
    data: &'a Captured,
}

impl Captured {
    /// The capture of the webhook event `id` whose stored payload is `payload`.
    pub fn new(id: &str, payload: &Value, received_at: i64) -> Self {
        let field = |name: &str| payload.get(name).cloned().unwrap_or(Value::Null);
        Self {
            id: id.to_owned(),
            method: field("method"),
            path: field("path"),
            query: field("query"),
            headers: field("headers"),
            body: field("body"),
            body_encoding: field("body_encoding"),
            content_type: field("content_type"),
            received_at: format_iso(received_at),
        }
    }

    /// The test-session stream's frame of this capture.
    pub fn frame(&self) -> Result<Bytes, serde_json::Error> {
        let frame = Frame {
            r#type: "event",
            channel: "test",
            data: self,
        };
        serde_json::to_vec(&frame).map(Bytes::from)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_frame_carries_the_request_under_the_test_channel() {
        let payload = json!({"type":"webhook","method":"POST","path":"/v1/ingest/src_1",
            "query":{"a":"1"},"headers":{"x-k":"v"},"content_type":"application/json",
            "body":{"test":true},"body_encoding":null,"ip_hash":"h"});
        let frame = Captured::new("evt_1", &payload, 0).frame().expect("frame");
        let frame: Value = serde_json::from_slice(&frame).expect("json");
        assert_eq!(
            frame,
            json!({"type":"event","channel":"test","data":{"id":"evt_1","method":"POST",
                "path":"/v1/ingest/src_1","query":{"a":"1"},"headers":{"x-k":"v"},
                "body":{"test":true},"body_encoding":null,"content_type":"application/json",
                "received_at":"1970-01-01T00:00:00.000Z"}})
        );
    }
}
