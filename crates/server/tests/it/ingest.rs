//! `POST /v1/events`: the contract's rules, status codes and bodies.

use serde_json::{json, Value};

use crate::helpers::{batch, click, now_ms, pageview, spawn_app};

#[tokio::test]
async fn a_single_event_is_acknowledged_with_202_and_counts() {
    let app = spawn_app().await;
    let before = now_ms();
    let response = app.post_events(&app.keys.website, &pageview("v1")).await;
    assert_eq!(response.status(), 202);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["success"], true);
    assert_eq!(body["accepted"], 1);
    assert_eq!(body["received"], 1);
    assert!(body["timestamp"].as_i64().expect("timestamp") >= before);
    app.stop().await;
}

#[tokio::test]
async fn a_batch_of_25_is_accepted_and_26_is_refused() {
    let app = spawn_app().await;
    let events: Vec<Value> = (0..25).map(|i| click(&format!("v{i}"))).collect();
    let response = app.post_events(&app.keys.website, &batch(events)).await;
    assert_eq!(response.status(), 202);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["accepted"], 25);

    let events: Vec<Value> = (0..26).map(|i| click(&format!("v{i}"))).collect();
    let response = app.post_events(&app.keys.website, &batch(events)).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"], "validation_error");
    assert_eq!(body["details"][0]["path"], "events");
    app.stop().await;
}

#[tokio::test]
async fn a_body_that_is_not_json_is_invalid_json() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/v1/events"))
        .header("X-API-Key", &app.keys.website)
        .body("{\"type\": \"pageview\",")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"], "invalid_json");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    app.stop().await;
}

#[tokio::test]
async fn every_failing_field_is_named_with_its_path() {
    let app = spawn_app().await;
    let mut bad_url = pageview("v1");
    bad_url["page"]["url"] = json!("not a url");
    let mut bad_click = click("v2");
    bad_click["element"]["x"] = json!("left");
    bad_click["visitorId"] = json!(42);
    let body = batch(vec![pageview("ok"), bad_url, bad_click]);
    let response = app.post_events(&app.keys.website, &body).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"], "validation_error");
    let paths: Vec<&str> = body["details"]
        .as_array()
        .expect("details")
        .iter()
        .map(|d| d["path"].as_str().expect("path"))
        .collect();
    for expected in [
        "events[1].page.url",
        "events[2].element.x",
        "events[2].visitorId",
    ] {
        assert!(
            paths.contains(&expected),
            "{expected} missing from {paths:?}"
        );
    }
    // Nothing of a refused batch is stored.
    let stored = app.read_events("").await;
    assert_eq!(stored["events"].as_array().expect("events").len(), 0);
    app.stop().await;
}

#[tokio::test]
async fn a_body_over_one_megabyte_is_payload_too_large() {
    let app = spawn_app().await;
    let mut event = pageview("v1");
    event["padding"] = json!("x".repeat(1024 * 1024 + 1));
    let response = app.post_events(&app.keys.website, &event).await;
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"], "payload_too_large");
    app.stop().await;
}

#[tokio::test]
async fn email_events_are_refused() {
    let app = spawn_app().await;
    for kind in ["email_open", "email_click"] {
        let mut event = pageview("v1");
        event["type"] = json!(kind);
        let response = app.post_events(&app.keys.server, &event).await;
        assert_eq!(response.status(), 400, "{kind}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"], "validation_error");
        assert_eq!(body["details"][0]["path"], "type");
    }
    app.stop().await;
}

#[tokio::test]
async fn events_without_analytics_consent_are_received_but_not_stored() {
    let app = spawn_app().await;
    let mut refused = pageview("no-consent");
    refused["consent"] = json!({ "analytics": false });
    let mut granted = pageview("consent");
    granted["consent"] = json!({ "analytics": true });
    let response = app
        .post_events(&app.keys.website, &batch(vec![refused, granted]))
        .await;
    assert_eq!(response.status(), 202);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["received"], 2);
    assert_eq!(body["accepted"], 1);
    let stored = app.read_events("").await;
    let visitors: Vec<&str> = stored["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["event"]["visitorId"].as_str().expect("visitor"))
        .collect();
    assert_eq!(visitors, ["consent"]);
    app.stop().await;
}

#[tokio::test]
async fn a_skewed_timestamp_is_replaced_and_a_close_one_kept() {
    let app = spawn_app().await;
    let close = now_ms() - 60_000;
    let mut near = pageview("near");
    near["timestamp"] = json!(close);
    let mut far = pageview("far");
    far["timestamp"] = json!(close - 3_600_000);
    let before = now_ms();
    let response = app
        .post_events(&app.keys.website, &batch(vec![near, far]))
        .await;
    assert_eq!(response.status(), 202);
    let stored = app.read_events("").await;
    // Events of different visitors in one batch may commit in either order.
    let of = |visitor: &str| {
        let events = stored["events"].as_array().expect("events");
        let event = events.iter().find(|e| e["event"]["visitorId"] == visitor);
        event.expect("stored")["event"]["timestamp"].clone()
    };
    assert_eq!(of("near"), close);
    let replaced = of("far").as_i64().expect("timestamp");
    assert!(replaced >= before && replaced <= now_ms(), "{replaced}");
    app.stop().await;
}

#[tokio::test]
async fn a_long_user_agent_is_cut_to_512_characters() {
    let app = spawn_app().await;
    let mut event = pageview("v1");
    event["device"]["userAgent"] = json!("é".repeat(700));
    let response = app.post_events(&app.keys.website, &event).await;
    assert_eq!(response.status(), 202);
    let stored = app.read_events("").await;
    let agent = stored["events"][0]["event"]["device"]["userAgent"]
        .as_str()
        .expect("user agent");
    assert_eq!(agent.chars().count(), 512);
    app.stop().await;
}

#[tokio::test]
async fn web_events_need_an_http_url_and_native_events_do_not() {
    let app = spawn_app().await;
    let mut web = pageview("web");
    web["page"].as_object_mut().expect("page").remove("url");
    let response = app.post_events(&app.keys.website, &web).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["details"][0]["path"], "page.url");

    let mut native = pageview("app");
    native["page"] =
        json!({ "url": "myapp://checkout", "path": "CheckoutScreen", "title": "Checkout" });
    native["device"]["clientPlatform"] = json!("ios");
    native["device"]["userAgent"] = json!("AcmeApp/2.1.0 CFNetwork iOS/17.5");
    let response = app.post_events(&app.keys.mobile, &native).await;
    assert_eq!(response.status(), 202);

    let mut server = pageview("srv");
    server["page"] = json!({ "path": "orders/create", "title": "Create order" });
    server["device"]["clientPlatform"] = json!("server");
    let response = app.post_events(&app.keys.server, &server).await;
    assert_eq!(response.status(), 202);
    app.stop().await;
}

#[tokio::test]
async fn a_browser_preflight_is_answered() {
    let app = spawn_app().await;
    let response = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/v1/events"))
        .header("Origin", "https://shop.example.com")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type,x-api-key")
        .send()
        .await
        .expect("request");
    assert!(response.status().is_success());
    let headers = response.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://shop.example.com"
    );
    let allowed = headers["access-control-allow-headers"]
        .to_str()
        .expect("ascii");
    assert!(allowed.contains("x-api-key"), "{allowed}");
    app.stop().await;
}

#[tokio::test]
async fn stored_rows_carry_the_analytics_columns() {
    let app = spawn_app().await;
    let mut event = click("vis_cols");
    event["page"]["url"] = json!("https://example.com/pricing?utm_source=news&gclid=abc");
    let response = app.post_events(&app.keys.website, &event).await;
    assert_eq!(response.status(), 202);
    let db = rusqlite::Connection::open(app.data.join("clickwire.db")).expect("db");
    let row: (String, String, String, String, f64, f64, f64, i64) = db
        .query_row(
            "SELECT index1, blob1, blob6, blob9, double4, double6, double7, seq FROM events",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            },
        )
        .expect("row");
    assert_eq!(row.0, "default");
    assert_eq!(row.1, "click|");
    assert_eq!(row.2, "vis_cols");
    assert_eq!(row.3, "#buy|Buy");
    assert_eq!((row.4, row.5, row.6), (1280.0, 10.0, 20.0));
    assert!(row.7 > 0);
    let (utm, clicks, ip): (String, String, String) = db
        .query_row("SELECT blob19, blob18, blob20 FROM events", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .expect("row");
    assert!(utm.starts_with("news|"), "{utm}");
    assert!(clicks.starts_with("abc|"), "{clicks}");
    assert_eq!(ip.len(), 64, "SHA-256 hex of the client address");
    assert_ne!(ip, "127.0.0.1");
    app.stop().await;
}

#[tokio::test]
async fn hostile_bodies_get_json_errors_and_the_server_keeps_serving() {
    let app = spawn_app().await;
    let bodies = [
        "null",
        "[]",
        "42",
        "\"x\"",
        "{}",
        "{\"events\":null}",
        "{\"events\":[]}",
        "{\"events\":[null,1,\"a\",[]]}",
        "{\"type\":null,\"page\":{\"url\":{}}}",
        "{\"type\":\"pageview\",\"timestamp\":1e400}",
        "{\"events\":{\"0\":{}}}",
    ];
    for body in bodies {
        let response = app
            .client
            .post(app.url("/v1/events"))
            .header("X-API-Key", &app.keys.website)
            .body(body)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 400, "{body}");
        let json: Value = response.json().await.expect("json body");
        assert!(
            json["error"].is_string() && json["message"].is_string(),
            "{body}"
        );
    }
    let response = app
        .post_events(&app.keys.website, &pageview("still-up"))
        .await;
    assert_eq!(response.status(), 202);
    app.stop().await;
}
