//! The Signals Feed from the outside, against the real server: the contract's own Node
//! example subscriber, the npm `wscat` client, and `clickwire subscribe` — across the
//! duration cap, a server restart, a full tenant, and refusals.

pub mod support;

use std::{process::Command, time::Duration};

use self::support::{
    assert_contract_frame, json, markers_in_seq_order, post, require, stream_url, subscribe,
    workspace, Relay, Watched,
};
use crate::process::{data_dir, key, start};

/// Subscriber timings short enough for tests.
const QUICK_PINGS: [(&str, &str); 2] = [
    ("CLICKWIRE_FEED__PING_INTERVAL", "200ms"),
    ("CLICKWIRE_FEED__IDLE_TIMEOUT", "1s"),
];

fn is_event(line: &str) -> bool {
    line.starts_with('{') && json(line)["type"] == "event"
}

#[tokio::test]
async fn the_contract_example_subscriber_prints_posted_events_as_jsonl_and_exits_0_at_the_cap() {
    require("node", "the Node example subscriber test");
    let (_dir, data) = data_dir();
    let server = start(&data, &[], &[("CLICKWIRE_FEED__MAX_DURATION", "5s")]);
    let key = key(&data, "server");
    let script = workspace().join("examples/signals-feed-subscriber/subscribe.mjs");
    let node = |flag: Option<&str>| {
        let mut command = Command::new("node");
        command.args(flag).arg(&script).env("CS_API_KEY", &key).env(
            "CS_FEED_URL",
            server.url("/signals/stream").replacen("http", "ws", 1),
        );
        Watched::spawn(command)
    };
    // As the contract's page runs it on Node 22+, and with no flag at all (the script
    // adds the flag itself where Node still needs it).
    let mut flagged = node(Some("--experimental-websocket"));
    let mut plain = node(None);
    for subscriber in [&mut flagged, &mut plain] {
        subscriber
            .stderr
            .until("the hello", |l| {
                l.contains("[signals-feed] hello: connected to signals feed")
            })
            .await;
    }
    let client = reqwest::Client::new();
    for marker in ["node-1", "node-2"] {
        post(&client, &server, &key, marker).await;
    }
    for subscriber in [&mut flagged, &mut plain] {
        for marker in ["node-1", "node-2"] {
            let line = subscriber.stdout.until(marker, is_event).await;
            assert_contract_frame(&json(&line), marker);
        }
        let status = subscriber.exit().await;
        let stderr = subscriber.stderr.rest().await.join("\n");
        assert!(stderr.contains("duration limit"), "{stderr}");
        assert!(stderr.contains("closed code=4008"), "{stderr}");
        assert!(status.success(), "the example exits 0 on 4008: {stderr}");
    }
    server.kill();
}

#[tokio::test]
async fn wscat_with_the_key_in_x_api_key_receives_the_hello_and_event_frames() {
    require("node", "the wscat test");
    let wscat = workspace().join("tests/js/node_modules/wscat/bin/wscat");
    assert!(
        wscat.exists(),
        "{} is missing: run `npm ci --prefix tests/js` (scripts/test.sh does)",
        wscat.display()
    );
    let (_dir, data) = data_dir();
    let server = start(&data, &[], &[]);
    let key = key(&data, "server");
    let mut command = Command::new("node");
    command.arg(&wscat).args([
        "-H",
        &format!("X-API-Key: {key}"),
        "-c",
        &stream_url(&server),
    ]);
    let mut wscat = Watched::spawn(command);
    // Without a terminal wscat prints each incoming message as it is.
    let hello = wscat
        .stdout
        .until("the hello", |l| l.starts_with('{'))
        .await;
    assert_eq!(json(&hello)["type"], "hello");
    assert_eq!(json(&hello)["message"], "connected to signals feed");
    let client = reqwest::Client::new();
    for marker in ["wscat-1", "wscat-2"] {
        post(&client, &server, &key, marker).await;
    }
    let first = wscat.stdout.until("wscat-1", is_event).await;
    let second = wscat.stdout.until("wscat-2", is_event).await;
    assert_contract_frame(&json(&first), "wscat-1");
    assert_contract_frame(&json(&second), "wscat-2");
    assert!(json(&first)["seq"].as_i64() < json(&second)["seq"].as_i64());
    server.kill();
}

#[tokio::test]
async fn subscribe_prints_event_frames_as_jsonl_and_answers_pings_on_one_connection() {
    let (_dir, data) = data_dir();
    let server = start(&data, &[], &QUICK_PINGS);
    let key = key(&data, "server");
    let mut subscriber = subscribe(&stream_url(&server), &key, &["--max-events", "2"]);
    subscriber
        .stderr
        .until("the connect", |l| l.starts_with("subscribe: connected to"))
        .await;
    // Pings every 200 ms, dropped after 1 s of silence: only pongs keep it connected.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let client = reqwest::Client::new();
    for marker in ["sub-1", "sub-2"] {
        post(&client, &server, &key, marker).await;
    }
    let status = subscriber.exit().await;
    let stdout = subscriber.stdout.rest().await.to_vec();
    let stderr = subscriber.stderr.rest().await.join("\n");
    assert!(status.success(), "{stderr}");
    assert_eq!(stdout.len(), 2, "{stdout:?}");
    assert_contract_frame(&json(&stdout[0]), "sub-1");
    assert_contract_frame(&json(&stdout[1]), "sub-2");
    assert_eq!(
        stderr.matches("subscribe: connected to").count(),
        1,
        "{stderr}"
    );
    assert!(!stdout.iter().any(|l| l.contains("ping")), "{stdout:?}");
    server.kill();
}

#[tokio::test]
async fn subscribe_prints_every_event_once_in_order_across_the_duration_cap() {
    let (_dir, data) = data_dir();
    let server = start(&data, &[], &[("CLICKWIRE_FEED__MAX_DURATION", "2s")]);
    let key = key(&data, "server");
    let markers: Vec<String> = (0..14).map(|i| format!("cap-{i}")).collect();
    let mut subscriber = subscribe(&stream_url(&server), &key, &["--max-events", "14"]);
    subscriber
        .stderr
        .until("the connect", |l| l.starts_with("subscribe: connected to"))
        .await;
    // 14 events 400 ms apart span three 2-second connections and the gaps between them.
    let client = reqwest::Client::new();
    for marker in &markers {
        post(&client, &server, &key, marker).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    let status = subscriber.exit().await;
    let stdout = subscriber.stdout.rest().await.to_vec();
    let stderr = subscriber.stderr.rest().await.join("\n");
    assert!(status.success(), "{stderr}");
    assert_eq!(markers_in_seq_order(&stdout), markers, "{stderr}");
    assert!(stderr.contains("code 4008"), "{stderr}");
    assert!(
        stderr.matches("subscribe: connected to").count() >= 3,
        "{stderr}"
    );
    assert!(stderr.contains("?since="), "reconnects resume: {stderr}");
    server.kill();
}

#[tokio::test]
async fn subscribe_prints_every_event_once_in_order_across_a_server_restart() {
    let (_dir, data) = data_dir();
    let relay = Relay::start().await;
    let server = start(&data, &[], &[]);
    relay.point_at(Some(&server));
    let key = key(&data, "server");
    let client = reqwest::Client::new();
    let markers: Vec<String> = (0..10).map(|i| format!("restart-{i}")).collect();
    let mut subscriber = subscribe(&relay.stream_url(), &key, &["--max-events", "10"]);
    subscriber
        .stderr
        .until("the connect", |l| l.starts_with("subscribe: connected to"))
        .await;
    for marker in &markers[..5] {
        post(&client, &server, &key, marker).await;
    }
    subscriber
        .stdout
        .until("restart-4", |l| l.contains("restart-4"))
        .await;

    relay.point_at(None);
    let (ok, _) = server.terminate();
    assert!(ok);
    subscriber
        .stderr
        .until("the retry", |l| l.contains("cannot connect"))
        .await;
    let server = start(&data, &[], &[]);
    // Posted while the subscriber is away: it gets them by resuming, not live.
    for marker in &markers[5..] {
        post(&client, &server, &key, marker).await;
    }
    relay.point_at(Some(&server));

    let status = subscriber.exit().await;
    let all = subscriber.stdout.rest().await.to_vec();
    let stderr = subscriber.stderr.rest().await.join("\n");
    assert!(status.success(), "{stderr}");
    assert_eq!(markers_in_seq_order(&all), markers, "{stderr}");
    assert!(
        stderr.contains("code 1001"),
        "the server said goodbye: {stderr}"
    );
    server.kill();
}

#[tokio::test]
async fn subscribe_waits_out_a_full_tenant_and_then_subscribes() {
    let (_dir, data) = data_dir();
    let server = start(
        &data,
        &[],
        &[("CLICKWIRE_FEED__MAX_SUBSCRIBERS_PER_TENANT", "1")],
    );
    let key = key(&data, "server");
    let url = stream_url(&server);
    let mut first = subscribe(&url, &key, &[]);
    first
        .stderr
        .until("the connect", |l| l.starts_with("subscribe: connected to"))
        .await;
    let mut second = subscribe(&url, &key, &["--max-events", "1", "--max-backoff", "500ms"]);
    second
        .stderr
        .until("the 429", |l| {
            l.contains("429") && l.contains("too_many_subscribers")
        })
        .await;
    assert!(first.terminate().await.success());
    second
        .stderr
        .until("the connect", |l| l.starts_with("subscribe: connected to"))
        .await;
    post(&reqwest::Client::new(), &server, &key, "after-429").await;
    assert!(second.exit().await.success());
    let line = second.stdout.rest().await.join("\n");
    assert_contract_frame(&json(&line), "after-429");
    server.kill();
}

#[tokio::test]
async fn subscribe_passes_its_filter_to_the_server() {
    let (_dir, data) = data_dir();
    let server = start(&data, &[], &[]);
    let key = key(&data, "server");
    let client = reqwest::Client::new();
    for marker in ["filter-a", "filter-b", "filter-c"] {
        post(&client, &server, &key, marker).await;
    }
    let flags = [
        "--since",
        "0",
        "--filter",
        "visitorId:filter-b|filter-c",
        "--max-events",
        "2",
    ];
    let mut subscriber = subscribe(&stream_url(&server), &key, &flags);
    assert!(subscriber.exit().await.success());
    let stdout = subscriber.stdout.rest().await.to_vec();
    assert_eq!(markers_in_seq_order(&stdout), ["filter-b", "filter-c"]);
    server.kill();
}

#[tokio::test]
async fn subscribe_stops_at_once_with_the_servers_message_when_refused() {
    let (_dir, data) = data_dir();
    let server = start(&data, &[], &[]);
    let key = key(&data, "server");
    let url = stream_url(&server);
    for (key, flags, expected) in [
        ("cs_live_not_a_key", &[][..], ["401", "invalid_api_key"]),
        (
            key.as_str(),
            &["--filter", "nosuchfield:1"][..],
            ["400", "invalid_filter"],
        ),
    ] {
        let mut subscriber = subscribe(&url, key, flags);
        let status = subscriber.exit().await;
        let stderr = subscriber.stderr.rest().await.join("\n");
        assert!(!status.success(), "{stderr}");
        for part in expected {
            assert!(stderr.contains(part), "{part} in {stderr}");
        }
        assert!(!stderr.contains("retrying"), "a refusal is final: {stderr}");
    }
    server.kill();
}
