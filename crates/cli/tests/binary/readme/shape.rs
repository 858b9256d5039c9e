//! The output shapes the README shows after `# →`: JSON in which `…` stands for what varies.
//! A string with `…` in it matches any string with the same text around the `…`; a bare `…`
//! as a value matches any value; `…` among an object's members allows members not shown;
//! among an array's elements, elements not shown. An object without `…` must have exactly
//! the members shown; key order never matters, nor how a number is written (`30`, `30.0`).

use serde_json::{Map, Value};

/// Stands for a bare `…` value.
const ANY: &str = "\u{0}any";
/// Stands for a bare `…` member or element.
const REST: &str = "\u{0}rest";

/// The expectation of a README comment, parsed; `None` when it is not JSON.
pub fn parse(expected: &str) -> Option<Value> {
    serde_json::from_str(&mark_ellipses(expected)).ok()
}

/// Whether `actual` has the shape `expected` (from [`parse`]).
pub fn matches(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::String(s), _) if s == ANY => true,
        (Value::String(pattern), Value::String(text)) => string_matches(pattern, text),
        (Value::Object(want), Value::Object(have)) => object_matches(want, have),
        (Value::Array(want), Value::Array(have)) => array_matches(want, have),
        // `30` shown, `30.0` sent: the same number.
        (Value::Number(want), Value::Number(have)) => want.as_f64() == have.as_f64(),
        (want, have) => want == have,
    }
}

fn object_matches(want: &Map<String, Value>, have: &Map<String, Value>) -> bool {
    let open = want.contains_key(REST);
    let shown = want.iter().filter(|(key, _)| key.as_str() != REST);
    let all_there = shown
        .clone()
        .all(|(key, value)| have.get(key).is_some_and(|got| matches(value, got)));
    all_there && (open || have.len() == shown.count())
}

fn array_matches(want: &[Value], have: &[Value]) -> bool {
    let open = want.iter().any(|v| v.as_str() == Some(REST));
    let shown: Vec<&Value> = want.iter().filter(|v| v.as_str() != Some(REST)).collect();
    if !open && shown.len() != have.len() {
        return false;
    }
    // In order, as shown; `…` lets more elements follow.
    shown.len() <= have.len()
        && shown
            .iter()
            .zip(have)
            .all(|(want, have)| matches(want, have))
}

/// `src_…` matches `src_01J…`: the parts around each `…` appear in order.
fn string_matches(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('…').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Rewrites each bare `…` (outside strings) as a JSON token: a member `"REST":0` in an object
/// where a key would go, an element `"REST"` in an array, and `"ANY"` where a value goes.
fn mark_ellipses(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut containers: Vec<char> = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut last_token = ' ';
    for c in text.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => {
                    in_string = false;
                    last_token = '"';
                }
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => containers.push(c),
            '}' | ']' => {
                containers.pop();
            }
            '…' => {
                let in_object = containers.last() == Some(&'{');
                let token = match last_token {
                    ':' => format!("\"{}\"", ANY.escape_default()),
                    '{' | ',' if in_object => format!("\"{}\":0", REST.escape_default()),
                    _ => format!("\"{}\"", REST.escape_default()),
                };
                out.push_str(&token.replace("\\u{0}", "\\u0000"));
                last_token = '"';
                continue;
            }
            _ => {}
        }
        if !c.is_whitespace() {
            last_token = c;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(expected: &str, actual: Value) -> bool {
        matches(&parse(expected).expect("parses"), &actual)
    }

    #[test]
    fn ellipses_stand_for_values_members_elements_and_parts_of_strings() {
        let shown =
            r#"{"events":[{"id":"evt_…","seq":1,"receivedAt":…,"event":{…}}],"next_cursor":null}"#;
        let real = json!({"events":[{"id":"evt_01J","seq":1,"receivedAt":17,"event":{"a":1}}],"next_cursor":null});
        assert!(check(shown, real.clone()));
        let mut extra = real.clone();
        extra["more"] = json!(1);
        assert!(
            !check(shown, extra),
            "a closed object has exactly its members"
        );
        assert!(check(
            r#"{"id":"dst_…",…}"#,
            json!({"id":"dst_1","name":"crm"})
        ));
        assert!(!check(r#"{"id":"dst_…",…}"#, json!({"id":"src_1"})));
        assert!(check(r#"[1,…]"#, json!([1, 2, 3])));
        assert!(!check(r#"[1]"#, json!([1, 2])));
    }
}
