//! `@segment/analytics-next` in Chromium with `cdnURL` pointed at clickwire: it loads its
//! settings from `/v1/projects/{writeKey}/settings`, and its identify, track and page
//! arrive in the store with every field; the request log shows the route's pattern, never
//! the write key.

use serde_json::Value;

use super::{require_browser, rows_when, run_script, serve};
use crate::process::{data_dir, key};

/// The fields of a sent message that must come back as sent.
const FIELDS: [&str; 8] = [
    "type",
    "event",
    "name",
    "category",
    "userId",
    "anonymousId",
    "properties",
    "traits",
];

#[tokio::test]
async fn segment_analytics_next_in_chromium_sends_through_the_settings_route() {
    require_browser();
    let (_dir, data) = data_dir();
    let server = serve(&data);
    let pipeline = key(&data, "pipeline");
    let reader = key(&data, "server");
    let report = run_script(
        "segment.mjs",
        &[
            ("CLICKWIRE_URL", server.base.as_str()),
            ("PIPELINE_KEY", pipeline.as_str()),
        ],
    );
    assert_eq!(report["settingsStatus"], 200, "{report}");
    let host = server.base.trim_start_matches("http://");
    let io = &report["settings"]["integrations"]["Segment.io"];
    assert_eq!(io["apiHost"], format!("{host}/v1"));
    assert_eq!(io["protocol"], "http");
    let sent = report["sent"].as_array().expect("sent");
    assert_eq!(sent.len(), 3);
    for call in sent {
        assert_eq!(call["failed"], Value::Null, "{call}");
    }

    let client = reqwest::Client::new();
    let rows = rows_when(&client, &server.base, &reader, |rows| rows.len() >= 3).await;
    let kinds: Vec<&str> = sent
        .iter()
        .map(|c| c["event"]["type"].as_str().expect("type"))
        .collect();
    assert_eq!(kinds, ["identify", "track", "page"]);
    for call in sent {
        let event = &call["event"];
        let id = event["messageId"].as_str().expect("messageId");
        let stored = rows
            .iter()
            .map(|row| &row["event"])
            .find(|stored| stored["messageId"] == id)
            .unwrap_or_else(|| panic!("{} {id} is not stored: {rows:?}", event["type"]));
        for field in FIELDS {
            if let Some(value) = event.get(field).filter(|v| !v.is_null()) {
                assert_eq!(&stored[field], value, "{id}: {field}");
            }
        }
        assert_eq!(
            stored["context"]["library"]["name"], "analytics.js",
            "{stored}"
        );
        assert!(stored["context"]["page"]["url"].is_string(), "{stored}");
        assert_eq!(stored["userId"], "user_seg", "identified first: {stored}");
    }
    let (_, log) = server.terminate();
    assert!(
        log.contains("path=\"/v1/projects/{writeKey}/settings\""),
        "the settings request is logged by its route: {log}"
    );
    assert!(!log.contains(&pipeline), "the write key reached the log");
}
