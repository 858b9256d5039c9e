//! The dashboard in a real browser: headless Chromium (Debian's `chromium`), driven by
//! `tests/js/browser/dashboard.mjs` with `playwright-core` (pinned in `tests/js`), against a
//! running `clickwire serve`. The page signs in with the admin key typed into its form,
//! shows an event the test posts within a second, looks its visitor up, and shows a
//! webhook sent to a test session it created; screenshots at desktop and phone width are
//! written to `target/tmp/dashboard/`.

use std::{path::PathBuf, process::Command};

use serde_json::{json, Value};

use crate::{
    feed::support::{require, workspace},
    process::{data_dir, key, start},
};

/// Where the browser is (the Debian package's path).
const CHROMIUM: &str = "/usr/bin/chromium";

/// Runs the browser script; its report.
fn drive(base: &str, admin: &str, server: &str, out: &std::path::Path) -> Value {
    let script = workspace().join("tests/js/browser/dashboard.mjs");
    let output = Command::new("node")
        .arg(&script)
        .args(["--base", base, "--admin-key", admin, "--server-key", server])
        .arg("--out")
        .arg(out)
        .output()
        .expect("run node");
    assert!(
        output.status.success(),
        "{} exited {:?}: {}",
        script.display(),
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the script prints one JSON object")
}

/// The width and height of a PNG file.
fn png_size(path: &str) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|err| panic!("{path}: {err}"));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{path} is a PNG");
    let word =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    (word(16), word(20))
}

#[tokio::test]
async fn the_dashboard_in_chromium_signs_in_shows_a_new_event_its_visitor_and_a_test_webhook() {
    require("node", "the dashboard browser test");
    assert!(
        PathBuf::from(CHROMIUM).exists(),
        "{CHROMIUM} is missing: apt-get install chromium (scripts/install-test-clients.sh does)"
    );
    assert!(
        workspace()
            .join("tests/js/node_modules/playwright-core")
            .exists(),
        "playwright-core is missing: run scripts/install-test-clients.sh (npm ci in tests/js)"
    );
    let (_dir, data) = data_dir();
    let server = start(&data, &[], &[]);
    let admin = key(&data, "admin");
    let writer = key(&data, "server");
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dashboard");
    std::fs::create_dir_all(&out).expect("screenshot directory");

    let report = drive(&server.base, &admin, &writer, &out);

    assert_eq!(
        report["consoleErrors"],
        json!([]),
        "no script or CSP error: {report}"
    );
    assert_eq!(
        report["failedResponses"],
        json!(["401 /v1/dashboard/session", "401 /v1/dashboard/session"]),
        "only the page's who-am-I before sign-in and after sign-out fail: {report}"
    );
    assert_eq!(report["who"], "default · admin key");
    assert_eq!(
        report["cookie"],
        json!({"httpOnly": true, "sameSite": "Strict", "secure": false})
    );
    assert_eq!(report["scriptSeesCookie"], false, "the cookie is HttpOnly");
    let shown = report["shownAfterMs"].as_u64().expect("shownAfterMs");
    assert!(shown <= 1000, "the event showed after {shown} ms");

    // The row is the stored event, and the lookup shows the visitor's stored scores.
    let client = reqwest::Client::new();
    let visitor = report["visitor"].as_str().expect("visitor");
    let stored: Value = client
        .get(server.url(&format!("/v1/events?visitorId={visitor}")))
        .header("X-API-Key", &writer)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(report["eventId"], stored["events"][0]["id"], "{report}");
    let snapshot: Value = client
        .get(server.url(&format!("/v1/signals/{visitor}")))
        .header("X-API-Key", &writer)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(report["lookup"]["class"], snapshot["behavioralClass"]);
    let scores = snapshot["scores"].as_object().expect("scores");
    assert_eq!(scores.len(), 11);
    for (name, value) in scores {
        let shown = report["lookup"]["scores"][name]
            .as_str()
            .unwrap_or_default();
        match value.as_f64() {
            Some(number) => {
                let shown: f64 = shown.parse().unwrap_or(f64::NAN);
                assert!((shown - number).abs() < 0.01, "{name}: {shown} vs {number}");
            }
            None => assert_eq!(shown, value.as_str().unwrap_or_default(), "{name}"),
        }
    }
    assert_eq!(report["mixShowsHuman"], true, "{report}");
    assert_eq!(report["topPageShown"], true, "{report}");

    // The inspector's session captured the webhook and showed it.
    let url = report["testUrl"].as_str().expect("testUrl");
    assert!(url.contains("/v1/ingest/src_"), "{url}");
    let line = report["capture"].as_str().expect("capture");
    assert!(line.starts_with("POST /v1/ingest/src_"), "{line}");

    assert_eq!(report["phoneOverflow"], 0, "nothing wider than a phone");
    let shots = report["screenshots"].as_array().expect("screenshots");
    let (width, _) = png_size(shots[0].as_str().expect("path"));
    assert_eq!(width, 1280);
    let (width, height) = png_size(shots[1].as_str().expect("path"));
    assert_eq!(width, 390);
    assert!(height >= 844);
    assert_eq!(report["afterSignOut"], 401, "signing out ended the session");
    let (clean, stderr) = server.terminate();
    assert!(clean, "{stderr}");
}
