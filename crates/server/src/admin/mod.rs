//! The admin API under `/v1/admin/`: the CLI's tenant and key operations over HTTP, the
//! audit log, and the reveal of sealed personal fields (`/v1/events/{id}/reveal`), for
//! admin keys, each confined to the key's [`scope::AdminScope`].

pub mod audit;
mod expiry;
pub mod keys;
pub mod reveal;
pub mod scope;
pub mod tenants;

use serde::de::DeserializeOwned;

pub use scope::{admin_scope, tenant_admin, AdminScope};

use crate::error::ApiError;

/// Parses a JSON request body, answering `invalid_json` or `validation_error` as ingest does.
pub(crate) fn json_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
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
