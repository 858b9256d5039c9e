//! The checks every pipeline request passes before its messages are read, cheapest
//! first: the key (from the headers before a byte of the body is read; from the body's
//! `writeKey` only when the headers carry none), the Origin against the source's allowed
//! origins (browsers) or the client address against its IP allowlist (server code, which
//! sends no Origin), then the source's rate limit.

use std::net::SocketAddr;

use axum::{
    body::Body,
    http::{header, HeaderMap},
};
use clickwire_model::signal::{parse_body, Body as MessageBody};

use super::{
    body,
    cors::origin_ok,
    key::{authenticate, presented_key, Caller},
};
use crate::{client_addr::client_ip, error::ApiError, state::AppState};

/// An admitted request: who sent it and its parsed body.
pub struct Admitted {
    pub caller: Caller,
    pub body: MessageBody,
}

/// Whether the response may show the request's Origin that it was allowed.
#[derive(Default)]
pub struct OriginCheck {
    pub allowed: bool,
}

/// Runs every check and reads the body (at most `limit` bytes once decoded).
pub async fn admit(
    state: &AppState,
    peer: SocketAddr,
    query: Option<&str>,
    headers: &HeaderMap,
    request_body: Body,
    limit: usize,
    origin: &mut OriginCheck,
) -> Result<Admitted, ApiError> {
    match presented_key(headers, query) {
        Some(key) => {
            let caller = authenticate(state, Some(&key)).await?;
            check(state, peer, headers, &caller, origin)?;
            let raw = body::read(state, headers, request_body, limit).await?;
            let body = parse_body(&raw)?;
            Ok(Admitted { caller, body })
        }
        None => {
            let raw = body::read(state, headers, request_body, limit).await?;
            // Without a readable body there is no `writeKey` either: the key is missing.
            let body = parse_body(&raw).map_err(|_| ApiError::InvalidPipelineKey)?;
            let caller = authenticate(state, body.write_key.as_deref()).await?;
            check(state, peer, headers, &caller, origin)?;
            Ok(Admitted { caller, body })
        }
    }
}

/// Origin or IP allowlist, then the rate limit.
fn check(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    caller: &Caller,
    origin: &mut OriginCheck,
) -> Result<(), ApiError> {
    let source = &caller.source;
    match headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        Some(request_origin) => {
            if !origin_ok(state, &source.source.origins, request_origin) {
                return Err(ApiError::OriginNotAllowed);
            }
            origin.allowed = true;
        }
        None => check_ip(state, peer, headers, caller)?,
    }
    source.check_rate().map_err(ApiError::RateLimited)
}

/// A server-side request must come from inside the source's IP allowlist.
pub fn check_ip(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    caller: &Caller,
) -> Result<(), ApiError> {
    let ip = client_ip(&state.config.server.trusted_proxies, peer.ip(), headers);
    if caller.source.ip_allowed(ip) {
        Ok(())
    } else {
        Err(ApiError::IpNotAllowed)
    }
}
