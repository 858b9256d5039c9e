//! Clients that are slow or send more than they may: keyed routes authenticate before
//! reading a body, a stalled body gets 408, a stalled request head is disconnected.

use std::time::Duration;

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

/// Longest wait for the server's answer in these tests.
const ANSWER: Duration = Duration::from_secs(5);
/// The timeouts set for these tests.
const SHORT: Duration = Duration::from_millis(300);

/// Opens a connection and sends a `POST` head declaring `length` body bytes, then `sent`
/// of them; the rest never comes.
async fn post_unfinished(app: &TestApp, path: &str, key: Option<&str>, length: usize) -> TcpStream {
    let mut tcp = TcpStream::connect(app.addr).await.expect("connect");
    let key = key.map_or_else(String::new, |key| format!("X-API-Key: {key}\r\n"));
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n{key}Content-Length: {length}\r\n\r\n"
    );
    tcp.write_all(head.as_bytes()).await.expect("head");
    tcp.write_all(&vec![b' '; 1_000]).await.expect("some body");
    tcp
}

/// What the server sends before it closes, or fails the test after [`ANSWER`].
async fn answer(tcp: &mut TcpStream) -> String {
    let mut buffer = vec![0; 4096];
    let read = tokio::time::timeout(ANSWER, tcp.read(&mut buffer))
        .await
        .expect("an answer in time")
        .expect("read");
    String::from_utf8_lossy(&buffer[..read]).into_owned()
}

#[tokio::test]
async fn an_unauthenticated_post_gets_401_without_its_body_being_read() {
    let app = spawn_app().await;
    for path in ["/v1/events", "/v1/admin/keys", "/v1/admin/tenants"] {
        // Under the body limit, so only reading it all could produce an answer.
        let mut tcp = post_unfinished(&app, path, Some("cs_live_made_up"), 1_000_000).await;
        let answer = answer(&mut tcp).await;
        assert!(answer.starts_with("HTTP/1.1 401"), "{path}: {answer}");
        assert!(answer.contains("invalid_api_key"), "{path}: {answer}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_body_that_stalls_gets_a_json_408_request_timeout() {
    let app = spawn_app_with(|c| c.server.body_timeout = SHORT).await;
    let key = app.keys.server.clone();
    let mut tcp = post_unfinished(&app, "/v1/events", Some(&key), 5_000).await;
    let answer = answer(&mut tcp).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""error":"request_timeout""#), "{answer}");
    app.stop().await;
}

#[tokio::test]
async fn a_request_head_that_stalls_is_disconnected() {
    let app = spawn_app_with(|c| c.server.header_timeout = SHORT).await;
    let mut tcp = TcpStream::connect(app.addr).await.expect("connect");
    tcp.write_all(b"POST /v1/events HTTP/1.1\r\nHost: test\r\n")
        .await
        .expect("half a head");
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(ANSWER, tcp.read_to_end(&mut rest)).await;
    assert!(
        closed.is_ok(),
        "the connection is still open after {ANSWER:?}"
    );
    app.stop().await;
}
