//! The labels of one event, as the Signals Feed contract shows them: `bot`,
//! `behavioralClass`, `device`, `scores` (or null) and `hasIdentified`.

use serde::{Deserialize, Serialize};

/// What the key that sent an event says about its sender. Library user agents (curl,
/// OkHttp, …) are bot evidence under a browser key and expected under a native or server
/// key: the exemption follows the key, never the user agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyPosture {
    /// A website key: a browser is expected.
    Browser,
    /// A mobile or server key: native apps and backends, exempt from UA-scraper heuristics.
    Native,
}

/// `device.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceType {
    Desktop,
    Mobile,
    Tablet,
}

impl DeviceType {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceType::Desktop => "desktop",
            DeviceType::Mobile => "mobile",
            DeviceType::Tablet => "tablet",
        }
    }
}

/// `device`: the summary the feed and the Signals API show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceSummary {
    #[serde(rename = "type")]
    pub device_type: DeviceType,
    /// As users know it: "Chrome", "Safari", "Firefox", "Edge", …; "Other" when unknown.
    pub browser: String,
    /// As users know it: "macOS", "iOS", "Android", "Windows", "Linux", …; "Other".
    pub os: String,
    pub is_mobile: bool,
}

/// `bot.category`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BotCategory {
    SearchCrawler,
    AiAgent,
    SocialPreview,
    SeoTool,
    Monitoring,
    Scraper,
    Scanner,
    Automation,
    StealthBot,
}

impl BotCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            BotCategory::SearchCrawler => "search_crawler",
            BotCategory::AiAgent => "ai_agent",
            BotCategory::SocialPreview => "social_preview",
            BotCategory::SeoTool => "seo_tool",
            BotCategory::Monitoring => "monitoring",
            BotCategory::Scraper => "scraper",
            BotCategory::Scanner => "scanner",
            BotCategory::Automation => "automation",
            BotCategory::StealthBot => "stealth_bot",
        }
    }
}

/// `bot`: the composite verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BotVerdict {
    /// score ≥ 50 and humanConfidence < 40.
    pub is_bot: bool,
    /// 0–100, higher = more bot-like.
    pub score: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<BotCategory>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `behavioralClass`, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BehavioralClass {
    Bot,
    LikelyBot,
    Suspicious,
    Human,
}

impl BehavioralClass {
    pub fn as_str(self) -> &'static str {
        match self {
            BehavioralClass::Bot => "bot",
            BehavioralClass::LikelyBot => "likely_bot",
            BehavioralClass::Suspicious => "suspicious",
            BehavioralClass::Human => "human",
        }
    }
}

/// `scores.emotionalState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmotionalState {
    Positive,
    Neutral,
    Confused,
    Frustrated,
}

/// `scores.decisionStage`, in funnel order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionStage {
    Awareness,
    Consideration,
    Evaluation,
    Decision,
    Purchase,
}

/// `scores`: the 11-field snapshot. Every number is 0–100 except `session_momentum` (−1..1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Scores {
    pub intent: u8,
    pub frustration: u8,
    pub engagement: u8,
    pub value: u8,
    pub churn: u8,
    pub abandonment: u8,
    pub conversion_readiness: u8,
    pub session_momentum: f64,
    pub confusion: u8,
    pub emotional_state: EmotionalState,
    pub decision_stage: DecisionStage,
}

/// Everything clickwire says about one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Labels {
    pub bot: BotVerdict,
    /// 0–100, grows with human evidence; not in the feed frame, used by the class rules.
    pub human_confidence: u8,
    pub behavioral_class: BehavioralClass,
    pub device: DeviceSummary,
    /// `None` (null) on unscored events such as `_consent_transition`.
    pub scores: Option<Scores>,
    /// True once the visitor has identified in this session.
    pub has_identified: bool,
}
