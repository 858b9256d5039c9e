//! `GET /v1/ws/test/{id}`: each capture of the session arrives as it is stored, as `GET
//! /v1/test/sessions/{id}` shows it; only live test sessions are upgraded; a session's
//! socket sees no other session's requests.

use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::{
    feed::{connect, refused, request, Feed},
    helpers::{spawn_app, spawn_app_with, TestApp},
    webhooks::id_of,
};

/// `POST /v1/test/sessions`; the session id.
async fn new_session(app: &TestApp) -> String {
    let created = app
        .client
        .post(app.url("/v1/test/sessions"))
        .send()
        .await
        .expect("request");
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.expect("json");
    created["session_id"].as_str().expect("id").to_owned()
}

async fn watch(app: &TestApp, session: &str) -> Feed {
    connect(request(app, &format!("/v1/ws/test/{session}"))).await
}

#[tokio::test]
async fn each_capture_arrives_as_the_session_shows_it() {
    let app = spawn_app().await;
    let session = new_session(&app).await;
    let other = new_session(&app).await;
    let mut mine = watch(&app, &session).await;
    let mut theirs = watch(&app, &other).await;

    let posted = app
        .client
        .post(app.url(&format!("/v1/ingest/{session}?order=7&tag=a&tag=b")))
        .header("content-type", "application/json")
        .header("x-delivery", "d-1")
        .body(r#"{"test":true}"#)
        .send()
        .await
        .expect("webhook");
    assert_eq!(posted.status(), 202);
    let posted: Value = posted.json().await.expect("json");

    let frame = mine.events(1).await.remove(0);
    assert_eq!(frame["channel"], "test");
    let data = &frame["data"];
    assert_eq!(data["id"], posted["event_id"]);
    assert_eq!(data["method"], "POST");
    assert_eq!(data["path"], format!("/v1/ingest/{session}"));
    assert_eq!(data["query"], json!({"order": "7", "tag": ["a", "b"]}));
    assert_eq!(data["headers"]["x-delivery"], "d-1");
    assert_eq!(data["body"], json!({"test": true}));
    assert_eq!(data["content_type"], "application/json");

    let shown: Value = app
        .client
        .get(app.url(&format!("/v1/test/sessions/{session}")))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(&shown["requests"][0], data, "the stream and the API agree");

    // The other session's socket got nothing: its next frame is its own capture.
    let own = app.post_webhook(&other, "{}", &[]).await;
    let own: Value = own.json().await.expect("json");
    let frame = theirs.events(1).await.remove(0);
    assert_eq!(frame["data"]["id"], own["event_id"]);
    app.stop().await;
}

#[tokio::test]
async fn only_live_test_sessions_are_upgraded() {
    let app = spawn_app_with(|c| {
        c.test_sessions.request_limit = 1;
        c.test_sessions.max_sockets_per_session = 1;
    })
    .await;
    let (status, body) = refused(request(&app, "/v1/ws/test/src_unknown")).await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
    let webhook = id_of(&app.webhook_source(json!({})).await);
    assert_eq!(
        refused(request(&app, &format!("/v1/ws/test/{webhook}")))
            .await
            .0,
        404,
        "a webhook source is not a test session"
    );

    let session = new_session(&app).await;
    let _watching = watch(&app, &session).await;
    let (status, body) = refused(request(&app, &format!("/v1/ws/test/{session}"))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("too_many_subscribers"))
    );

    let full = new_session(&app).await;
    assert_eq!(app.post_webhook(&full, "{}", &[]).await.status(), 202);
    assert_eq!(
        refused(request(&app, &format!("/v1/ws/test/{full}")))
            .await
            .0,
        404,
        "a session that took its request limit has ended"
    );
    let deleted = new_session(&app).await;
    let mut open = watch(&app, &deleted).await;
    let gone = app
        .client
        .delete(app.url(&format!("/v1/test/sessions/{deleted}")))
        .send()
        .await
        .expect("request");
    assert_eq!(gone.status(), 204);
    let (code, _) = open.until_close().await;
    assert_eq!(
        code,
        Some(CloseCode::Normal),
        "deleting the session closes its socket"
    );
    assert_eq!(
        refused(request(&app, &format!("/v1/ws/test/{deleted}")))
            .await
            .0,
        404
    );
    app.stop().await;
}
