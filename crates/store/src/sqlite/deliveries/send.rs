//! The dispatcher's reads and writes, and the attempts API: due attempts with their
//! events, how many wait, finished attempts recorded (with their retries and issues) in one
//! transaction, listing, and manual retries of dead-lettered deliveries.

use rusqlite::{params, Connection as Db, OptionalExtension, Row, TransactionBehavior};

use super::{super::columns::next_page, issues, route};
use crate::{
    deliveries::{Attempt, AttemptQuery, Due, Failure, Finished, Issue, NewAttempt, RetryOf},
    StoreError,
};

const ATTEMPT: &str = "a.id, a.tenant, a.delivery_id, a.event_id, a.event_seq, a.destination_id,
    a.connection_id, a.attempt_number, a.status, a.scheduled_at, a.request_url,
    a.response_status, a.response_body, a.duration_ms, a.error_type, a.error, a.next_retry_at,
    a.is_dlq, a.dlq_at, a.created_at, a.completed_at";
/// Columns of [`ATTEMPT`].
const ATTEMPT_COLUMNS: usize = 21;

fn attempt(row: &Row<'_>) -> rusqlite::Result<Attempt> {
    let status: String = row.get(8)?;
    Ok(Attempt {
        id: row.get(0)?,
        tenant: row.get(1)?,
        delivery_id: row.get(2)?,
        event_id: row.get(3)?,
        event_seq: row.get(4)?,
        destination_id: row.get(5)?,
        connection_id: row.get(6)?,
        attempt_number: row.get(7)?,
        status: status.parse().map_err(|err| {
            rusqlite::Error::FromSqlConversionFailure(8, rusqlite::types::Type::Text, Box::new(err))
        })?,
        scheduled_at: row.get(9)?,
        request_url: row.get(10)?,
        response_status: row.get(11)?,
        response_body: row.get(12)?,
        duration_ms: row.get(13)?,
        error_type: row.get(14)?,
        error: row.get(15)?,
        next_retry_at: row.get(16)?,
        is_dlq: row.get(17)?,
        dlq_at: row.get(18)?,
        created_at: row.get(19)?,
        completed_at: row.get(20)?,
    })
}

pub fn due(db: &mut Db, destination: &str, now: i64, limit: usize) -> Result<Vec<Due>, StoreError> {
    let sql = format!(
        "SELECT {ATTEMPT}, e.seq, e.id, e.tenant, e.source, e.received_at, e.payload, e.labels
         FROM attempts a LEFT JOIN ev.events e ON e.seq = a.event_seq
         WHERE a.destination_id = ?1 AND a.status = 'pending' AND a.scheduled_at <= ?2
         ORDER BY a.id LIMIT ?3"
    );
    let mut stmt = db.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![destination, now, limit as i64], |row| {
        let seq: Option<i64> = row.get(ATTEMPT_COLUMNS)?;
        Ok(Due {
            attempt: attempt(row)?,
            event: match seq {
                Some(_) => Some(route::routed_at(row, ATTEMPT_COLUMNS)?),
                None => None,
            },
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn next_due(db: &mut Db, destination: &str) -> Result<Option<i64>, StoreError> {
    Ok(db
        .prepare_cached(
            "SELECT MIN(scheduled_at) FROM attempts
             WHERE destination_id = ?1 AND status = 'pending'",
        )?
        .query_row([destination], |row| row.get(0))?)
}

pub fn newest_due(db: &mut Db, destination: &str, now: i64) -> Result<Option<String>, StoreError> {
    Ok(db
        .prepare_cached(
            "SELECT MAX(id) FROM attempts
             WHERE destination_id = ?1 AND status = 'pending' AND scheduled_at <= ?2",
        )?
        .query_row(params![destination, now], |row| row.get(0))?)
}

pub fn queued(db: &mut Db, destination: &str) -> Result<u64, StoreError> {
    Ok(db
        .prepare_cached(
            "SELECT COUNT(*) FROM attempts WHERE destination_id = ?1 AND status = 'pending'",
        )?
        .query_row([destination], |row| row.get(0))?)
}

pub fn finish(
    db: &mut Db,
    finished: &[Finished],
    failures: &[Failure],
) -> Result<Vec<Issue>, StoreError> {
    let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut retries: Vec<NewAttempt> = Vec::new();
    {
        let mut update = tx.prepare_cached(
            "UPDATE attempts SET status = ?2, response_status = ?3, response_body = ?4,
               duration_ms = ?5, error_type = ?6, error = ?7, completed_at = ?8,
               next_retry_at = ?9, is_dlq = ?10, dlq_at = ?11, request_url = ?12
             WHERE id = ?1 AND status = 'pending'",
        )?;
        for done in finished {
            let status = if done.success { "success" } else { "failed" };
            let next_retry_at = done.retry.as_ref().map(|r| r.scheduled_at);
            let dlq_at = done.dead_letter.then_some(done.completed_at);
            let updated = update.execute(params![
                done.attempt_id,
                status,
                done.response_status,
                done.response_body,
                done.duration_ms,
                done.error_type,
                done.error,
                done.completed_at,
                next_retry_at,
                done.dead_letter,
                dlq_at,
                done.request_url
            ])?;
            // An attempt finished twice makes its retry once.
            if updated == 1 {
                retries.extend(done.retry.clone());
            }
        }
    }
    route::insert_attempts(&tx, &retries)?;
    let mut changed: Vec<Issue> = Vec::new();
    for failure in failures {
        let issue = issues::count_failure(&tx, failure)?;
        changed.retain(|seen| seen.id != issue.id);
        changed.push(issue);
    }
    tx.commit()?;
    Ok(changed)
}

pub fn list(
    db: &mut Db,
    query: &AttemptQuery,
) -> Result<(Vec<Attempt>, Option<String>), StoreError> {
    let sql = format!(
        "SELECT {ATTEMPT} FROM attempts a
         WHERE a.tenant = ?1 AND (?2 IS NULL OR a.event_id = ?2)
           AND (?3 IS NULL OR a.destination_id = ?3) AND (?4 IS NULL OR a.status = ?4)
           AND (?5 IS NULL OR a.id < ?5)
         ORDER BY a.id DESC LIMIT ?6"
    );
    let mut stmt = db.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![
            query.tenant,
            query.event_id,
            query.destination_id,
            query.status.map(|s| s.as_str()),
            query.before_id,
            query.limit as i64 + 1
        ],
        attempt,
    )?;
    let mut found: Vec<Attempt> = rows.collect::<Result<_, _>>()?;
    let next = next_page(&mut found, query.limit, |a| &a.id);
    Ok((found, next))
}

pub fn find(db: &Db, id: &str, tenant: &str) -> Result<Option<Attempt>, StoreError> {
    let sql = format!("SELECT {ATTEMPT} FROM attempts a WHERE a.id = ?1 AND a.tenant = ?2");
    Ok(db
        .prepare_cached(&sql)?
        .query_row(params![id, tenant], attempt)
        .optional()?)
}

/// The last attempt of every delivery of `tenant` that `of` names and that ended in a
/// dead letter (no pending attempt, last one failed and final).
fn dead_letters(db: &Db, tenant: &str, of: &RetryOf) -> Result<Vec<Attempt>, StoreError> {
    let (condition, key) = match of {
        RetryOf::Attempt(id) => (
            "a.delivery_id = (SELECT delivery_id FROM attempts WHERE id = ?2)",
            id,
        ),
        RetryOf::Event(id) => ("a.event_id = ?2", id),
        RetryOf::Issue(id) => (
            "(a.destination_id, a.error_type) =
               (SELECT destination_id, error_type FROM issues WHERE id = ?2)",
            id,
        ),
    };
    let sql = format!(
        "SELECT {ATTEMPT} FROM attempts a
         WHERE a.tenant = ?1 AND {condition} AND a.is_dlq = 1
           AND a.attempt_number =
             (SELECT MAX(b.attempt_number) FROM attempts b WHERE b.delivery_id = a.delivery_id)
         ORDER BY a.id"
    );
    let mut stmt = db.prepare(&sql)?;
    let rows = stmt.query_map(params![tenant, key], attempt)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn retry(
    db: &mut Db,
    tenant: &str,
    of: &RetryOf,
    now: i64,
) -> Result<Vec<Attempt>, StoreError> {
    let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let last = dead_letters(&tx, tenant, of)?;
    let retries: Vec<NewAttempt> = last
        .iter()
        .map(|a| NewAttempt {
            tenant: a.tenant.clone(),
            delivery_id: a.delivery_id.clone(),
            event_id: a.event_id.clone(),
            event_seq: a.event_seq,
            destination_id: a.destination_id.clone(),
            connection_id: a.connection_id.clone(),
            attempt_number: a.attempt_number + 1,
            scheduled_at: now,
            request_url: a.request_url.clone(),
        })
        .collect();
    let ids = route::insert_attempts(&tx, &retries)?;
    let mut made = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(found) = find(&tx, &id, tenant)? {
            made.push(found);
        }
    }
    tx.commit()?;
    Ok(made)
}
