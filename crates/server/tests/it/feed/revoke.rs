//! A revoked or expired key closes the feed sockets opened with it: at once when revoked
//! through the server's admin API, within `auth.key_refresh` when revoked by another
//! process (the CLI) or when it expires; its Write stops with it.

use std::time::Duration;

use clickwire_store::{sqlite::SqliteCatalog, Catalog};
use serde_json::json;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::{subscribe, Read};
use crate::helpers::{now_ms, pageview, spawn_app, spawn_app_with};

/// The key refresh of these tests: the bound on how late another process's revocation
/// (or an expiry) may close a socket.
const REFRESH: Duration = Duration::from_millis(200);

#[tokio::test]
async fn revoking_a_key_through_the_admin_api_closes_its_websocket_with_4001() {
    let app = spawn_app().await;
    let (key, id) = app
        .create_key_with_id("watched", "scale", "server", &[])
        .await;
    let mut feed = subscribe(&app, &key, "").await;
    assert_eq!(app.revoke(&app.keys.operator, &id).await.status(), 200);
    let error = feed.next_non_ping().await;
    assert_eq!(error["error"], "invalid_api_key", "{error}");
    match feed.read().await {
        Read::Closed(Some(frame)) => {
            assert_eq!(frame.code, CloseCode::from(4001));
            assert_eq!(frame.reason.as_str(), "key revoked");
        }
        other => panic!("expected close 4001, got {other:?}"),
    }
    app.stop().await;
}

#[tokio::test]
async fn a_key_revoked_by_another_process_closes_its_websocket_within_the_key_refresh() {
    let app = spawn_app_with(|c| c.auth.key_refresh = REFRESH).await;
    let (key, id) = app
        .create_key_with_id("elsewhere", "scale", "server", &[])
        .await;
    let mut feed = subscribe(&app, &key, "").await;
    let cli = SqliteCatalog::open(&app.data, Duration::from_secs(5)).expect("catalog");
    cli.revoke_key(&id, None).await.expect("revoke");
    let (code, _) = tokio::time::timeout(REFRESH * 10, feed.until_close())
        .await
        .expect("closed within the key refresh (with slack for a busy machine)");
    assert_eq!(code, Some(CloseCode::from(4001)));
    app.stop().await;
}

#[tokio::test]
async fn an_expiring_key_closes_its_websocket_within_the_key_refresh() {
    let app = spawn_app_with(|c| c.auth.key_refresh = REFRESH).await;
    let body = json!({ "tenant": "default", "kind": "server", "expires_at": now_ms() + 1_000 });
    let created: serde_json::Value = app
        .post_json("/v1/admin/keys", &app.keys.operator, &body)
        .await
        .json()
        .await
        .expect("json");
    let mut feed = subscribe(&app, created["key"].as_str().expect("key"), "").await;
    let (code, _) = tokio::time::timeout(Duration::from_secs(5), feed.until_close())
        .await
        .expect("closed soon after the expiry");
    assert_eq!(code, Some(CloseCode::from(4001)));
    app.stop().await;
}

#[tokio::test]
async fn a_revoked_keys_feed_write_is_refused_and_nothing_more_is_stored() {
    let app = spawn_app().await;
    // The bootstrap tenant is on the network tier, which may write.
    let (key, id) = app
        .create_key_with_id("default", "network", "server", &[])
        .await;
    let mut feed = subscribe(&app, &key, "").await;
    assert_eq!(app.revoke(&app.keys.operator, &id).await.status(), 200);
    feed.send(&json!({"type": "event", "event": pageview("late")}))
        .await;
    loop {
        match feed.read().await {
            Read::Json(frame) => assert_ne!(frame["type"], "ack", "{frame}"),
            Read::Closed(frame) => {
                assert_eq!(frame.map(|f| f.code), Some(CloseCode::from(4001)));
                break;
            }
        }
    }
    assert_eq!(super::stored_ids(&app, 0).await, Vec::<String>::new());
    app.stop().await;
}
