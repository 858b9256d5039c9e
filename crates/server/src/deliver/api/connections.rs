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
use utoipa::ToSchema;

use super::tenant_of;
use crate::{
    admin::json_body,
    body::read_body,
    deliver::{
        settings::{check_connection, field, ConnectionBody},
        views::ConnectionView,
    },
    error::{ApiError, ErrorBody as Error},
    openapi::tag,
    page::{after_cursor, limit_and_cursor, MAX_PAGE},
    state::AppState,
};

#[derive(Serialize, ToSchema)]
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
#[utoipa::path(
    post,
    path = "/v1/connections",
    operation_id = "create_connection",
    tag = tag::CONNECTIONS,
    summary = "Create a connection",
    description = "`source_id` is one of the tenant's sources or `\"*\"` (every event of the tenant); the destination must be the tenant's; each rule must be one that can be evaluated. Server and admin keys, on the key's own tenant (another tenant's connection is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    request_body(content = ConnectionBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The new connection.", body = ConnectionView),
        (status = 400, description = "`invalid_json` or `validation_error` (with `details`: a missing field, an unknown source or destination, a rule that cannot be evaluated).", body = Error),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
        (status = 413, description = "`payload_too_large`: the body is over `server.max_body_bytes`.", body = Error),
        (status = 503, description = "`overloaded` or `storage_unavailable` (`Retry-After`).", body = Error),
    )
)]
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
#[utoipa::path(
    get,
    path = "/v1/connections",
    operation_id = "list_connections",
    tag = tag::CONNECTIONS,
    summary = "List connections",
    description = "Oldest first. Server and admin keys, on the key's own tenant (another tenant's connection is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("limit" = Option<u32>, Query, description = "Items per page, 1 to 100 (default 100)."),
        ("cursor" = Option<String>, Query, description = "The previous page's `next_cursor`."),
    ),
    responses(
        (status = 200, description = "A page of connections.", body = ConnectionList),
        (status = 400, description = "`validation_error`: a bad `limit` or `cursor`.", body = Error),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
    )
)]
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
#[utoipa::path(
    get,
    path = "/v1/connections/{id}",
    operation_id = "get_connection",
    tag = tag::CONNECTIONS,
    summary = "Get a connection",
    description = "Server and admin keys, on the key's own tenant (another tenant's connection is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("id" = String, Path, description = "The connection's id."),
    ),
    responses(
        (status = 200, description = "The connection.", body = ConnectionView),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
        (status = 404, description = "`not_found`: no connection with this id in the key's tenant.", body = Error),
    )
)]
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
#[utoipa::path(
    patch,
    path = "/v1/connections/{id}",
    operation_id = "update_connection",
    tag = tag::CONNECTIONS,
    summary = "Update a connection",
    description = "`source_id` is one of the tenant's sources or `\"*\"` (every event of the tenant); the destination must be the tenant's; each rule must be one that can be evaluated. Server and admin keys, on the key's own tenant (another tenant's connection is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("id" = String, Path, description = "The connection's id."),
    ),
    request_body(content = ConnectionBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The updated connection.", body = ConnectionView),
        (status = 400, description = "`invalid_json` or `validation_error` (with `details`).", body = Error),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
        (status = 404, description = "`not_found`: no connection with this id in the key's tenant.", body = Error),
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
#[utoipa::path(
    delete,
    path = "/v1/connections/{id}",
    operation_id = "delete_connection",
    tag = tag::CONNECTIONS,
    summary = "Delete a connection",
    description = "Server and admin keys, on the key's own tenant (another tenant's connection is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("id" = String, Path, description = "The connection's id."),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
        (status = 404, description = "`not_found`: no connection with this id in the key's tenant.", body = Error),
        (status = 503, description = "`overloaded` or `storage_unavailable` (`Retry-After`).", body = Error),
    )
)]
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
