//! Reading events back: one tenant, optional filters, oldest first, keyset-paginated by seq.

use rusqlite::{types::Value, Connection};
use serde_json::value::RawValue;

use crate::{EventPage, EventQuery, StoreError, StoredEvent};

/// Runs `query`, fetching one row more than asked to learn whether another page follows.
/// `fresh` holds, for a per-visitor query, the visitor's committed seqs the index does not
/// have yet.
pub fn run(
    conn: &mut Connection,
    query: &EventQuery,
    fresh: Option<&[i64]>,
) -> Result<EventPage, StoreError> {
    let (sql, mut params) = build(query);
    if query.visitor_id.is_some() {
        let fresh = serde_json::to_string(fresh.unwrap_or_default())
            .map_err(|err| StoreError::Invalid(err.to_string()))?;
        params.push(Value::Text(fresh));
    } else {
        params.push(Value::Null);
    }
    params.push(query.source.clone().map_or(Value::Null, Value::Text));
    params.push(query.before_seq.map_or(Value::Null, Value::Integer));
    let mut stmt = conn.prepare_cached(&sql)?;
    // Parameters are numbered; a statement expects as many as the highest it names.
    params.truncate(stmt.parameter_count());
    let rows = stmt.query_map(rusqlite::params_from_iter(params), |row| {
        Ok(Row {
            id: row.get(0)?,
            seq: row.get(1)?,
            received_at: row.get(2)?,
            source: row.get(3)?,
            payload: row.get(4)?,
            key_kind: row.get(5)?,
            labels: row.get(6)?,
        })
    })?;
    let mut events = Vec::with_capacity(query.limit.min(1024));
    for row in rows {
        events.push(row?.into_event()?);
    }
    let next_after = if events.len() > query.limit {
        events.truncate(query.limit);
        events.last().map(|e| e.seq)
    } else {
        None
    };
    Ok(EventPage { events, next_after })
}

const COLUMNS: &str = "id, seq, received_at, source, payload, key_kind, labels";

/// One row as read.
struct Row {
    id: String,
    seq: i64,
    received_at: i64,
    source: Option<String>,
    payload: String,
    key_kind: String,
    labels: Option<String>,
}

impl Row {
    fn into_event(self) -> Result<StoredEvent, StoreError> {
        let raw = |text: String| {
            RawValue::from_string(text)
                .map_err(|err| StoreError::Invalid(format!("stored JSON of {}: {err}", self.id)))
        };
        let event = raw(self.payload)?;
        let labels = self.labels.map(raw).transpose()?;
        Ok(StoredEvent {
            id: self.id,
            seq: self.seq,
            received_at: self.received_at,
            source: self.source,
            key_kind: self.key_kind,
            event,
            labels,
        })
    }
}

/// The SQL and its numbered parameters: ?1 tenant, ?2 visitor, ?3 session, ?4 type,
/// ?5 since, ?6 until, ?7 after seq, ?8 limit; the caller adds ?9 (for a per-visitor query
/// the visitor's not-yet-indexed seqs as a JSON array, else null), ?10 the source and ?11
/// the seq bound of a newest-first page.
fn build(query: &EventQuery) -> (String, Vec<Value>) {
    let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::Text);
    let params = vec![
        Value::Text(query.tenant.clone()),
        text(&query.visitor_id),
        text(&query.session_id),
        text(&query.event_type),
        query.since.map_or(Value::Null, Value::Integer),
        query.until.map_or(Value::Null, Value::Integer),
        Value::Integer(query.after_seq.unwrap_or(0)),
        Value::Integer(query.limit as i64 + 1),
    ];
    let mut filters = String::new();
    for (present, clause) in [
        (query.session_id.is_some(), " AND session_id = ?3"),
        (query.event_type.is_some(), " AND event_type = ?4"),
        (query.since.is_some(), " AND timestamp >= ?5"),
        (query.until.is_some(), " AND timestamp < ?6"),
        (query.source.is_some(), " AND source = ?10"),
        (query.before_seq.is_some(), " AND seq < ?11"),
    ] {
        if present {
            filters.push_str(clause);
        }
    }
    let order = if query.newest_first { "DESC" } else { "ASC" };
    let sql = if query.visitor_id.is_some() {
        // Indexed events of the visitor, and those committed since the last index flush.
        // UNION (not ALL): during a flush an event may briefly be in both.
        format!(
            "SELECT {COLUMNS} FROM events WHERE seq IN (
                 SELECT seq FROM idx.visitor_seq WHERE tenant = ?1 AND visitor_id = ?2 AND seq > ?7
             ) AND tenant = ?1 AND visitor_id = ?2{filters}
             UNION
             SELECT {COLUMNS} FROM events WHERE seq IN (SELECT value FROM json_each(?9))
               AND seq > ?7 AND tenant = ?1 AND visitor_id = ?2{filters}
             ORDER BY seq {order} LIMIT ?8"
        )
    } else {
        format!(
            "SELECT {COLUMNS} FROM events WHERE tenant = ?1 AND seq > ?7{filters} ORDER BY seq {order} LIMIT ?8"
        )
    };
    (sql, params)
}
