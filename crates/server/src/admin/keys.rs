//! `GET /v1/admin/keys`, `POST /v1/admin/keys` and `DELETE /v1/admin/keys/{key_or_id}`.

use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    Json,
};
use clickwire_store::{KeyKind, KeyRecord, NewKey};
use serde::{Deserialize, Serialize};

use super::{admin, json_body};
use crate::{error::ApiError, state::AppState};

#[derive(Serialize)]
pub struct KeyList {
    keys: Vec<KeyRecord>,
}

#[derive(Deserialize)]
pub struct ListKeys {
    tenant: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateKey {
    tenant: String,
    kind: KeyKind,
    #[serde(default)]
    origins: Vec<String>,
    source: Option<String>,
}

/// A new key: its record and, this once, the key itself.
#[derive(Serialize)]
pub struct CreatedKey {
    key: String,
    #[serde(flatten)]
    record: KeyRecord,
}

/// Lists keys (prefixes only), optionally of one tenant.
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(filter): Query<ListKeys>,
) -> Result<Json<KeyList>, ApiError> {
    admin(&state, &headers).await?;
    let keys = state.catalog.list_keys(filter.tenant.as_deref()).await?;
    Ok(Json(KeyList { keys }))
}

/// Creates a key: `{"tenant","kind","origins"?,"source"?}`.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<CreatedKey>), ApiError> {
    admin(&state, &headers).await?;
    let request: CreateKey = json_body(&body)?;
    let (record, key) = state
        .catalog
        .create_key(NewKey {
            tenant: request.tenant,
            kind: request.kind,
            origins: request.origins,
            source: request.source,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedKey { key, record })))
}

/// Revokes a key by id or by the key itself; it stops working within one key refresh.
pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(key_or_id): Path<String>,
) -> Result<Json<KeyRecord>, ApiError> {
    admin(&state, &headers).await?;
    let record = state.catalog.revoke_key(&key_or_id).await?;
    Ok(Json(record))
}
