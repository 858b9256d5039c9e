//! Sealed fields never reach the disk, the logs, `GET /v1/events` or the feed in clear, and
//! the audited reveal gives them back.

use serde_json::{json, Value};

use super::{captured_logs, events_of, files_containing, form, identify, revealed, Markers};
use crate::{
    feed::subscribe,
    helpers::{batch, pageview, spawn_app},
};

#[tokio::test]
async fn planted_personal_values_are_nowhere_in_the_data_directory_or_the_logs_yet_reveal_returns_them(
) {
    let logs = captured_logs();
    let app = spawn_app().await;
    let m = Markers::new();
    let events = batch(vec![
        identify("vis_rest", &m.email, &m.phone),
        form("vis_rest", &m.value, &m.excerpt),
    ]);
    assert_eq!(
        app.post_events(&app.keys.server, &events).await.status(),
        202
    );
    let stored = events_of(&app, "vis_rest").await;
    let (identify_id, form_id) = (
        stored[0]["id"].as_str().expect("id").to_owned(),
        stored[1]["id"].as_str().expect("id").to_owned(),
    );
    // The search does see what is stored in clear (here the visitor id, in the WAL).
    assert!(!files_containing(&app.data, "vis_rest").is_empty());
    for marker in m.all() {
        assert_eq!(
            files_containing(&app.data, marker),
            Vec::<String>::new(),
            "{marker} while running"
        );
    }
    assert_eq!(
        revealed(&app, &identify_id, "rawEmail").await,
        json!(m.email)
    );
    assert_eq!(
        revealed(&app, &identify_id, "rawPhone").await,
        json!(m.phone)
    );
    let values = revealed(&app, &form_id, "values").await;
    assert_eq!(values, json!({ "email": m.value, "plan": "pro" }));
    assert_eq!(
        revealed(&app, &form_id, "files[1].text_excerpt").await,
        json!(m.excerpt)
    );
    let data = app.stop_keeping_data().await;
    for marker in m.all() {
        let found = files_containing(data.path(), marker);
        assert_eq!(
            found,
            Vec::<String>::new(),
            "{marker} after the WAL was checkpointed"
        );
    }
    let text = logs.text();
    assert!(
        text.contains("revealed a sealed field"),
        "the logs were captured"
    );
    for marker in m.all() {
        assert!(!text.contains(marker), "{marker} is in the logs");
    }
}

#[tokio::test]
async fn events_read_back_show_every_sealed_field_as_the_placeholder() {
    let app = spawn_app().await;
    let m = Markers::new();
    let events = batch(vec![
        identify("vis_read", &m.email, &m.phone),
        form("vis_read", &m.value, &m.excerpt),
    ]);
    assert_eq!(
        app.post_events(&app.keys.server, &events).await.status(),
        202
    );
    let stored = events_of(&app, "vis_read").await;
    let sealed = json!({ "encrypted": true });
    let (identify, form) = (&stored[0]["event"], &stored[1]["event"]);
    assert_eq!(identify["rawEmail"], sealed);
    assert_eq!(identify["rawPhone"], sealed);
    assert_eq!(
        identify["hem"],
        json!(super::HEM),
        "only personal fields are sealed"
    );
    assert_eq!(form["values"], sealed);
    assert_eq!(form["files"][1]["text_excerpt"], sealed);
    assert_eq!(
        form["files"][0].get("text_excerpt"),
        None,
        "absent stays absent"
    );
    let body = Value::Array(stored).to_string();
    for marker in m.all() {
        assert!(!body.contains(marker), "{marker} in GET /v1/events");
    }
    app.stop().await;
}

#[tokio::test]
async fn feed_frames_of_personal_events_carry_no_personal_value() {
    let app = spawn_app().await;
    let mut feed = subscribe(&app, &app.keys.server, "").await;
    let m = Markers::new();
    let events = batch(vec![
        identify("vis_feed", &m.email, &m.phone),
        form("vis_feed", &m.value, &m.excerpt),
    ]);
    assert_eq!(
        app.post_events(&app.keys.server, &events).await.status(),
        202
    );
    let frames = feed.events(2).await;
    assert_eq!(frames[0]["eventType"], "identify");
    let text = Value::Array(frames).to_string();
    for marker in m.all() {
        assert!(!text.contains(marker), "{marker} in a feed frame");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_visitor_rebuilt_after_a_restart_still_counts_its_sealed_identify() {
    let app = spawn_app().await;
    let m = Markers::new();
    let first = identify("vis_rebuild", &m.email, &m.phone);
    assert_eq!(
        app.post_events(&app.keys.server, &first).await.status(),
        202
    );
    let app = app.restart().await;
    let later = pageview("vis_rebuild");
    assert_eq!(
        app.post_events(&app.keys.server, &later).await.status(),
        202
    );
    let stored = events_of(&app, "vis_rebuild").await;
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[1]["labels"]["hasIdentified"], json!(true));
    app.stop().await;
}
