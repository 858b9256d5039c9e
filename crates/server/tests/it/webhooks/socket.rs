//! The inbound WebSocket source: pipelined messages acked in order after the durable
//! append, errors that keep the connection, pings, and the refusals before the upgrade.

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::{self, Message};

use super::id_of;
use crate::helpers::{spawn_app, spawn_app_with, TestApp};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(app: &TestApp, source: &str, key: &str) -> Result<Socket, tungstenite::Error> {
    let url = format!("ws://{}/v1/ws/source/{source}?token={key}", app.addr);
    tokio_tungstenite::connect_async(url)
        .await
        .map(|(socket, _)| socket)
}

async fn next_json(socket: &mut Socket) -> Value {
    loop {
        match socket.next().await.expect("a message").expect("readable") {
            Message::Text(text) => return serde_json::from_str(&text).expect("json"),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn pipelined_messages_are_acked_in_order_after_they_are_stored() {
    let app = spawn_app().await;
    let source = id_of(&app.webhook_source(json!({})).await);
    let mut socket = connect(&app, &source, &app.keys.server)
        .await
        .expect("upgrade");
    for n in 0..200 {
        let message = json!({"type": "order.created", "data": {"n": n}});
        socket
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("send");
    }
    let mut acks = Vec::new();
    for _ in 0..200 {
        let ack = next_json(&mut socket).await;
        assert_eq!(ack["type"], "ack", "{ack}");
        acks.push(ack["event_id"].as_str().expect("event id").to_owned());
    }
    let mut stored = Vec::new();
    let mut query = format!("source_id={source}&limit=1000");
    loop {
        let page = app.read_events(&query).await;
        stored.extend(page["events"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("source_id={source}&limit=1000&cursor={cursor}"),
            None => break,
        }
    }
    let ids: Vec<&str> = stored.iter().filter_map(|e| e["id"].as_str()).collect();
    assert_eq!(
        ids,
        acks.iter().map(String::as_str).collect::<Vec<_>>(),
        "acks in commit order"
    );
    let numbers: Vec<i64> = stored
        .iter()
        .filter_map(|e| e["event"]["body"]["data"]["n"].as_i64())
        .collect();
    assert_eq!(
        numbers,
        (0..200).collect::<Vec<_>>(),
        "stored in the order sent"
    );
    assert_eq!(stored[0]["event"]["method"], "WEBSOCKET");
}

#[tokio::test]
async fn a_message_that_is_not_json_gets_an_error_and_the_connection_stays() {
    let app = spawn_app().await;
    let source = id_of(&app.webhook_source(json!({})).await);
    let mut socket = connect(&app, &source, &app.keys.admin)
        .await
        .expect("upgrade");
    socket
        .send(Message::Text("not json".into()))
        .await
        .expect("send");
    let error = next_json(&mut socket).await;
    assert_eq!(error["type"], "error");
    assert_eq!(error["error"], "invalid_json");
    socket
        .send(Message::Text(r#"{"ok":true}"#.into()))
        .await
        .expect("send");
    assert_eq!(next_json(&mut socket).await["type"], "ack");
}

#[tokio::test]
async fn the_server_pings_and_a_pong_is_not_an_event() {
    let app =
        spawn_app_with(|config| config.feed.ping_interval = std::time::Duration::from_millis(50))
            .await;
    let source = id_of(&app.webhook_source(json!({})).await);
    let mut socket = connect(&app, &source, &app.keys.server)
        .await
        .expect("upgrade");
    assert_eq!(next_json(&mut socket).await, json!({"type": "ping"}));
    socket
        .send(Message::Text(r#"{"type":"pong"}"#.into()))
        .await
        .expect("send");
    socket
        .send(Message::Text(r#"{"after":"pong"}"#.into()))
        .await
        .expect("send");
    loop {
        let answer = next_json(&mut socket).await;
        if answer["type"] == "ack" {
            break;
        }
        assert_eq!(answer["type"], "ping");
    }
    let stored = app.stored(&format!("source_id={source}")).await;
    assert_eq!(
        stored.len(),
        1,
        "only the message after the pong is an event"
    );
}

#[tokio::test]
async fn a_bad_token_is_401_and_an_unknown_or_foreign_source_404_before_the_upgrade() {
    let app = spawn_app().await;
    let source = id_of(&app.webhook_source(json!({})).await);
    let status = |err: tungstenite::Error| match err {
        tungstenite::Error::Http(response) => response.status().as_u16(),
        other => panic!("expected an HTTP refusal, got {other}"),
    };
    let refused = connect(&app, &source, "cs_srv_live_nope")
        .await
        .expect_err("refused");
    assert_eq!(status(refused), 401);
    let refused = connect(&app, &source, &app.keys.website)
        .await
        .expect_err("refused");
    assert_eq!(
        status(refused),
        403,
        "a website key cannot send to a source"
    );
    let refused = connect(&app, "src_unknown", &app.keys.server)
        .await
        .expect_err("refused");
    assert_eq!(status(refused), 404);
    let other = app.create_key("acme", "scale", "server", &[]).await;
    let refused = connect(&app, &source, &other).await.expect_err("refused");
    assert_eq!(status(refused), 404, "another tenant's source");
}
