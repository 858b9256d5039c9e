//! The subscriber against a tiny scripted WebSocket server on loopback: the handshake it
//! sends, resuming after a close, final and retryable refusals.

use std::{
    future::Future,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use futures::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::{
    tungstenite::{
        handshake::server::{ErrorResponse, Request, Response},
        http::{HeaderValue, StatusCode},
        protocol::{frame::coding::CloseCode, CloseFrame},
        Message,
    },
    WebSocketStream,
};

use super::*;

/// What the scripted server saw of each handshake: the request URI and its subprotocols.
type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// Serves connection `n` with `script(n, ..)`, one connection after the other.
async fn scripted<F, Fut>(script: F) -> (SocketAddr, Seen)
where
    F: Fn(usize, TcpStream, Seen) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = Seen::default();
    let seen_by_server = Arc::clone(&seen);
    tokio::spawn(async move {
        let mut n = 0;
        while let Ok((stream, _)) = listener.accept().await {
            script(n, stream, Arc::clone(&seen_by_server)).await;
            n += 1;
        }
    });
    (addr, seen)
}

/// Completes the upgrade the way the feed does: answers `clickstream-v1` only.
// tungstenite fixes the callback's error type (a whole HTTP response).
#[allow(clippy::result_large_err)]
async fn upgrade(stream: TcpStream, seen: Seen) -> WebSocketStream<TcpStream> {
    tokio_tungstenite::accept_hdr_async(stream, move |request: &Request, mut response: Response| {
        let protocols = request
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let uri = request.uri().to_string();
        seen.lock().expect("lock").push((uri, protocols));
        response.headers_mut().insert(
            "sec-websocket-protocol",
            HeaderValue::from_static(connect::SUBPROTOCOL),
        );
        Ok(response)
    })
    .await
    .expect("upgrade")
}

/// Answers the handshake with `status` and a JSON body instead of upgrading.
#[allow(clippy::result_large_err)]
async fn refuse(stream: TcpStream, status: StatusCode, body: &'static str) {
    let _ = tokio_tungstenite::accept_hdr_async(stream, move |_: &Request, _: Response| {
        let mut response = ErrorResponse::new(Some(body.to_owned()));
        *response.status_mut() = status;
        Err(response)
    })
    .await;
}

fn event(seq: i64) -> Message {
    Message::text(format!(
        r#"{{"id":"evt_{seq}","seq":{seq},"type":"event"}}"#
    ))
}

fn limits(max_events: Option<u64>, until_idle: Option<Duration>) -> Limits {
    Limits {
        max_events,
        until_idle,
        silence: Duration::from_secs(5),
    }
}

async fn follow_to_end(addr: SocketAddr, limits: Limits) -> (anyhow::Result<Finish>, Vec<String>) {
    let target = Target::new(
        &format!("ws://{addr}/v1/signals/stream"),
        "cs_live_k".into(),
        None,
    )
    .expect("target");
    let backoff = Backoff::new(Duration::from_millis(10), Duration::from_millis(50));
    let mut out = Vec::new();
    let result = tokio::time::timeout(
        Duration::from_secs(10),
        follow(&target, limits, Progress::new(None), backoff, &mut out),
    )
    .await
    .expect("the run ends by itself");
    let lines = String::from_utf8(out).expect("utf8");
    (result, lines.lines().map(str::to_owned).collect())
}

#[tokio::test]
async fn a_closed_subscription_resumes_after_the_last_printed_seq_without_duplicates() {
    let (addr, seen) = scripted(|n, stream, seen| async move {
        let mut socket = upgrade(stream, seen).await;
        let hello = r#"{"type":"hello","ts":1,"message":"connected to signals feed"}"#;
        socket.send(Message::text(hello)).await.expect("hello");
        if n == 0 {
            socket
                .send(Message::text(r#"{"type":"ping"}"#))
                .await
                .expect("ping");
            let pong = socket.next().await.expect("a reply").expect("frame");
            assert_eq!(pong.to_text().expect("text"), r#"{"type":"pong"}"#);
            for seq in [1, 2] {
                socket.send(event(seq)).await.expect("event");
            }
            socket
                .send(Message::text(r#"{"type":"duration_limit"}"#))
                .await
                .expect("limit");
            let close = CloseFrame {
                code: CloseCode::from(4008),
                reason: "duration_limit".into(),
            };
            socket.close(Some(close)).await.expect("close");
        } else {
            // A replay that overlaps what was printed must not print it twice.
            for seq in [2, 3] {
                socket.send(event(seq)).await.expect("event");
            }
            let _ = socket.next().await;
        }
    })
    .await;
    let (result, lines) = follow_to_end(addr, limits(Some(3), None)).await;
    assert_eq!(result.expect("finished"), Finish::MaxEvents);
    let seqs: Vec<i64> = lines
        .iter()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json")["seq"].as_i64())
        .map(|s| s.expect("seq"))
        .collect();
    assert_eq!(seqs, [1, 2, 3]);
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(
        seen[0],
        (
            "/v1/signals/stream".into(),
            "clickstream-v1, cs_live_k".into()
        )
    );
    assert_eq!(seen[1].0, "/v1/signals/stream?since=2");
}

#[tokio::test]
async fn an_invalid_key_is_final_and_reports_the_servers_message() {
    let body = r#"{"error":"invalid_api_key","message":"the key is not valid"}"#;
    let (addr, _) =
        scripted(move |_, stream, _| refuse(stream, StatusCode::UNAUTHORIZED, body)).await;
    let (result, lines) = follow_to_end(addr, limits(None, None)).await;
    let error = result.expect_err("refused").to_string();
    assert!(
        error.contains("401") && error.contains("invalid_api_key"),
        "{error}"
    );
    assert!(lines.is_empty());
}

#[tokio::test]
async fn too_many_subscribers_and_server_errors_are_retried() {
    let (addr, _) = scripted(|n, stream, seen| async move {
        match n {
            0 => {
                refuse(
                    stream,
                    StatusCode::TOO_MANY_REQUESTS,
                    r#"{"error":"too_many_subscribers"}"#,
                )
                .await
            }
            1 => {
                refuse(
                    stream,
                    StatusCode::SERVICE_UNAVAILABLE,
                    r#"{"error":"unavailable"}"#,
                )
                .await
            }
            _ => {
                let mut socket = upgrade(stream, seen).await;
                socket.send(event(7)).await.expect("event");
                let _ = socket.next().await;
            }
        }
    })
    .await;
    let (result, lines) = follow_to_end(addr, limits(Some(1), None)).await;
    assert_eq!(result.expect("finished"), Finish::MaxEvents);
    assert_eq!(lines, [r#"{"id":"evt_7","seq":7,"type":"event"}"#]);
}

#[tokio::test]
async fn until_idle_ends_a_run_whose_server_never_answers() {
    // A port that was just free: connecting is refused, and retried until idle.
    let addr = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind")
        .local_addr()
        .expect("addr");
    let (result, lines) = follow_to_end(addr, limits(None, Some(Duration::from_millis(300)))).await;
    assert_eq!(result.expect("finished"), Finish::Idle);
    assert!(lines.is_empty());
}
