//! The typed `device` part of the envelope: user agent, screen geometry, declared client
//! platform and the optional fingerprint / stealth-detection inputs.

use serde::Serialize;

use crate::event::ClientPlatform;

/// A width × height pair in CSS pixels (`viewport`, `screen`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Dimensions {
    pub width: f64,
    pub height: f64,
}

/// `device.automation`: browser-control signals for stealth detection.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Automation {
    /// 0–100 browser-control confidence.
    pub score: Option<f64>,
    /// Bounded non-PII automation labels; empty when absent.
    pub signals: Vec<String>,
    pub webdriver: Option<bool>,
}

/// `device`: what the client says about itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    /// Truncated to [`crate::MAX_USER_AGENT`] chars.
    pub user_agent: String,
    pub viewport: Dimensions,
    pub screen: Option<Dimensions>,
    /// [`ClientPlatform::Web`] when absent.
    pub client_platform: ClientPlatform,
    pub fingerprint: Option<String>,
    /// 0–100.
    pub fingerprint_confidence: Option<f64>,
    pub gpu_vendor: Option<String>,
    pub gpu_renderer: Option<String>,
    pub connection_type: Option<String>,
    pub pixel_ratio: Option<f64>,
    pub timezone: Option<String>,
    pub language: Option<String>,
    /// `navigator.platform` (stealth-detection input), not [`Device::client_platform`].
    pub platform: Option<String>,
    pub automation: Option<Automation>,
}
