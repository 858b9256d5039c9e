//! The analytics columns as plain SQL reads them equal the contract's mapping computed in
//! Rust, whether a column is stored or generated from the rest of the row.

mod support;

use std::sync::Arc;

use clickwire_model::{
    analytics_row, parse_events, AnalyticsExtras, AnalyticsRow, ValidateContext,
};
use clickwire_store::{
    sqlite::{SqliteConfig, SqliteEventStore, Synchronous},
    MemoryBus, NewEvent,
};
use serde_json::{json, Value};

const NOW: i64 = 1_795_417_358_295;

fn web(kind: &str, extra: Value) -> Value {
    let mut event = json!({
        "type": kind, "visitorId": "vis_a|b", "sessionId": "sess_é", "timestamp": NOW - 1_000,
        "page": {"url": "https://example.com/p?utm_source=news&gclid=g1", "path": "/p",
                 "title": "P", "referrer": "https://search.example/?q=a%7Cb"},
        "device": {"userAgent": "Mozilla/5.0", "viewport": {"width": 1280, "height": 800},
                   "gpuRenderer": "ANGLE|M1", "fingerprintConfidence": 88}
    });
    for (key, value) in extra.as_object().into_iter().flatten() {
        event[key] = value.clone();
    }
    event
}

fn events() -> Vec<Value> {
    let mut native = web("pageview", json!({}));
    native["device"]["clientPlatform"] = json!("ios");
    native["page"] = json!({"path": "Home", "title": "Home"});
    vec![
        web(
            "pageview",
            json!({"performance": {"loadTime": 900, "domContentLoaded": 400}}),
        ),
        web(
            "click",
            json!({"element": {"selector": "#buy", "text": "Buy | now", "x": 1.5, "y": 2}}),
        ),
        web("scroll", json!({"depth": 50, "timeOnPage": 12.5})),
        web(
            "form",
            json!({"action": "submit", "formId": "signup", "fieldCount": 3}),
        ),
        web(
            "custom",
            json!({"name": "add|cart", "category": "c", "action": "a", "label": "l", "value": 4.5}),
        ),
        web(
            "identify",
            json!({"hem": "a".repeat(64), "identity": {"userId": 42, "hashedPhone": "hp", "gclid": "x"}}),
        ),
        native,
    ]
}

fn extras(n: usize) -> AnalyticsExtras {
    let bot = n.is_multiple_of(2);
    AnalyticsExtras {
        ip_hash: Some(format!("{n:064}")),
        device_type: Some("desktop".into()),
        browser: Some("Chrome".into()),
        os: Some("macOS".into()),
        bot_category: bot.then(|| "search_crawler".into()),
        bot_name: bot.then(|| "Googlebot".into()),
        bot_score: Some(n as f64 * 10.0),
        is_bot: Some(bot),
        ..AnalyticsExtras::default()
    }
}

fn row_of(n: usize, body: &Value) -> (NewEvent, AnalyticsRow) {
    let ctx = ValidateContext { now_ms: NOW };
    let event = parse_events(body.to_string().as_bytes(), ctx)
        .expect("valid event")
        .remove(0);
    let expected = analytics_row("t", &event, &extras(n));
    let mut row = support::event(&event.visitor_id, n);
    row.session_id = event.session_id.clone();
    row.timestamp = event.timestamp;
    row.payload = serde_json::to_string(&event.payload).expect("payload");
    row.analytics = expected.clone();
    (row, expected)
}

fn read_back(db: &rusqlite::Connection) -> Vec<AnalyticsRow> {
    let blobs: Vec<String> = (1..=20).map(|i| format!("blob{i}")).collect();
    let doubles: Vec<String> = (1..=20).map(|i| format!("double{i}")).collect();
    let sql = format!(
        "SELECT index1, {}, {} FROM events ORDER BY seq",
        blobs.join(", "),
        doubles.join(", ")
    );
    let mut stmt = db.prepare(&sql).expect("select");
    let rows = stmt
        .query_map([], |r| {
            Ok(AnalyticsRow {
                index1: r.get(0)?,
                blobs: std::array::from_fn(|i| r.get(1 + i).unwrap_or_default()),
                doubles: std::array::from_fn(|i| r.get(21 + i).unwrap_or_default()),
            })
        })
        .expect("query");
    rows.map(|r| r.expect("row")).collect()
}

#[tokio::test]
async fn every_analytics_column_reads_back_as_the_mapping_computed_it() {
    let dir = tempfile::tempdir().expect("dir");
    let config = SqliteConfig {
        dir: dir.path().to_owned(),
        synchronous: Synchronous::Normal,
        queue_capacity: 64,
        max_batch_rows: 500,
        busy_timeout: std::time::Duration::from_secs(5),
        readers: 1,
        retention: None,
        read_queue: 64,
    };
    let store = SqliteEventStore::open(&config, Arc::new(MemoryBus::default())).expect("open");
    let (rows, expected): (Vec<_>, Vec<_>) = events()
        .iter()
        .enumerate()
        .map(|(n, e)| row_of(n, e))
        .unzip();
    support::append(&store, None, rows).await.expect("append");
    let db = rusqlite::Connection::open(dir.path().join("clickwire.db")).expect("db");
    let stored = read_back(&db);
    assert_eq!(stored.len(), expected.len());
    for (n, (got, want)) in stored.iter().zip(&expected).enumerate() {
        assert_eq!(got, want, "event {n}");
    }
}
