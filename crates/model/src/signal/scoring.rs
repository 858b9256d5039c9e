//! The scorer's view of a pipeline message: the ClickStream [`Event`] it amounts to. A page
//! or screen is a pageview, an identify an identify (its `hem` is the SHA-256 of
//! `traits.email` when there is one), track, group and alias are custom events named
//! after what they record. The browser context (`context.page`, `context.userAgent`,
//! `context.screen`, `context.locale`, `context.timezone`) becomes the page and device; a
//! message without a user agent was sent by a server library.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::MessageType;
use crate::{
    detail::EventDetail,
    device::{Device, Dimensions},
    event::{ClientPlatform, Event, EventType, Page},
    limits::MAX_USER_AGENT,
    validate::normalise::truncate_chars,
};

/// The event `map` (already validated) amounts to; its payload is left empty.
pub(super) fn event(
    map: &Map<String, Value>,
    kind: MessageType,
    anonymous_id: &Option<String>,
    user_id: &Option<String>,
    timestamp: i64,
    client_timestamp: i64,
) -> Option<Event> {
    let visitor_id = anonymous_id.as_ref().or(user_id.as_ref())?.clone();
    let context = map.get("context").and_then(Value::as_object);
    let session_id = context
        .and_then(|c| c.get("sessionId"))
        .and_then(super::check::id_text)
        .map_or_else(|| visitor_id.clone(), |id| id.into_owned());
    let (event_type, detail) = detail(map, kind);
    Some(Event {
        event_type,
        wire_type: kind.as_str(),
        user_id: user_id.clone(),
        visitor_id,
        session_id,
        timestamp,
        client_timestamp,
        page: page(map, kind, context),
        device: device(context),
        consent: None,
        detail,
        payload: Value::Null,
    })
}

fn str_at<'a>(map: Option<&'a Map<String, Value>>, key: &str) -> Option<&'a str> {
    map?.get(key)?.as_str()
}

fn detail(map: &Map<String, Value>, kind: MessageType) -> (EventType, EventDetail) {
    let properties = map.get("properties").and_then(Value::as_object);
    let custom = |name: &str| EventDetail::Custom {
        name: name.to_owned(),
        category: str_at(properties, "category").map(str::to_owned),
        action: None,
        label: str_at(properties, "label").map(str::to_owned),
        value: properties
            .and_then(|p| p.get("value").or_else(|| p.get("revenue")))
            .and_then(Value::as_f64),
    };
    match kind {
        MessageType::Page | MessageType::Screen => (
            EventType::Pageview,
            EventDetail::Pageview { performance: None },
        ),
        MessageType::Identify => {
            let traits = map.get("traits").and_then(Value::as_object);
            let hem = str_at(traits, "email")
                .map(|email| hex::encode(Sha256::digest(email.trim().to_lowercase())))
                .unwrap_or_default();
            let detail = EventDetail::Identify {
                hem,
                hem_md5: None,
                raw_email: None,
                raw_phone: None,
                identity: None,
            };
            (EventType::Identify, detail)
        }
        MessageType::Track => {
            let name = map.get("event").and_then(Value::as_str).unwrap_or_default();
            (EventType::Custom, custom(name))
        }
        MessageType::Group => (EventType::Custom, custom("group")),
        MessageType::Alias => (EventType::Custom, custom("alias")),
    }
}

/// The page: `context.page`, else (for a page call) its own properties; a screen's path is
/// its name.
fn page(map: &Map<String, Value>, kind: MessageType, context: Option<&Map<String, Value>>) -> Page {
    let from_context = context
        .and_then(|c| c.get("page"))
        .and_then(Value::as_object);
    let properties = map.get("properties").and_then(Value::as_object);
    let own = matches!(kind, MessageType::Page)
        .then_some(properties)
        .flatten();
    let pick = |key: &str| str_at(own, key).or_else(|| str_at(from_context, key));
    let url = pick("url").map(str::to_owned);
    let name = map.get("name").and_then(Value::as_str);
    let path = pick("path")
        .map(str::to_owned)
        .or_else(|| url.as_deref().and_then(path_of))
        .or_else(|| (kind == MessageType::Screen).then(|| name.unwrap_or_default().to_owned()))
        .unwrap_or_default();
    Page {
        url,
        path,
        title: pick("title").or(name).unwrap_or_default().to_owned(),
        referrer: pick("referrer").map(str::to_owned),
    }
}

fn path_of(url: &str) -> Option<String> {
    url::Url::parse(url).ok().map(|u| u.path().to_owned())
}

fn device(context: Option<&Map<String, Value>>) -> Device {
    let user_agent = str_at(context, "userAgent").unwrap_or_default();
    let screen = context
        .and_then(|c| c.get("screen"))
        .and_then(Value::as_object)
        .and_then(|s| {
            Some(Dimensions {
                width: s.get("width")?.as_f64()?,
                height: s.get("height")?.as_f64()?,
            })
        });
    let os = context
        .and_then(|c| c.get("os"))
        .and_then(Value::as_object)
        .and_then(|os| os.get("name"))
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase);
    let client_platform = match os.as_deref() {
        _ if user_agent.is_empty() => ClientPlatform::Server,
        Some("ios" | "ipados") => ClientPlatform::Ios,
        Some("android") => ClientPlatform::Android,
        _ => ClientPlatform::Web,
    };
    Device {
        user_agent: truncate_chars(user_agent, MAX_USER_AGENT).to_owned(),
        viewport: screen.unwrap_or(Dimensions {
            width: 0.0,
            height: 0.0,
        }),
        screen,
        client_platform,
        fingerprint: None,
        fingerprint_confidence: None,
        gpu_vendor: None,
        gpu_renderer: None,
        connection_type: None,
        pixel_ratio: None,
        timezone: str_at(context, "timezone").map(str::to_owned),
        language: str_at(context, "locale").map(str::to_owned),
        platform: None,
        automation: None,
    }
}
