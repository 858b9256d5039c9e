//! The connection loop over channels, with paused time.

use std::sync::Arc;

use clickwire_store::{memory::MemoryEventStore, Committed, CommittedEvent, Live, MemoryBus};
use futures::channel::mpsc;

use super::*;
use crate::{config::FeedConfig, hub::Hub};

const SECOND: Duration = Duration::from_secs(1);

fn timings() -> Timings {
    Timings {
        ping_interval: 30 * SECOND,
        idle_timeout: Some(60 * SECOND),
        max_duration: 3600 * SECOND,
        close_timeout: 5 * SECOND,
        slow_grace: SECOND,
        write_in_flight: 4,
    }
}

struct Harness {
    hub: Arc<Hub>,
    out: mpsc::Receiver<Outbound>,
    inbound: mpsc::Sender<Inbound>,
    /// Set to `true` to revoke the subscriber's key.
    revoke: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

/// A connection over channels: `out` buffers `sink_buffer` items before sends wait.
fn connect(timings: Timings, queue: usize, sink_buffer: usize) -> Harness {
    let config = FeedConfig {
        subscriber_queue: queue,
        ..FeedConfig::default()
    };
    let hub = Arc::new(Hub::new(&config));
    let (revoke, revoked) = watch::channel(false);
    let session = Session {
        sub: hub.subscribe("t", None).expect("slot"),
        replay: Replay {
            // Empty: these tests never replay.
            store: Arc::new(MemoryEventStore::new(1, Arc::new(MemoryBus::default()))),
            tenant: "t".into(),
            filter: None,
            page: 100,
        },
        start: Start::Live { floor: 0 },
        timings,
        writes: Writes::Denied,
        revoked,
    };
    let (out_tx, out) = mpsc::channel(sink_buffer);
    let (inbound, inbound_rx) = mpsc::channel(8);
    let task = tokio::spawn(run(session, out_tx, inbound_rx));
    Harness {
        hub,
        out,
        inbound,
        revoke,
        task,
    }
}

fn publish(hub: &Hub, seqs: std::ops::RangeInclusive<i64>) {
    hub.publish(&Committed {
        tenant: Arc::from("t"),
        source: None,
        events: seqs
            .map(|seq| CommittedEvent {
                seq,
                id: format!("evt_{seq}"),
                received_at: 0,
                live: Live {
                    method: "POST".into(),
                    feed: Some(Bytes::from_static(br#"{"type":"event"}"#)),
                    capture: None,
                },
            })
            .collect(),
    });
}

async fn next(h: &mut Harness) -> Outbound {
    h.out.next().await.expect("an item")
}

fn control_type(item: &Outbound) -> String {
    let Outbound::Control(bytes) = item else {
        panic!("expected a control frame, got {item:?}");
    };
    let value: serde_json::Value = serde_json::from_slice(bytes).expect("json");
    value["type"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test(start_paused = true)]
async fn hello_comes_first_then_a_ping_every_interval() {
    let mut h = connect(timings(), 8, 8);
    assert_eq!(control_type(&next(&mut h).await), "hello");
    let before = Instant::now();
    assert_eq!(next(&mut h).await, Outbound::Ping);
    assert_eq!(before.elapsed(), 30 * SECOND);
    h.inbound.try_send(Inbound::Alive).expect("pong");
    assert_eq!(next(&mut h).await, Outbound::Ping);
    assert_eq!(before.elapsed(), 60 * SECOND);
}

#[tokio::test(start_paused = true)]
async fn a_silent_subscriber_is_dropped_after_the_idle_timeout() {
    let mut h = connect(timings(), 8, 8);
    let start = Instant::now();
    next(&mut h).await; // hello
                        // Anything inbound counts: here a pong text frame at 50 s.
    tokio::time::sleep(50 * SECOND).await;
    h.inbound
        .try_send(Inbound::Text(Bytes::from_static(br#"{"type":"pong"}"#)))
        .expect("pong");
    loop {
        match next(&mut h).await {
            Outbound::Ping => continue,
            Outbound::Close { code, .. } => {
                assert_eq!(code, close::IDLE);
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(start.elapsed(), 110 * SECOND, "60 s after the last frame");
    h.task.await.expect("ended");
}

#[tokio::test(start_paused = true)]
async fn the_duration_limit_sends_its_frame_then_closes_4008() {
    let limits = Timings {
        max_duration: 90 * SECOND,
        idle_timeout: None,
        ..timings()
    };
    let mut h = connect(limits, 8, 8);
    let start = Instant::now();
    let mut last = next(&mut h).await;
    while last == Outbound::Ping || control_type(&last) == "hello" {
        last = next(&mut h).await;
    }
    assert_eq!(control_type(&last), "duration_limit");
    assert_eq!(start.elapsed(), 90 * SECOND);
    assert!(matches!(
        next(&mut h).await,
        Outbound::Close {
            code: close::DURATION_LIMIT,
            ..
        }
    ));
}

#[tokio::test(start_paused = true)]
async fn live_frames_arrive_in_order_and_a_seq_already_sent_is_skipped() {
    let mut h = connect(timings(), 8, 8);
    next(&mut h).await; // hello
    publish(&h.hub, 1..=3);
    publish(&h.hub, 2..=4);
    let mut seqs = Vec::new();
    while seqs.len() < 4 {
        if let Outbound::Event { seq, .. } = next(&mut h).await {
            seqs.push(seq);
        }
    }
    assert_eq!(seqs, [1, 2, 3, 4]);
}

#[tokio::test(start_paused = true)]
async fn a_subscriber_that_stops_reading_is_closed_1011_without_blocking_the_hub() {
    let mut h = connect(timings(), 2, 1);
    next(&mut h).await; // hello
                        // Nobody reads `out`: the sink fills, then the queue, then frames are dropped.
    for seq in 1..=20 {
        publish(&h.hub, seq..=seq);
        tokio::task::yield_now().await;
    }
    // Still not reading when the grace after the overflow runs out.
    tokio::time::sleep(2 * SECOND).await;
    let mut last = None;
    while let Some(item) = h.out.next().await {
        last = Some(item);
    }
    assert!(
        matches!(
            last,
            Some(Outbound::Close {
                code: close::SLOW,
                ..
            })
        ),
        "{last:?}"
    );
    assert_eq!(h.hub.subscribers("t"), 0, "the slot is free again");
}

#[tokio::test(start_paused = true)]
async fn scale_tier_writes_are_refused_and_the_connection_stays_open() {
    let mut h = connect(timings(), 8, 8);
    next(&mut h).await; // hello
    let frame = br#"{"type":"event","event":{"type":"pageview"}}"#;
    h.inbound
        .try_send(Inbound::Text(Bytes::from_static(frame)))
        .expect("frame");
    let Outbound::Control(reply) = next(&mut h).await else {
        panic!("expected an error frame");
    };
    let reply: serde_json::Value = serde_json::from_slice(&reply).expect("json");
    assert_eq!(reply["error"], "write_not_allowed");
    publish(&h.hub, 1..=1);
    assert!(matches!(next(&mut h).await, Outbound::Event { seq: 1, .. }));
}

#[tokio::test(start_paused = true)]
async fn shutdown_closes_with_1001() {
    let mut h = connect(timings(), 8, 8);
    next(&mut h).await; // hello
    h.hub.close_all();
    assert!(matches!(
        next(&mut h).await,
        Outbound::Close {
            code: close::GOING_AWAY,
            ..
        }
    ));
}

#[tokio::test(start_paused = true)]
async fn a_revoked_key_gets_an_error_frame_then_close_4001() {
    let mut h = connect(timings(), 8, 8);
    assert_eq!(control_type(&next(&mut h).await), "hello");
    h.revoke.send_replace(true);
    let Outbound::Control(error) = next(&mut h).await else {
        panic!("expected the error frame");
    };
    let error: serde_json::Value = serde_json::from_slice(&error).expect("json");
    assert_eq!(error["error"], "invalid_api_key");
    assert_eq!(
        next(&mut h).await,
        Outbound::Close {
            code: close::KEY_REVOKED,
            reason: "key revoked"
        }
    );
}
