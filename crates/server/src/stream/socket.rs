//! One dashboard or test-session socket, after the upgrade: its first frame (the
//! dashboard's `welcome`), then the hub's frames as they come, `{"type":"ping"}` every
//! `feed.ping_interval`, and the client's messages — `pong`, and on a dashboard
//! `subscribe` / `unsubscribe` — until one of: silence for `feed.idle_timeout` (close
//! 4000); a frame dropped because the socket's queue was full while it did not take
//! writes within `feed.slow_grace`, or commits the hub missed (close 1011: these streams
//! have no replay, the client reloads from the REST API); server shutdown (close 1001);
//! the key revoked (an `invalid_api_key` error, then close 4001); the test session's end
//! or deletion (close 1000); or the client leaving. The queue, the grace and the close codes are the
//! Signals Feed's.

use std::{
    future::Future,
    pin::pin,
    sync::{Arc, RwLock},
};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use bytes::Bytes;
use futures::{stream::SplitSink, SinkExt, StreamExt};
use serde_json::Value;
use tokio::{
    sync::watch,
    time::{Instant, MissedTickBehavior},
};

use super::{
    channel::{Channel, Channels},
    frame,
};
use crate::{
    error::ApiError,
    feed::socket::{close, Timings},
    hub::{LiveFrame, Signal, Subscription},
    state::AppState,
};

/// Frames sent before one flush when the queue holds several.
const MAX_BATCH: usize = 64;
/// Close code of a test session that ended while its socket was open.
const NORMAL: u16 = 1000;

/// What the client may say besides `pong`.
pub enum Control {
    /// A dashboard: `subscribe` / `unsubscribe` change `channels` (which the hub reads);
    /// `events:<id>` must name a source of `tenant`, `deliveries:<id>` one of its destinations.
    Dashboard {
        state: AppState,
        tenant: String,
        channels: Arc<RwLock<Channels>>,
    },
    /// A test session's stream: nothing.
    Test,
}

/// Everything one socket needs.
pub struct Stream {
    pub sub: Subscription,
    pub timings: Timings,
    pub control: Control,
    /// Turns `true` when the key the socket was opened with is revoked or expires.
    pub revoked: Option<watch::Receiver<bool>>,
    /// When the socket's test session ends.
    pub ends_at: Option<Instant>,
}

/// Why a socket ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Gone,
    Slow,
    Missed,
    Idle,
    Shutdown,
    KeyRevoked,
    SessionEnded,
}

impl End {
    fn name(self) -> &'static str {
        match self {
            End::Gone => "gone",
            End::Slow => "slow",
            End::Missed => "missed",
            End::Idle => "idle",
            End::Shutdown => "shutdown",
            End::KeyRevoked => "key_revoked",
            End::SessionEnded => "session_ended",
        }
    }

    fn close(self) -> Option<(u16, &'static str)> {
        match self {
            End::Gone => None,
            End::Slow => Some((close::SLOW, "subscriber too slow")),
            End::Missed => Some((close::SLOW, "the stream missed events; reload")),
            End::Idle => Some((close::IDLE, "idle timeout")),
            End::Shutdown => Some((close::GOING_AWAY, "server shutting down")),
            End::KeyRevoked => Some((close::KEY_REVOKED, "key revoked")),
            End::SessionEnded => Some((NORMAL, "test session ended")),
        }
    }
}

type Sink = SplitSink<WebSocket, Message>;

/// Runs the socket until it ends, sending `first` before anything else.
pub async fn serve(socket: WebSocket, stream: Stream, first: Option<Bytes>) {
    let stream_name = stream.sub_stream_name();
    let (sink, inbound) = socket.split();
    let mut conn = Conn {
        signal: stream.sub.signal_handle(),
        timings: stream.timings,
        sink,
    };
    let mut stream = stream;
    let end = match first {
        Some(first) => match conn.send(text(first)).await {
            Ok(()) => conn.run(&mut stream, inbound).await,
            Err(end) => end,
        },
        None => conn.run(&mut stream, inbound).await,
    };
    metrics::counter!("clickwire_stream_disconnects_total", "stream" => stream_name, "reason" => end.name())
        .increment(1);
    // The slot is free before the goodbye is sent.
    drop(stream);
    let Some((code, reason)) = end.close() else {
        return;
    };
    let sink = &mut conn.sink;
    let goodbye = async {
        if end == End::KeyRevoked {
            let error = frame::error(
                ApiError::KeyRevoked.code(),
                &ApiError::KeyRevoked.to_string(),
            );
            sink.feed(text(error)).await?;
        }
        let close = CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        };
        sink.send(Message::Close(Some(close))).await
    };
    let _ = tokio::time::timeout(conn.timings.close_timeout, goodbye).await;
}

impl Stream {
    fn sub_stream_name(&self) -> &'static str {
        match self.control {
            Control::Dashboard { .. } => "dashboard",
            Control::Test => "test",
        }
    }
}

struct Conn {
    sink: Sink,
    signal: Arc<Signal>,
    timings: Timings,
}

impl Conn {
    async fn run(
        &mut self,
        stream: &mut Stream,
        mut inbound: futures::stream::SplitStream<WebSocket>,
    ) -> End {
        let timings = self.timings;
        let signal = Arc::clone(&self.signal);
        let start = Instant::now();
        let mut ping =
            tokio::time::interval_at(start + timings.ping_interval, timings.ping_interval);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let idle_limit = timings.idle_timeout.unwrap_or(timings.max_duration);
        let mut idle = pin!(tokio::time::sleep(idle_limit));
        let mut revoked = stream.revoked.clone();
        let ends_at = stream.ends_at;
        loop {
            if signal.is_ended() {
                return End::SessionEnded;
            }
            if signal.take_overflow() {
                return End::Slow;
            }
            if signal.take_gap() {
                return End::Missed;
            }
            let step = tokio::select! {
                biased;
                () = until(ends_at) => Err(End::SessionEnded),
                () = until_revoked(&mut revoked) => Err(End::KeyRevoked),
                () = &mut idle => Err(End::Idle),
                () = signal.woken() => Ok(()),
                frame = stream.sub.recv() => match frame {
                    Some(frame) => self.send_frames(&mut stream.sub, frame).await,
                    None => Err(End::Shutdown),
                },
                _ = ping.tick() => self.send(text(frame::ping())).await,
                message = inbound.next() => {
                    idle.as_mut().reset(Instant::now() + idle_limit);
                    match message {
                        Some(Ok(Message::Text(message))) => {
                            match stream.control.answer(message.as_str()).await {
                                Some(answer) => self.send(text(answer)).await,
                                None => Ok(()),
                            }
                        }
                        Some(Ok(Message::Binary(_))) => {
                            self.send(text(frame::error("invalid_json", "send JSON text messages"))).await
                        }
                        Some(Ok(Message::Close(_))) | Some(Err(_)) | None => Err(End::Gone),
                        Some(Ok(_)) => Ok(()),
                    }
                }
            };
            if let Err(end) = step {
                return end;
            }
        }
    }

    /// Sends `first` and whatever else is queued (up to a batch), then flushes once.
    async fn send_frames(&mut self, sub: &mut Subscription, first: LiveFrame) -> Result<(), End> {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match sub.try_recv() {
                Some(frame) => batch.push(frame),
                None => break,
            }
        }
        let sink = &mut self.sink;
        let write = async move {
            for frame in batch {
                sink.feed(text(frame.frame)).await?;
            }
            sink.flush().await
        };
        guarded(&self.signal, self.timings, write).await
    }

    async fn send(&mut self, message: Message) -> Result<(), End> {
        guarded(&self.signal, self.timings, self.sink.send(message)).await
    }
}

/// Awaits `write`; once the socket's queue has overflowed, the write has `slow_grace`
/// more to finish before the socket counts as too slow.
async fn guarded(
    signal: &Signal,
    timings: Timings,
    write: impl Future<Output = Result<(), axum::Error>>,
) -> Result<(), End> {
    let mut write = pin!(write);
    loop {
        tokio::select! {
            written = &mut write => return written.map_err(|_| End::Gone),
            () = signal.woken() => {
                if signal.is_overflowed() {
                    return match tokio::time::timeout(timings.slow_grace, write).await {
                        Ok(written) => written.map_err(|_| End::Gone),
                        Err(_) => Err(End::Slow),
                    };
                }
            }
        }
    }
}

/// A client message as read, before any channel is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Said {
    Pong,
    /// `subscribe` (true) or `unsubscribe` (false) with the channel named (empty when
    /// none is).
    Subscribe(bool, String),
    /// Any other `type`, or none.
    Other,
}

impl Said {
    /// Reads one text message; `None` when it is not JSON.
    pub fn read(text: &str) -> Option<Self> {
        let message = serde_json::from_str::<Value>(text).ok()?;
        let field = |name: &str| message.get(name).and_then(Value::as_str);
        let channel = || field("channel").unwrap_or_default().to_owned();
        Some(match field("type") {
            Some("pong") => Self::Pong,
            Some("subscribe") => Self::Subscribe(true, channel()),
            Some("unsubscribe") => Self::Subscribe(false, channel()),
            _ => Self::Other,
        })
    }
}

impl Control {
    /// The answer to one client message, if it gets one (`pong` does not).
    async fn answer(&mut self, text: &str) -> Option<Bytes> {
        let Some(said) = Said::read(text) else {
            return Some(frame::error("invalid_json", "the message is not JSON"));
        };
        match (self, said) {
            (_, Said::Pong) => None,
            (
                Control::Dashboard {
                    state,
                    tenant,
                    channels,
                },
                Said::Subscribe(subscribe, name),
            ) => {
                let channel = match known_channel(state, tenant, &name).await {
                    Ok(Some(channel)) => channel,
                    Ok(None) => return Some(unknown_channel(&name)),
                    Err(err) => return Some(frame::error(err.code(), &err.public_message())),
                };
                let Ok(mut channels) = channels.write() else {
                    return Some(frame::error(
                        "internal_error",
                        "the socket's channels are lost",
                    ));
                };
                Some(if subscribe {
                    channels.add(channel);
                    frame::subscribed(&name)
                } else {
                    channels.remove(&channel);
                    frame::unsubscribed(&name)
                })
            }
            (Control::Dashboard { .. }, _) => Some(frame::error(
                "unknown_type",
                "send subscribe, unsubscribe or pong messages",
            )),
            (Control::Test, _) => Some(frame::error(
                "unknown_type",
                "a test-session stream only takes pong messages",
            )),
        }
    }
}

/// `name` as a channel of `tenant` (`None` when it is not one): a source channel must
/// name one of its sources, a destination channel one of its destinations.
async fn known_channel(
    state: &AppState,
    tenant: &str,
    name: &str,
) -> Result<Option<Channel>, ApiError> {
    let Some(channel) = Channel::parse(name) else {
        return Ok(None);
    };
    let owned = match &channel {
        Channel::SourceEvents(id) => state
            .sources
            .get(id)
            .await?
            .is_some_and(|entry| entry.source.tenant == tenant),
        Channel::DestinationDeliveries(id) => state
            .deliveries
            .get_destination(id, Some(tenant))
            .await?
            .is_some(),
        _ => true,
    };
    Ok(owned.then_some(channel))
}

fn unknown_channel(name: &str) -> Bytes {
    frame::error(
        "unknown_channel",
        &format!(
            "`{name}` is not a channel of this organisation: use events, events:<source_id>, \
             deliveries, deliveries:<destination_id> or issues"
        ),
    )
}

fn text(bytes: Bytes) -> Message {
    Message::Text(Utf8Bytes::try_from(bytes).unwrap_or_default())
}

async fn until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

async fn until_revoked(revoked: &mut Option<watch::Receiver<bool>>) {
    if let Some(rx) = revoked {
        if rx.wait_for(|revoked| *revoked).await.is_ok() {
            return;
        }
    }
    std::future::pending().await
}
