//! `/v1/connections`: create, list (paged), get, `PATCH`, delete. A connection's
//! `source_id` is one of the tenant's sources or `"*"` (every event of the tenant,
//! ClickStream events without a source included); its destination must be the tenant's;
//! each rule must be one that can be evaluated (else 400, naming the rule).

use crate::extract::Path;
use axum::{
    body::Body,
    extract::{RawQuery, State},
    http::{HeaderMap, StatusCode},
    Json,
};
use clickwire_store::deliveries::{Connection, NewConnection, ANY_SOURCE};
use serde::Serialize;

use super::tenant_of;
use crate::{
    admin::json_body,
    body::read_body,
    deliver::{
        settings::{check_connection, field, ConnectionBody},
        views::ConnectionView,
    },
    error::ApiError,
    page::{after_cursor, limit_and_cursor, MAX_PAGE},
    state::AppState,
};

#[derive(Serialize)]
pub struct ConnectionList {
    connections: Vec<ConnectionView>,
    next_cursor: Option<String>,
}

/// Refuses a source that is neither `*` nor one of `tenant`'s sources, and a destination
/// that is not `tenant`'s.
async fn check_ends(
    state: &AppState,
    tenant: &str,
    source: &str,
    destination: &str,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if source != ANY_SOURCE
        && state
            .source_store
            .get_source(source, Some(tenant))
            .await?
            .is_none()
    {
        errors.push(field(
            "source_id",
            "is not a source of this tenant (or \"*\")",
        ));
    }
    if state
        .deliveries
        .get_destination(destination, Some(tenant))
        .await?
        .is_none()
    {
        errors.push(field(
            "destination_id",
            "is not a destination of this tenant",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

async fn find(state: &AppState, tenant: &str, id: &str) -> Result<Connection, ApiError> {
    state
        .deliveries
        .get_connection(id, tenant)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("connection `{id}`")))
}

/// Handles `POST /v1/connections`.
pub async fn create(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<ConnectionView>), ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    let body: ConnectionBody = json_body(&read_body(&state, body).await?)?;
    check_connection(&body, true).map_err(ApiError::Validation)?;
    let source = body.source_id.unwrap_or_default();
    let destination = body.destination_id.unwrap_or_default();
    check_ends(&state, &tenant, &source, &destination).await?;
    let created = state
        .deliveries
        .create_connection(NewConnection {
            tenant,
            name: body.name.unwrap_or_else(|| "connection".into()),
            source_id: source,
            destination_id: destination,
            rules: body.rules.unwrap_or_default(),
            enabled: body.enabled.unwrap_or(true),
        })
        .await?;
    state.deliver.changed().await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// Handles `GET /v1/connections`.
pub async fn list(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Json<ConnectionList>, ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    let (limit, cursor) = limit_and_cursor(query.as_deref().unwrap_or_default(), MAX_PAGE)?;
    let all = state.deliveries.list_connections(&tenant).await?;
    let (page, next_cursor) = after_cursor(all, limit, cursor.as_deref(), |c| &c.id)?;
    Ok(Json(ConnectionList {
        connections: page.into_iter().map(ConnectionView::from).collect(),
        next_cursor,
    }))
}

/// Handles `GET /v1/connections/{id}`.
pub async fn get(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<ConnectionView>, ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    Ok(Json(find(&state, &tenant, &id).await?.into()))
}

/// Handles `PATCH /v1/connections/{id}`.
pub async fn update(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<ConnectionView>, ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    let body: ConnectionBody = json_body(&read_body(&state, body).await?)?;
    check_connection(&body, false).map_err(ApiError::Validation)?;
    let mut current = find(&state, &tenant, &id).await?;
    if let Some(name) = body.name {
        current.name = name;
    }
    if let Some(source) = body.source_id {
        current.source_id = source;
    }
    if let Some(destination) = body.destination_id {
        current.destination_id = destination;
    }
    if let Some(rules) = body.rules {
        current.rules = rules;
    }
    if let Some(enabled) = body.enabled {
        current.enabled = enabled;
    }
    check_ends(&state, &tenant, &current.source_id, &current.destination_id).await?;
    let saved = state.deliveries.save_connection(current).await?;
    state.deliver.changed().await?;
    Ok(Json(saved.into()))
}

/// Handles `DELETE /v1/connections/{id}`.
pub async fn delete(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    state.deliveries.delete_connection(&tenant, &id).await?;
    state.deliver.changed().await?;
    Ok(StatusCode::NO_CONTENT)
}
