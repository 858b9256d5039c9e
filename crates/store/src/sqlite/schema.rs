//! The SQLite schema and its migrations, versioned by `PRAGMA user_version`.
//!
//! `events` keeps the hot path cheap: `seq` is the rowid (appends go to the right edge of
//! the table), and its only secondary index is (tenant, seq), which also grows at its right
//! edge per tenant. Per-visitor reads go through `visitor_seq` in a separate index file, which
//! the indexer thread fills in sorted batches (see [`super::visitor_index`]).
//!
//! The 41 analytics columns of the contract (index1, blob1–blob20, double1–double20) are
//! all columns of `events`, so plain SQL reads them; those that only repeat another column
//! of the row (index1 the tenant, blob5 and blob6 the session and visitor, double1 the
//! event time) are VIRTUAL generated columns, never written. Columns taken out of the JSON
//! payload (the page's url, path and referrer) stay stored: SQLite computes every generated
//! column on INSERT, and parsing each payload there cost the single writer thread about a
//! tenth of its time (measured with perf, see BENCHMARKS.md).

use rusqlite::Connection;

use crate::StoreError;

/// Number of blob and of double columns in the analytics mapping.
pub const ANALYTICS_COLUMNS: usize = 20;
/// Columns of an event row written before the analytics blobs.
pub const FIXED_COLUMNS: usize = 12;

/// The analytics columns computed from the rest of the row (1-based blob and double
/// numbers), with their SQL.
const GENERATED_BLOBS: [(usize, &str); 2] = [(5, "session_id"), (6, "visitor_id")];
const GENERATED_DOUBLES: [(usize, &str); 1] = [(1, "CAST(timestamp AS REAL)")];

/// The blob numbers that are stored (written by the writer), in bind order.
pub fn stored_blobs() -> impl Iterator<Item = usize> {
    (1..=ANALYTICS_COLUMNS).filter(|n| !GENERATED_BLOBS.iter().any(|(g, _)| g == n))
}

/// The double numbers that are stored, in bind order.
pub fn stored_doubles() -> impl Iterator<Item = usize> {
    (1..=ANALYTICS_COLUMNS).filter(|n| !GENERATED_DOUBLES.iter().any(|(g, _)| g == n))
}

/// The migrations in order: the file's `user_version` is how many of them it has.
const MIGRATIONS: &[fn() -> String] = &[
    v1,
    v2_generated_analytics,
    keys_scope_and_expiry,
    sealed_column,
    audit_log,
    sources_and_marks,
];

/// Applies every migration the file does not have yet, each in its own transaction.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    for (done, migration) in MIGRATIONS.iter().enumerate() {
        let next = done as i64 + 1;
        if version < next {
            let tx = conn.transaction()?;
            tx.execute_batch(&migration())?;
            tx.execute_batch(&format!("PRAGMA user_version = {next}"))?;
            tx.commit()?;
        }
    }
    Ok(())
}

/// `sealed`, the ciphertexts of an event's personal fields (JSON object: field path →
/// `"<key id>:<base64 nonce+ciphertext>"`), NULL when the event has none.
fn sealed_column() -> String {
    "ALTER TABLE events ADD COLUMN sealed TEXT;".into()
}

/// `sources` (`verification` and `dedup_rule` are JSON, for webhook sources), and the marks
/// events commit with them: `message_ids` (a message id or webhook dedup key per tenant and
/// source, with when it was received and the event first stored with it) and `identity_links` (anonymous id →
/// user id per tenant). Both are keyed tables without rowids: a lookup is one B-tree probe;
/// `message_ids_received` lets the writer prune ids older than any dedup window.
fn sources_and_marks() -> String {
    "CREATE TABLE sources (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL REFERENCES tenants(name),
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  origins TEXT NOT NULL DEFAULT '[]',
  rate_limit INTEGER NOT NULL,
  signing_secret TEXT NOT NULL,
  ip_allow TEXT NOT NULL DEFAULT '[]',
  ip_deny TEXT NOT NULL DEFAULT '[]',
  verification TEXT,
  dedup_rule TEXT,
  dedup_window_ms INTEGER NOT NULL,
  expires_at INTEGER,
  request_limit INTEGER,
  request_count INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER
);
CREATE INDEX sources_tenant ON sources(tenant, created_at);
CREATE TABLE message_ids (
  tenant TEXT NOT NULL,
  source TEXT NOT NULL,
  message_id TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  PRIMARY KEY (tenant, source, message_id)
) WITHOUT ROWID;
CREATE INDEX message_ids_received ON message_ids(received_at);
CREATE TABLE identity_links (
  tenant TEXT NOT NULL,
  anonymous_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  linked_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, anonymous_id)
) WITHOUT ROWID;"
        .into()
}

/// `audit_log`, one row per reveal of a sealed field, read newest first per tenant.
fn audit_log() -> String {
    "CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  tenant TEXT NOT NULL,
  key_id TEXT NOT NULL,
  action TEXT NOT NULL,
  event_id TEXT NOT NULL,
  field TEXT NOT NULL
);
CREATE INDEX audit_log_tenant_id ON audit_log(tenant, id);"
        .into()
}

/// Keys may belong to no tenant (operator keys, kind `admin` only) and may expire.
/// SQLite cannot drop a NOT NULL constraint in place, so `api_keys` is rebuilt; existing
/// keys keep their tenant, so existing admin keys stay tenant admins (least privilege: an
/// operator key is minted with `clickwire key create --kind operator`).
fn keys_scope_and_expiry() -> String {
    "CREATE TABLE api_keys_scoped (
  id TEXT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  tenant TEXT REFERENCES tenants(name),
  kind TEXT NOT NULL,
  origins TEXT NOT NULL DEFAULT '[]',
  source TEXT,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER,
  expires_at INTEGER,
  CHECK (tenant IS NOT NULL OR kind = 'admin')
);
INSERT INTO api_keys_scoped (id, hash, prefix, tenant, kind, origins, source, created_at, revoked_at)
  SELECT id, hash, prefix, tenant, kind, origins, source, created_at, revoked_at FROM api_keys;
DROP TABLE api_keys;
ALTER TABLE api_keys_scoped RENAME TO api_keys;
CREATE INDEX api_keys_tenant ON api_keys(tenant);
"
    .to_owned()
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

/// The columns of an event row that version 2 has and writes, in bind order.
fn written_columns() -> String {
    let mut columns = String::from(
        "seq, id, tenant, source, received_at, event_type, visitor_id, session_id, timestamp, key_kind, payload, labels",
    );
    for i in stored_blobs() {
        columns.push_str(&format!(", blob{i}"));
    }
    for i in stored_doubles() {
        columns.push_str(&format!(", double{i}"));
    }
    columns
}

/// Rebuilds `events` with the repeated analytics columns generated instead of stored.
fn v2_generated_analytics() -> String {
    let mut columns = String::new();
    for i in 1..=ANALYTICS_COLUMNS {
        match GENERATED_BLOBS.iter().find(|(n, _)| *n == i) {
            Some((_, sql)) => columns.push_str(&format!(
                ",\n  blob{i} TEXT GENERATED ALWAYS AS ({sql}) VIRTUAL"
            )),
            None => columns.push_str(&format!(",\n  blob{i} TEXT NOT NULL DEFAULT ''")),
        }
    }
    for i in 1..=ANALYTICS_COLUMNS {
        match GENERATED_DOUBLES.iter().find(|(n, _)| *n == i) {
            Some((_, sql)) => columns.push_str(&format!(
                ",\n  double{i} REAL GENERATED ALWAYS AS ({sql}) VIRTUAL"
            )),
            None => columns.push_str(&format!(",\n  double{i} REAL")),
        }
    }
    let copied = written_columns();
    format!(
        "CREATE TABLE events_v2 (
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
  index1 TEXT GENERATED ALWAYS AS (tenant) VIRTUAL{columns}
);
INSERT INTO events_v2 ({copied}) SELECT {copied} FROM events ORDER BY seq;
DROP TABLE events;
ALTER TABLE events_v2 RENAME TO events;
CREATE INDEX events_tenant_seq ON events(tenant, seq);
"
    )
}

/// The INSERT of one event row, with its parameters in [`super::writer`]'s bind order:
/// the columns version 2 copied, then `sealed`.
pub fn insert_event_sql() -> String {
    let columns = format!("{}, sealed", written_columns());
    let count = FIXED_COLUMNS + stored_blobs().count() + stored_doubles().count() + 1;
    let params: Vec<String> = (1..=count).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO events ({columns}) VALUES ({})",
        params.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_1_file_keeps_its_events_when_the_analytics_columns_become_generated() {
        let mut conn = Connection::open_in_memory().expect("db");
        conn.execute_batch(&v1()).expect("v1");
        conn.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO events (seq, id, tenant, received_at, event_type, visitor_id,
               session_id, timestamp, key_kind, payload, index1, blob1, blob2, blob17, double1, double19)
             VALUES (7, 'evt_1', 't', 1, 'pageview', 'v', 's', 1000, 'website',
               '{\"page\":{\"url\":\"https://e.com/\",\"path\":\"/\"}}', 't', 'pageview|',
               'https://e.com/', 'a|b', 1000.0, 1.0)",
        )
        .expect("a v1 row");
        migrate(&mut conn).expect("migrate");
        let row: (i64, String, String, String, String, f64, f64) = conn
            .query_row(
                "SELECT seq, index1, blob1, blob2, blob17, double1, double19 FROM events",
                [],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                },
            )
            .expect("migrated row");
        assert_eq!(
            row,
            (
                7,
                "t".into(),
                "pageview|".into(),
                "https://e.com/".into(),
                "a|b".into(),
                1000.0,
                1.0
            )
        );
    }

    #[test]
    fn a_version_1_file_keeps_its_keys_through_the_scope_and_expiry_migration() {
        let mut conn = Connection::open_in_memory().expect("open");
        conn.execute_batch(&v1()).expect("v1");
        conn.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO tenants VALUES ('acme', 'scale', 1);
             INSERT INTO api_keys (id, hash, prefix, tenant, kind, created_at)
               VALUES ('key_1', 'h', 'cw_admin_x…', 'acme', 'admin', 1);",
        )
        .expect("v1 rows");
        migrate(&mut conn).expect("migrate");
        let (tenant, expires): (Option<String>, Option<i64>) = conn
            .query_row(
                "SELECT tenant, expires_at FROM api_keys WHERE id = 'key_1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("row");
        assert_eq!(tenant.as_deref(), Some("acme"));
        assert_eq!(expires, None);
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(version, MIGRATIONS.len() as i64);
    }
}
