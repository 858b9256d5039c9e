//! The feed's control frames: everything a subscriber receives besides event frames.

use bytes::Bytes;
use serde::Serialize;
use serde_json::json;

use crate::{error::ApiError, ingest::now_ms};

fn to_bytes(value: &impl Serialize) -> Bytes {
    serde_json::to_vec(value).map_or_else(|_| Bytes::new(), Bytes::from)
}

/// Sent once, right after the connection opens. `seq` is where the stream starts: the
/// events that follow are those after it, so a client that drops before its first event
/// can still resume without a gap.
pub fn hello(seq: i64) -> Bytes {
    to_bytes(&json!({
        "type": "hello",
        "ts": now_ms(),
        "message": "connected to signals feed",
        "seq": seq,
    }))
}

/// The heartbeat; subscribers answer `{"type":"pong"}`.
pub fn ping() -> Bytes {
    Bytes::from_static(br#"{"type":"ping"}"#)
}

/// The answer to a subscriber's own `{"type":"ping"}`.
pub fn pong() -> Bytes {
    Bytes::from_static(br#"{"type":"pong"}"#)
}

/// The last frame before close 4008.
pub fn duration_limit() -> Bytes {
    Bytes::from_static(br#"{"type":"duration_limit"}"#)
}

/// Events after `since` may be missing: the oldest stored one is `oldest_seq`.
pub fn resume_gap(since: i64, oldest_seq: i64) -> Bytes {
    to_bytes(&json!({"type": "resume_gap", "since": since, "oldest_seq": oldest_seq}))
}

/// A written event was stored (`None`: dropped for lack of analytics consent).
pub fn ack(event_id: Option<&str>) -> Bytes {
    to_bytes(&json!({"type": "ack", "event_id": event_id}))
}

/// An inbound frame was refused.
pub fn error(err: &ApiError) -> Bytes {
    let mut body = json!({"type": "error", "error": err.code(), "message": err.public_message()});
    if let Some(details) = err.details() {
        body["details"] = json!(details);
    }
    to_bytes(&body)
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn parse(bytes: &Bytes) -> Value {
        serde_json::from_slice(bytes).expect("json")
    }

    #[test]
    fn control_frames_carry_their_type() {
        assert_eq!(parse(&hello(7))["message"], "connected to signals feed");
        assert_eq!(parse(&hello(7))["seq"], 7);
        assert_eq!(parse(&ping()), json!({"type": "ping"}));
        assert_eq!(parse(&duration_limit()), json!({"type": "duration_limit"}));
        assert_eq!(
            parse(&resume_gap(3, 9)),
            json!({"type": "resume_gap", "since": 3, "oldest_seq": 9})
        );
        assert_eq!(parse(&ack(Some("evt_1")))["event_id"], "evt_1");
    }

    #[test]
    fn an_error_frame_uses_the_error_table() {
        let frame = parse(&error(&ApiError::WriteNotAllowed));
        assert_eq!(frame["type"], "error");
        assert_eq!(frame["error"], "write_not_allowed");
    }
}
