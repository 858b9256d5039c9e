//! Keyed hashes in the analytics columns (blob11 hmacHem, blob12 hmacPhone, blob20 the IP)
//! and the client address behind trusted proxies.

use clickwire_server::privacy::Secret;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::{identify, Markers, HASHED_PHONE, HEM};
use crate::helpers::{pageview, spawn_app_with, TestApp};

const SECRET_HEX: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn hmac_hex(value: &str) -> String {
    let key = hex::decode(SECRET_HEX).expect("hex");
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("key");
    mac.update(value.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

async fn spawn_with_secret(trusted: &[&str]) -> TestApp {
    let trusted: Vec<ipnet::IpNet> = trusted.iter().map(|n| n.parse().expect("cidr")).collect();
    spawn_app_with(move |c| {
        c.security.hash_secret = Some(Secret::parse(SECRET_HEX).expect("secret"));
        c.server.trusted_proxies = trusted;
    })
    .await
}

/// blob11, blob12 and blob20 of the only stored event of `visitor`.
fn blobs(app: &TestApp, visitor: &str) -> (String, String, String) {
    let db = rusqlite::Connection::open(app.data.join("clickwire.db")).expect("db");
    db.query_row(
        "SELECT blob11, blob12, blob20 FROM events WHERE visitor_id = ?1",
        [visitor],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .expect("row")
}

/// Posts a pageview of `visitor`, with an `X-Forwarded-For` when given.
async fn post_from(app: &TestApp, visitor: &str, forwarded_for: Option<&str>) {
    let mut request = app
        .client
        .post(app.url("/v1/events"))
        .header("X-API-Key", &app.keys.server)
        .json(&pageview(visitor));
    if let Some(value) = forwarded_for {
        request = request.header("X-Forwarded-For", value);
    }
    assert_eq!(request.send().await.expect("request").status(), 202);
}

#[tokio::test]
async fn the_stored_ip_hash_is_an_hmac_under_the_hash_secret_not_bare_sha256() {
    let app = spawn_with_secret(&[]).await;
    post_from(&app, "vis_ip", None).await;
    let (_, _, ip_hash) = blobs(&app, "vis_ip");
    assert_ne!(ip_hash, hex::encode(Sha256::digest(b"127.0.0.1")));
    assert_eq!(ip_hash, hmac_hex("127.0.0.1"));
    app.stop().await;
}

#[tokio::test]
async fn the_identity_blobs_hold_hmacs_of_hem_and_of_the_hashed_phone() {
    let app = spawn_with_secret(&[]).await;
    let m = Markers::new();
    let event = identify("vis_hem", &m.email, &m.phone);
    assert_eq!(
        app.post_events(&app.keys.server, &event).await.status(),
        202
    );
    let (hems, phone, _) = blobs(&app, "vis_hem");
    assert_eq!(hems, format!("{}|", hmac_hex(HEM)));
    assert!(!hems.contains(HEM));
    assert_eq!(phone, hmac_hex(HASHED_PHONE));
    app.stop().await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_x_forwarded_for_decides_the_hashed_ip() {
    let app = spawn_with_secret(&["127.0.0.1/32"]).await;
    post_from(&app, "vis_xff", Some("198.51.100.4, 203.0.113.7")).await;
    assert_eq!(blobs(&app, "vis_xff").2, hmac_hex("203.0.113.7"));
    app.stop().await;
}

#[tokio::test]
async fn without_trusted_proxies_x_forwarded_for_is_ignored() {
    let app = spawn_with_secret(&[]).await;
    post_from(&app, "vis_noxff", Some("203.0.113.7")).await;
    assert_eq!(blobs(&app, "vis_noxff").2, hmac_hex("127.0.0.1"));
    app.stop().await;
}
