//! The type-specific fields of click, scroll, form, custom, identify, pageview and
//! _consent_transition.

use clickwire_model::{EventDetail, FormAction, MAX_CUSTOM_LABEL_BYTES, MAX_SELECTOR};
use serde_json::json;

use crate::support::{accept, event, lines, merge, paths, remove, set};

#[test]
fn a_click_without_an_element_is_refused() {
    let mut e = event("click");
    remove(&mut e, "element");
    assert_eq!(lines(&e), ["element: is required"]);
}

#[test]
fn a_click_element_needs_selector_text_x_and_y() {
    let mut e = event("click");
    set(&mut e, "element", json!({"text": 5, "x": "1"}));
    assert_eq!(
        lines(&e),
        [
            "element.selector: is required",
            "element.text: must be a string",
            "element.x: must be a number",
            "element.y: is required",
        ]
    );
}

#[test]
fn a_click_element_is_typed_with_its_optional_coordinates() {
    let mut e = event("click");
    set(
        &mut e,
        "element",
        json!({"selector": "a.cta", "text": "Go", "x": 1, "y": 2, "pageX": 3, "pageY": 4,
               "normX": 0.25, "normY": 1, "viewportWidth": 5, "viewportHeight": 6,
               "docWidth": 7, "docHeight": 8}),
    );
    let EventDetail::Click { element } = accept(&e).detail else {
        panic!("not a click");
    };
    assert_eq!(element.selector, "a.cta");
    assert_eq!((element.x, element.y), (1.0, 2.0));
    assert_eq!((element.page_x, element.page_y), (Some(3.0), Some(4.0)));
    assert_eq!((element.norm_x, element.norm_y), (Some(0.25), Some(1.0)));
    assert_eq!(element.viewport_width, Some(5.0));
    assert_eq!(element.doc_height, Some(8.0));
}

#[test]
fn normalised_click_coordinates_must_lie_between_0_and_1() {
    let mut e = event("click");
    set(&mut e, "element.normX", json!(1.5));
    set(&mut e, "element.pageY", json!("12"));
    assert_eq!(
        lines(&e),
        [
            "element.pageY: must be a number",
            "element.normX: must be between 0 and 1",
        ]
    );
}

#[test]
fn an_over_long_click_selector_is_truncated_in_the_event_and_the_payload() {
    let mut e = event("click");
    set(&mut e, "element.selector", json!("s".repeat(1_000)));
    let event = accept(&e);
    let EventDetail::Click { element } = &event.detail else {
        panic!("not a click");
    };
    assert_eq!(element.selector, "s".repeat(MAX_SELECTOR));
    assert_eq!(
        event.payload["element"]["selector"],
        json!("s".repeat(MAX_SELECTOR))
    );
}

#[test]
fn a_scroll_needs_a_depth_between_0_and_100_and_a_non_negative_time() {
    let mut e = event("scroll");
    set(&mut e, "depth", json!(101));
    set(&mut e, "timeOnPage", json!(-1));
    assert_eq!(
        lines(&e),
        [
            "depth: must be between 0 and 100",
            "timeOnPage: must not be negative",
        ]
    );
    remove(&mut e, "depth");
    remove(&mut e, "timeOnPage");
    assert_eq!(paths(&e), ["depth", "timeOnPage"]);
}

#[test]
fn a_scroll_is_typed() {
    let detail = accept(&event("scroll")).detail;
    assert_eq!(
        detail,
        EventDetail::Scroll {
            depth: 50.0,
            time_on_page: 1200.0
        }
    );
}

#[test]
fn a_form_needs_a_known_action_a_form_id_and_a_field_count() {
    let mut e = event("form");
    set(&mut e, "action", json!("change"));
    remove(&mut e, "formId");
    set(&mut e, "fieldCount", json!(-2));
    assert_eq!(
        lines(&e),
        [
            "action: must be one of: focus, blur, submit, abandon",
            "formId: is required",
            "fieldCount: must not be negative",
        ]
    );
}

#[test]
fn the_optional_form_fields_are_type_checked_item_by_item() {
    let mut e = event("form");
    merge(
        &mut e,
        json!({
            "formSelector": 1,
            "detected_email": "yes",
            "completion_rate": 150,
            "values": {"email": "a@b.c", "age": 42},
            "files": [{"name": "cv.pdf", "field": "cv", "size": 10, "type": "application/pdf"},
                      {"name": "x"}, "not-a-file"],
            "submitted_at": "now"
        }),
    );
    assert_eq!(
        lines(&e),
        [
            "formSelector: must be a string",
            "detected_email: must be a boolean",
            "completion_rate: must be between 0 and 100",
            "values.age: must be a string",
            "files[1].field: is required",
            "files[1].size: is required",
            "files[1].type: is required",
            "files[2]: must be an object",
            "submitted_at: must be a number",
        ]
    );
}

#[test]
fn a_form_is_typed_with_its_values_and_files() {
    let mut e = event("form");
    merge(
        &mut e,
        json!({
            "action": "abandon",
            "raw_fields": "{}",
            "detected_name": true,
            "completion_rate": 40,
            "values": {"email": "a@b.c"},
            "files": [{"name": "cv.pdf", "field": "cv", "size": 10, "type": "application/pdf",
                       "text_excerpt": "Hello"}],
            "form_submission_id": "f-1",
            "submitted_at": 5
        }),
    );
    let EventDetail::Form {
        action,
        form_id,
        field_count,
        values,
        files,
        completion_rate,
        ..
    } = accept(&e).detail
    else {
        panic!("not a form");
    };
    assert_eq!(action, FormAction::Abandon);
    assert_eq!(form_id, "signup");
    assert_eq!(field_count, 3.0);
    assert_eq!(completion_rate, Some(40.0));
    let values = values.expect("values present");
    assert_eq!(values.get("email").map(String::as_str), Some("a@b.c"));
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].mime_type, "application/pdf");
    assert_eq!(files[0].text_excerpt.as_deref(), Some("Hello"));
}

#[test]
fn a_custom_event_needs_a_non_empty_name() {
    let mut e = event("custom");
    set(&mut e, "name", json!(""));
    assert_eq!(lines(&e), ["name: must not be empty"]);
    remove(&mut e, "name");
    assert_eq!(lines(&e), ["name: is required"]);
}

#[test]
fn a_custom_label_may_be_4096_bytes_but_not_more() {
    let mut e = event("custom");
    set(&mut e, "label", json!("l".repeat(MAX_CUSTOM_LABEL_BYTES)));
    accept(&e);
    // 2,049 two-byte chars: under 4,096 chars but over 4,096 bytes.
    set(&mut e, "label", json!("é".repeat(2_049)));
    assert_eq!(lines(&e), ["label: must be at most 4096 bytes"]);
}

#[test]
fn the_optional_custom_fields_are_type_checked() {
    let mut e = event("custom");
    merge(
        &mut e,
        json!({"category": 1, "action": true, "value": "10"}),
    );
    assert_eq!(
        lines(&e),
        [
            "category: must be a string",
            "action: must be a string",
            "value: must be a number",
        ]
    );
}

#[test]
fn a_custom_event_is_typed() {
    let mut e = event("custom");
    merge(
        &mut e,
        json!({"category": "interaction", "action": "click", "label": "primary", "value": 2.5}),
    );
    let detail = accept(&e).detail;
    assert_eq!(
        detail,
        EventDetail::Custom {
            name: "docs_filter_changed".into(),
            category: Some("interaction".into()),
            action: Some("click".into()),
            label: Some("primary".into()),
            value: Some(2.5),
        }
    );
}

#[test]
fn an_identify_needs_a_sha256_hex_hem() {
    let mut e = event("identify");
    remove(&mut e, "hem");
    assert_eq!(lines(&e), ["hem: is required"]);
    for bad in ["a@b.c", &"a".repeat(63), &"g".repeat(64), &"a".repeat(65)] {
        set(&mut e, "hem", json!(bad));
        assert_eq!(lines(&e), ["hem: must be 64 hexadecimal characters"]);
    }
}

#[test]
fn the_optional_identify_fields_are_type_checked() {
    let mut e = event("identify");
    merge(
        &mut e,
        json!({"hemMd5": "abc", "rawEmail": 1, "rawPhone": [], "identity": "x"}),
    );
    assert_eq!(
        lines(&e),
        [
            "hemMd5: must be 32 hexadecimal characters",
            "rawEmail: must be a string",
            "rawPhone: must be a string",
            "identity: must be an object",
        ]
    );
}

#[test]
fn an_identify_is_typed_with_its_identity_object() {
    let mut e = event("identify");
    let hem = "AbCdEf0123456789".repeat(4);
    merge(
        &mut e,
        json!({"hem": hem, "hemMd5": "0".repeat(32), "rawEmail": "a@b.c",
               "identity": {"customerId": "c1"}}),
    );
    let EventDetail::Identify {
        hem: got,
        hem_md5,
        raw_email,
        raw_phone,
        identity,
    } = accept(&e).detail
    else {
        panic!("not an identify");
    };
    assert_eq!(got, hem);
    assert_eq!(hem_md5, Some("0".repeat(32)));
    assert_eq!(raw_email.as_deref(), Some("a@b.c"));
    assert_eq!(raw_phone, None);
    assert_eq!(identity, Some(json!({"customerId": "c1"})));
}

#[test]
fn a_pageview_performance_object_is_typed_and_checked() {
    let mut e = event("pageview");
    set(
        &mut e,
        "performance",
        json!({"loadTime": 900, "domContentLoaded": 400.5, "firstContentfulPaint": 300}),
    );
    let EventDetail::Pageview {
        performance: Some(p),
    } = accept(&e).detail
    else {
        panic!("no performance");
    };
    assert_eq!(p.load_time, Some(900.0));
    assert_eq!(p.dom_content_loaded, Some(400.5));
    assert_eq!(p.first_contentful_paint, Some(300.0));
    set(&mut e, "performance", json!({"loadTime": "slow"}));
    assert_eq!(lines(&e), ["performance.loadTime: must be a number"]);
    set(&mut e, "performance", json!(5));
    assert_eq!(lines(&e), ["performance: must be an object"]);
}

#[test]
fn a_consent_transition_needs_only_the_envelope() {
    let e = accept(&event("_consent_transition"));
    assert_eq!(e.detail, EventDetail::ConsentTransition);
    let mut bare = event("_consent_transition");
    remove(&mut bare, "device");
    assert_eq!(lines(&bare), ["device: is required"]);
}

#[test]
fn type_specific_fields_of_other_types_are_not_required_on_a_pageview() {
    let mut e = event("pageview");
    set(&mut e, "depth", json!("not checked for a pageview"));
    accept(&e);
}
