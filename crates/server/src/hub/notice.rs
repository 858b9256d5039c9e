//! What the dashboard stream hears besides events: `{"type":"delivery","channel":
//! "deliveries" | "deliveries:<destination_id>","data":…}` for each finished delivery
//! attempt and `{"type":"issue","channel":"issues","data":…}` for each issue opened,
//! counted, resolved or reopened. Each frame is built the first time a socket wants it.

use std::cell::OnceCell;

use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use super::Interest;

/// A notice for a tenant's dashboards.
#[derive(Debug)]
pub enum Notice<'a> {
    Delivery {
        destination: &'a str,
        data: &'a Value,
    },
    Issue {
        data: &'a Value,
    },
}

#[derive(Serialize)]
struct Frame<'a> {
    r#type: &'static str,
    channel: &'a str,
    data: &'a Value,
}

pub struct Frames<'a> {
    notice: &'a Notice<'a>,
    general: OnceCell<Option<Bytes>>,
    scoped: OnceCell<Option<Bytes>>,
}

impl<'a> Frames<'a> {
    pub fn new(notice: &'a Notice<'a>) -> Self {
        Self {
            notice,
            general: OnceCell::new(),
            scoped: OnceCell::new(),
        }
    }

    /// Hands `offer` each frame a dashboard socket subscribed to wants.
    pub fn to(&self, interest: &Interest, mut offer: impl FnMut(Bytes)) {
        let Interest::Dashboard(channels) = interest else {
            return;
        };
        let Ok(channels) = channels.read() else {
            return;
        };
        match self.notice {
            Notice::Delivery { destination, data } => {
                if channels.all_deliveries() {
                    if let Some(frame) = cached(&self.general, "delivery", "deliveries", data) {
                        offer(frame);
                    }
                }
                if channels.destination_deliveries(destination) {
                    let channel = format!("deliveries:{destination}");
                    if let Some(frame) = cached(&self.scoped, "delivery", &channel, data) {
                        offer(frame);
                    }
                }
            }
            Notice::Issue { data } => {
                if channels.issues() {
                    if let Some(frame) = cached(&self.general, "issue", "issues", data) {
                        offer(frame);
                    }
                }
            }
        }
    }
}

fn cached(
    cell: &OnceCell<Option<Bytes>>,
    kind: &'static str,
    channel: &str,
    data: &Value,
) -> Option<Bytes> {
    cell.get_or_init(|| {
        let frame = Frame {
            r#type: kind,
            channel,
            data,
        };
        serde_json::to_vec(&frame).ok().map(Bytes::from)
    })
    .clone()
}
