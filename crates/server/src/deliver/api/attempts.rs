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
use utoipa::ToSchema;

use super::{tenant_of, Retried};
use crate::{
    deliver::views::AttemptView,
    error::{ApiError, ErrorBody as Error},
    ingest::now_ms,
    openapi::tag,
    page::{invalid, limit_and_cursor, MAX_PAGE},
    state::AppState,
};

#[derive(Serialize, ToSchema)]
pub struct AttemptList {
    attempts: Vec<AttemptView>,
    next_cursor: Option<String>,
}

/// Handles `GET /v1/delivery-attempts`.
#[utoipa::path(
    get,
    path = "/v1/delivery-attempts",
    operation_id = "list_attempts",
    tag = tag::DELIVERIES,
    summary = "List delivery attempts",
    description = "Newest first. Server and admin keys, on the key's own tenant (another tenant's attempt is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("event_id" = Option<String>, Query, description = "Only this event's attempts."),
        ("destination_id" = Option<String>, Query, description = "Only this destination's attempts."),
        ("status" = Option<String>, Query, description = "`success`, `failed` or `pending`."),
        ("limit" = Option<u32>, Query, description = "Items per page, 1 to 100 (default 100)."),
        ("cursor" = Option<String>, Query, description = "The previous page's `next_cursor`."),
    ),
    responses(
        (status = 200, description = "A page of attempts.", body = AttemptList),
        (status = 400, description = "`validation_error`: a bad `limit` or `status`.", body = Error),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
    )
)]
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
#[utoipa::path(
    get,
    path = "/v1/delivery-attempts/{id}",
    operation_id = "get_attempt",
    tag = tag::DELIVERIES,
    summary = "Get a delivery attempt",
    description = "Server and admin keys, on the key's own tenant (another tenant's attempt is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("id" = String, Path, description = "The delivery attempt's id."),
    ),
    responses(
        (status = 200, description = "The attempt.", body = AttemptView),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
        (status = 404, description = "`not_found`: no delivery attempt with this id in the key's tenant.", body = Error),
    )
)]
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
#[utoipa::path(
    post,
    path = "/v1/delivery-attempts/{id}/retry",
    operation_id = "retry_attempt",
    tag = tag::DELIVERIES,
    summary = "Retry a dead-lettered delivery",
    description = "A new attempt of this attempt's delivery, due at once. Server and admin keys, on the key's own tenant (another tenant's attempt is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("id" = String, Path, description = "The delivery attempt's id."),
    ),
    responses(
        (status = 202, description = "The new attempts, due at once.", body = Retried),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
        (status = 404, description = "`not_found`: no delivery attempt with this id in the key's tenant.", body = Error),
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
    if state.deliveries.get_attempt(&id, &tenant).await?.is_none() {
        return Err(ApiError::NotFound(format!("delivery attempt `{id}`")));
    }
    retried(&state, &tenant, RetryOf::Attempt(id)).await
}

/// Handles `POST /v1/events/{id}/retry`.
#[utoipa::path(
    post,
    path = "/v1/events/{id}/retry",
    operation_id = "retry_event",
    tag = tag::DELIVERIES,
    summary = "Retry an event's dead-lettered deliveries",
    description = "A new attempt of every dead-lettered delivery of the event, due at once. Server and admin keys, on the key's own tenant (another tenant's event is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("id" = String, Path, description = "The event's id."),
    ),
    responses(
        (status = 202, description = "The new attempts, due at once.", body = Retried),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
        (status = 503, description = "`overloaded` or `storage_unavailable` (`Retry-After`).", body = Error),
    )
)]
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
