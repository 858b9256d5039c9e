//! The schema of `deliveries.db`, versioned by `PRAGMA user_version` like the event
//! database's. Destination settings and connection rules are JSON columns; attempts carry
//! the event's seq (the rowid of `ev.events`) so a due attempt reads its event by rowid;
//! `attempts_pending` is a partial index holding only pending attempts, so the dispatcher's
//! reads stay as small as the backlog.

use rusqlite::Connection;

use crate::StoreError;

const MIGRATIONS: &[&str] = &[V1];

const V1: &str = "
CREATE TABLE destinations (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  name TEXT NOT NULL,
  settings TEXT NOT NULL,
  signing_secret TEXT NOT NULL,
  disabled_reason TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER
);
CREATE INDEX destinations_tenant ON destinations(tenant, created_at);
CREATE TABLE connections (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  name TEXT NOT NULL,
  source_id TEXT NOT NULL,
  destination_id TEXT NOT NULL,
  rules TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER
);
CREATE INDEX connections_tenant ON connections(tenant, created_at);
CREATE TABLE attempts (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  event_seq INTEGER NOT NULL,
  destination_id TEXT NOT NULL,
  connection_id TEXT NOT NULL,
  attempt_number INTEGER NOT NULL,
  status TEXT NOT NULL,
  scheduled_at INTEGER NOT NULL,
  request_url TEXT NOT NULL,
  response_status INTEGER,
  response_body TEXT,
  duration_ms INTEGER,
  error_type TEXT,
  error TEXT,
  next_retry_at INTEGER,
  is_dlq INTEGER NOT NULL DEFAULT 0,
  dlq_at INTEGER,
  created_at INTEGER NOT NULL,
  completed_at INTEGER
);
CREATE INDEX attempts_pending ON attempts(destination_id, id) WHERE status = 'pending';
CREATE INDEX attempts_tenant ON attempts(tenant, id);
CREATE INDEX attempts_event ON attempts(event_id);
CREATE INDEX attempts_delivery ON attempts(delivery_id, attempt_number);
CREATE TABLE issues (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  destination_id TEXT NOT NULL,
  error_type TEXT NOT NULL,
  status TEXT NOT NULL,
  occurrences INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  recent_attempts TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  resolved_at INTEGER
);
CREATE UNIQUE INDEX issues_key ON issues(destination_id, error_type);
CREATE INDEX issues_tenant ON issues(tenant, id);
CREATE TABLE route_checkpoint (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL
);
INSERT INTO route_checkpoint (id, seq) VALUES (1, -1);
";

/// Applies every migration the file does not have yet, each in its own transaction.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    for (done, migration) in MIGRATIONS.iter().enumerate() {
        let next = done as i64 + 1;
        if version < next {
            let tx = conn.transaction()?;
            tx.execute_batch(migration)?;
            tx.execute_batch(&format!("PRAGMA user_version = {next}"))?;
            tx.commit()?;
        }
    }
    Ok(())
}
