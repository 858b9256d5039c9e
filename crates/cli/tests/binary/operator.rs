//! A newcomer's first hour: the CLI on a missing or mistyped data directory, the bootstrap
//! after tenants made by the CLI, settings errors that name the setting, request logs at
//! the default level without colour codes, and `clickwire doctor`.

use std::path::Path;

use crate::process::{clickwire, data_dir, event, run, start};

/// Runs a CLI command expected to fail; returns its stderr.
fn refused(args: &[&str], data: &Path) -> String {
    let output = clickwire()
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .expect("run clickwire");
    assert!(!output.status.success(), "{args:?} succeeded");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_missing_or_mistyped_data_directory_is_an_error_and_nothing_is_created() {
    let (_dir, data) = data_dir();
    for args in [
        &["tenant", "list"][..],
        &["tenant", "create", "acme", "--tier", "scale"],
        &["key", "list"],
        &["source", "list", "--tenant", "default"],
        &["destination", "list", "--tenant", "default"],
    ] {
        let stderr = refused(args, &data);
        assert!(stderr.contains("no data directory"), "{args:?}: {stderr}");
        assert!(stderr.contains("--data"), "{args:?}: {stderr}");
        assert!(!data.exists(), "{args:?} created the directory");
    }
    // An existing directory without a store: reading is refused and creates no store.
    std::fs::create_dir(&data).expect("mkdir");
    let stderr = refused(&["tenant", "list"], &data);
    assert!(stderr.contains("holds no clickwire store"), "{stderr}");
    assert_eq!(std::fs::read_dir(&data).expect("dir").count(), 0);
}

#[tokio::test]
async fn tenants_made_by_the_cli_before_the_first_start_do_not_stop_the_bootstrap() {
    let (_dir, data) = data_dir();
    std::fs::create_dir(&data).expect("mkdir");
    run(&data, &["tenant", "create", "acme", "--tier", "scale"]);
    run(&data, &["tenant", "create", "default", "--tier", "scale"]);

    let server = start(&data, &[], &[]);
    assert!(
        server
            .stdout_lines
            .iter()
            .any(|line| line.starts_with("bootstrap credentials written to")),
        "{:?}",
        server.stdout_lines
    );
    let credentials: serde_json::Value = serde_json::from_slice(
        &std::fs::read(data.join("bootstrap-credentials.json")).expect("credentials"),
    )
    .expect("json");
    assert_eq!(
        credentials["tier"], "scale",
        "the CLI's tenant keeps its tier"
    );
    let key = credentials["keys"]["server"].as_str().expect("server key");
    let answer = reqwest::Client::new()
        .post(server.url("/v1/events"))
        .header("X-API-Key", key)
        .json(&event("bootstrapped"))
        .send()
        .await
        .expect("request");
    assert_eq!(answer.status(), 202);
    let (clean, stderr) = server.terminate();
    assert!(clean, "{stderr}");

    // Once admin keys exist, a start creates nothing.
    let again = start(&data, &[], &[]);
    assert!(
        !again
            .stdout_lines
            .iter()
            .any(|line| line.contains("bootstrap")),
        "{:?}",
        again.stdout_lines
    );
}

#[test]
fn a_start_on_keys_made_by_hand_says_why_it_writes_no_credentials() {
    let (_dir, data) = data_dir();
    std::fs::create_dir(&data).expect("mkdir");
    run(&data, &["key", "create", "--kind", "operator"]);
    let server = start(&data, &[], &[]);
    assert!(
        server
            .stdout_lines
            .iter()
            .any(|line| line.contains("already has admin keys")),
        "{:?}",
        server.stdout_lines
    );
}

#[test]
fn a_mistyped_setting_in_the_environment_is_named_with_its_variable_and_the_right_name() {
    let (_dir, data) = data_dir();
    let output = clickwire()
        .args(["serve", "--data"])
        .arg(&data)
        .env("CLICKWIRE_SERVER__LISTN", "127.0.0.1:1")
        .output()
        .expect("run");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "unknown setting `server.listn` in environment variable CLICKWIRE_SERVER__LISTN; \
             did you mean `server.listen`?"
        ),
        "{stderr}"
    );
}

#[tokio::test]
async fn requests_are_logged_at_the_default_level_without_their_query_or_colour_codes() {
    let (_dir, data) = data_dir();
    let server = start(&data, &[], &[]);
    let answer = reqwest::get(server.url("/healthz?key=cs_live_secret_in_query"))
        .await
        .expect("request");
    assert_eq!(answer.status(), 200);
    let (clean, stderr) = server.terminate();
    assert!(clean, "{stderr}");
    let line = stderr
        .lines()
        .find(|line| line.contains("path=\"/healthz\""))
        .unwrap_or_else(|| panic!("no request log line: {stderr}"));
    assert!(
        line.contains("INFO") && line.contains("method=GET") && line.contains("status=200"),
        "{line}"
    );
    assert!(
        !stderr.contains('\u{1b}'),
        "ANSI codes on a non-terminal: {stderr:?}"
    );
    assert!(!stderr.contains("cs_live_secret_in_query"), "{stderr}");
}

#[test]
fn doctor_passes_a_healthy_directory_and_fails_a_damaged_file_saying_what_to_do() {
    let (_dir, data) = data_dir();
    let fresh = clickwire()
        .args(["doctor", "--data"])
        .arg(&data)
        .args(["--listen", "127.0.0.1:0"])
        .output()
        .expect("doctor");
    let report = String::from_utf8_lossy(&fresh.stdout);
    assert!(fresh.status.success(), "{report}");
    assert!(report.contains("does not exist yet"), "{report}");

    let server = start(&data, &[], &[]);
    let addr = server.base.trim_start_matches("http://").to_owned();
    let beside = clickwire()
        .args(["doctor", "--data"])
        .arg(&data)
        .args(["--listen", &addr])
        .output()
        .expect("doctor");
    let report = String::from_utf8_lossy(&beside.stdout);
    assert!(beside.status.success(), "{report}");
    assert!(report.contains("clickwire.db: quick_check ok"), "{report}");
    assert!(report.contains("catalog: bootstrapped"), "{report}");
    assert!(report.contains("answers /healthz"), "{report}");
    let (clean, stderr) = server.terminate();
    assert!(clean, "{stderr}");

    std::fs::write(data.join("clickwire-index.db"), vec![0x5a; 8192]).expect("damage");
    let damaged = clickwire()
        .args(["doctor", "--data"])
        .arg(&data)
        .args(["--listen", "127.0.0.1:0"])
        .output()
        .expect("doctor");
    let report = String::from_utf8_lossy(&damaged.stdout);
    assert!(!damaged.status.success(), "{report}");
    let line = report
        .lines()
        .find(|line| line.starts_with("FAIL") && line.contains("clickwire-index.db"))
        .unwrap_or_else(|| panic!("{report}"));
    assert!(line.contains("restore the file from a backup"), "{line}");
}
