//! A matching event reaches its destination signed, as the delivered document (payload and
//! labels at the top level), and its attempt is recorded; rules on scores and payload
//! decide which events go; another tenant's events never go.

use serde_json::{json, Value};

use super::{
    id,
    receiver::{Answer, Receiver},
    verified_by_reference_library,
};
use crate::{
    helpers::{click, pageview, spawn_app},
    webhooks::id_of,
};

#[tokio::test]
async fn a_matching_event_is_delivered_signed_with_its_labels_and_recorded() {
    let app = spawn_app().await;
    let receiver = Receiver::start(Answer::status(200)).await;
    let destination = app
        .destination(&receiver.url(), json!({"headers": {"x-team": "growth"}}))
        .await;
    let secret = destination["signing_secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    assert!(secret.starts_with("whsec_"));
    app.connection(
        "*",
        &id(&destination),
        json!([{"path": "type", "op": "eq", "value": "pageview"},
               {"path": "scores.intent", "op": "gte", "value": 0}]),
    )
    .await;
    let response = app
        .post_events(
            &app.keys.server,
            &json!({"events": [click("v1"), pageview("v1")]}),
        )
        .await;
    assert_eq!(response.status(), 202);

    let request = receiver.until(1).await.remove(0);
    let body = request.json();
    let stored = app.read_events("limit=10").await["events"].clone();
    let pageview_id = stored
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["event"]["type"] == "pageview")
        .map(|e| e["id"].clone())
        .expect("the pageview");
    assert_eq!(body["id"], pageview_id);
    assert_eq!(body["type"], "pageview");
    assert_eq!(body["source_id"], Value::Null);
    assert!(
        body["seq"].is_i64() && body["received_at"].is_string(),
        "{body}"
    );
    assert!(
        body["scores"]["intent"].is_number() && body["behavioralClass"].is_string(),
        "labels at the top: {body}"
    );
    assert_eq!(request.header("x-team"), "growth");
    assert_eq!(request.header("content-type"), "application/json");
    assert!(request.header("webhook-id").starts_with("dlv_"));
    assert!(
        verified_by_reference_library(&secret, &request),
        "the reference library verifies the signature"
    );
    assert!(!verified_by_reference_library(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        &request
    ));

    let attempts = app
        .attempts_until(
            &format!("event_id={}", pageview_id.as_str().expect("id")),
            |a| a.first().is_some_and(|a| a["status"] == "success"),
        )
        .await;
    let attempt = &attempts[0];
    assert_eq!(attempt["response_status"], 200);
    assert_eq!(attempt["response_body"], "planned");
    assert_eq!(attempt["attempt_number"], 1);
    assert_eq!(attempt["delivery_id"], request.header("webhook-id"));
    assert_eq!(attempt["request_url"], receiver.url());
    assert!(attempt["duration_ms"].is_i64());
    assert_eq!(attempt["is_dlq"], false);
    assert_eq!(receiver.received().len(), 1, "the click did not match");
    app.stop().await;
}

#[tokio::test]
async fn a_source_connection_takes_that_source_and_rules_read_webhook_payloads() {
    let app = spawn_app().await;
    let receiver = Receiver::start(Answer::status(204)).await;
    let destination = id(&app.destination(&receiver.url(), json!({})).await);
    let hooks = id_of(&app.webhook_source(json!({})).await);
    let other = id_of(&app.webhook_source(json!({})).await);
    app.connection(
        &hooks,
        &destination,
        json!([{"path": "headers.x-github-event", "op": "in", "value": ["push", "release"]},
               {"path": "body.commits", "op": "exists"},
               {"path": "body.ref", "op": "contains", "value": "main"}]),
    )
    .await;
    let push = r#"{"ref":"refs/heads/main","commits":[{"id":"a1"}]}"#;
    let post = |source: String, event: &'static str, body: &'static str| {
        let app = &app;
        async move {
            let response = app
                .post_webhook(&source, body, &[("x-github-event", event)])
                .await;
            assert_eq!(response.status(), 202);
            response.json::<Value>().await.expect("json")["event_id"].clone()
        }
    };
    post(other.clone(), "push", push).await;
    post(hooks.clone(), "ping", push).await;
    post(
        hooks.clone(),
        "push",
        r#"{"ref":"refs/heads/dev","commits":[]}"#,
    )
    .await;
    post(hooks.clone(), "push", r#"{"ref":"refs/heads/main"}"#).await;
    let wanted = post(hooks.clone(), "release", push).await;
    let request = receiver.until(1).await.remove(0);
    assert_eq!(request.json()["id"], wanted);
    assert_eq!(request.json()["source_id"], hooks.as_str());
    assert_eq!(request.json()["method"], "POST");
    // Every event before it was routed first (in seq order), so none of them went.
    app.attempts_until(&format!("destination_id={destination}"), |a| {
        a.len() == 1 && a[0]["status"] == "success"
    })
    .await;
    assert_eq!(receiver.received().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn bad_destinations_and_connections_are_refused_with_every_field() {
    let app = spawn_app().await;
    let refused = app
        .post_json(
            "/v1/destinations",
            &app.keys.admin,
            &json!({"url": "ftp://x", "retry_max_attempts": 0}),
        )
        .await;
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.expect("json");
    let paths: Vec<&str> = body["details"]
        .as_array()
        .expect("details")
        .iter()
        .filter_map(|d| d["path"].as_str())
        .collect();
    assert_eq!(paths, ["name", "url", "retry_max_attempts"]);

    let destination = id(&app.destination("http://127.0.0.1:9/", json!({})).await);
    let bad_rule = app
        .post_json(
            "/v1/connections",
            &app.keys.admin,
            &json!({"source_id": "*", "destination_id": destination,
                    "rules": [{"path": "scores.intent", "op": "gt", "value": "high"}]}),
        )
        .await;
    assert_eq!(bad_rule.status(), 400);
    let unknown_source = app
        .post_json(
            "/v1/connections",
            &app.keys.admin,
            &json!({"source_id": "src_nope", "destination_id": destination}),
        )
        .await;
    assert_eq!(unknown_source.status(), 400);
    let other_admin = app.create_key("acme", "scale", "admin", &[]).await;
    let theirs = app
        .get(&format!("/v1/destinations/{destination}"), &other_admin)
        .await;
    assert_eq!(theirs.status(), 404, "another tenant's destination");
    let listed: Value = app
        .get("/v1/destinations", &app.keys.admin)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed["destinations"][0]["id"], destination.as_str());
    assert!(
        listed["destinations"][0].get("signing_secret").is_none(),
        "shown at creation only"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_tenants_first_connection_takes_none_of_its_earlier_events() {
    let app = spawn_app().await;
    let ours = Receiver::start(Answer::status(200)).await;
    let theirs = Receiver::start(Answer::status(200)).await;
    // Another tenant already delivers, so the router is running and moving on.
    let destination = id(&app.destination(&ours.url(), json!({})).await);
    app.connection("*", &destination, json!([])).await;
    assert_eq!(
        app.post_events(&app.keys.server, &pageview("ours"))
            .await
            .status(),
        202
    );
    ours.until(1).await;
    let admin = app.create_key("acme", "scale", "admin", &[]).await;
    let server = app.create_key("acme", "scale", "server", &[]).await;
    // Nothing of the connected tenant follows these: the router has nothing of its own to
    // move past them.
    for n in 0..3 {
        let early = app
            .post_events(&server, &pageview(&format!("early{n}")))
            .await;
        assert_eq!(early.status(), 202);
    }
    let created: Value = app
        .post_json(
            "/v1/destinations",
            &admin,
            &json!({"name": "theirs", "url": theirs.url()}),
        )
        .await
        .json()
        .await
        .expect("json");
    let connected = app
        .post_json(
            "/v1/connections",
            &admin,
            &json!({"source_id": "*", "destination_id": id(&created)}),
        )
        .await;
    assert_eq!(connected.status(), 201);
    assert_eq!(
        app.post_events(&server, &pageview("late")).await.status(),
        202
    );
    let request = theirs.until(1).await.remove(0);
    assert_eq!(request.json()["visitorId"], "late");
    // Routing goes in seq order: the earlier events were passed over before this one.
    let attempts: Value = app
        .get(
            &format!("/v1/delivery-attempts?destination_id={}", id(&created)),
            &admin,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(attempts["attempts"].as_array().map(Vec::len), Some(1));
    app.stop().await;
}
