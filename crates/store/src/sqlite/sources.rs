//! [`Sources`] in SQLite: one row per source; a delete stamps `deleted_at`, after which
//! every call treats the source as gone (its id is never reused).

use std::{path::Path, sync::Arc, time::Duration};

use rusqlite::{params, OptionalExtension, Row};

use super::{
    columns::{json, json_or_null, now_ms, opt_json, to_json},
    open_db,
    pool::Pool,
    DB_FILE,
};
use crate::{
    sources::{new_signing_secret, new_source_id},
    NewSource, Source, SourcePatch, Sources, StoreError, StoreFuture,
};

/// The sources of a data directory.
pub struct SqliteSources {
    pool: Arc<Pool>,
}

impl SqliteSources {
    /// Opens (creating and migrating when needed) the sources of `dir`.
    pub fn open(dir: &Path, busy_timeout: Duration) -> Result<Self, StoreError> {
        drop(open_db(dir, busy_timeout)?);
        Ok(Self {
            pool: Arc::new(Pool::new(&dir.join(DB_FILE), busy_timeout, 1)),
        })
    }
}

const COLUMNS: &str = "id, tenant, name, kind, origins, rate_limit, signing_secret, ip_allow,
    ip_deny, verification, dedup_rule, dedup_window_ms, expires_at, request_limit, request_count,
    created_at, updated_at";

fn source(row: &Row<'_>) -> rusqlite::Result<Source> {
    let kind: String = row.get(3)?;
    Ok(Source {
        id: row.get(0)?,
        tenant: row.get(1)?,
        name: row.get(2)?,
        kind: kind.parse().map_err(|err| {
            rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, Box::new(err))
        })?,
        origins: json(row, 4)?,
        rate_limit: row.get(5)?,
        signing_secret: row.get(6)?,
        ip_allow: json(row, 7)?,
        ip_deny: json(row, 8)?,
        verification: json_or_null(row, 9)?,
        dedup_rule: json_or_null(row, 10)?,
        dedup_window_ms: row.get(11)?,
        expires_at: row.get(12)?,
        request_limit: row.get(13)?,
        request_count: row.get(14)?,
        created_at: row.get(15)?,
        updated_at: row.get(16)?,
    })
}

fn find(
    conn: &rusqlite::Connection,
    id: &str,
    within: Option<&str>,
) -> Result<Option<Source>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sources
         WHERE id = ?1 AND (?2 IS NULL OR tenant = ?2) AND deleted_at IS NULL"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![id, within], source)
        .optional()?)
}

impl Sources for SqliteSources {
    fn create_source(&self, new: NewSource) -> StoreFuture<'_, Source> {
        Box::pin(self.pool.run(move |conn| {
            let tenant: Option<String> = conn
                .query_row(
                    "SELECT name FROM tenants WHERE name = ?1",
                    [&new.tenant],
                    |r| r.get(0),
                )
                .optional()?;
            if tenant.is_none() {
                return Err(StoreError::NotFound(format!("tenant `{}`", new.tenant)));
            }
            let now = now_ms();
            let created = Source {
                id: new_source_id(),
                tenant: new.tenant,
                name: new.name,
                kind: new.kind,
                origins: new.origins,
                rate_limit: new.rate_limit,
                signing_secret: new_signing_secret(),
                ip_allow: new.ip_allow,
                ip_deny: new.ip_deny,
                verification: new.verification,
                dedup_rule: new.dedup_rule,
                dedup_window_ms: new.dedup_window_ms,
                expires_at: new.expires_at,
                request_limit: new.request_limit,
                request_count: 0,
                created_at: now,
                updated_at: now,
            };
            conn.execute(
                &format!(
                    "INSERT INTO sources ({COLUMNS})
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                             ?16, ?17)"
                ),
                params![
                    created.id,
                    created.tenant,
                    created.name,
                    created.kind.as_str(),
                    to_json(&created.origins)?,
                    created.rate_limit,
                    created.signing_secret,
                    to_json(&created.ip_allow)?,
                    to_json(&created.ip_deny)?,
                    opt_json(&created.verification)?,
                    opt_json(&created.dedup_rule)?,
                    created.dedup_window_ms,
                    created.expires_at,
                    created.request_limit,
                    created.request_count,
                    created.created_at,
                    created.updated_at
                ],
            )?;
            Ok(created)
        }))
    }

    fn list_sources(&self, tenant: &str) -> StoreFuture<'_, Vec<Source>> {
        let tenant = tenant.to_owned();
        Box::pin(self.pool.run(move |conn| {
            let sql = format!(
                "SELECT {COLUMNS} FROM sources WHERE tenant = ?1 AND deleted_at IS NULL
                 ORDER BY created_at, id"
            );
            let mut stmt = conn.prepare(&sql)?;
            let rows = stmt.query_map([tenant], source)?;
            Ok(rows.collect::<Result<_, _>>()?)
        }))
    }

    fn get_source(&self, id: &str, within: Option<&str>) -> StoreFuture<'_, Option<Source>> {
        let (id, within) = (id.to_owned(), within.map(str::to_owned));
        Box::pin(
            self.pool
                .run(move |conn| find(conn, &id, within.as_deref())),
        )
    }

    fn update_source(&self, tenant: &str, id: &str, patch: SourcePatch) -> StoreFuture<'_, Source> {
        let (tenant, id) = (tenant.to_owned(), id.to_owned());
        Box::pin(self.pool.run(move |conn| {
            let mut current = find(conn, &id, Some(&tenant))?
                .ok_or_else(|| StoreError::NotFound(format!("source `{id}`")))?;
            if let Some(name) = patch.name {
                current.name = name;
            }
            if let Some(origins) = patch.origins {
                current.origins = origins;
            }
            if let Some(rate_limit) = patch.rate_limit {
                current.rate_limit = rate_limit;
            }
            if let Some(ip_allow) = patch.ip_allow {
                current.ip_allow = ip_allow;
            }
            if let Some(ip_deny) = patch.ip_deny {
                current.ip_deny = ip_deny;
            }
            if let Some(verification) = patch.verification {
                current.verification = verification;
            }
            if let Some(rule) = patch.dedup_rule {
                current.dedup_rule = rule;
            }
            if let Some(window) = patch.dedup_window_ms {
                current.dedup_window_ms = window;
            }
            current.updated_at = now_ms();
            conn.execute(
                "UPDATE sources SET name = ?2, origins = ?3, rate_limit = ?4, ip_allow = ?5,
                   ip_deny = ?6, verification = ?7, dedup_rule = ?8, dedup_window_ms = ?9,
                   updated_at = ?10
                 WHERE id = ?1 AND deleted_at IS NULL",
                params![
                    current.id,
                    current.name,
                    to_json(&current.origins)?,
                    current.rate_limit,
                    to_json(&current.ip_allow)?,
                    to_json(&current.ip_deny)?,
                    opt_json(&current.verification)?,
                    opt_json(&current.dedup_rule)?,
                    current.dedup_window_ms,
                    current.updated_at
                ],
            )?;
            Ok(current)
        }))
    }

    fn delete_source(&self, tenant: &str, id: &str) -> StoreFuture<'_, ()> {
        let (tenant, id) = (tenant.to_owned(), id.to_owned());
        Box::pin(self.pool.run(move |conn| {
            let deleted = conn.execute(
                "UPDATE sources SET deleted_at = ?3
                 WHERE id = ?1 AND tenant = ?2 AND deleted_at IS NULL",
                params![id, tenant, now_ms()],
            )?;
            if deleted == 0 {
                return Err(StoreError::NotFound(format!("source `{id}`")));
            }
            Ok(())
        }))
    }

    fn all_origins(&self) -> StoreFuture<'_, Vec<String>> {
        Box::pin(self.pool.run(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT origins FROM sources WHERE kind = 'pipeline' AND deleted_at IS NULL",
            )?;
            let mut all = Vec::new();
            for origins in stmt.query_map([], |row| json::<Vec<String>>(row, 0))? {
                all.extend(origins?);
            }
            Ok(all)
        }))
    }

    fn take_request(&self, id: &str) -> StoreFuture<'_, Option<u32>> {
        let id = id.to_owned();
        Box::pin(self.pool.run(move |conn| {
            let count = conn
                .query_row(
                    "UPDATE sources SET request_count = request_count + 1
                     WHERE id = ?1 AND deleted_at IS NULL
                       AND (request_limit IS NULL OR request_count < request_limit)
                     RETURNING request_count",
                    [id],
                    |row| row.get(0),
                )
                .optional()?;
            Ok(count)
        }))
    }
}
