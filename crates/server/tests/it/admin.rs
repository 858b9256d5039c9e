//! The admin API: tenants and keys over HTTP, for admin keys only, each confined to its
//! scope: the operator key manages every tenant, a tenant admin key its own tenant only.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{now_ms, pageview, spawn_app, TestApp};

#[tokio::test]
async fn tenants_are_created_and_listed() {
    let app = spawn_app().await;
    let created = app
        .post_json(
            "/v1/admin/tenants",
            &app.keys.operator,
            &json!({ "name": "acme", "tier": "builder" }),
        )
        .await;
    assert_eq!(created.status(), 201);
    let again = app
        .post_json(
            "/v1/admin/tenants",
            &app.keys.operator,
            &json!({ "name": "acme", "tier": "builder" }),
        )
        .await;
    assert_eq!(again.status(), 409);
    let list: Value = app
        .client
        .get(app.url("/v1/admin/tenants"))
        .header("Authorization", format!("Bearer {}", app.keys.operator))
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
        let response = app.post_json(path, &app.keys.operator, &body).await;
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

/// The status and `error` code of an answer.
async fn error_of(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("json");
    (
        status,
        body["error"].as_str().unwrap_or_default().to_owned(),
    )
}

/// Tenant `acme` with its own admin key.
async fn acme_admin(app: &TestApp) -> String {
    app.create_key("acme", "scale", "admin", &[]).await
}

#[tokio::test]
async fn a_tenant_admin_can_neither_list_nor_create_tenants() {
    let app = spawn_app().await;
    let acme = acme_admin(&app).await;
    let list = app.get("/v1/admin/tenants", &acme).await;
    assert_eq!(error_of(list).await, (403, "forbidden".into()));
    let body = json!({ "name": "mine", "tier": "custom" });
    let create = app.post_json("/v1/admin/tenants", &acme, &body).await;
    assert_eq!(error_of(create).await, (403, "forbidden".into()));
    app.stop().await;
}

#[tokio::test]
async fn a_tenant_admin_cannot_create_a_key_for_another_tenant() {
    let app = spawn_app().await;
    let acme = acme_admin(&app).await;
    let body = json!({ "tenant": "default", "kind": "server" });
    let response = app.post_json("/v1/admin/keys", &acme, &body).await;
    assert_eq!(error_of(response).await, (404, "not_found".into()));
    app.stop().await;
}

#[tokio::test]
async fn a_tenant_admin_creates_keys_for_its_own_tenant_without_naming_it() {
    let app = spawn_app().await;
    let acme = acme_admin(&app).await;
    let response = app
        .post_json("/v1/admin/keys", &acme, &json!({ "kind": "server" }))
        .await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.expect("json");
    assert_eq!(created["tenant"], "acme");
    app.stop().await;
}

#[tokio::test]
async fn a_tenant_admin_cannot_create_an_operator_key() {
    let app = spawn_app().await;
    let acme = acme_admin(&app).await;
    let response = app
        .post_json("/v1/admin/keys", &acme, &json!({ "kind": "operator" }))
        .await;
    assert_eq!(error_of(response).await, (403, "forbidden".into()));
    app.stop().await;
}

#[tokio::test]
async fn a_tenant_admin_lists_its_own_tenants_keys_and_no_other() {
    let app = spawn_app().await;
    let acme = acme_admin(&app).await;
    let list: Value = app
        .get("/v1/admin/keys", &acme)
        .await
        .json()
        .await
        .expect("json");
    let tenants: Vec<&str> = list["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k["tenant"].as_str().expect("tenant"))
        .collect();
    assert_eq!(tenants, ["acme"]);
    let other = app.get("/v1/admin/keys?tenant=default", &acme).await;
    assert_eq!(error_of(other).await, (404, "not_found".into()));
    app.stop().await;
}

#[tokio::test]
async fn a_tenant_admin_cannot_revoke_another_tenants_key() {
    let app = spawn_app().await;
    let acme = acme_admin(&app).await;
    let (key, id) = app
        .create_key_with_id("default", "network", "server", &[])
        .await;
    let response = app.revoke(&acme, &id).await;
    assert_eq!(error_of(response).await, (404, "not_found".into()));
    assert_eq!(app.post_events(&key, &pageview("v")).await.status(), 202);
    app.stop().await;
}

#[tokio::test]
async fn a_tenant_admin_revokes_its_own_tenants_keys() {
    let app = spawn_app().await;
    let acme = acme_admin(&app).await;
    let (_, id) = app.create_key_with_id("acme", "scale", "server", &[]).await;
    let response = app.revoke(&acme, &id).await;
    assert_eq!(response.status(), 200);
    let record: Value = response.json().await.expect("json");
    assert!(record["revokedAt"].is_i64(), "{record}");
    app.stop().await;
}

#[tokio::test]
async fn the_operator_key_manages_every_tenant_and_mints_operator_keys() {
    let app = spawn_app().await;
    let created = app
        .post_json(
            "/v1/admin/keys",
            &app.keys.operator,
            &json!({ "kind": "operator" }),
        )
        .await;
    assert_eq!(created.status(), 201);
    let operator: Value = created.json().await.expect("json");
    assert_eq!(operator["tenant"], Value::Null);
    let second = operator["key"].as_str().expect("key");
    let tenant = json!({ "name": "acme", "tier": "scale" });
    let response = app.post_json("/v1/admin/tenants", second, &tenant).await;
    assert_eq!(response.status(), 201);
    let list: Value = app
        .get("/v1/admin/keys", second)
        .await
        .json()
        .await
        .expect("json");
    let operators = list["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter(|k| k["tenant"].is_null())
        .count();
    assert_eq!(operators, 2, "both operator keys are listed");
    app.stop().await;
}

#[tokio::test]
async fn an_operator_key_names_the_tenant_of_a_new_key() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/v1/admin/keys",
            &app.keys.operator,
            &json!({ "kind": "server" }),
        )
        .await;
    assert_eq!(error_of(response).await, (400, "invalid_request".into()));
    app.stop().await;
}

#[tokio::test]
async fn an_operator_key_cannot_send_or_read_a_tenants_events() {
    let app = spawn_app().await;
    let sent = app.post_events(&app.keys.operator, &pageview("v")).await;
    assert_eq!(error_of(sent).await, (403, "forbidden".into()));
    let read = app.get("/v1/events", &app.keys.operator).await;
    assert_eq!(error_of(read).await, (403, "forbidden".into()));
    app.stop().await;
}

#[tokio::test]
async fn a_key_itself_in_the_revoke_path_is_refused_with_a_pointer_to_the_id() {
    let app = spawn_app().await;
    let response = app.revoke(&app.keys.operator, &app.keys.server).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"], "invalid_request");
    assert!(
        body["message"].as_str().expect("message").contains("id"),
        "{body}"
    );
    let still = app.post_events(&app.keys.server, &pageview("v")).await;
    assert_eq!(still.status(), 202);
    app.stop().await;
}

#[tokio::test]
async fn a_key_created_to_expire_in_thirty_days_carries_its_expiry() {
    let app = spawn_app().await;
    let body = json!({ "tenant": "default", "kind": "server", "expires_in": "30d" });
    let created: Value = app
        .post_json("/v1/admin/keys", &app.keys.operator, &body)
        .await
        .json()
        .await
        .expect("json");
    let expires = created["expiresAt"].as_i64().expect("expiresAt");
    let thirty_days = 30 * 24 * 60 * 60 * 1000;
    assert!(
        (expires - now_ms() - thirty_days).abs() < 60_000,
        "{created}"
    );
    let key = created["key"].as_str().expect("key");
    assert_eq!(app.post_events(key, &pageview("v")).await.status(), 202);
    app.stop().await;
}

#[tokio::test]
async fn a_key_is_401_invalid_api_key_from_the_moment_it_expires() {
    let app = spawn_app().await;
    let expires_at = now_ms() + 1_500;
    let body = json!({ "tenant": "default", "kind": "server", "expires_at": expires_at });
    let created: Value = app
        .post_json("/v1/admin/keys", &app.keys.operator, &body)
        .await
        .json()
        .await
        .expect("json");
    let key = created["key"].as_str().expect("key");
    let before = app.post_events(key, &pageview("v")).await;
    assert_eq!(before.status(), 202, "the key works until it expires");
    // Waits for an instant of the clock, not for a condition: the expiry is that instant.
    let wait = u64::try_from(expires_at - now_ms()).unwrap_or(0);
    tokio::time::sleep(Duration::from_millis(wait + 10)).await;
    let response = app.post_events(key, &pageview("v")).await;
    assert_eq!(error_of(response).await, (401, "invalid_api_key".into()));
    app.stop().await;
}
