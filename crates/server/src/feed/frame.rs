//! The Signals Feed event frame. Its body is serialised once per event in the process
//! stage, together with the stored labels (one serialisation of the labels serves both);
//! after the commit only the event's position (`id`, `seq`) is put in front of it, and the
//! resulting bytes are shared by every subscriber. Replays rebuild the same bytes from the
//! stored payload and labels.

use std::borrow::Cow;

use bytes::{BufMut, Bytes, BytesMut};
use clickwire_enrich::{BehavioralClass, BotVerdict, DeviceSummary, Labels, Scores};
use clickwire_model::{signal, Event, EventType};
use clickwire_store::{KeyKind, StoredEvent};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// The contract's event frame without `id` and `seq`, rebuilt from a stored event: the label
/// objects are the exact text they were stored as, so the bytes equal the live frame's.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FrameBody<'a> {
    #[serde(flatten)]
    head: FrameHead<'a>,
    bot: &'a RawValue,
    behavioral_class: BehavioralClass,
    device: &'a RawValue,
    scores: &'a RawValue,
    has_identified: bool,
}

/// The label fields the frame shows, in frame order; the stored labels are the same text
/// with `humanConfidence` added, so each event's labels are serialised once for both.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FrameLabels<'a> {
    bot: &'a BotVerdict,
    behavioral_class: BehavioralClass,
    device: &'a DeviceSummary,
    scores: &'a Option<Scores>,
    has_identified: bool,
}

/// The frame fields before the labels.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FrameHead<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    ts: i64,
    visitor_id: &'a str,
    session_id: &'a str,
    event_type: &'static str,
    page: &'a str,
    /// The known user of a pipeline event; ClickStream frames have none.
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<&'a str>,
}

/// A labelled event's stored labels (JSON) and its frame body; the body is `None` for
/// consent transitions, which the feed does not carry (they are internal and have no page
/// content).
pub fn labels_and_frame(
    event: &Event,
    labels: &Labels,
    received_at: i64,
) -> Result<(String, Option<Bytes>), serde_json::Error> {
    let shown = serde_json::to_vec(&FrameLabels {
        bot: &labels.bot,
        behavioral_class: labels.behavioral_class,
        device: &labels.device,
        scores: &labels.scores,
        has_identified: labels.has_identified,
    })?;
    // `{…}` → `{…,"humanConfidence":N}`.
    let mut stored = String::with_capacity(shown.len() + 24);
    stored.push_str(std::str::from_utf8(&shown[..shown.len() - 1]).unwrap_or_default());
    stored.push_str(",\"humanConfidence\":");
    stored.push_str(&labels.human_confidence.to_string());
    stored.push('}');
    if event.event_type == EventType::ConsentTransition {
        return Ok((stored, None));
    }
    let head = serde_json::to_vec(&FrameHead {
        kind: "event",
        ts: received_at,
        visitor_id: &event.visitor_id,
        session_id: &event.session_id,
        event_type: event.event_type.as_str(),
        page: &event.page.path,
        user_id: event.user_id.as_deref(),
    })?;
    // `{head…}` + `{labels…}` → `{head…,labels…}`.
    let mut body = BytesMut::with_capacity(head.len() + shown.len());
    body.put_slice(&head[..head.len() - 1]);
    body.put_u8(b',');
    body.put_slice(&shown[1..]);
    Ok((stored, Some(body.freeze())))
}

/// The fields of a stored payload the frame shows.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredPayload<'a> {
    #[serde(rename = "type", borrow)]
    event_type: Cow<'a, str>,
    #[serde(borrow)]
    visitor_id: Cow<'a, str>,
    #[serde(borrow)]
    session_id: Cow<'a, str>,
    #[serde(borrow)]
    page: StoredPage<'a>,
}

#[derive(Deserialize)]
struct StoredPage<'a> {
    #[serde(borrow)]
    path: Cow<'a, str>,
}

/// The stored labels, with the objects kept as the exact text they were stored as
/// (re-parsing a float could change its last digit).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredLabels<'a> {
    #[serde(borrow)]
    bot: &'a RawValue,
    behavioral_class: BehavioralClass,
    #[serde(borrow)]
    device: &'a RawValue,
    #[serde(borrow)]
    scores: &'a RawValue,
    has_identified: bool,
}

/// The complete frame (with `id` and `seq`) of a stored event, byte for byte what the live
/// feed sent for it; `None` for events the feed does not carry (unlabelled, consent
/// transitions) and for stored JSON that cannot be read.
pub fn frame_from_stored(stored: &StoredEvent) -> Option<Bytes> {
    let labels: StoredLabels<'_> = serde_json::from_str(stored.labels.as_ref()?.get()).ok()?;
    if stored.key_kind == KeyKind::Pipeline.as_str() {
        let event = signal::reparse(stored.event.get(), stored.received_at)?;
        let head = FrameHead {
            kind: "event",
            ts: stored.received_at,
            visitor_id: &event.visitor_id,
            session_id: &event.session_id,
            event_type: event.event_type.as_str(),
            page: &event.page.path,
            user_id: event.user_id.as_deref(),
        };
        return frame_with(stored, head, &labels);
    }
    let payload: StoredPayload<'_> = serde_json::from_str(stored.event.get()).ok()?;
    let event_type = EventType::from_wire(&payload.event_type)?;
    if event_type == EventType::ConsentTransition {
        return None;
    }
    let head = FrameHead {
        kind: "event",
        ts: stored.received_at,
        visitor_id: &payload.visitor_id,
        session_id: &payload.session_id,
        event_type: event_type.as_str(),
        page: &payload.page.path,
        user_id: None,
    };
    frame_with(stored, head, &labels)
}

/// The frame of `stored` with `head` in front of its stored labels.
fn frame_with(
    stored: &StoredEvent,
    head: FrameHead<'_>,
    labels: &StoredLabels<'_>,
) -> Option<Bytes> {
    let body = FrameBody {
        head,
        bot: labels.bot,
        behavioral_class: labels.behavioral_class,
        device: labels.device,
        scores: labels.scores,
        has_identified: labels.has_identified,
    };
    let body = serde_json::to_vec(&body).ok()?;
    Some(with_position(&stored.id, stored.seq, &body))
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
    use clickwire_enrich::{BotCategory, DecisionStage, DeviceType, EmotionalState};
    use clickwire_model::{parse_events, ValidateContext};

    use super::*;

    fn labels(scores: Option<Scores>) -> Labels {
        Labels {
            bot: BotVerdict {
                is_bot: false,
                score: 8,
                category: Some(BotCategory::Monitoring),
                name: Some("Pingdom \"probe\"".into()),
            },
            human_confidence: 70,
            behavioral_class: BehavioralClass::Human,
            device: DeviceSummary {
                device_type: DeviceType::Desktop,
                browser: "Chrome".into(),
                os: "macOS".into(),
                is_mobile: false,
            },
            scores,
            has_identified: true,
        }
    }

    fn scores() -> Scores {
        Scores {
            intent: 82,
            frustration: 15,
            engagement: 67,
            value: 44,
            churn: 12,
            abandonment: 18,
            conversion_readiness: 55,
            // A float whose shortest form has 17 digits.
            session_momentum: 0.1 + 0.2,
            confusion: 9,
            emotional_state: EmotionalState::Positive,
            decision_stage: DecisionStage::Consideration,
        }
    }

    fn event() -> Event {
        let body = serde_json::json!({
            "type": "click", "visitorId": "vis_\u{e9}\"x", "sessionId": "sess_1",
            "timestamp": 1_713_797_640_000_i64,
            "page": { "url": "https://example.com/p", "path": "/pricing/\u{2603}", "title": "P" },
            "element": { "selector": "#buy", "text": "Buy", "x": 1, "y": 2 },
            "device": { "userAgent": "Mozilla/5.0", "viewport": { "width": 1, "height": 1 } }
        });
        let ctx = ValidateContext {
            now_ms: 1_713_797_640_000,
        };
        parse_events(body.to_string().as_bytes(), ctx)
            .expect("valid")
            .remove(0)
    }

    fn stored(event: &Event, labels: &Labels) -> StoredEvent {
        let raw = |text: String| RawValue::from_string(text).expect("raw json");
        let (labels, _) = labels_and_frame(event, labels, 1_713_797_640_123).expect("labels");
        StoredEvent {
            id: "evt_01".into(),
            seq: 42,
            received_at: 1_713_797_640_123,
            source: None,
            key_kind: "website".into(),
            event: raw(serde_json::to_string(&event.payload).expect("payload")),
            labels: Some(raw(labels)),
        }
    }

    #[test]
    fn a_stored_event_rebuilds_the_live_frame_byte_for_byte() {
        let event = event();
        for labels in [labels(Some(scores())), labels(None)] {
            let (_, body) = labels_and_frame(&event, &labels, 1_713_797_640_123).expect("json");
            let body = body.expect("a click has a frame");
            let live = with_position("evt_01", 42, &body);
            let replayed = frame_from_stored(&stored(&event, &labels)).expect("frame");
            assert_eq!(
                std::str::from_utf8(&replayed).expect("utf8"),
                std::str::from_utf8(&live).expect("utf8")
            );
        }
    }

    #[test]
    fn stored_labels_read_back_as_the_labels_they_were() {
        let event = event();
        let original = labels(Some(scores()));
        let (stored, _) = labels_and_frame(&event, &original, 1).expect("json");
        let back: Labels = serde_json::from_str(&stored).expect("labels");
        assert_eq!(back, original);
    }

    #[test]
    fn unlabelled_stored_events_have_no_frame() {
        let event = event();
        let mut unlabelled = stored(&event, &labels(None));
        unlabelled.labels = None;
        assert!(frame_from_stored(&unlabelled).is_none());
    }

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
