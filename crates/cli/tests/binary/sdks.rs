//! Real tracking SDKs pointed at a running `clickwire serve`, changing nothing but the
//! host: `@segment/analytics-node`, `@rudderstack/rudder-sdk-node` and
//! `segment-analytics-python` (pinned in `tests/js` and `tests/py`, installed by
//! `scripts/install-test-clients.sh`) each send identify, track, page, group and alias
//! through their own batching and flush. The test reads every message back through
//! `GET /v1/events` and checks each field the SDK sent.

use std::{path::PathBuf, process::Command};

use serde_json::Value;

use crate::{
    feed::support::{require, workspace},
    process::{data_dir, key, start},
};

/// The fields of a sent message that must come back as sent.
const FIELDS: [&str; 9] = [
    "type",
    "userId",
    "anonymousId",
    "event",
    "name",
    "groupId",
    "previousId",
    "properties",
    "traits",
];

/// Runs one client script against `host`; its report of what it sent.
fn run_client(program: &str, script: PathBuf, host: &str, key: &str, run: &str) -> Value {
    let output = Command::new(program)
        .arg(&script)
        .args(["--host", host, "--key", key, "--run", run])
        .output()
        .unwrap_or_else(|err| panic!("{program} {}: {err}", script.display()));
    assert!(
        output.status.success(),
        "{} exited {:?}: {}",
        script.display(),
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the client prints one JSON object")
}

/// Every stored event of the default tenant.
async fn stored(client: &reqwest::Client, base: &str, key: &str) -> Vec<Value> {
    let page: Value = client
        .get(format!("{base}/v1/events?limit=1000"))
        .header("X-API-Key", key)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    page["events"].as_array().cloned().unwrap_or_default()
}

/// Checks every message `report` says was sent against what is stored.
fn check(report: &Value, events: &[Value], run: &str) {
    let sdk = report["sdk"].as_str().expect("sdk");
    let messages = report["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 5, "{sdk}");
    for sent in messages {
        let id = sent["messageId"].as_str().expect("messageId");
        let found = events
            .iter()
            .find(|e| e["event"]["messageId"] == id)
            .unwrap_or_else(|| panic!("{sdk}: {} {id} is not stored", sent["type"]));
        let stored = &found["event"];
        for field in FIELDS {
            if let Some(value) = sent.get(field).filter(|v| !v.is_null()) {
                assert_eq!(&stored[field], value, "{sdk} {id}: {field}");
            }
        }
        assert!(
            stored["context"]["library"]["name"].is_string(),
            "{sdk}: {stored}"
        );
        assert!(stored["timestamp"].is_string() && stored["receivedAt"].is_string());
        assert!(
            found["labels"]["bot"].is_object(),
            "{sdk}: every message is labelled"
        );
    }
    // The identify came first: the track and page of the same anonymous id carry its user.
    let user = format!("user_{run}");
    for kind in ["track", "page"] {
        let linked = events
            .iter()
            .find(|e| {
                e["event"]["type"] == kind && e["event"]["anonymousId"] == format!("anon_{run}")
            })
            .unwrap_or_else(|| panic!("{sdk}: no {kind}"));
        assert_eq!(
            linked["event"]["userId"],
            user.as_str(),
            "{sdk}: {kind} after identify"
        );
    }
}

#[tokio::test]
async fn segment_and_rudderstack_sdks_deliver_every_call_type() {
    require("node", "the SDK client test");
    let python = workspace().join("tests/py/.venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/install-test-clients.sh (scripts/test.sh does)",
        python.display()
    );
    let (_dir, data) = data_dir();
    let server = start(&data, &[], &[]);
    let key = key(&data, "pipeline");
    let reader = crate::process::key(&data, "server");
    let clients = [
        (
            "node",
            workspace().join("tests/js/segment-node-client.mjs"),
            "segnode",
        ),
        (
            "node",
            workspace().join("tests/js/rudder-node-client.mjs"),
            "rudder",
        ),
        (
            python.to_str().expect("path"),
            workspace().join("tests/py/segment_python_client.py"),
            "segpy",
        ),
    ];
    let client = reqwest::Client::new();
    for (program, script, run) in clients {
        let report = run_client(program, script, &server.base, &key, run);
        // Acknowledged means committed: what the SDK was told is stored is readable now.
        let events = stored(&client, &server.base, &reader).await;
        check(&report, &events, run);
    }
    server.kill();
}
