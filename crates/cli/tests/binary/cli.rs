//! `clickwire tenant …`, `clickwire key …` and `clickwire source …` against the data directory of a running server.

use std::time::Duration;

use crate::process::{clickwire, data_dir, event, run, start};

#[tokio::test]
async fn keys_made_by_the_cli_work_at_once_and_stop_within_five_seconds_of_revocation() {
    let (_dir, data) = data_dir();
    let server = start(&data, &[], &[]);
    run(&data, &["tenant", "create", "acme", "--tier", "scale"]);
    assert!(run(&data, &["tenant", "list"])
        .lines()
        .any(|l| l == "acme\tscale"));

    let key = run(
        &data,
        &["key", "create", "--tenant", "acme", "--kind", "mobile"],
    );
    let key = key.trim_end();
    assert!(
        key.starts_with("cs_mob_live_") && !key.contains(char::is_whitespace),
        "{key:?}"
    );
    let client = reqwest::Client::new();
    let send = || {
        client
            .post(server.url("/v1/events"))
            .header("X-API-Key", key)
            .json(&event("cli"))
            .send()
    };
    assert_eq!(send().await.expect("request").status(), 202);

    let listing = run(&data, &["key", "list", "--tenant", "acme"]);
    assert!(!listing.contains(key), "listings show prefixes only");
    assert!(listing.contains(&key[..16]));

    let id = listing
        .lines()
        .find(|line| line.contains(&key[..16]))
        .and_then(|line| line.split('\t').next())
        .expect("the key's id in the listing");
    run(&data, &["key", "revoke", id]);
    assert!(run(&data, &["key", "list", "--tenant", "acme"]).contains("revoked"));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let status = send().await.expect("request").status();
        if status == 401 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "revoked key still works after 5 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.kill();
}

#[test]
fn website_keys_take_origins_and_bad_input_is_refused() {
    let (_dir, data) = data_dir();
    std::fs::create_dir(&data).expect("the CLI never creates the directory itself");
    run(&data, &["tenant", "create", "shop", "--tier", "builder"]);
    let key = run(
        &data,
        &[
            "key",
            "create",
            "--tenant",
            "shop",
            "--kind",
            "website",
            "--origin",
            "*.shop.test",
            "--origin",
            "shop.test",
        ],
    );
    assert!(key.starts_with("cs_live_"));
    let listing = run(&data, &["key", "list"]);
    assert!(listing.contains("*.shop.test,shop.test"), "{listing}");

    for args in [
        &["tenant", "create", "shop", "--tier", "builder"][..],
        &["tenant", "create", "other", "--tier", "gold"][..],
        &["key", "create", "--tenant", "ghost", "--kind", "server"][..],
        &["key", "revoke", "cs_live_unknown"][..],
        &["key", "revoke", &key][..],
        &["key", "create", "--kind", "server"][..],
        &["key", "create", "--tenant", "shop", "--kind", "operator"][..],
    ] {
        let output = clickwire()
            .args(args)
            .arg("--data")
            .arg(&data)
            .output()
            .expect("run");
        assert!(!output.status.success(), "{args:?} should fail");
        assert!(!output.stderr.is_empty(), "{args:?} says why");
    }
}

#[test]
fn an_operator_key_has_no_tenant_and_keys_may_expire() {
    let (_dir, data) = data_dir();
    std::fs::create_dir(&data).expect("the CLI never creates the directory itself");
    run(&data, &["tenant", "create", "shop", "--tier", "builder"]);
    let operator = run(&data, &["key", "create", "--kind", "operator"]);
    assert!(operator.starts_with("cw_admin_"), "{operator}");
    run(
        &data,
        &[
            "key",
            "create",
            "--tenant",
            "shop",
            "--kind",
            "server",
            "--expires-in",
            "30d",
        ],
    );
    let listing = run(&data, &["key", "list"]);
    assert!(
        listing
            .lines()
            .any(|line| line.contains("\t-\toperator\tlive")),
        "{listing}"
    );
}

#[test]
fn rotate_data_key_adds_a_current_key_to_a_private_keyring_and_keeps_the_old_ones() {
    let (_dir, data) = data_dir();
    std::fs::create_dir(&data).expect("the CLI never creates the directory itself");
    assert_eq!(run(&data, &["key", "rotate-data-key"]).trim_end(), "k1");
    assert_eq!(run(&data, &["key", "rotate-data-key"]).trim_end(), "k2");
    let path = data.join("data-keys.json");
    let keyring: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("keyring")).expect("json");
    assert_eq!(keyring["current"], "k2");
    assert!(keyring["keys"]["k1"].is_string() && keyring["keys"]["k2"].is_string());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn a_data_key_from_the_environment_is_used_and_never_printed() {
    let (_dir, data) = data_dir();
    let key = "7e".repeat(32);
    let server = start(&data, &[], &[("CLICKWIRE_SECURITY__DATA_KEY", &key)]);
    let (clean, stderr) = server.terminate();
    assert!(clean, "{stderr}");
    assert!(!stderr.contains(&key), "the key is in the logs");
    assert!(
        !data.join("data-keys.json").exists(),
        "the configured key is used"
    );
    assert!(data.join("hash-secret.json").exists());
}

#[tokio::test]
async fn sources_and_pipeline_keys_made_by_the_cli_take_messages_at_once() {
    let (_dir, data) = data_dir();
    let server = start(&data, &[], &[]);
    let created = run(
        &data,
        &[
            "source",
            "create",
            "shop",
            "--kind",
            "pipeline",
            "--origin",
            "https://shop.example.com",
            "--rate-limit",
            "50",
        ],
    );
    let source: serde_json::Value = serde_json::from_str(created.trim()).expect("one JSON object");
    let id = source["id"].as_str().expect("id");
    assert!(id.starts_with("src_"));
    assert_eq!(
        source["origins"],
        serde_json::json!(["https://shop.example.com"])
    );
    assert_eq!(source["rate_limit"], 50);
    assert!(source["signing_secret"]
        .as_str()
        .expect("secret")
        .starts_with("whsec_"));
    let listed = run(&data, &["source", "list"]);
    assert!(listed.lines().any(|line| line.contains(id)), "{listed}");

    let key = run(
        &data,
        &[
            "key", "create", "--tenant", "default", "--kind", "pipeline", "--source", id, "--test",
        ],
    );
    let key = key.trim_end();
    assert!(key.starts_with("dk_test_"), "{key}");
    let response = reqwest::Client::new()
        .post(server.url("/v1/t"))
        .bearer_auth(key)
        .header("origin", "https://shop.example.com")
        .json(&serde_json::json!({"type": "track", "event": "CLI", "anonymousId": "anon_cli"}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://shop.example.com"
    );

    let refused = clickwire()
        .args(["source", "create", "bad", "--origin", "*", "--data"])
        .arg(&data)
        .output()
        .expect("run");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("origins[0]"));
    let keyless = clickwire()
        .args([
            "key", "create", "--tenant", "default", "--kind", "pipeline", "--data",
        ])
        .arg(&data)
        .output()
        .expect("run");
    assert!(!keyless.status.success(), "a pipeline key needs its source");
    server.kill();
}

#[tokio::test]
async fn a_webhook_source_made_by_the_cli_verifies_and_deduplicates() {
    let (_dir, data) = data_dir();
    let server = start(&data, &[], &[]);
    let created = run(
        &data,
        &[
            "source",
            "create",
            "github",
            "--kind",
            "webhook",
            "--verify",
            "hmac_sha256",
            "--verify-header",
            "X-Hub-Signature-256",
            "--verify-secret",
            "It's a Secret to Everybody",
            "--verify-prefix",
            "sha256=",
            "--dedup-strategy",
            "header_field",
            "--dedup-field",
            "X-GitHub-Delivery",
        ],
    );
    let source: serde_json::Value = serde_json::from_str(created.trim()).expect("one JSON object");
    assert_eq!(source["kind"], "webhook");
    assert_eq!(source["verification"]["type"], "hmac_sha256");
    assert_eq!(source["dedup"]["strategy"], "header_field");
    let url = server.url(&format!(
        "/v1/ingest/{}",
        source["id"].as_str().expect("id")
    ));
    let client = reqwest::Client::new();
    let send = |signature: &'static str| {
        client
            .post(&url)
            .header("x-hub-signature-256", signature)
            .header("x-github-delivery", "d-1")
            .body("Hello, World!")
            .send()
    };
    // GitHub's documented example signature of this body under this secret.
    let good = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    assert_eq!(send(good).await.expect("request").status(), 202);
    assert_eq!(
        send(good).await.expect("request").status(),
        200,
        "the same delivery again"
    );
    assert_eq!(send("sha256=00").await.expect("request").status(), 401);

    let refused = clickwire()
        .args([
            "source", "create", "x", "--kind", "webhook", "--verify", "md5", "--data",
        ])
        .arg(&data)
        .output()
        .expect("run");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("hmac_sha256 or standard_webhooks"));
    server.kill();
}
