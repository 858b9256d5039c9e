//! Issues group failures per destination and error type, resolve themselves after the
//! quiet time and reopen on the next failure; the dashboard stream's `deliveries` and
//! `issues` channels carry attempts and issue changes.

use std::time::Duration;

use serde_json::{json, Value};

use super::{
    id,
    receiver::{Answer, Receiver},
};
use crate::{
    feed::{connect, request},
    helpers::{pageview, spawn_app_with, TestApp},
};

async fn issues(app: &TestApp, query: &str) -> Vec<Value> {
    let page: Value = app
        .get(&format!("/v1/issues?{query}"), &app.keys.admin)
        .await
        .json()
        .await
        .expect("json");
    page["issues"].as_array().cloned().expect("issues")
}

async fn issues_until(app: &TestApp, query: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + super::receiver::WAIT;
    loop {
        let found = issues(app, query).await;
        if done(&found) {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "issues never got there: {found:#?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn an_issue_opens_resolves_itself_and_reopens_and_the_dashboard_hears_of_it() {
    let app = spawn_app_with(|c| {
        c.deliveries.issue_auto_resolve = Duration::from_millis(400);
    })
    .await;
    let receiver = Receiver::start(Answer::status(502)).await;
    let destination = id(&app
        .destination(&receiver.url(), json!({"retry_max_attempts": 1}))
        .await);
    app.connection("*", &destination, json!([])).await;
    let mut dashboard = connect(request(&app, &format!("/v1/ws?token={}", app.keys.admin))).await;
    assert_eq!(dashboard.next_json().await["type"], "welcome");
    for channel in ["issues".to_owned(), format!("deliveries:{destination}")] {
        dashboard
            .send(&json!({"type": "subscribe", "channel": channel}))
            .await;
        assert_eq!(dashboard.next_non_ping().await["type"], "subscribed");
    }

    assert_eq!(
        app.post_events(&app.keys.server, &pageview("v1"))
            .await
            .status(),
        202
    );
    let mut heard = Vec::new();
    while heard.len() < 2 {
        heard.push(dashboard.next_non_ping().await);
    }
    heard.sort_by_key(|m| m["type"].as_str().unwrap_or_default().to_owned());
    assert_eq!(heard[0]["type"], "delivery");
    assert_eq!(heard[0]["channel"], format!("deliveries:{destination}"));
    assert_eq!(heard[0]["data"]["status"], "failed");
    assert_eq!(heard[0]["data"]["response_status"], 502);
    assert_eq!(heard[1]["type"], "issue");
    assert_eq!(heard[1]["channel"], "issues");
    assert_eq!(heard[1]["data"]["status"], "open");

    let open = issues_until(&app, "status=open", |i| i.len() == 1).await;
    let issue = &open[0];
    assert_eq!(issue["error_type"], "http_5xx");
    assert_eq!(issue["destination_id"], destination.as_str());
    assert_eq!(issue["occurrences"], 1);
    assert_eq!(issue["recent_attempts"].as_array().map(Vec::len), Some(1));
    let summary: Value = app
        .get("/v1/issues/summary", &app.keys.admin)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        summary,
        json!({"open": 1, "acknowledged": 0, "resolved": 0})
    );

    let resolved = issues_until(&app, "status=resolved", |i| i.len() == 1).await;
    assert_eq!(resolved[0]["id"], issue["id"]);
    assert!(resolved[0]["resolved_at"].is_string());
    let announced = loop {
        let message = dashboard.next_non_ping().await;
        if message["type"] == "issue" {
            break message;
        }
    };
    assert_eq!(announced["data"]["status"], "resolved");

    assert_eq!(
        app.post_events(&app.keys.server, &pageview("v2"))
            .await
            .status(),
        202
    );
    let reopened = issues_until(&app, "status=open", |i| i.len() == 1).await;
    assert_eq!(reopened[0]["id"], issue["id"], "the same issue reopens");
    assert_eq!(reopened[0]["occurrences"], 2);

    let acked = app
        .client
        .patch(app.url(&format!("/v1/issues/{}", id(issue))))
        .header("x-api-key", &app.keys.admin)
        .json(&json!({"status": "acknowledged"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(acked.status(), 200);
    receiver.answer_all(Answer::status(200));
    let retried: Value = app
        .client
        .post(app.url(&format!("/v1/issues/{}/retry", id(issue))))
        .header("x-api-key", &app.keys.admin)
        .send()
        .await
        .expect("retry")
        .json()
        .await
        .expect("json");
    assert_eq!(
        retried["retried"], 2,
        "both dead-lettered deliveries of the issue"
    );
    app.attempts_until(
        &format!("destination_id={destination}&status=success"),
        |a| a.len() == 2,
    )
    .await;
    app.stop().await;
}
