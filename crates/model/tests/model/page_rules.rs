//! `page` rules by `device.clientPlatform`: strict http(s) URL for web, relaxed for native
//! and server.

use serde_json::json;

use crate::support::{accept, lines, pageview, remove, set};

fn with_platform(platform: &str) -> serde_json::Value {
    let mut e = pageview();
    set(&mut e, "device.clientPlatform", json!(platform));
    e
}

#[test]
fn a_web_event_without_a_url_is_refused() {
    let mut e = with_platform("web");
    remove(&mut e, "page.url");
    assert_eq!(lines(&e), ["page.url: is required"]);
}

#[test]
fn an_event_without_client_platform_follows_the_web_rules() {
    let mut e = pageview();
    remove(&mut e, "page.url");
    assert_eq!(lines(&e), ["page.url: is required"]);
}

#[test]
fn a_web_event_needs_an_absolute_http_url() {
    for bad in [
        "/docs",
        "myapp://checkout",
        "ftp://example.com/x",
        "example.com/docs",
    ] {
        let mut e = pageview();
        set(&mut e, "page.url", json!(bad));
        assert_eq!(
            lines(&e),
            ["page.url: must be an absolute http(s) URL"],
            "{bad}"
        );
    }
}

#[test]
fn a_web_url_that_is_not_a_string_is_reported_as_such() {
    let mut e = pageview();
    set(&mut e, "page.url", json!(12));
    assert_eq!(lines(&e), ["page.url: must be a string"]);
}

#[test]
fn native_events_may_omit_the_url_and_use_a_screen_name_as_path() {
    for platform in ["ios", "android", "react-native"] {
        let mut e = with_platform(platform);
        remove(&mut e, "page.url");
        set(&mut e, "page.path", json!("CheckoutScreen"));
        let event = accept(&e);
        assert_eq!(event.page.url, None);
        assert_eq!(event.page.path, "CheckoutScreen");
        assert_eq!(event.device.client_platform.as_str(), platform);
    }
}

#[test]
fn native_events_may_use_a_custom_scheme_url() {
    let mut e = with_platform("android");
    set(&mut e, "page.url", json!("myapp://checkout"));
    assert_eq!(accept(&e).page.url.as_deref(), Some("myapp://checkout"));
}

#[test]
fn a_native_url_must_still_be_a_string() {
    let mut e = with_platform("ios");
    set(&mut e, "page.url", json!(["myapp://checkout"]));
    assert_eq!(lines(&e), ["page.url: must be a string"]);
}

#[test]
fn server_events_may_omit_the_url_and_use_any_string() {
    let mut e = with_platform("server");
    remove(&mut e, "page.url");
    set(&mut e, "page.path", json!("orders/checkout"));
    assert_eq!(accept(&e).page.url, None);
    set(&mut e, "page.url", json!("internal:orders"));
    assert_eq!(accept(&e).page.url.as_deref(), Some("internal:orders"));
    set(&mut e, "page.url", json!(1));
    assert_eq!(lines(&e), ["page.url: must be a string"]);
}

#[test]
fn path_and_title_are_required_on_every_platform() {
    for platform in ["web", "ios", "android", "react-native", "server"] {
        let mut e = with_platform(platform);
        remove(&mut e, "page.path");
        set(&mut e, "page.title", json!(null));
        assert_eq!(
            lines(&e),
            ["page.path: is required", "page.title: is required"],
            "{platform}"
        );
    }
}

#[test]
fn an_unknown_client_platform_is_reported_once_without_a_spurious_url_error() {
    let mut e = with_platform("windows-phone");
    remove(&mut e, "page.url");
    let errors = lines(&e);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("device.clientPlatform: must be one of: web, ios"));
}

#[test]
fn an_explicit_web_platform_keeps_the_strict_rule() {
    let mut e = with_platform("web");
    set(&mut e, "page.url", json!("myapp://checkout"));
    assert_eq!(lines(&e), ["page.url: must be an absolute http(s) URL"]);
}
