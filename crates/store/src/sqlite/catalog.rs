//! Tenants and API keys in SQLite. Every call runs on the blocking pool; keys are stored as
//! SHA-256 hashes with a short display prefix.

use std::{path::Path, sync::Arc, time::Duration};

use rusqlite::{params, OptionalExtension, Row};

use super::{
    columns::{json, now_ms},
    open_db,
    pool::Pool,
    DB_FILE,
};
use crate::{
    keys, AuthKey, Catalog, KeyKind, KeyRecord, NewKey, StoreError, StoreFuture, Tenant, Tier,
};

/// The catalog of a data directory.
pub struct SqliteCatalog {
    pool: Arc<Pool>,
}

impl SqliteCatalog {
    /// Opens (creating and migrating when needed) the catalog of `dir`.
    pub fn open(dir: &Path, busy_timeout: Duration) -> Result<Self, StoreError> {
        drop(open_db(dir, busy_timeout)?);
        Ok(Self {
            pool: Arc::new(Pool::new(&dir.join(DB_FILE), busy_timeout, 2)),
        })
    }
}

fn parse_col<T: std::str::FromStr>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let text: String = row.get(idx)?;
    text.parse().map_err(|err| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(err))
    })
}

const KEY_COLUMNS: &str =
    "id, prefix, tenant, kind, origins, source, created_at, revoked_at, expires_at";

fn key_record(row: &Row<'_>) -> rusqlite::Result<KeyRecord> {
    Ok(KeyRecord {
        id: row.get(0)?,
        prefix: row.get(1)?,
        tenant: row.get(2)?,
        kind: parse_col(row, 3)?,
        origins: json(row, 4)?,
        source: row.get(5)?,
        created_at: row.get(6)?,
        revoked_at: row.get(7)?,
        expires_at: row.get(8)?,
    })
}

/// Live keys at `?1` (ms): unrevoked and unexpired. Operator keys have no tenant row,
/// hence the outer join.
const AUTH_SELECT: &str = "SELECT k.id, k.hash, COALESCE(k.tenant, ''),
    COALESCE(t.tier, 'free'), k.kind, k.origins, k.source, k.expires_at
    FROM api_keys k LEFT JOIN tenants t ON t.name = k.tenant
    WHERE k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > ?1)
      AND (k.tenant IS NULL) = (t.name IS NULL)";

fn auth_key(row: &Row<'_>) -> rusqlite::Result<AuthKey> {
    Ok(AuthKey {
        id: row.get(0)?,
        hash: row.get(1)?,
        tenant: row.get(2)?,
        tier: parse_col(row, 3)?,
        kind: parse_col(row, 4)?,
        origins: json(row, 5)?,
        source: row.get(6)?,
        expires_at: row.get(7)?,
    })
}

fn tenant(row: &Row<'_>) -> rusqlite::Result<Tenant> {
    Ok(Tenant {
        name: row.get(0)?,
        tier: parse_col(row, 1)?,
        created_at: row.get(2)?,
    })
}

/// Tenant names are used in URLs, logs and the analytics index: keep them plain.
fn check_tenant_name(name: &str) -> Result<(), StoreError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "tenant name `{name}` must be 1–64 characters of a-z, A-Z, 0-9, '-' or '_'"
        )))
    }
}

/// A key belongs to an existing tenant, or to none when it is an operator key.
fn check_key_scope(conn: &rusqlite::Connection, new: &NewKey) -> Result<(), StoreError> {
    let Some(tenant) = &new.tenant else {
        return if new.kind == KeyKind::Admin {
            Ok(())
        } else {
            Err(StoreError::Invalid(format!(
                "a {} key needs a tenant; only admin keys may be operator keys",
                new.kind
            )))
        };
    };
    let exists: Option<String> = conn
        .query_row("SELECT name FROM tenants WHERE name = ?1", [tenant], |r| {
            r.get(0)
        })
        .optional()?;
    if exists.is_none() {
        return Err(StoreError::NotFound(format!("tenant `{tenant}`")));
    }
    check_key_source(conn, tenant, new)
}

/// A pipeline key names a pipeline source of its own tenant; other kinds may name any
/// source of their tenant, or none.
fn check_key_source(
    conn: &rusqlite::Connection,
    tenant: &str,
    new: &NewKey,
) -> Result<(), StoreError> {
    let Some(source) = &new.source else {
        return if new.kind == KeyKind::Pipeline {
            Err(StoreError::Invalid(
                "a pipeline key belongs to a source: name it (`source`, `--source src_…`)".into(),
            ))
        } else {
            Ok(())
        };
    };
    let kind: Option<String> = conn
        .query_row(
            "SELECT kind FROM sources WHERE id = ?1 AND tenant = ?2 AND deleted_at IS NULL",
            [source, tenant],
            |r| r.get(0),
        )
        .optional()?;
    match kind.as_deref() {
        None => Err(StoreError::NotFound(format!(
            "source `{source}` of tenant `{tenant}`"
        ))),
        Some(kind) if new.kind == KeyKind::Pipeline && kind != "pipeline" => {
            Err(StoreError::Invalid(format!(
                "source `{source}` is a {kind} source, not a pipeline source"
            )))
        }
        Some(_) => Ok(()),
    }
}

impl Catalog for SqliteCatalog {
    fn has_admin_keys(&self) -> StoreFuture<'_, bool> {
        Box::pin(self.pool.run(|conn| {
            let found: bool = conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM api_keys WHERE kind = 'admin')",
                [],
                |r| r.get(0),
            )?;
            Ok(found)
        }))
    }

    fn create_tenant(&self, name: &str, tier: Tier) -> StoreFuture<'_, Tenant> {
        let name = name.to_owned();
        Box::pin(self.pool.run(move |conn| {
            check_tenant_name(&name)?;
            let created_at = now_ms();
            let inserted = conn.execute(
                "INSERT INTO tenants (name, tier, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(name) DO NOTHING",
                params![name, tier.as_str(), created_at],
            )?;
            if inserted == 0 {
                return Err(StoreError::Conflict(format!("tenant `{name}`")));
            }
            Ok(Tenant {
                name,
                tier,
                created_at,
            })
        }))
    }

    fn list_tenants(&self) -> StoreFuture<'_, Vec<Tenant>> {
        Box::pin(self.pool.run(|conn| {
            let mut stmt =
                conn.prepare("SELECT name, tier, created_at FROM tenants ORDER BY name")?;
            let rows = stmt.query_map([], tenant)?;
            Ok(rows.collect::<Result<_, _>>()?)
        }))
    }

    fn create_key(&self, new: NewKey) -> StoreFuture<'_, (KeyRecord, String)> {
        Box::pin(self.pool.run(move |conn| {
            check_key_scope(conn, &new)?;
            let key = keys::generate(new.kind, new.test);
            let record = KeyRecord {
                id: format!("key_{}", ulid::Ulid::new()),
                prefix: keys::display_prefix(&key),
                tenant: new.tenant,
                kind: new.kind,
                origins: new.origins,
                source: new.source,
                created_at: now_ms(),
                revoked_at: None,
                expires_at: new.expires_at,
            };
            let origins = serde_json::to_string(&record.origins)
                .map_err(|err| StoreError::Invalid(err.to_string()))?;
            conn.execute(
                "INSERT INTO api_keys
                   (id, hash, prefix, tenant, kind, origins, source, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    record.id,
                    keys::hash(&key),
                    record.prefix,
                    record.tenant,
                    record.kind.as_str(),
                    origins,
                    record.source,
                    record.created_at,
                    record.expires_at
                ],
            )?;
            Ok((record, key))
        }))
    }

    fn list_keys(&self, tenant: Option<&str>) -> StoreFuture<'_, Vec<KeyRecord>> {
        let tenant = tenant.map(str::to_owned);
        Box::pin(self.pool.run(move |conn| {
            let sql = format!(
                "SELECT {KEY_COLUMNS} FROM api_keys WHERE ?1 IS NULL OR tenant = ?1
                 ORDER BY tenant, created_at, id"
            );
            let mut stmt = conn.prepare(&sql)?;
            let rows = stmt.query_map([tenant], key_record)?;
            Ok(rows.collect::<Result<_, _>>()?)
        }))
    }

    fn revoke_key(&self, id: &str, within: Option<&str>) -> StoreFuture<'_, KeyRecord> {
        let id = id.to_owned();
        let within = within.map(str::to_owned);
        Box::pin(self.pool.run(move |conn| {
            let scoped = "id = ?1 AND (?2 IS NULL OR tenant = ?2)";
            conn.execute(
                &format!(
                    "UPDATE api_keys SET revoked_at = ?3 WHERE {scoped} AND revoked_at IS NULL"
                ),
                params![id, within, now_ms()],
            )?;
            let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE {scoped}");
            conn.query_row(&sql, params![id, within], key_record)
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("key `{id}`")))
        }))
    }

    fn find_key(&self, hash: &str) -> StoreFuture<'_, Option<AuthKey>> {
        let hash = hash.to_owned();
        Box::pin(self.pool.run(move |conn| {
            let sql = format!("{AUTH_SELECT} AND k.hash = ?2");
            let mut stmt = conn.prepare_cached(&sql)?;
            Ok(stmt
                .query_row(params![now_ms(), hash], auth_key)
                .optional()?)
        }))
    }

    fn live_keys(&self) -> StoreFuture<'_, Vec<AuthKey>> {
        Box::pin(self.pool.run(|conn| {
            let mut stmt = conn.prepare_cached(AUTH_SELECT)?;
            let rows = stmt.query_map([now_ms()], auth_key)?;
            Ok(rows.collect::<Result<_, _>>()?)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> (tempfile::TempDir, SqliteCatalog) {
        let dir = tempfile::tempdir().expect("temp dir");
        let catalog = SqliteCatalog::open(dir.path(), Duration::from_secs(5)).expect("open");
        (dir, catalog)
    }

    async fn with_tenants(names: &[&str]) -> (tempfile::TempDir, SqliteCatalog) {
        let (dir, catalog) = catalog();
        for name in names {
            catalog
                .create_tenant(name, Tier::Scale)
                .await
                .expect("tenant");
        }
        (dir, catalog)
    }

    #[tokio::test]
    async fn a_created_key_is_found_by_its_hash_until_revoked() {
        let (_dir, catalog) = catalog();
        catalog
            .create_tenant("acme", Tier::Scale)
            .await
            .expect("tenant");
        let new = NewKey {
            origins: vec!["*.acme.test".into()],
            ..NewKey::for_tenant("acme", KeyKind::Website)
        };
        let (record, key) = catalog.create_key(new).await.expect("key");
        let found = catalog.find_key(&keys::hash(&key)).await.expect("find");
        let found = found.expect("live key");
        assert_eq!(found.tier, Tier::Scale);
        assert_eq!(found.origins, vec!["*.acme.test".to_string()]);
        let revoked = catalog.revoke_key(&record.id, None).await.expect("revoke");
        assert!(revoked.revoked_at.is_some());
        assert!(catalog
            .find_key(&keys::hash(&key))
            .await
            .expect("find")
            .is_none());
    }

    #[tokio::test]
    async fn admin_keys_count_once_created_even_revoked_and_other_kinds_do_not() {
        let (_dir, catalog) = with_tenants(&["acme"]).await;
        assert!(!catalog.has_admin_keys().await.expect("query"));
        let website = NewKey::for_tenant("acme", KeyKind::Website);
        catalog.create_key(website).await.expect("key");
        assert!(!catalog.has_admin_keys().await.expect("query"));
        let (admin, _) = catalog
            .create_key(NewKey::for_tenant("acme", KeyKind::Admin))
            .await
            .expect("key");
        catalog.revoke_key(&admin.id, None).await.expect("revoke");
        assert!(catalog.has_admin_keys().await.expect("query"));
    }

    #[tokio::test]
    async fn a_tenant_name_is_taken_once() {
        let (_dir, catalog) = catalog();
        catalog
            .create_tenant("acme", Tier::Free)
            .await
            .expect("tenant");
        let again = catalog.create_tenant("acme", Tier::Free).await;
        assert!(matches!(again, Err(StoreError::Conflict(_))));
    }

    #[tokio::test]
    async fn a_key_for_an_unknown_tenant_is_refused() {
        let (_dir, catalog) = catalog();
        let result = catalog
            .create_key(NewKey::for_tenant("ghost", KeyKind::Server))
            .await;
        assert!(matches!(result, Err(StoreError::NotFound(_))));
    }

    #[tokio::test]
    async fn an_operator_key_belongs_to_no_tenant_and_only_admin_keys_can_be_one() {
        let (_dir, catalog) = with_tenants(&["acme"]).await;
        let (record, key) = catalog.create_key(NewKey::operator()).await.expect("key");
        assert!(record.is_operator());
        let found = catalog.find_key(&keys::hash(&key)).await.expect("find");
        assert!(found.expect("live").is_operator());
        let server = NewKey {
            tenant: None,
            ..NewKey::for_tenant("acme", KeyKind::Server)
        };
        let refused = catalog.create_key(server).await;
        assert!(matches!(refused, Err(StoreError::Invalid(_))));
    }

    #[tokio::test]
    async fn an_expired_key_is_not_live() {
        let (_dir, catalog) = with_tenants(&["acme"]).await;
        let new = NewKey {
            expires_at: Some(now_ms() - 1),
            ..NewKey::for_tenant("acme", KeyKind::Server)
        };
        let (_, key) = catalog.create_key(new).await.expect("key");
        assert!(catalog
            .find_key(&keys::hash(&key))
            .await
            .expect("find")
            .is_none());
        assert!(catalog.live_keys().await.expect("live").is_empty());
    }

    #[tokio::test]
    async fn a_key_is_revoked_by_its_id_only_and_only_within_its_tenant() {
        let (_dir, catalog) = with_tenants(&["acme", "other"]).await;
        let (record, key) = catalog
            .create_key(NewKey::for_tenant("acme", KeyKind::Server))
            .await
            .expect("key");
        let by_key = catalog.revoke_key(&key, None).await;
        assert!(matches!(by_key, Err(StoreError::NotFound(_))));
        let elsewhere = catalog.revoke_key(&record.id, Some("other")).await;
        assert!(matches!(elsewhere, Err(StoreError::NotFound(_))));
        let live = catalog.find_key(&keys::hash(&key)).await.expect("find");
        assert!(live.is_some(), "a refused revoke leaves the key working");
        let revoked = catalog.revoke_key(&record.id, Some("acme")).await;
        assert!(revoked.expect("revoked").revoked_at.is_some());
    }
}
