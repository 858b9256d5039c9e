//! One feed connection from its first frame to its end: event frames go to the output as
//! JSON lines (each `seq` at most once, in the order received), the server's `ping` frames
//! are answered, and the session ends on a close, a transport error, silence, or a limit
//! of the run. Generic over the socket so it runs on any `Sink + Stream` of messages.

use std::{borrow::Cow, fmt::Display, io, time::Duration};

use futures::{Sink, SinkExt, Stream, StreamExt};
use serde::Deserialize;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{protocol::frame::Utf8Bytes, Message};

use crate::progress::{Goal, Progress as Shown};

/// The answer to the server's `{"type":"ping"}`.
const PONG: Utf8Bytes = Utf8Bytes::from_static(r#"{"type":"pong"}"#);
/// How long a received close may take to be answered before the socket is dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// What the run has printed so far; carried from one connection to the next so a
/// reconnect resumes after the last printed event.
pub struct Progress {
    /// Seq of the last event printed (or the `--since` the run started from).
    pub last_seq: Option<i64>,
    /// Event frames printed.
    pub printed: u64,
    /// Frames whose seq was not after `last_seq`, skipped.
    pub duplicates: u64,
    /// When the last event was printed (or the run started).
    pub last_event: Instant,
    /// The count shown on stderr while a `--since` run replays and follows.
    pub shown: Option<Shown>,
}

impl Progress {
    pub fn new(since: Option<i64>) -> Self {
        Self {
            last_seq: since,
            printed: 0,
            duplicates: 0,
            last_event: Instant::now(),
            shown: since.map(|_| Shown::new("subscribe", "events", Goal::Open)),
        }
    }
}

/// When a run stops by itself.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Stop after printing this many events.
    pub max_events: Option<u64>,
    /// Stop once no event has been printed for this long.
    pub until_idle: Option<Duration>,
    /// Reconnect when the server has sent nothing (not even a ping) for this long.
    pub silence: Duration,
}

impl Limits {
    /// When the run stops for lack of events, if it does.
    pub fn idle_deadline(&self, progress: &Progress) -> Option<Instant> {
        self.until_idle.map(|idle| progress.last_event + idle)
    }
}

/// Why a run finished on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    MaxEvents,
    Idle,
    Stopped,
}

/// How a session ended.
#[derive(Debug, PartialEq, Eq)]
pub enum SessionEnd {
    /// The server closed (with this code, if it sent a close frame) or the stream ended.
    Closed { code: Option<u16>, reason: String },
    /// A read or write failed.
    Failed(String),
    /// Nothing arrived within the silence timeout.
    Silent,
    /// A limit of the run was reached.
    Finished(Finish),
}

/// The two fields every frame is routed by; the rest of the frame is printed as received.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    seq: Option<i64>,
    #[serde(borrow)]
    message: Option<Cow<'a, str>>,
}

/// Reads `socket` until it ends or a limit is reached, writing event frames to `out`.
/// Only a failed write to `out` is an error; every socket outcome is a [`SessionEnd`].
pub async fn run<S, E, W>(
    socket: &mut S,
    out: &mut W,
    progress: &mut Progress,
    limits: &Limits,
) -> io::Result<SessionEnd>
where
    S: Stream<Item = Result<Message, E>> + Sink<Message, Error = E> + Unpin,
    E: Display,
    W: io::Write,
{
    loop {
        if limits.max_events.is_some_and(|max| progress.printed >= max) {
            return Ok(SessionEnd::Finished(Finish::MaxEvents));
        }
        let idle = limits.idle_deadline(progress);
        let frame = tokio::select! {
            frame = socket.next() => frame,
            () = sleep_until(idle) => return Ok(SessionEnd::Finished(Finish::Idle)),
            () = tokio::time::sleep(limits.silence) => return Ok(SessionEnd::Silent),
        };
        let message = match frame {
            None => {
                return Ok(SessionEnd::Closed {
                    code: None,
                    reason: "the connection ended without a close frame".into(),
                })
            }
            Some(Err(error)) => return Ok(SessionEnd::Failed(error.to_string())),
            Some(Ok(message)) => message,
        };
        match message {
            Message::Text(text) => {
                let reply = on_text(text.as_str(), out, progress)?;
                if reply == Reply::Pong {
                    if let Err(error) = socket.send(Message::Text(PONG)).await {
                        return Ok(SessionEnd::Failed(error.to_string()));
                    }
                }
            }
            Message::Close(frame) => {
                // The close reply is queued by the read; flushing sends it.
                let _ = tokio::time::timeout(CLOSE_GRACE, socket.flush()).await;
                let (code, reason) = frame
                    .map(|f| (Some(u16::from(f.code)), f.reason.as_str().to_owned()))
                    .unwrap_or_default();
                return Ok(SessionEnd::Closed { code, reason });
            }
            // Binary frames are not part of the feed; WebSocket pings are answered by
            // tungstenite itself.
            _ => {}
        }
    }
}

/// What the session sends back for a frame.
#[derive(Debug, PartialEq, Eq)]
enum Reply {
    Nothing,
    Pong,
}

/// Routes one text frame: events are printed, the rest is logged or answered.
fn on_text(text: &str, out: &mut impl io::Write, progress: &mut Progress) -> io::Result<Reply> {
    let Ok(head) = serde_json::from_str::<Head<'_>>(text) else {
        eprintln!("subscribe: ignoring a frame that is not a JSON object: {text}");
        return Ok(Reply::Nothing);
    };
    match head.kind.as_ref() {
        "event" => print_event(text, head.seq, out, progress)?,
        "ping" => return Ok(Reply::Pong),
        "hello" => {
            eprintln!(
                "subscribe: hello: {}",
                head.message.as_deref().unwrap_or_default()
            );
            // Before the first event, the stream's start is the point to resume from.
            if progress.last_seq.is_none() {
                progress.last_seq = head.seq;
            }
        }
        "duration_limit" => {
            eprintln!("subscribe: the server's duration limit was reached; reconnecting")
        }
        "resume_gap" => eprintln!(
            "subscribe: warning: the server no longer holds every event after seq {}: {text}",
            progress
                .last_seq
                .map_or_else(|| "-".to_owned(), |s| s.to_string())
        ),
        _ => eprintln!("subscribe: {text}"),
    }
    Ok(Reply::Nothing)
}

/// Writes the frame as one line unless its seq was already printed.
fn print_event(
    text: &str,
    seq: Option<i64>,
    out: &mut impl io::Write,
    progress: &mut Progress,
) -> io::Result<()> {
    if let (Some(seq), Some(last)) = (seq, progress.last_seq) {
        if seq <= last {
            progress.duplicates += 1;
            return Ok(());
        }
    }
    if text.contains('\n') {
        // A pretty-printed frame would break JSONL; the server sends compact ones, but
        // a proxy might not.
        let value: serde_json::Value = serde_json::from_str(text).map_err(io::Error::other)?;
        serde_json::to_writer(&mut *out, &value).map_err(io::Error::other)?;
    } else {
        out.write_all(text.as_bytes())?;
    }
    out.write_all(b"\n")?;
    out.flush()?;
    progress.printed += 1;
    progress.last_seq = seq.or(progress.last_seq);
    progress.last_event = Instant::now();
    if let Some(shown) = &progress.shown {
        shown.add(1);
    }
    Ok(())
}

/// Sleeps until `deadline`, or forever without one.
pub async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(out: &[u8]) -> Vec<&str> {
        std::str::from_utf8(out).expect("utf8").lines().collect()
    }

    #[test]
    fn the_hello_seq_is_the_resume_point_until_the_first_event() {
        let mut out = Vec::new();
        let mut progress = Progress::new(None);
        let hello = r#"{"type":"hello","message":"connected to signals feed","seq":41}"#;
        on_text(hello, &mut out, &mut progress).expect("write");
        assert_eq!(progress.last_seq, Some(41));
        // A later hello (after a reconnect) does not move an established position.
        on_text(
            r#"{"id":"evt_1","seq":45,"type":"event"}"#,
            &mut out,
            &mut progress,
        )
        .expect("write");
        on_text(hello, &mut out, &mut progress).expect("write");
        assert_eq!(progress.last_seq, Some(45));
    }

    #[tokio::test]
    async fn events_are_printed_once_each_in_order_and_pings_are_answered() {
        let mut out = Vec::new();
        let mut progress = Progress::new(None);
        let frames = [
            r#"{"type":"hello","message":"connected to signals feed"}"#,
            r#"{"id":"evt_1","seq":1,"type":"event"}"#,
            r#"{"type":"ping"}"#,
            r#"{"id":"evt_2","seq":2,"type":"event"}"#,
            r#"{"id":"evt_1","seq":1,"type":"event"}"#,
            "not json",
        ];
        let mut replies = Vec::new();
        for frame in frames {
            replies.push(on_text(frame, &mut out, &mut progress).expect("write"));
        }
        assert_eq!(
            lines(&out),
            [
                r#"{"id":"evt_1","seq":1,"type":"event"}"#,
                r#"{"id":"evt_2","seq":2,"type":"event"}"#
            ]
        );
        assert_eq!(replies[2], Reply::Pong);
        assert_eq!(progress.last_seq, Some(2));
        assert_eq!((progress.printed, progress.duplicates), (2, 1));
    }

    #[tokio::test]
    async fn a_run_started_from_a_seq_skips_what_it_already_has() {
        let mut out = Vec::new();
        let mut progress = Progress::new(Some(5));
        on_text(r#"{"seq":5,"type":"event"}"#, &mut out, &mut progress).expect("write");
        on_text(r#"{"seq":6,"type":"event"}"#, &mut out, &mut progress).expect("write");
        assert_eq!(lines(&out), [r#"{"seq":6,"type":"event"}"#]);
    }

    #[tokio::test]
    async fn a_pretty_printed_frame_still_becomes_one_line() {
        let mut out = Vec::new();
        let mut progress = Progress::new(None);
        on_text(
            "{\n \"seq\": 3,\n \"type\": \"event\"\n}",
            &mut out,
            &mut progress,
        )
        .expect("write");
        assert_eq!(lines(&out), [r#"{"seq":3,"type":"event"}"#]);
    }
}
