//! The deliveries API, with a server or admin key, always on the key's own tenant
//! (another tenant's destination, connection, attempt or issue is 404):
//! `/v1/destinations` (+ `/{id}/circuit`, `/{id}/circuit/reset`), `/v1/connections`,
//! `/v1/delivery-attempts` (+ `/{id}/retry`), `POST /v1/events/{id}/retry`, and
//! `/v1/issues` (+ `/summary`, `/{id}/retry`).

mod attempts;
mod connections;
mod destinations;
mod issues;

use axum::{
    http::HeaderMap,
    routing::{get, post},
    Router,
};
use clickwire_store::KeyKind;
use serde::Serialize;

use super::views::AttemptView;
use crate::{auth::authorize, error::ApiError, state::AppState};

/// The kinds of key that manage deliveries.
const MANAGE_KINDS: &[KeyKind] = &[KeyKind::Server, KeyKind::Admin];

/// The caller's tenant.
async fn tenant_of(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<String, ApiError> {
    let key = authorize(state, headers, query, MANAGE_KINDS, "manage deliveries").await?;
    Ok(key.tenant.clone())
}

/// The answer to a retry: the attempts it made.
#[derive(Serialize)]
struct Retried {
    retried: usize,
    attempts: Vec<AttemptView>,
}

/// The routes of the deliveries API.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/destinations",
            post(destinations::create).get(destinations::list),
        )
        .route(
            "/v1/destinations/{id}",
            get(destinations::get)
                .patch(destinations::update)
                .delete(destinations::delete),
        )
        .route("/v1/destinations/{id}/circuit", get(destinations::circuit))
        .route(
            "/v1/destinations/{id}/circuit/reset",
            post(destinations::reset),
        )
        .route(
            "/v1/connections",
            post(connections::create).get(connections::list),
        )
        .route(
            "/v1/connections/{id}",
            get(connections::get)
                .patch(connections::update)
                .delete(connections::delete),
        )
        .route("/v1/delivery-attempts", get(attempts::list))
        .route("/v1/delivery-attempts/{id}", get(attempts::get))
        .route("/v1/delivery-attempts/{id}/retry", post(attempts::retry))
        .route("/v1/events/{id}/retry", post(attempts::retry_event))
        .route("/v1/issues", get(issues::list))
        .route("/v1/issues/summary", get(issues::summary))
        .route("/v1/issues/{id}", get(issues::get).patch(issues::update))
        .route("/v1/issues/{id}/retry", post(issues::retry))
}
