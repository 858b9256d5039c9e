//! The Signals Feed over real sockets: the handshake, the connection lifecycle, delivery,
//! Write, resume and SSE. This file holds the WebSocket client the tests share.

mod delivery;
mod handshake;
mod lifecycle;
mod resume;
mod revoke;
mod sse;
mod write;

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::{
    tungstenite::{
        client::IntoClientRequest,
        handshake::client::Request,
        http::HeaderValue,
        protocol::{frame::coding::CloseCode, CloseFrame},
        Error, Message,
    },
    MaybeTlsStream, WebSocketStream,
};

use crate::helpers::TestApp;

/// Longest wait for any one frame.
pub const WAIT: Duration = Duration::from_secs(15);

/// A handshake request for `path` (with its query string) on `app`.
pub fn request(app: &TestApp, path: &str) -> Request {
    format!("ws://{}{path}", app.addr)
        .into_client_request()
        .expect("request")
}

/// The same request with a header.
pub fn with_header(mut request: Request, name: &'static str, value: &str) -> Request {
    request
        .headers_mut()
        .insert(name, HeaderValue::from_str(value).expect("header value"));
    request
}

/// A subscriber on the feed.
pub struct Feed {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The subprotocol the server selected.
    pub protocol: Option<String>,
}

/// Connects with `request`; the handshake must succeed.
pub async fn connect(request: Request) -> Feed {
    let (ws, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("handshake succeeds");
    let protocol = response
        .headers()
        .get("sec-websocket-protocol")
        .map(|v| v.to_str().expect("ascii").to_owned());
    Feed { ws, protocol }
}

/// Subscribes with `key` in `X-API-Key` on `/v1/signals/stream?<query>`, and reads `hello`.
pub async fn subscribe(app: &TestApp, key: &str, query: &str) -> Feed {
    let request = with_header(
        request(app, &format!("/v1/signals/stream?{query}")),
        "x-api-key",
        key,
    );
    let mut feed = connect(request).await;
    assert_eq!(feed.next_json().await["type"], "hello");
    feed
}

/// As [`subscribe`], over a socket with a tiny receive buffer (to stall it by not reading).
pub async fn subscribe_small(app: &TestApp, key: &str) -> Feed {
    let request = with_header(request(app, "/v1/signals/stream"), "x-api-key", key);
    let mut feed = connect_small(app, request).await;
    assert_eq!(feed.next_json().await["type"], "hello");
    feed
}

/// As [`connect`], over a socket with a tiny receive buffer (to stall it by not reading).
pub async fn connect_small(app: &TestApp, request: Request) -> Feed {
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("rcvbuf");
    let stream = socket.connect(app.addr).await.expect("connect");
    let (ws, _) = tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(stream))
        .await
        .expect("handshake succeeds");
    Feed { ws, protocol: None }
}

/// The status and JSON body of a refused handshake.
pub async fn refused(request: Request) -> (u16, Value) {
    match tokio_tungstenite::connect_async(request).await {
        Err(Error::Http(response)) => {
            let body = response.body().as_deref().unwrap_or_default();
            let body = serde_json::from_slice(body).expect("a JSON body");
            (response.status().as_u16(), body)
        }
        Err(other) => panic!("expected an HTTP refusal, got {other}"),
        Ok(_) => panic!("expected an HTTP refusal, the upgrade succeeded"),
    }
}

/// What a subscriber reads.
#[derive(Debug)]
pub enum Read {
    Json(Value),
    Closed(Option<CloseFrame>),
}

impl Feed {
    /// The next message: a JSON text frame or the close.
    pub async fn read(&mut self) -> Read {
        loop {
            let message = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("a frame in time");
            match message {
                Some(Ok(Message::Text(text))) => {
                    return Read::Json(serde_json::from_str(&text).expect("one JSON object"))
                }
                Some(Ok(Message::Close(frame))) => return Read::Closed(frame),
                Some(Ok(_)) => continue,
                Some(Err(err)) => panic!("socket error: {err}"),
                None => return Read::Closed(None),
            }
        }
    }

    /// The next JSON frame.
    pub async fn next_json(&mut self) -> Value {
        match self.read().await {
            Read::Json(value) => value,
            Read::Closed(frame) => panic!("closed: {frame:?}"),
        }
    }

    /// The next frame that is not a ping.
    pub async fn next_non_ping(&mut self) -> Value {
        loop {
            let value = self.next_json().await;
            if value["type"] != "ping" {
                return value;
            }
        }
    }

    /// The next `n` event frames (pings are skipped; anything else fails).
    pub async fn events(&mut self, n: usize) -> Vec<Value> {
        let mut events = Vec::with_capacity(n);
        while events.len() < n {
            let value = self.next_non_ping().await;
            assert_eq!(value["type"], "event", "{value}");
            events.push(value);
        }
        events
    }

    /// Reads until the close; returns its code and the event frames read before it.
    pub async fn until_close(&mut self) -> (Option<CloseCode>, Vec<Value>) {
        let mut events = Vec::new();
        loop {
            match self.read().await {
                Read::Json(value) if value["type"] == "event" => events.push(value),
                Read::Json(_) => {}
                Read::Closed(frame) => return (frame.map(|f| f.code), events),
            }
        }
    }

    /// Sends `text` as it is.
    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::text(text)).await.expect("send");
    }

    /// Sends a text frame.
    pub async fn send(&mut self, value: &Value) {
        self.ws
            .send(Message::text(value.to_string()))
            .await
            .expect("send");
    }
}

/// The `seq` of each frame.
pub fn seqs(events: &[Value]) -> Vec<i64> {
    events
        .iter()
        .map(|e| e["seq"].as_i64().expect("seq"))
        .collect()
}

/// The ids of the tenant's stored events after `after` (server key), oldest first.
pub async fn stored_ids(app: &TestApp, after: i64) -> Vec<String> {
    let page = app
        .read_events(&format!("after_seq={after}&limit=1000"))
        .await;
    page["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_owned())
        .collect()
}

/// The `id` of each frame.
pub fn ids(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_owned())
        .collect()
}
