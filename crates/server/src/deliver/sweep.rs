//! Resolves issues that saw no new failure for `deliveries.issue_auto_resolve`, and
//! announces each on the dashboard stream's `issues` channel.

use std::{sync::Arc, time::Duration};

use clickwire_store::Deliveries;
use serde_json::Value;
use tokio::sync::watch;

use super::views::IssueView;
use crate::{
    hub::{Hub, Notice},
    ingest::now_ms,
};

pub async fn run(
    store: Arc<dyn Deliveries>,
    hub: Arc<Hub>,
    after: Duration,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let after_ms = i64::try_from(after.as_millis()).unwrap_or(i64::MAX);
    let mut tick = tokio::time::interval(every);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        let now = now_ms();
        match store.auto_resolve(now.saturating_sub(after_ms), now).await {
            Ok(resolved) => {
                for issue in resolved {
                    let tenant = issue.tenant.clone();
                    let data = serde_json::to_value(IssueView::from(issue)).unwrap_or(Value::Null);
                    hub.announce(&tenant, &Notice::Issue { data: &data });
                }
            }
            Err(err) => tracing::warn!(error = %err, "could not resolve stale issues"),
        }
    }
}
