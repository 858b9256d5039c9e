//! The embedded backend: one SQLite file in WAL mode. [`SqliteEventStore`] is the event log
//! (a single writer thread with group commit, publishing each commit to the bus) and its
//! queries (a small pool of read connections);
//! [`SqliteCatalog`] keeps tenants and keys, and [`SqliteSources`] the sources, in the same file, so the CLI can manage them
//! while the server runs.

mod catalog;
mod check;
mod checkpoint;
mod columns;
mod deliveries;
mod marks;
mod pool;
mod query;
mod retention;
mod schema;
mod sources;
mod stats;
mod vault;
mod visitor_index;
mod writer;

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    thread::JoinHandle,
    time::Duration,
};

pub use catalog::SqliteCatalog;
pub use check::{check_files, FileCheck, FileOutcome, STORE_FILES};
use clickwire_bus::Bus;
pub use deliveries::{SqliteDeliveries, DELIVERIES_FILE};
pub use retention::RetentionConfig;
use serde::Deserialize;
pub use sources::SqliteSources;
pub use stats::{stats, EventEdge, TenantStats};
use tokio::sync::{mpsc, oneshot};
pub use vault::SqliteVault;

use self::{
    checkpoint::{Checkpointer, WAL_LIMIT},
    pool::{open_connection, Pool},
    retention::Retention,
    visitor_index::{Unindexed, INDEX_FILE},
    writer::Downstream,
    writer::{AppendJob, WriterMsg},
};
use crate::{
    AppendBatch, AppendQueue, EventLog, EventPage, EventQueries, EventQuery, MarkLookup,
    MarkQueries, MarkQuery, OnCommit, Reservation, StoreError, StoreFuture,
};

impl From<rusqlite::Error> for StoreError {
    /// A full disk (`SQLITE_FULL`) or a file system that refused a read, write or sync
    /// (`SQLITE_IOERR`) is [`StoreError::Unavailable`]: the statement failed and may
    /// succeed later. Anything else is a backend error.
    fn from(err: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::{DiskFull, SystemIoFailure};
        match err.sqlite_error_code() {
            Some(DiskFull | SystemIoFailure) => StoreError::Unavailable(err.to_string()),
            _ => StoreError::Backend(Box::new(err)),
        }
    }
}

/// Page cache of the writer connection (KiB): large enough that appends never re-read
/// the right edge of the table and its indexes from the OS.
const WRITER_CACHE_KIB: i64 = 128 * 1024;

/// Page size of new database files. An event row is ≈ 1.5 KB, so 4 KiB pages hold two and
/// leave about a quarter empty; 16 KiB pages store a filled store in ≈ 19 % fewer bytes
/// (2,099 → 1,696 B per event over 300,000 filled events; BENCHMARKS.md).
const PAGE_SIZE: i64 = 16 * 1024;

/// The database file inside a data directory.
pub const DB_FILE: &str = "clickwire.db";

/// How hard a commit waits for the disk (SQLite `PRAGMA synchronous` in WAL mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Synchronous {
    /// A commit is in the OS before it is acknowledged: survives a killed process,
    /// may lose the last commits on power loss.
    Normal,
    /// A commit is fsynced before it is acknowledged: survives power loss too.
    Full,
}

/// Settings of the SQLite event store.
#[derive(Debug, Clone)]
pub struct SqliteConfig {
    /// The data directory; the database is `<dir>/clickwire.db`.
    pub dir: PathBuf,
    pub synchronous: Synchronous,
    /// Events that may be reserved or wait for the writer before appends are refused.
    pub queue_capacity: usize,
    /// Most rows one group commit takes.
    pub max_batch_rows: usize,
    /// How long a connection waits for a lock held by another connection or process.
    pub busy_timeout: Duration,
    /// Most read connections open at once (kept when idle).
    pub readers: usize,
    /// Delete events older than this; `None` keeps them forever.
    pub retention: Option<RetentionConfig>,
    /// Reads that may wait for a connection; more fail with [`StoreError::Overloaded`].
    pub read_queue: usize,
}

/// Opens (creating and migrating when needed) the database of a data directory.
fn open_db(dir: &Path, busy_timeout: Duration) -> Result<rusqlite::Connection, StoreError> {
    std::fs::create_dir_all(dir)?;
    let mut conn = open_connection(&dir.join(DB_FILE), busy_timeout)?;
    // Takes effect only on a new file (before its first table and WAL mode); an older
    // store keeps the page size it was created with.
    conn.pragma_update(None, "page_size", PAGE_SIZE)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    schema::migrate(&mut conn)?;
    Ok(conn)
}

/// The SQLite event store.
pub struct SqliteEventStore {
    queue: AppendQueue,
    tx: mpsc::UnboundedSender<WriterMsg>,
    /// Committed events not yet in the visitor index, for per-visitor reads.
    unindexed: Arc<Unindexed>,
    pool: Arc<Pool>,
    threads: Mutex<Option<Threads>>,
}

/// The store's background threads, stopped in this order.
struct Threads {
    writer: JoinHandle<()>,
    indexer: JoinHandle<()>,
    checkpointer: Checkpointer,
}

impl SqliteEventStore {
    /// Opens the store and starts its writer thread, which publishes commits to `bus`.
    pub fn open(config: &SqliteConfig, bus: Arc<dyn Bus>) -> Result<Self, StoreError> {
        let conn = open_db(&config.dir, config.busy_timeout)?;
        let sync = match config.synchronous {
            Synchronous::Normal => "NORMAL",
            Synchronous::Full => "FULL",
        };
        conn.pragma_update(None, "synchronous", sync)?;
        conn.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)?;
        // Checkpoints run on their own thread, not inside the writer's commits.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let db = config.dir.join(DB_FILE);
        // When the writer restarts the WAL, the file is cut back to this size.
        conn.pragma_update(None, "journal_size_limit", WAL_LIMIT as i64)?;
        let checkpointer = Checkpointer::spawn(open_connection(&db, config.busy_timeout)?)?;
        let index = open_connection(&config.dir.join(INDEX_FILE), config.busy_timeout)?;
        let unindexed = Arc::new(Unindexed::default());
        let (index_tx, indexer) = visitor_index::spawn(index, &conn, Arc::clone(&unindexed))?;
        let (tx, rx) = mpsc::unbounded_channel();
        let wal = config.dir.join(format!("{DB_FILE}-wal"));
        let retention = match config.retention {
            Some(retention) => {
                retention::spawn_waker(retention.interval, waker(&tx))?;
                Retention::new(retention, index_tx.clone())
            }
            None => Retention::off(),
        };
        let downstream = Downstream {
            index: index_tx,
            unindexed: Arc::clone(&unindexed),
            bus,
            retention,
        };
        let writer = writer::spawn(conn, rx, config.max_batch_rows.max(1), wal, downstream)?;
        let pool = Pool::new(&db, config.busy_timeout, config.readers)
            .max_waiting(config.read_queue)
            .attaching_index(&config.dir);
        Ok(Self {
            queue: AppendQueue::new(config.queue_capacity),
            tx,
            unindexed,
            pool: Arc::new(pool),
            threads: Mutex::new(Some(Threads {
                writer,
                indexer,
                checkpointer,
            })),
        })
    }

    /// Commits everything already queued, then stops the writer. Appends after this fail
    /// with [`StoreError::Closed`].
    async fn shutdown(&self) {
        self.queue.close();
        let (done_tx, done_rx) = oneshot::channel();
        if self.tx.send(WriterMsg::Shutdown(done_tx)).is_ok() {
            let _ = done_rx.await;
        }
        let threads = self.threads.lock().ok().and_then(|mut t| t.take());
        if let Some(threads) = threads {
            let _ = tokio::task::spawn_blocking(move || {
                // The writer's exit drops its index sender, which lets the indexer flush
                // and stop; the checkpointer goes last so the WAL ends up truncated.
                let _ = threads.writer.join();
                let _ = threads.indexer.join();
                threads.checkpointer.stop();
            })
            .await;
        }
    }
}

/// Wakes an idle writer so it runs retention. Holds only a weak sender, so it never keeps
/// a dropped store's writer alive.
fn waker(tx: &mpsc::UnboundedSender<WriterMsg>) -> impl FnMut() -> bool + Send + 'static {
    let weak = tx.downgrade();
    move || {
        weak.upgrade()
            .is_some_and(|tx| tx.send(WriterMsg::Wake).is_ok())
    }
}

impl EventLog for SqliteEventStore {
    fn reserve(&self, events: usize) -> Result<Reservation, StoreError> {
        self.queue.reserve(events)
    }

    fn append(&self, reservation: Reservation, batch: AppendBatch, on_commit: OnCommit) {
        let job = AppendJob {
            batch,
            reservation,
            on_commit,
        };
        if let Err(mpsc::error::SendError(WriterMsg::Append(job))) =
            self.tx.send(WriterMsg::Append(job))
        {
            (job.on_commit)(Err(StoreError::Closed));
        }
    }

    fn queue_depth(&self) -> usize {
        self.queue.depth()
    }

    fn close(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            self.shutdown().await;
            Ok(())
        })
    }
}

impl EventQueries for SqliteEventStore {
    fn query(&self, query: EventQuery) -> StoreFuture<'_, EventPage> {
        let fresh = query.visitor_id.as_deref().map(|visitor| {
            let after = query.after_seq.unwrap_or(0);
            self.unindexed.seqs(&query.tenant, visitor, after)
        });
        Box::pin(
            self.pool
                .run(move |conn| query::run(conn, &query, fresh.as_deref())),
        )
    }

    fn ping(&self) -> StoreFuture<'_, ()> {
        Box::pin(self.pool.run(|conn| {
            conn.query_row("SELECT 1", [], |_| Ok(()))?;
            Ok(())
        }))
    }
}

impl MarkQueries for SqliteEventStore {
    fn lookup_marks(&self, query: MarkQuery) -> StoreFuture<'_, MarkLookup> {
        Box::pin(self.pool.run(move |conn| marks::lookup(conn, &query)))
    }
}
