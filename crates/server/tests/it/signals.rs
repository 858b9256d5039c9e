//! Labels and scores through the HTTP API: what `POST /v1/events` stores and what
//! `GET /v1/signals/{visitorId}` answers, scenario by scenario.

use serde_json::{json, Value};

use crate::helpers::{batch, click, now_ms, pageview, spawn_app, TestApp};

const GOOGLEBOT: &str = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

/// A web pageview of `visitor` on `path` at `at` ms.
fn page_at(visitor: &str, path: &str, at: i64) -> Value {
    let mut event = pageview(visitor);
    event["page"]["url"] = json!(format!("https://example.com{path}"));
    event["page"]["path"] = json!(path);
    event["timestamp"] = json!(at);
    event
}

async fn signals(app: &TestApp, key: &str, visitor: &str) -> reqwest::Response {
    app.get(&format!("/v1/signals/{visitor}"), key).await
}

async fn snapshot(app: &TestApp, visitor: &str) -> Value {
    let response = signals(app, &app.keys.server, visitor).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("json")
}

async fn send(app: &TestApp, key: &str, events: Vec<Value>) {
    let response = app.post_events(key, &batch(events)).await;
    assert_eq!(response.status(), 202);
}

#[tokio::test]
async fn a_snapshot_carries_every_contract_field() {
    let app = spawn_app().await;
    send(&app, &app.keys.server, vec![pageview("v1")]).await;
    let snap = snapshot(&app, "v1").await;
    assert_eq!(snap["visitorId"], "v1");
    assert_eq!(snap["sessionId"], "sess_v1");
    assert!(snap["bot"]["isBot"].is_boolean() && snap["bot"]["score"].is_number());
    assert_eq!(snap["device"]["type"], "desktop");
    assert_eq!(snap["device"]["browser"], "Chrome");
    assert_eq!(snap["device"]["os"], "macOS");
    assert_eq!(snap["device"]["isMobile"], false);
    for field in [
        "intent",
        "frustration",
        "engagement",
        "value",
        "churn",
        "abandonment",
        "conversionReadiness",
        "sessionMomentum",
        "confusion",
        "emotionalState",
        "decisionStage",
    ] {
        assert!(!snap["scores"][field].is_null(), "scores.{field}");
    }
    assert_eq!(snap["hasIdentified"], false);
    assert!(snap["sourceEventId"]
        .as_str()
        .expect("id")
        .starts_with("evt_"));
    assert!(snap["updatedAt"].as_i64().expect("updatedAt") > 0);
    app.stop().await;
}

#[tokio::test]
async fn unknown_visitors_are_404_and_free_tier_keys_403() {
    let app = spawn_app().await;
    let response = signals(&app, &app.keys.server, "nobody").await;
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"], "visitor_not_found");

    let free = app.create_key("cheap", "free", "server", &[]).await;
    let response = signals(&app, &free, "nobody").await;
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"], "plan_upgrade_required");
    assert_eq!(body["currentPlan"], "free");
    app.stop().await;
}

#[tokio::test]
async fn website_keys_read_signals_only_from_their_domains() {
    let app = spawn_app().await;
    let key = app
        .create_key("site", "scale", "website", &["example.com"])
        .await;
    let send_from = |origin: &'static str| {
        app.client
            .get(app.url("/v1/signals/v1"))
            .header("X-API-Key", &key)
            .header("Origin", origin)
            .send()
    };
    assert_eq!(
        send_from("https://evil.test")
            .await
            .expect("request")
            .status(),
        403
    );
    assert_eq!(
        send_from("https://example.com")
            .await
            .expect("request")
            .status(),
        404
    );
    app.stop().await;
}

#[tokio::test]
async fn a_rage_click_burst_raises_frustration() {
    let app = spawn_app().await;
    let start = now_ms() - 60_000;
    send(
        &app,
        &app.keys.server,
        vec![page_at("angry", "/checkout", start)],
    )
    .await;
    let calm = snapshot(&app, "angry").await["scores"]["frustration"]
        .as_i64()
        .expect("score");
    let burst: Vec<Value> = (0..5)
        .map(|i| {
            let mut c = click("angry");
            c["timestamp"] = json!(start + 5_000 + i * 150);
            c["element"]["x"] = json!(200 + i);
            c["element"]["y"] = json!(300);
            c
        })
        .collect();
    send(&app, &app.keys.server, burst).await;
    let after = snapshot(&app, "angry").await;
    let frustrated = after["scores"]["frustration"].as_i64().expect("score");
    assert!(frustrated > calm, "frustration {calm} → {frustrated}");
    assert!(
        frustrated >= 40,
        "a rage-click burst is clearly frustrating: {frustrated}"
    );
    app.stop().await;
}

#[tokio::test]
async fn pricing_demo_submit_and_identify_give_high_intent() {
    let app = spawn_app().await;
    let t = now_ms() - 120_000;
    let mut submit = pageview("buyer");
    submit["type"] = json!("form");
    submit["timestamp"] = json!(t + 40_000);
    submit["action"] = json!("submit");
    submit["formId"] = json!("demo-request");
    submit["fieldCount"] = json!(4);
    let mut identify = pageview("buyer");
    identify["type"] = json!("identify");
    identify["timestamp"] = json!(t + 45_000);
    identify["hem"] = json!("a".repeat(64));
    let events = vec![
        page_at("buyer", "/pricing", t),
        page_at("buyer", "/demo", t + 20_000),
        submit,
        identify,
    ];
    send(&app, &app.keys.server, events).await;
    let snap = snapshot(&app, "buyer").await;
    let intent = snap["scores"]["intent"].as_i64().expect("intent");
    assert!(intent >= 70, "intent {intent}");
    assert_ne!(snap["scores"]["decisionStage"], "awareness");
    assert_eq!(snap["hasIdentified"], true);
    app.stop().await;
}

#[tokio::test]
async fn webdriver_and_crawlers_are_labelled_bot_and_still_stored() {
    let app = spawn_app().await;
    let mut driven = pageview("driven");
    driven["device"]["automation"] = json!({ "webdriver": true });
    let mut crawler = pageview("crawler");
    crawler["device"]["userAgent"] = json!(GOOGLEBOT);
    send(&app, &app.keys.website, vec![driven, crawler]).await;

    assert_eq!(snapshot(&app, "driven").await["behavioralClass"], "bot");
    let snap = snapshot(&app, "crawler").await;
    assert_eq!(snap["behavioralClass"], "bot");
    assert_eq!(snap["bot"]["isBot"], true);
    assert_eq!(snap["bot"]["category"], "search_crawler");
    assert_eq!(snap["bot"]["name"], "Googlebot");

    let db = rusqlite::Connection::open(app.data.join("clickwire.db")).expect("db");
    let (category, score, is_bot): (String, f64, f64) = db
        .query_row(
            "SELECT blob17, double18, double19 FROM events WHERE visitor_id = 'crawler'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("row");
    assert_eq!(category, "search_crawler|Googlebot");
    assert!(score >= 70.0);
    assert_eq!(is_bot, 1.0);
    app.stop().await;
}

#[tokio::test]
async fn a_library_user_agent_is_a_bot_on_a_website_key_and_expected_on_a_server_key() {
    let app = spawn_app().await;
    let mut web = pageview("curl-web");
    web["device"]["userAgent"] = json!("curl/8.5.0");
    send(&app, &app.keys.website, vec![web]).await;
    let mut backend = pageview("curl-srv");
    backend["device"]["userAgent"] = json!("curl/8.5.0");
    send(&app, &app.keys.server, vec![backend]).await;
    assert_eq!(snapshot(&app, "curl-web").await["bot"]["isBot"], true);
    let server_side = snapshot(&app, "curl-srv").await;
    assert_eq!(server_side["bot"]["isBot"], false);
    assert_ne!(server_side["behavioralClass"], "bot");
    app.stop().await;
}

#[tokio::test]
async fn a_calm_human_session_stays_human_on_every_event() {
    let app = spawn_app().await;
    let t = now_ms() - 200_000;
    let mut events = vec![page_at("calm", "/", t)];
    for (i, depth) in [10, 25, 50, 75].into_iter().enumerate() {
        let mut scroll = pageview("calm");
        scroll["type"] = json!("scroll");
        scroll["timestamp"] = json!(t + 3_700 * (i as i64 + 1) + 900 * (i as i64 % 2));
        scroll["depth"] = json!(depth);
        scroll["timeOnPage"] = json!(4_000 * (i + 1));
        events.push(scroll);
    }
    let mut read_more = click("calm");
    read_more["timestamp"] = json!(t + 21_300);
    events.push(read_more);
    events.push(page_at("calm", "/blog/post", t + 34_100));
    send(&app, &app.keys.website, events).await;
    let stored = app.read_events("visitorId=calm").await;
    let stored = stored["events"].as_array().expect("events");
    assert_eq!(stored.len(), 7);
    for event in stored {
        assert_eq!(event["labels"]["behavioralClass"], "human", "{event}");
        assert_eq!(event["labels"]["bot"]["isBot"], false);
    }
    app.stop().await;
}

#[tokio::test]
async fn consent_transitions_are_stored_unscored() {
    let app = spawn_app().await;
    let mut transition = pageview("consenting");
    transition["type"] = json!("_consent_transition");
    send(&app, &app.keys.website, vec![transition]).await;
    let stored = app.read_events("visitorId=consenting").await;
    let labels = &stored["events"][0]["labels"];
    assert!(labels["scores"].is_null(), "{labels}");
    assert!(labels["bot"].is_object());
    app.stop().await;
}

#[tokio::test]
async fn scores_continue_across_a_restart() {
    let app = spawn_app().await;
    let t = now_ms() - 120_000;
    let mut identify = pageview("loyal");
    identify["type"] = json!("identify");
    identify["timestamp"] = json!(t + 10_000);
    identify["hem"] = json!("b".repeat(64));
    let before = vec![
        page_at("loyal", "/pricing", t),
        identify,
        page_at("loyal", "/demo", t + 20_000),
    ];
    send(&app, &app.keys.server, before).await;
    let intent_before = snapshot(&app, "loyal").await["scores"]["intent"]
        .as_i64()
        .expect("intent");

    let app = app.restart().await;
    send(
        &app,
        &app.keys.server,
        vec![page_at("loyal", "/docs", t + 30_000)],
    )
    .await;
    send(
        &app,
        &app.keys.server,
        vec![page_at("stranger", "/docs", t + 30_000)],
    )
    .await;
    let after = snapshot(&app, "loyal").await;
    assert_eq!(
        after["hasIdentified"], true,
        "identity survives the restart"
    );
    let intent_after = after["scores"]["intent"].as_i64().expect("intent");
    let fresh = snapshot(&app, "stranger").await["scores"]["intent"]
        .as_i64()
        .expect("intent");
    assert!(
        intent_after > fresh,
        "scores continue ({intent_before} before, {intent_after} after) rather than restart ({fresh})"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_evicted_visitor_is_rebuilt_from_the_store() {
    let app = crate::helpers::spawn_app_with(|config| {
        config.scoring.shards = 1;
        config.scoring.max_visitors = 1;
    })
    .await;
    let t = now_ms() - 60_000;
    let mut identify = pageview("first");
    identify["type"] = json!("identify");
    identify["timestamp"] = json!(t);
    identify["hem"] = json!("c".repeat(64));
    send(&app, &app.keys.server, vec![identify]).await;
    // Only one visitor fits: this one pushes `first` out of memory.
    send(
        &app,
        &app.keys.server,
        vec![page_at("second", "/", t + 1_000)],
    )
    .await;
    send(
        &app,
        &app.keys.server,
        vec![page_at("first", "/docs", t + 2_000)],
    )
    .await;
    let snap = snapshot(&app, "first").await;
    assert_eq!(
        snap["hasIdentified"], true,
        "the session came back from the store"
    );
    app.stop().await;
}
