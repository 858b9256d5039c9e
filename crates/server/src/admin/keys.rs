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
use utoipa::ToSchema;

use super::{admin_scope, expiry, json_body, AdminScope};
use crate::{
    body::read_body,
    error::{ApiError, ErrorBody as Error},
    ingest::now_ms,
    openapi::tag,
    state::AppState,
};

/// The prefix of every key id; anything else in the revoke path is refused.
const KEY_ID_PREFIX: &str = "key_";

#[derive(Serialize, ToSchema)]
pub struct KeyList {
    /// Each key's record (its prefix, never the key).
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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateKey {
    /// The key's tenant (operators; a tenant admin's own by default).
    tenant: Option<String>,
    /// `website`, `mobile`, `server`, `pipeline`, `admin`, or `operator` (an admin key of no
    /// tenant; operators only).
    #[schema(value_type = String)]
    kind: RequestedKind,
    /// The domains a website key is accepted from.
    #[serde(default)]
    origins: Vec<String>,
    /// The source of a pipeline key.
    source: Option<String>,
    /// How long the key lives, e.g. `90d`.
    expires_in: Option<String>,
    /// When the key expires (ms since the epoch).
    expires_at: Option<i64>,
    /// A test key (`dk_test_…`, `cs_test_…`).
    #[serde(default)]
    test: bool,
}

/// A new key: its record and, this once, the key itself.
#[derive(Serialize, ToSchema)]
pub struct CreatedKey {
    key: String,
    #[serde(flatten)]
    record: KeyRecord,
}

/// Lists keys (prefixes only): a tenant admin its own tenant's, an operator every key or
/// those of `?tenant=`.
#[utoipa::path(
    get,
    path = "/v1/admin/keys",
    operation_id = "list_keys",
    tag = tag::ADMIN,
    summary = "List keys",
    description = "Prefixes only: a tenant admin its own tenant's keys, an operator every key or those of `?tenant=`.",
    security(("api_key" = []), ("bearer" = [])),
    params(
        ("tenant" = Option<String>, Query, description = "Only this tenant's keys (operators; a tenant admin may name its own)."),
    ),
    responses(
        (status = 200, description = "The keys.", body = KeyList),
        (status = 400, description = "`invalid_request`: a query that does not fit.", body = Error),
        (status = 401, description = "`invalid_api_key`: the key (in a header: admin keys never ride in a URL) is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not an admin key.", body = Error),
        (status = 404, description = "`not_found`: a tenant outside the key's scope.", body = Error),
    )
)]
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
#[utoipa::path(
    post,
    path = "/v1/admin/keys",
    operation_id = "create_key",
    tag = tag::ADMIN,
    summary = "Create a key",
    description = "The answer shows the key itself, this once. A tenant admin creates keys of its own tenant; an operator of any tenant, and operator keys.",
    security(("api_key" = []), ("bearer" = [])),
    request_body(content = CreateKey, content_type = "application/json"),
    responses(
        (status = 201, description = "The key's record and, this once, `key`.", body = CreatedKey),
        (status = 400, description = "`invalid_json`, `validation_error` or `invalid_request` (e.g. no `tenant`, or a bad expiry).", body = Error),
        (status = 401, description = "`invalid_api_key`: the key (in a header: admin keys never ride in a URL) is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not an admin key (or, for what only operators may do, not an operator key).", body = Error),
        (status = 404, description = "`not_found`: a tenant or source outside the key's scope.", body = Error),
        (status = 413, description = "`payload_too_large`: the body is over `server.max_body_bytes`.", body = Error),
        (status = 503, description = "`overloaded` or `storage_unavailable` (`Retry-After`).", body = Error),
    )
)]
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
#[utoipa::path(
    delete,
    path = "/v1/admin/keys/{id}",
    operation_id = "revoke_key",
    tag = tag::ADMIN,
    summary = "Revoke a key",
    description = "By its id (`key_…`), never by the key itself (URLs are logged). It stops working at once, on open sockets too.",
    security(("api_key" = []), ("bearer" = [])),
    params(
        ("id" = String, Path, description = "The key's id, `key_…`."),
    ),
    responses(
        (status = 200, description = "The revoked key's record.", body = KeyRecord),
        (status = 400, description = "`invalid_request`: not a key id.", body = Error),
        (status = 401, description = "`invalid_api_key`: the key (in a header: admin keys never ride in a URL) is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not an admin key.", body = Error),
        (status = 404, description = "`not_found`: no such key in the key's scope.", body = Error),
        (status = 503, description = "`overloaded` or `storage_unavailable` (`Retry-After`).", body = Error),
    )
)]
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
