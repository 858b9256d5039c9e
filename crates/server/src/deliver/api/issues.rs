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
use utoipa::ToSchema;

use super::{attempts::retried, tenant_of, Retried};
use crate::{
    admin::json_body,
    body::read_body,
    deliver::views::IssueView,
    error::{ApiError, ErrorBody as Error},
    hub::Notice,
    ingest::now_ms,
    openapi::tag,
    page::{invalid, limit_and_cursor, MAX_PAGE},
    state::AppState,
};

#[derive(Serialize, ToSchema)]
pub struct IssueList {
    issues: Vec<IssueView>,
    next_cursor: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssuePatch {
    /// `open`, `acknowledged` or `resolved`.
    status: String,
}

fn status(text: &str, path: &str) -> Result<IssueStatus, ApiError> {
    text.parse()
        .map_err(|_| invalid(path, "must be open, acknowledged or resolved"))
}

/// Handles `GET /v1/issues`.
#[utoipa::path(
    get,
    path = "/v1/issues",
    operation_id = "list_issues",
    tag = tag::ISSUES,
    summary = "List issues",
    description = "Newest first. Server and admin keys, on the key's own tenant (another tenant's issue is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("status" = Option<String>, Query, description = "`open`, `acknowledged` or `resolved`."),
        ("destination_id" = Option<String>, Query, description = "Only this destination's issues."),
        ("limit" = Option<u32>, Query, description = "Items per page, 1 to 100 (default 100)."),
        ("cursor" = Option<String>, Query, description = "The previous page's `next_cursor`."),
    ),
    responses(
        (status = 200, description = "A page of issues.", body = IssueList),
        (status = 400, description = "`validation_error`: a bad `limit` or `status`.", body = Error),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
    )
)]
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
#[utoipa::path(
    get,
    path = "/v1/issues/summary",
    operation_id = "issue_summary",
    tag = tag::ISSUES,
    summary = "Count issues by status",
    description = "Server and admin keys, on the key's own tenant.",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    responses(
        (status = 200, description = "`{\"open\", \"acknowledged\", \"resolved\"}` counts.", body = BTreeMap<String, u64>),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
    )
)]
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
#[utoipa::path(
    get,
    path = "/v1/issues/{id}",
    operation_id = "get_issue",
    tag = tag::ISSUES,
    summary = "Get an issue",
    description = "Server and admin keys, on the key's own tenant (another tenant's issue is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("id" = String, Path, description = "The issue's id."),
    ),
    responses(
        (status = 200, description = "The issue.", body = IssueView),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
        (status = 404, description = "`not_found`: no issue with this id in the key's tenant.", body = Error),
    )
)]
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
#[utoipa::path(
    patch,
    path = "/v1/issues/{id}",
    operation_id = "update_issue",
    tag = tag::ISSUES,
    summary = "Set an issue's status",
    description = "The change is announced on the dashboard stream. Server and admin keys, on the key's own tenant (another tenant's issue is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("id" = String, Path, description = "The issue's id."),
    ),
    request_body(content = IssuePatch, content_type = "application/json"),
    responses(
        (status = 200, description = "The issue.", body = IssueView),
        (status = 400, description = "`invalid_json` or `validation_error` (with `details`).", body = Error),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
        (status = 404, description = "`not_found`: no issue with this id in the key's tenant.", body = Error),
        (status = 413, description = "`payload_too_large`: the body is over `server.max_body_bytes`.", body = Error),
        (status = 503, description = "`overloaded` or `storage_unavailable` (`Retry-After`).", body = Error),
    )
)]
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
#[utoipa::path(
    post,
    path = "/v1/issues/{id}/retry",
    operation_id = "retry_issue",
    tag = tag::ISSUES,
    summary = "Retry an issue's dead-lettered deliveries",
    description = "A new attempt of every dead-lettered delivery whose last failure was of the issue's destination and error type, due at once. Server and admin keys, on the key's own tenant (another tenant's issue is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("id" = String, Path, description = "The issue's id."),
    ),
    responses(
        (status = 202, description = "The new attempts, due at once.", body = Retried),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
        (status = 404, description = "`not_found`: no issue with this id in the key's tenant.", body = Error),
        (status = 503, description = "`overloaded` or `storage_unavailable` (`Retry-After`).", body = Error),
    )
)]
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
