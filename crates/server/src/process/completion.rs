//! One request's wait for its events: the process stage splits them by shard, each shard
//! appends its part (possibly in several batches), and the request resolves when every
//! event is committed — or at the first part that fails.

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc, Mutex,
};

use clickwire_store::OnCommit;
use tokio::sync::oneshot;

use crate::error::ApiError;

/// The outcome a request waits for.
pub type Done = oneshot::Receiver<Result<(), ApiError>>;

/// Counts a request's events down to their commit.
pub struct Completion {
    remaining: AtomicUsize,
    reply: Mutex<Option<oneshot::Sender<Result<(), ApiError>>>>,
}

impl Completion {
    /// A completion of `events` events and the receiver its outcome goes to.
    pub fn new(events: usize) -> (Arc<Self>, Done) {
        let (tx, rx) = oneshot::channel();
        let completion = Self {
            remaining: AtomicUsize::new(events),
            reply: Mutex::new(Some(tx)),
        };
        (Arc::new(completion), rx)
    }

    /// The commit callback of a part of `events` events; `on_failure` runs when the part's
    /// commit fails (the scorer forgets state that no longer agrees with the log).
    pub fn part(
        self: &Arc<Self>,
        events: usize,
        on_failure: impl FnOnce() + Send + 'static,
    ) -> OnCommit {
        let completion = Arc::clone(self);
        Box::new(move |result| match result {
            Ok(_) => completion.committed(events),
            Err(err) => {
                on_failure();
                completion.fail(err.into());
            }
        })
    }

    /// Ends the wait with `err`, unless it already ended.
    pub fn fail(&self, err: ApiError) {
        self.answer(Err(err));
    }

    fn committed(&self, events: usize) {
        if self.remaining.fetch_sub(events, Ordering::AcqRel) == events {
            self.answer(Ok(()));
        }
    }

    fn answer(&self, outcome: Result<(), ApiError>) {
        let reply = self.reply.lock().ok().and_then(|mut reply| reply.take());
        if let Some(reply) = reply {
            // The caller may have gone: its events are committed all the same.
            let _ = reply.send(outcome);
        }
    }
}

#[cfg(test)]
mod tests {
    use clickwire_store::{Appended, StoreError};

    use super::*;

    #[tokio::test]
    async fn the_request_resolves_once_every_part_is_committed() {
        let (completion, mut done) = Completion::new(3);
        (completion.part(1, || {}))(Ok(vec![Appended { seq: 1 }]));
        assert!(done.try_recv().is_err(), "two events are still waiting");
        (completion.part(2, || {}))(Ok(vec![Appended { seq: 2 }, Appended { seq: 3 }]));
        assert!(matches!(done.await, Ok(Ok(()))));
    }

    #[tokio::test]
    async fn a_failed_part_fails_the_request_and_runs_its_cleanup() {
        let (completion, done) = Completion::new(2);
        let forgotten = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = Arc::clone(&forgotten);
        (completion.part(1, move || flag.store(true, Ordering::Release)))(Err(StoreError::Task(
            "disk full".into(),
        )));
        assert!(matches!(done.await, Ok(Err(_))));
        assert!(forgotten.load(Ordering::Acquire));
    }
}
