//! One benchmark subscriber: counts the event frames that arrive inside the measurement
//! window and, for events the posters sent inside it, how long after the send and after
//! the 202 each frame arrived. It answers pings, and it does not reconnect: a subscriber
//! the server closes is reported, not hidden.

use std::{pin::pin, sync::Arc, time::Duration};

use futures::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{protocol::frame::Utf8Bytes, Message};

use super::ledger::{marker_in, Ledger};
use crate::subscribe::connect::FeedSocket;

/// Highest latency tracked exactly; later frames are clamped to it.
const MAX_LATENCY_US: u64 = 60_000_000;
const PONG: Utf8Bytes = Utf8Bytes::from_static(r#"{"type":"pong"}"#);

/// The measurement window, in ledger nanoseconds.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub start_ns: u64,
    pub end_ns: u64,
}

impl Window {
    fn contains(&self, ns: u64) -> bool {
        (self.start_ns..self.end_ns).contains(&ns)
    }
}

/// What one subscriber (or, merged, all of them) saw.
pub struct Seen {
    /// Event frames that arrived inside the window.
    pub frames: u64,
    pub bytes: u64,
    /// From the 202 of an event sent inside the window to its frame; 0 when the frame
    /// arrived first.
    pub ack_to_frame_us: Histogram<u64>,
    /// From the start of the POST of an event sent inside the window to its frame.
    pub send_to_frame_us: Histogram<u64>,
    /// The close code (or `"eof"` / `"error"`) of a subscriber the server ended early.
    pub ended_early: Option<String>,
}

impl Seen {
    pub fn new() -> anyhow::Result<Self> {
        Ok(Self {
            frames: 0,
            bytes: 0,
            ack_to_frame_us: Histogram::new_with_bounds(1, MAX_LATENCY_US, 3)?,
            send_to_frame_us: Histogram::new_with_bounds(1, MAX_LATENCY_US, 3)?,
            ended_early: None,
        })
    }

    pub fn merge(&mut self, other: &Seen) -> anyhow::Result<()> {
        self.frames += other.frames;
        self.bytes += other.bytes;
        self.ack_to_frame_us.add(&other.ack_to_frame_us)?;
        self.send_to_frame_us.add(&other.send_to_frame_us)?;
        Ok(())
    }

    fn record(&mut self, frame: &[u8], ledger: &Ledger, window: Window) {
        let now = ledger.now_ns();
        if window.contains(now) {
            self.frames += 1;
            self.bytes += frame.len() as u64;
        }
        let Some(times) = marker_in(frame).and_then(|m| ledger.times(m)) else {
            return;
        };
        if !window.contains(times.sent_ns) {
            return;
        }
        let micros = |from: u64| now.saturating_sub(from) / 1_000;
        self.send_to_frame_us
            .saturating_record(micros(times.sent_ns));
        let ack = times.acked_ns.map_or(0, micros);
        self.ack_to_frame_us.saturating_record(ack);
    }
}

/// Reads `socket` until `stop_at`; what it counted.
pub async fn follow(
    mut socket: FeedSocket,
    ledger: Arc<Ledger>,
    window: Window,
    stop_at: Instant,
) -> anyhow::Result<Seen> {
    let mut seen = Seen::new()?;
    let mut stop = pin!(tokio::time::sleep_until(stop_at));
    loop {
        let message = tokio::select! {
            biased;
            () = &mut stop => break,
            message = socket.next() => message,
        };
        match message {
            Some(Ok(Message::Text(text))) => {
                let bytes = text.as_bytes();
                if bytes.starts_with(br#"{"id""#) {
                    seen.record(bytes, &ledger, window);
                } else if is_ping(bytes) && socket.send(Message::Text(PONG)).await.is_err() {
                    seen.ended_early = Some("error".into());
                    break;
                }
            }
            Some(Ok(Message::Close(frame))) => {
                let code =
                    frame.map_or_else(|| "close".to_owned(), |f| u16::from(f.code).to_string());
                seen.ended_early = Some(code);
                break;
            }
            Some(Ok(_)) => {}
            Some(Err(_)) => {
                seen.ended_early = Some("error".into());
                break;
            }
            None => {
                seen.ended_early = Some("eof".into());
                break;
            }
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), socket.close(None)).await;
    Ok(seen)
}

fn is_ping(frame: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Head<'a> {
        #[serde(rename = "type")]
        kind: &'a str,
    }
    serde_json::from_slice::<Head<'_>>(frame).is_ok_and(|h| h.kind == "ping")
}
