//! The data keys: a private key file when none is configured, a configured key when set,
//! and rotation that keeps old values readable.

use std::path::Path;

use clickwire_server::privacy::{rotate_data_key, Secret, HASH_SECRET_FILE, KEYRING_FILE};
use serde_json::{json, Value};

use super::{events_of, identify, revealed, Markers};
use crate::helpers::{spawn_app, spawn_app_with};

/// The key id of every sealed value of the event stored as `id`.
fn key_ids(data: &Path, id: &str) -> Vec<String> {
    let db = rusqlite::Connection::open(data.join("clickwire.db")).expect("db");
    let sealed: String = db
        .query_row("SELECT sealed FROM events WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .expect("a sealed row");
    let fields: serde_json::Map<String, Value> = serde_json::from_str(&sealed).expect("json");
    fields
        .values()
        .map(|v| {
            v.as_str()
                .expect("text")
                .split(':')
                .next()
                .expect("kid")
                .to_owned()
        })
        .collect()
}

#[cfg(unix)]
#[tokio::test]
async fn without_configured_secrets_the_first_start_creates_key_files_only_the_owner_can_read() {
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app().await;
    for file in [KEYRING_FILE, HASH_SECRET_FILE] {
        let meta = std::fs::metadata(app.data.join(file)).expect(file);
        assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{file}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_configured_data_key_seals_under_its_own_id_and_writes_no_keyring() {
    let key = Secret::parse(&"42".repeat(32)).expect("key");
    let app = spawn_app_with(|c| c.security.data_key = Some(key)).await;
    let m = Markers::new();
    let event = identify("vis_cfg", &m.email, &m.phone);
    assert_eq!(
        app.post_events(&app.keys.server, &event).await.status(),
        202
    );
    let id = events_of(&app, "vis_cfg").await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let kids = key_ids(&app.data, &id);
    assert!(kids.iter().all(|k| k.starts_with("cfg-")), "{kids:?}");
    assert!(!app.data.join(KEYRING_FILE).exists());
    assert_eq!(revealed(&app, &id, "rawEmail").await, json!(m.email));
    app.stop().await;
}

#[tokio::test]
async fn after_rotate_data_key_old_events_still_reveal_and_new_events_use_the_new_key() {
    let app = spawn_app().await;
    let old = Markers::new();
    let event = identify("vis_rot", &old.email, &old.phone);
    assert_eq!(
        app.post_events(&app.keys.server, &event).await.status(),
        202
    );
    assert_eq!(rotate_data_key(&app.data).expect("rotated"), "k2");
    let app = app.restart().await;
    let new = Markers::new();
    let event = identify("vis_rot", &new.email, &new.phone);
    assert_eq!(
        app.post_events(&app.keys.server, &event).await.status(),
        202
    );
    let stored = events_of(&app, "vis_rot").await;
    let ids: Vec<String> = stored
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(key_ids(&app.data, &ids[0]), ["k1", "k1"]);
    assert_eq!(key_ids(&app.data, &ids[1]), ["k2", "k2"]);
    assert_eq!(revealed(&app, &ids[0], "rawEmail").await, json!(old.email));
    assert_eq!(revealed(&app, &ids[1], "rawPhone").await, json!(new.phone));
    app.stop().await;
}

#[tokio::test]
async fn a_running_server_seals_with_a_rotated_key_within_the_key_refresh() {
    let app = spawn_app().await;
    assert_eq!(rotate_data_key(&app.data).expect("rotated"), "k2");
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut sent = 0;
    loop {
        let m = Markers::new();
        let event = identify("vis_live", &m.email, &m.phone);
        assert_eq!(
            app.post_events(&app.keys.server, &event).await.status(),
            202
        );
        sent += 1;
        let stored = events_of(&app, "vis_live").await;
        let id = stored[sent - 1]["id"].as_str().expect("id").to_owned();
        if key_ids(&app.data, &id) == ["k2", "k2"] {
            assert_eq!(revealed(&app, &id, "rawEmail").await, json!(m.email));
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still sealing with k1"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    app.stop().await;
}
