//! The single writer thread: it owns the write connection, takes append jobs from the queue
//! (bounded by the log's reservations) and commits as many as are waiting in one transaction
//! (group commit), then publishes the commit to the bus and answers every job of that
//! transaction, in queue order. An append is acknowledged only after its commit.

use std::{path::PathBuf, sync::Arc, thread, time::Instant};

use clickwire_bus::{Bus, Committed, CommittedEvent};
use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use super::{
    checkpoint, columns, marks,
    retention::Retention,
    schema::{self, FIXED_COLUMNS},
    visitor_index::{Entry, EntrySender, Unindexed},
};
use crate::{AppendBatch, Appended, Marks, NewEvent, OnCommit, Reservation, StoreError};

/// One caller's batch waiting for the writer; its reservation is given back once the
/// batch is committed.
pub struct AppendJob {
    pub batch: AppendBatch,
    pub reservation: Reservation,
    pub on_commit: OnCommit,
}

/// A message to the writer thread.
pub enum WriterMsg {
    Append(AppendJob),
    /// Retention hook: nothing to write, lets an idle writer run retention when due.
    Wake,
    /// Commit everything queued before this message, then stop.
    Shutdown(oneshot::Sender<()>),
}

/// Starts the writer thread on `conn`; it runs until it receives [`WriterMsg::Shutdown`]
/// or every sender is dropped.
pub fn spawn(
    conn: Connection,
    rx: mpsc::UnboundedReceiver<WriterMsg>,
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

/// Message ids written between two prunes of the expired ones.
const PRUNE_EVERY: usize = 10_000;
/// Most expired message ids deleted by one prune (one gap between two group commits).
const PRUNE_ROWS: usize = 10_000;

struct Writer {
    conn: Connection,
    /// Message ids written since the last prune.
    ids_since_prune: usize,
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
    /// Where committed appends are published, in commit order.
    pub bus: Arc<dyn Bus>,
    /// Retention hook: deletes expired events between commits.
    pub retention: Retention,
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
            ids_since_prune: 0,
            insert_sql: schema::insert_event_sql(),
            next_seq,
            max_batch_rows,
            wal,
            downstream,
        })
    }

    fn run(&mut self, mut rx: mpsc::UnboundedReceiver<WriterMsg>) {
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
                    (job.on_commit)(Err(StoreError::Closed));
                }
                let _ = done.send(());
                return;
            }
            // Retention hook: between two group commits, at most one chunk while appends wait.
            self.downstream
                .retention
                .run_due(&self.conn, || rx.is_empty());
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
                    let count = job.batch.events.len() as i64;
                    let appended = (seq..seq + count).map(|seq| Appended { seq }).collect();
                    self.publish(&job.batch, seq);
                    seq += count;
                    drop(job.reservation);
                    (job.on_commit)(Ok(appended));
                }
                checkpoint::catch_up(&self.conn, &self.wal);
                self.prune_message_ids();
            }
            Err(err) => {
                tracing::error!(error = %err, "commit failed; the batch was not acknowledged");
                self.next_seq = next_seq(&self.conn).unwrap_or(first_seq);
                let err = StoreError::from(err);
                for job in jobs.drain(..) {
                    (job.on_commit)(Err(match &err {
                        StoreError::Unavailable(why) => StoreError::Unavailable(why.clone()),
                        other => StoreError::Task(other.to_string()),
                    }));
                }
            }
        }
    }

    /// Every [`PRUNE_EVERY`] message ids written, deletes up to [`PRUNE_ROWS`] that are older
    /// than any source's dedup window, so `message_ids` stays as large as the window.
    fn prune_message_ids(&mut self) {
        if self.ids_since_prune < PRUNE_EVERY {
            return;
        }
        self.ids_since_prune = 0;
        let before = columns::now_ms().saturating_sub(crate::sources::MAX_DEDUP_WINDOW_MS);
        if let Err(err) = marks::prune(&self.conn, before, PRUNE_ROWS) {
            tracing::warn!(error = %err, "could not prune expired message ids");
        }
    }

    /// Publishes a committed batch to the bus.
    fn publish(&self, batch: &AppendBatch, first_seq: i64) {
        let events: Vec<CommittedEvent> = (first_seq..)
            .zip(&batch.events)
            .map(|(seq, event)| CommittedEvent {
                seq,
                id: event.id.clone(),
                received_at: event.received_at,
                live: event.live.clone(),
            })
            .collect();
        if !events.is_empty() {
            self.downstream.bus.publish(Arc::new(Committed {
                tenant: Arc::clone(&batch.tenant),
                source: batch.source.clone(),
                events,
            }));
        }
    }

    /// Inserts every job's events in one transaction; returns their index entries.
    fn write(&mut self, jobs: &[AppendJob]) -> Result<Vec<Entry>, rusqlite::Error> {
        let tx = self.conn.transaction()?;
        let mut entries = Vec::new();
        {
            let mut stmt = tx.prepare_cached(&self.insert_sql)?;
            for job in jobs {
                for event in &job.batch.events {
                    bind_event(&mut stmt, self.next_seq, &job.batch, event)?;
                    stmt.raw_execute()?;
                    if let Some(marks) = &event.marks {
                        write_marks(&tx, &job.batch, event, marks)?;
                        self.ids_since_prune += usize::from(marks.message_id.is_some());
                    }
                    entries.push((
                        Arc::clone(&job.batch.tenant),
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

/// Records what a pipeline event leaves behind (see [`crate::marks`]), in its transaction.
fn write_marks(
    tx: &rusqlite::Transaction<'_>,
    batch: &AppendBatch,
    event: &NewEvent,
    marks: &Marks,
) -> Result<(), rusqlite::Error> {
    let received_at = event.received_at;
    if let Some(message_id) = &marks.message_id {
        tx.prepare_cached(
            "INSERT INTO message_ids (tenant, source, message_id, received_at, event_id)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT DO UPDATE SET received_at = excluded.received_at,
               event_id = excluded.event_id",
        )?
        .execute(rusqlite::params![
            &*batch.tenant,
            batch.source.as_deref().unwrap_or_default(),
            message_id,
            received_at,
            event.id
        ])?;
    }
    if let Some(link) = &marks.link {
        tx.prepare_cached(
            "INSERT INTO identity_links (tenant, anonymous_id, user_id, linked_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT DO UPDATE SET user_id = excluded.user_id, linked_at = excluded.linked_at",
        )?
        .execute(rusqlite::params![
            &*batch.tenant,
            link.anonymous_id,
            link.user_id,
            received_at
        ])?;
    }
    Ok(())
}

/// Queues an append job (counting its rows), or returns the shutdown reply.
fn take(
    msg: WriterMsg,
    jobs: &mut Vec<AppendJob>,
    rows: &mut usize,
) -> Option<oneshot::Sender<()>> {
    match msg {
        WriterMsg::Append(job) => {
            *rows += job.batch.events.len();
            jobs.push(job);
            None
        }
        WriterMsg::Wake => None, // retention hook
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
    batch: &AppendBatch,
    event: &NewEvent,
) -> Result<(), rusqlite::Error> {
    stmt.raw_bind_parameter(1, seq)?;
    stmt.raw_bind_parameter(2, &event.id)?;
    stmt.raw_bind_parameter(3, &*batch.tenant)?;
    stmt.raw_bind_parameter(4, batch.source.as_deref())?;
    stmt.raw_bind_parameter(5, event.received_at)?;
    stmt.raw_bind_parameter(6, event.event_type)?;
    stmt.raw_bind_parameter(7, &event.visitor_id)?;
    stmt.raw_bind_parameter(8, &event.session_id)?;
    stmt.raw_bind_parameter(9, event.timestamp)?;
    stmt.raw_bind_parameter(10, event.key_kind)?;
    stmt.raw_bind_parameter(11, &event.payload)?;
    stmt.raw_bind_parameter(12, event.labels.as_deref())?;
    let mut at = FIXED_COLUMNS;
    for n in schema::stored_blobs() {
        at += 1;
        stmt.raw_bind_parameter(at, &event.analytics.blobs[n - 1])?;
    }
    for n in schema::stored_doubles() {
        at += 1;
        stmt.raw_bind_parameter(at, event.analytics.doubles[n - 1])?;
    }
    stmt.raw_bind_parameter(at + 1, event.sealed.as_deref())?;
    Ok(())
}
