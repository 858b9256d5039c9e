//! One subscriber's connection, whatever carries it (WebSocket or SSE): generic over a
//! `Sink<Outbound>` and a `Stream<Inbound>`, so it is unit-tested with channels.
//!
//! The life of a connection: `hello`; the replay when resuming (`since`); then live frames
//! from the hub queue (skipping any seq already sent), `ping` every `ping_interval`,
//! inbound frames (any of them is liveness; event frames are written), until one of:
//! silence for `idle_timeout` (close 4000), `max_duration` (`duration_limit`, close 4008),
//! a frame dropped while the socket was not taking writes (close 1011), server shutdown
//! (close 1001), the key being revoked or expiring (an `invalid_api_key` error frame,
//! then close 4001), or the subscriber leaving. A dropped frame while the socket was keeping up
//! (a burst larger than the queue) and a hub that fell behind the store are both recovered
//! from the store by seq, with the same replay as `since`.

use std::{future::Future, pin::pin, time::Duration};

use bytes::Bytes;
use futures::{
    future::BoxFuture,
    stream::{FusedStream, FuturesOrdered},
    Sink, SinkExt, Stream, StreamExt,
};
use serde_json::value::RawValue;
use tokio::{
    sync::watch,
    time::{Instant, MissedTickBehavior},
};

use super::{
    control,
    resume::Replay,
    write::{InboundFrame, Writes},
};
use crate::{
    error::ApiError,
    hub::{LiveFrame, Signal, Subscription},
};

/// Frames sent before one flush when the queue holds several.
const MAX_BATCH: usize = 64;
/// Replays of missed frames in a row before a subscriber counts as too slow.
const MAX_RECOVERIES: usize = 16;

/// What the connection sends.
#[derive(Debug, Clone, PartialEq)]
pub enum Outbound {
    /// An event frame with its seq.
    Event { seq: i64, frame: Bytes },
    /// A control frame (hello, ack, error, resume_gap, duration_limit), JSON.
    Control(Bytes),
    /// The heartbeat.
    Ping,
    /// The last thing sent.
    Close { code: u16, reason: &'static str },
}

/// What the connection receives.
#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    /// A text (or binary) message.
    Text(Bytes),
    /// Anything else that proves the subscriber is there (a WebSocket ping or pong).
    Alive,
}

/// Close codes.
pub mod close {
    pub const GOING_AWAY: u16 = 1001;
    pub const SLOW: u16 = 1011;
    pub const IDLE: u16 = 4000;
    pub const DURATION_LIMIT: u16 = 4008;
    pub const KEY_REVOKED: u16 = 4001;
}

/// The timings of a connection.
#[derive(Debug, Clone, Copy)]
pub struct Timings {
    pub ping_interval: Duration,
    /// `None`: the transport has no inbound frames (SSE).
    pub idle_timeout: Option<Duration>,
    pub max_duration: Duration,
    pub close_timeout: Duration,
    /// How long a waiting write may still take once the queue overflowed.
    pub slow_grace: Duration,
    pub write_in_flight: usize,
}

/// Where the connection starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// Replay every stored event after `since`, then continue live.
    Resume { since: i64 },
    /// Live from the subscription on: events after `floor`, the newest seq when it was made.
    Live { floor: i64 },
}

/// Everything one connection needs.
pub struct Session {
    pub sub: Subscription,
    pub replay: Replay,
    pub start: Start,
    pub timings: Timings,
    pub writes: Writes,
    /// Turns `true` when the subscriber's key is revoked or expires.
    pub revoked: watch::Receiver<bool>,
}

/// Why a connection ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// The subscriber left or the socket failed: nothing more can be sent.
    Gone,
    Slow,
    Idle,
    DurationLimit,
    Shutdown,
    Failed,
    KeyRevoked,
}

impl End {
    fn name(self) -> &'static str {
        match self {
            End::Gone => "gone",
            End::Slow => "slow",
            End::Idle => "idle",
            End::DurationLimit => "duration_limit",
            End::Shutdown => "shutdown",
            End::Failed => "failed",
            End::KeyRevoked => "key_revoked",
        }
    }

    fn close(self) -> Option<(u16, &'static str)> {
        match self {
            End::Gone | End::DurationLimit | End::KeyRevoked => None,
            End::Slow => Some((close::SLOW, "subscriber too slow")),
            End::Failed => Some((close::SLOW, "internal error")),
            End::Idle => Some((close::IDLE, "idle timeout")),
            End::Shutdown => Some((close::GOING_AWAY, "server shutting down")),
        }
    }
}

/// Runs the connection until it ends; sends the closing frames.
pub async fn run<O, I>(session: Session, out: O, inbound: I)
where
    O: Sink<Outbound> + Unpin,
    I: Stream<Item = Inbound> + Unpin,
{
    let timings = session.timings;
    let mut conn = Conn {
        session,
        out,
        cursor: 0,
        deadline: Instant::now() + timings.max_duration,
    };
    let end = conn.serve(inbound).await;
    metrics::counter!("clickwire_feed_disconnects_total", "reason" => end.name()).increment(1);
    // The slot is free (and no more frames are queued) before the goodbye is sent.
    let Conn {
        session, mut out, ..
    } = conn;
    drop(session);
    let out = &mut out;
    let closing = async {
        if end == End::DurationLimit {
            out.feed(Outbound::Control(control::duration_limit()))
                .await?;
            out.feed(Outbound::Close {
                code: close::DURATION_LIMIT,
                reason: "duration limit",
            })
            .await?;
        } else if end == End::KeyRevoked {
            out.feed(Outbound::Control(control::error(&ApiError::KeyRevoked)))
                .await?;
            out.feed(Outbound::Close {
                code: close::KEY_REVOKED,
                reason: "key revoked",
            })
            .await?;
        } else if let Some((code, reason)) = end.close() {
            out.feed(Outbound::Close { code, reason }).await?;
        }
        out.flush().await
    };
    let _ = tokio::time::timeout(timings.close_timeout, closing).await;
}

struct Conn<O> {
    session: Session,
    out: O,
    /// The seq of the last event sent or skipped: later frames with a seq ≤ it are skipped.
    cursor: i64,
    deadline: Instant,
}

/// How long a write may wait before the queue overflows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Live: until the duration limit.
    Live,
    /// Replaying: until the idle timeout (frames pile up meanwhile and are replayed).
    Replay,
}

impl<O: Sink<Outbound> + Unpin> Conn<O> {
    async fn serve<I>(&mut self, inbound: I) -> End
    where
        I: Stream<Item = Inbound> + Unpin,
    {
        let start_seq = match self.session.start {
            Start::Resume { since } => since,
            Start::Live { floor } => floor,
        };
        if let Err(end) = self.send_control(control::hello(start_seq)).await {
            return end;
        }
        let started = match self.session.start {
            Start::Resume { since } => self.resume(since).await,
            Start::Live { floor } => {
                self.cursor = floor;
                Ok(())
            }
        };
        match started {
            Ok(()) => self.live(inbound.fuse()).await,
            Err(end) => end,
        }
    }

    /// `resume_gap` when `since` is older than what the store holds, then the replay.
    async fn resume(&mut self, since: i64) -> Result<(), End> {
        self.cursor = since;
        if since > 0 {
            let oldest = self.session.replay.oldest().await.map_err(failed)?;
            if let Some(oldest) = oldest.filter(|&oldest| since < oldest) {
                self.send_control(control::resume_gap(since, oldest))
                    .await?;
            }
        }
        self.catch_up().await
    }

    /// Replays from the store after the cursor until a pass ends with nothing dropped.
    async fn catch_up(&mut self) -> Result<(), End> {
        for _ in 0..MAX_RECOVERIES {
            loop {
                let page = self
                    .session
                    .replay
                    .page(self.cursor)
                    .await
                    .map_err(failed)?;
                for frame in page.frames {
                    self.feed(
                        Outbound::Event {
                            seq: frame.seq,
                            frame: frame.frame,
                        },
                        Mode::Replay,
                    )
                    .await?;
                }
                self.flush(Mode::Replay).await?;
                self.cursor = page.last.unwrap_or(self.cursor).max(self.cursor);
                if !page.more {
                    break;
                }
            }
            let signal = self.session.sub.signal();
            let dropped = signal.take_overflow();
            let missed = signal.take_gap();
            if !dropped && !missed {
                return Ok(());
            }
            // Everything queued is in the store too: read it from there.
            self.session.sub.discard_queued();
        }
        Err(End::Slow)
    }

    async fn live<I>(&mut self, mut inbound: I) -> End
    where
        I: Stream<Item = Inbound> + FusedStream + Unpin,
    {
        let timings = self.session.timings;
        let deadline = self.deadline;
        let signal = self.session.sub.signal_handle();
        let start = Instant::now();
        let mut ping =
            tokio::time::interval_at(start + timings.ping_interval, timings.ping_interval);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let idle_limit = timings.idle_timeout.unwrap_or(timings.max_duration);
        let mut idle = pin!(tokio::time::sleep(idle_limit));
        let mut writes: FuturesOrdered<BoxFuture<'static, Bytes>> = FuturesOrdered::new();
        let mut revoked = self.session.revoked.clone();
        loop {
            if signal.pending() {
                if let Err(end) = self.recover().await {
                    return end;
                }
            }
            let reading = writes.len() < timings.write_in_flight && !inbound.is_terminated();
            let step = tokio::select! {
                biased;
                () = tokio::time::sleep_until(deadline) => Err(End::DurationLimit),
                true = until_revoked(&mut revoked) => Err(End::KeyRevoked),
                () = &mut idle, if timings.idle_timeout.is_some() => Err(End::Idle),
                () = signal.woken() => Ok(()),
                frame = self.session.sub.recv() => match frame {
                    Some(frame) => self.send_frames(frame).await,
                    None => Err(End::Shutdown),
                },
                Some(reply) = writes.next() => self.send_control(reply).await,
                _ = ping.tick() => self.send(Outbound::Ping).await,
                message = inbound.next(), if reading => match message {
                    Some(message) => {
                        idle.as_mut().reset(Instant::now() + idle_limit);
                        self.receive(message, &mut writes).await
                    }
                    None => Err(End::Gone),
                },
            };
            if let Err(end) = step {
                return end;
            }
        }
    }

    /// Dropped frames (a burst larger than the queue while the socket kept up) and commits
    /// the hub missed are read back from the store.
    async fn recover(&mut self) -> Result<(), End> {
        let signal = self.session.sub.signal();
        let dropped = signal.take_overflow();
        let missed = signal.take_gap();
        if dropped || missed {
            metrics::counter!("clickwire_feed_recoveries_total").increment(1);
            self.session.sub.discard_queued();
            self.catch_up().await?;
        }
        Ok(())
    }

    /// Sends `first` and whatever else is queued (up to a batch), then flushes once.
    async fn send_frames(&mut self, first: LiveFrame) -> Result<(), End> {
        let mut next = Some(first);
        let mut sent = 0;
        while let Some(frame) = next.take() {
            if frame.seq > self.cursor {
                self.cursor = frame.seq;
                self.feed(
                    Outbound::Event {
                        seq: frame.seq,
                        frame: frame.frame,
                    },
                    Mode::Live,
                )
                .await?;
                sent += 1;
            }
            if sent < MAX_BATCH {
                next = self.session.sub.try_recv();
            }
        }
        self.flush(Mode::Live).await
    }

    /// Handles one inbound message: pings are answered, event frames written.
    async fn receive(
        &mut self,
        message: Inbound,
        writes: &mut FuturesOrdered<BoxFuture<'static, Bytes>>,
    ) -> Result<(), End> {
        let Inbound::Text(text) = message else {
            return Ok(());
        };
        let frame: InboundFrame<'_> = match serde_json::from_slice(&text) {
            Ok(frame) => frame,
            Err(err) => {
                let err = ApiError::InvalidJson(err.to_string());
                return self.send_control(control::error(&err)).await;
            }
        };
        match frame.kind {
            Some("pong") => Ok(()),
            Some("ping") => self.send_control(control::pong()).await,
            Some("event") => match &self.session.writes {
                Writes::Denied => {
                    self.send_control(control::error(&ApiError::WriteNotAllowed))
                        .await
                }
                Writes::Allowed(ingest) => {
                    let event = frame.event.map(RawValue::to_owned);
                    writes.push_back(Box::pin(ingest.clone().write(event)));
                    Ok(())
                }
            },
            _ => {
                let err = ApiError::InvalidRequest(
                    "a frame's type must be \"pong\", \"ping\" or \"event\"".into(),
                );
                self.send_control(control::error(&err)).await
            }
        }
    }

    async fn send_control(&mut self, frame: Bytes) -> Result<(), End> {
        self.send(Outbound::Control(frame)).await
    }

    async fn send(&mut self, item: Outbound) -> Result<(), End> {
        self.feed(item, Mode::Live).await?;
        self.flush(Mode::Live).await
    }

    async fn feed(&mut self, item: Outbound, mode: Mode) -> Result<(), End> {
        let Conn {
            out,
            session,
            deadline,
            ..
        } = self;
        guarded(out.feed(item), session, *deadline, mode).await
    }

    async fn flush(&mut self, mode: Mode) -> Result<(), End> {
        let Conn {
            out,
            session,
            deadline,
            ..
        } = self;
        guarded(out.flush(), session, *deadline, mode).await
    }
}

/// Waits for a write while watching the subscriber's queue. Until the queue overflows a
/// write may wait (live: up to the duration limit; replaying: up to the idle timeout);
/// once it has overflowed, every write has `slow_grace` to complete or the subscriber is
/// too slow. (A queue that overflowed while no write was waiting is caught up from the
/// store by the main loop instead.)
async fn guarded<F, E>(send: F, session: &Session, deadline: Instant, mode: Mode) -> Result<(), End>
where
    F: Future<Output = Result<(), E>>,
{
    let signal = session.sub.signal();
    let timings = &session.timings;
    let patience = timings.idle_timeout.unwrap_or(timings.max_duration);
    let (limit, late) = match mode {
        Mode::Live => (deadline, End::DurationLimit),
        Mode::Replay => (deadline.min(Instant::now() + patience), End::Slow),
    };
    let mut send = pin!(send);
    if !signal.is_overflowed() {
        tokio::select! {
            sent = &mut send => return sent.map_err(|_| End::Gone),
            () = overflowed(signal) => {}
            () = tokio::time::sleep_until(limit) => return Err(late),
        }
    }
    let grace = Instant::now() + timings.slow_grace;
    match tokio::time::timeout_at(grace.min(limit), &mut send).await {
        Ok(sent) => sent.map_err(|_| End::Gone),
        Err(_) if grace < limit => Err(End::Slow),
        Err(_) => Err(late),
    }
}

/// True once the key is revoked; false if the watch is gone (the server is stopping).
async fn until_revoked(revoked: &mut watch::Receiver<bool>) -> bool {
    revoked.wait_for(|revoked| *revoked).await.is_ok()
}

/// Resolves once a frame for this subscriber has been dropped.
async fn overflowed(signal: &Signal) {
    while !signal.is_overflowed() {
        signal.woken().await;
    }
}

fn failed(err: clickwire_store::StoreError) -> End {
    tracing::error!(error = %err, "feed replay failed");
    End::Failed
}

#[cfg(test)]
mod tests;
