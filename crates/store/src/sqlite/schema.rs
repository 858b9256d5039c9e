//! The SQLite schema and its migrations, versioned by `PRAGMA user_version`.
//!
//! `events` keeps the hot path cheap: `seq` is the rowid (appends go to the right edge of
//! the table), and its only secondary index is (tenant, seq), which also grows at its right
//! edge per tenant. Per-visitor reads go through `visitor_seq` in a separate index file, which
//! the indexer thread fills in sorted batches (see [`super::visitor_index`]). The 41 analytics columns of the contract
//! (index1, blob1–blob20, double1–double20) are real columns.

use rusqlite::Connection;

use crate::StoreError;

/// Number of blob and of double columns in the analytics mapping.
pub const ANALYTICS_COLUMNS: usize = 20;
/// Columns of an event row before the analytics blobs.
pub const FIXED_COLUMNS: usize = 13;
/// The parameter of the `sealed` column: after the analytics columns.
pub const SEALED_PARAM: usize = FIXED_COLUMNS + 2 * ANALYTICS_COLUMNS + 1;

/// Applies every migration the file does not have yet.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if version < 1 {
        let tx = conn.transaction()?;
        tx.execute_batch(&v1())?;
        tx.execute_batch("PRAGMA user_version = 1")?;
        tx.commit()?;
    }
    if version < 2 {
        v2_sealed(conn)?;
    }
    if version < 3 {
        v3_audit(conn)?;
    }
    Ok(())
}

/// v2: `sealed`, the ciphertexts of an event's personal fields (JSON object: field path →
/// `"<key id>:<base64 nonce+ciphertext>"`), NULL when the event has none.
fn v2_sealed(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    tx.execute_batch("ALTER TABLE events ADD COLUMN sealed TEXT; PRAGMA user_version = 2")?;
    tx.commit()?;
    Ok(())
}

/// v3: `audit_log`, one row per reveal of a sealed field, read newest first per tenant.
fn v3_audit(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    tx.execute_batch(
        "CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  tenant TEXT NOT NULL,
  key_id TEXT NOT NULL,
  action TEXT NOT NULL,
  event_id TEXT NOT NULL,
  field TEXT NOT NULL
);
CREATE INDEX audit_log_tenant_id ON audit_log(tenant, id);
PRAGMA user_version = 3",
    )?;
    tx.commit()?;
    Ok(())
}

fn v1() -> String {
    let blobs: String = (1..=ANALYTICS_COLUMNS)
        .map(|i| format!(",\n  blob{i} TEXT NOT NULL DEFAULT ''"))
        .collect();
    let doubles: String = (1..=ANALYTICS_COLUMNS)
        .map(|i| format!(",\n  double{i} REAL"))
        .collect();
    format!(
        "CREATE TABLE tenants (
  name TEXT PRIMARY KEY,
  tier TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  tenant TEXT NOT NULL REFERENCES tenants(name),
  kind TEXT NOT NULL,
  origins TEXT NOT NULL DEFAULT '[]',
  source TEXT,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX api_keys_tenant ON api_keys(tenant);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  tenant TEXT NOT NULL,
  source TEXT,
  received_at INTEGER NOT NULL,
  event_type TEXT NOT NULL,
  visitor_id TEXT NOT NULL,
  session_id TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  key_kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  labels TEXT,
  index1 TEXT NOT NULL{blobs}{doubles}
);
CREATE INDEX events_tenant_seq ON events(tenant, seq);
"
    )
}

/// The INSERT of one event row, with its parameters in [`super::writer`]'s bind order.
pub fn insert_event_sql() -> String {
    let mut columns = String::from(
        "seq, id, tenant, source, received_at, event_type, visitor_id, session_id, timestamp, key_kind, payload, labels, index1",
    );
    for i in 1..=ANALYTICS_COLUMNS {
        columns.push_str(&format!(", blob{i}"));
    }
    for i in 1..=ANALYTICS_COLUMNS {
        columns.push_str(&format!(", double{i}"));
    }
    columns.push_str(", sealed");
    let count = SEALED_PARAM;
    let params: Vec<String> = (1..=count).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO events ({columns}) VALUES ({})",
        params.join(", ")
    )
}
