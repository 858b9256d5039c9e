//! Reading the feed back from the store: the frames of a tenant's stored events after a
//! seq, page by page, oldest first — for `?since=` / `Last-Event-ID` and for recovering a
//! subscriber after the hub fell behind. The hand-over to the live queue is in
//! [`super::socket`]: the subscriber registers first, replays, then skips queued frames it
//! already sent (seq ≤ the last replayed).

use std::sync::Arc;

use clickwire_store::{EventQueries, EventQuery, StoreError};
use serde_json::Value;

use super::{filter::Filter, frame::frame_from_stored};
use crate::hub::LiveFrame;

/// One tenant's stored frames, as one subscriber (with its filter) sees them.
#[derive(Clone)]
pub struct Replay {
    pub store: Arc<dyn EventQueries>,
    pub tenant: String,
    pub filter: Option<Arc<Filter>>,
    /// Stored events read per query.
    pub page: usize,
}

/// One page of a replay.
#[derive(Debug, Default)]
pub struct ReplayPage {
    /// The frames to send, in seq order.
    pub frames: Vec<LiveFrame>,
    /// The seq of the last stored event read (frame or not); continue after it.
    pub last: Option<i64>,
    /// More stored events follow.
    pub more: bool,
}

impl Replay {
    /// The seq of the tenant's oldest stored event.
    pub async fn oldest(&self) -> Result<Option<i64>, StoreError> {
        self.edge(false).await
    }

    /// The seq of the tenant's newest stored event.
    pub async fn newest(&self) -> Result<Option<i64>, StoreError> {
        self.edge(true).await
    }

    async fn edge(&self, newest_first: bool) -> Result<Option<i64>, StoreError> {
        let page = self
            .store
            .query(EventQuery {
                tenant: self.tenant.clone(),
                limit: 1,
                newest_first,
                ..EventQuery::default()
            })
            .await?;
        Ok(page.events.first().map(|e| e.seq))
    }

    /// The frames of stored events after `after`.
    pub async fn page(&self, after: i64) -> Result<ReplayPage, StoreError> {
        let page = self
            .store
            .query(EventQuery {
                tenant: self.tenant.clone(),
                after_seq: Some(after),
                limit: self.page,
                ..EventQuery::default()
            })
            .await?;
        let frames = page
            .events
            .iter()
            .filter_map(|stored| {
                let frame = frame_from_stored(stored)?;
                self.wanted(&frame).then_some(LiveFrame {
                    seq: stored.seq,
                    frame,
                })
            })
            .collect();
        Ok(ReplayPage {
            frames,
            last: page.events.last().map(|e| e.seq),
            more: page.next_after.is_some(),
        })
    }

    fn wanted(&self, frame: &[u8]) -> bool {
        let Some(filter) = &self.filter else {
            return true;
        };
        serde_json::from_slice::<Value>(frame).is_ok_and(|v| filter.matches(&v))
    }
}
