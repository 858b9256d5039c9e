//! The browser SDKs in a real browser: headless Chromium (Debian's `chromium`, driven by
//! `playwright-core`, both installed by `scripts/install-test-clients.sh`) loads test pages
//! from a local origin of its own, which load `/sdk.js`, `/datafly.js` or
//! `@segment/analytics-next` from a running `clickwire serve`. The Node scripts in
//! `tests/js/browser/` drive the pages and print what they did; these tests then read the
//! store back through `GET /v1/events` and check what arrived.

mod datafly;
mod sdk;
mod segment;

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use serde_json::Value;

use crate::{
    feed::support::{require, workspace},
    process::{start, stored_rows, Running},
};

/// Localhost page origins are allowed by the pipeline sources only in development mode.
const DEVELOPMENT: (&str, &str) = ("CLICKWIRE_SERVER__DEVELOPMENT", "true");

/// Starts a server for the browser tests on `data`.
fn serve(data: &Path) -> Running {
    start(data, &[], &[DEVELOPMENT])
}

/// Fails with what to install when Chromium or the npm packages are missing.
fn require_browser() {
    require("node", "the browser tests");
    let chromium = PathBuf::from("/usr/bin/chromium");
    assert!(
        chromium.exists(),
        "the browser tests need Chromium at {}: run scripts/install-test-clients.sh as root \
         (it installs the Debian package `chromium`), or apt-get install chromium",
        chromium.display()
    );
    let playwright = workspace().join("tests/js/node_modules/playwright-core");
    assert!(
        playwright.exists(),
        "{} is missing: run scripts/install-test-clients.sh (scripts/test.sh does)",
        playwright.display()
    );
}

/// Runs `tests/js/browser/<script>` with `env`; the JSON object it prints.
fn run_script(script: &str, env: &[(&str, &str)]) -> Value {
    let path = workspace().join("tests/js/browser").join(script);
    let output = Command::new("node")
        .arg(&path)
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|err| panic!("node {}: {err}", path.display()));
    assert!(
        output.status.success(),
        "{script} exited {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "{script} printed no JSON ({err}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// The stored rows once `done(rows)` holds, read again every 100 ms for at most 20 s (a
/// browser's last batch may still be on its way when its script ends).
async fn rows_when(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let rows = stored_rows(client, base, key).await;
        if done(&rows) || Instant::now() > deadline {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
