//! One destination's worker. It reads due attempts from the store a batch at a time
//! (oldest first), keeps up to `max_concurrency` requests in flight, and records each
//! finished batch in one store transaction before those attempts can be read as due again.
//! The breaker decides what may be sent: everything, one probe, or nothing until the
//! cooldown passes (attempts wait, pending in the store and in the worker's queue). When a
//! probe closes the circuit, the attempts that were due then are flushed one request at a
//! time, so they arrive in order; then the worker goes back to full concurrency. A 410
//! disables the destination.
//! Finished attempts and changed issues are announced on the dashboard stream.

use std::{
    collections::{HashMap, HashSet, VecDeque},
    sync::{Arc, Mutex},
    time::Duration,
};

use clickwire_store::deliveries::{Destination, Due};
use serde_json::Value;
use tokio::{
    sync::{watch, Notify},
    task::JoinSet,
};

use super::{
    circuit::{Circuit, Permit, State as CircuitState},
    outcome,
    request::{self, Sent, Verdict},
    Shared,
};
use crate::{
    deliver::views::{AttemptView, IssueView},
    hub::Notice,
    ingest::now_ms,
    telemetry::Counted,
};

/// The longest a worker sleeps without looking at the store (a retry made by another
/// process, a clock that jumped).
const IDLE_LOOK: Duration = Duration::from_secs(1);
/// How long a worker waits after the store failed before it tries again.
const STORE_BACKOFF: Duration = Duration::from_millis(500);

type Done = (Due, Sent);

/// Runs the worker until its destination's sender is dropped (the destination was deleted
/// or the server stops).
pub async fn run(
    shared: Arc<Shared>,
    mut destination: watch::Receiver<Arc<Destination>>,
    wake: Arc<Notify>,
    circuit: Arc<Mutex<Circuit>>,
) {
    let mut queue: VecDeque<Due> = VecDeque::new();
    let mut held: HashSet<String> = HashSet::new();
    let mut running: JoinSet<Done> = JoinSet::new();
    // The attempt each running task sends, to let it go if the task fails.
    let mut sending: HashMap<tokio::task::Id, String> = HashMap::new();
    // After the circuit closed: the newest attempt that waited; up to it, one at a time.
    let mut flush_until: Option<String> = None;
    loop {
        let current = Arc::clone(&destination.borrow());
        let cap = current.settings.max_concurrency.max(1) as usize;
        let now = now_ms();
        let mut look_again = Some(now + IDLE_LOOK.as_millis() as i64);
        if current.disabled_reason.is_none() {
            let room = match permit(&circuit, now, running.is_empty()) {
                Permit::All if flush_until.is_some() => usize::from(running.is_empty()),
                Permit::All => {
                    // Ingest first: while events wait for their commit, `busy_concurrency`.
                    let cap = if shared.ingest.queue_depth() > 0 {
                        cap.min(shared.busy_concurrency)
                    } else {
                        cap
                    };
                    cap.saturating_sub(running.len())
                }
                Permit::Probe => 1,
                Permit::Wait(until) => {
                    look_again = until.or(look_again);
                    0
                }
            };
            if room > 0 && queue.is_empty() {
                match shared
                    .store
                    .due(&current.id, now, cap * 2 + held.len())
                    .await
                {
                    Ok(due) => {
                        for item in due {
                            if held.insert(item.attempt.id.clone()) {
                                queue.push_back(item);
                            }
                        }
                        if queue.is_empty() {
                            flush_until = None;
                            // Due attempts this worker already holds are not news.
                            if let Ok(Some(next)) = shared.store.next_due(&current.id).await {
                                if next > now {
                                    look_again = look_again.map(|at| at.min(next));
                                }
                            }
                        }
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, destination = %current.id, "could not read due deliveries");
                        tokio::time::sleep(STORE_BACKOFF).await;
                        continue;
                    }
                }
            }
            for _ in 0..room {
                let Some(item) = queue.pop_front() else { break };
                if flush_until
                    .as_deref()
                    .is_some_and(|last| item.attempt.id.as_str() > last)
                {
                    flush_until = None;
                }
                let id = item.attempt.id.clone();
                let shared = Arc::clone(&shared);
                let target = Arc::clone(&current);
                let task = running.spawn(async move {
                    let _counted = Counted::new(metrics::gauge!("clickwire_deliveries_in_flight"));
                    let sent = request::send(&shared.client, &target, &item).await;
                    (item, sent)
                });
                sending.insert(task.id(), id);
            }
        }
        let sleep_for = look_again
            .map(|at| Duration::from_millis(at.saturating_sub(now_ms()).max(1) as u64))
            .unwrap_or(IDLE_LOOK);
        tokio::select! {
            Some(joined) = running.join_next_with_id(), if !running.is_empty() => {
                let mut batch: Vec<Done> = Vec::new();
                let mut next = Some(joined);
                while let Some(joined) = next {
                    match joined {
                        Ok((task, done)) => {
                            sending.remove(&task);
                            batch.push(done);
                        }
                        Err(err) => {
                            // The attempt stays pending in the store; it is read again.
                            tracing::error!(error = %err, "a delivery task failed");
                            if let Some(id) = sending.remove(&err.id()) {
                                held.remove(&id);
                            }
                        }
                    }
                    next = running.try_join_next_with_id();
                }
                if record(&shared, &current, &circuit, batch, &mut held).await {
                    flush_until = shared.store.newest_due(&current.id, now_ms()).await.ok().flatten();
                }
            }
            () = wake.notified() => {}
            changed = destination.changed() => {
                if changed.is_err() {
                    running.abort_all();
                    return;
                }
            }
            () = tokio::time::sleep(sleep_for), if running.is_empty() || queue.is_empty() => {}
        }
    }
}

/// What the breaker allows now.
fn permit(circuit: &Mutex<Circuit>, now: i64, idle: bool) -> Permit {
    match circuit.lock() {
        Ok(mut circuit) => circuit.permit(now, !idle),
        Err(_) => Permit::Wait(None),
    }
}

/// Records a batch of sent attempts in one transaction, updates the breaker, announces the
/// attempts and issues, and disables the destination on a 410. True when the batch closed
/// a circuit that was not closed.
async fn record(
    shared: &Shared,
    destination: &Destination,
    circuit: &Mutex<Circuit>,
    batch: Vec<Done>,
    held: &mut HashSet<String>,
) -> bool {
    let now = now_ms();
    let finished: Vec<_> = batch
        .iter()
        .map(|(due, sent)| outcome::finished(destination, due, sent, now))
        .collect();
    let failures: Vec<_> = batch
        .iter()
        .filter_map(|(due, sent)| outcome::failure(due, sent, now))
        .collect();
    if batch.iter().any(|(_, sent)| sent.verdict == Verdict::Gone) {
        // Disabled before the failure is recorded: whoever sees the failed attempt sees a
        // disabled destination. The stored settings are read again, so a change made
        // meanwhile is kept.
        let stored = shared.store.get_destination(&destination.id, None).await;
        let disabled = match stored {
            Ok(Some(mut fresh)) => {
                fresh.disabled_reason = Some("the destination answered 410 Gone".into());
                shared.store.save_destination(fresh).await
            }
            Ok(None) => Err(clickwire_store::StoreError::NotFound(
                destination.id.clone(),
            )),
            Err(err) => Err(err),
        };
        match disabled {
            Ok(saved) => shared.update(saved),
            Err(err) => {
                tracing::warn!(error = %err, destination = %destination.id, "could not disable the destination");
            }
        }
    }
    let mut closed = false;
    if let Ok(mut circuit) = circuit.lock() {
        for (_, sent) in &batch {
            if sent.verdict == Verdict::Success {
                closed |= circuit.state != CircuitState::Closed;
                circuit.success();
            } else if outcome::counts_against(sent) {
                circuit.failure(now);
            }
        }
    }
    let issues = loop {
        match shared
            .store
            .finish(finished.clone(), failures.clone())
            .await
        {
            Ok(issues) => break issues,
            Err(err) => {
                tracing::warn!(error = %err, destination = %destination.id, "could not record deliveries; retrying");
                tokio::time::sleep(STORE_BACKOFF).await;
            }
        }
    };
    for (due, _) in &batch {
        held.remove(&due.attempt.id);
    }
    metrics::counter!("clickwire_deliveries_total", "outcome" => "success")
        .increment(finished.iter().filter(|f| f.success).count() as u64);
    metrics::counter!("clickwire_deliveries_total", "outcome" => "failed")
        .increment(finished.iter().filter(|f| !f.success).count() as u64);
    announce(shared, destination, &batch, &finished, issues);
    closed
}

fn announce(
    shared: &Shared,
    destination: &Destination,
    batch: &[Done],
    finished: &[clickwire_store::deliveries::Finished],
    issues: Vec<clickwire_store::deliveries::Issue>,
) {
    // Each notice is a JSON value built per attempt: none without a dashboard to hear it.
    if !shared.hub.has_dashboards(&destination.tenant) {
        return;
    }
    for ((due, _), done) in batch.iter().zip(finished) {
        let mut attempt = due.attempt.clone();
        attempt.status = if done.success {
            clickwire_store::deliveries::AttemptStatus::Success
        } else {
            clickwire_store::deliveries::AttemptStatus::Failed
        };
        attempt.response_status = done.response_status;
        attempt.duration_ms = Some(done.duration_ms);
        attempt.error_type.clone_from(&done.error_type);
        attempt.error.clone_from(&done.error);
        attempt.completed_at = Some(done.completed_at);
        attempt.next_retry_at = done.retry.as_ref().map(|r| r.scheduled_at);
        attempt.is_dlq = done.dead_letter;
        attempt.dlq_at = done.dead_letter.then_some(done.completed_at);
        attempt.response_body = None;
        let data = serde_json::to_value(AttemptView::from(attempt)).unwrap_or(Value::Null);
        shared.hub.announce(
            &destination.tenant,
            &Notice::Delivery {
                destination: &destination.id,
                data: &data,
            },
        );
    }
    for issue in issues {
        let tenant = issue.tenant.clone();
        let data = serde_json::to_value(IssueView::from(issue)).unwrap_or(Value::Null);
        shared.hub.announce(&tenant, &Notice::Issue { data: &data });
    }
}
