//! Issues: one row per destination and error type, reopened rather than duplicated. A
//! failure counts on it (reopening it when resolved); a status change by the API; a sweep
//! resolves those without a failure since a given time.

use rusqlite::{params, Connection as Db, OptionalExtension, Row, TransactionBehavior};

use super::super::columns::{json, next_page, to_json};
use crate::{
    deliveries::{new_id, Failure, Issue, IssueQuery, IssueStatus, RECENT_ATTEMPTS},
    StoreError,
};

const ISSUE: &str = "id, tenant, destination_id, error_type, status, occurrences, first_seen,
    last_seen, recent_attempts, created_at, updated_at, resolved_at";

fn issue(row: &Row<'_>) -> rusqlite::Result<Issue> {
    let status: String = row.get(4)?;
    Ok(Issue {
        id: row.get(0)?,
        tenant: row.get(1)?,
        destination_id: row.get(2)?,
        error_type: row.get(3)?,
        status: status.parse().map_err(|err| {
            rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, Box::new(err))
        })?,
        occurrences: row.get(5)?,
        first_seen: row.get(6)?,
        last_seen: row.get(7)?,
        recent_attempts: json(row, 8)?,
        created_at: row.get(9)?,
        updated_at: row.get(10)?,
        resolved_at: row.get(11)?,
    })
}

fn store(db: &Db, issue: &Issue) -> Result<(), StoreError> {
    let recent = to_json(&issue.recent_attempts)?;
    db.prepare_cached(&format!(
        "INSERT OR REPLACE INTO issues ({ISSUE})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    ))?
    .execute(params![
        issue.id,
        issue.tenant,
        issue.destination_id,
        issue.error_type,
        issue.status.as_str(),
        issue.occurrences,
        issue.first_seen,
        issue.last_seen,
        recent,
        issue.created_at,
        issue.updated_at,
        issue.resolved_at
    ])?;
    Ok(())
}

/// Counts `failure` on its issue, opening or reopening it; the issue as it now is.
pub fn count_failure(db: &Db, failure: &Failure) -> Result<Issue, StoreError> {
    let found = db
        .prepare_cached(&format!(
            "SELECT {ISSUE} FROM issues WHERE destination_id = ?1 AND error_type = ?2"
        ))?
        .query_row(params![failure.destination_id, failure.error_type], issue)
        .optional()?;
    let updated = match found {
        Some(mut issue) => {
            issue.occurrences += 1;
            issue.last_seen = issue.last_seen.max(failure.at);
            issue.recent_attempts.insert(0, failure.attempt_id.clone());
            issue.recent_attempts.truncate(RECENT_ATTEMPTS);
            if issue.status == IssueStatus::Resolved {
                issue.status = IssueStatus::Open;
                issue.resolved_at = None;
            }
            issue.updated_at = failure.at;
            issue
        }
        None => Issue {
            id: new_id("iss_"),
            tenant: failure.tenant.clone(),
            destination_id: failure.destination_id.clone(),
            error_type: failure.error_type.clone(),
            status: IssueStatus::Open,
            occurrences: 1,
            first_seen: failure.at,
            last_seen: failure.at,
            recent_attempts: vec![failure.attempt_id.clone()],
            created_at: failure.at,
            updated_at: failure.at,
            resolved_at: None,
        },
    };
    store(db, &updated)?;
    Ok(updated)
}

pub fn list(db: &mut Db, query: &IssueQuery) -> Result<(Vec<Issue>, Option<String>), StoreError> {
    let sql = format!(
        "SELECT {ISSUE} FROM issues
         WHERE tenant = ?1 AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR destination_id = ?3)
           AND (?4 IS NULL OR id < ?4)
         ORDER BY id DESC LIMIT ?5"
    );
    let mut stmt = db.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![
            query.tenant,
            query.status.map(IssueStatus::as_str),
            query.destination_id,
            query.before_id,
            query.limit as i64 + 1
        ],
        issue,
    )?;
    let mut found: Vec<Issue> = rows.collect::<Result<_, _>>()?;
    let next = next_page(&mut found, query.limit, |i| &i.id);
    Ok((found, next))
}

pub fn find(db: &Db, id: &str, tenant: &str) -> Result<Option<Issue>, StoreError> {
    Ok(db
        .prepare_cached(&format!(
            "SELECT {ISSUE} FROM issues WHERE id = ?1 AND tenant = ?2"
        ))?
        .query_row(params![id, tenant], issue)
        .optional()?)
}

pub fn set_status(
    db: &mut Db,
    tenant: &str,
    id: &str,
    status: IssueStatus,
    now: i64,
) -> Result<Issue, StoreError> {
    let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut found =
        find(&tx, id, tenant)?.ok_or_else(|| StoreError::NotFound(format!("issue `{id}`")))?;
    found.status = status;
    found.resolved_at = (status == IssueStatus::Resolved).then_some(now);
    found.updated_at = now;
    store(&tx, &found)?;
    tx.commit()?;
    Ok(found)
}

pub fn counts(db: &mut Db, tenant: &str) -> Result<Vec<(IssueStatus, u64)>, StoreError> {
    let mut counts = Vec::with_capacity(IssueStatus::ALL.len());
    let mut stmt =
        db.prepare_cached("SELECT COUNT(*) FROM issues WHERE tenant = ?1 AND status = ?2")?;
    for status in IssueStatus::ALL {
        let n: u64 = stmt.query_row(params![tenant, status.as_str()], |row| row.get(0))?;
        counts.push((status, n));
    }
    Ok(counts)
}

pub fn auto_resolve(db: &mut Db, before: i64, now: i64) -> Result<Vec<Issue>, StoreError> {
    let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let stale: Vec<Issue> = {
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT {ISSUE} FROM issues WHERE status != 'resolved' AND last_seen < ?1"
        ))?;
        let rows = stmt.query_map([before], issue)?;
        rows.collect::<Result<_, _>>()?
    };
    let mut resolved = Vec::with_capacity(stale.len());
    for mut issue in stale {
        issue.status = IssueStatus::Resolved;
        issue.resolved_at = Some(now);
        issue.updated_at = now;
        store(&tx, &issue)?;
        resolved.push(issue);
    }
    tx.commit()?;
    Ok(resolved)
}
