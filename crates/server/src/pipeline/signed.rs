//! Datafly's server-side `POST /v1/events`: the path ClickStream events use, told apart by
//! its `X-Signature: sha256=<hex>` header. The signature is HMAC-SHA256, keyed with the
//! source's `signing_secret` (the whole `whsec_…` text), of `X-Timestamp + "." + body`;
//! `X-Timestamp` is Unix seconds (or milliseconds) and may be at most five minutes off.
//! The key (a pipeline key, which names the source) must be in the headers, the client
//! address inside the source's IP allowlist. The body is one message with its `type`, or
//! a batch `{"batch":[…]}`.

use std::net::SocketAddr;

use axum::{
    body::Body,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use clickwire_model::signal::{parse_body, parse_single, Dialect, SignalContext};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use super::{
    body,
    gate::check_ip,
    key::{authenticate, presented_key},
    routes::store_batch,
    store::store_messages,
};
use crate::{client_addr::client_ip_hash, error::ApiError, ingest::now_ms, state::AppState};

/// The header that makes a `POST /v1/events` a Datafly server-side request.
pub const SIGNATURE_HEADER: &str = "x-signature";
pub const TIMESTAMP_HEADER: &str = "x-timestamp";
/// Most a signed request's timestamp may be off, in ms.
const MAX_OFFSET_MS: i64 = 5 * 60 * 1000;

/// Handles a signed `POST /v1/events`.
pub async fn post(
    state: &AppState,
    peer: SocketAddr,
    query: Option<&str>,
    headers: &HeaderMap,
    request_body: Body,
) -> Result<Response, ApiError> {
    let key = presented_key(headers, query);
    let caller = authenticate(state, key.as_deref()).await?;
    check_ip(state, peer, headers, &caller)?;
    caller.source.check_rate().map_err(ApiError::RateLimited)?;
    let raw = body::read(
        state,
        headers,
        request_body,
        state.config.server.max_body_bytes,
    )
    .await?;
    let received_at = now_ms();
    verify(
        headers,
        &raw,
        &caller.source.source.signing_secret,
        received_at,
    )?;
    let mut parsed = parse_body(&raw)?;
    let ip_hash = client_ip_hash(state, peer, headers);
    if parsed.value.contains_key("batch") {
        return store_batch(state, &caller, parsed.value, ip_hash, received_at).await;
    }
    let ctx = SignalContext {
        now_ms: received_at,
        dialect: Dialect::Signal,
        batch_sent_at: None,
    };
    let value = std::mem::take(&mut parsed.value);
    let message = parse_single(value, None, ctx)?;
    store_messages(state, &caller, vec![message], ip_hash, received_at).await?;
    Ok((StatusCode::OK, Json(json!({"success": true}))).into_response())
}

/// Checks the timestamp and the signature of `body`.
pub fn verify(headers: &HeaderMap, body: &[u8], secret: &str, now: i64) -> Result<(), ApiError> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let timestamp = header(TIMESTAMP_HEADER).ok_or_else(|| {
        ApiError::InvalidSignature("X-Timestamp is required with X-Signature".into())
    })?;
    let at = timestamp
        .parse::<i64>()
        .map_err(|_| ApiError::InvalidSignature("X-Timestamp must be Unix seconds".into()))?;
    let at_ms = if at < 100_000_000_000 {
        at.saturating_mul(1000)
    } else {
        at
    };
    // abs_diff: a timestamp near i64::MIN must not overflow (found by fuzzing).
    if now.abs_diff(at_ms) > MAX_OFFSET_MS.unsigned_abs() {
        return Err(ApiError::InvalidSignature(
            "X-Timestamp is more than 5 minutes from the server's clock".into(),
        ));
    }
    let signature = header(SIGNATURE_HEADER)
        .and_then(|s| s.strip_prefix("sha256="))
        .and_then(|hex_digest| hex::decode(hex_digest).ok())
        .ok_or_else(|| ApiError::InvalidSignature("X-Signature must be sha256=<hex>".into()))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .map_err(|err| ApiError::Internal(err.to_string()))?;
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&signature)
        .map_err(|_| ApiError::InvalidSignature("the signature does not match the body".into()))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn signed(secret: &str, timestamp: &str, body: &[u8]) -> HeaderMap {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
        mac.update(format!("{timestamp}.").as_bytes());
        mac.update(body);
        let mut headers = HeaderMap::new();
        let signature = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        headers.insert(
            SIGNATURE_HEADER,
            HeaderValue::from_str(&signature).expect("header"),
        );
        headers.insert(
            TIMESTAMP_HEADER,
            HeaderValue::from_str(timestamp).expect("header"),
        );
        headers
    }

    #[test]
    fn a_fresh_signature_over_the_body_verifies() {
        let headers = signed("whsec_a", "1700000000", b"{}");
        assert!(verify(&headers, b"{}", "whsec_a", 1_700_000_000_000).is_ok());
        assert!(verify(&headers, b"{ }", "whsec_a", 1_700_000_000_000).is_err());
        assert!(verify(&headers, b"{}", "whsec_b", 1_700_000_000_000).is_err());
    }

    #[test]
    fn a_timestamp_more_than_five_minutes_off_is_refused() {
        let headers = signed("whsec_a", "1700000000", b"{}");
        assert!(verify(&headers, b"{}", "whsec_a", 1_700_000_300_000).is_ok());
        assert!(verify(&headers, b"{}", "whsec_a", 1_700_000_300_001).is_err());
    }

    #[test]
    fn timestamps_at_the_ends_of_the_range_are_refused_without_overflow() {
        for timestamp in [
            "-11111131111111000",
            "-9223372036854775808",
            "9223372036854775807",
        ] {
            let headers = signed("whsec_a", timestamp, b"{}");
            let refused = verify(&headers, b"{}", "whsec_a", 1_700_000_000_000);
            assert!(
                matches!(refused, Err(ApiError::InvalidSignature(_))),
                "{timestamp}: {refused:?}"
            );
        }
    }
}
