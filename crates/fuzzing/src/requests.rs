//! Targets whose input is a request in parts: signature headers (webhook HMAC, Standard
//! Webhooks, signed pipeline requests) and what a webhook source records of a request
//! (query, headers, body decoding, dedup keys).

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};
use clickwire_server::{
    pipeline::signed::{self, SIGNATURE_HEADER, TIMESTAMP_HEADER},
    sources::webhook::{dedup, record, verify},
};
use clickwire_store::{DedupRule, DedupStrategy, Source, SourceKind, Verification};
use std::sync::Arc;

use crate::parts;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NOW_MS: i64 = 1_780_000_000_000;

/// `signature \n timestamp \n id \n body`, checked by every scheme: none may accept it
/// unless it is a real signature, which random input practically never is.
pub fn signatures(data: &[u8]) {
    let [signature, timestamp, id, body] = parts::<4>(data);
    let mut headers = HeaderMap::new();
    put(&mut headers, "x-hub-signature-256", signature);
    put(&mut headers, "webhook-signature", signature);
    put(&mut headers, SIGNATURE_HEADER, signature);
    put(&mut headers, "webhook-timestamp", timestamp);
    put(&mut headers, TIMESTAMP_HEADER, timestamp);
    put(&mut headers, "webhook-id", id);
    let schemes = [
        Verification::HmacSha256 {
            header: "X-Hub-Signature-256".into(),
            secret: SECRET.into(),
            prefix: Some("sha256=".into()),
        },
        Verification::HmacSha256 {
            header: "X-Hub-Signature-256".into(),
            secret: SECRET.into(),
            prefix: None,
        },
        Verification::StandardWebhooks {
            secret: SECRET.into(),
        },
    ];
    for scheme in &schemes {
        let _ = verify::check(scheme, &headers, body);
    }
    let _ = signed::verify(&headers, body, SECRET, NOW_MS);
}

/// `query \n content-type \n header value \n body`, recorded by a webhook source and a
/// test session, and keyed by every dedup rule.
pub fn webhook_request(data: &[u8]) {
    let [query, content_type, header, body] = parts::<4>(data);
    let mut headers = HeaderMap::new();
    put(&mut headers, "content-type", content_type);
    put(&mut headers, "x-delivery", header);
    let query = std::str::from_utf8(query).ok();
    let request = record::Request {
        method: &Method::POST,
        path: "/v1/ingest/src_fuzz",
        query,
        headers: &headers,
        body,
        ip_hash: "hash".into(),
    };
    let tenant: Arc<str> = "tenant".into();
    for kind in [SourceKind::Webhook, SourceKind::Test] {
        let event = record::new_event(&tenant, &source(kind), &request, None, NOW_MS)
            .expect("any request can be recorded");
        assert!(serde_json::from_str::<serde_json::Value>(&event.payload).is_ok());
    }
    let field = std::str::from_utf8(header).ok().map(str::to_owned);
    for strategy in [
        DedupStrategy::PayloadHash,
        DedupStrategy::HeaderField,
        DedupStrategy::BodyField,
    ] {
        let rule = DedupRule {
            strategy,
            field: field.clone(),
        };
        let _ = dedup::key(&rule, &headers, body);
    }
}

/// Adds `value` as header `name` when it is a valid header value.
fn put(headers: &mut HeaderMap, name: &'static str, value: &[u8]) {
    if let Ok(value) = HeaderValue::from_bytes(value) {
        headers.insert(HeaderName::from_static(name), value);
    }
}

fn source(kind: SourceKind) -> Source {
    Source {
        id: "src_fuzz".into(),
        tenant: "tenant".into(),
        name: "fuzz".into(),
        kind,
        origins: Vec::new(),
        rate_limit: 0,
        signing_secret: String::new(),
        ip_allow: Vec::new(),
        ip_deny: Vec::new(),
        verification: None,
        dedup_rule: None,
        dedup_window_ms: 0,
        expires_at: None,
        request_limit: None,
        request_count: 0,
        created_at: 0,
        updated_at: 0,
    }
}
