//! `POST/GET /v1/sources` and `GET/PATCH/DELETE /v1/sources/{id}`, with a server or admin
//! key, always on the key's own tenant (another tenant's source is 404). Bodies are
//! `{"name","kind":"pipeline","origins"?,"rate_limit"?,"ip_allow"?,"dedup"?:{"window"}}`;
//! unknown fields are refused so that a typo is not silently ignored.

use std::time::Duration;

use crate::extract::Path;
use axum::{
    body::Body,
    extract::{RawQuery, State},
    http::{HeaderMap, StatusCode},
    Json,
};
use clickwire_model::signal::format_iso;
use clickwire_store::{DedupRule, KeyKind, Source, SourceKind, SourcePatch, Verification};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::settings::{
    check_cidrs, check_kind_settings, check_name, check_origins, check_rate_limit,
    check_verification, dedup_rule, dedup_window, new_source, CreateSource, DedupSettings,
};
use crate::page::{after_cursor, limit_and_cursor, MAX_PAGE};
use crate::{
    admin::json_body,
    auth::authorize,
    body::read_body,
    error::{ApiError, ErrorBody as Error},
    openapi::tag,
    state::AppState,
};

/// The kinds of key that manage sources.
const MANAGE_KINDS: &[KeyKind] = &[KeyKind::Server, KeyKind::Admin];

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSource {
    name: Option<String>,
    origins: Option<Vec<String>>,
    rate_limit: Option<u32>,
    ip_allow: Option<Vec<String>>,
    ip_deny: Option<Vec<String>>,
    /// An object sets it; `null` removes it.
    #[serde(default, deserialize_with = "some_value")]
    #[schema(value_type = Option<Verification>)]
    verification: Option<serde_json::Value>,
    dedup: Option<DedupSettings>,
}

/// Keeps a present `null` apart from an absent field.
fn some_value<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(deserializer).map(Some)
}

/// A source as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct SourceView {
    id: String,
    name: String,
    kind: SourceKind,
    origins: Vec<String>,
    rate_limit: u32,
    signing_secret: String,
    ip_allow: Vec<String>,
    ip_deny: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verification: Option<Verification>,
    dedup: DedupView,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize, ToSchema)]
struct DedupView {
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    rule: Option<DedupRule>,
    window: String,
}

impl From<Source> for SourceView {
    fn from(source: Source) -> Self {
        let window = Duration::from_millis(source.dedup_window_ms.max(0) as u64);
        Self {
            id: source.id,
            name: source.name,
            kind: source.kind,
            origins: source.origins,
            rate_limit: source.rate_limit,
            signing_secret: source.signing_secret,
            ip_allow: source.ip_allow,
            ip_deny: source.ip_deny,
            verification: source.verification,
            dedup: DedupView {
                rule: source.dedup_rule,
                window: humantime::format_duration(window).to_string(),
            },
            created_at: format_iso(source.created_at),
            updated_at: format_iso(source.updated_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SourceList {
    sources: Vec<SourceView>,
    /// Pass back as `?cursor=` for the next page; `null` on the last.
    next_cursor: Option<String>,
}

/// The caller's tenant, for a server or tenant admin key.
async fn tenant_of(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<String, ApiError> {
    let key = authorize(state, headers, query, MANAGE_KINDS, "manage sources").await?;
    Ok(key.tenant.clone())
}

/// Handles `POST /v1/sources`.
#[utoipa::path(
    post,
    path = "/v1/sources",
    operation_id = "create_source",
    tag = tag::SOURCES,
    summary = "Create a source",
    description = "A `pipeline` or `webhook` source; unknown fields are refused. The answer shows its `signing_secret`. Server and admin keys, on the key's own tenant (another tenant's source is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    request_body(content = CreateSource, content_type = "application/json"),
    responses(
        (status = 201, description = "The new source.", body = SourceView),
        (status = 400, description = "`invalid_json` or `validation_error` (with `details`).", body = Error),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
        (status = 413, description = "`payload_too_large`: the body is over `server.max_body_bytes`.", body = Error),
        (status = 503, description = "`overloaded` or `storage_unavailable` (`Retry-After`).", body = Error),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<SourceView>), ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    let request: CreateSource = json_body(&read_body(&state, body).await?)?;
    let new = new_source(tenant, request).map_err(ApiError::Validation)?;
    let source = state.source_store.create_source(new).await?;
    state.sources.forget(&source.id);
    Ok((StatusCode::CREATED, Json(source.into())))
}

/// Handles `GET /v1/sources`.
#[utoipa::path(
    get,
    path = "/v1/sources",
    operation_id = "list_sources",
    tag = tag::SOURCES,
    summary = "List sources",
    description = "Oldest first. Server and admin keys, on the key's own tenant (another tenant's source is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("limit" = Option<u32>, Query, description = "Items per page, 1 to 100 (default 100)."),
        ("cursor" = Option<String>, Query, description = "The previous page's `next_cursor`."),
    ),
    responses(
        (status = 200, description = "A page of sources.", body = SourceList),
        (status = 400, description = "`validation_error`: a bad `limit` or `cursor`.", body = Error),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Json<SourceList>, ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    let (limit, cursor) = limit_and_cursor(query.as_deref().unwrap_or_default(), MAX_PAGE)?;
    let sources = state.source_store.list_sources(&tenant).await?;
    // Oldest first; the cursor is the id of the last source of the previous page.
    let (page, next_cursor) = after_cursor(sources, limit, cursor.as_deref(), |s| &s.id)?;
    Ok(Json(SourceList {
        sources: page.into_iter().map(SourceView::from).collect(),
        next_cursor,
    }))
}

/// Handles `GET /v1/sources/{id}`.
#[utoipa::path(
    get,
    path = "/v1/sources/{id}",
    operation_id = "get_source",
    tag = tag::SOURCES,
    summary = "Get a source",
    description = "Server and admin keys, on the key's own tenant (another tenant's source is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("id" = String, Path, description = "The source's id, `src_…`."),
    ),
    responses(
        (status = 200, description = "The source.", body = SourceView),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
        (status = 404, description = "`not_found`: no source with this id in the key's tenant.", body = Error),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<SourceView>, ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    let source = state.source_store.get_source(&id, Some(&tenant)).await?;
    source
        .map(|s| Json(s.into()))
        .ok_or_else(|| ApiError::NotFound(format!("source `{id}`")))
}

/// Handles `PATCH /v1/sources/{id}`.
#[utoipa::path(
    patch,
    path = "/v1/sources/{id}",
    operation_id = "update_source",
    tag = tag::SOURCES,
    summary = "Update a source",
    description = "Only the fields sent change; unknown fields are refused. Server and admin keys, on the key's own tenant (another tenant's source is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("id" = String, Path, description = "The source's id, `src_…`."),
    ),
    request_body(content = UpdateSource, content_type = "application/json"),
    responses(
        (status = 200, description = "The updated source.", body = SourceView),
        (status = 400, description = "`invalid_json` or `validation_error` (with `details`).", body = Error),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
        (status = 404, description = "`not_found`: no source with this id in the key's tenant.", body = Error),
        (status = 413, description = "`payload_too_large`: the body is over `server.max_body_bytes`.", body = Error),
        (status = 503, description = "`overloaded` or `storage_unavailable` (`Retry-After`).", body = Error),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<SourceView>, ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    let request: UpdateSource = json_body(&read_body(&state, body).await?)?;
    let current = state
        .source_store
        .get_source(&id, Some(&tenant))
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("source `{id}`")))?;
    let mut errors = Vec::new();
    if let Some(name) = &request.name {
        check_name(name, &mut errors);
    }
    if let Some(origins) = &request.origins {
        check_origins(origins, &mut errors);
    }
    if let Some(ip_allow) = &request.ip_allow {
        check_cidrs("ip_allow", ip_allow, &mut errors);
    }
    if let Some(ip_deny) = &request.ip_deny {
        check_cidrs("ip_deny", ip_deny, &mut errors);
    }
    if let Some(rate_limit) = request.rate_limit {
        check_rate_limit(rate_limit, &mut errors);
    }
    let verification = match request.verification {
        None => None,
        Some(serde_json::Value::Null) => Some(None),
        Some(value) => match serde_json::from_value::<Verification>(value) {
            Ok(verification) => {
                check_verification(&verification, &mut errors);
                Some(Some(verification))
            }
            Err(err) => {
                errors.push(clickwire_model::FieldError {
                    path: "verification".into(),
                    message: err.to_string(),
                });
                None
            }
        },
    };
    let window = request
        .dedup
        .as_ref()
        .and_then(|d| d.window.as_deref())
        .and_then(|w| dedup_window(w, &mut errors));
    let rule = request.dedup.as_ref().map(|d| dedup_rule(d, &mut errors));
    let origins = request.origins.as_ref().unwrap_or(&current.origins);
    let next_verification = verification.clone().unwrap_or(current.verification.clone());
    let next_rule = rule.clone().unwrap_or(current.dedup_rule.clone());
    check_kind_settings(
        current.kind,
        origins,
        next_verification.as_ref(),
        next_rule.as_ref(),
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let patch = SourcePatch {
        name: request.name,
        origins: request.origins,
        rate_limit: request.rate_limit,
        ip_allow: request.ip_allow,
        ip_deny: request.ip_deny,
        verification,
        dedup_rule: rule,
        dedup_window_ms: window.map(|w| w.as_millis() as i64),
    };
    let source = state
        .source_store
        .update_source(&tenant, &id, patch)
        .await?;
    state.sources.forget(&id);
    Ok(Json(source.into()))
}

/// Handles `DELETE /v1/sources/{id}`: its pipeline keys stop working at once.
#[utoipa::path(
    delete,
    path = "/v1/sources/{id}",
    operation_id = "delete_source",
    tag = tag::SOURCES,
    summary = "Delete a source",
    description = "Its pipeline keys stop working at once. Server and admin keys, on the key's own tenant (another tenant's source is 404).",
    security(("api_key" = []), ("bearer" = []), ("query_key" = [])),
    params(
        ("id" = String, Path, description = "The source's id, `src_…`."),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, description = "`invalid_api_key`: the key is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not a server or admin key, or an operator key.", body = Error),
        (status = 404, description = "`not_found`: no source with this id in the key's tenant.", body = Error),
        (status = 503, description = "`overloaded` or `storage_unavailable` (`Retry-After`).", body = Error),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let tenant = tenant_of(&state, &headers, query.as_deref()).await?;
    state.source_store.delete_source(&tenant, &id).await?;
    state.sources.forget(&id);
    Ok(StatusCode::NO_CONTENT)
}
