//! Deliveries over real HTTP, to real receivers started by the tests: what is sent and how
//! it is signed (checked with the Standard Webhooks reference library), connection filters,
//! the retry schedule, permanent failures, `Retry-After`, dead letters and manual retries,
//! the circuit breaker, issues, and the dashboard's delivery and issue channels.

mod breaker;
mod flow;
mod issues;
mod receiver;
mod retries;

use std::{path::PathBuf, process::Command, time::Duration};

use serde_json::{json, Value};

use crate::helpers::TestApp;
use receiver::Received;

impl TestApp {
    /// A destination to `url` with `settings` merged into its body.
    pub async fn destination(&self, url: &str, settings: Value) -> Value {
        let mut body = json!({"name": "receiver", "url": url});
        if let (Some(body), Value::Object(settings)) = (body.as_object_mut(), settings) {
            body.extend(settings);
        }
        let response = self
            .post_json("/v1/destinations", &self.keys.admin, &body)
            .await;
        assert_eq!(response.status(), 201);
        response.json().await.expect("json")
    }

    /// A connection from `source` to `destination` with `rules`.
    pub async fn connection(&self, source: &str, destination: &str, rules: Value) -> Value {
        let body = json!({"source_id": source, "destination_id": destination, "rules": rules});
        let response = self
            .post_json("/v1/connections", &self.keys.admin, &body)
            .await;
        assert_eq!(response.status(), 201);
        response.json().await.expect("json")
    }

    /// `GET /v1/delivery-attempts?<query>`, oldest first.
    pub async fn attempts(&self, query: &str) -> Vec<Value> {
        let page: Value = self
            .get(
                &format!("/v1/delivery-attempts?limit=100&{query}"),
                &self.keys.admin,
            )
            .await
            .json()
            .await
            .expect("json");
        let mut attempts = page["attempts"].as_array().cloned().expect("attempts");
        attempts.reverse();
        attempts
    }

    /// Waits until the attempts of `query` satisfy `done`; those attempts.
    pub async fn attempts_until(&self, query: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + receiver::WAIT;
        loop {
            let attempts = self.attempts(query).await;
            if done(&attempts) {
                return attempts;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "attempts never got there: {attempts:#?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// The id of an object the API returned.
pub fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

/// Whether the reference library accepts `request`'s signature under `secret`.
pub fn verified_by_reference_library(secret: &str, request: &Received) -> bool {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join("tests/py/.venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/install-test-clients.sh (scripts/test.sh does)",
        python.display()
    );
    let dir = tempfile::tempdir().expect("dir");
    let headers: serde_json::Map<String, Value> =
        ["webhook-id", "webhook-timestamp", "webhook-signature"]
            .iter()
            .map(|name| (name.to_string(), json!(request.header(name))))
            .collect();
    std::fs::write(
        dir.path().join("headers"),
        Value::Object(headers).to_string(),
    )
    .expect("write");
    std::fs::write(dir.path().join("body"), &request.body).expect("write");
    let output = Command::new(python)
        .arg(root.join("tests/py/standard_webhooks_verify.py"))
        .args(["--secret", secret, "--headers-file"])
        .arg(dir.path().join("headers"))
        .arg("--body-file")
        .arg(dir.path().join("body"))
        .output()
        .expect("run the verifier");
    output.status.success()
}
