//! Checks on the vendored lists themselves, so that updating them cannot silently change
//! what the registry means. The user-agent table tests are in `tests/user_agents.rs`.

use std::sync::OnceLock;

use super::{catalog, category, known, BotRegistry};
use crate::BotCategory;

fn registry() -> &'static BotRegistry {
    static REGISTRY: OnceLock<BotRegistry> = OnceLock::new();
    REGISTRY.get_or_init(|| BotRegistry::new().expect("vendored bot lists compile"))
}

#[test]
fn every_tag_in_the_vendored_lists_has_a_category() {
    let entries = catalog::load().expect("vendored bot lists parse");
    let unknown: Vec<(&str, &str)> = entries
        .iter()
        .flat_map(|e| e.tags.iter().map(move |t| (e.pattern.as_str(), t.as_str())))
        .filter(|(_, tag)| !category::TAG_CATEGORIES.iter().any(|(t, _)| t == tag))
        .collect();
    assert!(unknown.is_empty(), "tags without a category: {unknown:?}");
}

#[test]
fn every_hand_table_pattern_is_still_in_the_vendored_lists() {
    let entries = catalog::load().expect("vendored bot lists parse");
    let missing: Vec<&str> = known::KNOWN
        .iter()
        .map(|k| k.pattern)
        .filter(|pattern| !entries.iter().any(|e| e.pattern == *pattern))
        .collect();
    assert!(
        missing.is_empty(),
        "hand-table patterns gone upstream: {missing:?}"
    );
}

#[test]
fn every_listed_instance_is_recognised_as_a_bot() {
    let entries = catalog::load().expect("vendored bot lists parse");
    let instances: Vec<&str> = entries
        .iter()
        .flat_map(|e| e.instances.iter().map(String::as_str))
        .collect();
    assert!(instances.len() > 2000, "only {} instances", instances.len());
    let missed: Vec<&str> = instances
        .into_iter()
        .filter(|ua| registry().classify(ua).is_none())
        .collect();
    assert!(missed.is_empty(), "instances no entry matches: {missed:?}");
}

#[test]
fn every_entry_compiles_and_gets_a_short_name() {
    let entries = catalog::load().expect("vendored bot lists parse");
    assert_eq!(registry().len(), entries.len());
    let long: Vec<&str> = registry()
        .matches
        .iter()
        .map(|m| m.name.as_str())
        .filter(|name| name.is_empty() || name.chars().count() > 40)
        .collect();
    assert!(long.is_empty(), "unreadable names: {long:?}");
}

#[test]
fn almost_every_entry_sits_behind_the_literal_prefilter() {
    let always_run: Vec<&str> = registry()
        .matcher
        .unfiltered()
        .iter()
        .map(|&index| registry().matcher.regex(index).as_str())
        .collect();
    assert!(always_run.len() <= 10, "run on every UA: {always_run:?}");
}

#[test]
fn a_specific_entry_wins_over_the_http_library_it_runs_on() {
    let found = registry()
        .classify("W3C-checklink/4.5 [4.160] libwww-perl/5.823")
        .expect("a bot");
    assert_eq!(found.name, "W3C-checklink");
    assert_eq!(found.category, BotCategory::Monitoring);
    assert!(!found.http_library);
}

#[test]
fn the_longest_match_wins_between_specific_entries() {
    let found = registry()
        .classify("Mozilla/5.0 (compatible; SentryUptimeBot/1.0; +http://sentry.io)")
        .expect("a bot");
    assert_eq!(found.name, "SentryUptimeBot");
}

#[test]
fn crawler_frameworks_are_scrapers_but_not_http_libraries() {
    let found = registry()
        .classify("Scrapy/2.11.0 (+https://scrapy.org)")
        .expect("a bot");
    assert_eq!(found.category, BotCategory::Scraper);
    assert!(!found.http_library);
}

#[test]
fn everyday_browsers_match_no_entry() {
    let browsers = [
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
        "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0",
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
    ];
    for ua in browsers {
        assert_eq!(registry().classify(ua), None, "{ua}");
    }
}
