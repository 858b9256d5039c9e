//! Deliveries: events of any source on their way to HTTP destinations. [`Destination`]s
//! and [`Connection`]s are what a tenant configures; the router turns each committed event
//! that matches an enabled connection into a pending [`Attempt`] (the outbox), and the
//! dispatcher sends due attempts and records how each ended ([`Finished`]), scheduling
//! retries, dead-lettering the last failure and counting failures on [`Issue`]s. The
//! [`Deliveries`] trait is what every backend implements.

mod attempt;
mod connection;
mod destination;
mod issue;

pub use attempt::{Attempt, AttemptQuery, AttemptStatus, Due, Finished, NewAttempt, RoutedEvent};
pub use connection::{Connection, NewConnection, ANY_SOURCE};
pub use destination::{
    Backoff, BreakerSettings, Destination, DestinationAuth, DestinationSettings, NewDestination,
    RetryPolicy, DEFAULT_RETRY_INTERVALS_S,
};
pub use issue::{Failure, Issue, IssueQuery, IssueStatus, RECENT_ATTEMPTS};

use crate::StoreFuture;

/// Which dead-lettered deliveries a manual retry takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryOf {
    /// The delivery of this attempt (its last attempt must have failed).
    Attempt(String),
    /// Every dead-lettered delivery of this event.
    Event(String),
    /// Every dead-lettered delivery whose last failure counted on this issue.
    Issue(String),
}

pub use crate::ids::new_id;

/// Destinations, connections, attempts and issues.
pub trait Deliveries: Send + Sync {
    fn create_destination(&self, new: NewDestination) -> StoreFuture<'_, Destination>;
    /// A tenant's destinations, oldest first.
    fn list_destinations(&self, tenant: &str) -> StoreFuture<'_, Vec<Destination>>;
    /// A destination, within `tenant` when given.
    fn get_destination(
        &self,
        id: &str,
        tenant: Option<&str>,
    ) -> StoreFuture<'_, Option<Destination>>;
    /// Stores a changed destination (name, settings, `disabled_reason`).
    fn save_destination(&self, destination: Destination) -> StoreFuture<'_, Destination>;
    /// Deletes a destination and its connections; its pending attempts are not sent.
    fn delete_destination(&self, tenant: &str, id: &str) -> StoreFuture<'_, ()>;
    /// Every destination of every tenant (the dispatcher's view).
    fn all_destinations(&self) -> StoreFuture<'_, Vec<Destination>>;

    /// Creates a connection; its destination must be the tenant's.
    fn create_connection(&self, new: NewConnection) -> StoreFuture<'_, Connection>;
    fn list_connections(&self, tenant: &str) -> StoreFuture<'_, Vec<Connection>>;
    fn get_connection(&self, id: &str, tenant: &str) -> StoreFuture<'_, Option<Connection>>;
    fn save_connection(&self, connection: Connection) -> StoreFuture<'_, Connection>;
    fn delete_connection(&self, tenant: &str, id: &str) -> StoreFuture<'_, ()>;
    /// Every enabled connection of every tenant (the router's view).
    fn enabled_connections(&self) -> StoreFuture<'_, Vec<Connection>>;

    /// The seq of the last event the router has routed; negative while it is parked.
    fn route_checkpoint(&self) -> StoreFuture<'_, i64>;
    /// Parks the router (no connection is enabled): while parked, routed pages do not move
    /// the checkpoint.
    fn park_router(&self) -> StoreFuture<'_, ()>;
    /// Unparks a parked router at `seq` (the end of the log when a connection is enabled);
    /// a router that is not parked keeps its checkpoint. The checkpoint it now has.
    fn unpark_router(&self, seq: i64) -> StoreFuture<'_, i64>;
    /// The newest seq of the event log.
    fn latest_seq(&self) -> StoreFuture<'_, i64>;
    /// Committed events of `tenants` after `after_seq` up to `up_to` (inclusive), oldest
    /// first.
    fn route_page(
        &self,
        after_seq: i64,
        up_to: i64,
        tenants: Vec<String>,
        limit: usize,
    ) -> StoreFuture<'_, Vec<RoutedEvent>>;
    /// Stores the first attempts of routed events and moves the checkpoint to `checkpoint`
    /// (unless the router is parked), in one transaction.
    fn commit_routed(&self, attempts: Vec<NewAttempt>, checkpoint: i64) -> StoreFuture<'_, ()>;

    /// Pending attempts of `destination` due at `now`, oldest first, with their events.
    fn due(&self, destination: &str, now: i64, limit: usize) -> StoreFuture<'_, Vec<Due>>;
    /// When the next pending attempt of `destination` is due.
    fn next_due(&self, destination: &str) -> StoreFuture<'_, Option<i64>>;
    /// The newest pending attempt of `destination` due at `now`.
    fn newest_due(&self, destination: &str, now: i64) -> StoreFuture<'_, Option<String>>;
    /// Pending attempts of `destination`.
    fn queued(&self, destination: &str) -> StoreFuture<'_, u64>;
    /// Records finished attempts (with the retries they schedule) and counts `failures` on
    /// their issues, in one transaction; the issues that changed.
    fn finish(
        &self,
        finished: Vec<Finished>,
        failures: Vec<Failure>,
    ) -> StoreFuture<'_, Vec<Issue>>;

    /// Attempts matching `query`, newest first, and the cursor of the next page.
    fn list_attempts(&self, query: AttemptQuery)
        -> StoreFuture<'_, (Vec<Attempt>, Option<String>)>;
    fn get_attempt(&self, id: &str, tenant: &str) -> StoreFuture<'_, Option<Attempt>>;
    /// Makes a new pending attempt, due at `now`, for each dead-lettered delivery `of`
    /// names in `tenant`; the attempts made.
    fn retry(&self, tenant: &str, of: RetryOf, now: i64) -> StoreFuture<'_, Vec<Attempt>>;

    fn list_issues(&self, query: IssueQuery) -> StoreFuture<'_, (Vec<Issue>, Option<String>)>;
    fn get_issue(&self, id: &str, tenant: &str) -> StoreFuture<'_, Option<Issue>>;
    fn set_issue_status(
        &self,
        tenant: &str,
        id: &str,
        status: IssueStatus,
        now: i64,
    ) -> StoreFuture<'_, Issue>;
    /// How many issues of `tenant` are in each status.
    fn issue_counts(&self, tenant: &str) -> StoreFuture<'_, Vec<(IssueStatus, u64)>>;
    /// Resolves every unresolved issue whose last failure is before `before`; those issues.
    fn auto_resolve(&self, before: i64, now: i64) -> StoreFuture<'_, Vec<Issue>>;
}
