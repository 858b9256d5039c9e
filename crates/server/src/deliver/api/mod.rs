//! The deliveries API, with a server or admin key, always on the key's own tenant
//! (another tenant's destination, connection, attempt or issue is 404):
//! `/v1/destinations` (+ `/{id}/circuit`, `/{id}/circuit/reset`), `/v1/connections`,
//! `/v1/delivery-attempts` (+ `/{id}/retry`), `POST /v1/events/{id}/retry`, and
//! `/v1/issues` (+ `/summary`, `/{id}/retry`).

mod attempts;
mod connections;
mod destinations;
mod issues;

use axum::http::HeaderMap;
use clickwire_store::KeyKind;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

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
#[derive(Serialize, ToSchema)]
pub struct Retried {
    retried: usize,
    attempts: Vec<AttemptView>,
}

/// The routes of the deliveries API.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(destinations::create, destinations::list))
        .routes(routes!(
            destinations::get,
            destinations::update,
            destinations::delete
        ))
        .routes(routes!(destinations::circuit))
        .routes(routes!(destinations::reset))
        .routes(routes!(connections::create, connections::list))
        .routes(routes!(
            connections::get,
            connections::update,
            connections::delete
        ))
        .routes(routes!(attempts::list))
        .routes(routes!(attempts::get))
        .routes(routes!(attempts::retry))
        .routes(routes!(attempts::retry_event))
        .routes(routes!(issues::list))
        .routes(routes!(issues::summary))
        .routes(routes!(issues::get, issues::update))
        .routes(routes!(issues::retry))
}
