//! The one error type of the storage layer, the same for every backend.

/// What can go wrong in a store or catalog call.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The bounded append queue or read-connection queue is full: the caller should shed
    /// load (HTTP 503).
    #[error("the store is at capacity")]
    Overloaded,
    /// The database cannot be written (the disk is full, or the file system fails): the
    /// write was not made; it may succeed once space is freed (HTTP 503).
    #[error("the store cannot write: {0}")]
    Unavailable(String),
    /// The store is shutting down and takes no more writes.
    #[error("the store is closed")]
    Closed,
    /// A named thing (tenant, key) does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// A uniqueness rule was broken (tenant name taken).
    #[error("{0} already exists")]
    Conflict(String),
    /// The caller passed something the store cannot accept.
    #[error("{0}")]
    Invalid(String),
    /// The backend (database, broker) failed.
    #[error("backend error: {0}")]
    Backend(Box<dyn std::error::Error + Send + Sync>),
    /// Reading or writing a file of the data directory failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// A blocking task panicked or was cancelled.
    #[error("background task failed: {0}")]
    Task(String),
}
