//! First start: while the catalog holds no admin key at all (a new data directory, or one
//! where the CLI made tenants or non-admin keys before the first `serve`), the start creates
//! tenant `default` on tier `network` (or keeps the one the CLI made, with its tier), a
//! pipeline source `default` (no browser origins, the default rate limit), one key of each
//! kind for the tenant (its `admin` key manages `default` only; its `pipeline` key belongs
//! to the source) and one operator key (an admin key bound to no tenant, which manages every
//! tenant), written to `<data>/bootstrap-credentials.json` (mode 0600). Once any admin key
//! exists, live or revoked, starts create nothing.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use clickwire_store::{Catalog, KeyKind, NewKey, NewSource, SourceKind, Sources, StoreError, Tier};

use crate::sources::settings::{DEFAULT_DEDUP_WINDOW, DEFAULT_RATE_LIMIT};
use serde::Serialize;

/// The file the first start writes into the data directory.
pub const CREDENTIALS_FILE: &str = "bootstrap-credentials.json";
const DEFAULT_TENANT: &str = "default";
const DEFAULT_TIER: Tier = Tier::Network;
/// The name of the operator key in the credentials file.
const OPERATOR: &str = "operator";

#[derive(Serialize)]
struct Credentials {
    tenant: &'static str,
    tier: Tier,
    /// The id of the pipeline source the pipeline key belongs to.
    source: String,
    keys: BTreeMap<&'static str, String>,
}

/// Creates the default tenant and keys when the catalog is empty; returns the file written.
pub async fn bootstrap(
    catalog: &dyn Catalog,
    sources: &dyn Sources,
    data: &Path,
) -> Result<Option<PathBuf>, StoreError> {
    if catalog.has_admin_keys().await? {
        return Ok(None);
    }
    let existing = catalog.list_tenants().await?;
    let tier = match existing.iter().find(|t| t.name == DEFAULT_TENANT) {
        Some(tenant) => tenant.tier,
        None => {
            catalog
                .create_tenant(DEFAULT_TENANT, DEFAULT_TIER)
                .await?
                .tier
        }
    };
    let source = sources
        .create_source(NewSource {
            tenant: DEFAULT_TENANT.into(),
            name: DEFAULT_TENANT.into(),
            kind: SourceKind::Pipeline,
            origins: Vec::new(),
            rate_limit: DEFAULT_RATE_LIMIT,
            ip_allow: Vec::new(),
            ip_deny: Vec::new(),
            verification: None,
            dedup_rule: None,
            expires_at: None,
            request_limit: None,
            dedup_window_ms: DEFAULT_DEDUP_WINDOW.as_millis() as i64,
        })
        .await?;
    let mut keys = BTreeMap::new();
    for kind in KeyKind::ALL {
        let new = NewKey {
            source: (kind == KeyKind::Pipeline).then(|| source.id.clone()),
            ..NewKey::for_tenant(DEFAULT_TENANT, kind)
        };
        let (_, key) = catalog.create_key(new).await?;
        keys.insert(kind.as_str(), key);
    }
    let (_, operator) = catalog.create_key(NewKey::operator()).await?;
    keys.insert(OPERATOR, operator);
    let credentials = Credentials {
        tenant: DEFAULT_TENANT,
        tier,
        source: source.id,
        keys,
    };
    let path = data.join(CREDENTIALS_FILE);
    write_private(&path, &credentials)?;
    Ok(Some(path))
}

/// Writes `value` as JSON to a file only the owner can read.
fn write_private(path: &Path, value: &impl Serialize) -> Result<(), StoreError> {
    let mut json =
        serde_json::to_vec_pretty(value).map_err(|err| StoreError::Invalid(err.to_string()))?;
    json.push(b'\n');
    Ok(crate::private_file::write_private(path, &json)?)
}
