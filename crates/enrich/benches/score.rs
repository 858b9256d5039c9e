//! `observe` on a warm visitor state: the per-event cost of scoring once a session is
//! under way. Each iteration observes the next event of a realistic session template
//! with its timestamp moved forward by a varying gap, so the state keeps evolving
//! (decays, rings, timing) exactly as in production and the session never idles out.
//!
//! Run: `cargo bench -p clickwire-enrich --bench score`; the median is in
//! `target/criterion/<bench>/new/estimates.json` (`median.point_estimate`, ns).

use std::{hint::black_box, sync::Arc};

use clickwire_enrich::{
    bots::BotMatch,
    score::{observe, Observation, ScoringConfig, VisitorState},
    ua::UserAgentInfo,
    BotCategory, DeviceSummary, DeviceType, KeyPosture,
};
use clickwire_model::{parse_events, Event, ValidateContext};
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;

/// The contract's example timestamp.
const T0: i64 = 1_713_797_640_000;
/// Gaps between events, cycled: irregular, as a person's are.
const GAPS_MS: [i64; 7] = [800, 2_300, 5_100, 1_200, 9_700, 400, 3_300];
/// Events observed before measuring, so every ring is full.
const WARM_UP_EVENTS: usize = 200;

fn chrome() -> UserAgentInfo {
    UserAgentInfo {
        device: DeviceSummary {
            device_type: DeviceType::Desktop,
            browser: "Chrome".to_owned(),
            os: "macOS".to_owned(),
            is_mobile: false,
        },
        headless: false,
        bot: None,
    }
}

fn crawler() -> UserAgentInfo {
    UserAgentInfo {
        bot: Some(Arc::new(BotMatch {
            name: "Googlebot".to_owned(),
            category: BotCategory::SearchCrawler,
            http_library: false,
        })),
        ..chrome()
    }
}

/// A session template: pageviews, scrolls, clicks, a form, a custom event.
fn template() -> Vec<Event> {
    let base = |kind: &str, path: &str| {
        json!({
            "type": kind, "visitorId": "vis_bench", "sessionId": "sess_bench", "timestamp": T0,
            "page": { "url": format!("https://example.com{path}"), "path": path, "title": "T" },
            "device": { "userAgent": "Mozilla/5.0 Chrome/124.0", "viewport": { "width": 1280, "height": 800 } }
        })
    };
    let mut events = vec![
        base("pageview", "/"),
        base("pageview", "/pricing"),
        base("pageview", "/docs/getting-started"),
    ];
    for (i, depth) in [25, 50, 75].into_iter().enumerate() {
        let mut e = base("scroll", "/docs/getting-started");
        e["depth"] = json!(depth);
        e["timeOnPage"] = json!(i * 4_000);
        events.push(e);
    }
    for x in [120.0, 640.0] {
        let mut e = base("click", "/pricing");
        e["element"] = json!({ "selector": "button.cta", "text": "Start", "x": x, "y": 300.0 });
        events.push(e);
    }
    let mut focus = base("form", "/demo");
    focus["action"] = json!("focus");
    focus["formId"] = json!("demo");
    focus["fieldCount"] = json!(4);
    events.push(focus);
    let mut custom = base("custom", "/docs");
    custom["name"] = json!("docs_filter_changed");
    events.push(custom);
    let body = json!({ "events": events }).to_string();
    parse_events(body.as_bytes(), ValidateContext { now_ms: T0 }).expect("valid template")
}

/// Observes the template's events cyclically with a moving clock.
struct Session {
    events: Vec<Event>,
    next: usize,
    clock: i64,
    state: VisitorState,
}

impl Session {
    fn new() -> Self {
        Self {
            events: template(),
            next: 0,
            clock: T0,
            state: VisitorState::default(),
        }
    }

    fn step(&mut self, config: &ScoringConfig, ua: &UserAgentInfo) -> clickwire_enrich::Labels {
        let n = self.next;
        self.next += 1;
        self.clock += GAPS_MS[n % GAPS_MS.len()];
        let len = self.events.len();
        let event = &mut self.events[n % len];
        event.timestamp = self.clock;
        let obs = Observation {
            event,
            ua,
            posture: KeyPosture::Browser,
        };
        observe(config, &mut self.state, &obs)
    }
}

fn warm_observe(c: &mut Criterion) {
    let config = ScoringConfig::default();
    for (name, ua) in [("human", chrome()), ("crawler", crawler())] {
        let mut session = Session::new();
        for _ in 0..WARM_UP_EVENTS {
            session.step(&config, &ua);
        }
        c.bench_function(&format!("observe/warm_{name}"), |b| {
            b.iter(|| black_box(session.step(&config, &ua)))
        });
    }
}

criterion_group!(benches, warm_observe);
criterion_main!(benches);
