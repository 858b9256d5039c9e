//! Pipeline messages (`clickwire_model::signal`): what each type amounts to for the
//! scorer, the dialect rules, batch context, and a stored message reading back as the
//! event it was.

use clickwire_model::{
    signal::{parse_batch, parse_single, reparse, Dialect, MessageType, SignalContext},
    EventDetail, EventType,
};
use serde_json::{json, Map, Value};

const NOW: i64 = 1_772_029_800_000; // 2026-02-25T14:30:00Z

fn ctx(dialect: Dialect) -> SignalContext {
    SignalContext {
        now_ms: NOW,
        dialect,
        batch_sent_at: None,
    }
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => panic!("an object"),
    }
}

#[test]
fn each_type_is_the_clickstream_event_it_amounts_to() {
    let cases = [
        (
            json!({"type": "track", "event": "Order Completed", "userId": "u", "properties": {"revenue": 12.5}}),
            EventType::Custom,
        ),
        (
            json!({"type": "page", "name": "Home", "userId": "u"}),
            EventType::Pageview,
        ),
        (
            json!({"type": "screen", "name": "Settings", "userId": "u"}),
            EventType::Pageview,
        ),
        (
            json!({"type": "identify", "userId": "u"}),
            EventType::Identify,
        ),
        (
            json!({"type": "group", "groupId": "g", "userId": "u"}),
            EventType::Custom,
        ),
        (
            json!({"type": "alias", "previousId": "a", "userId": "u"}),
            EventType::Custom,
        ),
    ];
    for (body, expected) in cases {
        let message =
            parse_single(object(body.clone()), None, ctx(Dialect::Segment)).expect("valid");
        assert_eq!(message.event.event_type, expected, "{body}");
        assert_eq!(
            message.event.wire_type,
            body["type"].as_str().expect("type")
        );
    }
    let track = parse_single(
        object(json!({"type": "track", "event": "Order Completed", "userId": "u", "properties": {"revenue": 12.5}})),
        None,
        ctx(Dialect::Signal),
    )
    .expect("valid");
    match track.event.detail {
        EventDetail::Custom { name, value, .. } => {
            assert_eq!(name, "Order Completed");
            assert_eq!(value, Some(12.5));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_identify_hashes_its_email_and_the_context_makes_page_device_and_session() {
    let body = json!({
        "type": "identify", "userId": "u1", "anonymousId": "a1",
        "traits": {"email": "  Jane@Example.com "},
        "context": {
            "page": {"url": "https://shop.example.com/p?x=1", "title": "P"},
            "userAgent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0",
            "locale": "en-US", "timezone": "Europe/Paris", "sessionId": 1234,
            "screen": {"width": 1440, "height": 900}
        }
    });
    let message = parse_single(
        object(body),
        Some(MessageType::Identify),
        ctx(Dialect::Signal),
    )
    .expect("valid");
    let event = &message.event;
    assert_eq!(event.visitor_id, "a1", "the anonymous id is the visitor");
    assert_eq!(event.session_id, "1234");
    assert_eq!(event.page.path, "/p");
    assert_eq!(event.device.language.as_deref(), Some("en-US"));
    assert_eq!(event.device.viewport.width, 1440.0);
    match &event.detail {
        // SHA-256 of "jane@example.com".
        EventDetail::Identify { hem, .. } => assert_eq!(
            hem,
            "8c87b489ce35cf2e2f39f80e282cb2e804932a56a213983eeeb428407d43b52d"
        ),
        other => panic!("{other:?}"),
    }
    let server = parse_single(
        object(json!({"type": "track", "event": "E", "userId": "u"})),
        None,
        ctx(Dialect::Signal),
    )
    .expect("valid");
    assert_eq!(
        server.event.visitor_id, "u",
        "without an anonymous id the user is the visitor"
    );
    assert_eq!(
        server.event.device.client_platform.as_str(),
        "server",
        "no user agent: a server library"
    );
}

#[test]
fn identify_needs_a_user_id_on_signal_but_not_on_segment() {
    let anonymous = json!({"type": "identify", "anonymousId": "a"});
    let refused = parse_single(object(anonymous.clone()), None, ctx(Dialect::Signal));
    assert!(refused.is_err());
    assert!(parse_single(object(anonymous), None, ctx(Dialect::Segment)).is_ok());
}

#[test]
fn the_batch_context_goes_under_each_message_s_own() {
    let body = json!({
        "context": {"library": {"name": "sdk"}, "locale": "de-DE"},
        "batch": [
            {"type": "track", "event": "E", "userId": "u", "context": {"locale": "en-US"}},
            {"type": "track", "event": "F", "userId": "u"}
        ]
    });
    let items = parse_batch(object(body), ctx(Dialect::Segment)).expect("batch");
    let payloads: Vec<&Value> = items
        .iter()
        .map(|i| &i.result.as_ref().expect("valid").event.payload)
        .collect();
    assert_eq!(
        payloads[0]["context"]["locale"], "en-US",
        "the message's own wins"
    );
    assert_eq!(payloads[0]["context"]["library"]["name"], "sdk");
    assert_eq!(payloads[1]["context"]["locale"], "de-DE");
}

#[test]
fn a_stored_message_reads_back_as_the_event_it_was() {
    let body = json!({
        "type": "page", "name": "Pricing", "anonymousId": "a", "userId": "u",
        "timestamp": "2026-02-25T14:29:00.000Z", "sentAt": "2026-02-25T14:31:00.000Z",
        "writeKey": "dk_live_secret",
        "properties": {"url": "https://shop.example.com/pricing"},
        "context": {"userAgent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0"}
    });
    let message =
        parse_single(object(body), Some(MessageType::Page), ctx(Dialect::Segment)).expect("valid");
    // The client clock is a minute ahead: the event happened two minutes before receipt.
    assert_eq!(message.event.timestamp, NOW - 120_000);
    assert_eq!(
        message.event.payload["timestamp"],
        "2026-02-25T14:28:00.000Z"
    );
    assert_eq!(
        message.event.payload["originalTimestamp"],
        "2026-02-25T14:29:00.000Z"
    );
    assert_eq!(
        message.event.payload["receivedAt"],
        "2026-02-25T14:30:00.000Z"
    );
    assert!(message.event.payload.get("writeKey").is_none());
    let stored = serde_json::to_string(&message.event.payload).expect("json");
    let back = reparse(&stored, NOW).expect("reparses");
    assert_eq!(back, message.event);
}
