//! What a data directory holds, per tenant (`clickwire store stats`): events, their share
//! of the files, and the oldest and newest event. Read through read-only connections in one
//! read transaction, so it works beside a running server (WAL) and never creates a store.
//!
//! Cost: one scan of the small (tenant, seq) index to count, two index lookups per tenant
//! for the edges, and the page counts of the two files — never a scan of the event rows.

use std::{path::Path, time::Duration};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::Serialize;

use super::{visitor_index::INDEX_FILE, DB_FILE};
use crate::StoreError;

/// How long a read waits for a lock (only WAL recovery takes one).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// One tenant's part of a data directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TenantStats {
    pub tenant: String,
    pub events: u64,
    /// The tenant's share, by event count, of the pages in use in `clickwire.db` and
    /// `clickwire-index.db` (rows, indexes and overhead; free pages not counted).
    pub bytes: u64,
    /// `None` for a tenant with no events.
    pub oldest: Option<EventEdge>,
    pub newest: Option<EventEdge>,
}

/// Where a tenant's stored events begin or end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EventEdge {
    pub seq: i64,
    /// ms since the Unix epoch.
    pub received_at: i64,
}

/// Per-tenant statistics of the data directory `dir`, by tenant name; tenants of the catalog
/// without events are included. Fails with [`StoreError::NotFound`] when `dir` holds no
/// clickwire database.
pub fn stats(dir: &Path) -> Result<Vec<TenantStats>, StoreError> {
    if !dir.is_dir() {
        return Err(StoreError::NotFound(format!(
            "data directory {}",
            dir.display()
        )));
    }
    let db = dir.join(DB_FILE);
    if !db.is_file() {
        return Err(StoreError::NotFound(format!(
            "clickwire database {}",
            db.display()
        )));
    }
    let conn = open_read_only(&db)?;
    let tx = conn.unchecked_transaction()?;
    let counts = counts(&tx)?;
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    let used = used_bytes(&tx)? + index_bytes(&dir.join(INDEX_FILE))?;
    counts
        .into_iter()
        .map(|(tenant, events)| {
            Ok(TenantStats {
                bytes: share(used, events, total),
                oldest: edge(&tx, &tenant, "ASC")?,
                newest: edge(&tx, &tenant, "DESC")?,
                tenant,
                events,
            })
        })
        .collect()
}

fn open_read_only(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(conn)
}

/// Events per tenant (catalog tenants without events count 0), by name.
fn counts(conn: &Connection) -> rusqlite::Result<Vec<(String, u64)>> {
    let mut stmt = conn.prepare(
        "SELECT tenant, SUM(n) FROM (
           SELECT tenant, COUNT(*) AS n FROM events GROUP BY tenant
           UNION ALL SELECT name, 0 FROM tenants
         ) GROUP BY tenant ORDER BY tenant",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok((row.get(0)?, row.get::<_, i64>(1)?.max(0) as u64))
    })?;
    rows.collect()
}

/// The tenant's first (`ASC`) or last (`DESC`) event, by seq.
fn edge(conn: &Connection, tenant: &str, order: &str) -> rusqlite::Result<Option<EventEdge>> {
    let sql = format!(
        "SELECT seq, received_at FROM events WHERE tenant = ?1 ORDER BY seq {order} LIMIT 1"
    );
    conn.query_row(&sql, [tenant], |row| {
        Ok(EventEdge {
            seq: row.get(0)?,
            received_at: row.get(1)?,
        })
    })
    .optional()
}

/// Bytes of the pages in use (not on the free list) of the connection's main database.
fn used_bytes(conn: &Connection) -> rusqlite::Result<u64> {
    let pragma = |name: &str| conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get::<_, i64>(0));
    let pages = pragma("page_count")? - pragma("freelist_count")?;
    Ok((pages.max(0) as u64) * (pragma("page_size")?.max(0) as u64))
}

/// [`used_bytes`] of the visitor index file; 0 when there is none yet.
fn index_bytes(path: &Path) -> Result<u64, StoreError> {
    if !path.is_file() {
        return Ok(0);
    }
    let conn = open_read_only(path)?;
    Ok(used_bytes(&conn)?)
}

/// `part / whole` of `bytes`, rounded down.
fn share(bytes: u64, part: u64, whole: u64) -> u64 {
    if whole == 0 {
        return 0;
    }
    (u128::from(bytes) * u128::from(part) / u128::from(whole)) as u64
}
