//! `clickwire serve`: the first start, later starts, configuration layers and logs.

use std::os::unix::fs::PermissionsExt;

use serde_json::{json, Value};

use crate::process::{data_dir, event, key, start};

#[tokio::test]
async fn the_first_start_writes_credentials_and_later_starts_create_nothing() {
    let (_dir, data) = data_dir();
    let first = start(&data, &[], &[]);
    let file = data.join("bootstrap-credentials.json");
    assert!(
        first
            .stdout_lines
            .iter()
            .any(|l| l.contains(&*file.to_string_lossy())),
        "the path is printed: {:?}",
        first.stdout_lines
    );
    let mode = std::fs::metadata(&file).expect("file").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let text = std::fs::read_to_string(&file).expect("read");
    let json: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(json["tenant"], "default");
    assert_eq!(json["tier"], "network");
    let keys = json["keys"].as_object().expect("keys");
    let mut kinds: Vec<&str> = keys.keys().map(String::as_str).collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        ["admin", "mobile", "operator", "pipeline", "server", "website"]
    );
    for (kind, prefix) in [
        ("website", "cs_live_"),
        ("mobile", "cs_mob_live_"),
        ("server", "cs_srv_live_"),
        ("pipeline", "dk_live_"),
        ("admin", "cw_admin_"),
    ] {
        assert!(
            keys[kind].as_str().expect("key").starts_with(prefix),
            "{kind}"
        );
    }
    let (ok, _) = first.terminate();
    assert!(ok);

    let second = start(&data, &[], &[]);
    assert!(second.stdout_lines.is_empty(), "{:?}", second.stdout_lines);
    assert_eq!(std::fs::read_to_string(&file).expect("read"), text);
    let response = reqwest::Client::new()
        .post(second.url("/v1/events"))
        .header("X-API-Key", keys["server"].as_str().expect("key"))
        .json(&event("after-restart"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 202, "the old keys still work");
    second.kill();
}

#[tokio::test]
async fn settings_layer_file_then_environment_then_flags() {
    let (dir, data) = data_dir();
    let config = dir.path().join("clickwire.toml");
    // The file sets a listen address the environment overrides (and `--listen`, passed by
    // `start`, overrides both), a data directory the `--data` flag overrides, and a
    // free-tier limit nothing overrides.
    std::fs::write(
        &config,
        "[server]\nlisten = \"127.0.0.1:1\"\n[store]\ndata = \"/nonexistent/elsewhere\"\nbusy_timeout = \"30s\"\n[rate_limits]\nfree = 2\n",
    )
    .expect("write config");
    let config_arg = config.to_string_lossy().into_owned();
    let server = start(
        &data,
        &["--config", &config_arg],
        &[("CLICKWIRE_SERVER__LISTEN", "127.0.0.1:9")],
    );
    assert!(!server.base.ends_with(":1") && !server.base.ends_with(":9"));
    assert!(
        data.join("clickwire.db").exists(),
        "the --data flag beat the file"
    );

    let client = reqwest::Client::new();
    let tiny = create_key(
        &client,
        &server.url(""),
        &key(&data, "operator"),
        "tiny",
        "free",
    )
    .await;
    let mut statuses = Vec::new();
    for size in [5, 1] {
        let events: Vec<Value> = (0..size).map(|i| event(&format!("e{i}"))).collect();
        let response = client
            .post(server.url("/v1/events"))
            .header("X-API-Key", &tiny)
            .json(&json!({ "events": events }))
            .send()
            .await
            .expect("request");
        statuses.push(response.status().as_u16());
    }
    // free = 2 from the file: a burst of 4, so 5 events at once are over the limit.
    assert_eq!(statuses, [429, 202]);
    server.kill();
}

#[tokio::test]
async fn the_environment_overrides_the_file() {
    let (dir, data) = data_dir();
    let config = dir.path().join("clickwire.toml");
    std::fs::write(&config, "[rate_limits]\nfree = 2\n").expect("write config");
    let config_arg = config.to_string_lossy().into_owned();
    let server = start(
        &data,
        &["--config", &config_arg],
        &[("CLICKWIRE_RATE_LIMITS__FREE", "50")],
    );
    let client = reqwest::Client::new();
    let key = create_key(
        &client,
        &server.url(""),
        &key(&data, "operator"),
        "roomy",
        "free",
    )
    .await;
    let events: Vec<Value> = (0..20).map(|i| event(&format!("e{i}"))).collect();
    let response = client
        .post(server.url("/v1/events"))
        .header("X-API-Key", &key)
        .json(&json!({ "events": events }))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 202);
    assert_eq!(response.headers()["x-ratelimit-limit"], "50");
    server.kill();
}

#[test]
fn a_bad_setting_stops_the_start_with_a_clear_message() {
    let (dir, data) = data_dir();
    let config = dir.path().join("clickwire.toml");
    std::fs::write(&config, "[store]\nbusy_timeout = \"soon\"\n").expect("write config");
    let output = crate::process::clickwire()
        .args(["serve", "--data"])
        .arg(&data)
        .arg("--config")
        .arg(&config)
        .output()
        .expect("run");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("busy_timeout"), "{stderr}");
}

/// Creates a tenant of `tier` and a server key for it through the admin API.
async fn create_key(
    client: &reqwest::Client,
    base: &str,
    admin: &str,
    tenant: &str,
    tier: &str,
) -> String {
    let created = client
        .post(format!("{base}/v1/admin/tenants"))
        .header("X-API-Key", admin)
        .json(&json!({"name": tenant, "tier": tier}))
        .send()
        .await
        .expect("request");
    assert_eq!(created.status(), 201);
    let created: Value = client
        .post(format!("{base}/v1/admin/keys"))
        .header("X-API-Key", admin)
        .json(&json!({"tenant": tenant, "kind": "server"}))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    created["key"].as_str().expect("key").to_owned()
}

#[tokio::test]
async fn a_key_in_the_query_string_never_reaches_the_logs() {
    let (_dir, data) = data_dir();
    let server = start(&data, &[], &[("RUST_LOG", "debug")]);
    let server_key = key(&data, "server");
    let response = reqwest::Client::new()
        .post(server.url(&format!("/v1/events?key={server_key}")))
        .json(&event("logged"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 202);
    let (ok, stderr) = server.terminate();
    assert!(ok);
    assert!(
        stderr.contains("/v1/events"),
        "request logs are on at debug: {stderr}"
    );
    assert!(
        !stderr.contains(&server_key),
        "the key leaked into the logs"
    );
}
