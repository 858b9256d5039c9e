//! Bot score, human confidence, isBot and behavioural class: registry matches, automation
//! evidence, the HTTP-library exemption that follows the key, and behaviour.

use clickwire_enrich::{BehavioralClass, BotCategory};
use serde_json::json;

use crate::support::{
    automated_pageview, chrome, click, curl, headless_chrome, pageview, registry_bot, scroll,
    Visitor, SECOND, T0,
};

#[test]
fn a_registry_crawler_or_ai_agent_is_a_bot_from_its_first_event() {
    let cases = [
        ("Googlebot", BotCategory::SearchCrawler),
        ("GPTBot", BotCategory::AiAgent),
    ];
    for (name, category) in cases {
        let mut visitor = Visitor::browser(registry_bot(name, category, false));
        let labels = visitor.see(&pageview("s1", T0, "/"));
        assert!(labels.bot.is_bot, "{name}");
        assert_eq!(labels.behavioral_class, BehavioralClass::Bot, "{name}");
        assert!(labels.bot.score >= 70, "{name}: {}", labels.bot.score);
        assert!(labels.human_confidence < 30, "{name}");
        assert_eq!(labels.bot.category, Some(category));
        assert_eq!(labels.bot.name.as_deref(), Some(name));
    }
}

#[test]
fn a_registry_bot_stays_a_bot_however_human_it_acts() {
    let mut visitor = Visitor::browser(registry_bot("GPTBot", BotCategory::AiAgent, false));
    let events = [
        pageview("s1", T0, "/"),
        scroll("s1", T0 + 7 * SECOND, "/", 25.0),
        scroll("s1", T0 + 19 * SECOND, "/", 75.0),
        click("s1", T0 + 40 * SECOND, "/", 200.0, 300.0),
    ];
    for labels in visitor.see_all(&events) {
        assert_eq!(labels.behavioral_class, BehavioralClass::Bot);
    }
}

#[test]
fn bot_events_are_labelled_and_still_scored() {
    let mut visitor = Visitor::browser(registry_bot("Bingbot", BotCategory::SearchCrawler, false));
    let labels = visitor.see(&pageview("s1", T0, "/pricing"));
    assert!(labels.bot.is_bot);
    let scores = labels.scores.expect("a bot's pageview is still scored");
    assert!(scores.intent > 0);
}

#[test]
fn webdriver_alone_makes_a_bot() {
    let mut visitor = Visitor::browser(chrome());
    let event = automated_pageview("s1", T0, "/", json!({ "webdriver": true }));
    let labels = visitor.see(&event);
    assert_eq!(labels.behavioral_class, BehavioralClass::Bot);
    assert!(labels.bot.is_bot);
    assert_eq!(labels.bot.category, Some(BotCategory::Automation));
    assert_eq!(labels.bot.name, None);
}

#[test]
fn webdriver_false_is_no_evidence() {
    let mut visitor = Visitor::browser(chrome());
    let event = automated_pageview("s1", T0, "/", json!({ "webdriver": false, "score": 0 }));
    assert_eq!(visitor.see(&event).behavioral_class, BehavioralClass::Human);
}

#[test]
fn webdriver_stays_on_the_record_for_the_session() {
    let mut visitor = Visitor::browser(chrome());
    visitor.see(&automated_pageview(
        "s1",
        T0,
        "/",
        json!({ "webdriver": true }),
    ));
    let later = visitor.see(&pageview("s1", T0 + 5 * SECOND, "/next"));
    assert_eq!(later.behavioral_class, BehavioralClass::Bot);
}

#[test]
fn a_headless_user_agent_is_a_bot() {
    let mut visitor = Visitor::browser(headless_chrome());
    let labels = visitor.see(&pageview("s1", T0, "/"));
    assert_eq!(labels.behavioral_class, BehavioralClass::Bot);
    assert_eq!(labels.bot.category, Some(BotCategory::Automation));
}

#[test]
fn a_high_automation_score_makes_a_bot_and_a_middling_one_suspicious() {
    let mut sure = Visitor::browser(chrome());
    let high = automated_pageview("s1", T0, "/", json!({ "score": 95 }));
    assert_eq!(sure.see(&high).behavioral_class, BehavioralClass::Bot);

    let mut unsure = Visitor::browser(chrome());
    let middling = automated_pageview("s1", T0, "/", json!({ "score": 40 }));
    assert_eq!(
        unsure.see(&middling).behavioral_class,
        BehavioralClass::Suspicious
    );
}

#[test]
fn curl_under_a_browser_key_is_a_bot() {
    let mut visitor = Visitor::browser(curl());
    let labels = visitor.see(&pageview("s1", T0, "/"));
    assert!(labels.bot.is_bot);
    assert_eq!(labels.behavioral_class, BehavioralClass::Bot);
    assert_eq!(labels.bot.name.as_deref(), Some("curl"));
}

#[test]
fn curl_under_a_native_key_is_not_penalised() {
    let mut visitor = Visitor::native(curl());
    let labels = visitor.see(&pageview("s1", T0, "CheckoutScreen"));
    assert!(!labels.bot.is_bot);
    assert_eq!(labels.bot.score, 0);
    assert_eq!(labels.bot.category, None);
    assert_eq!(labels.bot.name, None);
    assert_eq!(labels.behavioral_class, BehavioralClass::Human);
}

#[test]
fn a_crawler_under_a_native_key_is_still_a_bot() {
    let mut visitor = Visitor::native(registry_bot("Googlebot", BotCategory::SearchCrawler, false));
    assert!(visitor.see(&pageview("s1", T0, "/")).bot.is_bot);
}

#[test]
fn a_clockwork_crawl_from_a_browser_user_agent_becomes_a_stealth_bot() {
    let mut visitor = Visitor::browser(chrome());
    let events: Vec<_> = (0..12)
        .map(|i| pageview("s1", T0 + i * SECOND, &format!("/page/{i}")))
        .collect();
    let labels = visitor.see_all(&events);
    assert_eq!(labels[0].behavioral_class, BehavioralClass::Human);
    let last = labels.last().expect("twelve labels");
    assert_eq!(last.behavioral_class, BehavioralClass::Bot);
    assert_eq!(last.bot.category, Some(BotCategory::StealthBot));
    let scores: Vec<u8> = labels.iter().map(|l| l.bot.score).collect();
    assert!(scores.windows(2).all(|w| w[0] <= w[1]), "{scores:?}");
}

#[test]
fn the_same_clockwork_from_a_native_key_is_not_judged_on_timing() {
    let mut visitor = Visitor::native(chrome());
    let events: Vec<_> = (0..12)
        .map(|i| pageview("s1", T0 + i * SECOND, &format!("Screen{i}")))
        .collect();
    for labels in visitor.see_all(&events) {
        assert_eq!(labels.bot.score, 0);
        assert!(!labels.bot.is_bot);
    }
}
