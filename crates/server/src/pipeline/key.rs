//! The pipeline key of a request and the source it belongs to. The key may come as
//! `Authorization: Bearer dk_…` (preferred), as the user name of HTTP Basic auth (what the
//! Segment and RudderStack SDKs send, with an empty password), as `?key=` (browser beacons)
//! or as the body's `writeKey`. Any failure — no key, an unknown, revoked or expired one, a
//! key of another kind, a deleted source — is the same 401 `invalid_pipeline_key`.

use std::sync::Arc;

use axum::http::{header, HeaderMap};
use base64::Engine;
use clickwire_store::{AuthKey, KeyKind};

use crate::{auth::request_key, error::ApiError, sources::SourceEntry, state::AppState};

/// An authenticated pipeline request: its key and its source.
pub struct Caller {
    pub key: Arc<AuthKey>,
    pub source: Arc<SourceEntry>,
}

/// The key the request's headers or query string carry, if any.
pub fn presented_key(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    basic_user(headers).or_else(|| request_key(headers, query))
}

/// The user name of `Authorization: Basic …`.
fn basic_user(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let user = text.split_once(':').map_or(text.as_str(), |(user, _)| user);
    (!user.is_empty()).then(|| user.to_owned())
}

/// Resolves `key` to a live pipeline key and its live source.
pub async fn authenticate(state: &AppState, key: Option<&str>) -> Result<Caller, ApiError> {
    let key = state
        .keys
        .authenticate(key)
        .await
        .map_err(|err| match err {
            ApiError::InvalidApiKey | ApiError::KeyRevoked => ApiError::InvalidPipelineKey,
            other => other,
        })?;
    if key.kind != KeyKind::Pipeline {
        return Err(ApiError::InvalidPipelineKey);
    }
    let source_id = key.source.as_deref().ok_or(ApiError::InvalidPipelineKey)?;
    let source = state
        .sources
        .get(source_id)
        .await?
        .filter(|entry| entry.source.tenant == key.tenant)
        .ok_or(ApiError::InvalidPipelineKey)?;
    Ok(Caller { key, source })
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn basic_auth_carries_the_key_as_its_user_name() {
        let mut headers = HeaderMap::new();
        // base64("dk_live_abc:")
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic ZGtfbGl2ZV9hYmM6"),
        );
        assert_eq!(
            presented_key(&headers, None).as_deref(),
            Some("dk_live_abc")
        );
    }

    #[test]
    fn a_bearer_token_and_the_query_string_are_keys_too() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer dk_live_x"),
        );
        assert_eq!(presented_key(&headers, None).as_deref(), Some("dk_live_x"));
        let none = HeaderMap::new();
        assert_eq!(
            presented_key(&none, Some("key=dk_live_q")).as_deref(),
            Some("dk_live_q")
        );
        assert_eq!(presented_key(&none, None), None);
    }
}
