//! The Signals Feed event frame. Its body is serialised once per event in the process
//! stage; after the commit only the event's position (`id`, `seq`) is put in front of it,
//! and the resulting bytes are shared by every subscriber.

use bytes::{BufMut, Bytes, BytesMut};
use clickwire_enrich::{BehavioralClass, BotVerdict, DeviceSummary, Labels, Scores};
use clickwire_model::{Event, EventType};
use serde::Serialize;

/// The contract's event frame, without `id` and `seq`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FrameBody<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    ts: i64,
    visitor_id: &'a str,
    session_id: &'a str,
    event_type: &'static str,
    page: &'a str,
    bot: &'a BotVerdict,
    behavioral_class: BehavioralClass,
    device: &'a DeviceSummary,
    scores: &'a Option<Scores>,
    has_identified: bool,
}

/// The frame body of a labelled event; `None` for consent transitions, which the feed
/// does not carry (they are internal and have no page content).
pub fn frame_body(event: &Event, labels: &Labels, received_at: i64) -> Option<Bytes> {
    if event.event_type == EventType::ConsentTransition {
        return None;
    }
    let body = FrameBody {
        kind: "event",
        ts: received_at,
        visitor_id: &event.visitor_id,
        session_id: &event.session_id,
        event_type: event.event_type.as_str(),
        page: &event.page.path,
        bot: &labels.bot,
        behavioral_class: labels.behavioral_class,
        device: &labels.device,
        scores: &labels.scores,
        has_identified: labels.has_identified,
    };
    serde_json::to_vec(&body).ok().map(Bytes::from)
}

/// `{"id":…,"seq":…,` followed by the body without its opening brace.
pub fn with_position(id: &str, seq: i64, body: &[u8]) -> Bytes {
    let mut frame = BytesMut::with_capacity(body.len() + id.len() + 32);
    frame.put_slice(b"{\"id\":\"");
    frame.put_slice(id.as_bytes());
    frame.put_slice(b"\",\"seq\":");
    frame.put_slice(seq.to_string().as_bytes());
    frame.put_u8(b',');
    frame.put_slice(body.get(1..).unwrap_or_default());
    frame.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_position_goes_in_front_of_the_body() {
        let frame = with_position("evt_1", 42, br#"{"type":"event","ts":1}"#);
        let value: serde_json::Value = serde_json::from_slice(&frame).expect("json");
        assert_eq!(
            value,
            serde_json::json!({"id":"evt_1","seq":42,"type":"event","ts":1})
        );
    }
}
