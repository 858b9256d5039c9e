//! Retention (`store.retention`): events received longer ago than the configured age are
//! deleted from the front of the log, in short chunks, by the writer thread between its
//! group commits — SQLite has one writer, and a chunk run there never waits for a lock.
//!
//! Only a prefix of the log (in seq order) is ever deleted: a chunk stops at the first
//! event that has not expired, even if a later one has (`received_at` only goes backwards
//! if the clock does). So what is kept is always every event from the oldest kept seq on,
//! and the feed's `resume_gap` (any `since` below the oldest kept seq) stays exact. The
//! newest event is always kept, even when it has expired: the next seq is one past the
//! highest stored, so an empty table would hand out seqs from 1 again after a restart.
//!
//! The visitor index entries of the deleted events are handed to the indexer thread, which
//! owns the index file's connection and removes them with its next flush; should the
//! process die before that flush, the next start removes them (see
//! [`super::visitor_index`]). Freed pages are reused by later appends:
//! the file stops growing once retention keeps pace, but does not shrink (`VACUUM` offline).

use std::{
    sync::Arc,
    thread,
    time::{Duration, Instant},
};

use rusqlite::Connection;

use super::{
    columns::now_ms,
    visitor_index::{Entry, EntrySender},
};

/// When and how much to delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionConfig {
    /// Events received longer ago than this are deleted.
    pub keep: Duration,
    /// How often the writer looks for expired events while it keeps up.
    pub interval: Duration,
    /// Most events deleted in one transaction (one gap between two group commits).
    pub chunk_rows: usize,
}

/// What one [`delete_expired`] call removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Deleted {
    pub rows: usize,
    /// The highest deleted seq; every event up to it is gone.
    pub through_seq: Option<i64>,
    /// (tenant, visitor, seq) of each deleted event, for the visitor index.
    pub entries: Vec<Entry>,
}

/// Deletes, in one transaction, at most `max_rows` of the oldest events, stopping at the
/// first one received at or after `cutoff_ms` and before the newest event.
pub fn delete_expired(
    conn: &Connection,
    cutoff_ms: i64,
    max_rows: usize,
) -> Result<Deleted, rusqlite::Error> {
    let tx = conn.unchecked_transaction()?;
    let entries = expired_prefix(&tx, cutoff_ms, max_rows)?;
    let through_seq = entries.last().map(|(_, _, seq)| *seq);
    if let Some(through) = through_seq {
        tx.execute("DELETE FROM events WHERE seq <= ?1", [through])?;
    }
    tx.commit()?;
    Ok(Deleted {
        rows: entries.len(),
        through_seq,
        entries,
    })
}

/// The oldest events, in seq order, up to the first unexpired one or `max_rows`.
fn expired_prefix(
    conn: &Connection,
    cutoff_ms: i64,
    max_rows: usize,
) -> Result<Vec<Entry>, rusqlite::Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, received_at, tenant, visitor_id FROM events
         WHERE seq < (SELECT MAX(seq) FROM events) ORDER BY seq LIMIT ?1",
    )?;
    let mut rows = stmt.query([i64::try_from(max_rows).unwrap_or(i64::MAX)])?;
    let mut entries = Vec::new();
    while let Some(row) = rows.next()? {
        let received_at: i64 = row.get(1)?;
        if received_at >= cutoff_ms {
            break;
        }
        let tenant: String = row.get(2)?;
        entries.push((Arc::from(tenant), row.get(3)?, row.get(0)?));
    }
    Ok(entries)
}

/// The writer's retention schedule; does nothing when retention is off.
pub struct Retention {
    plan: Option<Plan>,
}

struct Plan {
    config: RetentionConfig,
    next_due: Instant,
    index: EntrySender,
}

impl Retention {
    /// Retention off: events are kept forever.
    pub fn off() -> Self {
        Self { plan: None }
    }

    /// Deletes per `config`; the visitor index entries of deleted events go to `index`.
    pub fn new(config: RetentionConfig, index: EntrySender) -> Self {
        Self {
            plan: Some(Plan {
                config,
                next_due: Instant::now(),
                index,
            }),
        }
    }

    /// Called by the writer between group commits. When due, deletes one chunk, and more
    /// while `idle()` says no append is waiting; a backlog left over is resumed after the
    /// next commit, so an append waits at most for one chunk.
    pub fn run_due(&mut self, conn: &Connection, idle: impl Fn() -> bool) {
        let Some(plan) = &mut self.plan else { return };
        if Instant::now() < plan.next_due {
            return;
        }
        loop {
            let full = plan.run_chunk(conn);
            if !full {
                plan.next_due = Instant::now() + plan.config.interval;
                return;
            }
            if !idle() {
                return;
            }
        }
    }
}

impl Plan {
    /// Deletes one chunk; true when it was full (more may have expired).
    fn run_chunk(&mut self, conn: &Connection) -> bool {
        let started = Instant::now();
        let cutoff = now_ms().saturating_sub(millis(self.config.keep));
        match delete_expired(conn, cutoff, self.config.chunk_rows) {
            Ok(deleted) => {
                metrics::histogram!("clickwire_store_retention_chunk_seconds")
                    .record(started.elapsed().as_secs_f64());
                metrics::counter!("clickwire_store_retention_deleted_total")
                    .increment(deleted.rows as u64);
                let full = deleted.rows >= self.config.chunk_rows;
                if !deleted.entries.is_empty() {
                    // A closed indexer only means the process is stopping; see the module doc.
                    let _ = self.index.forget(deleted.entries);
                }
                full
            }
            Err(err) => {
                tracing::warn!(error = %err, "retention chunk failed; will retry");
                false
            }
        }
    }
}

/// Wakes the writer every `interval` with `wake`, so retention also runs while no append
/// arrives; stops once `wake` returns false (the writer is gone).
pub fn spawn_waker(
    interval: Duration,
    mut wake: impl FnMut() -> bool + Send + 'static,
) -> std::io::Result<()> {
    thread::Builder::new()
        .name("clickwire-retention".into())
        .spawn(move || loop {
            thread::sleep(interval);
            if !wake() {
                return;
            }
        })
        .map(drop)
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events_db(received: &[i64]) -> Connection {
        let conn = Connection::open_in_memory().expect("open");
        conn.execute_batch(
            "CREATE TABLE events (seq INTEGER PRIMARY KEY, tenant TEXT NOT NULL,
               visitor_id TEXT NOT NULL, received_at INTEGER NOT NULL)",
        )
        .expect("schema");
        for (i, at) in received.iter().enumerate() {
            conn.execute(
                "INSERT INTO events (seq, tenant, visitor_id, received_at) VALUES (?1, 't', ?2, ?3)",
                (i as i64 + 1, format!("v{}", i % 3), at),
            )
            .expect("insert");
        }
        conn
    }

    fn seqs_left(conn: &Connection) -> Vec<i64> {
        let mut stmt = conn
            .prepare("SELECT seq FROM events ORDER BY seq")
            .expect("sql");
        let rows = stmt.query_map([], |row| row.get(0)).expect("query");
        rows.collect::<Result<_, _>>().expect("rows")
    }

    #[test]
    fn expired_events_are_deleted_oldest_first_in_chunks_of_at_most_max_rows() {
        let conn = events_db(&[10, 20, 30, 40, 50, 60, 70]);
        let first = delete_expired(&conn, 55, 2).expect("chunk");
        assert_eq!((first.rows, first.through_seq), (2, Some(2)));
        let seqs: Vec<i64> = first.entries.iter().map(|(_, _, seq)| *seq).collect();
        assert_eq!(seqs, [1, 2]);
        assert_eq!(
            first.entries[1].1, "v1",
            "entries carry the visitor of each seq"
        );
        let second = delete_expired(&conn, 55, 2).expect("chunk");
        assert_eq!((second.rows, second.through_seq), (2, Some(4)));
        let third = delete_expired(&conn, 55, 2).expect("chunk");
        assert_eq!((third.rows, third.through_seq), (1, Some(5)));
        let done = delete_expired(&conn, 55, 2).expect("chunk");
        assert_eq!(done, Deleted::default());
        assert_eq!(seqs_left(&conn), [6, 7]);
    }

    #[test]
    fn deletion_stops_at_the_first_unexpired_event_even_when_a_later_one_expired() {
        // The clock went back between seq 2 and 3: seq 3 waits until seq 2 expires.
        let conn = events_db(&[10, 90, 20, 30]);
        let deleted = delete_expired(&conn, 50, 100).expect("chunk");
        assert_eq!((deleted.rows, deleted.through_seq), (1, Some(1)));
        assert_eq!(seqs_left(&conn), [2, 3, 4]);
    }

    #[test]
    fn the_newest_event_is_kept_even_when_everything_expired() {
        let conn = events_db(&[10, 20, 30]);
        let deleted = delete_expired(&conn, 1_000, 100).expect("chunk");
        assert_eq!((deleted.rows, deleted.through_seq), (2, Some(2)));
        assert_eq!(seqs_left(&conn), [3]);
        assert_eq!(delete_expired(&conn, 1_000, 100).expect("chunk").rows, 0);
    }

    #[test]
    fn nothing_is_deleted_when_nothing_is_older_than_the_cutoff() {
        let conn = events_db(&[100, 200]);
        assert_eq!(delete_expired(&conn, 100, 10).expect("chunk").rows, 0);
        assert_eq!(seqs_left(&conn), [1, 2]);
    }
}
