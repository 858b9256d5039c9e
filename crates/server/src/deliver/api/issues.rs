//! `GET /v1/issues` (newest first; `status` and `destination_id` filters; paged),
//! `GET /v1/issues/summary` (`{"open","acknowledged","resolved"}` counts),
//! `GET/PATCH /v1/issues/{id}` (`{"status":"acknowledged"|"resolved"|"open"}`), and
//! `POST /v1/issues/{id}/retry` (every dead-lettered delivery whose last failure was of the
//! issue's destination and error type).

use std::collections::BTreeMap;

use crate::extract::Path;
use axum::{
    body::Body,
    extract::{RawQuery, State},
    http::{HeaderMap, StatusCode},
    Json,
};
use clickwire_store::deliveries::{IssueQuery, IssueStatus, RetryOf};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{attempts::retried, tenant_of, Retried};
use crate::{
    admin::json_body,
    body::read_body,
    deliver::views::IssueView,
    error::ApiError,
    hub::Notice,
    ingest::now_ms,
    page::{invalid, limit_and_cursor, MAX_PAGE},
    state::AppState,
};

#[derive(Serialize)]
pub struct IssueList {
    issues: Vec<IssueView>,
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuePatch {
    status: String,
}

fn status(text: &str, path: &str) -> Result<IssueStatus, ApiError> {
    text.parse()
        .map_err(|_| invalid(path, "must be open, acknowledged or resolved"))
}

/// Handles `GET /v1/issues`.
pub async fn list(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Json<IssueList>, ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    let raw = query.as_deref().unwrap_or_default();
    let (limit, cursor) = limit_and_cursor(raw, MAX_PAGE)?;
    let mut ask = IssueQuery {
        tenant,
        before_id: cursor,
        limit,
        ..IssueQuery::default()
    };
    for (name, value) in url::form_urlencoded::parse(raw.as_bytes()) {
        match name.as_ref() {
            "status" => ask.status = Some(status(&value, "status")?),
            "destination_id" => ask.destination_id = Some(value.into_owned()),
            _ => {}
        }
    }
    let (issues, next_cursor) = state.deliveries.list_issues(ask).await?;
    Ok(Json(IssueList {
        issues: issues.into_iter().map(IssueView::from).collect(),
        next_cursor,
    }))
}

/// Handles `GET /v1/issues/summary`.
pub async fn summary(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Json<BTreeMap<&'static str, u64>>, ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    let counts = state.deliveries.issue_counts(&tenant).await?;
    Ok(Json(
        counts
            .into_iter()
            .map(|(status, n)| (status.as_str(), n))
            .collect(),
    ))
}

/// Handles `GET /v1/issues/{id}`.
pub async fn get(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<IssueView>, ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    state
        .deliveries
        .get_issue(&id, &tenant)
        .await?
        .map(|i| Json(i.into()))
        .ok_or_else(|| ApiError::NotFound(format!("issue `{id}`")))
}

/// Handles `PATCH /v1/issues/{id}`.
pub async fn update(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<IssueView>, ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    let patch: IssuePatch = json_body(&read_body(&state, body).await?)?;
    let next = status(&patch.status, "status")?;
    let issue = state
        .deliveries
        .set_issue_status(&tenant, &id, next, now_ms())
        .await?;
    let view = IssueView::from(issue);
    let data = serde_json::to_value(&view).unwrap_or(Value::Null);
    state.hub.announce(&tenant, &Notice::Issue { data: &data });
    Ok(Json(view))
}

/// Handles `POST /v1/issues/{id}/retry`.
pub async fn retry(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Retried>), ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    if state.deliveries.get_issue(&id, &tenant).await?.is_none() {
        return Err(ApiError::NotFound(format!("issue `{id}`")));
    }
    retried(&state, &tenant, RetryOf::Issue(id)).await
}
