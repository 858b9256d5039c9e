//! Normalisation of the stored payload: skew correction, consent, unknown fields kept.

use clickwire_model::MAX_SKEW_MS;
use serde_json::json;

use crate::support::{accept, event, merge, pageview, set, NOW};

#[test]
fn a_timestamp_far_in_the_past_is_replaced_by_server_time() {
    let mut e = pageview();
    set(&mut e, "timestamp", json!(NOW - 10 * 60_000));
    let event = accept(&e);
    assert_eq!(event.timestamp, NOW);
    assert_eq!(event.client_timestamp, NOW - 10 * 60_000);
    assert_eq!(event.payload["timestamp"], json!(NOW));
}

#[test]
fn a_timestamp_far_in_the_future_is_replaced_by_server_time() {
    let mut e = pageview();
    set(&mut e, "timestamp", json!(NOW + MAX_SKEW_MS + 1));
    let event = accept(&e);
    assert_eq!(event.timestamp, NOW);
    assert_eq!(event.payload["timestamp"], json!(NOW));
}

#[test]
fn a_timestamp_within_the_skew_bounds_is_kept() {
    for ts in [NOW - MAX_SKEW_MS, NOW + MAX_SKEW_MS, NOW - 1] {
        let mut e = pageview();
        set(&mut e, "timestamp", json!(ts));
        let event = accept(&e);
        assert_eq!(event.timestamp, ts);
        assert_eq!(event.payload["timestamp"], json!(ts));
    }
}

#[test]
fn a_seconds_timestamp_is_treated_as_skewed() {
    let mut e = pageview();
    set(&mut e, "timestamp", json!(NOW / 1000));
    assert_eq!(accept(&e).timestamp, NOW);
}

#[test]
fn a_fractional_timestamp_is_stored_as_whole_milliseconds() {
    let mut e = pageview();
    set(&mut e, "timestamp", json!(NOW as f64 - 0.5));
    let event = accept(&e);
    assert_eq!(event.timestamp, NOW - 1);
    assert_eq!(event.payload["timestamp"], json!(NOW - 1));
}

#[test]
fn consent_analytics_false_disallows_analytics() {
    let mut e = pageview();
    set(&mut e, "consent", json!({"analytics": false}));
    assert!(!accept(&e).analytics_allowed());
}

#[test]
fn consent_analytics_true_or_absent_allows_analytics() {
    assert!(accept(&pageview()).analytics_allowed());
    let mut e = pageview();
    set(&mut e, "consent", json!({"analytics": true}));
    assert!(accept(&e).analytics_allowed());
}

#[test]
fn unknown_fields_are_kept_in_the_payload() {
    let mut e = event("custom");
    merge(
        &mut e,
        json!({"sdkVersion": "9.9.9", "futureThing": {"a": [1, 2]}}),
    );
    set(&mut e, "page.hash", json!("#top"));
    set(&mut e, "device.newSensor", json!(true));
    let payload = accept(&e).payload;
    assert_eq!(payload["sdkVersion"], json!("9.9.9"));
    assert_eq!(payload["futureThing"], json!({"a": [1, 2]}));
    assert_eq!(payload["page"]["hash"], json!("#top"));
    assert_eq!(payload["device"]["newSensor"], json!(true));
}

#[test]
fn a_valid_event_in_bounds_is_stored_exactly_as_sent() {
    let mut e = event("click");
    set(&mut e, "consent", json!({"analytics": true}));
    assert_eq!(accept(&e).payload, e);
}
