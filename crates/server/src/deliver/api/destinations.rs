//! `/v1/destinations`: create (201, the only answer that shows `signing_secret`), list
//! (paged), get, `PATCH` (any field; `"enabled": true` re-enables a destination a 410
//! disabled), delete, and the circuit breaker: `GET /{id}/circuit` →
//! `{"state","consecutive_failures","opened_at","queued"}`, `POST /{id}/circuit/reset`.

use crate::extract::Path;
use axum::{
    body::Body,
    extract::{RawQuery, State},
    http::{HeaderMap, StatusCode},
    Json,
};
use clickwire_store::deliveries::{Destination, NewDestination};
use serde::Serialize;
use utoipa::ToSchema;

use super::tenant_of;
use crate::{
    admin::json_body,
    body::read_body,
    deliver::{
        dispatch::CircuitView,
        settings::{apply, new_destination, DestinationBody},
        views::DestinationView,
    },
    error::{ApiError, ErrorBody as Error},
    openapi::tag,
    page::{after_cursor, limit_and_cursor, MAX_PAGE},
    state::AppState,
};

#[derive(Serialize, ToSchema)]
pub struct DestinationList {
    destinations: Vec<DestinationView>,
    next_cursor: Option<String>,
}

async fn find(state: &AppState, tenant: &str, id: &str) -> Result<Destination, ApiError> {
    state
        .deliveries
        .get_destination(id, Some(tenant))
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("destination `{id}`")))
}

/// Handles `POST /v1/destinations`.
#[utoipa::path(
    post,
    path = "/v1/destinations",
    operation_id = "create_destination",
    tag = tag::DESTINATIONS,
    summary = "Create a destination",
    description = "The only answer that shows `signing_secret`. Server and admin keys, on the key's own tenant (another tenant's destination is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    request_body(content = DestinationBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The new destination, with its `signing_secret`.", body = DestinationView),
        (status = 400, description = "`invalid_json` or `validation_error` (with `details`).", body = Error),
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
) -> Result<(StatusCode, Json<DestinationView>), ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    let body: DestinationBody = json_body(&read_body(&state, body).await?)?;
    let (name, settings) = new_destination(&body).map_err(ApiError::Validation)?;
    let created = state
        .deliveries
        .create_destination(NewDestination {
            tenant,
            name,
            settings,
        })
        .await?;
    state.deliver.changed().await?;
    Ok((
        StatusCode::CREATED,
        Json(DestinationView::new(created, true)),
    ))
}

/// Handles `GET /v1/destinations`.
#[utoipa::path(
    get,
    path = "/v1/destinations",
    operation_id = "list_destinations",
    tag = tag::DESTINATIONS,
    summary = "List destinations",
    description = "Oldest first. Server and admin keys, on the key's own tenant (another tenant's destination is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("limit" = Option<u32>, Query, description = "Items per page, 1 to 100 (default 100)."),
        ("cursor" = Option<String>, Query, description = "The previous page's `next_cursor`."),
    ),
    responses(
        (status = 200, description = "A page of destinations.", body = DestinationList),
        (status = 400, description = "`validation_error`: a bad `limit` or `cursor`.", body = Error),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Json<DestinationList>, ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    let (limit, cursor) = limit_and_cursor(query.as_deref().unwrap_or_default(), MAX_PAGE)?;
    let all = state.deliveries.list_destinations(&tenant).await?;
    let (page, next_cursor) = after_cursor(all, limit, cursor.as_deref(), |d| &d.id)?;
    Ok(Json(DestinationList {
        destinations: page
            .into_iter()
            .map(|d| DestinationView::new(d, false))
            .collect(),
        next_cursor,
    }))
}

/// Handles `GET /v1/destinations/{id}`.
#[utoipa::path(
    get,
    path = "/v1/destinations/{id}",
    operation_id = "get_destination",
    tag = tag::DESTINATIONS,
    summary = "Get a destination",
    description = "Server and admin keys, on the key's own tenant (another tenant's destination is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("id" = String, Path, description = "The destination's id."),
    ),
    responses(
        (status = 200, description = "The destination.", body = DestinationView),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
        (status = 404, description = "`not_found`: no destination with this id in the key's tenant.", body = Error),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<DestinationView>, ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    let found = find(&state, &tenant, &id).await?;
    Ok(Json(DestinationView::new(found, false)))
}

/// Handles `PATCH /v1/destinations/{id}`.
#[utoipa::path(
    patch,
    path = "/v1/destinations/{id}",
    operation_id = "update_destination",
    tag = tag::DESTINATIONS,
    summary = "Update a destination",
    description = "Any field; `\"enabled\": true` re-enables a destination that a 410 disabled. Server and admin keys, on the key's own tenant (another tenant's destination is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("id" = String, Path, description = "The destination's id."),
    ),
    request_body(content = DestinationBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The updated destination.", body = DestinationView),
        (status = 400, description = "`invalid_json` or `validation_error` (with `details`).", body = Error),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
        (status = 404, description = "`not_found`: no destination with this id in the key's tenant.", body = Error),
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
) -> Result<Json<DestinationView>, ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    let body: DestinationBody = json_body(&read_body(&state, body).await?)?;
    let mut current = find(&state, &tenant, &id).await?;
    let (name, settings) = apply(&body, current.settings.clone()).map_err(ApiError::Validation)?;
    if let Some(name) = name {
        current.name = name;
    }
    current.settings = settings;
    match body.enabled {
        Some(true) => current.disabled_reason = None,
        Some(false) => current.disabled_reason = Some("disabled through the API".into()),
        None => {}
    }
    let saved = state.deliveries.save_destination(current).await?;
    state.deliver.changed().await?;
    state.deliver.dispatcher.wake(&saved.id);
    Ok(Json(DestinationView::new(saved, false)))
}

/// Handles `DELETE /v1/destinations/{id}`: its connections go with it.
#[utoipa::path(
    delete,
    path = "/v1/destinations/{id}",
    operation_id = "delete_destination",
    tag = tag::DESTINATIONS,
    summary = "Delete a destination",
    description = "Its connections go with it. Server and admin keys, on the key's own tenant (another tenant's destination is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("id" = String, Path, description = "The destination's id."),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
        (status = 404, description = "`not_found`: no destination with this id in the key's tenant.", body = Error),
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
    state.deliveries.delete_destination(&tenant, &id).await?;
    state.deliver.changed().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Handles `GET /v1/destinations/{id}/circuit`.
#[utoipa::path(
    get,
    path = "/v1/destinations/{id}/circuit",
    operation_id = "get_circuit",
    tag = tag::DESTINATIONS,
    summary = "A destination's circuit breaker",
    description = "Server and admin keys, on the key's own tenant (another tenant's destination is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("id" = String, Path, description = "The destination's id."),
    ),
    responses(
        (status = 200, description = "The breaker's state.", body = CircuitView),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
        (status = 404, description = "`not_found`: no destination with this id in the key's tenant.", body = Error),
    )
)]
pub async fn circuit(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<CircuitView>, ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    find(&state, &tenant, &id).await?;
    state
        .deliver
        .dispatcher
        .circuit(&id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("destination `{id}`")))
}

/// Handles `POST /v1/destinations/{id}/circuit/reset`.
#[utoipa::path(
    post,
    path = "/v1/destinations/{id}/circuit/reset",
    operation_id = "reset_circuit",
    tag = tag::DESTINATIONS,
    summary = "Close a destination's circuit breaker",
    description = "Server and admin keys, on the key's own tenant (another tenant's destination is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("id" = String, Path, description = "The destination's id."),
    ),
    responses(
        (status = 200, description = "The breaker's state after the reset.", body = CircuitView),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
        (status = 404, description = "`not_found`: no destination with this id in the key's tenant.", body = Error),
    )
)]
pub async fn reset(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<CircuitView>, ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    find(&state, &tenant, &id).await?;
    state.deliver.dispatcher.reset(&id);
    state
        .deliver
        .dispatcher
        .circuit(&id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("destination `{id}`")))
}
