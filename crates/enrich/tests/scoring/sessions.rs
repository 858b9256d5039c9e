//! Sessions: a calm human stays human, unscored events, and what a new session resets.

use clickwire_enrich::{BehavioralClass, BotCategory, DecisionStage};

use crate::support::{
    chrome, click, consent, form, identify, pageview, registry_bot, scores, scroll, Visitor,
    MINUTE, SECOND, T0,
};

#[test]
fn the_first_pageview_of_an_ordinary_browser_is_human() {
    let mut visitor = Visitor::browser(chrome());
    let labels = visitor.see(&pageview("s1", T0, "/"));
    assert_eq!(labels.behavioral_class, BehavioralClass::Human);
    assert_eq!(labels.bot.score, 0);
    assert!(labels.human_confidence >= 50);
    assert_eq!(labels.device.browser, "Chrome");
}

#[test]
fn a_calm_human_session_stays_human_on_every_event() {
    let mut visitor = Visitor::browser(chrome());
    let s = "s1";
    let events = [
        pageview(s, T0, "/"),
        scroll(s, T0 + 6 * SECOND, "/", 25.0),
        scroll(s, T0 + 14 * SECOND, "/", 50.0),
        click(s, T0 + 31 * SECOND, "/", 640.0, 420.0),
        pageview(s, T0 + 33 * SECOND, "/docs/getting-started"),
        scroll(s, T0 + 51 * SECOND, "/docs/getting-started", 25.0),
        scroll(s, T0 + 95 * SECOND, "/docs/getting-started", 75.0),
        scroll(s, T0 + 102 * SECOND, "/docs/getting-started", 100.0),
        click(s, T0 + 150 * SECOND, "/docs/getting-started", 210.0, 380.0),
        pageview(s, T0 + 152 * SECOND, "/blog/launch"),
        scroll(s, T0 + 190 * SECOND, "/blog/launch", 50.0),
    ];
    let labels = visitor.see_all(&events);
    for (i, l) in labels.iter().enumerate() {
        assert_eq!(
            l.behavioral_class,
            BehavioralClass::Human,
            "event {i}: {l:?}"
        );
        assert!(!l.bot.is_bot);
    }
    let first = labels[0].human_confidence;
    let last = labels.last().expect("labels").human_confidence;
    assert!(
        last > first,
        "human evidence raises confidence: {first} → {last}"
    );
    let end = scores(labels.last().expect("labels"));
    assert!(end.engagement >= 50, "engagement {}", end.engagement);
    assert_eq!(end.frustration, 0);
}

#[test]
fn a_consent_transition_carries_no_scores_but_keeps_bot_and_device_labels() {
    let mut human = Visitor::browser(chrome());
    human.see(&pageview("s1", T0, "/"));
    let labels = human.see(&consent("s1", T0 + SECOND, "/"));
    assert_eq!(labels.scores, None);
    assert_eq!(labels.device.browser, "Chrome");
    assert_eq!(labels.behavioral_class, BehavioralClass::Human);

    let mut crawler =
        Visitor::browser(registry_bot("Googlebot", BotCategory::SearchCrawler, false));
    let labels = crawler.see(&consent("s1", T0, "/"));
    assert_eq!(labels.scores, None);
    assert_eq!(labels.behavioral_class, BehavioralClass::Bot);
    assert_eq!(labels.bot.category, Some(BotCategory::SearchCrawler));
}

#[test]
fn has_identified_is_true_from_the_identify_event_on() {
    let mut visitor = Visitor::browser(chrome());
    assert!(!visitor.see(&pageview("s1", T0, "/")).has_identified);
    assert!(
        visitor
            .see(&identify("s1", T0 + 20 * SECOND, "/"))
            .has_identified
    );
    assert!(
        visitor
            .see(&pageview("s1", T0 + 40 * SECOND, "/next"))
            .has_identified
    );
}

#[test]
fn a_new_session_id_resets_the_session_scores() {
    let mut visitor = Visitor::browser(chrome());
    visitor.see(&pageview("s1", T0, "/pricing"));
    visitor.see(&form("s1", T0 + 30 * SECOND, "/demo", "submit", "demo"));
    let before = visitor.see(&identify("s1", T0 + 40 * SECOND, "/demo"));
    assert!(before.has_identified);
    assert!(scores(&before).intent > 0);

    let after = visitor.see(&pageview("s2", T0 + 50 * SECOND, "/"));
    assert_eq!(visitor.state.session_id(), Some("s2"));
    assert!(!after.has_identified);
    let s = scores(&after);
    assert_eq!(s.intent, 0);
    assert_eq!(s.decision_stage, DecisionStage::Awareness);
    assert!(
        s.value > 0,
        "value is visitor-level and remembers the identify"
    );
}

#[test]
fn thirty_minutes_of_silence_starts_a_new_session_even_with_the_same_id() {
    let mut visitor = Visitor::browser(chrome());
    visitor.see(&identify("s1", T0, "/"));
    let within = visitor.see(&pageview("s1", T0 + 29 * MINUTE, "/"));
    assert!(within.has_identified);
    let after = visitor.see(&pageview("s1", T0 + 60 * MINUTE, "/"));
    assert!(!after.has_identified);
    assert_eq!(visitor.state.last_seen_ms(), Some(T0 + 60 * MINUTE));
}

#[test]
fn a_fresh_state_has_no_session() {
    let visitor = Visitor::browser(chrome());
    assert_eq!(visitor.state.session_id(), None);
    assert_eq!(visitor.state.last_seen_ms(), None);
}

#[test]
fn an_out_of_order_event_does_not_move_the_clock_back() {
    let mut visitor = Visitor::browser(chrome());
    visitor.see(&pageview("s1", T0 + 10 * SECOND, "/b"));
    visitor.see(&pageview("s1", T0, "/a"));
    assert_eq!(visitor.state.last_seen_ms(), Some(T0 + 10 * SECOND));
    assert_eq!(visitor.state.session_id(), Some("s1"));
}
