//! Admitting a subscriber, for WebSocket and SSE alike: the key (from the subprotocol,
//! `?key=` or a header), its plan and kind, the query parameters (`since`, `filter`) and a
//! slot under the tenant's subscriber cap. Every refusal is a plain JSON response sent
//! before any upgrade or stream begins.

use std::sync::Arc;

use axum::http::{header, HeaderMap};
use clickwire_store::{AuthKey, KeyKind, Tier};

use super::{filter::Filter, resume::Replay, socket::Start};
use crate::{
    auth::{authorize_key, request_key},
    error::ApiError,
    hub::Subscription,
    state::AppState,
};

/// The subprotocol a WebSocket subscriber names first; the server answers with it alone.
pub const PROTOCOL: &str = "clickstream-v1";

/// The kinds of key that may subscribe.
const FEED_KINDS: &[KeyKind] = &[
    KeyKind::Website,
    KeyKind::Mobile,
    KeyKind::Server,
    KeyKind::Admin,
];

/// The key of a feed request, by precedence: `Sec-WebSocket-Protocol: clickstream-v1,
/// <key>`, then `?key=`, then `X-API-Key` (or `Authorization: Bearer`).
pub fn feed_key(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    subprotocol_key(headers)
        .or_else(|| request_key(&HeaderMap::new(), query))
        .or_else(|| request_key(headers, None))
}

/// The entry after `clickstream-v1` in `Sec-WebSocket-Protocol`.
fn subprotocol_key(headers: &HeaderMap) -> Option<String> {
    let mut entries = headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim);
    if entries.next()? != PROTOCOL {
        return None;
    }
    entries
        .next()
        .filter(|key| !key.is_empty())
        .map(str::to_owned)
}

/// True when `Sec-WebSocket-Protocol` is sent but not led by `clickstream-v1`: most often a
/// key sent as the only subprotocol, which carries no key (the 401 then says the form).
pub fn protocol_without_name(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .next()
        .is_some_and(|first| first != PROTOCOL)
}

/// Resolves the key and checks that it may read the feed: 401, then 403.
pub async fn authorise(
    state: &AppState,
    key: Option<&str>,
    headers: &HeaderMap,
) -> Result<Arc<AuthKey>, ApiError> {
    let key = authorize_key(state, key, headers, FEED_KINDS, "read the Signals Feed").await?;
    if matches!(key.tier, Tier::Free | Tier::Builder) {
        return Err(ApiError::PlanUpgradeRequired(key.tier));
    }
    Ok(key)
}

/// The query parameters of a feed request.
#[derive(Debug, Default)]
pub struct FeedParams {
    /// Replay stored events after this seq first.
    pub since: Option<i64>,
    pub filter: Option<Arc<Filter>>,
}

impl FeedParams {
    /// Reads `since` and `filter`; `last_event_id` (SSE) wins over `since`.
    pub fn parse(query: Option<&str>, last_event_id: Option<&str>) -> Result<Self, ApiError> {
        let mut params = FeedParams::default();
        let pairs = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes());
        for (name, value) in pairs {
            match name.as_ref() {
                "since" => params.since = Some(parse_seq("since", &value)?),
                "filter" => {
                    let filter = Filter::parse(&value).map_err(ApiError::InvalidFilter)?;
                    params.filter = Some(Arc::new(filter));
                }
                _ => {}
            }
        }
        if let Some(id) = last_event_id.map(str::trim).filter(|id| !id.is_empty()) {
            params.since = Some(parse_seq("Last-Event-ID", id)?);
        }
        Ok(params)
    }
}

fn parse_seq(name: &str, value: &str) -> Result<i64, ApiError> {
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|seq| *seq >= 0)
        .ok_or_else(|| {
            ApiError::InvalidRequest(format!("{name} must be a seq (a whole number ≥ 0)"))
        })
}

/// A subscriber holding its slot, and where it starts.
pub struct Admitted {
    pub sub: Subscription,
    pub replay: Replay,
    pub start: Start,
}

/// Takes a slot under the tenant's cap (429 above it) and fixes where the subscriber
/// starts. Registering comes first, so nothing committed afterwards can be missed.
pub async fn admit(
    state: &AppState,
    key: &AuthKey,
    params: FeedParams,
) -> Result<Admitted, ApiError> {
    let sub = state.hub.subscribe(&key.tenant, params.filter.clone())?;
    let replay = Replay {
        store: Arc::clone(&state.events),
        tenant: key.tenant.clone(),
        filter: params.filter,
        page: state.config.feed.replay_page,
    };
    let start = match params.since {
        Some(since) => Start::Resume { since },
        None => Start::Live {
            floor: replay.newest().await?.unwrap_or(0),
        },
    };
    Ok(Admitted { sub, replay, start })
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn the_subprotocol_key_wins_then_the_query_then_the_header() {
        let all = headers(&[
            ("sec-websocket-protocol", "clickstream-v1, cs_live_proto"),
            ("x-api-key", "cs_live_header"),
        ]);
        assert_eq!(
            feed_key(&all, Some("key=cs_live_query")).as_deref(),
            Some("cs_live_proto")
        );
        let no_proto = headers(&[("x-api-key", "cs_live_header")]);
        assert_eq!(
            feed_key(&no_proto, Some("key=cs_live_query")).as_deref(),
            Some("cs_live_query")
        );
        assert_eq!(feed_key(&no_proto, None).as_deref(), Some("cs_live_header"));
    }

    #[test]
    fn a_subprotocol_list_not_led_by_clickstream_v1_carries_no_key() {
        let other = headers(&[("sec-websocket-protocol", "graphql-ws, cs_live_x")]);
        assert_eq!(feed_key(&other, None), None);
        let split = headers(&[
            ("sec-websocket-protocol", "clickstream-v1"),
            ("sec-websocket-protocol", "cs_live_y"),
        ]);
        assert_eq!(feed_key(&split, None).as_deref(), Some("cs_live_y"));
    }

    #[test]
    fn a_key_sent_as_the_only_subprotocol_is_told_apart_from_no_protocol_at_all() {
        let mut alone = HeaderMap::new();
        alone.insert(
            header::SEC_WEBSOCKET_PROTOCOL,
            HeaderValue::from_static("cs_live_x"),
        );
        assert!(protocol_without_name(&alone));
        let mut named = HeaderMap::new();
        named.insert(
            header::SEC_WEBSOCKET_PROTOCOL,
            HeaderValue::from_static("clickstream-v1, cs_live_x"),
        );
        assert!(!protocol_without_name(&named));
        assert!(!protocol_without_name(&HeaderMap::new()));
    }

    #[test]
    fn last_event_id_wins_over_since_and_bad_values_are_refused() {
        let params = FeedParams::parse(Some("since=5"), Some("9")).expect("valid");
        assert_eq!(params.since, Some(9));
        assert!(FeedParams::parse(Some("since=-1"), None).is_err());
        let Err(err) = FeedParams::parse(Some("filter=nope"), None) else {
            panic!("a bad filter is refused");
        };
        assert_eq!(err.code(), "invalid_filter");
    }
}
