//! [`Vault`] on the SQLite file: `sealed` read by event id within a tenant, `audit_log`
//! appended and read newest first by id.

use std::{path::Path, sync::Arc, time::Duration};

use rusqlite::{params, OptionalExtension, Row};

use super::{open_db, pool::Pool, DB_FILE};
use crate::{
    vault::{AuditEntry, AuditPage, AuditQuery, NewAuditEntry, Vault},
    StoreError, StoreFuture,
};

/// The vault of a data directory.
pub struct SqliteVault {
    pool: Arc<Pool>,
}

impl SqliteVault {
    /// Opens (creating and migrating when needed) the vault of `dir`.
    pub fn open(dir: &Path, busy_timeout: Duration) -> Result<Self, StoreError> {
        drop(open_db(dir, busy_timeout)?);
        Ok(Self {
            pool: Arc::new(Pool::new(&dir.join(DB_FILE), busy_timeout, 1)),
        })
    }
}

const ENTRY_COLUMNS: &str = "id, at, tenant, key_id, action, event_id, field";

fn entry(row: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        id: row.get(0)?,
        at: row.get(1)?,
        tenant: row.get(2)?,
        key_id: row.get(3)?,
        action: row.get(4)?,
        event_id: row.get(5)?,
        field: row.get(6)?,
    })
}

impl Vault for SqliteVault {
    fn sealed(&self, tenant: &str, event_id: &str) -> StoreFuture<'_, Option<Option<String>>> {
        let (tenant, event_id) = (tenant.to_owned(), event_id.to_owned());
        Box::pin(self.pool.run(move |conn| {
            let sealed = conn
                .query_row(
                    "SELECT sealed FROM events WHERE tenant = ?1 AND id = ?2",
                    params![tenant, event_id],
                    |row| row.get(0),
                )
                .optional()?;
            Ok(sealed)
        }))
    }

    fn record(&self, new: NewAuditEntry) -> StoreFuture<'_, AuditEntry> {
        Box::pin(self.pool.run(move |conn| {
            let sql = format!(
                "INSERT INTO audit_log (at, tenant, key_id, action, event_id, field)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING {ENTRY_COLUMNS}"
            );
            let recorded = conn.query_row(
                &sql,
                params![
                    new.at,
                    new.tenant,
                    new.key_id,
                    new.action,
                    new.event_id,
                    new.field
                ],
                entry,
            )?;
            Ok(recorded)
        }))
    }

    fn audit(&self, query: AuditQuery) -> StoreFuture<'_, AuditPage> {
        Box::pin(self.pool.run(move |conn| {
            let sql = format!(
                "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE tenant = ?1 AND id < ?2
                 ORDER BY id DESC LIMIT ?3"
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let before = query.before.unwrap_or(i64::MAX);
            // One more than asked tells whether another page follows.
            let mut entries = stmt
                .query_map(params![query.tenant, before, query.limit as i64 + 1], entry)?
                .collect::<Result<Vec<_>, _>>()?;
            let more = entries.len() > query.limit;
            entries.truncate(query.limit);
            let next_before = more.then(|| entries.last().map(|e| e.id)).flatten();
            Ok(AuditPage {
                entries,
                next_before,
            })
        }))
    }
}
