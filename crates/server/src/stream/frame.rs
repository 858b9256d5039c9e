//! What the dashboard and test-session streams send, as JSON text (the inbound source
//! socket sends the same `error` and `ping`): `welcome`,
//! `subscribed` / `unsubscribed`, `error`, `ping`, and the dashboard's
//! `{"type":"event","channel":…,"data":{"id","source_id","method","status","received_at"}}`
//! (built by the hub once per event and channel; a test session's event frame is built at
//! ingest, see `sources::test_sessions::Captured`).

use bytes::Bytes;
use clickwire_model::signal::format_iso;
use clickwire_store::CommittedEvent;
use serde::Serialize;
use serde_json::json;

/// The status of an event when it is announced: stored, nothing delivered yet.
const RECEIVED: &str = "received";

#[derive(Serialize)]
struct EventFrame<'a> {
    r#type: &'static str,
    channel: &'a str,
    data: EventData<'a>,
}

#[derive(Serialize)]
struct EventData<'a> {
    id: &'a str,
    source_id: Option<&'a str>,
    method: &'a str,
    status: &'static str,
    received_at: String,
}

/// The dashboard frame of `event` (of `source`, if any) on `channel`.
pub fn event(channel: &str, event: &CommittedEvent, source: Option<&str>) -> Option<Bytes> {
    let frame = EventFrame {
        r#type: "event",
        channel,
        data: EventData {
            id: &event.id,
            source_id: source,
            method: &event.live.method,
            status: RECEIVED,
            received_at: format_iso(event.received_at),
        },
    };
    serde_json::to_vec(&frame).ok().map(Bytes::from)
}

fn text(value: serde_json::Value) -> Bytes {
    Bytes::from(value.to_string())
}

/// The first frame of a dashboard socket.
pub fn welcome(tenant: &str) -> Bytes {
    text(json!({"type": "welcome", "org_id": tenant}))
}

/// The answer to `subscribe`.
pub fn subscribed(channel: &str) -> Bytes {
    text(json!({"type": "subscribed", "channel": channel}))
}

/// The answer to `unsubscribe`.
pub fn unsubscribed(channel: &str) -> Bytes {
    text(json!({"type": "unsubscribed", "channel": channel}))
}

/// An error the connection survives.
pub fn error(code: &str, message: &str) -> Bytes {
    text(json!({"type": "error", "error": code, "message": message}))
}

/// The heartbeat, answered by `{"type":"pong"}`.
pub fn ping() -> Bytes {
    Bytes::from_static(br#"{"type":"ping"}"#)
}

#[cfg(test)]
mod tests {
    use clickwire_store::Live;
    use serde_json::Value;

    use super::*;

    #[test]
    fn an_event_frame_names_its_channel_source_and_arrival_in_rfc_3339() {
        let committed = CommittedEvent {
            seq: 7,
            id: "evt_1".into(),
            received_at: 1_772_375_400_000,
            live: Live {
                method: "PUT".into(),
                ..Live::default()
            },
        };
        let frame = event("events:src_1", &committed, Some("src_1")).expect("frame");
        let frame: Value = serde_json::from_slice(&frame).expect("json");
        assert_eq!(
            frame,
            json!({"type":"event","channel":"events:src_1","data":{"id":"evt_1",
                "source_id":"src_1","method":"PUT","status":"received",
                "received_at":"2026-03-01T14:30:00.000Z"}})
        );
        let frame = event("events", &committed, None).expect("frame");
        let frame: Value = serde_json::from_slice(&frame).expect("json");
        assert_eq!(frame["data"]["source_id"], Value::Null);
    }
}
