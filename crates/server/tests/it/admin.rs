//! The admin API: tenants and keys over HTTP, for admin keys only.

use serde_json::{json, Value};

use crate::helpers::spawn_app;

#[tokio::test]
async fn tenants_are_created_and_listed() {
    let app = spawn_app().await;
    let created = app
        .post_json(
            "/v1/admin/tenants",
            &app.keys.admin,
            &json!({ "name": "acme", "tier": "builder" }),
        )
        .await;
    assert_eq!(created.status(), 201);
    let again = app
        .post_json(
            "/v1/admin/tenants",
            &app.keys.admin,
            &json!({ "name": "acme", "tier": "builder" }),
        )
        .await;
    assert_eq!(again.status(), 409);
    let list: Value = app
        .client
        .get(app.url("/v1/admin/tenants"))
        .header("Authorization", format!("Bearer {}", app.keys.admin))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    let names: Vec<&str> = list["tenants"]
        .as_array()
        .expect("tenants")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["acme", "default"]);
    app.stop().await;
}

#[tokio::test]
async fn key_listings_show_prefixes_and_never_keys() {
    let app = spawn_app().await;
    let list = app
        .get("/v1/admin/keys?tenant=default", &app.keys.admin)
        .await
        .text()
        .await
        .expect("text");
    let parsed: Value = serde_json::from_str(&list).expect("json");
    assert_eq!(parsed["keys"].as_array().map(Vec::len), Some(5));
    for key in [&app.keys.admin, &app.keys.website, &app.keys.server] {
        assert!(!list.contains(key.as_str()), "a listing leaked a key");
    }
    assert!(list.contains(&app.keys.website[..16]));
    app.stop().await;
}

#[tokio::test]
async fn bad_admin_requests_get_clear_errors() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({ "name": "x", "tier": "gold" }),
            "/v1/admin/tenants",
            400,
            "validation_error",
        ),
        (
            json!({ "name": "bad name!", "tier": "free" }),
            "/v1/admin/tenants",
            400,
            "invalid_request",
        ),
        (
            json!({ "tenant": "ghost", "kind": "server" }),
            "/v1/admin/keys",
            404,
            "not_found",
        ),
        (
            json!({ "tenant": "default", "kind": "root" }),
            "/v1/admin/keys",
            400,
            "validation_error",
        ),
    ];
    for (body, path, status, code) in cases {
        let response = app.post_json(path, &app.keys.admin, &body).await;
        assert_eq!(response.status(), status, "{body}");
        let answer: Value = response.json().await.expect("json");
        assert_eq!(answer["error"], code, "{body}");
    }
    app.stop().await;
}

#[tokio::test]
async fn only_admin_keys_reach_the_admin_api() {
    let app = spawn_app().await;
    let response = app.get("/v1/admin/tenants", &app.keys.server).await;
    assert_eq!(response.status(), 403);
    let response = app
        .client
        .get(app.url("/v1/admin/tenants"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 401);
    app.stop().await;
}
