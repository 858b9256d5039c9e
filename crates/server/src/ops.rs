//! Operator endpoints: liveness, readiness (the store answers) and Prometheus metrics.

use axum::{extract::State, http::header, response::IntoResponse, Json};
use serde_json::{json, Value};

use crate::{
    error::{ApiError, ErrorBody as Error},
    openapi::tag,
    state::AppState,
};

/// `GET /healthz`: the process is up.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = tag::OPERATIONS,
    summary = "Liveness",
    description = "The process is up. No key.",
    responses(
        (status = 200, description = "`{\"status\": \"ok\"}`.", body = Object),
    )
)]
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// `GET /readyz`: the store answers a query.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = tag::OPERATIONS,
    summary = "Readiness",
    description = "The store answers a query. No key.",
    responses(
        (status = 200, description = "`{\"status\": \"ready\"}`.", body = Object),
        (status = 503, description = "`not_ready`: the store does not answer.", body = Error),
    )
)]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    state
        .events
        .ping()
        .await
        .map_err(|err| ApiError::NotReady(err.to_string()))?;
    Ok(Json(json!({ "status": "ready" })))
}

/// `GET /metrics`: Prometheus text format.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = tag::OPERATIONS,
    summary = "Prometheus metrics",
    description = "The Prometheus text format. No key.",
    responses(
        (status = 200, description = "The metrics.", content_type = "text/plain; version=0.0.4", body = String),
    )
)]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    metrics::gauge!("clickwire_ingest_queue_depth").set(state.log.queue_depth() as f64);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
