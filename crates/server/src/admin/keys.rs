//! `GET /v1/admin/keys`, `POST /v1/admin/keys` and `DELETE /v1/admin/keys/{id}`, each
//! confined to the caller's scope.

use crate::extract::{Path, Query};
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    Json,
};
use clickwire_store::{KeyKind, KeyRecord, NewKey};
use serde::{Deserialize, Serialize};

use super::{admin_scope, expiry, json_body, AdminScope};
use crate::{body::read_body, error::ApiError, ingest::now_ms, state::AppState};

/// The prefix of every key id; anything else in the revoke path is refused.
const KEY_ID_PREFIX: &str = "key_";

#[derive(Serialize)]
pub struct KeyList {
    keys: Vec<KeyRecord>,
}

#[derive(Deserialize)]
pub struct ListKeys {
    tenant: Option<String>,
}

/// The kind a request asks for: a key kind, or `operator` (an admin key of no tenant).
#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum RequestedKind {
    Operator,
    #[serde(untagged)]
    Key(KeyKind),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateKey {
    tenant: Option<String>,
    kind: RequestedKind,
    #[serde(default)]
    origins: Vec<String>,
    source: Option<String>,
    expires_in: Option<String>,
    expires_at: Option<i64>,
    /// A test key (`dk_test_…`, `cs_test_…`).
    #[serde(default)]
    test: bool,
}

/// A new key: its record and, this once, the key itself.
#[derive(Serialize)]
pub struct CreatedKey {
    key: String,
    #[serde(flatten)]
    record: KeyRecord,
}

/// Lists keys (prefixes only): a tenant admin its own tenant's, an operator every key or
/// those of `?tenant=`.
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(filter): Query<ListKeys>,
) -> Result<Json<KeyList>, ApiError> {
    let scope = admin_scope(&state, &headers).await?;
    let tenant = scope.tenant_or_own(filter.tenant)?;
    let keys = state.catalog.list_keys(tenant.as_deref()).await?;
    Ok(Json(KeyList { keys }))
}

/// Creates a key: `{"tenant"?,"kind","origins"?,"source"?,"expires_in"?|"expires_at"?}`.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<CreatedKey>), ApiError> {
    let scope = admin_scope(&state, &headers).await?;
    let request: CreateKey = json_body(&read_body(&state, body).await?)?;
    let new = NewKey {
        tenant: key_tenant(&scope, request.kind, request.tenant)?,
        kind: match request.kind {
            RequestedKind::Operator => KeyKind::Admin,
            RequestedKind::Key(kind) => kind,
        },
        origins: request.origins,
        source: request.source,
        expires_at: expiry::expires_at(
            now_ms(),
            request.expires_in.as_deref(),
            request.expires_at,
        )?,
        test: request.test,
    };
    let (record, key) = state.catalog.create_key(new).await?;
    Ok((StatusCode::CREATED, Json(CreatedKey { key, record })))
}

/// The tenant of a new key: none for an operator key (operators only), else the named one
/// (in scope) or the caller's own.
fn key_tenant(
    scope: &AdminScope,
    kind: RequestedKind,
    named: Option<String>,
) -> Result<Option<String>, ApiError> {
    match kind {
        RequestedKind::Operator => {
            scope.require_operator("create an operator key")?;
            match named {
                Some(_) => Err(ApiError::InvalidRequest(
                    "an operator key belongs to no tenant; leave out `tenant`".into(),
                )),
                None => Ok(None),
            }
        }
        RequestedKind::Key(_) => match scope.tenant_or_own(named)? {
            Some(tenant) => Ok(Some(tenant)),
            None => Err(ApiError::InvalidRequest(
                "`tenant` is required (or `\"kind\": \"operator\"` for an operator key)".into(),
            )),
        },
    }
}

/// Revokes a key by its id (never by the key itself: paths are logged).
pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<KeyRecord>, ApiError> {
    let scope = admin_scope(&state, &headers).await?;
    if !id.starts_with(KEY_ID_PREFIX) {
        return Err(ApiError::InvalidRequest(
            "revoke a key by its id (`key_…`, listed by GET /v1/admin/keys); \
             never put a key itself in a URL, URLs are logged"
                .into(),
        ));
    }
    let record = state.catalog.revoke_key(&id, scope.within()).await?;
    state.keys.revoked(&record.id);
    Ok(Json(record))
}
