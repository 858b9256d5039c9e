//! `POST /v1/events/{id}/reveal {"field":"rawEmail"}`: an admin key opens one sealed field
//! of one event of its own tenant. The reveal is in the audit log before the value leaves
//! the server; the value itself is never logged.

use crate::extract::Path;
use axum::{extract::State, http::HeaderMap, Json};
use clickwire_store::{vault::REVEAL, NewAuditEntry};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{json_body, tenant_admin};
use crate::{
    error::ApiError,
    ingest::now_ms,
    privacy::{self, fields, Place},
    state::AppState,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevealRequest {
    field: String,
}

#[derive(Serialize)]
pub struct Revealed {
    event_id: String,
    field: String,
    /// The value as the client sent it (a string, or the `values` object).
    value: Value,
}

/// Reveals one sealed field of one event.
pub async fn reveal(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(event_id): Path<String>,
    body: axum::body::Body,
) -> Result<Json<Revealed>, ApiError> {
    let key = tenant_admin(&state, &headers, "reveal personal data").await?;
    let RevealRequest { field } = json_body(&crate::body::read_body(&state, body).await?)?;
    if fields::pointer(&field).is_none() {
        return Err(ApiError::UnknownField(field));
    }
    let column = state
        .vault
        .sealed(&key.tenant, &event_id)
        .await?
        .ok_or(ApiError::EventNotFound)?;
    let sealed = privacy::sealed_field(column.as_deref(), &field)?
        .ok_or_else(|| ApiError::FieldNotSealed(field.clone()))?;
    state
        .vault
        .record(NewAuditEntry {
            at: now_ms(),
            tenant: key.tenant.clone(),
            key_id: key.id.clone(),
            action: REVEAL,
            event_id: event_id.clone(),
            field: field.clone(),
        })
        .await?;
    let place = Place {
        tenant: &key.tenant,
        event_id: &event_id,
        field: &field,
    };
    let value = privacy::open(&state.privacy, place, &sealed)?;
    tracing::info!(key_id = %key.id, %event_id, %field, "revealed a sealed field");
    Ok(Json(Revealed {
        event_id,
        field,
        value,
    }))
}
