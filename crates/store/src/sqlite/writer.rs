//! The single writer thread: it owns the write connection, takes append jobs from a bounded
//! queue and commits as many as are waiting in one transaction (group commit), then answers
//! every job of that transaction. An append is acknowledged only after its commit.

use std::{path::PathBuf, sync::Arc, thread, time::Instant};

use rusqlite::Connection;
use tokio::sync::{broadcast, mpsc, oneshot};

use super::{
    checkpoint,
    schema::{self, ANALYTICS_COLUMNS, FIXED_COLUMNS, SEALED_PARAM},
    visitor_index::{Entry, EntrySender, Unindexed},
};
use crate::{Appended, Committed, CommittedEvent, NewEvent, StoreError};

/// One caller's batch waiting for the writer.
pub struct AppendJob {
    pub tenant: Arc<str>,
    pub source: Option<Arc<str>>,
    pub events: Vec<NewEvent>,
    pub reply: oneshot::Sender<Result<Vec<Appended>, StoreError>>,
}

/// A message to the writer thread.
pub enum WriterMsg {
    Append(AppendJob),
    /// Commit everything queued before this message, then stop.
    Shutdown(oneshot::Sender<()>),
}

/// Starts the writer thread on `conn`; it runs until it receives [`WriterMsg::Shutdown`]
/// or every sender is dropped.
pub fn spawn(
    conn: Connection,
    rx: mpsc::Receiver<WriterMsg>,
    max_batch_rows: usize,
    wal: PathBuf,
    downstream: Downstream,
) -> Result<thread::JoinHandle<()>, StoreError> {
    let mut writer = Writer::new(conn, max_batch_rows, wal, downstream)?;
    thread::Builder::new()
        .name("clickwire-writer".into())
        .spawn(move || writer.run(rx))
        .map_err(StoreError::Io)
}

struct Writer {
    conn: Connection,
    insert_sql: String,
    next_seq: i64,
    max_batch_rows: usize,
    downstream: Downstream,
    /// The WAL file, watched so it can be restarted before it grows large.
    wal: PathBuf,
}

/// Where the writer hands what it committed.
pub struct Downstream {
    /// The indexer of the committed events.
    pub index: EntrySender,
    /// Committed events the index does not have yet.
    pub unindexed: Arc<Unindexed>,
    /// Committed appends, in commit order, for the live feed.
    pub commits: broadcast::Sender<Arc<Committed>>,
}

impl Writer {
    fn new(
        conn: Connection,
        max_batch_rows: usize,
        wal: PathBuf,
        downstream: Downstream,
    ) -> Result<Self, StoreError> {
        let next_seq = next_seq(&conn)?;
        Ok(Self {
            conn,
            insert_sql: schema::insert_event_sql(),
            next_seq,
            max_batch_rows,
            wal,
            downstream,
        })
    }

    fn run(&mut self, mut rx: mpsc::Receiver<WriterMsg>) {
        let mut jobs = Vec::new();
        while let Some(msg) = rx.blocking_recv() {
            let mut rows = 0;
            let mut stop = take(msg, &mut jobs, &mut rows);
            while stop.is_none() && rows < self.max_batch_rows {
                let Ok(msg) = rx.try_recv() else { break };
                stop = take(msg, &mut jobs, &mut rows);
            }
            self.commit(&mut jobs);
            if let Some(done) = stop {
                // Whatever is still queued behind the shutdown message is refused, not lost:
                // those callers were never acknowledged.
                rx.close();
                while let Ok(WriterMsg::Append(job)) = rx.try_recv() {
                    let _ = job.reply.send(Err(StoreError::Closed));
                }
                let _ = done.send(());
                return;
            }
        }
    }

    /// Writes every job in one transaction and answers each caller.
    fn commit(&mut self, jobs: &mut Vec<AppendJob>) {
        if jobs.is_empty() {
            return;
        }
        let started = Instant::now();
        let first_seq = self.next_seq;
        match self.write(jobs) {
            Ok(entries) => {
                // Readable by visitor from now on, before anyone is told it is stored.
                self.downstream.unindexed.add(&entries);
                // A closed indexer only means the process is stopping: the index is rebuilt
                // from the event log at the next start.
                let _ = self.downstream.index.send(entries);
                metrics::histogram!("clickwire_store_commit_seconds")
                    .record(started.elapsed().as_secs_f64());
                let mut seq = first_seq;
                for job in jobs.drain(..) {
                    let appended = (seq..seq + job.events.len() as i64)
                        .map(|seq| Appended { seq })
                        .collect();
                    self.publish(&job, seq);
                    seq += job.events.len() as i64;
                    let _ = job.reply.send(Ok(appended));
                }
                checkpoint::catch_up(&self.conn, &self.wal);
            }
            Err(err) => {
                tracing::error!(error = %err, "commit failed; the batch was not acknowledged");
                self.next_seq = next_seq(&self.conn).unwrap_or(first_seq);
                for job in jobs.drain(..) {
                    let _ = job.reply.send(Err(StoreError::Task(err.to_string())));
                }
            }
        }
    }

    /// Hands a committed job's frames to the live feed (no receiver is not an error).
    fn publish(&self, job: &AppendJob, first_seq: i64) {
        let events: Vec<CommittedEvent> = (first_seq..)
            .zip(&job.events)
            .filter_map(|(seq, event)| {
                let frame = event.frame.clone()?;
                Some(CommittedEvent {
                    seq,
                    id: event.id.clone(),
                    frame,
                })
            })
            .collect();
        if !events.is_empty() {
            let committed = Committed {
                tenant: Arc::clone(&job.tenant),
                events,
            };
            let _ = self.downstream.commits.send(Arc::new(committed));
        }
    }

    /// Inserts every job's events in one transaction; returns their index entries.
    fn write(&mut self, jobs: &[AppendJob]) -> Result<Vec<Entry>, rusqlite::Error> {
        let tx = self.conn.transaction()?;
        let mut entries = Vec::new();
        {
            let mut stmt = tx.prepare_cached(&self.insert_sql)?;
            for job in jobs {
                for event in &job.events {
                    bind_event(&mut stmt, self.next_seq, job, event)?;
                    stmt.raw_execute()?;
                    entries.push((
                        Arc::clone(&job.tenant),
                        event.visitor_id.clone(),
                        self.next_seq,
                    ));
                    self.next_seq += 1;
                }
            }
        }
        tx.commit()?;
        Ok(entries)
    }
}

/// Queues an append job (counting its rows), or returns the shutdown reply.
fn take(
    msg: WriterMsg,
    jobs: &mut Vec<AppendJob>,
    rows: &mut usize,
) -> Option<oneshot::Sender<()>> {
    match msg {
        WriterMsg::Append(job) => {
            *rows += job.events.len();
            jobs.push(job);
            None
        }
        WriterMsg::Shutdown(done) => Some(done),
    }
}

fn next_seq(conn: &Connection) -> Result<i64, rusqlite::Error> {
    conn.query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM events", [], |row| {
        row.get(0)
    })
}

/// Binds one row in the column order of [`schema::insert_event_sql`].
fn bind_event(
    stmt: &mut rusqlite::CachedStatement<'_>,
    seq: i64,
    job: &AppendJob,
    event: &NewEvent,
) -> Result<(), rusqlite::Error> {
    stmt.raw_bind_parameter(1, seq)?;
    stmt.raw_bind_parameter(2, &event.id)?;
    stmt.raw_bind_parameter(3, &*job.tenant)?;
    stmt.raw_bind_parameter(4, job.source.as_deref())?;
    stmt.raw_bind_parameter(5, event.received_at)?;
    stmt.raw_bind_parameter(6, event.event_type)?;
    stmt.raw_bind_parameter(7, &event.visitor_id)?;
    stmt.raw_bind_parameter(8, &event.session_id)?;
    stmt.raw_bind_parameter(9, event.timestamp)?;
    stmt.raw_bind_parameter(10, event.key_kind)?;
    stmt.raw_bind_parameter(11, &event.payload)?;
    stmt.raw_bind_parameter(12, event.labels.as_deref())?;
    stmt.raw_bind_parameter(FIXED_COLUMNS, &event.analytics.index1)?;
    for (i, blob) in event.analytics.blobs.iter().enumerate() {
        stmt.raw_bind_parameter(FIXED_COLUMNS + 1 + i, blob)?;
    }
    for (i, double) in event.analytics.doubles.iter().enumerate() {
        stmt.raw_bind_parameter(FIXED_COLUMNS + 1 + ANALYTICS_COLUMNS + i, *double)?;
    }
    stmt.raw_bind_parameter(SEALED_PARAM, event.sealed.as_deref())?;
    Ok(())
}
