//! Tenants and API keys: the types and the [`Catalog`] trait every backend implements.

use std::{fmt, str::FromStr};

use serde::Serialize;

use crate::StoreFuture;

/// A tenant's plan, which sets its rate limits and the features it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
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
    /// Operator key (`cw_admin_`): the admin API and read-back.
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

fn parse_named<T: Copy>(
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
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub name: String,
    pub tier: Tier,
    pub created_at: i64,
}

/// What a caller asks for when creating a key.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub tenant: String,
    pub kind: KeyKind,
    /// Allowed browser origins (website keys); `*.example.com` matches subdomains.
    pub origins: Vec<String>,
    /// Optional source the key belongs to.
    pub source: Option<String>,
}

/// A key as listings show it: never the key itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyRecord {
    pub id: String,
    pub prefix: String,
    pub tenant: String,
    pub kind: KeyKind,
    pub origins: Vec<String>,
    pub source: Option<String>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// What authentication learns from a live key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthKey {
    pub id: String,
    pub hash: String,
    pub tenant: String,
    pub tier: Tier,
    pub kind: KeyKind,
    pub origins: Vec<String>,
    pub source: Option<String>,
}

/// Tenants and keys. Keys are stored only as hashes.
pub trait Catalog: Send + Sync {
    /// True while the catalog has no tenant at all (a fresh data directory).
    fn is_empty(&self) -> StoreFuture<'_, bool>;
    fn create_tenant(&self, name: &str, tier: Tier) -> StoreFuture<'_, Tenant>;
    fn list_tenants(&self) -> StoreFuture<'_, Vec<Tenant>>;
    /// Creates a key and returns its record with the key itself, which is shown only once.
    fn create_key(&self, new: NewKey) -> StoreFuture<'_, (KeyRecord, String)>;
    fn list_keys(&self, tenant: Option<&str>) -> StoreFuture<'_, Vec<KeyRecord>>;
    /// Revokes by key id (`key_…`) or by the key itself.
    fn revoke_key(&self, key_or_id: &str) -> StoreFuture<'_, KeyRecord>;
    /// The live (unrevoked) key with this hash, if any.
    fn find_key(&self, hash: &str) -> StoreFuture<'_, Option<AuthKey>>;
    /// Every live key, for the authentication cache.
    fn live_keys(&self) -> StoreFuture<'_, Vec<AuthKey>>;
}
