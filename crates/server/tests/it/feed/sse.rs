//! `GET /v1/signals/sse`: the same frames as Server-Sent Events, `id:` = seq, resumed by
//! `Last-Event-ID`; the same key and plan rules.

use std::time::Duration;

use serde_json::Value;

use super::WAIT;
use crate::helpers::{batch, pageview, spawn_app, spawn_app_with, TestApp};

/// One parsed SSE message: its id (if any) and data, or a comment.
#[derive(Debug, PartialEq)]
enum Message {
    Data { id: Option<i64>, data: Value },
    Comment(String),
}

struct SseClient {
    response: reqwest::Response,
    buffer: String,
}

impl SseClient {
    async fn open(app: &TestApp, query: &str, last_event_id: Option<i64>) -> reqwest::Response {
        let mut request = app
            .client
            .get(app.url(&format!("/v1/signals/sse?{query}")))
            .header("X-API-Key", &app.keys.server);
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        request.send().await.expect("request")
    }

    async fn next(&mut self) -> Message {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                return parse(block.trim_end());
            }
            let chunk = tokio::time::timeout(WAIT, self.response.chunk())
                .await
                .expect("data in time")
                .expect("body")
                .expect("stream open");
            self.buffer
                .push_str(std::str::from_utf8(&chunk).expect("utf8"));
        }
    }

    async fn next_data(&mut self) -> (Option<i64>, Value) {
        loop {
            if let Message::Data { id, data } = self.next().await {
                return (id, data);
            }
        }
    }
}

fn parse(block: &str) -> Message {
    if let Some(comment) = block.strip_prefix(':') {
        return Message::Comment(comment.trim().to_owned());
    }
    let mut id = None;
    let mut data = None;
    for line in block.lines() {
        if let Some(value) = line.strip_prefix("id: ") {
            id = Some(value.parse().expect("numeric id"));
        } else if let Some(value) = line.strip_prefix("data: ") {
            data = Some(serde_json::from_str(value).expect("json data"));
        }
    }
    Message::Data {
        id,
        data: data.expect("a data line"),
    }
}

#[tokio::test]
async fn sse_streams_frames_with_their_seq_as_id_and_resumes_from_last_event_id() {
    let app = spawn_app_with(|c| c.feed.ping_interval = Duration::from_millis(200)).await;
    let key = app.keys.server.clone();
    let response = SseClient::open(&app, "", None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut sse = SseClient {
        response,
        buffer: String::new(),
    };
    assert_eq!(sse.next_data().await.1["type"], "hello");
    let views: Vec<Value> = (0..3).map(|i| pageview(&format!("v{i}"))).collect();
    assert_eq!(app.post_events(&key, &batch(views)).await.status(), 202);
    let mut seen = Vec::new();
    for _ in 0..3 {
        let (id, frame) = sse.next_data().await;
        assert_eq!(frame["type"], "event");
        assert_eq!(id, frame["seq"].as_i64(), "id: is the seq");
        seen.push(frame);
    }
    assert_eq!(
        sse.next().await,
        Message::Comment("ping".into()),
        "pings are comments"
    );
    drop(sse);

    // Reconnect as EventSource does, after the first event: the other two come again.
    let first = seen[0]["seq"].as_i64().expect("seq");
    let mut again = SseClient {
        response: SseClient::open(&app, "since=999999", Some(first)).await,
        buffer: String::new(),
    };
    assert_eq!(again.next_data().await.1["type"], "hello");
    for expected in &seen[1..] {
        assert_eq!(&again.next_data().await.1, expected);
    }
    app.stop().await;
}

#[tokio::test]
async fn sse_follows_the_key_and_plan_rules() {
    let app = spawn_app().await;
    let free = app.create_key("free-co", "free", "server", &[]).await;
    let response = app
        .client
        .get(app.url(&format!("/v1/signals/sse?key={free}")))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["currentPlan"], "free");
    let response = app
        .client
        .get(app.url("/v1/signals/sse?key=cs_live_nope"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 401);
    app.stop().await;
}

#[tokio::test]
async fn revoking_the_key_ends_its_sse_stream_with_an_invalid_api_key_frame() {
    let app = spawn_app().await;
    let response = SseClient::open(&app, "", None).await;
    let mut sse = SseClient {
        response,
        buffer: String::new(),
    };
    assert_eq!(sse.next_data().await.1["type"], "hello");
    let id = app.key_id(&app.keys.server).await;
    assert_eq!(app.revoke(&app.keys.operator, &id).await.status(), 200);
    let (_, frame) = sse.next_data().await;
    assert_eq!(frame["type"], "error");
    assert_eq!(frame["error"], "invalid_api_key");
    let end = tokio::time::timeout(WAIT, sse.response.chunk())
        .await
        .expect("the stream ends in time")
        .expect("a clean end");
    assert!(end.is_none(), "nothing after the error frame: {end:?}");
    app.stop().await;
}
