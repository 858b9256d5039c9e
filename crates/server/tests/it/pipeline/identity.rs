//! `messageId` deduplication and identify linking, both of which outlive a restart.

use serde_json::{json, Value};

use super::track;
use crate::helpers::spawn_app;

/// The stored `userId` of each event.
fn users_of(stored: &[Value]) -> Vec<Option<&str>> {
    stored
        .iter()
        .map(|e| e["event"]["userId"].as_str())
        .collect()
}

#[tokio::test]
async fn a_repeated_message_id_answers_success_and_is_stored_once_even_after_a_restart() {
    let app = spawn_app().await;
    let message = track("anon_dup");
    for _ in 0..2 {
        let response = app.post_bearer("/v1/t", &app.keys.pipeline, &message).await;
        assert_eq!(response.status(), 200);
    }
    assert_eq!(app.stored("visitorId=anon_dup").await.len(), 1);
    let app = app.restart().await;
    let response = app.post_bearer("/v1/t", &app.keys.pipeline, &message).await;
    assert_eq!(
        response.status(),
        200,
        "a retry after a restart still succeeds"
    );
    assert_eq!(
        app.stored("visitorId=anon_dup").await.len(),
        1,
        "and is not stored again"
    );
    let fresh = track("anon_dup");
    assert_eq!(
        app.post_bearer("/v1/t", &app.keys.pipeline, &fresh)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.stored("visitorId=anon_dup").await.len(),
        2,
        "a new message id is stored"
    );
}

#[tokio::test]
async fn message_ids_are_remembered_per_source() {
    let app = spawn_app().await;
    let (_, other) = app.pipeline_source(json!({})).await;
    let message = track("anon_src");
    assert_eq!(
        app.post_bearer("/v1/t", &app.keys.pipeline, &message)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.post_bearer("/v1/t", &other, &message).await.status(),
        200
    );
    assert_eq!(app.stored("visitorId=anon_src").await.len(), 2);
}

#[tokio::test]
async fn after_identify_later_events_carry_the_user_id_even_after_a_restart() {
    let app = spawn_app().await;
    let before = track("anon_link");
    assert_eq!(
        app.post_bearer("/v1/t", &app.keys.pipeline, &before)
            .await
            .status(),
        200
    );
    let identify = json!({"type": "identify", "userId": "user_link", "anonymousId": "anon_link"});
    assert_eq!(
        app.post_bearer("/v1/i", &app.keys.pipeline, &identify)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.post_bearer("/v1/t", &app.keys.pipeline, &track("anon_link"))
            .await
            .status(),
        200
    );
    let app = app.restart().await;
    assert_eq!(
        app.post_bearer("/v1/t", &app.keys.pipeline, &track("anon_link"))
            .await
            .status(),
        200
    );
    let stored = app.stored("visitorId=anon_link").await;
    assert_eq!(
        users_of(&stored),
        [
            None,
            Some("user_link"),
            Some("user_link"),
            Some("user_link")
        ],
        "the event before the identify has no user; every one after it has"
    );
    for event in &stored {
        assert_eq!(event["event"]["anonymousId"], "anon_link");
    }
    let other = app.stored("visitorId=anon_other").await;
    assert!(other.is_empty());
}

#[tokio::test]
async fn an_identify_earlier_in_the_same_batch_links_the_later_messages() {
    let app = spawn_app().await;
    let body = json!({"batch": [
        {"type": "track", "event": "Before", "anonymousId": "anon_b1"},
        {"type": "identify", "userId": "user_b1", "anonymousId": "anon_b1"},
        {"type": "track", "event": "After", "anonymousId": "anon_b1"},
        {"type": "track", "event": "Own", "anonymousId": "anon_b1", "userId": "someone_else"}
    ]});
    assert_eq!(
        app.post_bearer("/v1/batch", &app.keys.pipeline, &body)
            .await
            .status(),
        200
    );
    let stored = app.stored("visitorId=anon_b1").await;
    assert_eq!(
        users_of(&stored),
        [None, Some("user_b1"), Some("user_b1"), Some("someone_else")]
    );
}
