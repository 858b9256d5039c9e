//! Reading the marks pipeline events committed (see [`crate::marks`]): one probe of
//! `message_ids` per asked message id and of `identity_links` per asked anonymous id.

use rusqlite::{params, Connection, OptionalExtension};

use crate::{MarkLookup, MarkQuery, StoreError};

/// Answers `query` on a read connection.
pub fn lookup(conn: &mut Connection, query: &MarkQuery) -> Result<MarkLookup, StoreError> {
    let mut found = MarkLookup::default();
    if !query.message_ids.is_empty() {
        let mut stmt = conn.prepare_cached(
            "SELECT 1 FROM message_ids
             WHERE tenant = ?1 AND source = ?2 AND message_id = ?3 AND received_at >= ?4",
        )?;
        for id in &query.message_ids {
            let seen = stmt
                .query_row(
                    params![query.tenant, query.source, id, query.seen_since],
                    |_| Ok(()),
                )
                .optional()?;
            if seen.is_some() {
                found.seen.insert(id.clone());
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
