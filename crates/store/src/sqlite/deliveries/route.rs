//! The router's reads and writes: its checkpoint (the last routed seq), pages of committed
//! events after it, and the first attempts of routed events committed with the new
//! checkpoint.

use rusqlite::{params, Connection as Db};

use super::super::columns::{now_ms, to_json};
use crate::{
    deliveries::{NewAttempt, RoutedEvent},
    StoreError,
};

pub fn checkpoint(db: &mut Db) -> Result<i64, StoreError> {
    Ok(
        db.query_row("SELECT seq FROM route_checkpoint WHERE id = 1", [], |row| {
            row.get(0)
        })?,
    )
}

pub fn park(db: &mut Db) -> Result<(), StoreError> {
    db.execute("UPDATE route_checkpoint SET seq = -1 WHERE id = 1", [])?;
    Ok(())
}

pub fn unpark(db: &mut Db, seq: i64) -> Result<i64, StoreError> {
    db.execute(
        "UPDATE route_checkpoint SET seq = ?1 WHERE id = 1 AND seq < 0",
        [seq],
    )?;
    checkpoint(db)
}

pub fn latest_seq(db: &mut Db) -> Result<i64, StoreError> {
    Ok(
        db.query_row("SELECT COALESCE(MAX(seq), 0) FROM ev.events", [], |row| {
            row.get(0)
        })?,
    )
}

pub fn page(
    db: &mut Db,
    after_seq: i64,
    up_to: i64,
    tenants: &[String],
    limit: usize,
) -> Result<Vec<RoutedEvent>, StoreError> {
    let tenants = to_json(tenants)?;
    let mut stmt = db.prepare_cached(
        "SELECT seq, id, tenant, source, received_at, payload, labels FROM ev.events
         WHERE seq > ?1 AND seq <= ?2 AND tenant IN (SELECT value FROM json_each(?3))
         ORDER BY seq LIMIT ?4",
    )?;
    let rows = stmt.query_map(params![after_seq, up_to, tenants, limit as i64], routed)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// An event row read as `seq, id, tenant, source, received_at, payload, labels` from
/// column `at` on.
pub fn routed_at(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<RoutedEvent> {
    Ok(RoutedEvent {
        seq: row.get(at)?,
        id: row.get(at + 1)?,
        tenant: row.get(at + 2)?,
        source: row.get(at + 3)?,
        received_at: row.get(at + 4)?,
        payload: row.get(at + 5)?,
        labels: row.get(at + 6)?,
    })
}

fn routed(row: &rusqlite::Row<'_>) -> rusqlite::Result<RoutedEvent> {
    routed_at(row, 0)
}

pub fn commit(db: &mut Db, attempts: &[NewAttempt], checkpoint: i64) -> Result<(), StoreError> {
    let tx = db.transaction()?;
    insert_attempts(&tx, attempts)?;
    tx.execute(
        "UPDATE route_checkpoint SET seq = MAX(seq, ?1) WHERE id = 1 AND seq >= 0",
        [checkpoint],
    )?;
    tx.commit()?;
    Ok(())
}

/// Inserts pending attempts.
pub fn insert_attempts(db: &Db, attempts: &[NewAttempt]) -> Result<Vec<String>, StoreError> {
    let mut stmt = db.prepare_cached(
        "INSERT INTO attempts (id, tenant, delivery_id, event_id, event_seq, destination_id,
           connection_id, attempt_number, status, scheduled_at, request_url, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', ?9, ?10, ?11)",
    )?;
    let now = now_ms();
    let mut ids = Vec::with_capacity(attempts.len());
    for attempt in attempts {
        let id = crate::deliveries::new_id("att_");
        stmt.execute(params![
            id,
            attempt.tenant,
            attempt.delivery_id,
            attempt.event_id,
            attempt.event_seq,
            attempt.destination_id,
            attempt.connection_id,
            attempt.attempt_number,
            attempt.scheduled_at,
            attempt.request_url,
            now
        ])?;
        ids.push(id);
    }
    Ok(ids)
}
