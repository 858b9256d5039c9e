//! The embedded backend: one SQLite file in WAL mode. [`SqliteEventStore`] appends through
//! a single writer thread with group commit and reads through a small pool;
//! [`SqliteCatalog`] keeps tenants and keys in the same file, so the CLI can manage them
//! while the server runs.

mod catalog;
mod checkpoint;
mod pool;
mod query;
mod schema;
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
use serde::Deserialize;
use tokio::sync::{broadcast, mpsc, oneshot};
pub use vault::SqliteVault;

use self::{
    checkpoint::{Checkpointer, WAL_LIMIT},
    pool::{open_connection, Pool},
    visitor_index::{Unindexed, INDEX_FILE},
    writer::Downstream,
    writer::{AppendJob, WriterMsg},
};
use crate::{
    Appended, Committed, EventPage, EventQuery, EventStore, NewEvent, StoreError, StoreFuture,
};

/// Page cache of the writer connection (KiB): large enough that appends never re-read
/// the right edge of the table and its indexes from the OS.
const WRITER_CACHE_KIB: i64 = 128 * 1024;

/// Committed appends the live feed may fall behind by before it must recover from the store.
const COMMIT_FEED_CAPACITY: usize = 16 * 1024;

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
    /// Append jobs (requests) that may wait for the writer before appends are refused.
    pub queue_capacity: usize,
    /// Most rows one group commit takes.
    pub max_batch_rows: usize,
    /// How long a connection waits for a lock held by another connection or process.
    pub busy_timeout: Duration,
    /// Idle read connections kept open.
    pub readers: usize,
}

/// Opens (creating and migrating when needed) the database of a data directory.
fn open_db(dir: &Path, busy_timeout: Duration) -> Result<rusqlite::Connection, StoreError> {
    std::fs::create_dir_all(dir)?;
    let mut conn = open_connection(&dir.join(DB_FILE), busy_timeout)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    schema::migrate(&mut conn)?;
    Ok(conn)
}

/// The SQLite event store.
pub struct SqliteEventStore {
    tx: mpsc::Sender<WriterMsg>,
    commits: broadcast::Sender<Arc<Committed>>,
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
    /// Opens the store and starts its writer thread.
    pub fn open(config: &SqliteConfig) -> Result<Self, StoreError> {
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
        let (tx, rx) = mpsc::channel(config.queue_capacity.max(1));
        let wal = config.dir.join(format!("{DB_FILE}-wal"));
        let (commits, _) = broadcast::channel(COMMIT_FEED_CAPACITY);
        let downstream = Downstream {
            index: index_tx,
            unindexed: Arc::clone(&unindexed),
            commits: commits.clone(),
        };
        let writer = writer::spawn(conn, rx, config.max_batch_rows.max(1), wal, downstream)?;
        let pool = Pool::new(&db, config.busy_timeout, config.readers).attaching_index(&config.dir);
        Ok(Self {
            tx,
            commits,
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
        let (done_tx, done_rx) = oneshot::channel();
        if self.tx.send(WriterMsg::Shutdown(done_tx)).await.is_ok() {
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

impl EventStore for SqliteEventStore {
    fn append(
        &self,
        tenant: &str,
        source: Option<&str>,
        events: Vec<NewEvent>,
    ) -> StoreFuture<'_, Vec<Appended>> {
        let (reply, answer) = oneshot::channel();
        let job = AppendJob {
            tenant: tenant.into(),
            source: source.map(Into::into),
            events,
            reply,
        };
        let queued = self.tx.try_send(WriterMsg::Append(job));
        Box::pin(async move {
            queued.map_err(|err| match err {
                mpsc::error::TrySendError::Full(_) => StoreError::Overloaded,
                mpsc::error::TrySendError::Closed(_) => StoreError::Closed,
            })?;
            answer.await.map_err(|_| StoreError::Closed)?
        })
    }

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

    fn queue_depth(&self) -> usize {
        self.tx.max_capacity() - self.tx.capacity()
    }

    fn commits(&self) -> broadcast::Receiver<Arc<Committed>> {
        self.commits.subscribe()
    }

    fn close(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            self.shutdown().await;
            Ok(())
        })
    }
}
