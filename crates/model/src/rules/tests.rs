use serde_json::json;

use super::*;

fn rule(path: &str, op: Op, value: Value) -> Rule {
    Rule {
        path: path.into(),
        op,
        value: (!value.is_null()).then_some(value),
    }
}

fn event() -> Value {
    json!({
        "method": "POST",
        "headers": {"x-github-event": "push"},
        "body": {"ref": "refs/heads/main", "commits": [{"id": "a1"}], "tags": ["x", "y"]},
        "behavioralClass": "human",
        "scores": {"intent": 82, "churn": 12.5},
        "bot": {"isBot": false},
    })
}

#[test]
fn every_operator_on_payload_headers_and_scores() {
    let e = event();
    let cases = [
        (rule("method", Op::Eq, json!("POST")), true),
        (rule("method", Op::Eq, json!("GET")), false),
        (rule("headers.x-github-event", Op::Neq, json!("ping")), true),
        (rule("missing", Op::Neq, json!("ping")), true),
        (rule("body.ref", Op::Contains, json!("main")), true),
        (rule("body.tags", Op::Contains, json!("y")), true),
        (rule("body.tags", Op::Contains, json!("z")), false),
        (rule("scores.intent", Op::Gt, json!(80)), true),
        (rule("scores.intent", Op::Gt, json!(82)), false),
        (rule("scores.intent", Op::Gte, json!(82)), true),
        (rule("scores.churn", Op::Lt, json!(13)), true),
        (rule("scores.churn", Op::Lte, json!(12.5)), true),
        (rule("behavioralClass", Op::Gt, json!(1)), false),
        (rule("bot.isBot", Op::Eq, json!(false)), true),
        (rule("body.commits.0.id", Op::Exists, Value::Null), true),
        (rule("body.commits.1.id", Op::Exists, Value::Null), false),
        (rule("body.absent", Op::Exists, json!(false)), true),
        (
            rule("behavioralClass", Op::In, json!(["bot", "human"])),
            true,
        ),
        (rule("behavioralClass", Op::In, json!(["bot"])), false),
        (rule("scores.intent", Op::Eq, json!(82.0)), true),
        (rule("scores.intent", Op::Eq, json!("82")), false),
    ];
    for (rule, want) in cases {
        assert_eq!(rule.matches(&e), want, "{rule:?}");
        assert_eq!(rule.check(), Ok(()), "{rule:?}");
    }
}

#[test]
fn rules_are_anded() {
    let e = event();
    let human = rule("behavioralClass", Op::Eq, json!("human"));
    let intent = rule("scores.intent", Op::Gte, json!(70));
    let bot = rule("bot.isBot", Op::Eq, json!(true));
    assert!(all_match(&[human.clone(), intent.clone()], &e));
    assert!(!all_match(&[human, intent, bot], &e));
    assert!(all_match(&[], &e));
}

#[test]
fn rules_that_cannot_be_evaluated_are_refused() {
    let cases = [
        (rule("", Op::Eq, json!(1)), RuleError::BadPath),
        (rule("a..b", Op::Eq, json!(1)), RuleError::BadPath),
        (
            rule("a", Op::Eq, Value::Null),
            RuleError::MissingValue(Op::Eq),
        ),
        (
            rule("a", Op::Gt, json!("10")),
            RuleError::NotANumber(Op::Gt),
        ),
        (rule("a", Op::In, json!("x")), RuleError::NotAnArray),
        (rule("a", Op::Exists, json!("yes")), RuleError::NotABool),
    ];
    for (rule, want) in cases {
        assert_eq!(rule.check(), Err(want), "{rule:?}");
    }
    let unknown: Result<Rule, _> =
        serde_json::from_value(json!({"path":"a","op":"like","value":1}));
    assert!(unknown.is_err(), "an unknown operator does not parse");
}
