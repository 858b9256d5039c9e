//! `GET /v1/ws`: the welcome, every event of the tenant on `events` (ClickStream, pipeline
//! and webhook alike), a source's channel, unknown channels, refusals before the upgrade,
//! pings, a slow consumer and a revoked key.

use std::time::Duration;

use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::dashboard;
use crate::{
    feed::{connect_small, refused, request, with_header, Read},
    helpers::{batch, pageview, spawn_app, spawn_app_with},
    pipeline::track,
    webhooks::id_of,
};

/// An RFC 3339 UTC time.
fn is_rfc3339(value: &Value) -> bool {
    value.as_str().is_some_and(|text| {
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).is_ok()
            && text.ends_with('Z')
    })
}

#[tokio::test]
async fn every_event_of_the_tenant_arrives_on_events_whatever_sent_it() {
    let app = spawn_app().await;
    let (mut socket, welcome) = dashboard(&app, &app.keys.admin).await;
    assert_eq!(welcome, json!({"type": "welcome", "org_id": "default"}));
    assert_eq!(
        socket.ask("subscribe", "events").await,
        json!({"type": "subscribed", "channel": "events"})
    );
    let hooks = id_of(&app.webhook_source(json!({})).await);

    let collected = app.post_events(&app.keys.server, &pageview("v1")).await;
    assert_eq!(collected.status(), 202);
    let tracked = app
        .post_bearer("/v1/t", &app.keys.pipeline, &track("anon_1"))
        .await;
    assert_eq!(tracked.status(), 200);
    let hooked = app
        .client
        .put(app.url(&format!("/v1/ingest/{hooks}?x=1")))
        .body("plain text")
        .send()
        .await
        .expect("webhook");
    assert_eq!(hooked.status(), 202);

    let frames = socket.events(3).await;
    let stored: Vec<Value> = app.read_events("limit=10").await["events"]
        .as_array()
        .expect("events")
        .clone();
    assert_eq!(stored.len(), 3);
    for (frame, stored) in frames.iter().zip(&stored) {
        assert_eq!(frame["channel"], "events", "{frame}");
        let data = &frame["data"];
        assert_eq!(data["id"], stored["id"], "frames in commit order");
        assert_eq!(data["status"], "received");
        assert!(is_rfc3339(&data["received_at"]), "{data}");
        let keys: Vec<&str> = data
            .as_object()
            .expect("data")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["id", "method", "received_at", "source_id", "status"]);
    }
    let sources: Vec<&Value> = frames.iter().map(|f| &f["data"]["source_id"]).collect();
    assert_eq!(
        sources,
        [&Value::Null, &json!(app.source), &json!(hooks)],
        "ClickStream without a source, then the pipeline and webhook sources"
    );
    let methods: Vec<&Value> = frames.iter().map(|f| &f["data"]["method"]).collect();
    assert_eq!(methods, [&json!("POST"), &json!("POST"), &json!("PUT")]);
    app.stop().await;
}

#[tokio::test]
async fn a_source_channel_carries_that_source_alone_until_unsubscribed() {
    let app = spawn_app().await;
    let (mut socket, _) = dashboard(&app, &app.keys.server).await;
    let a = id_of(&app.webhook_source(json!({})).await);
    let b = id_of(&app.webhook_source(json!({})).await);
    let channel = format!("events:{a}");
    assert_eq!(
        socket.ask("subscribe", &channel).await["type"],
        "subscribed"
    );

    let from = |source: &str, n: i64| {
        let app = &app;
        let source = source.to_owned();
        async move {
            let body = json!({ "n": n }).to_string();
            let response = app.post_webhook(&source, &body, &[]).await;
            assert_eq!(response.status(), 202);
            let body: Value = response.json().await.expect("json");
            body["event_id"].as_str().expect("id").to_owned()
        }
    };
    from(&b, 1).await;
    let first_of_a = from(&a, 2).await;
    let frame = socket.events(1).await.remove(0);
    assert_eq!(frame["channel"], channel.as_str());
    assert_eq!(
        frame["data"]["id"],
        first_of_a.as_str(),
        "b's event was not sent"
    );
    assert_eq!(frame["data"]["source_id"], a.as_str());

    assert_eq!(
        socket.ask("unsubscribe", &channel).await,
        json!({"type": "unsubscribed", "channel": channel})
    );
    from(&a, 3).await;
    assert_eq!(
        socket.ask("subscribe", "events").await["type"],
        "subscribed"
    );
    let last_of_b = from(&b, 4).await;
    let frame = socket.events(1).await.remove(0);
    assert_eq!(
        frame["data"]["id"],
        last_of_b.as_str(),
        "nothing of a after the unsubscribe"
    );
    app.stop().await;
}

#[tokio::test]
async fn unknown_channels_and_bad_messages_get_errors_and_the_socket_stays() {
    let app = spawn_app().await;
    let (mut socket, _) = dashboard(&app, &app.keys.admin).await;
    let other_admin = app.create_key("acme", "scale", "admin", &[]).await;
    let theirs = app
        .post_json(
            "/v1/sources",
            &other_admin,
            &json!({"name": "theirs", "kind": "webhook"}),
        )
        .await
        .json::<Value>()
        .await
        .expect("json");
    let theirs = id_of(&theirs);
    for channel in [
        "nope",
        "events:",
        "events:src_unknown",
        &format!("events:{theirs}"),
    ] {
        let answer = socket.ask("subscribe", channel).await;
        assert_eq!(answer["type"], "error", "{channel}: {answer}");
        assert_eq!(answer["error"], "unknown_channel", "{channel}");
    }
    socket.send_text("not json").await;
    assert_eq!(socket.next_non_ping().await["error"], "invalid_json");
    socket.send(&json!({"type": "dance"})).await;
    assert_eq!(socket.next_non_ping().await["error"], "unknown_type");
    let unknown = socket.ask("subscribe", "deliveries:dst_nope").await;
    assert_eq!(
        unknown["error"], "unknown_channel",
        "not a destination of this tenant"
    );
    let destination: Value = app
        .post_json(
            "/v1/destinations",
            &app.keys.admin,
            &json!({"name": "d", "url": "http://127.0.0.1:9/"}),
        )
        .await
        .json()
        .await
        .expect("json");
    let scoped = format!("deliveries:{}", id_of(&destination));
    for channel in ["events", "deliveries", scoped.as_str(), "issues"] {
        assert_eq!(socket.ask("subscribe", channel).await["type"], "subscribed");
    }

    // Another tenant's events never reach this socket.
    let hooked = app.post_webhook(&theirs, "{}", &[]).await;
    assert_eq!(hooked.status(), 202);
    let mine = app.post_events(&app.keys.server, &pageview("v1")).await;
    assert_eq!(mine.status(), 202);
    let frame = socket.events(1).await.remove(0);
    assert_eq!(frame["data"]["source_id"], Value::Null, "{frame}");
    app.stop().await;
}

#[tokio::test]
async fn refusals_are_json_before_the_upgrade() {
    let app = spawn_app_with(|c| c.dashboard.max_sockets_per_tenant = 1).await;
    let (status, body) = refused(request(&app, "/v1/ws")).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_api_key"))
    );
    let cookie_only = with_header(request(&app, "/v1/ws"), "cookie", "clickwire_session=s1");
    assert_eq!(
        refused(cookie_only).await.0,
        401,
        "no dashboard session exists"
    );
    let (status, body) = refused(request(&app, "/v1/ws?token=cs_live_made_up")).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_api_key"))
    );
    let website = format!("/v1/ws?token={}", app.keys.website);
    assert_eq!(refused(request(&app, &website)).await.0, 403);
    let plain = app
        .client
        .get(app.url(&format!("/v1/ws?token={}", app.keys.server)))
        .send()
        .await
        .expect("request");
    assert_eq!(plain.status(), 426);

    let (_first, _) = dashboard(&app, &app.keys.server).await;
    let (status, body) = refused(request(&app, &format!("/v1/ws?token={}", app.keys.admin))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("too_many_subscribers"))
    );
    app.stop().await;
}

#[tokio::test]
async fn the_server_pings_and_a_silent_socket_is_closed_4000() {
    let app = spawn_app_with(|c| {
        c.feed.ping_interval = Duration::from_millis(100);
        c.feed.idle_timeout = Duration::from_millis(600);
    })
    .await;
    let (mut socket, _) = dashboard(&app, &app.keys.server).await;
    assert_eq!(socket.next_json().await, json!({"type": "ping"}));
    // Answered pongs keep it open past the idle timeout.
    for _ in 0..8 {
        assert_eq!(socket.next_json().await["type"], "ping");
        socket.send(&json!({"type": "pong"})).await;
    }
    let (code, _) = socket.until_close().await;
    assert_eq!(code, Some(CloseCode::Library(4000)), "silence closes it");
    app.stop().await;
}

#[tokio::test]
async fn a_socket_that_stops_reading_is_closed_1011_and_ingest_goes_on() {
    let app = spawn_app_with(|c| {
        c.feed.subscriber_queue = 4;
        c.feed.slow_grace = Duration::from_millis(100);
    })
    .await;
    let path = format!("/v1/ws?token={}", app.keys.server);
    let mut stalled = connect_small(&app, request(&app, &path)).await;
    assert_eq!(stalled.next_json().await["type"], "welcome");
    stalled
        .send(&json!({"type": "subscribe", "channel": "events"}))
        .await;
    assert_eq!(stalled.next_json().await["type"], "subscribed");
    // Dashboard frames are small: many of them fill the stalled socket's buffers.
    let mut sent = 0;
    let closed = loop {
        let events = (0..25).map(|i| pageview(&format!("v{sent}-{i}"))).collect();
        let response = app.post_events(&app.keys.server, &batch(events)).await;
        assert_eq!(
            response.status(),
            202,
            "ingest is never slowed by the socket"
        );
        sent += 25;
        if sent % 1_000 == 0 && closed_slow(&app.metrics_text().await) {
            break true;
        }
        if sent > 100_000 {
            break false;
        }
    };
    assert!(closed, "the stalled socket was never closed");
    let (code, frames) = stalled.until_close().await;
    assert_eq!(code, Some(CloseCode::Error), "close 1011");
    assert!(
        frames.len() < sent,
        "the stalled socket cannot have read everything"
    );
    app.stop().await;
}

/// Whether the metrics count a dashboard socket closed as too slow.
fn closed_slow(metrics: &str) -> bool {
    metrics.lines().any(|line| {
        line.starts_with("clickwire_stream_disconnects_total")
            && line.contains(r#"stream="dashboard""#)
            && line.contains(r#"reason="slow""#)
    })
}

#[tokio::test]
async fn a_revoked_key_gets_an_error_then_close_4001() {
    let app = spawn_app().await;
    let (key, id) = app
        .create_key_with_id("watched", "scale", "server", &[])
        .await;
    let (mut socket, welcome) = dashboard(&app, &key).await;
    assert_eq!(welcome["org_id"], "watched");
    assert_eq!(app.revoke(&app.keys.operator, &id).await.status(), 200);
    let error = socket.next_non_ping().await;
    assert_eq!(error["error"], "invalid_api_key", "{error}");
    match socket.read().await {
        Read::Closed(Some(frame)) => assert_eq!(frame.code, CloseCode::from(4001)),
        other => panic!("expected close 4001, got {other:?}"),
    }
    app.stop().await;
}
