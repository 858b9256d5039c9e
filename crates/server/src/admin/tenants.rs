//! `GET /v1/admin/tenants` and `POST /v1/admin/tenants`: operator keys only.

use axum::{extract::State, http::HeaderMap, http::StatusCode, Json};
use clickwire_store::{Tenant, Tier};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{admin_scope, json_body};
use crate::{
    body::read_body,
    error::{ApiError, ErrorBody as Error},
    openapi::tag,
    state::AppState,
};

#[derive(Serialize, ToSchema)]
pub struct TenantList {
    tenants: Vec<Tenant>,
}

#[derive(Deserialize, ToSchema)]
pub struct CreateTenant {
    name: String,
    tier: Tier,
}

/// Lists every tenant.
#[utoipa::path(
    get,
    path = "/v1/admin/tenants",
    operation_id = "list_tenants",
    tag = tag::ADMIN,
    summary = "List every tenant",
    description = "Operator keys only (an admin key bound to no tenant).",
    security(("api_key" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Every tenant.", body = TenantList),
        (status = 401, description = "`invalid_api_key`: the key (in a header: admin keys never ride in a URL) is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not an admin key, or not an operator key.", body = Error),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<TenantList>, ApiError> {
    admin_scope(&state, &headers)
        .await?
        .require_operator("list every tenant")?;
    let tenants = state.catalog.list_tenants().await?;
    Ok(Json(TenantList { tenants }))
}

/// Creates a tenant: `{"name": "acme", "tier": "scale"}`.
#[utoipa::path(
    post,
    path = "/v1/admin/tenants",
    operation_id = "create_tenant",
    tag = tag::ADMIN,
    summary = "Create a tenant",
    description = "Operator keys only.",
    security(("api_key" = []), ("bearer" = [])),
    request_body(content = CreateTenant, content_type = "application/json"),
    responses(
        (status = 201, description = "The new tenant.", body = Tenant),
        (status = 400, description = "`invalid_json` or `validation_error` (with `details`).", body = Error),
        (status = 401, description = "`invalid_api_key`: the key (in a header: admin keys never ride in a URL) is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not an admin key, or not an operator key.", body = Error),
        (status = 409, description = "`conflict`: a tenant of this name exists.", body = Error),
        (status = 413, description = "`payload_too_large`: the body is over `server.max_body_bytes`.", body = Error),
        (status = 503, description = "`overloaded` or `storage_unavailable` (`Retry-After`).", body = Error),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<Tenant>), ApiError> {
    admin_scope(&state, &headers)
        .await?
        .require_operator("create tenants")?;
    let request: CreateTenant = json_body(&read_body(&state, body).await?)?;
    let tenant = state
        .catalog
        .create_tenant(&request.name, request.tier)
        .await?;
    Ok((StatusCode::CREATED, Json(tenant)))
}
