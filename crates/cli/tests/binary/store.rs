//! `clickwire store fill` and `clickwire store stats` on real data directories: a filled
//! directory is served normally, stats read a live server's directory, and a missing
//! directory is an error, never a new empty store.

use std::path::Path;

use serde_json::Value;

use crate::process::{clickwire, data_dir, key, run, start};

/// Runs `clickwire store <args> --data <data>`; returns its stdout, failing on non-zero exit.
fn store(data: &Path, args: &[&str]) -> String {
    let args: Vec<&str> = std::iter::once("store")
        .chain(args.iter().copied())
        .collect();
    run(data, &args)
}

/// The JSON lines of `store stats`.
fn stats(data: &Path) -> Vec<Value> {
    store(data, &["stats"])
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect()
}

#[tokio::test]
async fn a_filled_directory_is_served_normally_and_its_stats_add_up() {
    let (_dir, data) = data_dir();
    let args = [
        "fill",
        "--events",
        "2000",
        "--span",
        "1h",
        "--batch",
        "700",
        "--threads",
        "2",
    ];
    let out = store(&data, &args);
    assert!(out.contains("wrote 2000 events"), "{out}");

    let before = stats(&data);
    assert_eq!(before.len(), 1, "{before:?}");
    let tenant = &before[0];
    assert_eq!(tenant["tenant"], "default");
    assert_eq!(tenant["events"], 2000);
    assert!(
        tenant["bytes"].as_u64().expect("bytes") > 2000 * 300,
        "{tenant}"
    );
    assert_eq!(tenant["oldest"]["seq"], 1);
    assert_eq!(tenant["newest"]["seq"], 2000);
    let oldest = tenant["oldest"]["receivedAt"].as_str().expect("rfc 3339");
    let newest = tenant["newest"]["receivedAt"].as_str().expect("rfc 3339");
    assert!(
        oldest.ends_with('Z') && oldest < newest,
        "{oldest} .. {newest}"
    );
    // Several generator threads, yet receive times grow with seq, as retention expects.
    let db = rusqlite::Connection::open(data.join("clickwire.db")).expect("db");
    let backwards: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM events a JOIN events b ON b.seq = a.seq + 1
             WHERE b.received_at < a.received_at",
            [],
            |row| row.get(0),
        )
        .expect("query");
    assert_eq!(backwards, 0);
    drop(db);

    let server = start(&data, &[], &[]);
    let client = reqwest::Client::new();
    let skey = key(&data, "server");
    let read = |query: String| {
        let request = client
            .get(server.url(&format!("/v1/events?{query}")))
            .header("X-API-Key", &skey);
        async move {
            let response = request.send().await.expect("read");
            assert_eq!(response.status(), 200);
            response.json::<Value>().await.expect("json")
        }
    };
    let page = read("limit=10".into()).await;
    let first = &page["events"][0];
    assert_eq!(first["seq"], 1);
    assert!(first["labels"]["behavioralClass"].is_string(), "{first}");
    assert_eq!(first["event"]["device"]["clientPlatform"], "web");
    let visitor = first["event"]["visitorId"].as_str().expect("visitor");
    let visits = read(format!("visitorId={visitor}&limit=1000")).await;
    let visits = visits["events"].as_array().expect("events");
    assert!(!visits.is_empty());
    assert!(visits.iter().all(|e| e["event"]["visitorId"] == visitor));

    // Beside the running server (WAL, read-only), with its catalog's tenant now listed.
    let live = stats(&data);
    assert_eq!(live.len(), 1, "{live:?}");
    assert_eq!(live[0]["events"], 2000);
    let (clean, stderr) = server.terminate();
    assert!(clean, "{stderr}");
}

#[test]
fn stats_of_a_missing_directory_fail_without_creating_it() {
    let (_dir, data) = data_dir();
    let output = clickwire()
        .args(["store", "stats", "--data"])
        .arg(&data)
        .output()
        .expect("run clickwire");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not found"), "{stderr}");
    assert!(!data.exists(), "no empty store was created");
}
