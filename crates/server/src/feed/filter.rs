//! Server-side filters of the Signals Feed (`?filter=`): a subscriber receives only the
//! event frames every clause of its filter matches. Control frames are never filtered.
//!
//! Grammar (whitespace around tokens is ignored):
//!
//! ```text
//! filter  = clause *( "," clause )          ; every clause must match (AND)
//! clause  = path ":" value *( "|" value )   ; the field equals one of the values
//!         / path op value
//! op      = "=" / "!=" / ">=" / "<=" / ">" / "<"
//! path    = field *( "." field )            ; a dot path into the event frame
//! value   = text up to the next "," or "|"; compared as a number with number fields,
//!           as true/false with boolean fields, as text with string fields
//! ```
//!
//! Example: `behavioralClass:human,scores.intent>=70,bot.isBot=false,eventType:click|form`.
//! Only fields of the event frame are accepted as paths, and each value must be one its
//! field can hold — a number for `scores.intent`, `true`/`false` for `bot.isBot`, one of the
//! words of `behavioralClass` — else the filter is refused (400 `invalid_filter`) rather
//! than silently matching nothing. A missing (or null) field matches only `!=` and the
//! literal `null` (`bot.category=null`); `>`, `>=`, `<`, `<=` compare numbers with numbers
//! and free text with text (byte order); they do not apply to booleans or words.

use serde_json::Value;

/// Longest filter accepted, in bytes.
const MAX_LEN: usize = 2048;
/// Most clauses in one filter.
const MAX_CLAUSES: usize = 32;

/// What a field of the event frame holds, which decides the values a filter may compare
/// it with.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Number,
    Bool,
    Text,
    /// One of these words.
    Word(&'static [&'static str]),
    /// An object: only tested for presence (`=null`, `!=null`).
    Object,
}

const EVENT_TYPES: &[&str] = &["pageview", "click", "scroll", "form", "custom", "identify"];
const CLASSES: &[&str] = &["bot", "likely_bot", "suspicious", "human"];
const DEVICE_TYPES: &[&str] = &["desktop", "mobile", "tablet"];
const BOT_CATEGORIES: &[&str] = &[
    "search_crawler",
    "ai_agent",
    "social_preview",
    "seo_tool",
    "monitoring",
    "scraper",
    "scanner",
    "automation",
    "stealth_bot",
];
const EMOTIONAL_STATES: &[&str] = &["positive", "neutral", "confused", "frustrated"];
const DECISION_STAGES: &[&str] = &[
    "awareness",
    "consideration",
    "evaluation",
    "decision",
    "purchase",
];

/// The dot paths of the event frame a filter may name, with what each holds.
const FIELDS: &[(&str, Kind)] = &[
    ("id", Kind::Text),
    ("seq", Kind::Number),
    ("ts", Kind::Number),
    ("visitorId", Kind::Text),
    ("sessionId", Kind::Text),
    ("eventType", Kind::Word(EVENT_TYPES)),
    ("page", Kind::Text),
    ("bot.isBot", Kind::Bool),
    ("bot.score", Kind::Number),
    ("bot.category", Kind::Word(BOT_CATEGORIES)),
    ("bot.name", Kind::Text),
    ("behavioralClass", Kind::Word(CLASSES)),
    ("device.type", Kind::Word(DEVICE_TYPES)),
    ("device.browser", Kind::Text),
    ("device.os", Kind::Text),
    ("device.isMobile", Kind::Bool),
    ("scores", Kind::Object),
    ("scores.intent", Kind::Number),
    ("scores.frustration", Kind::Number),
    ("scores.engagement", Kind::Number),
    ("scores.value", Kind::Number),
    ("scores.churn", Kind::Number),
    ("scores.abandonment", Kind::Number),
    ("scores.conversionReadiness", Kind::Number),
    ("scores.sessionMomentum", Kind::Number),
    ("scores.confusion", Kind::Number),
    ("scores.emotionalState", Kind::Word(EMOTIONAL_STATES)),
    ("scores.decisionStage", Kind::Word(DECISION_STAGES)),
    ("hasIdentified", Kind::Bool),
];

/// A parsed filter: clauses that must all match.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    clauses: Vec<Clause>,
}

#[derive(Debug, Clone, PartialEq)]
struct Clause {
    path: Vec<String>,
    test: Test,
}

#[derive(Debug, Clone, PartialEq)]
enum Test {
    OneOf(Vec<Literal>),
    Compare(Op, Literal),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Ge,
    Le,
    Gt,
    Lt,
}

/// A value as written; a string field compares with the text, a number or boolean field
/// with the value the text spells.
#[derive(Debug, Clone, PartialEq)]
struct Literal {
    text: String,
    number: Option<f64>,
}

impl Literal {
    fn is_null(&self) -> bool {
        self.text == "null"
    }
}

impl Filter {
    /// Parses `text`; the error says what is wrong, for a 400 `invalid_filter`.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.len() > MAX_LEN {
            return Err(format!("longer than {MAX_LEN} bytes"));
        }
        let clauses = text
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(parse_clause)
            .collect::<Result<Vec<_>, _>>()?;
        if clauses.is_empty() {
            return Err("empty filter".into());
        }
        if clauses.len() > MAX_CLAUSES {
            return Err(format!("more than {MAX_CLAUSES} clauses"));
        }
        Ok(Self { clauses })
    }

    /// True when `frame` (a parsed event frame) satisfies every clause.
    pub fn matches(&self, frame: &Value) -> bool {
        self.clauses.iter().all(|clause| clause.matches(frame))
    }
}

fn parse_clause(clause: &str) -> Result<Clause, String> {
    // The first operator character splits the path from the test.
    let split = clause
        .find([':', '=', '!', '<', '>'])
        .ok_or_else(|| format!("`{clause}` has no operator (one of : = != >= <= > <)"))?;
    let (path, rest) = clause.split_at(split);
    let (path, kind) = parse_path(path.trim())?;
    let (test, value) = if let Some(values) = rest.strip_prefix(':') {
        let values: Vec<Literal> = values.split('|').map(|v| literal(v.trim())).collect();
        for value in &values {
            check(clause, kind, Op::Eq, value)?;
        }
        return Ok(Clause {
            path,
            test: Test::OneOf(values),
        });
    } else if let Some(v) = rest.strip_prefix("!=") {
        (Op::Ne, v)
    } else if let Some(v) = rest.strip_prefix(">=") {
        (Op::Ge, v)
    } else if let Some(v) = rest.strip_prefix("<=") {
        (Op::Le, v)
    } else if let Some(v) = rest.strip_prefix('>') {
        (Op::Gt, v)
    } else if let Some(v) = rest.strip_prefix('<') {
        (Op::Lt, v)
    } else if let Some(v) = rest.strip_prefix('=') {
        (Op::Eq, v.strip_prefix('=').unwrap_or(v))
    } else {
        return Err(format!("`{clause}`: unknown operator"));
    };
    let value = literal(value.trim());
    check(clause, kind, test, &value)?;
    Ok(Clause {
        path,
        test: Test::Compare(test, value),
    })
}

/// Refuses a value the field cannot hold, or an order on a field that has none.
fn check(clause: &str, kind: Kind, op: Op, value: &Literal) -> Result<(), String> {
    let ordered = matches!(op, Op::Ge | Op::Le | Op::Gt | Op::Lt);
    if value.is_null() {
        return if ordered {
            Err(format!("`{clause}`: > >= < <= need a value, not null"))
        } else {
            Ok(())
        };
    }
    let text = value.text.as_str();
    match kind {
        Kind::Number if value.number.is_none() => {
            Err(format!("`{clause}`: `{text}` is not a number"))
        }
        Kind::Number | Kind::Text => Ok(()),
        Kind::Bool if ordered => Err(format!("`{clause}`: a boolean has no order")),
        Kind::Bool if !matches!(text, "true" | "false") => {
            Err(format!("`{clause}`: `{text}` is not true or false"))
        }
        Kind::Bool => Ok(()),
        Kind::Word(_) if ordered => Err(format!("`{clause}`: this field has no order")),
        Kind::Word(words) if !words.contains(&text) => Err(format!(
            "`{clause}`: `{text}` is not one of {}",
            words.join(", ")
        )),
        Kind::Word(_) => Ok(()),
        Kind::Object => Err(format!(
            "`{clause}`: an object can only be tested for null (=null, !=null)"
        )),
    }
}

fn parse_path(path: &str) -> Result<(Vec<String>, Kind), String> {
    let Some(&(_, kind)) = FIELDS.iter().find(|(name, _)| *name == path) else {
        let names: Vec<&str> = FIELDS.iter().map(|(name, _)| *name).collect();
        return Err(format!(
            "unknown field `{path}`; known fields: {}",
            names.join(", ")
        ));
    };
    Ok((path.split('.').map(str::to_owned).collect(), kind))
}

fn literal(text: &str) -> Literal {
    Literal {
        text: text.to_owned(),
        number: text.parse::<f64>().ok().filter(|n| n.is_finite()),
    }
}

impl Clause {
    fn matches(&self, frame: &Value) -> bool {
        let field = self
            .path
            .iter()
            .try_fold(frame, |value, name| value.get(name))
            .filter(|value| !value.is_null());
        match (&self.test, field) {
            (Test::OneOf(values), Some(field)) => values.iter().any(|v| v.equals(field)),
            (Test::OneOf(values), None) => values.iter().any(Literal::is_null),
            (Test::Compare(Op::Eq, value), Some(field)) => value.equals(field),
            (Test::Compare(Op::Ne, value), Some(field)) => !value.equals(field),
            (Test::Compare(Op::Eq, value), None) => value.is_null(),
            (Test::Compare(Op::Ne, value), None) => !value.is_null(),
            (Test::Compare(op, value), Some(field)) => value.ordered(*op, field),
            (Test::Compare(..), None) => false,
        }
    }
}

impl Literal {
    fn equals(&self, field: &Value) -> bool {
        match field {
            Value::String(f) => self.text == *f,
            Value::Number(f) => self.number.is_some() && f.as_f64() == self.number,
            Value::Bool(f) => self.text == if *f { "true" } else { "false" },
            _ => false,
        }
    }

    /// `field <op> self`.
    fn ordered(&self, op: Op, field: &Value) -> bool {
        let ordering = match field {
            Value::Number(f) => f
                .as_f64()
                .zip(self.number)
                .and_then(|(f, n)| f.partial_cmp(&n)),
            Value::String(f) => Some(f.as_str().cmp(self.text.as_str())),
            _ => None,
        };
        let Some(ordering) = ordering else {
            return false;
        };
        match op {
            Op::Gt => ordering.is_gt(),
            Op::Ge => ordering.is_ge(),
            Op::Lt => ordering.is_lt(),
            Op::Le => ordering.is_le(),
            Op::Eq => ordering.is_eq(),
            Op::Ne => ordering.is_ne(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn frame() -> Value {
        json!({
            "id": "evt_1", "seq": 7, "type": "event", "ts": 1, "visitorId": "v1",
            "sessionId": "s1", "eventType": "click", "page": "/pricing",
            "bot": { "isBot": false, "score": 8 },
            "behavioralClass": "human",
            "device": { "type": "desktop", "browser": "Chrome", "os": "macOS", "isMobile": false },
            "scores": { "intent": 82, "sessionMomentum": 0.42, "emotionalState": "positive" },
            "hasIdentified": false
        })
    }

    fn matches(filter: &str) -> bool {
        Filter::parse(filter)
            .expect("valid filter")
            .matches(&frame())
    }

    #[test]
    fn the_documented_example_matches_a_high_intent_human_click() {
        assert!(matches(
            "behavioralClass:human,scores.intent>=70,bot.isBot=false,eventType:click|form"
        ));
    }

    #[test]
    fn every_clause_must_match() {
        assert!(!matches("behavioralClass:human,scores.intent>90"));
        assert!(matches(
            "scores.intent>81,scores.intent<83,scores.intent<=82"
        ));
    }

    #[test]
    fn one_of_accepts_any_listed_value() {
        assert!(matches("eventType:pageview|click"));
        assert!(!matches("eventType:pageview|form"));
        assert!(matches("behavioralClass : bot | human"));
    }

    #[test]
    fn numbers_booleans_and_strings_compare_by_type() {
        assert!(matches("scores.sessionMomentum>0.4"));
        assert!(matches("bot.score!=9"));
        assert!(matches("device.isMobile=false"));
        assert!(!matches("device.isMobile=true"));
        assert!(matches("page=/pricing"));
        assert!(matches("page>/about"));
        assert!(matches("visitorId=v1,seq=7,seq:7.0"));
    }

    #[test]
    fn a_missing_field_matches_only_not_equal() {
        assert!(matches("bot.category!=search_crawler"));
        assert!(!matches("bot.category=search_crawler"));
        assert!(!matches("bot.name>a"));
        assert!(matches("bot.category=null"));
    }

    #[test]
    fn bad_filters_say_what_is_wrong() {
        let err = Filter::parse("scores.intnet>=70").expect_err("unknown field");
        assert!(err.contains("unknown field `scores.intnet`"), "{err}");
        let err = Filter::parse("behavioralClass").expect_err("no operator");
        assert!(err.contains("no operator"), "{err}");
        assert!(Filter::parse("").is_err());
        assert!(Filter::parse("bot.isBot>true").is_err());
        assert!(Filter::parse(&"a".repeat(MAX_LEN + 1)).is_err());
    }

    #[test]
    fn a_value_the_field_cannot_hold_is_refused_not_silently_unmatched() {
        let refused = [
            ("scores.intent>>>x", "`>>x` is not a number"),
            ("scores.intent:high", "`high` is not a number"),
            ("bot.isBot=maybe", "`maybe` is not true or false"),
            ("bot.isBot:0", "`0` is not true or false"),
            (
                "behavioralClass:humna",
                "`humna` is not one of bot, likely_bot",
            ),
            ("eventType:pageview|clik", "`clik` is not one of"),
            ("behavioralClass>bot", "no order"),
            ("device.isMobile<true", "a boolean has no order"),
            ("scores=1", "only be tested for null"),
            ("scores.intent>null", "not null"),
            ("behavioralClass:", "`` is not one of"),
        ];
        for (filter, why) in refused {
            let err = Filter::parse(filter).expect_err(filter);
            assert!(err.contains(why), "{filter}: {err}");
        }
        for accepted in [
            "scores=null",
            "scores!=null",
            "bot.category=null",
            "scores.decisionStage:evaluation|decision",
            "device.type:tablet",
            "page=",
            "scores.intent:70|80",
        ] {
            assert!(Filter::parse(accepted).is_ok(), "{accepted}");
        }
    }

    #[test]
    fn the_word_lists_name_every_label_the_scorer_writes() {
        use clickwire_enrich::{
            BehavioralClass, BotCategory, DecisionStage, DeviceType, EmotionalState,
        };
        let name = |value: serde_json::Value| value.as_str().expect("a word").to_owned();
        for class in [
            BehavioralClass::Bot,
            BehavioralClass::LikelyBot,
            BehavioralClass::Suspicious,
            BehavioralClass::Human,
        ] {
            assert!(CLASSES.contains(&class.as_str()));
        }
        for device in [DeviceType::Desktop, DeviceType::Mobile, DeviceType::Tablet] {
            assert!(DEVICE_TYPES.contains(&device.as_str()));
        }
        for category in [
            BotCategory::SearchCrawler,
            BotCategory::AiAgent,
            BotCategory::SocialPreview,
            BotCategory::SeoTool,
            BotCategory::Monitoring,
            BotCategory::Scraper,
            BotCategory::Scanner,
            BotCategory::Automation,
            BotCategory::StealthBot,
        ] {
            assert!(BOT_CATEGORIES.contains(&category.as_str()));
        }
        for state in [
            EmotionalState::Positive,
            EmotionalState::Neutral,
            EmotionalState::Confused,
            EmotionalState::Frustrated,
        ] {
            let state = name(serde_json::to_value(state).expect("json"));
            assert!(EMOTIONAL_STATES.contains(&state.as_str()), "{state}");
        }
        for stage in [
            DecisionStage::Awareness,
            DecisionStage::Consideration,
            DecisionStage::Evaluation,
            DecisionStage::Decision,
            DecisionStage::Purchase,
        ] {
            let stage = name(serde_json::to_value(stage).expect("json"));
            assert!(DECISION_STAGES.contains(&stage.as_str()), "{stage}");
        }
    }
}
