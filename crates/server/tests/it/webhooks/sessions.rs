//! Test sessions: created without a key (a per-address limit), captured requests read back
//! newest first, ended by count (410) or by DELETE.

use serde_json::{json, Value};

use crate::{
    helpers::{spawn_app, spawn_app_with, TestApp},
    pipeline::error_code,
};

/// `POST /v1/test/sessions` (no key); the created session.
async fn create_session(app: &TestApp) -> Value {
    let created = app
        .client
        .post(app.url("/v1/test/sessions"))
        .send()
        .await
        .expect("request");
    assert_eq!(created.status(), 201);
    created.json().await.expect("json")
}

/// `GET path` without a key.
async fn session_get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client.get(app.url(path)).send().await.expect("request")
}

#[tokio::test]
async fn a_session_captures_requests_until_its_limit_then_answers_410() {
    let app = spawn_app_with(|config| config.test_sessions.request_limit = 3).await;
    let session = create_session(&app).await;
    let id = session["session_id"].as_str().expect("id").to_owned();
    assert!(id.starts_with("src_"));
    assert_eq!(session["url"], app.url(&format!("/v1/ingest/{id}")));
    assert_eq!(session["request_limit"], 3);
    assert_eq!(session["request_count"], 0);
    assert!(session["expires_at"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));

    for n in 0..3 {
        let response = app
            .post_webhook(&id, &json!({"n": n}).to_string(), &[])
            .await;
        assert_eq!(response.status(), 202, "request {n}");
    }
    let refused = app.post_webhook(&id, r#"{"n":3}"#, &[]).await;
    assert_eq!(refused.status(), 410);
    assert_eq!(error_code(refused).await, "session_expired");

    let page: Value = session_get(&app, &format!("/v1/test/sessions/{id}?limit=2"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(page["request_count"], 3);
    let bodies: Vec<i64> = page["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .filter_map(|r| r["body"]["n"].as_i64())
        .collect();
    assert_eq!(bodies, [2, 1], "newest first");
    assert_eq!(page["requests"][0]["method"], "POST");
    let cursor = page["next_cursor"].as_str().expect("a next page");
    let rest: Value = session_get(
        &app,
        &format!("/v1/test/sessions/{id}?limit=2&cursor={cursor}"),
    )
    .await
    .json()
    .await
    .expect("json");
    assert_eq!(rest["requests"][0]["body"]["n"], 0);
    assert!(rest["next_cursor"].is_null());
}

#[tokio::test]
async fn a_deleted_session_is_gone_and_takes_nothing() {
    let app = spawn_app().await;
    let session = create_session(&app).await;
    let id = session["session_id"].as_str().expect("id");
    let deleted = app
        .client
        .delete(app.url(&format!("/v1/test/sessions/{id}")))
        .send()
        .await
        .expect("request");
    assert_eq!(deleted.status(), 204);
    assert_eq!(app.post_webhook(id, "{}", &[]).await.status(), 404);
    let gone = session_get(&app, &format!("/v1/test/sessions/{id}")).await;
    assert_eq!(gone.status(), 404);
    let webhook = app.webhook_source(json!({})).await;
    let webhook_id = webhook["id"].as_str().expect("id");
    let not_a_session = session_get(&app, &format!("/v1/test/sessions/{webhook_id}")).await;
    assert_eq!(
        not_a_session.status(),
        404,
        "a webhook source is not a test session"
    );
}

#[tokio::test]
async fn one_address_creates_at_most_the_hourly_limit() {
    let app = spawn_app_with(|config| config.test_sessions.per_ip_per_hour = 2).await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let response = app
            .client
            .post(app.url("/v1/test/sessions"))
            .send()
            .await
            .expect("request");
        statuses.push(response.status().as_u16());
        if response.status() == 429 {
            assert!(response.headers().contains_key("retry-after"));
        }
    }
    assert_eq!(statuses, [201, 201, 429]);
}

#[tokio::test]
async fn an_expired_session_answers_410() {
    let app =
        spawn_app_with(|config| config.test_sessions.lifetime = std::time::Duration::ZERO).await;
    let session = create_session(&app).await;
    let id = session["session_id"].as_str().expect("id");
    let response = app.post_webhook(id, "{}", &[]).await;
    assert_eq!(response.status(), 410);
    assert_eq!(error_code(response).await, "session_expired");
}
