//! `GET /v1/admin/tenants` and `POST /v1/admin/tenants`: operator keys only.

use axum::{extract::State, http::HeaderMap, http::StatusCode, Json};
use clickwire_store::{Tenant, Tier};
use serde::{Deserialize, Serialize};

use super::{admin_scope, json_body};
use crate::{body::read_body, error::ApiError, state::AppState};

#[derive(Serialize)]
pub struct TenantList {
    tenants: Vec<Tenant>,
}

#[derive(Deserialize)]
pub struct CreateTenant {
    name: String,
    tier: Tier,
}

/// Lists every tenant.
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
