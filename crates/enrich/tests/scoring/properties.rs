//! Properties over arbitrary event sequences (random types, timestamps, positions, depths,
//! paths, sessions, user agents and key postures): every score stays in range and the
//! contract's isBot and class rules hold exactly for the returned score and confidence.

use clickwire_enrich::{BehavioralClass, BotCategory, Labels};
use clickwire_model::EventType;
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::support::{chrome, curl, headless_chrome, json_event, parse, registry_bot, Visitor, T0};

const PATHS: [&str; 8] = [
    "/",
    "/pricing",
    "/demo",
    "/checkout",
    "/thank-you",
    "/404",
    "/account/cancel",
    "/docs",
];
const KINDS: [&str; 7] = [
    "pageview",
    "click",
    "scroll",
    "form",
    "custom",
    "identify",
    "_consent_transition",
];
const FORM_ACTIONS: [&str; 4] = ["focus", "blur", "submit", "abandon"];
const CUSTOM_NAMES: [&str; 3] = ["purchase", "error_shown", "docs_filter_changed"];

/// One random event, relative to the one before.
#[derive(Debug, Clone)]
struct Step {
    kind: usize,
    gap_ms: i64,
    x: f64,
    y: f64,
    depth: f64,
    path: usize,
    session: usize,
    choice: usize,
    automation: Option<Value>,
}

fn gap() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => 0i64..1_500,
        4 => 0i64..120_000,
        1 => -10_000i64..0,
        1 => 0i64..7_200_000,
    ]
}

fn automation() -> impl Strategy<Value = Option<Value>> {
    let block = (
        proptest::option::of(any::<bool>()),
        proptest::option::of(0.0f64..=100.0),
        0usize..4,
    )
        .prop_map(|(webdriver, score, signals)| {
            let signals: Vec<String> = (0..signals).map(|i| format!("signal{i}")).collect();
            let mut a = json!({ "signals": signals });
            if let Some(w) = webdriver {
                a["webdriver"] = json!(w);
            }
            if let Some(s) = score {
                a["score"] = json!(s);
            }
            a
        });
    prop_oneof![4 => Just(None), 1 => block.prop_map(Some)]
}

fn step() -> impl Strategy<Value = Step> {
    (
        0..KINDS.len(),
        gap(),
        (0.0f64..2_000.0, 0.0f64..2_000.0),
        0.0f64..=100.0,
        0..PATHS.len(),
        prop_oneof![8 => Just(0usize), 1 => 0usize..3],
        0usize..12,
        automation(),
    )
        .prop_map(
            |(kind, gap_ms, (x, y), depth, path, session, choice, automation)| Step {
                kind,
                gap_ms,
                x,
                y,
                depth,
                path,
                session,
                choice,
                automation,
            },
        )
}

fn visitor(ua: usize, native: bool) -> Visitor {
    let ua = match ua {
        0 => chrome(),
        1 => headless_chrome(),
        2 => curl(),
        _ => registry_bot("GPTBot", BotCategory::AiAgent, false),
    };
    if native {
        Visitor::native(ua)
    } else {
        Visitor::browser(ua)
    }
}

fn build(step: &Step, at: i64) -> clickwire_model::Event {
    let kind = KINDS[step.kind];
    let extra = match kind {
        "click" => json!({ "element": { "selector": "a", "text": "", "x": step.x, "y": step.y } }),
        "scroll" => json!({ "depth": step.depth, "timeOnPage": step.gap_ms.max(0) }),
        "form" => json!({
            "action": FORM_ACTIONS[step.choice % FORM_ACTIONS.len()],
            "formId": format!("form{}", step.choice % 5),
            "fieldCount": 2
        }),
        "custom" => json!({ "name": CUSTOM_NAMES[step.choice % CUSTOM_NAMES.len()] }),
        "identify" => json!({ "hem": "b".repeat(64) }),
        _ => json!({}),
    };
    let session = format!("s{}", step.session);
    let mut event = json_event(kind, &session, at, PATHS[step.path], extra);
    if let Some(a) = &step.automation {
        event["device"]["automation"] = a.clone();
    }
    parse(event)
}

/// The contract's class rule, written out independently of the engine.
fn contract_class(score: u8, human: u8) -> BehavioralClass {
    let is_bot = score >= 50 && human < 40;
    if is_bot && score >= 70 {
        BehavioralClass::Bot
    } else if score >= 50 && human < 30 {
        BehavioralClass::LikelyBot
    } else if score >= 30 || human < 50 {
        BehavioralClass::Suspicious
    } else {
        BehavioralClass::Human
    }
}

fn check(labels: &Labels, event_type: EventType) -> Result<(), TestCaseError> {
    let (score, human) = (labels.bot.score, labels.human_confidence);
    prop_assert!(score <= 100 && human <= 100, "{labels:?}");
    prop_assert_eq!(labels.bot.is_bot, score >= 50 && human < 40);
    prop_assert_eq!(labels.behavioral_class, contract_class(score, human));
    prop_assert_eq!(
        labels.scores.is_none(),
        event_type == EventType::ConsentTransition
    );
    if let Some(s) = &labels.scores {
        let bounded = [
            s.intent,
            s.frustration,
            s.engagement,
            s.value,
            s.churn,
            s.abandonment,
            s.conversion_readiness,
            s.confusion,
        ];
        prop_assert!(bounded.iter().all(|v| *v <= 100), "{s:?}");
        prop_assert!((-1.0..=1.0).contains(&s.session_momentum), "{s:?}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_score_stays_in_range_and_the_class_rules_hold(
        steps in proptest::collection::vec(step(), 1..60),
        ua in 0usize..4,
        native in any::<bool>(),
    ) {
        let mut visitor = visitor(ua, native);
        let mut at = T0;
        for step in &steps {
            at = (at + step.gap_ms).max(0);
            let event = build(step, at);
            let labels = visitor.see(&event);
            check(&labels, event.event_type)?;
        }
    }
}
