//! The durable, ordered log of events: room is reserved before any work is done on a
//! request's events (so a full queue refuses them before they are scored), then each batch
//! is queued behind every batch queued before it and committed in that order. Seqs are
//! assigned at the commit and are monotonic per tenant.

use std::sync::Arc;

use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

use crate::{Appended, NewEvent, StoreError, StoreFuture};

/// What happens once a batch is committed (or failed): called on the committing thread, so
/// it must only hand the result on.
pub type OnCommit = Box<dyn FnOnce(Result<Vec<Appended>, StoreError>) + Send>;

/// One tenant's events to append together.
#[derive(Debug)]
pub struct AppendBatch {
    pub tenant: Arc<str>,
    /// The source the events came through, if any.
    pub source: Option<Arc<str>>,
    pub events: Vec<NewEvent>,
}

/// The durable event log of every tenant.
pub trait EventLog: Send + Sync {
    /// Takes room in the append queue for `events` events, or fails at once with
    /// [`StoreError::Overloaded`]. The room is given back once they are committed.
    fn reserve(&self, events: usize) -> Result<Reservation, StoreError>;
    /// Queues `batch` behind every batch queued before this call returns, so that batches
    /// appended by one task commit in call order; `on_commit` is told the outcome.
    fn append(&self, reservation: Reservation, batch: AppendBatch, on_commit: OnCommit);
    /// Events reserved or waiting for their commit right now.
    fn queue_depth(&self) -> usize;
    /// Commits every batch already queued, then refuses new ones.
    fn close(&self) -> StoreFuture<'_, ()>;
}

/// [`EventLog::append`] with its outcome as a future. The batch is queued by this call,
/// before the future is first polled, so the call order is the commit order.
pub fn append_committed(
    log: &dyn EventLog,
    reservation: Reservation,
    batch: AppendBatch,
) -> impl std::future::Future<Output = Result<Vec<Appended>, StoreError>> {
    let (tx, rx) = oneshot::channel();
    log.append(
        reservation,
        batch,
        Box::new(move |result| {
            let _ = tx.send(result);
        }),
    );
    async move { rx.await.map_err(|_| StoreError::Closed)? }
}

/// Room in an append queue for a number of events.
#[derive(Debug)]
pub struct Reservation {
    permit: Option<OwnedSemaphorePermit>,
}

impl Reservation {
    /// Takes `n` events' worth of the reservation off into its own (for one part of a
    /// request); the rest stays here. A part larger than what is left takes what is left.
    pub fn split(&mut self, n: usize) -> Reservation {
        let held = self.permit.as_ref().map_or(0, |p| p.num_permits());
        let permit = match n.min(held) {
            0 => None,
            n if n == held => self.permit.take(),
            n => self.permit.as_mut().and_then(|p| p.split(n)),
        };
        Reservation { permit }
    }
}

/// The bounded room of a backend's append queue, counted in events.
#[derive(Debug)]
pub struct AppendQueue {
    room: Arc<Semaphore>,
    capacity: usize,
}

impl AppendQueue {
    /// A queue with room for `capacity` events (at least one).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            room: Arc::new(Semaphore::new(capacity)),
            capacity,
        }
    }

    /// Room for `events` events, or `Overloaded` at once; a request larger than the whole
    /// queue takes the whole queue (it is refused only while anything else holds room).
    pub fn reserve(&self, events: usize) -> Result<Reservation, StoreError> {
        let wanted = events.clamp(1, self.capacity) as u32;
        let permit = Arc::clone(&self.room)
            .try_acquire_many_owned(wanted)
            .map_err(|err| match err {
                tokio::sync::TryAcquireError::Closed => StoreError::Closed,
                tokio::sync::TryAcquireError::NoPermits => StoreError::Overloaded,
            })?;
        Ok(Reservation {
            permit: Some(permit),
        })
    }

    /// Events reserved and not yet committed.
    pub fn depth(&self) -> usize {
        self.capacity - self.room.available_permits()
    }

    /// Refuses every reservation from now on.
    pub fn close(&self) {
        self.room.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_queue_refuses_until_room_is_given_back() {
        let queue = AppendQueue::new(3);
        let first = queue.reserve(2).expect("room");
        assert!(matches!(queue.reserve(2), Err(StoreError::Overloaded)));
        assert_eq!(queue.depth(), 2);
        drop(first);
        assert!(queue.reserve(3).is_ok());
    }

    #[test]
    fn split_parts_give_their_room_back_one_by_one() {
        let queue = AppendQueue::new(4);
        let mut whole = queue.reserve(4).expect("room");
        let part = whole.split(1);
        drop(part);
        assert_eq!(queue.depth(), 3);
        drop(whole);
        assert_eq!(queue.depth(), 0);
    }

    #[test]
    fn a_closed_queue_says_so() {
        let queue = AppendQueue::new(1);
        queue.close();
        assert!(matches!(queue.reserve(1), Err(StoreError::Closed)));
    }
}
