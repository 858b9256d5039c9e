//! The hand table: names and categories of well-known bots where the list's pattern or
//! tags say it less well than people do. Keyed by the entry's exact `pattern`; a test
//! checks that every key still exists in the vendored lists, so an upstream rename fails
//! loudly instead of silently dropping the override.

use crate::BotCategory;

/// Corrections for one entry; `None` keeps what the list says.
#[derive(Debug, Clone, Copy)]
pub(super) struct Known {
    pub(super) pattern: &'static str,
    pub(super) name: Option<&'static str>,
    pub(super) category: Option<BotCategory>,
    pub(super) http_library: Option<bool>,
}

const fn named(pattern: &'static str, name: &'static str) -> Known {
    Known {
        pattern,
        name: Some(name),
        category: None,
        http_library: None,
    }
}

const fn category(pattern: &'static str, category: BotCategory) -> Known {
    Known {
        pattern,
        name: None,
        category: Some(category),
        http_library: None,
    }
}

/// Tagged "http-library" upstream but crawler frameworks or services rather than a
/// client library a native app or backend would send: scrapers, not exempt under
/// mobile/server keys.
const fn framework(pattern: &'static str) -> Known {
    Known {
        pattern,
        name: None,
        category: None,
        http_library: Some(false),
    }
}

pub(super) const KNOWN: &[Known] = &[
    // Names as the operators write them.
    named("bingbot", "Bingbot"),
    named(r"yandex\.com\/bots", "YandexBot"),
    named("dotbot", "DotBot"),
    named("Ahrefs(Bot|SiteAudit)", "AhrefsBot"),
    named("S[eE][mM]rushBot", "SemrushBot"),
    named("[cC]laude[bB]ot", "ClaudeBot"),
    named("[pP]ingdom", "Pingdom"),
    named(r"Mediapartners \(Googlebot\)", "Mediapartners-Google"),
    named("Nmap Scripting Engine", "Nmap"),
    named("[wW]get", "Wget"),
    named("^curl", "curl"),
    named("okhttp", "OkHttp"),
    named("Headless", "Headless browser"),
    named("Nuclei - Open-source project", "Nuclei"),
    named(
        r"https:\/\/developers\.cloudflare\.com\/security-center\/",
        "Cloudflare Security Center",
    ),
    // Tagged as search engines / SEO upstream, but they feed AI products.
    category("Amazonbot", BotCategory::AiAgent),
    category(r"Diffbot\/", BotCategory::AiAgent),
    category("YouBot", BotCategory::AiAgent),
    // Crawler frameworks and services among the "http-library" tags.
    framework("HTTrack"),
    framework("SimpleCrawler"),
    framework("crawler4j"),
    framework("Scrapy"),
    framework("phpcrawl"),
    framework(r"newspaper\/"),
    framework("colly"),
    framework("trafilatura"),
    framework("larbin"),
    framework("GoParserBot"),
    framework("Download Ninja"),
    framework("rawweb-bot"),
    framework("python-opengraph"),
    framework("Amazon CloudFront"),
    framework(r"Salesforce\.com"),
    framework("BTWebClient"),
    framework("ALittle Client"),
];

/// The hand-table row for `pattern`, if any.
pub(super) fn lookup(pattern: &str) -> Option<&'static Known> {
    KNOWN.iter().find(|known| known.pattern == pattern)
}
