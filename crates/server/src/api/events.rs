//! `GET /v1/events`: a tenant reads its stored events back, oldest first, filtered and
//! paginated by an opaque cursor. Server and admin keys only.

use std::time::UNIX_EPOCH;

use axum::{
    extract::{RawQuery, State},
    http::HeaderMap,
    Json,
};
use clickwire_model::FieldError;
use clickwire_store::{EventQuery, KeyKind, StoredEvent};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    auth::authorize,
    error::{ApiError, ErrorBody as Error},
    openapi::tag,
    state::AppState,
};

/// The kinds of key that may read events.
const READ_KINDS: &[KeyKind] = &[KeyKind::Server, KeyKind::Admin];
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;

/// A page of stored events, oldest first.
#[derive(Serialize, ToSchema)]
pub struct EventsPage {
    /// The stored events, each with its `seq`.
    #[schema(value_type = Vec<Object>)]
    events: Vec<StoredEvent>,
    /// Pass back as `?cursor=` for the next page; `null` on the last.
    next_cursor: Option<String>,
}

/// Handles `GET /v1/events`.
#[utoipa::path(
    get,
    path = "/v1/events",
    tag = tag::CLICKSTREAM,
    summary = "Read stored events back",
    description = "The key's tenant's stored events, oldest first, filtered and paged by an opaque cursor. Server and admin keys.",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("visitorId" = Option<String>, Query, description = "Only this visitor's events."),
        ("sessionId" = Option<String>, Query, description = "Only this session's events."),
        ("type" = Option<String>, Query, description = "Only events of this type."),
        ("source_id" = Option<String>, Query, description = "Only events of this source."),
        ("since" = Option<String>, Query, description = "Events received at or after this time: Milliseconds since the epoch or an RFC 3339 time."),
        ("until" = Option<String>, Query, description = "Events received before this time: Milliseconds since the epoch or an RFC 3339 time."),
        ("cursor" = Option<String>, Query, description = "The previous page's `next_cursor`."),
        ("after_seq" = Option<i64>, Query, description = "Events after this seq (as `cursor`)."),
        ("limit" = Option<u32>, Query, description = "Events per page, 1 to 1000 (default 100)."),
    ),
    responses(
        (status = 200, description = "A page of events.", body = EventsPage),
        (status = 400, description = "`validation_error`: every bad parameter, in `details`.", body = Error),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
    )
)]
pub async fn list_events(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Json<EventsPage>, ApiError> {
    let key = authorize(
        &state,
        &headers,
        query.as_deref(),
        READ_KINDS,
        "read events",
    )
    .await?;
    let filter = parse_query(&key.tenant, query.as_deref().unwrap_or_default())?;
    let page = state.events.query(filter).await?;
    Ok(Json(EventsPage {
        events: page.events,
        next_cursor: page.next_after.map(|seq| seq.to_string()),
    }))
}

/// Reads the query string into a filter, collecting every bad parameter.
fn parse_query(tenant: &str, raw: &str) -> Result<EventQuery, ApiError> {
    let mut query = EventQuery {
        tenant: tenant.to_owned(),
        limit: DEFAULT_LIMIT,
        ..EventQuery::default()
    };
    let mut errors = Vec::new();
    for (name, value) in url::form_urlencoded::parse(raw.as_bytes()) {
        let value = value.into_owned();
        let mut fail = |message: &str| {
            errors.push(FieldError {
                path: name.to_string(),
                message: message.to_owned(),
            })
        };
        match name.as_ref() {
            "visitorId" => query.visitor_id = Some(value),
            "sessionId" => query.session_id = Some(value),
            "type" => query.event_type = Some(value),
            "source_id" => query.source = Some(value),
            "since" => match parse_time(&value) {
                Some(ms) => query.since = Some(ms),
                None => fail("must be milliseconds since the epoch or an RFC 3339 time"),
            },
            "until" => match parse_time(&value) {
                Some(ms) => query.until = Some(ms),
                None => fail("must be milliseconds since the epoch or an RFC 3339 time"),
            },
            "after_seq" | "cursor" => match value.parse::<i64>() {
                Ok(seq) if seq >= 0 => {
                    query.after_seq = Some(query.after_seq.map_or(seq, |s| s.max(seq)))
                }
                _ => fail("must be a cursor or seq returned by this API"),
            },
            "limit" => match value.parse::<usize>() {
                Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => query.limit = limit,
                _ => fail("must be a whole number from 1 to 1000"),
            },
            // The key may ride in the query string; other parameters are ignored.
            _ => {}
        }
    }
    if errors.is_empty() {
        Ok(query)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Milliseconds since the epoch, or an RFC 3339 time.
fn parse_time(value: &str) -> Option<i64> {
    if let Ok(ms) = value.parse::<i64>() {
        return Some(ms);
    }
    let time = humantime::parse_rfc3339_weak(value).ok()?;
    Some(time.duration_since(UNIX_EPOCH).ok()?.as_millis() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_parameter_is_reported() {
        let Err(ApiError::Validation(errors)) = parse_query("t", "limit=5000&since=soon&cursor=x")
        else {
            panic!("expected a validation error");
        };
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["limit", "since", "cursor"]);
    }

    #[test]
    fn times_may_be_milliseconds_or_rfc3339() {
        assert_eq!(parse_time("1713797640000"), Some(1_713_797_640_000));
        assert_eq!(parse_time("2024-04-22T14:54:00Z"), Some(1_713_797_640_000));
    }

    #[test]
    fn the_cursor_and_filters_are_read() {
        let query = parse_query("t", "visitorId=v1&type=click&cursor=41&limit=10").expect("valid");
        assert_eq!(query.visitor_id.as_deref(), Some("v1"));
        assert_eq!(query.event_type.as_deref(), Some("click"));
        assert_eq!(query.after_seq, Some(41));
        assert_eq!(query.limit, 10);
    }
}
