//! The analytics column mapping: blobs, doubles and the extras from enrichment.

use clickwire_model::{analytics_row, identity_keys, AnalyticsExtras, AnalyticsRow};
use serde_json::{json, Value};

use crate::support::{accept, event, merge, set, NOW};

fn row(e: &Value) -> AnalyticsRow {
    analytics_row("tenant_1", &accept(e), &AnalyticsExtras::default())
}

/// blobN (1-based, as the contract numbers them).
fn blob(row: &AnalyticsRow, n: usize) -> &str {
    &row.blobs[n - 1]
}

/// doubleN (1-based).
fn double(row: &AnalyticsRow, n: usize) -> Option<f64> {
    row.doubles[n - 1]
}

#[test]
fn a_pageview_row_has_the_envelope_columns_and_empty_parts() {
    let mut e = event("pageview");
    set(&mut e, "page.referrer", json!("https://google.com/"));
    set(
        &mut e,
        "performance",
        json!({"loadTime": 900, "domContentLoaded": 400, "firstContentfulPaint": 300}),
    );
    let r = row(&e);
    assert_eq!(r.index1, "tenant_1");
    assert_eq!(blob(&r, 1), "pageview|");
    assert_eq!(blob(&r, 2), "https://example.com/docs/getting-started");
    assert_eq!(blob(&r, 3), "/docs/getting-started");
    assert_eq!(blob(&r, 4), "https://google.com/");
    assert_eq!(blob(&r, 5), "sess_xyz456");
    assert_eq!(blob(&r, 6), "vis_abc123");
    assert_eq!(blob(&r, 7), "|||");
    assert_eq!(blob(&r, 8), "|");
    assert_eq!(blob(&r, 9), "|");
    assert_eq!(blob(&r, 10), "|||");
    assert_eq!(blob(&r, 11), "|");
    assert_eq!(blob(&r, 12), "");
    assert_eq!(blob(&r, 13), "||||");
    assert_eq!(blob(&r, 17), "");
    assert_eq!(blob(&r, 18), "||||||||");
    assert_eq!(blob(&r, 19), "||||");
    assert_eq!(blob(&r, 20), "");
    assert_eq!(double(&r, 1), Some((NOW - 1_000) as f64));
    assert_eq!((double(&r, 4), double(&r, 5)), (Some(1280.0), Some(800.0)));
    assert_eq!(double(&r, 10), Some(900.0));
    assert_eq!(double(&r, 11), Some(400.0));
    assert_eq!(double(&r, 12), Some(300.0));
    for unknown in [2, 3, 6, 7, 8, 9, 13, 14, 15, 16, 17, 18, 19, 20] {
        assert_eq!(double(&r, unknown), None, "double{unknown}");
    }
}

#[test]
fn a_click_row_carries_the_element_and_the_campaign_parameters_of_the_url() {
    let mut e = event("click");
    set(
        &mut e,
        "page.url",
        json!(
            "https://shop.example/p?utm_source=news&utm_medium=email&utm_campaign=spring%20sale\
               &gclid=G1&fbclid=F1&li_fat_id=L1&campaignCode=C9&utm_content=hero#frag"
        ),
    );
    set(&mut e, "element.text", json!("Buy now"));
    set(&mut e, "device.gpuRenderer", json!("ANGLE (Apple M1)"));
    set(&mut e, "device.fingerprintConfidence", json!(88));
    let r = row(&e);
    assert_eq!(blob(&r, 1), "click|");
    assert_eq!(blob(&r, 7), "|||ANGLE (Apple M1)");
    assert_eq!(blob(&r, 9), "#buy|Buy now");
    assert_eq!(blob(&r, 18), "G1|F1||||||L1|C9");
    assert_eq!(blob(&r, 19), "news|email|spring sale||hero");
    assert_eq!((double(&r, 6), double(&r, 7)), (Some(10.0), Some(20.0)));
    assert_eq!(double(&r, 13), Some(88.0));
}

#[test]
fn a_custom_row_carries_its_name_category_action_label_and_value() {
    let mut e = event("custom");
    merge(
        &mut e,
        json!({"category": "interaction", "action": "click", "label": "primary", "value": 4.5}),
    );
    let r = row(&e);
    assert_eq!(blob(&r, 1), "custom|docs_filter_changed");
    assert_eq!(blob(&r, 10), "|interaction|click|primary");
    assert_eq!(double(&r, 9), Some(4.5));
}

#[test]
fn a_pipe_inside_a_value_is_escaped_so_the_columns_still_split() {
    let mut e = event("custom");
    merge(&mut e, json!({"label": "a|b"}));
    assert_eq!(blob(&row(&e), 10), "|||a%7Cb");
}

#[test]
fn an_identify_row_carries_the_keyed_hems_and_the_identity_ids() {
    let mut e = event("identify");
    merge(
        &mut e,
        json!({
            "hemMd5": "b".repeat(32),
            "identity": {
                "phoneHash": "ph",
                "customerId": "cu", "accountId": 42, "userId": "us", "crmContactId": "crm",
                "orderId": "or",
                "clickstreamId": "cs", "referringClickstreamId": "rcs",
                "maid": "m-1", "maidType": "idfa",
                "googleId": "g", "fbId": "f", "linkedinId": "l", "appleId": "a",
                "utm_source": "partner", "gclid": "from-identity"
            }
        }),
    );
    set(
        &mut e,
        "page.url",
        json!("https://example.com/?gclid=from-url"),
    );
    let extras = AnalyticsExtras {
        hmac_hem: Some("keyed-hem".into()),
        hmac_phone: Some("keyed-phone".into()),
        ..AnalyticsExtras::default()
    };
    let r = analytics_row("tenant_1", &accept(&e), &extras);
    assert_eq!(blob(&r, 1), "identify|");
    assert_eq!(blob(&r, 11), format!("keyed-hem|{}", "b".repeat(32)));
    assert_eq!(blob(&r, 12), "keyed-phone");
    assert_eq!(blob(&r, 13), "cu|42|us|crm|or");
    assert_eq!(blob(&r, 14), "cs|rcs");
    assert_eq!(blob(&r, 15), "m-1|idfa");
    assert_eq!(blob(&r, 16), "g|f|l|a");
    assert_eq!(blob(&r, 18), "from-url||||||||");
    assert_eq!(blob(&r, 19), "partner||||");
}

#[test]
fn hashed_phone_prefers_hashed_phone_over_phone_hash() {
    let mut e = event("identify");
    merge(
        &mut e,
        json!({"identity": {"hashedPhone": "first", "phoneHash": "second"}}),
    );
    let event = accept(&e);
    let keys = identity_keys(&event);
    assert_eq!(keys.phone, Some("first"));
    assert_eq!(keys.hem, Some("a".repeat(64).as_str()));
}

#[test]
fn without_keyed_hashes_the_identity_blobs_never_hold_the_client_hashes() {
    let mut e = event("identify");
    merge(&mut e, json!({"identity": {"hashedPhone": "ph"}}));
    let r = row(&e);
    assert_eq!(blob(&r, 11), "|");
    assert_eq!(blob(&r, 12), "");
}

#[test]
fn scroll_and_form_rows_fill_their_doubles_and_form_id() {
    let s = row(&event("scroll"));
    assert_eq!((double(&s, 2), double(&s, 3)), (Some(50.0), Some(1200.0)));
    let f = row(&event("form"));
    assert_eq!(blob(&f, 10), "signup|||");
    assert_eq!(double(&f, 8), Some(3.0));
}

#[test]
fn a_native_event_without_url_has_empty_url_and_campaign_blobs() {
    let mut e = event("pageview");
    set(&mut e, "device.clientPlatform", json!("ios"));
    set(&mut e, "page.url", json!(null));
    let r = row(&e);
    assert_eq!(blob(&r, 2), "");
    assert_eq!(blob(&r, 19), "||||");
}

#[test]
fn the_extras_fill_device_geo_bot_and_ip_columns() {
    let extras = AnalyticsExtras {
        ip_hash: Some("iph".into()),
        device_type: Some("desktop".into()),
        browser: Some("Chrome".into()),
        os: Some("macOS".into()),
        country: Some("DE".into()),
        city: Some("Berlin".into()),
        bot_category: Some("ai_agent".into()),
        bot_name: Some("GPTBot".into()),
        bot_score: Some(91.0),
        is_bot: Some(true),
        ..AnalyticsExtras::default()
    };
    let r = analytics_row("t", &accept(&event("pageview")), &extras);
    assert_eq!(blob(&r, 7), "desktop|Chrome|macOS|");
    assert_eq!(blob(&r, 8), "DE|Berlin");
    assert_eq!(blob(&r, 17), "ai_agent|GPTBot");
    assert_eq!(blob(&r, 20), "iph");
    assert_eq!(double(&r, 18), Some(91.0));
    assert_eq!(double(&r, 19), Some(1.0));
}

#[test]
fn label_columns_set_after_mapping_give_the_row_mapped_with_them() {
    let labelled = AnalyticsExtras {
        ip_hash: Some("iph".into()),
        device_type: Some("mobile".into()),
        browser: Some("Safari".into()),
        os: Some("iOS".into()),
        bot_category: Some("scraper".into()),
        bot_name: Some("X|Y".into()),
        bot_score: Some(77.0),
        is_bot: Some(true),
        ..AnalyticsExtras::default()
    };
    let unlabelled = AnalyticsExtras {
        ip_hash: labelled.ip_hash.clone(),
        ..AnalyticsExtras::default()
    };
    for kind in ["pageview", "click", "identify"] {
        let e = accept(&event(kind));
        let mut two_step = analytics_row("t", &e, &unlabelled);
        two_step.set_label_columns(&e, &labelled);
        assert_eq!(two_step, analytics_row("t", &e, &labelled), "{kind}");
    }
}

#[test]
fn bot_columns_stay_empty_for_human_traffic() {
    let extras = AnalyticsExtras {
        bot_category: Some("scraper".into()),
        bot_name: Some("x".into()),
        bot_score: Some(10.0),
        is_bot: Some(false),
        ..AnalyticsExtras::default()
    };
    let r = analytics_row("t", &accept(&event("pageview")), &extras);
    assert_eq!(blob(&r, 17), "");
    assert_eq!(double(&r, 18), Some(10.0));
    assert_eq!(double(&r, 19), Some(0.0));
}
