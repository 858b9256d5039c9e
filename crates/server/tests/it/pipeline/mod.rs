//! The pipeline endpoints (Datafly Signal and Segment) and the sources behind them, over
//! real HTTP.

mod batch;
mod cors;
mod endpoints;
mod identity;
mod segment;
mod signed;
mod sources;

use serde_json::{json, Value};

use crate::helpers::TestApp;

/// A track message of `anonymous_id` with a fresh message id.
pub fn track(anonymous_id: &str) -> Value {
    json!({
        "type": "track",
        "event": "Product Added",
        "anonymousId": anonymous_id,
        "properties": { "product_id": "SKU-1234", "price": 79.99 },
        "context": {
            "page": { "url": "https://shop.example.com/products/headphones", "title": "Headphones", "path": "/products/headphones" },
            "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
            "locale": "en-US"
        },
        "messageId": ulid(),
    })
}

/// A fresh unique id.
pub fn ulid() -> String {
    format!("msg_{}", ulid::Ulid::new())
}

impl TestApp {
    /// `POST path` with `Authorization: Bearer key` and a JSON body.
    pub async fn post_bearer(&self, path: &str, key: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(key)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// Creates a source through the API with `key`; the created source.
    pub async fn create_source(&self, key: &str, body: &Value) -> Value {
        let response = self.post_json("/v1/sources", key, body).await;
        assert_eq!(response.status(), 201);
        response.json().await.expect("json")
    }

    /// A new pipeline source with `settings` merged into its body, and a pipeline key of it.
    pub async fn pipeline_source(&self, settings: Value) -> (Value, String) {
        let mut body = json!({ "name": "shop", "kind": "pipeline" });
        if let (Some(body), Value::Object(settings)) = (body.as_object_mut(), settings) {
            body.extend(settings);
        }
        let source = self.create_source(&self.keys.admin, &body).await;
        let key = self.pipeline_key(source["id"].as_str().expect("id")).await;
        (source, key)
    }

    /// A new pipeline key of `source` (tenant `default`).
    pub async fn pipeline_key(&self, source: &str) -> String {
        let body = json!({ "kind": "pipeline", "source": source });
        let created = self
            .post_json("/v1/admin/keys", &self.keys.admin, &body)
            .await;
        assert_eq!(created.status(), 201);
        let created: Value = created.json().await.expect("json");
        created["key"].as_str().expect("key").to_owned()
    }

    /// The stored events of the default tenant matching `query`, oldest first.
    pub async fn stored(&self, query: &str) -> Vec<Value> {
        let page = self.read_events(query).await;
        page["events"].as_array().cloned().unwrap_or_default()
    }
}

/// The `error` code of a response (which must be JSON).
pub async fn error_code(response: reqwest::Response) -> String {
    let body: Value = response.json().await.expect("json error body");
    body["error"].as_str().unwrap_or_default().to_owned()
}
