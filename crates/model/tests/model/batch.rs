//! The request envelope: single event vs `{"events": [...]}`, batch limits, and paths.

use clickwire_model::{parse_events, BatchError, MAX_BATCH};
use serde_json::{json, Value};

use crate::support::{ctx, event, lines, pageview, parse, remove, set};

fn batch_of(n: usize) -> Value {
    json!({ "events": vec![pageview(); n] })
}

#[test]
fn a_batch_of_25_events_is_accepted() {
    let events = parse(&batch_of(MAX_BATCH)).expect("25 events are fine");
    assert_eq!(events.len(), MAX_BATCH);
}

#[test]
fn a_batch_of_26_events_is_refused_with_one_error() {
    assert_eq!(
        lines(&batch_of(MAX_BATCH + 1)),
        ["events: must contain at most 25 events"]
    );
}

#[test]
fn an_empty_batch_is_refused() {
    assert_eq!(
        lines(&batch_of(0)),
        ["events: must contain at least 1 event"]
    );
}

#[test]
fn events_that_is_not_an_array_is_refused() {
    for bad in [json!({}), json!(null), json!("x")] {
        assert_eq!(
            lines(&json!({ "events": bad })),
            ["events: must be an array"]
        );
    }
}

#[test]
fn a_batch_keeps_the_order_of_its_events() {
    let body = json!({"events": [event("click"), event("scroll"), event("custom")]});
    let kinds: Vec<_> = parse(&body)
        .expect("valid batch")
        .iter()
        .map(|e| e.event_type.as_str())
        .collect();
    assert_eq!(kinds, ["click", "scroll", "custom"]);
}

#[test]
fn errors_in_a_batch_are_prefixed_with_the_event_index_and_all_collected() {
    let mut second = pageview();
    set(&mut second, "page.url", json!("nope"));
    let mut fourth = event("click");
    remove(&mut fourth, "element.x");
    remove(&mut fourth, "sessionId");
    let body = json!({"events": [pageview(), second, pageview(), fourth, 7]});
    assert_eq!(
        lines(&body),
        [
            "events[1].page.url: must be an absolute http(s) URL",
            "events[3].sessionId: is required",
            "events[3].element.x: is required",
            "events[4]: must be an object",
        ]
    );
}

#[test]
fn a_single_event_uses_paths_without_a_prefix() {
    let mut e = pageview();
    set(&mut e, "page.url", json!("nope"));
    assert_eq!(lines(&e), ["page.url: must be an absolute http(s) URL"]);
}

#[test]
fn a_body_that_is_not_an_object_is_reported_at_the_root_path() {
    for body in [json!([pageview()]), json!(3), json!("event"), json!(null)] {
        let errors = lines(&body);
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].starts_with(": request body must be"),
            "{errors:?}"
        );
    }
}

#[test]
fn a_body_that_is_not_json_is_invalid_json() {
    for body in [&b"{"[..], b"", b"not json", b"{\"type\":}", &[0xff, 0xfe]] {
        match parse_events(body, ctx()) {
            Err(BatchError::InvalidJson(message)) => assert!(!message.is_empty()),
            other => panic!("expected InvalidJson, got {other:?}"),
        }
    }
}

#[test]
fn batch_errors_render_as_the_contract_messages() {
    let err = parse_events(b"[]", ctx()).expect_err("refused");
    assert_eq!(err.to_string(), "validation failed");
    let err = parse_events(b"{", ctx()).expect_err("refused");
    assert!(err
        .to_string()
        .starts_with("request body is not valid JSON: "));
}

#[test]
fn field_errors_serialize_as_path_and_message() {
    let Err(BatchError::Validation(errors)) = parse_events(b"1", ctx()) else {
        panic!("expected a validation error");
    };
    let json = serde_json::to_value(&errors).expect("serializable");
    assert_eq!(json[0]["path"], json!(""));
    assert!(json[0]["message"].is_string());
}
