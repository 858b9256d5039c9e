//! The whole per-event labelling cost as ingest pays it: the user agent from the warm cache
//! (`UaParser::parse`) plus `observe` on a session under way — the issue's "enrich + score
//! per event with a warm UA cache" (aim ≤ 5 µs median).
//!
//! Run: `cargo bench -p clickwire-enrich --bench label`.

use std::hint::black_box;

use clickwire_enrich::{
    score::{observe, Observation, ScoringConfig, VisitorState},
    ua::UaParser,
    KeyPosture,
};
use clickwire_model::{parse_events, Event, ValidateContext};
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;

const T0: i64 = 1_713_797_640_000;
const CHROME: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 \
                      (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";

/// Events of one visitor's session, prepared up front so the loop measures labelling only.
const EVENTS: usize = 20_000;

/// Pageview / scroll / click cycles of one visitor, with irregular gaps.
fn session() -> Vec<Event> {
    let kinds = ["pageview", "scroll", "click", "scroll", "pageview"];
    let mut clock = T0;
    (0..EVENTS)
        .map(|i| {
            let kind = kinds[i % kinds.len()];
            clock += 1_300 + (i % 7) as i64 * 450;
            let mut event = json!({
                "type": kind, "visitorId": "vis_bench", "sessionId": "sess_bench",
                "timestamp": clock,
                "page": { "url": "https://example.com/pricing", "path": "/pricing", "title": "Pricing" },
                "device": { "userAgent": CHROME, "viewport": { "width": 1280, "height": 800 } },
                "depth": 25 * (i % 4 + 1), "timeOnPage": 1_000 * (i % 60),
                "element": { "selector": "#buy", "text": "Buy", "x": 10 + i, "y": 20 }
            });
            if kind != "scroll" {
                event.as_object_mut().map(|o| o.remove("depth"));
            }
            let body = serde_json::to_vec(&event).expect("json");
            let ctx = ValidateContext { now_ms: clock };
            parse_events(&body, ctx).expect("valid").remove(0)
        })
        .collect()
}

fn label(c: &mut Criterion) {
    let parser = UaParser::new(1_024).expect("vendored data compiles");
    let config = ScoringConfig::default();
    let events = session();
    let mut state = VisitorState::default();
    let mut step = 0_usize;
    c.bench_function("label/warm_ua_and_score", |b| {
        b.iter(|| {
            let event = &events[step % EVENTS];
            step += 1;
            if step.is_multiple_of(EVENTS) {
                state = VisitorState::default();
            }
            let ua = parser.parse(&event.device.user_agent);
            let observation = Observation {
                event,
                ua: &ua,
                posture: KeyPosture::Browser,
            };
            black_box(observe(&config, &mut state, &observation))
        })
    });
}

criterion_group!(benches, label);
criterion_main!(benches);
