//! [`Deliveries`] in SQLite, in a file of its own (`deliveries.db`) so that delivery
//! bookkeeping never takes the event log's write lock: ingest and delivery commit side by
//! side. Each connection attaches the event database as `ev`, read-only in use, for the
//! router's reads and the events a due attempt sends.
//!
//! The outbox is the event log itself: the router reads committed events after its
//! checkpoint, and commits the first attempts of the matching ones together with the new
//! checkpoint. A crash anywhere between an event's commit and its delivery leaves either
//! the event after the checkpoint (routed again) or a pending attempt (sent again).

mod config;
mod issues;
mod route;
mod schema;
mod send;

use std::{path::Path, sync::Arc, time::Duration};

use super::{open_db, pool::Pool, DB_FILE};
use crate::{
    deliveries::{
        Attempt, AttemptQuery, Connection, Deliveries, Destination, Due, Failure, Finished, Issue,
        IssueQuery, IssueStatus, NewAttempt, NewConnection, NewDestination, RetryOf, RoutedEvent,
    },
    StoreError, StoreFuture,
};

/// The delivery database of a data directory.
pub const DELIVERIES_FILE: &str = "deliveries.db";

/// The deliveries of a data directory.
pub struct SqliteDeliveries {
    pool: Arc<Pool>,
}

impl SqliteDeliveries {
    /// Opens (creating and migrating when needed) the deliveries of `dir`.
    pub fn open(dir: &Path, busy_timeout: Duration) -> Result<Self, StoreError> {
        drop(open_db(dir, busy_timeout)?);
        let path = dir.join(DELIVERIES_FILE);
        let mut conn = super::pool::open_connection(&path, busy_timeout)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        schema::migrate(&mut conn)?;
        drop(conn);
        // NORMAL, as the event log: a commit survives a killed process; only a power loss
        // may take the last ones (a pending attempt is then routed again from the log).
        let pool = Pool::new(&path, busy_timeout, 2)
            .attaching(&dir.join(DB_FILE), "ev")
            .synchronous("NORMAL");
        Ok(Self {
            pool: Arc::new(pool),
        })
    }
}

impl Deliveries for SqliteDeliveries {
    fn create_destination(&self, new: NewDestination) -> StoreFuture<'_, Destination> {
        Box::pin(
            self.pool
                .run(move |conn| config::create_destination(conn, new)),
        )
    }

    fn list_destinations(&self, tenant: &str) -> StoreFuture<'_, Vec<Destination>> {
        let tenant = tenant.to_owned();
        Box::pin(
            self.pool
                .run(move |conn| config::destinations(conn, Some(&tenant))),
        )
    }

    fn get_destination(
        &self,
        id: &str,
        tenant: Option<&str>,
    ) -> StoreFuture<'_, Option<Destination>> {
        let (id, tenant) = (id.to_owned(), tenant.map(str::to_owned));
        Box::pin(
            self.pool
                .run(move |conn| config::find_destination(conn, &id, tenant.as_deref())),
        )
    }

    fn save_destination(&self, destination: Destination) -> StoreFuture<'_, Destination> {
        Box::pin(
            self.pool
                .run(move |conn| config::save_destination(conn, destination)),
        )
    }

    fn delete_destination(&self, tenant: &str, id: &str) -> StoreFuture<'_, ()> {
        let (tenant, id) = (tenant.to_owned(), id.to_owned());
        Box::pin(
            self.pool
                .run(move |conn| config::delete_destination(conn, &tenant, &id)),
        )
    }

    fn all_destinations(&self) -> StoreFuture<'_, Vec<Destination>> {
        Box::pin(self.pool.run(move |conn| config::destinations(conn, None)))
    }

    fn create_connection(&self, new: NewConnection) -> StoreFuture<'_, Connection> {
        Box::pin(
            self.pool
                .run(move |conn| config::create_connection(conn, new)),
        )
    }

    fn list_connections(&self, tenant: &str) -> StoreFuture<'_, Vec<Connection>> {
        let tenant = tenant.to_owned();
        Box::pin(
            self.pool
                .run(move |conn| config::connections(conn, Some(&tenant), false)),
        )
    }

    fn get_connection(&self, id: &str, tenant: &str) -> StoreFuture<'_, Option<Connection>> {
        let (id, tenant) = (id.to_owned(), tenant.to_owned());
        Box::pin(
            self.pool
                .run(move |conn| config::find_connection(conn, &id, &tenant)),
        )
    }

    fn save_connection(&self, connection: Connection) -> StoreFuture<'_, Connection> {
        Box::pin(
            self.pool
                .run(move |conn| config::save_connection(conn, connection)),
        )
    }

    fn delete_connection(&self, tenant: &str, id: &str) -> StoreFuture<'_, ()> {
        let (tenant, id) = (tenant.to_owned(), id.to_owned());
        Box::pin(
            self.pool
                .run(move |conn| config::delete_connection(conn, &tenant, &id)),
        )
    }

    fn enabled_connections(&self) -> StoreFuture<'_, Vec<Connection>> {
        Box::pin(
            self.pool
                .run(move |conn| config::connections(conn, None, true)),
        )
    }

    fn route_checkpoint(&self) -> StoreFuture<'_, i64> {
        Box::pin(self.pool.run(route::checkpoint))
    }

    fn park_router(&self) -> StoreFuture<'_, ()> {
        Box::pin(self.pool.run(route::park))
    }

    fn unpark_router(&self, seq: i64) -> StoreFuture<'_, i64> {
        Box::pin(self.pool.run(move |conn| route::unpark(conn, seq)))
    }

    fn latest_seq(&self) -> StoreFuture<'_, i64> {
        Box::pin(self.pool.run(route::latest_seq))
    }

    fn route_page(
        &self,
        after_seq: i64,
        up_to: i64,
        tenants: Vec<String>,
        limit: usize,
    ) -> StoreFuture<'_, Vec<RoutedEvent>> {
        Box::pin(
            self.pool
                .run(move |conn| route::page(conn, after_seq, up_to, &tenants, limit)),
        )
    }

    fn commit_routed(&self, attempts: Vec<NewAttempt>, checkpoint: i64) -> StoreFuture<'_, ()> {
        Box::pin(
            self.pool
                .run(move |conn| route::commit(conn, &attempts, checkpoint)),
        )
    }

    fn due(&self, destination: &str, now: i64, limit: usize) -> StoreFuture<'_, Vec<Due>> {
        let destination = destination.to_owned();
        Box::pin(
            self.pool
                .run(move |conn| send::due(conn, &destination, now, limit)),
        )
    }

    fn next_due(&self, destination: &str) -> StoreFuture<'_, Option<i64>> {
        let destination = destination.to_owned();
        Box::pin(
            self.pool
                .run(move |conn| send::next_due(conn, &destination)),
        )
    }

    fn newest_due(&self, destination: &str, now: i64) -> StoreFuture<'_, Option<String>> {
        let destination = destination.to_owned();
        Box::pin(
            self.pool
                .run(move |conn| send::newest_due(conn, &destination, now)),
        )
    }

    fn queued(&self, destination: &str) -> StoreFuture<'_, u64> {
        let destination = destination.to_owned();
        Box::pin(self.pool.run(move |conn| send::queued(conn, &destination)))
    }

    fn finish(
        &self,
        finished: Vec<Finished>,
        failures: Vec<Failure>,
    ) -> StoreFuture<'_, Vec<Issue>> {
        Box::pin(
            self.pool
                .run(move |conn| send::finish(conn, &finished, &failures)),
        )
    }

    fn list_attempts(
        &self,
        query: AttemptQuery,
    ) -> StoreFuture<'_, (Vec<Attempt>, Option<String>)> {
        Box::pin(self.pool.run(move |conn| send::list(conn, &query)))
    }

    fn get_attempt(&self, id: &str, tenant: &str) -> StoreFuture<'_, Option<Attempt>> {
        let (id, tenant) = (id.to_owned(), tenant.to_owned());
        Box::pin(self.pool.run(move |conn| send::find(conn, &id, &tenant)))
    }

    fn retry(&self, tenant: &str, of: RetryOf, now: i64) -> StoreFuture<'_, Vec<Attempt>> {
        let tenant = tenant.to_owned();
        Box::pin(
            self.pool
                .run(move |conn| send::retry(conn, &tenant, &of, now)),
        )
    }

    fn list_issues(&self, query: IssueQuery) -> StoreFuture<'_, (Vec<Issue>, Option<String>)> {
        Box::pin(self.pool.run(move |conn| issues::list(conn, &query)))
    }

    fn get_issue(&self, id: &str, tenant: &str) -> StoreFuture<'_, Option<Issue>> {
        let (id, tenant) = (id.to_owned(), tenant.to_owned());
        Box::pin(self.pool.run(move |conn| issues::find(conn, &id, &tenant)))
    }

    fn set_issue_status(
        &self,
        tenant: &str,
        id: &str,
        status: IssueStatus,
        now: i64,
    ) -> StoreFuture<'_, Issue> {
        let (tenant, id) = (tenant.to_owned(), id.to_owned());
        Box::pin(
            self.pool
                .run(move |conn| issues::set_status(conn, &tenant, &id, status, now)),
        )
    }

    fn issue_counts(&self, tenant: &str) -> StoreFuture<'_, Vec<(IssueStatus, u64)>> {
        let tenant = tenant.to_owned();
        Box::pin(self.pool.run(move |conn| issues::counts(conn, &tenant)))
    }

    fn auto_resolve(&self, before: i64, now: i64) -> StoreFuture<'_, Vec<Issue>> {
        Box::pin(
            self.pool
                .run(move |conn| issues::auto_resolve(conn, before, now)),
        )
    }
}
