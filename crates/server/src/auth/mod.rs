//! Who is calling: the API key taken from a request — or, without one, the dashboard
//! session its cookie names ([`session`]) — resolved to its tenant, tier and kind through
//! [`KeyCache`], and the per-kind permissions of each route group.

mod cache;
mod origin;
pub mod session;

use axum::http::{header, HeaderMap};
pub use cache::KeyCache;
use clickwire_store::{AuthKey, KeyKind};
pub use origin::{host_allowed, is_localhost, origin_allowed};

use std::sync::Arc;

use crate::{error::ApiError, state::AppState};

/// The API key of a request: `X-API-Key`, then `Authorization: Bearer`, then `?key=`.
pub fn request_key(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    let header_key = headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .or_else(|| {
            headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
        })
        .map(|v| v.trim().to_owned());
    header_key
        .filter(|k| !k.is_empty())
        .or_else(|| query_param(query, "key"))
}

/// The value of `name` in a query string, if not empty.
pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .filter(|value| !value.is_empty())
}

/// Authenticates a request for a route open to `allowed` key kinds, applying the Origin
/// gate to website keys: the common first step of every keyed route. Without a key, the
/// dashboard session of the request's cookie stands for the key it signed in with (the
/// cookie reaches here only from the server's own origin: [`session::guard`]).
pub async fn authorize(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
    allowed: &[KeyKind],
    what: &str,
) -> Result<Arc<AuthKey>, ApiError> {
    let key = match request_key(headers, query) {
        Some(key) => state.keys.authenticate(Some(&key)).await?,
        None => session::signed_in(state, headers).await?,
    };
    permit(key, headers, allowed, what)
}

/// [`authorize`] for a key the route has already taken from the request (the feed reads
/// it from more places than the other routes).
pub async fn authorize_key(
    state: &AppState,
    key: Option<&str>,
    headers: &HeaderMap,
    allowed: &[KeyKind],
    what: &str,
) -> Result<Arc<AuthKey>, ApiError> {
    let key = state.keys.authenticate(key).await?;
    permit(key, headers, allowed, what)
}

/// The checks after authentication: the key's kind, its tenant, the Origin gate.
fn permit(
    key: Arc<AuthKey>,
    headers: &HeaderMap,
    allowed: &[KeyKind],
    what: &str,
) -> Result<Arc<AuthKey>, ApiError> {
    require_kind(&key, allowed, what)?;
    if key.is_operator() {
        return Err(ApiError::Forbidden(format!(
            "an operator key belongs to no tenant and cannot {what}; use a tenant's key"
        )));
    }
    if key.kind == KeyKind::Website && !origin_allowed(&key.origins, headers) {
        return Err(ApiError::DomainNotAllowed);
    }
    Ok(key)
}

/// Refuses keys whose kind is not among `allowed` for this route.
pub fn require_kind(key: &AuthKey, allowed: &[KeyKind], what: &str) -> Result<(), ApiError> {
    if allowed.contains(&key.kind) {
        return Ok(());
    }
    let names: Vec<&str> = allowed.iter().map(|k| k.as_str()).collect();
    Err(ApiError::Forbidden(format!(
        "{} key cannot {what}; use {} key",
        with_article(key.kind.as_str()),
        with_article(&one_of(&names))
    )))
}

/// `website`, `website or admin`, `website, mobile or admin`.
fn one_of(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// The word after "a" or "an", as it is spoken (`an admin`, `a website`).
fn with_article(word: &str) -> String {
    let article = if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {word}")
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn a_refused_kind_is_told_in_plain_english_which_kinds_may() {
        assert_eq!(
            one_of(&["website", "mobile", "server", "admin"]),
            "website, mobile, server or admin"
        );
        assert_eq!(one_of(&["server", "admin"]), "server or admin");
        assert_eq!(with_article("admin"), "an admin");
        assert_eq!(
            with_article(&one_of(&["website", "admin"])),
            "a website or admin"
        );
    }

    #[test]
    fn the_header_wins_over_the_query_string() {
        let mut headers = HeaderMap::new();
        headers.insert("x-api-key", HeaderValue::from_static("cs_live_header"));
        let key = request_key(&headers, Some("key=cs_live_query"));
        assert_eq!(key.as_deref(), Some("cs_live_header"));
    }

    #[test]
    fn the_query_string_key_is_url_decoded() {
        let key = request_key(&HeaderMap::new(), Some("a=1&key=cs_live_a%2Bb"));
        assert_eq!(key.as_deref(), Some("cs_live_a+b"));
    }

    #[test]
    fn a_bearer_token_is_a_key() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer cw_admin_x"),
        );
        assert_eq!(request_key(&headers, None).as_deref(), Some("cw_admin_x"));
    }

    #[test]
    fn no_key_anywhere_is_none() {
        assert_eq!(request_key(&HeaderMap::new(), Some("key=")), None);
    }
}
