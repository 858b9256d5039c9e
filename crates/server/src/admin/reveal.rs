//! `POST /v1/events/{id}/reveal {"field":"rawEmail"}`: an admin key opens one sealed field
//! of one event of its own tenant. The reveal is in the audit log before the value leaves
//! the server; the value itself is never logged.

use crate::extract::Path;
use axum::{extract::State, http::HeaderMap, Json};
use clickwire_store::{vault::REVEAL, NewAuditEntry};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::{json_body, tenant_admin};
use crate::{
    error::{ApiError, ErrorBody as Error},
    ingest::now_ms,
    openapi::tag,
    privacy::{self, fields, Place},
    state::AppState,
};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealRequest {
    /// `rawEmail`, `rawPhone`, `values` or `files[<i>].text_excerpt`.
    field: String,
}

#[derive(Serialize, ToSchema)]
pub struct Revealed {
    event_id: String,
    field: String,
    /// The value as the client sent it (a string, or the `values` object).
    #[schema(value_type = Object)]
    value: Value,
}

/// Reveals one sealed field of one event.
#[utoipa::path(
    post,
    path = "/v1/events/{event_id}/reveal",
    tag = tag::ADMIN,
    summary = "Reveal a sealed field of an event",
    description = "An admin key of the event's tenant opens one sealed personal field. The reveal is in the audit log before the value leaves the server.",
    security(("api_key" = []), ("bearer" = [])),
    params(
        ("event_id" = String, Path, description = "The event's id."),
    ),
    request_body(content = RevealRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The field's value.", body = Revealed),
        (status = 400, description = "`invalid_json`, `validation_error` or `unknown_field` (not a sealed field).", body = Error),
        (status = 401, description = "`invalid_api_key`: the key (in a header: admin keys never ride in a URL) is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not an admin key, or an operator key (only the tenant's own admins may).", body = Error),
        (status = 404, description = "`event_not_found` or `field_not_sealed`.", body = Error),
        (status = 413, description = "`payload_too_large`: the body is over `server.max_body_bytes`.", body = Error),
        (status = 503, description = "`overloaded` or `storage_unavailable` (`Retry-After`).", body = Error),
    )
)]
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
