//! Tenants and API keys: the types and the [`Catalog`] trait every backend implements.

use std::{fmt, str::FromStr};

use serde::Serialize;

use crate::StoreFuture;

/// A tenant's plan, which sets its rate limits and the features it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Free,
    Builder,
    Scale,
    Network,
    Custom,
}

impl Tier {
    pub const ALL: [Tier; 5] = [
        Tier::Free,
        Tier::Builder,
        Tier::Scale,
        Tier::Network,
        Tier::Custom,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Free => "free",
            Tier::Builder => "builder",
            Tier::Scale => "scale",
            Tier::Network => "network",
            Tier::Custom => "custom",
        }
    }
}

/// The kinds of API key, each with its own prefix and permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum KeyKind {
    /// Browser key (`cs_live_`): ingest, Origin-gated when the key has origins.
    Website,
    /// Native app key (`cs_mob_live_`): ingest, never Origin-gated.
    Mobile,
    /// Backend key (`cs_srv_live_`): ingest and read-back, never Origin-gated.
    Server,
    /// Datafly Signal pipeline key (`dk_live_`).
    Pipeline,
    /// Admin key (`cw_admin_`): the admin API and read-back. Bound to a tenant, it manages
    /// that tenant only; bound to none, it is an operator key that manages every tenant.
    Admin,
}

impl KeyKind {
    pub const ALL: [KeyKind; 5] = [
        KeyKind::Admin,
        KeyKind::Website,
        KeyKind::Mobile,
        KeyKind::Server,
        KeyKind::Pipeline,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Website => "website",
            KeyKind::Mobile => "mobile",
            KeyKind::Server => "server",
            KeyKind::Pipeline => "pipeline",
            KeyKind::Admin => "admin",
        }
    }

    /// The prefix of newly created test keys of this kind (`dk_test_`, `cs_test_`); kinds
    /// without a test form use their live prefix.
    pub fn test_prefix(self) -> &'static str {
        match self {
            KeyKind::Website => "cs_test_",
            KeyKind::Pipeline => "dk_test_",
            other => other.prefix(),
        }
    }

    /// The prefix of newly created keys of this kind.
    pub fn prefix(self) -> &'static str {
        match self {
            KeyKind::Website => "cs_live_",
            KeyKind::Mobile => "cs_mob_live_",
            KeyKind::Server => "cs_srv_live_",
            KeyKind::Pipeline => "dk_live_",
            KeyKind::Admin => "cw_admin_",
        }
    }
}

/// The error of parsing a [`Tier`] or [`KeyKind`] from text.
#[derive(Debug, thiserror::Error)]
#[error("unknown {what} `{value}` (expected one of: {expected})")]
pub struct ParseNameError {
    what: &'static str,
    value: String,
    expected: String,
}

pub(crate) fn parse_named<T: Copy>(
    what: &'static str,
    value: &str,
    all: &[T],
    name: fn(T) -> &'static str,
) -> Result<T, ParseNameError> {
    all.iter()
        .copied()
        .find(|item| name(*item) == value)
        .ok_or_else(|| ParseNameError {
            what,
            value: value.to_owned(),
            expected: all.iter().map(|t| name(*t)).collect::<Vec<_>>().join(", "),
        })
}

impl FromStr for Tier {
    type Err = ParseNameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_named("tier", s, &Tier::ALL, Tier::as_str)
    }
}

impl FromStr for KeyKind {
    type Err = ParseNameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_named("key kind", s, &KeyKind::ALL, KeyKind::as_str)
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A tenant: the unit of isolation. Its name is its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub name: String,
    pub tier: Tier,
    pub created_at: i64,
}

/// What a caller asks for when creating a key.
#[derive(Debug, Clone)]
pub struct NewKey {
    /// The tenant the key belongs to; `None` only for an operator key (kind admin).
    pub tenant: Option<String>,
    pub kind: KeyKind,
    /// Allowed browser origins (website keys); `*.example.com` matches subdomains.
    pub origins: Vec<String>,
    /// The source the key belongs to: required for pipeline keys, which must name a
    /// pipeline source of their tenant.
    pub source: Option<String>,
    /// When the key stops working (ms since the epoch); `None`: never.
    pub expires_at: Option<i64>,
    /// A test key (`dk_test_…`): the same rights, a prefix that tells it apart.
    pub test: bool,
}

impl NewKey {
    /// A key of `kind` for `tenant` that never expires, with no origins and no source.
    pub fn for_tenant(tenant: &str, kind: KeyKind) -> Self {
        Self {
            tenant: Some(tenant.to_owned()),
            kind,
            origins: Vec::new(),
            source: None,
            expires_at: None,
            test: false,
        }
    }

    /// An operator key: an admin key bound to no tenant.
    pub fn operator() -> Self {
        Self {
            tenant: None,
            kind: KeyKind::Admin,
            origins: Vec::new(),
            source: None,
            expires_at: None,
            test: false,
        }
    }
}

/// A key as listings show it: never the key itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct KeyRecord {
    pub id: String,
    pub prefix: String,
    /// `None` for an operator key.
    pub tenant: Option<String>,
    pub kind: KeyKind,
    pub origins: Vec<String>,
    pub source: Option<String>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub expires_at: Option<i64>,
}

impl KeyRecord {
    /// True for an admin key bound to no tenant.
    pub fn is_operator(&self) -> bool {
        self.kind == KeyKind::Admin && self.tenant.is_none()
    }
}

/// What authentication learns from a live key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthKey {
    pub id: String,
    pub hash: String,
    /// The key's tenant; empty for an operator key, which belongs to no tenant (and so
    /// matches no tenant's data: tenant names are never empty).
    pub tenant: String,
    /// The tenant's tier (`free` for an operator key).
    pub tier: Tier,
    pub kind: KeyKind,
    pub origins: Vec<String>,
    pub source: Option<String>,
    /// When the key stops working (ms since the epoch); `None`: never.
    pub expires_at: Option<i64>,
}

impl AuthKey {
    /// True for an admin key bound to no tenant.
    pub fn is_operator(&self) -> bool {
        self.kind == KeyKind::Admin && self.tenant.is_empty()
    }

    /// True once the key's expiry has passed at `now_ms`.
    pub fn is_expired(&self, now_ms: i64) -> bool {
        self.expires_at.is_some_and(|at| at <= now_ms)
    }
}

/// Tenants and keys. Keys are stored only as hashes.
pub trait Catalog: Send + Sync {
    /// True once any admin key (a tenant's or an operator's, live or revoked) was created:
    /// someone can administer, or could and chose to revoke, so a start must not
    /// bootstrap new credentials.
    fn has_admin_keys(&self) -> StoreFuture<'_, bool>;
    fn create_tenant(&self, name: &str, tier: Tier) -> StoreFuture<'_, Tenant>;
    fn list_tenants(&self) -> StoreFuture<'_, Vec<Tenant>>;
    /// Creates a key and returns its record with the key itself, which is shown only once.
    fn create_key(&self, new: NewKey) -> StoreFuture<'_, (KeyRecord, String)>;
    /// Keys of one tenant, or (`None`) every key, operator keys included.
    fn list_keys(&self, tenant: Option<&str>) -> StoreFuture<'_, Vec<KeyRecord>>;
    /// Revokes the key with id `id` (`key_…`), only when it belongs to tenant `within`
    /// (`None`: whatever its tenant); `NotFound` otherwise. Revoking twice keeps the first
    /// time.
    fn revoke_key(&self, id: &str, within: Option<&str>) -> StoreFuture<'_, KeyRecord>;
    /// The live (unrevoked, unexpired) key with this hash, if any.
    fn find_key(&self, hash: &str) -> StoreFuture<'_, Option<AuthKey>>;
    /// Every live (unrevoked, unexpired) key, for the authentication cache.
    fn live_keys(&self) -> StoreFuture<'_, Vec<AuthKey>>;
}
