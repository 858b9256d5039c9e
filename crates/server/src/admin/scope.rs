//! Who may administer what. An operator key (an admin key bound to no tenant) manages
//! every tenant; a tenant admin key manages its own tenant only. Every admin route first
//! takes the caller's [`AdminScope`], then asks it about each object it touches: another
//! tenant's objects answer 404, as if they did not exist, and operator-only actions 403.

use axum::http::HeaderMap;
use clickwire_store::KeyKind;

use crate::{
    auth::{request_key, require_kind},
    error::ApiError,
    state::AppState,
};

/// What the calling admin key may manage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminScope {
    /// Every tenant, and tenants themselves.
    Operator,
    /// This tenant's objects only.
    Tenant(String),
}

/// Authenticates an admin key (from headers only: admin keys never ride in a URL) and
/// returns its scope.
pub async fn admin_scope(state: &AppState, headers: &HeaderMap) -> Result<AdminScope, ApiError> {
    let key = request_key(headers, None);
    let key = state.keys.authenticate(key.as_deref()).await?;
    require_kind(&key, &[KeyKind::Admin], "use the admin API")?;
    Ok(if key.is_operator() {
        AdminScope::Operator
    } else {
        AdminScope::Tenant(key.tenant.clone())
    })
}

/// Authenticates an admin key bound to a tenant, for what only that tenant's own admins
/// may do (reveal its personal data, read its audit log); an operator key gets 403.
pub async fn tenant_admin(
    state: &AppState,
    headers: &HeaderMap,
    what: &str,
) -> Result<std::sync::Arc<clickwire_store::AuthKey>, ApiError> {
    let key = request_key(headers, None);
    let key = state.keys.authenticate(key.as_deref()).await?;
    require_kind(&key, &[KeyKind::Admin], what)?;
    if key.is_operator() {
        return Err(ApiError::Forbidden(format!(
            "an operator key cannot {what}; use an admin key of the tenant"
        )));
    }
    Ok(key)
}

impl AdminScope {
    /// Refuses `what` (403 `forbidden`) unless the caller is an operator.
    pub fn require_operator(&self, what: &str) -> Result<(), ApiError> {
        match self {
            AdminScope::Operator => Ok(()),
            AdminScope::Tenant(_) => Err(ApiError::Forbidden(format!(
                "a tenant admin key cannot {what}; use an operator key"
            ))),
        }
    }

    /// Succeeds when `tenant`'s objects are in scope; otherwise the tenant is not found.
    pub fn check_tenant(&self, tenant: &str) -> Result<(), ApiError> {
        match self {
            AdminScope::Tenant(own) if own != tenant => {
                Err(ApiError::NotFound(format!("tenant `{tenant}`")))
            }
            _ => Ok(()),
        }
    }

    /// The tenant a request is about: the one it names (which must be in scope) or, when it
    /// names none, the caller's own (`None` for an operator: every tenant).
    pub fn tenant_or_own(&self, named: Option<String>) -> Result<Option<String>, ApiError> {
        match (named, self) {
            (Some(named), _) => self.check_tenant(&named).map(|()| Some(named)),
            (None, AdminScope::Tenant(own)) => Ok(Some(own.clone())),
            (None, AdminScope::Operator) => Ok(None),
        }
    }

    /// The tenant store calls are confined to: `None` for an operator.
    pub fn within(&self) -> Option<&str> {
        match self {
            AdminScope::Operator => None,
            AdminScope::Tenant(own) => Some(own),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acme() -> AdminScope {
        AdminScope::Tenant("acme".into())
    }

    #[test]
    fn a_tenant_admin_sees_its_own_tenant_and_no_other() {
        assert!(acme().check_tenant("acme").is_ok());
        let err = acme().check_tenant("other").expect_err("out of scope");
        assert_eq!(err.code(), "not_found");
        assert_eq!(
            acme().tenant_or_own(None).expect("own"),
            Some("acme".into())
        );
    }

    #[test]
    fn an_operator_sees_every_tenant_and_may_do_operator_actions() {
        let operator = AdminScope::Operator;
        assert!(operator.check_tenant("anything").is_ok());
        assert_eq!(operator.tenant_or_own(None).expect("all"), None);
        assert!(operator.require_operator("create tenants").is_ok());
        let err = acme().require_operator("create tenants").expect_err("403");
        assert_eq!(err.code(), "forbidden");
    }
}
