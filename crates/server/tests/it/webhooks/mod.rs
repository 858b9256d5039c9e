//! Webhook sources and `ANY /v1/ingest/{source_id}`, over real HTTP: what a webhook event
//! records, the refusals, signature checks (with the Standard Webhooks reference library
//! and a GitHub-style HMAC), each dedup strategy across a restart, the inbound
//! WebSocket source and test sessions.

mod dedup;
mod ingest;
mod sessions;
mod socket;
mod verify;

use serde_json::{json, Value};

use crate::helpers::TestApp;

impl TestApp {
    /// A new webhook source with `settings` merged into its body.
    pub async fn webhook_source(&self, settings: Value) -> Value {
        let mut body = json!({ "name": "hooks", "kind": "webhook" });
        if let (Some(body), Value::Object(settings)) = (body.as_object_mut(), settings) {
            body.extend(settings);
        }
        let response = self.post_json("/v1/sources", &self.keys.admin, &body).await;
        assert_eq!(response.status(), 201);
        response.json().await.expect("json")
    }

    /// `POST /v1/ingest/{source}` with a JSON body and extra headers.
    pub async fn post_webhook(
        &self,
        source: &str,
        body: &str,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(self.url(&format!("/v1/ingest/{source}")))
            .header("content-type", "application/json")
            .body(body.to_owned());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("request")
    }
}

/// The id of a source as the API returned it.
pub fn id_of(source: &Value) -> String {
    source["id"].as_str().expect("id").to_owned()
}
