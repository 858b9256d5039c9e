//! `/sdk.js` in Chromium: what the ClickStream SDK test page does arrives in the store with
//! the right types, selectors, depths, visitor and session ids; a fresh context is a new
//! visitor; an opt-in page sends nothing before consent; `navigator.webdriver` labels the
//! visitor `bot`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{require_browser, rows_when, run_script, serve};
use crate::process::{data_dir, key};

/// The rows of `visitor`.
fn of<'a>(rows: &'a [Value], visitor: &str) -> Vec<&'a Value> {
    rows.iter()
        .filter(|row| row["event"]["visitorId"] == visitor)
        .collect()
}

/// The events of `rows` whose type is `kind`.
fn typed<'a>(rows: &[&'a Value], kind: &str) -> Vec<&'a Value> {
    rows.iter()
        .map(|row| &row["event"])
        .filter(|event| event["type"] == kind)
        .collect()
}

/// How many events there are of each value of `field` (a top-level field or a path).
fn count_by(events: &[&Value], pointer: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for event in events {
        let value = event.pointer(pointer).cloned().unwrap_or(Value::Null);
        let value = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned);
        *counts.entry(value).or_default() += 1;
    }
    counts
}

fn check_visitor_a(report: &Value, rows: &[&Value]) {
    let a = &report["a"];
    let session = a["sessionId"].as_str().expect("session id");
    assert!(session.starts_with("sess_"), "{a}");
    assert_eq!(
        report["afterReload"]["visitorId"], a["visitorId"],
        "reload keeps the visitor"
    );
    assert_eq!(
        report["afterReload"]["sessionId"], session,
        "and the session"
    );
    for row in rows {
        let event = &row["event"];
        assert_eq!(event["sessionId"], session, "{event}");
        assert_eq!(event["device"]["automation"]["webdriver"], true, "{event}");
        assert!(event["page"]["url"]
            .as_str()
            .expect("url")
            .starts_with("http://127.0.0.1:"));
        assert!(
            event["device"]["viewport"]["width"].as_u64() > Some(0),
            "{event}"
        );
    }

    let pages = count_by(&typed(rows, "pageview"), "/page/path");
    let expected = [("/shop/", 1), ("/shop/checkout", 3), ("/shop/thanks", 1)];
    let expected: BTreeMap<String, usize> =
        expected.iter().map(|(p, n)| (p.to_string(), *n)).collect();
    assert_eq!(pages, expected, "load, pushState ×2, popstate, reload");

    let clicks = typed(rows, "click");
    let by_selector: BTreeMap<&str, &Value> = clicks
        .iter()
        .map(|c| {
            (
                c["element"]["selector"].as_str().expect("selector"),
                &c["element"],
            )
        })
        .collect();
    assert_eq!(
        by_selector.len(),
        3,
        "#buy, the data-track span, #send: {by_selector:?}"
    );
    assert_eq!(
        by_selector["#buy"]["text"], "Buy now",
        "trimmed, spaces collapsed"
    );
    assert!(
        by_selector["#buy"]["x"].as_f64() > Some(0.0)
            && by_selector["#buy"]["y"].as_f64() > Some(0.0)
    );
    assert_eq!(by_selector["#send"]["text"], "Sign up");
    let promo = by_selector["body > nav:nth-of-type(1) > span:nth-of-type(1)"];
    assert_eq!(
        promo["text"], "Mail [email] or call [number]",
        "PII scrubbed"
    );

    let depths: Vec<u64> = {
        let mut d: Vec<u64> = typed(rows, "scroll")
            .iter()
            .map(|s| s["depth"].as_u64().expect("depth"))
            .collect();
        d.sort_unstable();
        d
    };
    assert_eq!(depths, [10, 25, 50, 75, 100]);

    let forms = typed(rows, "form");
    let signup: Vec<&&Value> = forms.iter().filter(|f| f["formId"] == "signup").collect();
    let actions = count_by(&signup.iter().map(|f| **f).collect::<Vec<_>>(), "/action");
    assert_eq!(actions.get("focus"), Some(&2), "{actions:?}");
    assert_eq!(actions.get("blur"), Some(&1), "{actions:?}");
    assert_eq!(actions.get("submit"), Some(&1), "{actions:?}");
    assert_eq!(actions.get("abandon"), None, "a sent form is not abandoned");
    let submit = signup
        .iter()
        .find(|f| f["action"] == "submit")
        .expect("submit");
    assert_eq!(submit["fieldCount"], 3, "the hidden input is not a field");
    assert_eq!(submit["completion_rate"], 67, "2 of 3 filled");
    let newsletter = forms
        .iter()
        .find(|f| f["formId"] == "newsletter" && f["action"] == "abandon")
        .expect("the begun newsletter form is abandoned on the route change");
    assert_eq!(newsletter["fieldCount"], 1);
    assert!(forms.iter().all(|f| f.get("values").is_none()));

    let custom = typed(rows, "custom");
    let plan = custom
        .iter()
        .find(|c| c["name"] == "plan_selected")
        .expect("trackEvent");
    assert_eq!(
        (plan["category"].as_str(), plan["label"].as_str()),
        (Some("pricing"), Some("pro"))
    );
    assert_eq!(plan["value"], 49);
    assert!(
        custom.iter().any(|c| c["name"] == "before_reload"),
        "the beacon on reload"
    );

    let identify = typed(rows, "identify");
    assert_eq!(identify.len(), 1);
    assert_eq!(
        identify[0]["hem"], report["hem"],
        "SHA-256 of the trimmed, lowercased email"
    );

    let text = serde_json::to_string(rows).expect("json");
    for secret in ["jane@example.com", "Jane.Doe", "555"] {
        assert!(!text.contains(secret), "{secret} left the page");
    }
    // navigator.webdriver: every event of the visitor is labelled bot, and so is its snapshot.
    for row in rows {
        assert_eq!(row["labels"]["behavioralClass"], "bot", "{}", row["labels"]);
        assert_eq!(
            row["labels"]["bot"]["category"], "automation",
            "{}",
            row["labels"]
        );
    }
    assert_eq!(
        a["signals"]["visitorId"], a["visitorId"],
        "onVisitor: {}",
        a["signals"]
    );
    assert_eq!(a["signals"]["behavioralClass"], "bot");
}

fn check_consent(report: &Value, all: &[Value]) {
    let c = &report["c"];
    assert_eq!(
        c["requestsBeforeConsent"], 0,
        "opt-in: nothing before consent"
    );
    assert_eq!(
        c["visitorIdBeforeConsent"],
        Value::Null,
        "and no visitor cookie"
    );
    let cookies = c["cookiesBeforeConsent"].as_array().expect("cookies");
    assert!(
        !cookies.iter().any(|k| k == "_cs_uid" || k == "_cs_sid"),
        "{cookies:?}"
    );
    assert!(c["requestsAfterConsent"].as_u64() > Some(0));
    assert_eq!(c["requestsAfterRevoke"], 0, "nothing after a revocation");
    let visitor = c["visitorId"].as_str().expect("visitor after consent");
    let rows = of(all, visitor);
    let types = count_by(
        &rows.iter().map(|r| &r["event"]).collect::<Vec<_>>(),
        "/type",
    );
    let expected: BTreeMap<String, usize> =
        [("_consent_transition", 1), ("pageview", 1), ("click", 1)]
            .iter()
            .map(|(t, n)| (t.to_string(), *n))
            .collect();
    assert_eq!(
        types, expected,
        "no identify without identity-resolution consent"
    );
    let transition = typed(&rows, "_consent_transition")[0];
    assert_eq!(transition["consent"]["analytics"], true);
    assert_eq!(transition["consent"]["identityResolution"], false);
    assert_eq!(transition["page"]["title"], "", "no page content");
    let before = all
        .iter()
        .any(|row| row["event"]["name"] == "before_consent");
    assert!(!before, "an event from before consent was stored");
}

#[tokio::test]
async fn the_clickstream_sdk_in_chromium_sends_what_the_visitor_does() {
    require_browser();
    let (_dir, data) = data_dir();
    let server = serve(&data);
    let website = key(&data, "website");
    let reader = key(&data, "server");
    // Kept after the run (under target/tmp), to be looked at.
    let screenshots = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser-sdk");
    std::fs::create_dir_all(&screenshots).expect("screenshot dir");
    let report = run_script(
        "sdk.mjs",
        &[
            ("CLICKWIRE_URL", server.base.as_str()),
            ("WEBSITE_KEY", website.as_str()),
            ("OUT_DIR", screenshots.to_str().expect("utf-8 path")),
        ],
    );
    assert_eq!(
        report["webdriver"], true,
        "Chromium under automation says so"
    );
    let a = report["a"]["visitorId"]
        .as_str()
        .expect("visitor A")
        .to_owned();
    let b = report["b"]["visitorId"]
        .as_str()
        .expect("visitor B")
        .to_owned();
    let d = report["d"]["visitorId"]
        .as_str()
        .expect("visitor D")
        .to_owned();
    assert!(a.starts_with("vis_"), "{a}");
    assert_ne!(a, b, "a fresh context is a new visitor");

    let client = reqwest::Client::new();
    let rows = rows_when(&client, &server.base, &reader, |rows| {
        let a_pages = typed(&of(rows, &a), "pageview").len();
        a_pages >= 5 && !of(rows, &b).is_empty() && !of(rows, &d).is_empty()
    })
    .await;
    check_visitor_a(&report, &of(&rows, &a));
    assert_eq!(
        typed(&of(&rows, &b), "pageview").len(),
        1,
        "visitor B's load"
    );
    check_consent(&report, &rows);

    let d_rows = of(&rows, &d);
    assert_eq!(report["d"]["webdriver"], false);
    // The same user agent as visitor A, without navigator.webdriver: not a bot.
    assert!(!d_rows.is_empty());
    for row in &d_rows {
        assert_eq!(row["event"]["device"]["automation"]["webdriver"], false);
        assert_eq!(row["labels"]["bot"]["isBot"], false, "{}", row["labels"]);
        assert_ne!(row["labels"]["behavioralClass"], "bot", "{}", row["labels"]);
    }
    for shot in ["sdk-page-desktop.png", "sdk-page-phone.png"] {
        let size = std::fs::metadata(screenshots.join(shot)).map_or(0, |m| m.len());
        assert!(size > 0, "{shot} was not saved");
    }
    server.kill();
}
