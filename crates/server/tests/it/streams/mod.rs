//! The dashboard stream `GET /v1/ws` and a test session's stream `GET /v1/ws/test/{id}`,
//! over real sockets: what each socket receives for events of every kind, channels,
//! refusals before the upgrade, pings, slow consumers and revoked keys.

mod dashboard;
mod test_session;

use serde_json::{json, Value};

use crate::{
    feed::{connect, request, Feed},
    helpers::TestApp,
};

/// A dashboard socket opened with `?token=key`, past its `welcome`.
async fn dashboard(app: &TestApp, key: &str) -> (Feed, Value) {
    let mut socket = connect(request(app, &format!("/v1/ws?token={key}"))).await;
    let welcome = socket.next_non_ping().await;
    (socket, welcome)
}

impl Feed {
    /// Sends `{"type":kind,"channel":channel}` and returns the answer.
    async fn ask(&mut self, kind: &str, channel: &str) -> Value {
        self.send(&json!({"type": kind, "channel": channel})).await;
        self.next_non_ping().await
    }
}
