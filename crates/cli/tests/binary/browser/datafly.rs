//! `/datafly.js` in Chromium: the page of the load, identify, track (retried after a 503),
//! group and the pages of an SPA navigation arrive in the store with every field the
//! browser sent.

use serde_json::Value;

use super::{require_browser, rows_when, run_script, serve};
use crate::process::{data_dir, key};

/// The top-level fields that must be stored as sent.
const FIELDS: [&str; 10] = [
    "type",
    "event",
    "name",
    "userId",
    "groupId",
    "anonymousId",
    "messageId",
    "properties",
    "traits",
    "timestamp",
];

/// The `context` fields the SDK must send, stored as sent.
const CONTEXT: [&str; 4] = ["page", "userAgent", "locale", "timezone"];

#[tokio::test]
async fn datafly_js_in_chromium_delivers_page_track_identify_and_group_with_every_field() {
    require_browser();
    let (_dir, data) = data_dir();
    let server = serve(&data);
    let pipeline = key(&data, "pipeline");
    let reader = key(&data, "server");
    let report = run_script(
        "datafly.mjs",
        &[
            ("CLICKWIRE_URL", server.base.as_str()),
            ("PIPELINE_KEY", pipeline.as_str()),
        ],
    );
    let answers = report["answers"].as_array().expect("answers");
    assert!(answers.iter().all(|a| a["success"] == true), "{answers:?}");
    assert_eq!(report["trackAttempts"], 2, "the 503 is retried");
    let anonymous = report["anonymousId"].as_str().expect("anonymousId");
    assert_eq!(report["cookie"], anonymous, "kept in the _dfid cookie");

    let mut sent: Vec<&Value> = Vec::new();
    for message in report["sent"].as_array().expect("sent") {
        assert_eq!(message["auth"], format!("Bearer {pipeline}"));
        let id = &message["body"]["messageId"];
        if !sent.iter().any(|m| &m["body"]["messageId"] == id) {
            sent.push(message);
        }
    }
    let kinds: Vec<&str> = sent
        .iter()
        .map(|m| m["body"]["type"].as_str().expect("type"))
        .collect();
    assert_eq!(
        kinds,
        ["page", "identify", "track", "group", "page", "page"]
    );

    let client = reqwest::Client::new();
    let rows = rows_when(&client, &server.base, &reader, |rows| {
        rows.len() >= sent.len()
    })
    .await;
    assert_eq!(
        rows.len(),
        sent.len(),
        "one stored event per message, the retry included"
    );
    for message in &sent {
        let body = &message["body"];
        let id = body["messageId"].as_str().expect("messageId");
        let stored = rows
            .iter()
            .map(|row| &row["event"])
            .find(|event| event["messageId"] == id)
            .unwrap_or_else(|| panic!("{} {id} is not stored", body["type"]));
        assert_eq!(body["anonymousId"], anonymous);
        for field in FIELDS {
            if let Some(value) = body.get(field).filter(|v| !v.is_null()) {
                assert_eq!(&stored[field], value, "{id}: {field}");
            }
        }
        for field in CONTEXT {
            let value = &body["context"][field];
            assert!(!value.is_null(), "{id}: the SDK sent no context.{field}");
            assert_eq!(&stored["context"][field], value, "{id}: context.{field}");
        }
        assert_eq!(
            message["path"],
            format!("/v1/{}", &body["type"].as_str().expect("type")[..1])
        );
    }
    let page = |i: usize| {
        &sent
            .iter()
            .filter(|m| m["body"]["type"] == "page")
            .nth(i)
            .expect("page")["body"]
    };
    assert_eq!(page(0)["properties"]["path"], "/df/");
    assert_eq!(page(0)["properties"]["search"], "?utm_source=test");
    assert_eq!(
        page(1)["properties"]["path"],
        "/df/pricing",
        "pushState sends a page"
    );
    assert_eq!(page(2)["name"], "Pricing");
    assert_eq!(page(2)["properties"]["plan"], "pro");
    let track = sent
        .iter()
        .find(|m| m["body"]["type"] == "track")
        .expect("track");
    assert_eq!(
        track["body"]["userId"], "user_df",
        "identified before the track"
    );
    assert_eq!(track["body"]["properties"]["price"], 79.99);
    server.kill();
}
