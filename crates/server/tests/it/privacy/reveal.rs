//! `POST /v1/events/{id}/reveal` and `GET /v1/admin/audit`: admin keys only, always within
//! the key's own tenant, every reveal recorded.

use serde_json::Value;

use super::{events_of, form, identify, reveal, revealed, Markers};
use crate::helpers::{pageview, spawn_app, TestApp};

/// Stores an identify and a pageview of `visitor`; returns their ids.
async fn stored_pair(app: &TestApp, visitor: &str) -> (String, String) {
    let m = Markers::new();
    let events = crate::helpers::batch(vec![
        identify(visitor, &m.email, &m.phone),
        pageview(visitor),
    ]);
    assert_eq!(
        app.post_events(&app.keys.server, &events).await.status(),
        202
    );
    let stored = events_of(app, visitor).await;
    let id = |i: usize| stored[i]["id"].as_str().expect("id").to_owned();
    (id(0), id(1))
}

async fn error_of(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("json");
    assert!(body["message"].is_string(), "{body}");
    (status, body["error"].as_str().expect("code").to_owned())
}

async fn audit(app: &TestApp, key: &str, query: &str) -> Value {
    let response = app.get(&format!("/v1/admin/audit?{query}"), key).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("json")
}

#[tokio::test]
async fn server_and_website_keys_cannot_reveal() {
    let app = spawn_app().await;
    let (id, _) = stored_pair(&app, "vis_kinds").await;
    for key in [&app.keys.server, &app.keys.website, &app.keys.mobile] {
        let refused = error_of(reveal(&app, key, &id, "rawEmail").await).await;
        assert_eq!(refused, (403, "forbidden".to_owned()));
    }
    let response = app.get("/v1/admin/audit", &app.keys.server).await;
    assert_eq!(response.status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn unknown_fields_unsealed_fields_and_unknown_events_are_told_apart() {
    let app = spawn_app().await;
    let (identify_id, pageview_id) = stored_pair(&app, "vis_errors").await;
    let key = &app.keys.admin;
    let cases = [
        (&identify_id, "hem", (400, "unknown_field")),
        (
            &identify_id,
            "files[x].text_excerpt",
            (400, "unknown_field"),
        ),
        (&identify_id, "values", (404, "field_not_sealed")),
        (&pageview_id, "rawEmail", (404, "field_not_sealed")),
        (&"evt_nope".to_owned(), "rawEmail", (404, "event_not_found")),
    ];
    for (id, field, (status, code)) in cases {
        let got = error_of(reveal(&app, key, id, field).await).await;
        assert_eq!(got, (status, code.to_owned()), "{id} {field}");
    }
    let bad_body = app
        .post_json(
            &format!("/v1/events/{identify_id}/reveal"),
            key,
            &serde_json::json!({"x": 1}),
        )
        .await;
    assert_eq!(error_of(bad_body).await.0, 400);
    let log = audit(&app, key, "").await;
    assert_eq!(
        log["entries"],
        serde_json::json!([]),
        "refused reveals are not reveals"
    );
    app.stop().await;
}

#[tokio::test]
async fn another_tenants_event_is_not_found_and_its_audit_log_stays_apart() {
    let app = spawn_app().await;
    let (id, _) = stored_pair(&app, "vis_tenant").await;
    let other_admin = app.create_key("acme", "scale", "admin", &[]).await;
    let refused = error_of(reveal(&app, &other_admin, &id, "rawEmail").await).await;
    assert_eq!(refused, (404, "event_not_found".to_owned()));
    revealed(&app, &id, "rawEmail").await;
    assert_eq!(
        audit(&app, &other_admin, "").await["entries"],
        serde_json::json!([])
    );
    let own = audit(&app, &app.keys.admin, "").await;
    assert_eq!(own["entries"].as_array().expect("entries").len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn every_reveal_is_in_the_audit_log_newest_first_with_who_when_which_event_and_field() {
    let app = spawn_app().await;
    let m = Markers::new();
    let event = form("vis_audit", &m.value, &m.excerpt);
    assert_eq!(
        app.post_events(&app.keys.server, &event).await.status(),
        202
    );
    let id = events_of(&app, "vis_audit").await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let before = crate::helpers::now_ms();
    for field in ["values", "files[1].text_excerpt", "values"] {
        revealed(&app, &id, field).await;
    }
    let keys: Value = app
        .get("/v1/admin/keys", &app.keys.admin)
        .await
        .json()
        .await
        .expect("keys");
    let admin_id = keys["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["kind"] == "admin")
        .and_then(|k| k["id"].as_str())
        .expect("admin key id")
        .to_owned();

    let first = audit(&app, &app.keys.admin, "limit=2").await;
    let entries = first["entries"].as_array().expect("entries");
    let fields: Vec<&str> = entries
        .iter()
        .map(|e| e["field"].as_str().expect("field"))
        .collect();
    assert_eq!(fields, ["values", "files[1].text_excerpt"]);
    for entry in entries {
        assert_eq!(entry["keyId"], admin_id.as_str());
        assert_eq!(entry["eventId"], id.as_str());
        assert_eq!(entry["action"], "reveal");
        assert!(entry["at"].as_i64().expect("at") >= before);
    }
    assert!(
        !first.to_string().contains(&m.value),
        "the audit log holds no value"
    );
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let second = audit(&app, &app.keys.admin, &format!("limit=2&cursor={cursor}")).await;
    let rest = second["entries"].as_array().expect("entries");
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0]["field"], "values");
    assert_eq!(second["next_cursor"], Value::Null);
    app.stop().await;
}
