//! From a list entry's tags to a clickwire bot category, with the hand table's overrides.
//!
//! The crawler list tags every entry. Tag → category, strongest first (an entry with
//! several tags takes the first one listed here):
//!
//! | tag | category |
//! |---|---|
//! | ai-crawler | ai_agent |
//! | scanner | scanner |
//! | browser-automation | automation |
//! | http-library | scraper, `http_library` (unless the hand table says it is a crawler framework) |
//! | search-engine | search_crawler |
//! | social-preview | social_preview |
//! | seo | seo_tool |
//! | monitoring | monitoring |
//! | advertising | search_crawler: ad networks index pages for matching the way search engines do, and declare themselves |
//! | feed-reader, archiver, academic | scraper: bulk content fetchers |
//!
//! An entry with no known tag is a scraper, the contract's catch-all for declared crawlers.

use super::{catalog::Entry, known};
use crate::BotCategory;

/// What the registry knows about an entry before matching anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Described {
    pub(super) category: BotCategory,
    pub(super) http_library: bool,
    /// A generic tool (HTTP library, headless browser) that a more specific entry matching
    /// the same user agent should win over: "W3C-checklink libwww-perl/5.64" is
    /// W3C-checklink, "HeadlessChrome … YextBot" is YextBot.
    pub(super) generic: bool,
}

const HTTP_LIBRARY: &str = "http-library";
const BROWSER_AUTOMATION: &str = "browser-automation";

/// Tags in priority order, with their category.
pub(super) const TAG_CATEGORIES: [(&str, BotCategory); 12] = [
    ("ai-crawler", BotCategory::AiAgent),
    ("scanner", BotCategory::Scanner),
    (BROWSER_AUTOMATION, BotCategory::Automation),
    (HTTP_LIBRARY, BotCategory::Scraper),
    ("search-engine", BotCategory::SearchCrawler),
    ("social-preview", BotCategory::SocialPreview),
    ("seo", BotCategory::SeoTool),
    ("monitoring", BotCategory::Monitoring),
    ("advertising", BotCategory::SearchCrawler),
    ("feed-reader", BotCategory::Scraper),
    ("archiver", BotCategory::Scraper),
    ("academic", BotCategory::Scraper),
];

/// Category and flags of one entry: its tags, then the hand table on top.
pub(super) fn describe(entry: &Entry) -> Described {
    let has = |tag: &str| entry.tags.iter().any(|t| t == tag);
    let tagged = TAG_CATEGORIES
        .iter()
        .find(|(tag, _)| has(tag))
        .map_or(BotCategory::Scraper, |(_, category)| *category);
    let generic = has(HTTP_LIBRARY) || has(BROWSER_AUTOMATION);
    let known = known::lookup(&entry.pattern);
    Described {
        category: known.and_then(|k| k.category).unwrap_or(tagged),
        http_library: known
            .and_then(|k| k.http_library)
            .unwrap_or(has(HTTP_LIBRARY)),
        generic,
    }
}
