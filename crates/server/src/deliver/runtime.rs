//! The deliveries' own tokio runtime. With `deliveries.low_priority` on (the default) its
//! worker and blocking threads run at nice 10 under `SCHED_BATCH`: on a machine whose cores
//! are busy the scheduler gives them about a tenth of the time an ingest thread gets
//! (weights 110 and 1024), so delivering takes at most about a tenth from ingest, which has
//! clients waiting for an answer; on an idle machine deliveries run at full speed. A
//! backlog is never dropped for it: it waits, durably, in the store.

use std::sync::Once;

use thread_priority::{
    set_thread_priority_and_policy, thread_native_id, NormalThreadSchedulePolicy, ThreadPriority,
    ThreadPriorityValue, ThreadSchedulePolicy,
};
use tokio::runtime::{Builder, Runtime};

/// The cross-platform priority (0–99) the thread-priority crate maps to nice 10 on Linux.
const NICE_10: u8 = 22;

/// Builds the runtime with `threads` workers.
pub fn build(threads: usize, low_priority: bool) -> std::io::Result<Runtime> {
    Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .thread_name("clickwire-deliver")
        .on_thread_start(move || {
            if low_priority {
                lower_this_thread();
            }
        })
        .enable_all()
        .build()
}

fn lower_this_thread() {
    static WARNED: Once = Once::new();
    let policy = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Batch);
    let lowered = ThreadPriorityValue::try_from(NICE_10)
        .map_err(|err| format!("{err:?}"))
        .and_then(|value| {
            set_thread_priority_and_policy(
                thread_native_id(),
                ThreadPriority::Crossplatform(value),
                policy,
            )
            .map_err(|err| format!("{err:?}"))
        });
    if let Err(err) = lowered {
        WARNED.call_once(|| {
            tracing::warn!(error = %err, "could not lower the priority of the delivery threads");
        });
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    /// The nice value of the calling thread (field 19 of `/proc/thread-self/stat`).
    fn nice() -> i64 {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").expect("stat");
        let after_name = &stat[stat.rfind(')').expect("name") + 2..];
        after_name
            .split(' ')
            .nth(16)
            .and_then(|n| n.parse().ok())
            .expect("nice")
    }

    #[test]
    fn delivery_threads_run_at_nice_10_and_others_are_untouched() {
        let runtime = super::build(1, true).expect("runtime");
        let worker = runtime.block_on(runtime.spawn(async { nice() }));
        let blocking = runtime.block_on(runtime.spawn_blocking(nice));
        assert_eq!(
            (worker.expect("worker"), blocking.expect("blocking")),
            (10, 10)
        );
        assert_eq!(nice(), 0, "the caller's thread keeps its priority");
        let normal = super::build(1, false).expect("runtime");
        let worker = normal.block_on(normal.spawn(async { nice() }));
        assert_eq!(worker.expect("worker"), 0);
    }
}
