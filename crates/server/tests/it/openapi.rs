//! `GET /v1/openapi.json`: the OpenAPI 3.1 description generated from the handlers. It
//! is checked against the specification (openapi-spec-validator, in tests/py), against
//! the running server (each documented operation reaches a handler) and against the
//! contract (the routes the router had when the document was introduced), so that a route
//! dropped from the document is noticed.

use std::{
    collections::{BTreeSet, HashSet},
    io::Write,
    path::PathBuf,
    process::{Command, Stdio},
};

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{spawn_app, TestApp};

/// Every route of the REST API, as `(method, path)`.
const CONTRACT: &[(&str, &str)] = &[
    ("get", "/datafly.js"),
    ("get", "/dashboard"),
    ("get", "/dashboard/{asset}"),
    ("get", "/healthz"),
    ("get", "/metrics"),
    ("get", "/readyz"),
    ("get", "/sdk.js"),
    ("get", "/signals/stream"),
    ("get", "/v1/admin/audit"),
    ("get", "/v1/admin/keys"),
    ("post", "/v1/admin/keys"),
    ("delete", "/v1/admin/keys/{id}"),
    ("get", "/v1/admin/tenants"),
    ("post", "/v1/admin/tenants"),
    ("post", "/v1/alias"),
    ("options", "/v1/alias"),
    ("post", "/v1/batch"),
    ("options", "/v1/batch"),
    ("get", "/v1/connections"),
    ("post", "/v1/connections"),
    ("get", "/v1/connections/{id}"),
    ("patch", "/v1/connections/{id}"),
    ("delete", "/v1/connections/{id}"),
    ("post", "/v1/dashboard/session"),
    ("get", "/v1/dashboard/session"),
    ("delete", "/v1/dashboard/session"),
    ("get", "/v1/delivery-attempts"),
    ("get", "/v1/delivery-attempts/{id}"),
    ("post", "/v1/delivery-attempts/{id}/retry"),
    ("get", "/v1/destinations"),
    ("post", "/v1/destinations"),
    ("get", "/v1/destinations/{id}"),
    ("patch", "/v1/destinations/{id}"),
    ("delete", "/v1/destinations/{id}"),
    ("get", "/v1/destinations/{id}/circuit"),
    ("post", "/v1/destinations/{id}/circuit/reset"),
    ("get", "/v1/events"),
    ("post", "/v1/events"),
    ("post", "/v1/events/{event_id}/reveal"),
    ("post", "/v1/events/{id}/retry"),
    ("post", "/v1/g"),
    ("options", "/v1/g"),
    ("post", "/v1/group"),
    ("options", "/v1/group"),
    ("post", "/v1/i"),
    ("options", "/v1/i"),
    ("post", "/v1/identify"),
    ("options", "/v1/identify"),
    ("post", "/v1/import"),
    ("options", "/v1/import"),
    ("post", "/v1/ingest/{source_id}"),
    ("get", "/v1/issues"),
    ("get", "/v1/issues/summary"),
    ("get", "/v1/issues/{id}"),
    ("patch", "/v1/issues/{id}"),
    ("post", "/v1/issues/{id}/retry"),
    ("get", "/v1/openapi.json"),
    ("get", "/v1/projects/{writeKey}/settings"),
    ("post", "/v1/p"),
    ("options", "/v1/p"),
    ("post", "/v1/page"),
    ("options", "/v1/page"),
    ("post", "/v1/screen"),
    ("options", "/v1/screen"),
    ("get", "/v1/signals/sse"),
    ("get", "/v1/signals/stream"),
    ("get", "/v1/signals/{visitor_id}"),
    ("get", "/v1/sources"),
    ("post", "/v1/sources"),
    ("get", "/v1/sources/{id}"),
    ("patch", "/v1/sources/{id}"),
    ("delete", "/v1/sources/{id}"),
    ("post", "/v1/t"),
    ("options", "/v1/t"),
    ("post", "/v1/test/sessions"),
    ("get", "/v1/test/sessions/{id}"),
    ("delete", "/v1/test/sessions/{id}"),
    ("post", "/v1/track"),
    ("options", "/v1/track"),
    ("get", "/v1/ws"),
    ("get", "/v1/ws/source/{source_id}"),
    ("get", "/v1/ws/test/{session_id}"),
];

/// The methods an OpenAPI path item may hold.
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The shared error body.
const ERROR_REF: &str = "#/components/schemas/Error";

async fn document(app: &TestApp) -> Value {
    let response = app
        .client
        .get(app.url("/v1/openapi.json"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().expect("ascii");
    assert_eq!(content_type, "application/json");
    response.json().await.expect("a JSON document")
}

/// Every `(method, path, operation)` of the document.
fn operations(document: &Value) -> Vec<(String, String, Value)> {
    let paths = document["paths"].as_object().expect("paths");
    let mut found = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            if let Some(operation) = item.get(*method) {
                found.push((method.to_string(), path.clone(), operation.clone()));
            }
        }
    }
    found
}

/// `path` with each `{param}` replaced by a dummy value.
fn fill(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "dummy"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_every_operation_is_described() {
    let app = spawn_app().await;
    let document = document(&app).await;
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["info"]["title"], "clickwire");
    assert_eq!(document["info"]["version"], env!("CARGO_PKG_VERSION"));
    let error = &document["components"]["schemas"]["Error"];
    let required: Vec<&str> = error["required"]
        .as_array()
        .expect("Error has required fields")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(required.contains(&"error") && required.contains(&"message"));
    let mut ids = HashSet::new();
    for (method, path, operation) in operations(&document) {
        let at = format!("{method} {path}");
        let summary = operation["summary"].as_str().unwrap_or_default();
        assert!(!summary.is_empty(), "{at} has no summary");
        let tags = operation["tags"].as_array().map_or(0, Vec::len);
        assert!(tags > 0, "{at} has no tag");
        let id = operation["operationId"].as_str().expect("operationId");
        assert!(ids.insert(id.to_owned()), "{at}: operationId {id} twice");
        let responses = operation["responses"].as_object().expect("responses");
        assert!(!responses.is_empty(), "{at} has no response");
        for (status, response) in responses {
            if status.starts_with('4') || status.starts_with('5') {
                let schema = &response["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(schema, ERROR_REF, "{at} {status} is not the Error body");
            }
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn the_document_is_valid_by_the_openapi_3_1_specification() {
    let app = spawn_app().await;
    let document = document(&app).await;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join("tests/py/.venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/install-test-clients.sh (scripts/test.sh does)",
        python.display()
    );
    let mut validator = Command::new(python)
        .arg(root.join("tests/py/validate_openapi.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run the validator");
    let json = serde_json::to_vec(&document).expect("serialize");
    validator
        .stdin
        .take()
        .expect("stdin")
        .write_all(&json)
        .expect("write the document");
    let output = validator.wait_with_output().expect("the validator ends");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{said}");
    assert_eq!(said.trim(), "valid");
    app.stop().await;
}

#[tokio::test]
async fn every_documented_operation_reaches_a_handler() {
    let app = spawn_app().await;
    let document = document(&app).await;
    for (method, path, _) in operations(&document) {
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
        let url = app.url(&fill(&path));
        let response = app
            .client
            .request(method.clone(), url)
            .send()
            .await
            .expect("request");
        let status = response.status();
        let body = response.text().await.expect("body");
        let at = format!("{method} {path}: {status} {body}");
        assert_ne!(status, 405, "{at}");
        let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        let fallback = body["error"] == "not_found" && body["message"] == "route not found";
        assert!(!fallback, "{at}: the router's fallback answered");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_document_lists_every_route_of_the_contract() {
    let app = spawn_app().await;
    let document = document(&app).await;
    let documented: BTreeSet<(String, String)> = operations(&document)
        .into_iter()
        .map(|(method, path, _)| (method, path))
        .collect();
    let contract: BTreeSet<(String, String)> = CONTRACT
        .iter()
        .map(|(method, path)| (method.to_string(), path.to_string()))
        .collect();
    let missing: Vec<_> = contract.difference(&documented).collect();
    let unlisted: Vec<_> = documented.difference(&contract).collect();
    assert!(
        missing.is_empty(),
        "routes not in the document: {missing:?}"
    );
    assert!(
        unlisted.is_empty(),
        "documented routes the contract does not list (add them to CONTRACT): {unlisted:?}"
    );
    app.stop().await;
}
