//! Personal data: sealed fields at rest and in every answer, the audited reveal, the data
//! keys and their rotation, keyed hashes, and the client address behind trusted proxies.

mod at_rest;
mod hashes;
mod keys;
mod reveal;

use std::{
    io::Write,
    path::Path,
    sync::{Arc, Mutex, OnceLock},
};

use serde_json::{json, Value};

use crate::helpers::{pageview, TestApp};

/// Unique strings planted in the personal fields of one identify and one form event.
pub struct Markers {
    pub email: String,
    pub phone: String,
    pub value: String,
    pub excerpt: String,
}

impl Markers {
    pub fn new() -> Self {
        let id = ulid::Ulid::new().to_string().to_lowercase();
        Self {
            email: format!("mkemail{id}@example.com"),
            phone: format!("+1555mkphone{id}"),
            value: format!("mkvalue{id}"),
            excerpt: format!("mkexcerpt{id}"),
        }
    }

    pub fn all(&self) -> [&str; 4] {
        [&self.email, &self.phone, &self.value, &self.excerpt]
    }
}

/// The `hem` every identify of these tests sends.
pub const HEM: &str = "5d41402abc4b2a76b9719d911017c592aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
/// The hashed phone every identify of these tests sends.
pub const HASHED_PHONE: &str = "hashed-phone-of-the-client";

/// An identify of `visitor` carrying raw email and phone.
pub fn identify(visitor: &str, email: &str, phone: &str) -> Value {
    let mut event = pageview(visitor);
    event["type"] = json!("identify");
    event["hem"] = json!(HEM);
    event["rawEmail"] = json!(email);
    event["rawPhone"] = json!(phone);
    event["identity"] = json!({ "hashedPhone": HASHED_PHONE });
    event
}

/// A form submit of `visitor` carrying values and a file excerpt.
pub fn form(visitor: &str, value: &str, excerpt: &str) -> Value {
    let mut event = pageview(visitor);
    event["type"] = json!("form");
    event["action"] = json!("submit");
    event["formId"] = json!("signup");
    event["fieldCount"] = json!(2);
    event["values"] = json!({ "email": value, "plan": "pro" });
    event["files"] = json!([
        { "name": "a.txt", "field": "notes", "size": 3, "type": "text/plain" },
        { "name": "cv.pdf", "field": "cv", "size": 10, "type": "application/pdf",
          "text_excerpt": excerpt }
    ]);
    event
}

/// The stored events of `visitor`, oldest first, as `GET /v1/events` returns them.
pub async fn events_of(app: &TestApp, visitor: &str) -> Vec<Value> {
    let page = app.read_events(&format!("visitorId={visitor}")).await;
    page["events"].as_array().expect("events").clone()
}

/// `POST /v1/events/{id}/reveal {"field": field}` with `key`.
pub async fn reveal(app: &TestApp, key: &str, id: &str, field: &str) -> reqwest::Response {
    let path = format!("/v1/events/{id}/reveal");
    app.post_json(&path, key, &json!({ "field": field })).await
}

/// The revealed value of `field`, failing unless the reveal answers 200.
pub async fn revealed(app: &TestApp, id: &str, field: &str) -> Value {
    let response = reveal(app, &app.keys.admin, id, field).await;
    assert_eq!(response.status(), 200, "{field}");
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        (body["event_id"].as_str(), body["field"].as_str()),
        (Some(id), Some(field))
    );
    body["value"].clone()
}

/// The paths of every file under `dir` that contains `needle`.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            let entries = std::fs::read_dir(&path).expect("read dir");
            pending.extend(entries.map(|e| e.expect("entry").path()));
            continue;
        }
        let bytes = std::fs::read(&path).expect("read file");
        if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
            found.push(path.display().to_string());
        }
    }
    found
}

/// Every log line the server writes, from any test of this binary, at debug level and
/// above (installed once, before the first server of these tests starts).
pub fn captured_logs() -> &'static LogBuffer {
    static LOGS: OnceLock<LogBuffer> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = LogBuffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
        buffer
    })
}

/// A shared, growing log.
#[derive(Clone, Default)]
pub struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("logs")).into_owned()
    }
}

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("logs").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
