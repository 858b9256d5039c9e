//! Dashboard sessions: what the `clickwire_session` cookie stands for, and the one rule that
//! lets an ambient cookie act.
//!
//! Signing in with a server or admin key starts a session: a random token (32 bytes,
//! base64url) that the browser keeps in an `HttpOnly; SameSite=Strict` cookie and the
//! server keeps — as the SHA-256 of the token, so a memory dump holds no usable cookie —
//! mapped to the key's hash. A session is never the key and never outlives it: every use
//! resolves the key through the [`KeyCache`](super::KeyCache), so a revoked or expired key
//! ends its sessions at once (or within `auth.key_refresh` for a revocation by the CLI),
//! and the session itself ends after `dashboard.session_ttl` or at sign-out. Sessions live
//! in memory: a restart signs everyone out.
//!
//! **CSRF.** A cookie is sent by the browser whatever page made the request, so the cookie
//! is honoured only on requests from the server's own origin. [`guard`] runs before every
//! route and removes the session cookie from any request that carries an `Origin` other
//! than the server's own (`Host`, or `X-Forwarded-Host` from a trusted proxy), and from any
//! request without an `Origin` whose method is not `GET` or `HEAD`. Browsers send `Origin`
//! on every cross-origin request, on every `POST`/`PATCH`/`DELETE` and on every WebSocket
//! handshake, so a page elsewhere — even a same-site one on another port, which
//! `SameSite=Strict` does not stop — can neither change anything nor open `/v1/ws` with the
//! cookie; what remains (a same-origin `GET` without `Origin`) only reads, and another
//! origin cannot read the answer. A request with a key header is unaffected: the key wins.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderMap, HeaderValue, Method},
    middleware::Next,
    response::Response,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chacha20poly1305::aead::{rand_core::RngCore, OsRng};
use clickwire_store::{keys, AuthKey};
use tokio::time::Instant;

use crate::{client_addr::forwarded_host, error::ApiError, state::AppState};

/// The cookie a signed-in dashboard browser sends.
pub const SESSION_COOKIE: &str = "clickwire_session";
/// Most sessions held at once; signing in beyond it ends the one closest to its expiry.
pub const MAX_SESSIONS: usize = 10_000;
/// Most sessions of one key (so one tenant's key cannot crowd out everyone else's); signing
/// in beyond it ends that key's session closest to its expiry.
pub const MAX_SESSIONS_PER_KEY: usize = 64;
/// Random bytes in a session token.
const TOKEN_BYTES: usize = 32;

/// The live sessions, by the SHA-256 of their token.
pub struct Sessions {
    ttl: Duration,
    live: Mutex<HashMap<String, Session>>,
}

/// One signed-in browser.
struct Session {
    /// The hash of the key it signed in with (as the catalog stores it).
    key_hash: String,
    expires: Instant,
}

impl Sessions {
    /// No sessions; each one lasts `ttl`.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            live: Mutex::new(HashMap::new()),
        }
    }

    /// How long a session lasts.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Starts a session of `key`; returns its token (the cookie's value).
    pub fn start(&self, key: &AuthKey) -> String {
        let mut bytes = [0u8; TOKEN_BYTES];
        OsRng.fill_bytes(&mut bytes);
        let token = URL_SAFE_NO_PAD.encode(bytes);
        let session = Session {
            key_hash: key.hash.clone(),
            expires: Instant::now() + self.ttl,
        };
        if let Ok(mut live) = self.live.lock() {
            if live.len() >= MAX_SESSIONS {
                let now = Instant::now();
                live.retain(|_, s| s.expires > now);
            }
            let of_key = live.values().filter(|s| s.key_hash == key.hash).count();
            if of_key >= MAX_SESSIONS_PER_KEY {
                end_soonest(&mut live, |s| s.key_hash == key.hash);
            } else if live.len() >= MAX_SESSIONS {
                end_soonest(&mut live, |_| true);
            }
            live.insert(keys::hash(&token), session);
        }
        token
    }

    /// The key hash of the live session `token`; an expired one is forgotten.
    fn key_hash(&self, token: &str) -> Option<String> {
        let mut live = self.live.lock().ok()?;
        let id = keys::hash(token);
        let session = live.get(&id)?;
        if session.expires <= Instant::now() {
            live.remove(&id);
            return None;
        }
        Some(session.key_hash.clone())
    }

    /// Ends the session `token` (sign-out); nothing if there is none.
    pub fn end(&self, token: &str) {
        if let Ok(mut live) = self.live.lock() {
            live.remove(&keys::hash(token));
        }
    }

    /// How long the live session `token` has left.
    pub fn remaining(&self, token: &str) -> Option<Duration> {
        let live = self.live.lock().ok()?;
        let left = live
            .get(&keys::hash(token))?
            .expires
            .saturating_duration_since(Instant::now());
        (!left.is_zero()).then_some(left)
    }

    /// How many sessions are held (expired ones included until they are next looked at).
    pub fn len(&self) -> usize {
        self.live.lock().map_or(0, |live| live.len())
    }

    /// True when no session is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Removes the session closest to its expiry among those `which` picks.
fn end_soonest(live: &mut HashMap<String, Session>, which: impl Fn(&Session) -> bool) {
    let soonest = live
        .iter()
        .filter(|(_, s)| which(s))
        .min_by_key(|(_, s)| s.expires)
        .map(|(id, _)| id.clone());
    if let Some(id) = soonest {
        live.remove(&id);
    }
}

/// The key behind the session cookie of a request, or `invalid_api_key` (no cookie, an
/// unknown or expired session, or a key that was revoked or expired since sign-in).
pub async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Arc<AuthKey>, ApiError> {
    let token = session_cookie(headers).ok_or(ApiError::InvalidApiKey)?;
    resolve(state, &token).await
}

/// The key behind session `token`.
pub async fn resolve(state: &AppState, token: &str) -> Result<Arc<AuthKey>, ApiError> {
    let hash = state
        .sessions
        .key_hash(token)
        .ok_or(ApiError::InvalidApiKey)?;
    match state.keys.authenticate_hash(&hash).await {
        Ok(key) => Ok(key),
        Err(ApiError::InvalidApiKey) => {
            state.sessions.end(token);
            Err(ApiError::InvalidApiKey)
        }
        Err(other) => Err(other),
    }
}

/// The value of the [`SESSION_COOKIE`] cookie.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    cookie_pairs(headers)
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

/// Every `name=value` pair of every `Cookie` header.
fn cookie_pairs(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
}

/// The `Set-Cookie` value that starts session `token`.
pub fn set_cookie(token: &str, ttl: Duration, secure: bool) -> HeaderValue {
    cookie_value(token, ttl.as_secs(), secure)
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(secure: bool) -> HeaderValue {
    cookie_value("", 0, secure)
}

fn cookie_value(token: &str, max_age: u64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}"
    );
    // A base64url token and fixed attributes: always a valid header value.
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Removes the session cookie from requests it must not authenticate (see the module
/// documentation); every route runs behind it.
pub async fn guard(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if session_cookie(request.headers()).is_some() {
        let peer = peer_of(&request);
        let own = own_host(&state, request.headers(), peer)
            .or_else(|| Some(request.uri().authority()?.as_str().to_ascii_lowercase()));
        if !cookie_may_act(request.method(), request.headers(), own.as_deref()) {
            strip_session_cookie(request.headers_mut());
        }
    }
    next.run(request).await
}

/// True when the request carries an `Origin` that is not the server's own (sign-in refuses
/// those: a page elsewhere must not sign a browser in to someone else's dashboard).
pub fn foreign_origin(state: &AppState, headers: &HeaderMap, peer: Option<SocketAddr>) -> bool {
    headers.contains_key(header::ORIGIN)
        && !cookie_may_act(
            &Method::GET,
            headers,
            own_host(state, headers, peer).as_deref(),
        )
}

/// The TCP peer of a request, when the listener recorded it.
fn peer_of(request: &Request) -> Option<SocketAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr)
}

/// The host (with its port, when it has one) the request was sent to: `Host`, or what a
/// trusted proxy forwards (HTTP/2 has no `Host`: the guard then takes the URI's authority).
fn own_host(state: &AppState, headers: &HeaderMap, peer: Option<SocketAddr>) -> Option<String> {
    let trusted = &state.config.server.trusted_proxies;
    let forwarded = peer.and_then(|peer| forwarded_host(trusted, peer.ip(), headers));
    forwarded
        .or_else(|| headers.get(header::HOST)?.to_str().ok().map(str::to_owned))
        .map(|host| host.trim().to_ascii_lowercase())
}

/// The CSRF rule: an `Origin` must be the server's own; without one, only reads.
fn cookie_may_act(method: &Method, headers: &HeaderMap, own_host: Option<&str>) -> bool {
    match headers.get(header::ORIGIN) {
        Some(origin) => {
            let origin = origin.to_str().ok().and_then(|o| url::Url::parse(o).ok());
            match (origin, own_host) {
                (Some(origin), Some(own)) => same_host(&origin, own),
                _ => false,
            }
        }
        None => method == Method::GET || method == Method::HEAD,
    }
}

/// True when `origin` names `host` (`host` or `host:port`; without a port, the origin's
/// scheme's default).
fn same_host(origin: &url::Url, host: &str) -> bool {
    let Some(origin_host) = origin.host_str() else {
        return false;
    };
    let origin_port = origin.port_or_known_default();
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) if !name.ends_with(':') && port.chars().all(|c| c.is_ascii_digit()) => {
            (name, port.parse::<u16>().ok())
        }
        _ => (host, origin_port),
    };
    origin_host.eq_ignore_ascii_case(name) && origin_port == port
}

/// Rewrites the `Cookie` headers without the session cookie.
fn strip_session_cookie(headers: &mut HeaderMap) {
    let kept: Vec<String> = cookie_pairs(headers)
        .filter(|(name, _)| *name != SESSION_COOKIE)
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    headers.remove(header::COOKIE);
    if let Ok(value) = HeaderValue::from_str(&kept.join("; ")) {
        if !kept.is_empty() {
            headers.insert(header::COOKIE, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn the_cookie_acts_only_from_the_servers_own_origin() {
        let own = Some("127.0.0.1:8080");
        let same = with(&[(header::ORIGIN, "http://127.0.0.1:8080")]);
        assert!(cookie_may_act(&Method::POST, &same, own));
        let other_port = with(&[(header::ORIGIN, "http://127.0.0.1:3000")]);
        assert!(!cookie_may_act(&Method::GET, &other_port, own));
        let other_host = with(&[(header::ORIGIN, "https://evil.example")]);
        assert!(!cookie_may_act(&Method::DELETE, &other_host, own));
        assert!(!cookie_may_act(
            &Method::GET,
            &with(&[(header::ORIGIN, "null")]),
            own
        ));
    }

    #[test]
    fn without_an_origin_the_cookie_only_reads() {
        let none = HeaderMap::new();
        assert!(cookie_may_act(&Method::GET, &none, Some("h")));
        assert!(cookie_may_act(&Method::HEAD, &none, Some("h")));
        assert!(!cookie_may_act(&Method::POST, &none, Some("h")));
        assert!(!cookie_may_act(&Method::PATCH, &none, Some("h")));
    }

    #[test]
    fn a_host_without_a_port_is_the_origins_default_port() {
        let origin = url::Url::parse("https://dash.example.com").expect("url");
        assert!(same_host(&origin, "dash.example.com"));
        assert!(same_host(&origin, "dash.example.com:443"));
        assert!(!same_host(&origin, "dash.example.com:8443"));
        let v6 = url::Url::parse("http://[::1]:8080").expect("url");
        assert!(same_host(&v6, "[::1]:8080"));
    }

    #[test]
    fn stripping_keeps_the_other_cookies() {
        let mut headers = with(&[(header::COOKIE, "a=1; clickwire_session=s; b=2")]);
        strip_session_cookie(&mut headers);
        assert_eq!(headers[header::COOKIE], "a=1; b=2");
        assert_eq!(session_cookie(&headers), None);
        let mut only = with(&[(header::COOKIE, "clickwire_session=s")]);
        strip_session_cookie(&mut only);
        assert!(only.get(header::COOKIE).is_none());
    }

    #[test]
    fn the_cookie_is_http_only_strict_and_secure_over_https() {
        let plain = set_cookie("t", Duration::from_secs(60), false);
        assert_eq!(
            plain,
            "clickwire_session=t; HttpOnly; SameSite=Strict; Path=/; Max-Age=60"
        );
        let secure = clear_cookie(true);
        assert_eq!(
            secure,
            "clickwire_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Secure"
        );
    }

    fn key(id: &str) -> AuthKey {
        AuthKey {
            id: id.into(),
            hash: format!("hash_{id}"),
            tenant: "default".into(),
            tier: clickwire_store::Tier::Network,
            kind: clickwire_store::KeyKind::Admin,
            origins: vec![],
            source: None,
            expires_at: None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_session_ends_at_its_ttl_or_at_sign_out() {
        let sessions = Sessions::new(Duration::from_secs(60));
        let token = sessions.start(&key("k1"));
        assert_eq!(URL_SAFE_NO_PAD.decode(&token).expect("b64").len(), 32);
        assert_eq!(sessions.key_hash(&token).as_deref(), Some("hash_k1"));
        tokio::time::advance(Duration::from_secs(61)).await;
        assert_eq!(sessions.key_hash(&token), None);
        assert!(sessions.is_empty(), "an expired session is forgotten");

        let signed_out = sessions.start(&key("k1"));
        sessions.end(&signed_out);
        assert_eq!(sessions.key_hash(&signed_out), None);
    }

    #[tokio::test(start_paused = true)]
    async fn one_key_cannot_hold_more_than_its_share_of_sessions() {
        let sessions = Sessions::new(Duration::from_secs(60));
        let other = sessions.start(&key("k2"));
        let first = sessions.start(&key("k1"));
        for _ in 1..MAX_SESSIONS_PER_KEY {
            tokio::time::advance(Duration::from_millis(1)).await;
            sessions.start(&key("k1"));
        }
        assert!(sessions.key_hash(&first).is_some());
        sessions.start(&key("k1"));
        assert_eq!(sessions.key_hash(&first), None, "its oldest session ended");
        assert!(sessions.key_hash(&other).is_some(), "another key's stayed");
        assert_eq!(sessions.len(), MAX_SESSIONS_PER_KEY + 1);
    }
}
