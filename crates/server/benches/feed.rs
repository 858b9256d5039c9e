//! The hub's per-event costs: putting the position in front of a frame body (once per
//! event), the fan-out of one 25-event commit to ten feed subscribers with and without
//! filters (parsing each frame once per commit when any subscriber filters) and to ten
//! dashboard sockets, evaluating a filter, and rebuilding a frame from a stored event
//! (replay).

use std::sync::{Arc, RwLock};

use bytes::Bytes;
use clickwire_server::{
    config::FeedConfig,
    feed::{filter::Filter, frame::with_position},
    hub::{Hub, Interest},
    stream::channel::{Channel, Channels},
};
use clickwire_store::{Committed, CommittedEvent, Live};
use criterion::{criterion_group, criterion_main, Criterion};

const BODY: &str = r#"{"type":"event","ts":1713797640000,"visitorId":"vis_3f9a0c1d2e","sessionId":"sess_2b1e9f8a7c","eventType":"click","page":"/pricing","bot":{"isBot":false,"score":8},"behavioralClass":"human","device":{"type":"desktop","browser":"Chrome","os":"macOS","isMobile":false},"scores":{"intent":82,"frustration":15,"engagement":67,"value":44,"churn":12,"abandonment":18,"conversionReadiness":55,"sessionMomentum":0.42,"confusion":9,"emotionalState":"positive","decisionStage":"consideration"},"hasIdentified":false}"#;
const FILTER: &str = "behavioralClass:human,scores.intent>=70,bot.isBot=false,eventType:click|form";

fn commit() -> Committed {
    Committed {
        tenant: Arc::from("t"),
        source: None,
        events: (1..=25)
            .map(|seq| CommittedEvent {
                seq,
                id: format!("evt_01HW{seq:022}"),
                received_at: 1_713_797_640_000,
                live: Live {
                    method: "POST".into(),
                    feed: Some(Bytes::from_static(BODY.as_bytes())),
                    capture: None,
                },
            })
            .collect(),
    }
}

fn fan_out(c: &mut Criterion, name: &str, filtered: usize) {
    let config = FeedConfig {
        subscriber_queue: 64,
        ..FeedConfig::default()
    };
    let hub = Arc::new(Hub::new(&config));
    let filter = Arc::new(Filter::parse(FILTER).expect("filter"));
    let mut subs: Vec<_> = (0..10)
        .map(|i| {
            let filter = (i < filtered).then(|| Arc::clone(&filter));
            hub.subscribe("t", filter).expect("slot")
        })
        .collect();
    let committed = commit();
    c.bench_function(name, |b| {
        b.iter(|| {
            hub.publish(&committed);
            for sub in &mut subs {
                sub.discard_queued();
            }
        })
    });
}

/// 25 events of one source to 10 dashboard sockets subscribed to `events` and the source's
/// channel (two frames per event and socket, each built once per event).
fn dashboard_fan_out(c: &mut Criterion) {
    let hub = Arc::new(Hub::new(&FeedConfig {
        subscriber_queue: 64,
        ..FeedConfig::default()
    }));
    let mut subs: Vec<_> = (0..10)
        .map(|_| {
            let mut channels = Channels::default();
            channels.add(Channel::Events);
            channels.add(Channel::SourceEvents("src_1".into()));
            let interest = Interest::Dashboard(Arc::new(RwLock::new(channels)));
            hub.register("t", interest, 10).expect("slot")
        })
        .collect();
    let mut committed = commit();
    committed.source = Some(Arc::from("src_1"));
    c.bench_function("fan-out 25 events to 10 dashboards, 2 channels", |b| {
        b.iter(|| {
            hub.publish(&committed);
            for sub in &mut subs {
                sub.discard_queued();
            }
        })
    });
}

fn benches(c: &mut Criterion) {
    c.bench_function("with_position (one frame)", |b| {
        b.iter(|| with_position("evt_01HW0000000000000000000001", 42, BODY.as_bytes()))
    });
    let filter = Filter::parse(FILTER).expect("filter");
    let frame = with_position("evt_1", 1, BODY.as_bytes());
    c.bench_function("parse frame + match filter", |b| {
        b.iter(|| {
            let value: serde_json::Value = serde_json::from_slice(&frame).expect("json");
            filter.matches(&value)
        })
    });
    let value: serde_json::Value = serde_json::from_slice(&frame).expect("json");
    c.bench_function("match filter (parsed)", |b| {
        b.iter(|| filter.matches(&value))
    });
    fan_out(c, "fan-out 25 events to 10 subscribers, no filter", 0);
    fan_out(c, "fan-out 25 events to 10 subscribers, 1 filtered", 1);
    fan_out(c, "fan-out 25 events to 10 subscribers, 10 filtered", 10);
    dashboard_fan_out(c);
}

criterion_group!(feed, benches);
criterion_main!(feed);
