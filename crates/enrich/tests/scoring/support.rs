//! Builders shared by the scoring tests: events as JSON parsed by the model crate,
//! hand-built user-agent facts, and a visitor that observes events in order.

use std::sync::Arc;

use clickwire_enrich::{
    bots::BotMatch,
    score::{observe, Observation, ScoringConfig, VisitorState},
    ua::UserAgentInfo,
    BotCategory, DeviceSummary, DeviceType, KeyPosture, Labels,
};
use clickwire_model::{parse_events, Event, ValidateContext};
use serde_json::{json, Value};

/// 2024-04-22T14:54:00Z, the contract's example timestamp.
pub const T0: i64 = 1_713_797_640_000;
/// One second in milliseconds.
pub const SECOND: i64 = 1_000;
/// One minute in milliseconds.
pub const MINUTE: i64 = 60 * SECOND;

fn device(browser: &str, os: &str) -> DeviceSummary {
    DeviceSummary {
        device_type: DeviceType::Desktop,
        browser: browser.to_owned(),
        os: os.to_owned(),
        is_mobile: false,
    }
}

/// Desktop Chrome on macOS, no bot match.
pub fn chrome() -> UserAgentInfo {
    UserAgentInfo {
        device: device("Chrome", "macOS"),
        headless: false,
        bot: None,
    }
}

/// HeadlessChrome: a named browser with headless markers.
pub fn headless_chrome() -> UserAgentInfo {
    UserAgentInfo {
        headless: true,
        ..chrome()
    }
}

/// A user agent in the bot registry.
pub fn registry_bot(name: &str, category: BotCategory, http_library: bool) -> UserAgentInfo {
    UserAgentInfo {
        device: device("Other", "Other"),
        headless: false,
        bot: Some(Arc::new(BotMatch {
            name: name.to_owned(),
            category,
            http_library,
        })),
    }
}

/// curl: an HTTP library.
pub fn curl() -> UserAgentInfo {
    registry_bot("curl", BotCategory::Scraper, true)
}

/// Parses one event object the way `POST /v1/events` does, with the server clock at the
/// event's own time (so no skew correction).
pub fn parse(event: Value) -> Event {
    let at = event["timestamp"].as_i64().expect("timestamp is set");
    let body = event.to_string();
    let mut events =
        parse_events(body.as_bytes(), ValidateContext { now_ms: at }).expect("a valid event");
    events.pop().expect("one event")
}

/// The JSON of an event of `kind` in `session` at `at` on `path`, with `extra` fields.
pub fn json_event(kind: &str, session: &str, at: i64, path: &str, extra: Value) -> Value {
    let mut event = json!({
        "type": kind,
        "visitorId": "vis_test",
        "sessionId": session,
        "timestamp": at,
        "page": { "url": format!("https://example.com{path}"), "path": path, "title": "Page" },
        "device": {
            "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/124.0 Safari/537.36",
            "viewport": { "width": 1280, "height": 800 }
        }
    });
    if let (Some(target), Value::Object(fields)) = (event.as_object_mut(), extra) {
        target.extend(fields);
    }
    event
}

pub fn pageview(session: &str, at: i64, path: &str) -> Event {
    parse(json_event("pageview", session, at, path, json!({})))
}

pub fn click(session: &str, at: i64, path: &str, x: f64, y: f64) -> Event {
    let element = json!({ "element": { "selector": "button.cta", "text": "Go", "x": x, "y": y } });
    parse(json_event("click", session, at, path, element))
}

pub fn scroll(session: &str, at: i64, path: &str, depth: f64) -> Event {
    let fields = json!({ "depth": depth, "timeOnPage": 5_000 });
    parse(json_event("scroll", session, at, path, fields))
}

pub fn form(session: &str, at: i64, path: &str, action: &str, form_id: &str) -> Event {
    let fields = json!({ "action": action, "formId": form_id, "fieldCount": 3 });
    parse(json_event("form", session, at, path, fields))
}

pub fn identify(session: &str, at: i64, path: &str) -> Event {
    let fields = json!({ "hem": "a".repeat(64) });
    parse(json_event("identify", session, at, path, fields))
}

pub fn consent(session: &str, at: i64, path: &str) -> Event {
    parse(json_event(
        "_consent_transition",
        session,
        at,
        path,
        json!({}),
    ))
}

/// A pageview whose `device.automation` is `automation`.
pub fn automated_pageview(session: &str, at: i64, path: &str, automation: Value) -> Event {
    let mut event = json_event("pageview", session, at, path, json!({}));
    event["device"]["automation"] = automation;
    parse(event)
}

/// One visitor's user agent, key posture and scoring state.
pub struct Visitor {
    pub config: ScoringConfig,
    pub state: VisitorState,
    pub ua: UserAgentInfo,
    pub posture: KeyPosture,
}

impl Visitor {
    /// A visitor sending through a website key.
    pub fn browser(ua: UserAgentInfo) -> Self {
        Self::with_posture(ua, KeyPosture::Browser)
    }

    /// A visitor sending through a mobile or server key.
    pub fn native(ua: UserAgentInfo) -> Self {
        Self::with_posture(ua, KeyPosture::Native)
    }

    fn with_posture(ua: UserAgentInfo, posture: KeyPosture) -> Self {
        Self {
            config: ScoringConfig::default(),
            state: VisitorState::default(),
            ua,
            posture,
        }
    }

    /// Observes `event` and returns its labels.
    pub fn see(&mut self, event: &Event) -> Labels {
        let obs = Observation {
            event,
            ua: &self.ua,
            posture: self.posture,
        };
        observe(&self.config, &mut self.state, &obs)
    }

    /// Observes every event in order; returns every label.
    pub fn see_all(&mut self, events: &[Event]) -> Vec<Labels> {
        events.iter().map(|e| self.see(e)).collect()
    }
}

/// The scores of labels that must have them.
pub fn scores(labels: &Labels) -> &clickwire_enrich::Scores {
    labels.scores.as_ref().expect("a scored event")
}
