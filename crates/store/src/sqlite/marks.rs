//! Reading the marks pipeline events committed (see [`crate::marks`]): one probe of
//! `message_ids` per asked message id and of `identity_links` per asked anonymous id; and
//! pruning message ids too old for any dedup window.

use rusqlite::{params, Connection, OptionalExtension};

use crate::{MarkLookup, MarkQuery, StoreError};

/// Answers `query` on a read connection.
pub fn lookup(conn: &mut Connection, query: &MarkQuery) -> Result<MarkLookup, StoreError> {
    let mut found = MarkLookup::default();
    if !query.message_ids.is_empty() {
        let mut stmt = conn.prepare_cached(
            "SELECT event_id FROM message_ids
             WHERE tenant = ?1 AND source = ?2 AND message_id = ?3 AND received_at >= ?4",
        )?;
        for id in &query.message_ids {
            let first: Option<String> = stmt
                .query_row(
                    params![query.tenant, query.source, id, query.seen_since],
                    |row| row.get(0),
                )
                .optional()?;
            if let Some(first) = first {
                found.seen.insert(id.clone(), first);
            }
        }
    }
    if !query.anonymous_ids.is_empty() {
        let mut stmt = conn.prepare_cached(
            "SELECT user_id FROM identity_links WHERE tenant = ?1 AND anonymous_id = ?2",
        )?;
        for anonymous_id in &query.anonymous_ids {
            let user: Option<String> = stmt
                .query_row(params![query.tenant, anonymous_id], |row| row.get(0))
                .optional()?;
            if let Some(user) = user {
                found.links.insert(anonymous_id.clone(), user);
            }
        }
    }
    Ok(found)
}

/// Deletes at most `limit` message ids received before `before_ms`; returns how many.
pub fn prune(conn: &Connection, before_ms: i64, limit: usize) -> Result<usize, rusqlite::Error> {
    conn.prepare_cached(
        "DELETE FROM message_ids WHERE (tenant, source, message_id) IN (
             SELECT tenant, source, message_id FROM message_ids WHERE received_at < ?1 LIMIT ?2
         )",
    )?
    .execute(params![before_ms, i64::try_from(limit).unwrap_or(i64::MAX)])
}
