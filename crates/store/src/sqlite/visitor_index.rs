//! The per-visitor index, kept off the hot path. Inserting every event into a
//! (tenant, visitor) B-tree inside its own commit touches a random leaf page per event and
//! multiplies the WAL volume of each append several times over. Instead the writer hands
//! (tenant, visitor, seq) of each committed batch to the indexer thread, which writes them,
//! sorted, about once a second into `visitor_seq` in a separate database file
//! (`clickwire-index.db`, with its own WAL and write lock, so a flush never holds up an
//! append), together with the seq up to which the index is complete (the watermark).
//!
//! Until a flush commits, the seqs of each visitor's committed events wait in [`Unindexed`],
//! a map in memory that the writer fills after each commit (before acknowledging it) and the
//! indexer empties after each flush. Reads combine the index with that map, so a visitor's
//! events are found as soon as they are acknowledged, with no scan. The index is derived
//! data: at start-up the events past the watermark are re-read from `events`.
//!
//! Retention ([`super::retention`]) sends the entries of the events it deleted; they leave
//! the pending batch and the in-memory map at once, and `visitor_seq` at the next flush.

use std::{
    collections::HashMap,
    path::Path,
    sync::{mpsc, Arc, Mutex},
    thread,
    time::{Duration, Instant},
};

use rusqlite::{Connection, OptionalExtension};

use crate::StoreError;

/// The index database inside a data directory.
pub const INDEX_FILE: &str = "clickwire-index.db";
/// The `meta` row holding the highest seq whose visitor entry is in `visitor_seq`.
pub const WATERMARK: &str = "visitor_indexed_through";
/// The `meta` row holding the highest seq deleted by retention whose entry is gone too.
const FORGOTTEN: &str = "visitor_forgotten_through";
/// How long entries may wait in memory before they are written.
const FLUSH_INTERVAL: Duration = Duration::from_secs(1);
/// Most entries held in memory before a flush is forced.
const MAX_PENDING: usize = 500_000;

/// One committed event as the index sees it.
pub type Entry = (Arc<str>, String, i64);

/// What the indexer is told.
enum IndexMsg {
    /// Entries of committed events, to be indexed.
    Add(Vec<Entry>),
    /// Entries of events retention deleted (every event up to their highest seq is gone).
    Forget(Vec<Entry>),
}

/// The indexer has stopped (the process is shutting down).
#[derive(Debug, thiserror::Error)]
#[error("the visitor indexer has stopped")]
pub struct IndexerStopped;

/// Where the writer sends the entries of each committed batch, and retention those of
/// the events it deleted.
#[derive(Clone)]
pub struct EntrySender(mpsc::Sender<IndexMsg>);

impl EntrySender {
    /// Queues the entries of a committed batch.
    pub fn send(&self, entries: Vec<Entry>) -> Result<(), IndexerStopped> {
        self.0
            .send(IndexMsg::Add(entries))
            .map_err(|_| IndexerStopped)
    }

    /// Queues the removal of deleted events' entries.
    pub fn forget(&self, entries: Vec<Entry>) -> Result<(), IndexerStopped> {
        self.0
            .send(IndexMsg::Forget(entries))
            .map_err(|_| IndexerStopped)
    }
}

/// (tenant, visitor).
type VisitorKey = (Arc<str>, String);

/// Seqs of committed events not yet in `visitor_seq`, by (tenant, visitor).
#[derive(Default)]
pub struct Unindexed {
    seqs: Mutex<HashMap<VisitorKey, Vec<i64>>>,
}

impl Unindexed {
    /// Records committed events; called before they are acknowledged.
    pub fn add(&self, entries: &[Entry]) {
        if let Ok(mut seqs) = self.seqs.lock() {
            for (tenant, visitor, seq) in entries {
                let key = (Arc::clone(tenant), visitor.clone());
                seqs.entry(key).or_default().push(*seq);
            }
        }
    }

    /// Forgets entries whose index rows have committed.
    fn remove(&self, entries: &[Entry]) {
        if let Ok(mut seqs) = self.seqs.lock() {
            for (tenant, visitor, seq) in entries {
                let key = (Arc::clone(tenant), visitor.clone());
                if let Some(list) = seqs.get_mut(&key) {
                    list.retain(|s| s != seq);
                    if list.is_empty() {
                        seqs.remove(&key);
                    }
                }
            }
        }
    }

    /// The visitor's seqs above `after`.
    pub fn seqs(&self, tenant: &str, visitor: &str, after: i64) -> Vec<i64> {
        let key = (Arc::from(tenant), visitor.to_owned());
        self.seqs
            .lock()
            .ok()
            .and_then(|seqs| seqs.get(&key).cloned())
            .unwrap_or_default()
            .into_iter()
            .filter(|seq| *seq > after)
            .collect()
    }
}

/// Creates the index schema when missing.
pub fn migrate(conn: &Connection) -> Result<(), StoreError> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS visitor_seq (
           tenant TEXT NOT NULL,
           visitor_id TEXT NOT NULL,
           seq INTEGER NOT NULL,
           PRIMARY KEY (tenant, visitor_id, seq)
         ) WITHOUT ROWID;
         CREATE TABLE IF NOT EXISTS meta (
           name TEXT PRIMARY KEY,
           value INTEGER NOT NULL
         );",
    )?;
    Ok(())
}

/// Starts the indexer on `index` (a connection to the index file), first queueing the
/// events of `main` past the watermark. It stops after its sender is dropped, flushing all.
pub fn spawn(
    index: Connection,
    main: &Connection,
    unindexed: Arc<Unindexed>,
) -> Result<(EntrySender, thread::JoinHandle<()>), StoreError> {
    migrate(&index)?;
    forget_deleted_front(&index, main)?;
    let tail = unindexed_tail(main, reconcile(&index, main)?)?;
    unindexed.add(&tail);
    let (tx, rx) = mpsc::channel();
    let handle = thread::Builder::new()
        .name("clickwire-index".into())
        .spawn(move || run(index, tail, &rx, &unindexed))?;
    Ok((EntrySender(tx), handle))
}

fn run(
    mut conn: Connection,
    mut pending: Vec<Entry>,
    rx: &mpsc::Receiver<IndexMsg>,
    unindexed: &Unindexed,
) {
    let mut last_flush = Instant::now();
    // Entries of deleted events that may already be in `visitor_seq`.
    let mut doomed: Vec<Entry> = Vec::new();
    loop {
        let wait = FLUSH_INTERVAL.saturating_sub(last_flush.elapsed());
        let closed = match rx.recv_timeout(wait) {
            Ok(IndexMsg::Add(entries)) => {
                pending.extend(entries);
                false
            }
            Ok(IndexMsg::Forget(entries)) => {
                let through = entries.iter().map(|(_, _, seq)| *seq).max().unwrap_or(0);
                pending.retain(|(_, _, seq)| *seq > through);
                unindexed.remove(&entries);
                doomed.extend(entries);
                false
            }
            Err(mpsc::RecvTimeoutError::Timeout) => false,
            Err(mpsc::RecvTimeoutError::Disconnected) => true,
        };
        let due = closed || pending.len() >= MAX_PENDING || last_flush.elapsed() >= FLUSH_INTERVAL;
        if due {
            // The clock restarts even when there was nothing to write, so an idle indexer
            // sleeps a full interval instead of spinning.
            last_flush = Instant::now();
            if !pending.is_empty() || !doomed.is_empty() {
                match flush(&mut conn, &mut pending, &mut doomed) {
                    Ok(()) => {
                        unindexed.remove(&pending);
                        pending.clear();
                        doomed.clear();
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "visitor index flush failed; will retry")
                    }
                }
            }
        }
        if closed {
            return;
        }
    }
}

/// Writes `pending` in key order and moves the watermark to its highest seq; deletes the
/// entries of `doomed` (deleted events).
fn flush(
    conn: &mut Connection,
    pending: &mut [Entry],
    doomed: &mut [Entry],
) -> rusqlite::Result<()> {
    let through = pending.iter().map(|(_, _, seq)| *seq).max().unwrap_or(0);
    let forgotten = doomed.iter().map(|(_, _, seq)| *seq).max().unwrap_or(0);
    pending.sort_unstable();
    doomed.sort_unstable();
    let tx = conn.transaction()?;
    {
        let mut delete = tx.prepare_cached(
            "DELETE FROM visitor_seq WHERE tenant = ?1 AND visitor_id = ?2 AND seq = ?3",
        )?;
        for (tenant, visitor, seq) in doomed.iter() {
            delete.execute((&**tenant, visitor, seq))?;
        }
        let mut insert = tx.prepare_cached(
            "INSERT OR IGNORE INTO visitor_seq (tenant, visitor_id, seq) VALUES (?1, ?2, ?3)",
        )?;
        for (tenant, visitor, seq) in pending.iter() {
            insert.execute((&**tenant, visitor, seq))?;
        }
        let mut mark = tx.prepare_cached(
            "INSERT INTO meta (name, value) VALUES (?1, ?2)
             ON CONFLICT(name) DO UPDATE SET value = max(value, excluded.value)",
        )?;
        mark.execute((WATERMARK, through))?;
        mark.execute((FORGOTTEN, forgotten))?;
    }
    tx.commit()
}

/// The highest seq covered by `visitor_seq` (0 when nothing is).
fn watermark(conn: &Connection) -> rusqlite::Result<i64> {
    meta(conn, WATERMARK)
}

/// A `meta` value (0 when unset).
fn meta(conn: &Connection, name: &str) -> rusqlite::Result<i64> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE name = ?1", [name], |row| {
            row.get(0)
        })
        .optional()?
        .unwrap_or(0))
}

/// Drops the entries of events retention deleted whose removal never reached the index
/// (the process died before the indexer's flush). Only then does it scan `visitor_seq`:
/// normally everything below the oldest stored event is already forgotten.
fn forget_deleted_front(index: &Connection, main: &Connection) -> rusqlite::Result<()> {
    let oldest: Option<i64> = main.query_row("SELECT MIN(seq) FROM events", [], |r| r.get(0))?;
    let Some(oldest) = oldest else {
        return Ok(());
    };
    let forgotten = meta(index, FORGOTTEN)?;
    if oldest - 1 <= forgotten {
        return Ok(());
    }
    index.execute("DELETE FROM visitor_seq WHERE seq < ?1", [oldest])?;
    index.execute(
        "INSERT INTO meta (name, value) VALUES (?1, ?2)
         ON CONFLICT(name) DO UPDATE SET value = max(value, excluded.value)",
        (FORGOTTEN, oldest - 1),
    )?;
    Ok(())
}

/// The watermark, after dropping entries past the last stored event: after a power loss
/// (with `synchronous = normal`) the index may remember commits the event log lost, and
/// those seqs will be handed out again.
fn reconcile(index: &Connection, main: &Connection) -> rusqlite::Result<i64> {
    let stored: i64 =
        main.query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))?;
    let mark = watermark(index)?;
    if mark <= stored {
        return Ok(mark);
    }
    index.execute("DELETE FROM visitor_seq WHERE seq > ?1", [stored])?;
    index.execute(
        "UPDATE meta SET value = ?2 WHERE name = ?1",
        (WATERMARK, stored),
    )?;
    Ok(stored)
}

fn unindexed_tail(main: &Connection, watermark: i64) -> rusqlite::Result<Vec<Entry>> {
    let mut stmt =
        main.prepare("SELECT tenant, visitor_id, seq FROM events WHERE seq > ?1 ORDER BY seq")?;
    let rows = stmt.query_map([watermark], |row| {
        Ok((
            Arc::from(row.get::<_, String>(0)?),
            row.get(1)?,
            row.get(2)?,
        ))
    })?;
    rows.collect()
}

/// Attaches the index file to a read connection as `idx`.
pub fn attach(conn: &Connection, dir: &Path) -> rusqlite::Result<()> {
    let path = dir.join(INDEX_FILE);
    conn.execute("ATTACH DATABASE ?1 AS idx", [path.to_string_lossy()])?;
    Ok(())
}
