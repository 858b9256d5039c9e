//! The checkpointer thread: copies committed WAL frames into the database file from its own
//! connection, so the writer thread spends its time on appends and never on checkpoints.
//! SQLite's PASSIVE checkpoint runs beside the writer without blocking it.
//!
//! A writer that never pauses keeps those checkpoints from ever catching up, and the WAL only
//! starts over from its beginning once a checkpoint has caught up. So once the WAL passes
//! [`WAL_LIMIT`] the writer itself, between two commits, runs a PASSIVE checkpoint of what
//! little this thread has not copied yet ([`catch_up`]); its next commit then restarts the
//! WAL. (A RESTART checkpoint from this thread would do the same, but while it waits for the
//! writer lock in SQLite's sleeping busy handler it blocks every new commit: tens of ms.)

use std::{
    path::Path,
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
/// Uncopied frames (about 1 MiB) past which the next pass starts without pausing.
const MAX_LAG_FRAMES: i64 = 256;
/// WAL size past which the writer catches the checkpoint up so the WAL can restart.
pub const WAL_LIMIT: u64 = 256 * 1024 * 1024;

/// A running checkpointer; [`Checkpointer::stop`] runs a last full checkpoint.
pub struct Checkpointer {
    stop: Arc<AtomicBool>,
    handle: thread::JoinHandle<()>,
}

impl Checkpointer {
    /// Checkpoints through `conn`.
    pub fn spawn(conn: Connection) -> Result<Self, StoreError> {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let handle = thread::Builder::new()
            .name("clickwire-ckpt".into())
            .spawn(move || run(&conn, &stopping))?;
        Ok(Self { stop, handle })
    }

    /// Stops the thread after a final checkpoint that also truncates the WAL.
    pub fn stop(self) {
        self.stop.store(true, Ordering::Release);
        self.handle.thread().unpark();
        let _ = self.handle.join();
    }
}

fn run(conn: &Connection, stop: &AtomicBool) {
    let mut behind = 0;
    while !stop.load(Ordering::Acquire) {
        // Stay close behind a busy writer, so its catch-up before a WAL restart is short.
        if behind <= MAX_LAG_FRAMES {
            thread::park_timeout(INTERVAL);
        }
        behind = match checkpoint(conn, "PASSIVE") {
            Ok(left) => left,
            Err(err) => {
                tracing::warn!(error = %err, "WAL checkpoint failed; will retry");
                0
            }
        };
    }
    if let Err(err) = checkpoint(conn, "TRUNCATE") {
        tracing::warn!(error = %err, "final WAL checkpoint failed; SQLite recovers it at next open");
    }
}

/// Run by the writer between commits: when the WAL has outgrown [`WAL_LIMIT`], copy the
/// frames not yet checkpointed, so that the next commit starts the WAL over.
pub fn catch_up(conn: &Connection, wal: &Path) {
    if std::fs::metadata(wal).is_ok_and(|m| m.len() > WAL_LIMIT) {
        let started = std::time::Instant::now();
        // Busy (the checkpointer is mid-pass) is fine: the next commit tries again.
        let _ = checkpoint(conn, "PASSIVE");
        metrics::histogram!("clickwire_store_wal_catch_up_seconds")
            .record(started.elapsed().as_secs_f64());
    }
}

/// Runs a checkpoint; returns how many WAL frames it left uncopied.
fn checkpoint(conn: &Connection, mode: &str) -> rusqlite::Result<i64> {
    conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |row| {
        let (log, copied): (i64, i64) = (row.get(1)?, row.get(2)?);
        Ok((log - copied).max(0))
    })
}
