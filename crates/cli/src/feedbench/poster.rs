//! One benchmark poster: a keep-alive HTTP connection that posts marked server-side events
//! at a fixed pace and notes in the ledger when each was sent and acknowledged.

use std::{
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use anyhow::Context as _;
use reqwest::{Client, Url};
use tokio::time::{interval_at, Instant, MissedTickBehavior};

use super::{
    ledger::{page_path, Ledger},
    subscriber::Window,
};

/// What every poster shares.
pub struct PostPlan {
    pub url: Url,
    pub key: String,
    /// Events per request; 1 posts a bare event.
    pub batch: u32,
    /// Distinct visitors the events are spread over.
    pub visitors: u64,
    /// Time between two requests of one poster.
    pub period: Duration,
    pub posters: u32,
    pub start: Instant,
    /// No request is sent from here on.
    pub end: Instant,
    pub window: Window,
}

/// What one poster (or, summed, all of them) did.
#[derive(Debug, Default)]
pub struct Posted {
    /// Events acknowledged with 202 that were sent inside the window.
    pub acked_in_window: u64,
    /// Requests answered with anything else, or not at all.
    pub failed: u64,
    pub first_failure: Option<String>,
}

impl Posted {
    pub fn merge(&mut self, other: Posted) {
        self.acked_in_window += other.acked_in_window;
        self.failed += other.failed;
        self.first_failure = self.first_failure.take().or(other.first_failure);
    }
}

/// Posts until the plan's end.
pub async fn post(plan: Arc<PostPlan>, ledger: Arc<Ledger>, id: u32) -> anyhow::Result<Posted> {
    let client = Client::builder()
        .http1_only()
        .no_proxy()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(30))
        .build()
        .context("building the HTTP client")?;
    let offset = plan.period.mul_f64(f64::from(id) / f64::from(plan.posters));
    let mut ticker = interval_at(plan.start + offset, plan.period);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut posted = Posted::default();
    loop {
        ticker.tick().await;
        if Instant::now() >= plan.end {
            return Ok(posted);
        }
        let first = ledger.reserve(u64::from(plan.batch));
        let markers = first..first + u64::from(plan.batch);
        let body = body(markers.clone(), plan.visitors, plan.batch > 1)?;
        let sent_ns = ledger.now_ns();
        for marker in markers.clone() {
            ledger.mark_sent(marker, sent_ns);
        }
        let answer = client
            .post(plan.url.clone())
            .header("x-api-key", &plan.key)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await;
        let acked_ns = ledger.now_ns();
        match answer {
            Ok(response) if response.status().as_u16() == 202 => {
                for marker in markers {
                    ledger.mark_acked(marker, acked_ns);
                }
                if plan.window.start_ns <= sent_ns && sent_ns < plan.window.end_ns {
                    posted.acked_in_window += u64::from(plan.batch);
                }
            }
            Ok(response) => {
                let status = response.status();
                let text = response.text().await.unwrap_or_default();
                posted.failed += 1;
                posted
                    .first_failure
                    .get_or_insert(format!("HTTP {status}: {text}"));
            }
            Err(error) => {
                posted.failed += 1;
                posted.first_failure.get_or_insert(error.to_string());
            }
        }
    }
}

/// The request body: server-side custom events whose page path carries their marker.
fn body(markers: std::ops::Range<u64>, visitors: u64, batch: bool) -> anyhow::Result<String> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("the clock is before 1970")?
        .as_millis();
    let events: Vec<String> = markers
        .map(|marker| {
            let visitor = marker % visitors.max(1);
            format!(
                r#"{{"type":"custom","name":"feedbench","visitorId":"fbv_{visitor}","sessionId":"fbs_{visitor}","timestamp":{now},"page":{{"path":"{path}","title":"feedbench"}},"device":{{"userAgent":"clickwire-feedbench/1.0","viewport":{{"width":0,"height":0}},"clientPlatform":"server"}}}}"#,
                path = page_path(marker),
            )
        })
        .collect();
    Ok(if batch {
        format!(r#"{{"events":[{}]}}"#, events.join(","))
    } else {
        events.concat()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_json_with_one_marked_page_per_event() -> anyhow::Result<()> {
        let single: serde_json::Value = serde_json::from_str(&body(5..6, 10, false)?)?;
        assert_eq!(single["page"]["path"], "/feedbench/5");
        assert_eq!(single["visitorId"], "fbv_5");
        let batch: serde_json::Value = serde_json::from_str(&body(10..13, 10, true)?)?;
        let paths: Vec<&str> = batch["events"]
            .as_array()
            .map(|events| {
                events
                    .iter()
                    .filter_map(|e| e["page"]["path"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(paths, ["/feedbench/10", "/feedbench/11", "/feedbench/12"]);
        Ok(())
    }
}
