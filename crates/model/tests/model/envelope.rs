//! The common envelope: type, ids, timestamp, and collecting every error in one call.

use clickwire_model::{ClientPlatform, EventDetail, EventType, MAX_ID_CHARS};
use serde_json::json;

use crate::support::{accept, event, lines, pageview, paths, remove, set, NOW};

#[test]
fn the_contract_example_pageview_is_accepted_and_typed() {
    let e = accept(&pageview());
    assert_eq!(e.event_type, EventType::Pageview);
    assert_eq!(e.visitor_id, "vis_abc123");
    assert_eq!(e.session_id, "sess_xyz456");
    assert_eq!(e.timestamp, NOW - 1_000);
    assert_eq!(e.client_timestamp, NOW - 1_000);
    assert_eq!(
        e.page.url.as_deref(),
        Some("https://example.com/docs/getting-started")
    );
    assert_eq!(e.page.path, "/docs/getting-started");
    assert_eq!(e.page.title, "Getting started");
    assert_eq!(e.page.referrer, None);
    assert_eq!(e.device.client_platform, ClientPlatform::Web);
    assert_eq!(e.consent, None);
    assert_eq!(e.detail, EventDetail::Pageview { performance: None });
}

#[test]
fn every_type_of_the_contract_is_accepted_with_its_required_fields() {
    for kind in EventType::ALL {
        let e = accept(&event(kind.as_str()));
        assert_eq!(e.event_type, kind);
    }
}

#[test]
fn every_failing_field_is_reported_in_one_call() {
    let mut e = pageview();
    remove(&mut e, "visitorId");
    set(&mut e, "sessionId", json!(""));
    set(&mut e, "timestamp", json!("yesterday"));
    set(&mut e, "page.url", json!("/relative"));
    remove(&mut e, "page.title");
    set(&mut e, "device.viewport.width", json!("1280"));
    set(&mut e, "consent", json!({"analytics": "yes"}));
    assert_eq!(
        lines(&e),
        [
            "visitorId: is required",
            "sessionId: must not be empty",
            "timestamp: must be a number",
            "page.url: must be an absolute http(s) URL",
            "page.title: is required",
            "device.viewport.width: must be a number",
            "consent.analytics: must be a boolean",
        ]
    );
}

#[test]
fn a_missing_type_is_required() {
    let mut e = pageview();
    remove(&mut e, "type");
    assert_eq!(lines(&e), ["type: is required"]);
}

#[test]
fn an_unknown_event_type_is_refused() {
    let mut e = pageview();
    set(&mut e, "type", json!("_attention_summary"));
    let errors = lines(&e);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].starts_with("type: unknown event type"),
        "{errors:?}"
    );
}

#[test]
fn a_non_string_type_is_refused() {
    let mut e = pageview();
    set(&mut e, "type", json!(3));
    assert_eq!(lines(&e), ["type: must be a string"]);
}

#[test]
fn email_open_and_email_click_are_refused_with_a_specific_message() {
    for kind in ["email_open", "email_click"] {
        let mut e = pageview();
        set(&mut e, "type", json!(kind));
        let errors = lines(&e);
        assert_eq!(errors.len(), 1);
        let expected = format!("type: {kind} is not accepted by /v1/events;");
        assert!(errors[0].starts_with(&expected), "{errors:?}");
    }
}

#[test]
fn an_unknown_type_still_gets_its_envelope_checked() {
    let mut e = pageview();
    set(&mut e, "type", json!("nope"));
    remove(&mut e, "sessionId");
    assert_eq!(paths(&e), ["type", "sessionId"]);
}

#[test]
fn ids_longer_than_the_cap_are_refused_and_the_cap_itself_is_fine() {
    let mut e = pageview();
    set(&mut e, "visitorId", json!("v".repeat(MAX_ID_CHARS)));
    set(&mut e, "sessionId", json!("s".repeat(MAX_ID_CHARS + 1)));
    assert_eq!(
        lines(&e),
        [format!(
            "sessionId: must be at most {MAX_ID_CHARS} characters"
        )]
    );
}

#[test]
fn non_string_ids_are_refused() {
    let mut e = pageview();
    set(&mut e, "visitorId", json!(42));
    set(&mut e, "sessionId", json!({"id": 1}));
    assert_eq!(
        lines(&e),
        ["visitorId: must be a string", "sessionId: must be a string"]
    );
}

#[test]
fn a_negative_timestamp_is_refused() {
    let mut e = pageview();
    set(&mut e, "timestamp", json!(-5));
    assert_eq!(paths(&e), ["timestamp"]);
}

#[test]
fn a_missing_page_or_device_is_reported_once_at_its_own_path() {
    let mut e = pageview();
    remove(&mut e, "page");
    set(&mut e, "device", json!("iPhone"));
    assert_eq!(
        lines(&e),
        ["page: is required", "device: must be an object"]
    );
}

#[test]
fn a_null_optional_field_counts_as_absent() {
    let mut e = pageview();
    set(&mut e, "page.referrer", json!(null));
    set(&mut e, "consent", json!(null));
    set(&mut e, "device.screen", json!(null));
    let event = accept(&e);
    assert_eq!(event.page.referrer, None);
    assert_eq!(event.consent, None);
}

#[test]
fn a_null_required_field_is_reported_as_required() {
    let mut e = pageview();
    set(&mut e, "visitorId", json!(null));
    assert_eq!(lines(&e), ["visitorId: is required"]);
}

#[test]
fn a_referrer_is_kept_when_it_is_a_string_and_refused_otherwise() {
    let mut e = pageview();
    set(&mut e, "page.referrer", json!("https://google.com/"));
    assert_eq!(
        accept(&e).page.referrer.as_deref(),
        Some("https://google.com/")
    );
    set(&mut e, "page.referrer", json!(false));
    assert_eq!(lines(&e), ["page.referrer: must be a string"]);
}

#[test]
fn a_consent_object_without_analytics_is_refused() {
    let mut e = pageview();
    set(&mut e, "consent", json!({"identityResolution": true}));
    assert_eq!(lines(&e), ["consent.analytics: is required"]);
}

#[test]
fn a_consent_object_is_typed() {
    let mut e = pageview();
    set(
        &mut e,
        "consent",
        json!({"analytics": true, "identityResolution": false, "timestamp": 5}),
    );
    let consent = accept(&e).consent.expect("consent present");
    assert!(consent.analytics);
    assert_eq!(consent.identity_resolution, Some(false));
    assert_eq!(consent.third_party_sharing, None);
    assert_eq!(consent.timestamp, Some(5.0));
}
