//! The retry schedule and attempt counting, permanent failures, 410, `Retry-After`, the
//! dead letter and its manual retry, with the same `webhook-id` on every attempt.

use std::time::Duration;

use serde_json::{json, Value};

use super::{
    id,
    receiver::{Answer, Receiver},
};
use crate::helpers::{pageview, spawn_app, TestApp};

/// Posts one pageview; its event id.
async fn one_event(app: &TestApp, visitor: &str) -> String {
    assert_eq!(
        app.post_events(&app.keys.server, &pageview(visitor))
            .await
            .status(),
        202
    );
    let page = app.read_events(&format!("visitorId={visitor}")).await;
    page["events"][0]["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn failures_retry_on_the_schedule_then_dead_letter_and_a_manual_retry_delivers() {
    let app = spawn_app().await;
    let receiver = Receiver::start(Answer::status(503)).await;
    let destination = id(&app
        .destination(
            &receiver.url(),
            json!({"retry_max_attempts": 3, "retry_intervals": [0.2, 0.4]}),
        )
        .await);
    app.connection("*", &destination, json!([])).await;
    let event = one_event(&app, "v1").await;
    let requests = receiver.until(3).await;
    let attempts = app
        .attempts_until(&format!("event_id={event}"), |a| {
            a.len() == 3 && a[2]["status"] == "failed"
        })
        .await;
    let numbers: Vec<&Value> = attempts.iter().map(|a| &a["attempt_number"]).collect();
    assert_eq!(numbers, [&json!(1), &json!(2), &json!(3)]);
    let dead: Vec<&Value> = attempts.iter().map(|a| &a["is_dlq"]).collect();
    assert_eq!(dead, [&json!(false), &json!(false), &json!(true)]);
    assert!(attempts[0]["next_retry_at"].is_string() && attempts[2]["next_retry_at"].is_null());
    assert!(attempts[2]["dlq_at"].is_string());
    assert!(attempts
        .iter()
        .all(|a| a["error_type"] == "http_5xx" && a["response_status"] == 503));
    let gaps: Vec<Duration> = requests.windows(2).map(|w| w[1].at - w[0].at).collect();
    assert!(
        gaps[0] >= Duration::from_millis(200),
        "attempt 2 waits intervals[0]: {gaps:?}"
    );
    assert!(
        gaps[1] >= Duration::from_millis(400),
        "attempt 3 waits intervals[1]: {gaps:?}"
    );
    let ids: Vec<&str> = requests.iter().map(|r| r.header("webhook-id")).collect();
    assert!(
        ids.iter().all(|i| *i == ids[0]),
        "one webhook-id across retries: {ids:?}"
    );

    receiver.answer_all(Answer::status(200));
    let last = id(&attempts[2]);
    let retried = app
        .client
        .post(app.url(&format!("/v1/delivery-attempts/{last}/retry")))
        .header("x-api-key", &app.keys.admin)
        .send()
        .await
        .expect("retry");
    assert_eq!(retried.status(), 202);
    let retried: Value = retried.json().await.expect("json");
    assert_eq!(retried["retried"], 1);
    assert_eq!(retried["attempts"][0]["attempt_number"], 4);
    let fourth = receiver.until(4).await.remove(3);
    assert_eq!(fourth.header("webhook-id"), ids[0]);
    app.attempts_until(&format!("event_id={event}"), |a| {
        a.len() == 4 && a[3]["status"] == "success"
    })
    .await;
    let again = app
        .client
        .post(app.url(&format!("/v1/events/{event}/retry")))
        .header("x-api-key", &app.keys.admin)
        .send()
        .await
        .expect("retry");
    let again: Value = again.json().await.expect("json");
    assert_eq!(again["retried"], 0, "a delivered event has no dead letter");
    app.stop().await;
}

#[tokio::test]
async fn a_4xx_fails_at_once_and_a_410_disables_the_destination() {
    let app = spawn_app().await;
    let receiver = Receiver::start(Answer::status(400)).await;
    let destination = id(&app
        .destination(&receiver.url(), json!({"retry_intervals": [0.05]}))
        .await);
    app.connection("*", &destination, json!([])).await;
    let event = one_event(&app, "v1").await;
    let attempts = app
        .attempts_until(&format!("event_id={event}"), |a| {
            a.first().is_some_and(|a| a["status"] == "failed")
        })
        .await;
    assert_eq!(attempts.len(), 1, "a 400 is not retried");
    assert_eq!(
        (
            attempts[0]["is_dlq"].clone(),
            attempts[0]["error_type"].clone()
        ),
        (json!(true), json!("http_4xx"))
    );

    receiver.answer_all(Answer::status(410));
    let gone = one_event(&app, "v2").await;
    app.attempts_until(&format!("event_id={gone}"), |a| {
        a.first().is_some_and(|a| a["status"] == "failed")
    })
    .await;
    let deadline = tokio::time::Instant::now() + super::receiver::WAIT;
    loop {
        let shown: Value = app
            .get(&format!("/v1/destinations/{destination}"), &app.keys.admin)
            .await
            .json()
            .await
            .expect("json");
        if shown["enabled"] == false {
            assert!(shown["disabled_reason"]
                .as_str()
                .is_some_and(|r| r.contains("410")));
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never disabled: {shown}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let sent = receiver.received().len();
    let later = one_event(&app, "v3").await;
    // Routing happens in seq order: once a later event of a still-enabled destination is
    // delivered, v3 has been routed too (and skipped the disabled destination).
    let probe = Receiver::start(Answer::status(200)).await;
    let witness = id(&app.destination(&probe.url(), json!({})).await);
    app.connection("*", &witness, json!([])).await;
    one_event(&app, "v4").await;
    probe.until(1).await;
    assert!(app.attempts(&format!("event_id={later}")).await.is_empty());
    assert_eq!(
        receiver.received().len(),
        sent,
        "nothing more went to the disabled destination"
    );
    app.stop().await;
}

#[tokio::test]
async fn retry_after_on_a_429_holds_the_next_attempt_back() {
    let app = spawn_app().await;
    let receiver = Receiver::start(Answer::status(200)).await;
    receiver.plan([Answer {
        status: 429,
        retry_after: Some("1"),
    }]);
    let destination = id(&app
        .destination(&receiver.url(), json!({"retry_intervals": [0.05]}))
        .await);
    app.connection("*", &destination, json!([])).await;
    one_event(&app, "v1").await;
    let requests = receiver.until(2).await;
    let gap = requests[1].at - requests[0].at;
    assert!(
        gap >= Duration::from_millis(1000),
        "waited {gap:?}, not the 1 s asked"
    );
    app.stop().await;
}
