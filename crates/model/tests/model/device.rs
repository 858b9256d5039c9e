//! `device`: truncation of the user agent, geometry, and the optional typed fields.

use clickwire_model::{Automation, Dimensions, MAX_USER_AGENT};
use serde_json::json;

use crate::support::{accept, lines, pageview, remove, set};

#[test]
fn an_over_long_user_agent_is_truncated_not_refused() {
    let mut e = pageview();
    set(&mut e, "device.userAgent", json!("U".repeat(2_000)));
    let event = accept(&e);
    assert_eq!(event.device.user_agent, "U".repeat(MAX_USER_AGENT));
    assert_eq!(
        event.payload["device"]["userAgent"],
        json!("U".repeat(MAX_USER_AGENT))
    );
}

#[test]
fn user_agent_truncation_counts_chars_and_keeps_them_whole() {
    let mut e = pageview();
    let ua = "é".repeat(MAX_USER_AGENT + 10);
    set(&mut e, "device.userAgent", json!(ua));
    let event = accept(&e);
    assert_eq!(event.device.user_agent.chars().count(), MAX_USER_AGENT);
    assert_eq!(event.device.user_agent, "é".repeat(MAX_USER_AGENT));
}

#[test]
fn a_user_agent_of_exactly_the_limit_is_untouched() {
    let mut e = pageview();
    set(
        &mut e,
        "device.userAgent",
        json!("U".repeat(MAX_USER_AGENT)),
    );
    assert_eq!(accept(&e).device.user_agent.len(), MAX_USER_AGENT);
}

#[test]
fn the_user_agent_and_viewport_are_required() {
    let mut e = pageview();
    remove(&mut e, "device.userAgent");
    remove(&mut e, "device.viewport");
    assert_eq!(
        lines(&e),
        [
            "device.userAgent: is required",
            "device.viewport: is required"
        ]
    );
}

#[test]
fn viewport_and_screen_need_numeric_width_and_height() {
    let mut e = pageview();
    set(&mut e, "device.viewport", json!({"width": "wide"}));
    set(&mut e, "device.screen", json!({"width": 1, "height": true}));
    assert_eq!(
        lines(&e),
        [
            "device.viewport.width: must be a number",
            "device.viewport.height: is required",
            "device.screen.height: must be a number",
        ]
    );
}

#[test]
fn the_optional_device_fields_are_typed() {
    let mut e = pageview();
    set(
        &mut e,
        "device",
        json!({
            "userAgent": "UA",
            "viewport": {"width": 390, "height": 844},
            "screen": {"width": 1170, "height": 2532},
            "clientPlatform": "web",
            "fingerprint": "fp_1",
            "fingerprintConfidence": 87.5,
            "gpuVendor": "Apple",
            "gpuRenderer": "Apple GPU",
            "connectionType": "4g",
            "pixelRatio": 3,
            "timezone": "America/New_York",
            "language": "en-US",
            "platform": "iPhone",
            "automation": {"score": 12, "signals": ["cdp"], "webdriver": false}
        }),
    );
    let d = accept(&e).device;
    assert_eq!(
        d.viewport,
        Dimensions {
            width: 390.0,
            height: 844.0
        }
    );
    assert_eq!(
        d.screen,
        Some(Dimensions {
            width: 1170.0,
            height: 2532.0
        })
    );
    assert_eq!(d.fingerprint.as_deref(), Some("fp_1"));
    assert_eq!(d.fingerprint_confidence, Some(87.5));
    assert_eq!(d.gpu_vendor.as_deref(), Some("Apple"));
    assert_eq!(d.gpu_renderer.as_deref(), Some("Apple GPU"));
    assert_eq!(d.connection_type.as_deref(), Some("4g"));
    assert_eq!(d.pixel_ratio, Some(3.0));
    assert_eq!(d.timezone.as_deref(), Some("America/New_York"));
    assert_eq!(d.language.as_deref(), Some("en-US"));
    assert_eq!(d.platform.as_deref(), Some("iPhone"));
    let expected = Automation {
        score: Some(12.0),
        signals: vec!["cdp".to_owned()],
        webdriver: Some(false),
    };
    assert_eq!(d.automation, Some(expected));
}

#[test]
fn wrongly_typed_optional_device_fields_are_each_reported() {
    let mut e = pageview();
    set(&mut e, "device.fingerprint", json!(1));
    set(&mut e, "device.gpuRenderer", json!(false));
    set(&mut e, "device.pixelRatio", json!("2x"));
    set(&mut e, "device.timezone", json!([]));
    set(&mut e, "device.clientPlatform", json!(7));
    assert_eq!(
        lines(&e),
        [
            "device.clientPlatform: must be a string",
            "device.fingerprint: must be a string",
            "device.gpuRenderer: must be a string",
            "device.pixelRatio: must be a number",
            "device.timezone: must be a string",
        ]
    );
}

#[test]
fn confidence_and_automation_score_must_lie_between_0_and_100() {
    let mut e = pageview();
    set(&mut e, "device.fingerprintConfidence", json!(100.5));
    set(
        &mut e,
        "device.automation",
        json!({"score": -1, "signals": ["ok", 3], "webdriver": "yes"}),
    );
    assert_eq!(
        lines(&e),
        [
            "device.fingerprintConfidence: must be between 0 and 100",
            "device.automation.score: must be between 0 and 100",
            "device.automation.signals[1]: must be a string",
            "device.automation.webdriver: must be a boolean",
        ]
    );
}

#[test]
fn the_range_bounds_themselves_are_accepted() {
    let mut e = pageview();
    set(&mut e, "device.fingerprintConfidence", json!(0));
    set(&mut e, "device.automation", json!({"score": 100}));
    let d = accept(&e).device;
    assert_eq!(d.fingerprint_confidence, Some(0.0));
    assert_eq!(d.automation.and_then(|a| a.score), Some(100.0));
}
