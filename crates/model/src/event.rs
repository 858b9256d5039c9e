//! The typed [`Event`] envelope: what every one of the seven event types carries, plus the
//! enums naming the event type and the client platform.

use serde::Serialize;
use serde_json::Value;

use crate::{detail::EventDetail, device::Device};

/// The seven event types accepted by `POST /v1/events`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum EventType {
    #[serde(rename = "pageview")]
    Pageview,
    #[serde(rename = "click")]
    Click,
    #[serde(rename = "scroll")]
    Scroll,
    #[serde(rename = "form")]
    Form,
    #[serde(rename = "custom")]
    Custom,
    #[serde(rename = "identify")]
    Identify,
    #[serde(rename = "_consent_transition")]
    ConsentTransition,
}

impl EventType {
    /// Every type, in contract order.
    pub const ALL: [EventType; 7] = [
        Self::Pageview,
        Self::Click,
        Self::Scroll,
        Self::Form,
        Self::Custom,
        Self::Identify,
        Self::ConsentTransition,
    ];

    /// The wire name, e.g. `"_consent_transition"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pageview => "pageview",
            Self::Click => "click",
            Self::Scroll => "scroll",
            Self::Form => "form",
            Self::Custom => "custom",
            Self::Identify => "identify",
            Self::ConsentTransition => "_consent_transition",
        }
    }

    /// The type with this wire name, if any.
    pub fn from_wire(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// The surface that emitted the event (`device.clientPlatform`); decides the page rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientPlatform {
    /// A browser; also what an absent `clientPlatform` means.
    #[default]
    Web,
    Ios,
    Android,
    ReactNative,
    Server,
}

impl ClientPlatform {
    /// Every platform, in contract order.
    pub const ALL: [ClientPlatform; 5] = [
        Self::Web,
        Self::Ios,
        Self::Android,
        Self::ReactNative,
        Self::Server,
    ];

    /// The wire name, e.g. `"react-native"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Ios => "ios",
            Self::Android => "android",
            Self::ReactNative => "react-native",
            Self::Server => "server",
        }
    }

    /// The platform with this wire name, if any.
    pub fn from_wire(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// True for ios, android and react-native.
    pub fn is_native(self) -> bool {
        matches!(self, Self::Ios | Self::Android | Self::ReactNative)
    }
}

/// `page`: where the event happened. For native and server events `path` is a screen name
/// or route and `url` may be absent or use a custom scheme.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    pub url: Option<String>,
    pub path: String,
    pub title: String,
    pub referrer: Option<String>,
}

/// `consent`: the visitor's consent state as the SDK saw it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    pub analytics: bool,
    pub identity_resolution: Option<bool>,
    pub third_party_sharing: Option<bool>,
    pub timestamp: Option<f64>,
}

/// One validated, normalised event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub event_type: EventType,
    pub visitor_id: String,
    pub session_id: String,
    /// Milliseconds since the epoch after skew correction (the server time when the client
    /// clock was more than [`crate::MAX_SKEW_MS`] off).
    pub timestamp: i64,
    /// What the client sent, floored to whole milliseconds.
    pub client_timestamp: i64,
    pub page: Page,
    pub device: Device,
    pub consent: Option<Consent>,
    pub detail: EventDetail,
    /// The type the sender named: the ClickStream type, or the pipeline message type
    /// (`track`, `page`, …) the event was read from. Stored and filtered on; the feed shows
    /// [`Event::event_type`].
    pub wire_type: &'static str,
    /// The known user of a pipeline message (its `userId`, or the user its anonymous id was
    /// linked to by an earlier identify); ClickStream events have none.
    pub user_id: Option<String>,
    /// The event object as it is stored: the input with `device.userAgent` and click
    /// `element.selector` truncated and `timestamp` set to [`Event::timestamp`]; unknown
    /// fields are kept so newer SDKs are not rejected.
    pub payload: Value,
}

impl Event {
    /// False when `consent.analytics` is explicitly false (such events are not stored).
    pub fn analytics_allowed(&self) -> bool {
        self.consent.as_ref().is_none_or(|c| c.analytics)
    }

    /// `name` of a custom event; `None` for every other type.
    pub fn custom_name(&self) -> Option<&str> {
        match &self.detail {
            EventDetail::Custom { name, .. } => Some(name),
            _ => None,
        }
    }
}
