//! A small pool of SQLite connections for reads and catalog writes, used from
//! `spawn_blocking` so no async worker ever waits on the database.
//!
//! Bounded twice: at most `size` connections are in use at once (each holds a blocking
//! thread), and at most `max_waiting` callers wait for one; beyond that a call fails at
//! once with [`StoreError::Overloaded`] (HTTP 503 `overloaded`) instead of piling up.

use std::{
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use rusqlite::Connection;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::StoreError;

/// Callers that may wait for a connection when the caller does not say.
pub const DEFAULT_MAX_WAITING: usize = 256;

/// Connections to one database file, opened on demand, at most `size` in use.
pub struct Pool {
    path: PathBuf,
    /// The data directory whose index file each connection attaches, if any.
    attach_index_of: Option<PathBuf>,
    /// Another database file each connection attaches, and its schema name.
    attach_db: Option<(PathBuf, &'static str)>,
    /// `PRAGMA synchronous` of each connection, when not SQLite's default (FULL).
    synchronous: Option<&'static str>,
    busy_timeout: Duration,
    idle: Mutex<Vec<Connection>>,
    max_idle: usize,
    /// One permit per connection that may be in use.
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
}

impl Pool {
    /// A pool of at most `size` connections (all kept when idle).
    pub fn new(path: &Path, busy_timeout: Duration, size: usize) -> Self {
        let size = size.max(1);
        Self {
            path: path.to_owned(),
            attach_index_of: None,
            attach_db: None,
            synchronous: None,
            busy_timeout,
            idle: Mutex::new(Vec::new()),
            max_idle: size,
            permits: Arc::new(Semaphore::new(size)),
            waiting: AtomicUsize::new(0),
            max_waiting: DEFAULT_MAX_WAITING,
        }
    }

    /// At most `max_waiting` callers wait for a connection; more are refused.
    pub fn max_waiting(mut self, max_waiting: usize) -> Self {
        self.max_waiting = max_waiting;
        self
    }

    /// Every connection will see the visitor index of `dir` as `idx`.
    pub fn attaching_index(mut self, dir: &Path) -> Self {
        self.attach_index_of = Some(dir.to_owned());
        self
    }

    /// Every connection will see the database file `path` as `name`.
    pub fn attaching(mut self, path: &Path, name: &'static str) -> Self {
        self.attach_db = Some((path.to_owned(), name));
        self
    }

    /// Every connection commits with `PRAGMA synchronous = <level>` (a per-connection
    /// setting: SQLite's default, FULL, fsyncs every commit).
    pub fn synchronous(mut self, level: &'static str) -> Self {
        self.synchronous = Some(level);
        self
    }

    /// Runs `work` on a pooled connection on the blocking thread pool.
    pub async fn run<T, F>(self: &Arc<Self>, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let permit = self.admit().await?;
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut conn = pool.checkout()?;
            let result = work(&mut conn);
            pool.checkin(conn);
            result
        })
        .await
        .map_err(|err| StoreError::Task(err.to_string()))?
    }

    /// A connection slot: at once, after a bounded wait, or `Overloaded`.
    async fn admit(&self) -> Result<OwnedSemaphorePermit, StoreError> {
        if let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() {
            return Ok(permit);
        }
        let _waiting = Waiting::enter(&self.waiting, self.max_waiting)?;
        Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Closed)
    }

    fn checkout(&self) -> Result<Connection, StoreError> {
        let pooled = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        if let Some(conn) = pooled {
            return Ok(conn);
        }
        let conn = open_connection(&self.path, self.busy_timeout)?;
        if let Some(dir) = &self.attach_index_of {
            super::visitor_index::attach(&conn, dir)?;
        }
        if let Some(level) = self.synchronous {
            conn.pragma_update(None, "synchronous", level)?;
        }
        if let Some((path, name)) = &self.attach_db {
            conn.execute(
                &format!("ATTACH DATABASE ?1 AS {name}"),
                [path.to_string_lossy()],
            )?;
        }
        Ok(conn)
    }

    fn checkin(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < self.max_idle {
                idle.push(conn);
            }
        }
    }
}

/// One caller counted among the waiting while it lives.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn enter(count: &'a AtomicUsize, max: usize) -> Result<Self, StoreError> {
        let before = count.fetch_add(1, Ordering::SeqCst);
        let waiting = Waiting(count);
        if before >= max {
            return Err(StoreError::Overloaded);
        }
        Ok(waiting)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Opens a connection with the settings every connection of the store uses.
pub fn open_connection(path: &Path, busy_timeout: Duration) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(busy_timeout)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    #[tokio::test]
    async fn callers_beyond_the_connections_and_the_queue_are_overloaded() {
        let dir = tempfile::tempdir().expect("dir");
        let pool =
            Arc::new(Pool::new(&dir.path().join("p.db"), Duration::from_secs(1), 1).max_waiting(1));
        let (release, held) = mpsc::channel::<()>();
        let (started_tx, started) = tokio::sync::oneshot::channel();
        let holder = tokio::spawn({
            let pool = Arc::clone(&pool);
            async move {
                pool.run(move |_| {
                    let _ = started_tx.send(());
                    held.recv().map_err(|err| StoreError::Task(err.to_string()))
                })
                .await
            }
        });
        started.await.expect("the only connection is taken");
        let queued = tokio::spawn({
            let pool = Arc::clone(&pool);
            async move { pool.run(|_| Ok(())).await }
        });
        while pool.waiting.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        let refused = pool.run(|_| Ok(())).await;
        assert!(
            matches!(refused, Err(StoreError::Overloaded)),
            "{refused:?}"
        );
        release.send(()).expect("release");
        holder.await.expect("task").expect("held");
        queued.await.expect("task").expect("the queued caller runs");
    }
}
