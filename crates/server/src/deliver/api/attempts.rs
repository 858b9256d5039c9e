//! `GET /v1/delivery-attempts` (newest first; `event_id`, `destination_id`, `status`
//! filters; `limit` ≤ 100 and `cursor`), `GET /v1/delivery-attempts/{id}`, and the manual
//! retries of dead-lettered deliveries: `POST /v1/delivery-attempts/{id}/retry` (that
//! attempt's delivery) and `POST /v1/events/{id}/retry` (every dead-lettered delivery of the
//! event). A retry is a new attempt, due at once: `202 {"retried","attempts"}`.

use crate::extract::Path;
use axum::{
    extract::{RawQuery, State},
    http::{HeaderMap, StatusCode},
    Json,
};
use clickwire_store::deliveries::{AttemptQuery, AttemptStatus, RetryOf};
use serde::Serialize;

use super::{tenant_of, Retried};
use crate::{
    deliver::views::AttemptView,
    error::ApiError,
    ingest::now_ms,
    page::{invalid, limit_and_cursor, MAX_PAGE},
    state::AppState,
};

#[derive(Serialize)]
pub struct AttemptList {
    attempts: Vec<AttemptView>,
    next_cursor: Option<String>,
}

/// Handles `GET /v1/delivery-attempts`.
pub async fn list(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Json<AttemptList>, ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    let raw = query.as_deref().unwrap_or_default();
    let (limit, cursor) = limit_and_cursor(raw, MAX_PAGE)?;
    let mut ask = AttemptQuery {
        tenant,
        before_id: cursor,
        limit,
        ..AttemptQuery::default()
    };
    for (name, value) in url::form_urlencoded::parse(raw.as_bytes()) {
        match name.as_ref() {
            "event_id" => ask.event_id = Some(value.into_owned()),
            "destination_id" => ask.destination_id = Some(value.into_owned()),
            "status" => {
                let status: AttemptStatus = value
                    .parse()
                    .map_err(|_| invalid("status", "must be success, failed or pending"))?;
                ask.status = Some(status);
            }
            _ => {}
        }
    }
    let (attempts, next_cursor) = state.deliveries.list_attempts(ask).await?;
    Ok(Json(AttemptList {
        attempts: attempts.into_iter().map(AttemptView::from).collect(),
        next_cursor,
    }))
}

/// Handles `GET /v1/delivery-attempts/{id}`.
pub async fn get(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<AttemptView>, ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    state
        .deliveries
        .get_attempt(&id, &tenant)
        .await?
        .map(|a| Json(a.into()))
        .ok_or_else(|| ApiError::NotFound(format!("delivery attempt `{id}`")))
}

/// Handles `POST /v1/delivery-attempts/{id}/retry`.
pub async fn retry(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Retried>), ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    if state.deliveries.get_attempt(&id, &tenant).await?.is_none() {
        return Err(ApiError::NotFound(format!("delivery attempt `{id}`")));
    }
    retried(&state, &tenant, RetryOf::Attempt(id)).await
}

/// Handles `POST /v1/events/{id}/retry`.
pub async fn retry_event(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Retried>), ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    retried(&state, &tenant, RetryOf::Event(id)).await
}

/// Makes the retries `of` names and wakes their destinations.
pub async fn retried(
    state: &AppState,
    tenant: &str,
    of: RetryOf,
) -> Result<(StatusCode, Json<Retried>), ApiError> {
    let made = state.deliveries.retry(tenant, of, now_ms()).await?;
    for attempt in &made {
        state.deliver.dispatcher.wake(&attempt.destination_id);
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(Retried {
            retried: made.len(),
            attempts: made.into_iter().map(AttemptView::from).collect(),
        }),
    ))
}
