//! The bot registry: a compiled matcher over vendored crawler and AI-agent lists.
//! (Being written: the matcher. The type below is the interface.)

use crate::BotCategory;

/// A registry entry a user agent matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotMatch {
    /// Human-readable name: "Googlebot", "GPTBot", "curl", …
    pub name: String,
    pub category: BotCategory,
    /// An HTTP library or command-line client (curl, python-requests, OkHttp,
    /// Go-http-client, …): a bot under a website key, expected under a mobile/server key.
    pub http_library: bool,
}
