//! The admin API under `/v1/admin/`: the CLI's tenant and key operations over HTTP, the
//! audit log, and the reveal of sealed personal fields (`/v1/events/{id}/reveal`), for
//! admin keys only.

pub mod audit;
pub mod keys;
pub mod reveal;
pub mod tenants;

use std::sync::Arc;

use axum::http::HeaderMap;
use clickwire_store::{AuthKey, KeyKind};
use serde::de::DeserializeOwned;

use crate::{auth::authorize, error::ApiError, state::AppState};

/// Authenticates an admin key.
async fn admin(state: &AppState, headers: &HeaderMap) -> Result<Arc<AuthKey>, ApiError> {
    authorize(state, headers, None, &[KeyKind::Admin], "use the admin API").await
}

/// Parses a JSON request body, answering `invalid_json` or `validation_error` as ingest does.
fn json_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|err| {
        if err.is_data() {
            ApiError::Validation(vec![clickwire_model::FieldError {
                path: String::new(),
                message: err.to_string(),
            }])
        } else {
            ApiError::InvalidJson(err.to_string())
        }
    })
}
