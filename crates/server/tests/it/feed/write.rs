//! Feed Write: network and custom tiers send events on the socket and get an ack after
//! the durable append; invalid events get validation errors; scale tier is refused and
//! stays connected.

use serde_json::json;

use super::{stored_ids, subscribe};
use crate::helpers::{batch, pageview, spawn_app};

#[tokio::test]
async fn a_network_key_writes_an_event_and_is_acked_after_the_durable_append() {
    let app = spawn_app().await;
    // The bootstrap tenant is on the network tier.
    let mut feed = subscribe(&app, &app.keys.server, "").await;
    feed.send(&json!({"type": "event", "event": pageview("written")}))
        .await;
    let mut ack = None;
    let mut frame = None;
    while ack.is_none() || frame.is_none() {
        let value = feed.next_non_ping().await;
        match value["type"].as_str() {
            Some("ack") => ack = Some(value),
            Some("event") => frame = Some(value),
            other => panic!("unexpected {other:?}: {value}"),
        }
    }
    let id = ack.expect("ack")["event_id"]
        .as_str()
        .expect("event_id")
        .to_owned();
    assert!(id.starts_with("evt_"));
    assert_eq!(
        stored_ids(&app, 0).await,
        std::slice::from_ref(&id),
        "stored before the ack"
    );
    let frame = frame.expect("frame");
    assert_eq!(frame["id"], id.as_str());
    assert_eq!(frame["visitorId"], "written");
    app.stop().await;
}

#[tokio::test]
async fn an_invalid_event_frame_gets_validation_error_with_details() {
    let app = spawn_app().await;
    let mut feed = subscribe(&app, &app.keys.server, "").await;
    let mut bad = pageview("v");
    bad["page"] = json!({"path": "/x"});
    feed.send(&json!({"type": "event", "event": bad})).await;
    let error = feed.next_non_ping().await;
    assert_eq!(error["type"], "error");
    assert_eq!(error["error"], "validation_error");
    let details = error["details"].as_array().expect("details");
    assert!(
        details
            .iter()
            .any(|d| d["path"].as_str().is_some_and(|p| p.contains("page"))),
        "{error}"
    );
    assert!(stored_ids(&app, 0).await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn a_scale_key_gets_write_not_allowed_and_stays_connected() {
    let app = spawn_app().await;
    let key = app.create_key("scale-co", "scale", "server", &[]).await;
    let mut feed = subscribe(&app, &key, "").await;
    feed.send(&json!({"type": "event", "event": pageview("nope")}))
        .await;
    let error = feed.next_non_ping().await;
    assert_eq!(error["type"], "error");
    assert_eq!(error["error"], "write_not_allowed");
    let response = app
        .post_events(&key, &batch(vec![pageview("posted")]))
        .await;
    assert_eq!(response.status(), 202);
    let event = feed.next_non_ping().await;
    assert_eq!(event["visitorId"], "posted", "still connected");
    app.stop().await;
}
