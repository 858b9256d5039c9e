//! `/v1/sources`: create, read, list, change and delete a tenant's sources; pipeline keys
//! belong to one.

use serde_json::{json, Value};

use super::{error_code, track};
use crate::helpers::spawn_app;

#[tokio::test]
async fn a_source_is_created_read_listed_changed_and_deleted() {
    let app = spawn_app().await;
    let body = json!({
        "name": "shop", "kind": "pipeline",
        "origins": ["https://shop.example.com"], "rate_limit": 50,
        "ip_allow": ["10.0.0.0/8"], "dedup": { "window": "1h" }
    });
    let created = app.create_source(&app.keys.admin, &body).await;
    let id = created["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with("src_"), "{id}");
    assert_eq!(created["name"], "shop");
    assert_eq!(created["kind"], "pipeline");
    assert_eq!(created["origins"], json!(["https://shop.example.com"]));
    assert_eq!(created["rate_limit"], 50);
    assert_eq!(created["ip_allow"], json!(["10.0.0.0/8"]));
    assert_eq!(created["dedup"]["window"], "1h");
    assert!(created["signing_secret"]
        .as_str()
        .expect("secret")
        .starts_with("whsec_"));
    assert!(created["created_at"].as_str().expect("time").ends_with('Z'));

    let read: Value = app
        .get(&format!("/v1/sources/{id}"), &app.keys.server)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(read, created, "a server key reads the same source");
    let list: Value = app
        .get("/v1/sources", &app.keys.admin)
        .await
        .json()
        .await
        .expect("json");
    let ids: Vec<&str> = list["sources"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [app.source.as_str(), id.as_str()],
        "the bootstrap source, then the new one"
    );

    let patched = app
        .client
        .patch(app.url(&format!("/v1/sources/{id}")))
        .header("X-API-Key", &app.keys.admin)
        .json(&json!({ "rate_limit": 75, "origins": ["*.example.com"] }))
        .send()
        .await
        .expect("patch");
    assert_eq!(patched.status(), 200);
    let patched: Value = patched.json().await.expect("json");
    assert_eq!(patched["rate_limit"], 75);
    assert_eq!(patched["origins"], json!(["*.example.com"]));
    assert_eq!(patched["name"], "shop", "what the patch leaves out stays");

    let deleted = app
        .client
        .delete(app.url(&format!("/v1/sources/{id}")))
        .header("X-API-Key", &app.keys.admin)
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), 204);
    let gone = app.get(&format!("/v1/sources/{id}"), &app.keys.admin).await;
    assert_eq!(gone.status(), 404);
}

#[tokio::test]
async fn sources_belong_to_the_key_s_own_tenant() {
    let app = spawn_app().await;
    let other = app.create_key("acme", "scale", "server", &[]).await;
    let mine = app
        .create_source(&app.keys.admin, &json!({"name": "a", "kind": "pipeline"}))
        .await;
    let id = mine["id"].as_str().expect("id");
    let response = app.get(&format!("/v1/sources/{id}"), &other).await;
    assert_eq!(
        response.status(),
        404,
        "another tenant's source does not exist for it"
    );
    let list: Value = app
        .get("/v1/sources", &other)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["sources"], json!([]));
    let operator = app.get("/v1/sources", &app.keys.operator).await;
    assert_eq!(
        operator.status(),
        403,
        "an operator key belongs to no tenant"
    );
    let website = app.get("/v1/sources", &app.keys.website).await;
    assert_eq!(website.status(), 403);
}

#[tokio::test]
async fn bad_settings_are_refused_with_every_field_named() {
    let app = spawn_app().await;
    let body = json!({
        "name": "", "kind": "pipeline", "origins": ["*", "https://ok.example.com"],
        "rate_limit": 0, "ip_allow": ["10.0.0.0/33"], "dedup": { "window": "soon" }
    });
    let response = app.post_json("/v1/sources", &app.keys.admin, &body).await;
    assert_eq!(response.status(), 400);
    let answer: Value = response.json().await.expect("json");
    assert_eq!(answer["error"], "validation_error");
    let paths: Vec<&str> = answer["details"]
        .as_array()
        .expect("details")
        .iter()
        .filter_map(|d| d["path"].as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "name",
            "origins[0]",
            "ip_allow[0]",
            "rate_limit",
            "dedup.window"
        ]
    );
    let typo = app
        .post_json(
            "/v1/sources",
            &app.keys.admin,
            &json!({"name": "a", "kind": "pipeline", "origin": []}),
        )
        .await;
    assert_eq!(
        typo.status(),
        400,
        "an unknown field is refused, not ignored"
    );
    let unknown = app
        .post_json(
            "/v1/sources",
            &app.keys.admin,
            &json!({"name": "a", "kind": "queue"}),
        )
        .await;
    assert_eq!(unknown.status(), 400, "an unknown kind");
}

#[tokio::test]
async fn a_pipeline_key_needs_a_pipeline_source_of_its_tenant() {
    let app = spawn_app().await;
    let missing = app
        .post_json(
            "/v1/admin/keys",
            &app.keys.admin,
            &json!({"kind": "pipeline"}),
        )
        .await;
    assert_eq!(missing.status(), 400);
    let foreign = app.create_key("acme", "scale", "admin", &[]).await;
    let acme_source = app
        .create_source(&foreign, &json!({"name": "a", "kind": "pipeline"}))
        .await;
    let body = json!({"kind": "pipeline", "source": acme_source["id"]});
    let refused = app
        .post_json("/v1/admin/keys", &app.keys.admin, &body)
        .await;
    assert_eq!(refused.status(), 404, "a source of another tenant");
    let test_key = app
        .post_json(
            "/v1/admin/keys",
            &app.keys.admin,
            &json!({"kind": "pipeline", "source": app.source, "test": true}),
        )
        .await;
    assert_eq!(test_key.status(), 201);
    let test_key: Value = test_key.json().await.expect("json");
    let test_key = test_key["key"].as_str().expect("key");
    assert!(test_key.starts_with("dk_test_"), "{test_key}");
    assert!(app.keys.pipeline.starts_with("dk_live_"));
    let sent = app
        .post_bearer("/v1/t", test_key, &track("anon_test"))
        .await;
    assert_eq!(sent.status(), 200, "a test key sends like a live one");
}

#[tokio::test]
async fn deleting_a_source_stops_its_keys_at_once() {
    let app = spawn_app().await;
    let (source, key) = app.pipeline_source(json!({})).await;
    assert_eq!(
        app.post_bearer("/v1/t", &key, &track("anon_a"))
            .await
            .status(),
        200
    );
    let id = source["id"].as_str().expect("id");
    let deleted = app
        .client
        .delete(app.url(&format!("/v1/sources/{id}")))
        .header("X-API-Key", &app.keys.admin)
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), 204);
    let refused = app.post_bearer("/v1/t", &key, &track("anon_a")).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(error_code(refused).await, "invalid_pipeline_key");
}

#[tokio::test]
async fn listings_are_paged_by_cursor() {
    let app = spawn_app().await;
    for n in 0..4 {
        app.create_source(
            &app.keys.admin,
            &json!({"name": format!("s{n}"), "kind": "pipeline"}),
        )
        .await;
    }
    let mut names = Vec::new();
    let mut path = "/v1/sources?limit=2".to_owned();
    loop {
        let page: Value = app
            .get(&path, &app.keys.admin)
            .await
            .json()
            .await
            .expect("json");
        let sources = page["sources"].as_array().expect("sources");
        assert!(sources.len() <= 2);
        names.extend(
            sources
                .iter()
                .filter_map(|s| s["name"].as_str().map(str::to_owned)),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/sources?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(names, ["default", "s0", "s1", "s2", "s3"]);
    let too_many = app.get("/v1/sources?limit=101", &app.keys.admin).await;
    assert_eq!(too_many.status(), 400);
}
