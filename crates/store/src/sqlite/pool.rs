//! A small pool of SQLite connections for reads and catalog writes, used from
//! `spawn_blocking` so no async worker ever waits on the database.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};

use rusqlite::Connection;

use crate::StoreError;

/// Connections to one database file, opened on demand and kept up to `max_idle`.
pub struct Pool {
    path: PathBuf,
    /// The data directory whose index file each connection attaches, if any.
    attach_index_of: Option<PathBuf>,
    busy_timeout: Duration,
    idle: Mutex<Vec<Connection>>,
    max_idle: usize,
}

impl Pool {
    pub fn new(path: &Path, busy_timeout: Duration, max_idle: usize) -> Self {
        Self {
            path: path.to_owned(),
            attach_index_of: None,
            busy_timeout,
            idle: Mutex::new(Vec::new()),
            max_idle,
        }
    }

    /// Every connection will see the visitor index of `dir` as `idx`.
    pub fn attaching_index(mut self, dir: &Path) -> Self {
        self.attach_index_of = Some(dir.to_owned());
        self
    }

    /// Runs `work` on a pooled connection on the blocking thread pool.
    pub async fn run<T, F>(self: &Arc<Self>, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.checkout()?;
            let result = work(&mut conn);
            pool.checkin(conn);
            result
        })
        .await
        .map_err(|err| StoreError::Task(err.to_string()))?
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

/// Opens a connection with the settings every connection of the store uses.
pub fn open_connection(path: &Path, busy_timeout: Duration) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(busy_timeout)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}
