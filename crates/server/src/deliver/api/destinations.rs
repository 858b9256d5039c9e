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

use super::tenant_of;
use crate::{
    admin::json_body,
    body::read_body,
    deliver::{
        dispatch::CircuitView,
        settings::{apply, new_destination, DestinationBody},
        views::DestinationView,
    },
    error::ApiError,
    page::{after_cursor, limit_and_cursor, MAX_PAGE},
    state::AppState,
};

#[derive(Serialize)]
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
