//! The checkpointer thread: copies committed WAL frames into the database file from its own
//! connection, so the writer thread spends its time on appends and never on checkpoints.
//! SQLite's PASSIVE checkpoint runs beside the writer without blocking it. A writer that
//! never pauses keeps a PASSIVE checkpoint from ever finishing, so the WAL would grow without
//! bound; once it passes [`WAL_LIMIT`] a RESTART checkpoint briefly holds the writer back so
//! the WAL starts over from its beginning (and is cut back to that size).

use std::{
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    thread,
    time::Duration,
};

use rusqlite::Connection;

use crate::StoreError;

/// How often the WAL is checkpointed.
const INTERVAL: Duration = Duration::from_millis(200);
/// WAL size past which the writer is held back until the WAL restarts.
const WAL_LIMIT: u64 = 64 * 1024 * 1024;

/// A running checkpointer; [`Checkpointer::stop`] runs a last full checkpoint.
pub struct Checkpointer {
    stop: Arc<AtomicBool>,
    handle: thread::JoinHandle<()>,
}

impl Checkpointer {
    /// Checkpoints `conn`, whose WAL file is `wal`.
    pub fn spawn(conn: Connection, wal: PathBuf) -> Result<Self, StoreError> {
        conn.pragma_update(None, "journal_size_limit", WAL_LIMIT as i64)?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let handle = thread::Builder::new()
            .name("clickwire-ckpt".into())
            .spawn(move || run(&conn, &wal, &stopping))?;
        Ok(Self { stop, handle })
    }

    /// Stops the thread after a final checkpoint that also truncates the WAL.
    pub fn stop(self) {
        self.stop.store(true, Ordering::Release);
        self.handle.thread().unpark();
        let _ = self.handle.join();
    }
}

fn run(conn: &Connection, wal: &Path, stop: &AtomicBool) {
    while !stop.load(Ordering::Acquire) {
        thread::park_timeout(INTERVAL);
        if let Err(err) = checkpoint(conn, "PASSIVE") {
            tracing::warn!(error = %err, "WAL checkpoint failed; will retry");
        }
        // Right after a PASSIVE pass little is left to copy, so the writer waits briefly.
        if std::fs::metadata(wal).is_ok_and(|m| m.len() > WAL_LIMIT) {
            if let Err(err) = checkpoint(conn, "RESTART") {
                tracing::warn!(error = %err, "WAL restart failed; will retry");
            }
        }
    }
    if let Err(err) = checkpoint(conn, "TRUNCATE") {
        tracing::warn!(error = %err, "final WAL checkpoint failed; SQLite recovers it at next open");
    }
}

fn checkpoint(conn: &Connection, mode: &str) -> rusqlite::Result<()> {
    conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |_| Ok(()))
}
