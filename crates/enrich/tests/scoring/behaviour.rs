//! The behavioural scores on the scenarios their published definitions describe: rage
//! clicks, a buying journey, form abandonment, circular navigation, GA4 engagement.

use clickwire_enrich::{DecisionStage, EmotionalState};

use crate::support::{
    chrome, click, form, identify, pageview, scores, scroll, Visitor, MINUTE, SECOND, T0,
};

/// The frustration one rage cluster must reach (the default `rage_burst_points`).
const RAGE_FRUSTRATION: u8 = 40;

#[test]
fn a_rage_click_burst_raises_frustration() {
    let mut visitor = Visitor::browser(chrome());
    visitor.see(&pageview("s1", T0, "/checkout"));
    let calm = visitor.see(&click("s1", T0 + 5 * SECOND, "/checkout", 400.0, 300.0));
    let before = scores(&calm).frustration;
    // Three clicks within one second, within 30 px of each other.
    visitor.see(&click("s1", T0 + 20 * SECOND, "/checkout", 600.0, 500.0));
    visitor.see(&click(
        "s1",
        T0 + 20 * SECOND + 250,
        "/checkout",
        604.0,
        497.0,
    ));
    let rage = visitor.see(&click(
        "s1",
        T0 + 20 * SECOND + 480,
        "/checkout",
        598.0,
        506.0,
    ));
    let after = scores(&rage).frustration;
    assert!(after > before, "{before} → {after}");
    assert!(after >= RAGE_FRUSTRATION, "frustration {after}");
    assert!(scores(&rage).session_momentum < scores(&calm).session_momentum);
}

#[test]
fn a_long_rage_burst_makes_the_visitor_frustrated() {
    let mut visitor = Visitor::browser(chrome());
    visitor.see(&pageview("s1", T0, "/"));
    let mut last = None;
    for i in 0..5 {
        last = Some(visitor.see(&click("s1", T0 + 9 * SECOND + i * 150, "/", 300.0, 300.0)));
    }
    let s = scores(last.as_ref().expect("five clicks")).clone();
    assert!(s.frustration >= 50, "frustration {}", s.frustration);
    assert_eq!(s.emotional_state, EmotionalState::Frustrated);
}

#[test]
fn quick_clicks_far_apart_are_not_rage() {
    let mut visitor = Visitor::browser(chrome());
    visitor.see(&pageview("s1", T0, "/"));
    visitor.see(&click("s1", T0 + 9 * SECOND, "/", 100.0, 100.0));
    visitor.see(&click("s1", T0 + 9 * SECOND + 200, "/", 400.0, 100.0));
    let third = visitor.see(&click("s1", T0 + 9 * SECOND + 400, "/", 700.0, 500.0));
    assert_eq!(scores(&third).frustration, 0);
}

#[test]
fn pricing_then_demo_then_a_form_submit_then_identify_is_high_intent() {
    let mut visitor = Visitor::browser(chrome());
    let events = [
        pageview("s1", T0, "/pricing"),
        scroll("s1", T0 + 15 * SECOND, "/pricing", 50.0),
        pageview("s1", T0 + 40 * SECOND, "/demo"),
        form("s1", T0 + 55 * SECOND, "/demo", "focus", "demo-request"),
        form("s1", T0 + 90 * SECOND, "/demo", "submit", "demo-request"),
        identify("s1", T0 + 91 * SECOND, "/demo"),
    ];
    let labels = visitor.see_all(&events);
    let intents: Vec<u8> = labels.iter().map(|l| scores(l).intent).collect();
    assert!(intents.windows(2).all(|w| w[0] <= w[1]), "{intents:?}");
    let end = scores(labels.last().expect("labels"));
    assert!(end.intent >= 70, "intent {}", end.intent);
    assert!(end.decision_stage > DecisionStage::Awareness);
    assert_eq!(end.decision_stage, DecisionStage::Decision);
    assert!(
        end.conversion_readiness >= 60,
        "{}",
        end.conversion_readiness
    );
    assert_eq!(
        scores(&labels[0]).decision_stage,
        DecisionStage::Consideration
    );
    assert!(labels.last().expect("labels").has_identified);
}

#[test]
fn intent_decays_but_the_stage_does_not_move_back() {
    let mut visitor = Visitor::browser(chrome());
    let fresh = visitor.see(&pageview("s1", T0, "/pricing"));
    let mut later = fresh.clone();
    for i in 1..=6 {
        later = visitor.see(&pageview("s1", T0 + i * 10 * MINUTE, &format!("/blog/{i}")));
    }
    assert!(scores(&later).intent < scores(&fresh).intent);
    assert!(scores(&later).decision_stage >= DecisionStage::Consideration);
}

#[test]
fn a_focused_form_left_unsubmitted_raises_abandonment_and_a_submit_clears_it() {
    let mut visitor = Visitor::browser(chrome());
    let start = visitor.see(&pageview("s1", T0, "/signup"));
    visitor.see(&form("s1", T0 + 10 * SECOND, "/signup", "focus", "signup"));
    let open = visitor.see(&form("s1", T0 + 70 * SECOND, "/signup", "blur", "signup"));
    let done = visitor.see(&form("s1", T0 + 80 * SECOND, "/signup", "submit", "signup"));
    assert!(scores(&open).abandonment > scores(&start).abandonment);
    assert!(scores(&open).abandonment >= 30);
    assert!(scores(&done).abandonment < scores(&open).abandonment);
}

#[test]
fn an_abandoned_form_frustrates_and_counts_as_abandonment() {
    let mut visitor = Visitor::browser(chrome());
    visitor.see(&form("s1", T0, "/signup", "focus", "signup"));
    let gone = visitor.see(&form(
        "s1",
        T0 + 30 * SECOND,
        "/signup",
        "abandon",
        "signup",
    ));
    assert!(scores(&gone).abandonment >= 50);
    assert!(scores(&gone).frustration > 0);
}

#[test]
fn going_round_in_circles_quickly_is_confusion() {
    let mut visitor = Visitor::browser(chrome());
    let pages = ["/a", "/b", "/a", "/b", "/a"];
    let labels: Vec<_> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| visitor.see(&pageview("s1", T0 + i as i64 * 2 * SECOND, p)))
        .collect();
    let end = scores(labels.last().expect("labels"));
    assert!(end.confusion >= 50, "confusion {}", end.confusion);
    assert_eq!(end.emotional_state, EmotionalState::Confused);
    assert!(end.session_momentum < 0.0);
}

#[test]
fn a_ga4_engaged_session_scores_higher_engagement_than_a_bounce() {
    let mut bounce = Visitor::browser(chrome());
    let bounced = bounce.see(&pageview("s1", T0, "/"));

    let mut engaged = Visitor::browser(chrome());
    engaged.see(&pageview("s1", T0, "/"));
    engaged.see(&scroll("s1", T0 + 12 * SECOND, "/", 50.0));
    let read = engaged.see(&pageview("s1", T0 + 25 * SECOND, "/features"));
    assert!(scores(&read).engagement > scores(&bounced).engagement + 20);
}
