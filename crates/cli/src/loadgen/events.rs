//! Realistic web events for the load generator, pre-serialised into a pool of request
//! bodies so that the generator spends its CPU on sending, not on building JSON.
//!
//! Every event is valid under the ClickStream event contract (`event-schema.txt`): a web
//! `clientPlatform`, an https `page.url`, a real browser user agent and a viewport. Each
//! visitor keeps one device, session and site for the whole run, as a real browser would,
//! so per-visitor scoring sees consistent input. Timestamps are written as a sentinel and
//! replaced with the wall clock when a body is sent (see [`Body::render`]).

use bytes::Bytes;
use rand::{rngs::StdRng, Rng, SeedableRng};
use serde_json::{json, Value};

use super::catalog::{
    DeviceProfile, Site, CONNECTIONS, CUSTOM, DEVICES, ELEMENTS, FORMS, FORM_ACTIONS, LOCALES,
    REFERRERS, SITES,
};

/// Written in place of every timestamp; 13 digits, like every epoch-ms value until 2286,
/// so the current time can be spliced in without moving any other byte.
const TS_SENTINEL: u64 = 1_111_111_111_111;
const TS_DIGITS: usize = 13;

/// Written in place of every pipeline `messageId` (`mid_` and 20 digits), replaced with a
/// process-wide counter when a body is sent so that no two messages repeat an id (the
/// server would drop a repeat as a duplicate).
pub(super) const ID_SENTINEL: &str = "mid_00000000000000000000";
const ID_DIGITS: usize = 20;

/// The next message id number: the start time in ms with six digits of counter, so runs
/// one after another against the same server never reuse an id.
static NEXT_ID: std::sync::LazyLock<std::sync::atomic::AtomicU64> =
    std::sync::LazyLock::new(|| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        std::sync::atomic::AtomicU64::new(now.saturating_mul(1_000_000))
    });

/// Fixed seed: two runs of the benchmark send the same events.
pub(super) const SEED: u64 = 0x636c_6963_6b77_6972;

/// One pre-serialised request body and where its timestamps sit.
pub struct Body {
    bytes: Vec<u8>,
    /// Offsets of the first digit of each timestamp value in `bytes`.
    ts_offsets: Vec<usize>,
    /// Offsets of the first digit of each message id in `bytes`.
    id_offsets: Vec<usize>,
    /// Events carried by this body (1 for a single event object).
    pub events: u32,
}

impl Body {
    pub(super) fn new(bytes: Vec<u8>, events: u32) -> Self {
        let ts_offsets = find_timestamps(&bytes);
        let id_offsets = find_ids(&bytes);
        Self {
            bytes,
            ts_offsets,
            id_offsets,
            events,
        }
    }

    /// Size of the body on the wire.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// A copy of the body with every timestamp set to `now` (13 ASCII digits) and every
    /// message id made new.
    pub fn render(&self, now: &[u8; TS_DIGITS]) -> Bytes {
        let mut out = self.bytes.clone();
        for &at in &self.ts_offsets {
            out[at..at + TS_DIGITS].copy_from_slice(now);
        }
        for &at in &self.id_offsets {
            let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let digits = format!("{id:0ID_DIGITS$}");
            out[at..at + ID_DIGITS].copy_from_slice(&digits.as_bytes()[..ID_DIGITS]);
        }
        Bytes::from(out)
    }
}

/// The current wall-clock time in ms as the 13 digits spliced into bodies, or `None`
/// once epoch-ms no longer has 13 digits.
pub fn now_digits(now_ms: u64) -> Option<[u8; TS_DIGITS]> {
    let text = now_ms.to_string();
    text.as_bytes().try_into().ok()
}

/// Offsets of every timestamp value, found as `:<sentinel>` so a sentinel-like run of
/// digits inside a string can never match.
fn find_timestamps(bytes: &[u8]) -> Vec<usize> {
    let needle = format!(":{TS_SENTINEL}");
    let needle = needle.as_bytes();
    bytes
        .windows(needle.len())
        .enumerate()
        .filter(|(_, window)| *window == needle)
        .map(|(at, _)| at + 1)
        .collect()
}

/// Offsets of the digits of every message id sentinel (inside its quotes).
fn find_ids(bytes: &[u8]) -> Vec<usize> {
    let needle = format!("\"{ID_SENTINEL}\"");
    let needle = needle.as_bytes();
    bytes
        .windows(needle.len())
        .enumerate()
        .filter(|(_, window)| *window == needle)
        .map(|(at, _)| at + 1 + ID_SENTINEL.len() - ID_DIGITS)
        .collect()
}

/// Builds `bodies` request bodies of `batch` events each from `visitors` visitors.
/// A batch of 1 is a bare event object; larger batches are `{"events":[…]}`.
pub fn build_pool(bodies: usize, batch: u32, visitors: u32) -> anyhow::Result<Vec<Body>> {
    let mut rng = StdRng::seed_from_u64(SEED);
    let population: Vec<Visitor> = (0..visitors).map(|_| Visitor::new(&mut rng)).collect();
    let mut pool = Vec::with_capacity(bodies);
    for _ in 0..bodies {
        let events: Vec<Value> = (0..batch)
            .map(|_| {
                let visitor = &population[rng.random_range(0..population.len())];
                random_event(&mut rng, visitor)
            })
            .collect();
        pool.push(Body::new(serialise(events)?, batch));
    }
    Ok(pool)
}

/// Single events as JSON values, for writing straight into a store (`clickwire store
/// fill`): the visitors, devices and traffic mix of the request bodies, with the session
/// and the time chosen by the caller.
pub struct EventSource {
    rng: StdRng,
    population: Vec<Visitor>,
}

impl EventSource {
    /// `visitors` simulated browsers (at least one), drawn from the fixed seed; sources
    /// with the same `visitors` share them, and each `stream` draws other events.
    pub fn new(visitors: u32, stream: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(SEED);
        let population = (0..visitors.max(1))
            .map(|_| Visitor::new(&mut rng))
            .collect();
        let rng = StdRng::seed_from_u64(SEED ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        Self { rng, population }
    }

    /// How many visitors there are.
    pub fn visitors(&self) -> usize {
        self.population.len()
    }

    /// One event of visitor number `visitor` in session `session_id`, at `timestamp` ms.
    pub fn event(&mut self, visitor: usize, session_id: &str, timestamp: i64) -> Value {
        let visitor = &self.population[visitor % self.population.len()];
        let mut event = random_event(&mut self.rng, visitor);
        event["sessionId"] = json!(session_id);
        event["timestamp"] = json!(timestamp);
        if event.get("submitted_at").is_some() {
            event["submitted_at"] = json!(timestamp);
        }
        event
    }
}

fn serialise(mut events: Vec<Value>) -> anyhow::Result<Vec<u8>> {
    let value = match events.len() {
        1 => events.remove(0),
        _ => json!({ "events": events }),
    };
    Ok(serde_json::to_vec(&value)?)
}

/// One simulated browser: stable ids, device, locale and site for the whole run.
pub(super) struct Visitor {
    visitor_id: String,
    session_id: String,
    fingerprint: String,
    confidence: u32,
    device: &'static DeviceProfile,
    site: &'static Site,
    locale: (&'static str, &'static str),
    connection: &'static str,
}

impl Visitor {
    pub(super) fn new(rng: &mut StdRng) -> Self {
        Self {
            visitor_id: format!("vis_{:016x}", rng.random::<u64>()),
            session_id: format!("sess_{:016x}", rng.random::<u64>()),
            fingerprint: format!("fp_{:016x}", rng.random::<u64>()),
            confidence: rng.random_range(55..=98),
            device: pick(rng, DEVICES),
            site: pick(rng, SITES),
            locale: *pick(rng, LOCALES),
            connection: *pick(rng, CONNECTIONS),
        }
    }
}

/// A uniformly chosen element of a non-empty constant table.
fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// One event with the traffic mix of a typical site: mostly pageviews and clicks.
pub(super) fn random_event(rng: &mut StdRng, visitor: &Visitor) -> Value {
    let mut event = envelope(rng, visitor);
    let extension = match rng.random_range(0..100) {
        0..30 => pageview(rng),
        30..60 => click(rng, visitor.device),
        60..80 => scroll(rng),
        80..90 => form(rng),
        _ => custom(rng),
    };
    if let (Some(event), Value::Object(extension)) = (event.as_object_mut(), extension) {
        event.extend(extension);
    }
    event
}

/// The common envelope every event type shares.
fn envelope(rng: &mut StdRng, visitor: &Visitor) -> Value {
    let (path, title) = *pick(rng, visitor.site.pages);
    let mut page = json!({
        "url": format!("{}{path}", visitor.site.origin),
        "path": path,
        "title": title,
    });
    // Direct traffic has no referrer; the rest arrive from search, social or the site.
    match rng.random_range(0..10) {
        0..3 => {}
        3..6 => page["referrer"] = json!(pick(rng, REFERRERS)),
        _ => page["referrer"] = json!(format!("{}/", visitor.site.origin)),
    }
    json!({
        "visitorId": visitor.visitor_id,
        "sessionId": visitor.session_id,
        "timestamp": TS_SENTINEL,
        "page": page,
        "device": device(visitor),
        "consent": { "analytics": true },
    })
}

/// `device` as the browser SDK fills it for this visitor's browser and site settings.
fn device(visitor: &Visitor) -> Value {
    let profile = visitor.device;
    let mut device = json!({
        "userAgent": profile.user_agent,
        "viewport": { "width": profile.viewport.0, "height": profile.viewport.1 },
        "clientPlatform": "web",
        "language": visitor.locale.1,
    });
    if profile.mobile {
        device["connectionType"] = json!(visitor.connection);
    }
    if visitor.site.detailed {
        device["screen"] = json!({ "width": profile.screen.0, "height": profile.screen.1 });
        device["timezone"] = json!(visitor.locale.0);
        device["fingerprint"] = json!(visitor.fingerprint);
        device["fingerprintConfidence"] = json!(visitor.confidence);
        device["gpuVendor"] = json!(profile.gpu.0);
        device["gpuRenderer"] = json!(profile.gpu.1);
        device["pixelRatio"] = json!(profile.pixel_ratio);
        device["platform"] = json!(profile.platform);
    }
    device
}

fn pageview(rng: &mut StdRng) -> Value {
    let load = rng.random_range(400..3500);
    json!({
        "type": "pageview",
        "performance": {
            "loadTime": load,
            "domContentLoaded": load * 3 / 5,
            "firstContentfulPaint": load * 2 / 5,
        },
    })
}

fn click(rng: &mut StdRng, device: &DeviceProfile) -> Value {
    let (selector, text) = *pick(rng, ELEMENTS);
    let (width, height) = device.viewport;
    let doc_height = height * rng.random_range(2..6);
    let x = rng.random_range(0..width);
    let y = rng.random_range(0..height);
    let page_y = y + rng.random_range(0..doc_height - height);
    json!({
        "type": "click",
        "element": {
            "selector": selector,
            "text": text,
            "x": x,
            "y": y,
            "pageY": page_y,
            "normX": round3(f64::from(x) / f64::from(width)),
            "normY": round3(f64::from(page_y) / f64::from(doc_height)),
            "docHeight": doc_height,
        },
    })
}

fn scroll(rng: &mut StdRng) -> Value {
    json!({
        "type": "scroll",
        "depth": *pick(rng, &[10, 25, 50, 75, 100]),
        "timeOnPage": rng.random_range(1_000..120_000),
    })
}

fn form(rng: &mut StdRng) -> Value {
    let (form_id, fields, raw_fields) = *pick(rng, FORMS);
    let action = *pick(rng, FORM_ACTIONS);
    let mut form = json!({
        "type": "form",
        "action": action,
        "formId": form_id,
        "fieldCount": fields,
        "formSelector": format!("form#{form_id}"),
        "raw_fields": raw_fields,
        "detected_email": true,
        "completion_rate": rng.random_range(0..=100),
    });
    if action == "submit" {
        form["completion_rate"] = json!(100);
        form["form_submission_id"] = json!(uuid_like(rng));
        form["submitted_at"] = json!(TS_SENTINEL);
    }
    form
}

fn custom(rng: &mut StdRng) -> Value {
    let (name, category, action, label) = *pick(rng, CUSTOM);
    json!({
        "type": "custom",
        "name": name,
        "category": category,
        "action": action,
        "label": label,
        "value": rng.random_range(0..500),
    })
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

fn uuid_like(rng: &mut StdRng) -> String {
    let n: u128 = rng.random();
    let hex = format!("{n:032x}");
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_timestamp_is_replaced_when_a_body_is_rendered() -> anyhow::Result<()> {
        let pool = build_pool(40, 25, 100)?;
        let now = now_digits(1_713_797_640_000).ok_or_else(|| anyhow::anyhow!("digits"))?;
        for body in &pool {
            let rendered = body.render(&now);
            let text = std::str::from_utf8(&rendered)?;
            assert!(!text.contains(&TS_SENTINEL.to_string()));
            let value: Value = serde_json::from_slice(&rendered)?;
            let events = value["events"].as_array().map(Vec::len);
            assert_eq!(events, Some(25));
            assert_eq!(value["events"][0]["timestamp"], json!(1_713_797_640_000u64));
        }
        Ok(())
    }

    #[test]
    fn single_events_are_bare_web_objects_of_realistic_size() -> anyhow::Result<()> {
        let pool = build_pool(500, 1, 1000)?;
        let mean = pool.iter().map(Body::len).sum::<usize>() / pool.len();
        assert!((600..=800).contains(&mean), "mean event size {mean}");
        for body in &pool {
            let value: Value = serde_json::from_slice(&body.bytes)?;
            assert_eq!(value["device"]["clientPlatform"], "web");
            let url = value["page"]["url"].as_str().unwrap_or_default();
            assert!(url.starts_with("https://"), "{url}");
        }
        Ok(())
    }
}
