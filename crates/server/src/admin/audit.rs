//! `GET /v1/admin/audit`: the audit log of the admin key's own tenant, newest first;
//! `limit` (1–1000, default 100) and `cursor` (the previous page's `next_cursor`).

use axum::{
    extract::{RawQuery, State},
    http::HeaderMap,
    Json,
};
use clickwire_model::FieldError;
use clickwire_store::{AuditEntry, AuditQuery};
use serde::Serialize;
use utoipa::ToSchema;

use super::tenant_admin;
use crate::{
    error::{ApiError, ErrorBody as Error},
    openapi::tag,
    state::AppState,
};

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;

#[derive(Serialize, ToSchema)]
pub struct AuditList {
    /// Newest first.
    entries: Vec<AuditEntry>,
    /// Pass back as `?cursor=` for the next page; `null` on the last.
    next_cursor: Option<String>,
}

/// Lists audit entries.
#[utoipa::path(
    get,
    path = "/v1/admin/audit",
    operation_id = "list_audit",
    tag = tag::ADMIN,
    summary = "Read the audit log",
    description = "The audit log of the admin key's own tenant, newest first.",
    security(("api_key" = []), ("bearer" = [])),
    params(
        ("limit" = Option<u32>, Query, description = "Entries per page, 1 to 1000 (default 100)."),
        ("cursor" = Option<String>, Query, description = "The previous page's `next_cursor`."),
    ),
    responses(
        (status = 200, description = "A page of entries.", body = AuditList),
        (status = 400, description = "`validation_error`: a bad `limit` or `cursor`.", body = Error),
        (status = 401, description = "`invalid_api_key`: the key (in a header: admin keys never ride in a URL) is missing, unknown, revoked or expired.", body = Error),
        (status = 403, description = "`forbidden`: not an admin key, or an operator key (only the tenant's own admins may).", body = Error),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<AuditList>, ApiError> {
    let key = tenant_admin(&state, &headers, "read the audit log").await?;
    let query = parse_query(&key.tenant, query.as_deref().unwrap_or_default())?;
    let page = state.vault.audit(query).await?;
    Ok(Json(AuditList {
        entries: page.entries,
        next_cursor: page.next_before.map(|id| id.to_string()),
    }))
}

fn parse_query(tenant: &str, raw: &str) -> Result<AuditQuery, ApiError> {
    let mut query = AuditQuery {
        tenant: tenant.to_owned(),
        before: None,
        limit: DEFAULT_LIMIT,
    };
    let mut errors = Vec::new();
    for (name, value) in url::form_urlencoded::parse(raw.as_bytes()) {
        let mut fail = |message: &str| {
            errors.push(FieldError {
                path: name.to_string(),
                message: message.to_owned(),
            })
        };
        match name.as_ref() {
            "limit" => match value.parse::<usize>() {
                Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => query.limit = limit,
                _ => fail("must be a whole number from 1 to 1000"),
            },
            "cursor" => match value.parse::<i64>() {
                Ok(id) if id > 0 => query.before = Some(id),
                _ => fail("must be a cursor returned by this API"),
            },
            _ => {}
        }
    }
    if errors.is_empty() {
        Ok(query)
    } else {
        Err(ApiError::Validation(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_and_cursor_are_read_and_bad_ones_reported() {
        let query = parse_query("t", "limit=2&cursor=9").expect("valid");
        assert_eq!((query.limit, query.before), (2, Some(9)));
        let Err(ApiError::Validation(errors)) = parse_query("t", "limit=0&cursor=x") else {
            panic!("expected a validation error");
        };
        assert_eq!(errors.len(), 2);
    }
}
