//! Reading events back: one tenant, optional filters, oldest first, keyset-paginated by seq.

use rusqlite::{types::Value, Connection};
use serde_json::value::RawValue;

use crate::{EventPage, EventQuery, StoreError, StoredEvent};

/// Runs `query`, fetching one row more than asked to learn whether another page follows.
pub fn run(conn: &mut Connection, query: &EventQuery) -> Result<EventPage, StoreError> {
    let (sql, params) = build(query);
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(params), |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, Option<String>>(3)?,
            row.get::<_, String>(4)?,
        ))
    })?;
    let mut events = Vec::with_capacity(query.limit.min(1024));
    for row in rows {
        let (id, seq, received_at, source, payload) = row?;
        let event = RawValue::from_string(payload)
            .map_err(|err| StoreError::Invalid(format!("stored payload of {id}: {err}")))?;
        events.push(StoredEvent {
            id,
            seq,
            received_at,
            source,
            event,
        });
    }
    let next_after = if events.len() > query.limit {
        events.truncate(query.limit);
        events.last().map(|e| e.seq)
    } else {
        None
    };
    Ok(EventPage { events, next_after })
}

fn build(query: &EventQuery) -> (String, Vec<Value>) {
    let mut sql =
        String::from("SELECT id, seq, received_at, source, payload FROM events WHERE tenant = ?");
    let mut params = vec![Value::Text(query.tenant.clone())];
    let mut filter = |clause: &str, value: Value| {
        sql.push_str(clause);
        params.push(value);
    };
    if let Some(visitor) = &query.visitor_id {
        filter(" AND visitor_id = ?", Value::Text(visitor.clone()));
    }
    if let Some(session) = &query.session_id {
        filter(" AND session_id = ?", Value::Text(session.clone()));
    }
    if let Some(kind) = &query.event_type {
        filter(" AND event_type = ?", Value::Text(kind.clone()));
    }
    if let Some(since) = query.since {
        filter(" AND timestamp >= ?", Value::Integer(since));
    }
    if let Some(until) = query.until {
        filter(" AND timestamp < ?", Value::Integer(until));
    }
    if let Some(after) = query.after_seq {
        filter(" AND seq > ?", Value::Integer(after));
    }
    sql.push_str(" ORDER BY seq LIMIT ?");
    params.push(Value::Integer(query.limit as i64 + 1));
    (sql, params)
}
