//! Targets whose input is one JSON body or one line of text: the ClickStream event
//! validator, the pipeline (Datafly Signal / Segment) messages, the feed filter grammar,
//! connection rules, and the client messages of the dashboard and test-session streams.

use clickwire_model::{
    parse_events,
    rules::{all_match, Rule},
    signal::{parse_batch, parse_body, parse_single, Dialect, MessageType, SignalContext},
    ValidateContext,
};
use clickwire_server::{
    feed::filter::Filter,
    stream::{channel::Channel, socket::Said},
};
use serde_json::{json, Value};

/// A fixed clock: validation results must not depend on when the fuzzer runs.
const NOW_MS: i64 = 1_780_000_000_000;

/// `POST /v1/events` bodies: an accepted body holds 1–100 events, each serialisable.
pub fn event_batch(data: &[u8]) {
    if let Ok(events) = parse_events(data, ValidateContext { now_ms: NOW_MS }) {
        assert!(
            !events.is_empty() && events.len() <= 100,
            "{}",
            events.len()
        );
        for event in &events {
            assert!(serde_json::to_string(event).is_ok());
        }
    }
}

/// Pipeline bodies, as every typed route of both dialects and as a batch.
pub fn pipeline_message(data: &[u8]) {
    let Ok(body) = parse_body(data) else {
        return;
    };
    for dialect in [Dialect::Signal, Dialect::Segment] {
        let ctx = SignalContext {
            now_ms: NOW_MS,
            dialect,
            batch_sent_at: None,
        };
        for expected in MessageType::ALL.map(Some).into_iter().chain([None]) {
            if let Ok(message) = parse_single(body.value.clone(), expected, ctx) {
                if let Some(expected) = expected {
                    assert_eq!(message.kind, expected);
                }
            }
        }
        let _ = parse_batch(body.value.clone(), ctx);
    }
}

/// Feed filters (`?filter=`): an accepted filter evaluates on any frame.
pub fn feed_filter(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(filter) = Filter::parse(text) else {
        return;
    };
    for frame in frames() {
        let _ = filter.matches(&frame);
    }
}

/// Connection rules (`"rules": [...]`): rules that pass their check evaluate on any
/// document.
pub fn connection_rules(data: &[u8]) {
    let Ok(rules) = serde_json::from_slice::<Vec<Rule>>(data) else {
        return;
    };
    if rules.iter().all(|rule| rule.check().is_ok()) {
        for document in frames() {
            let _ = all_match(&rules, &document);
        }
    }
}

/// Client messages of the dashboard and test-session streams, and the channels they name.
pub fn stream_control(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(Said::Subscribe(_, name)) = Said::read(text) {
        if let Some(channel) = Channel::parse(&name) {
            assert!(
                name.starts_with("events") || name.starts_with("deliveries") || name == "issues"
            );
            let _ = channel;
        }
    }
    let _ = Channel::parse(text);
}

/// Frames and documents to evaluate filters and rules on.
fn frames() -> [Value; 3] {
    [
        json!({
            "visitorId": "v1", "type": "pageview", "behavioralClass": "engaged_reader",
            "scores": {"intent": 72.5, "engagement": 0}, "bot": {"isBot": false, "score": 3},
            "properties": {"items": [1, "two", null], "price": -0.0}
        }),
        json!({"method": "POST", "headers": {"x-a": "b"}, "payload": [1, 2, {"a": 1e300}]}),
        Value::Null,
    ]
}
