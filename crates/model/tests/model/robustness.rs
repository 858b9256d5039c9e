//! Never panic, whatever the body: odd JSON by hand, then many random mutations of valid
//! events (a small deterministic generator, so failures reproduce).

use clickwire_model::{analytics_row, parse_events, AnalyticsExtras, BatchError, EventType};
use serde_json::{json, Value};

use crate::support::{ctx, event, parse};

/// Parses `body` and checks the outcome is coherent; panics only on a broken invariant.
fn check(body: &[u8]) {
    match parse_events(body, ctx()) {
        Ok(events) => {
            assert!(!events.is_empty());
            for e in &events {
                analytics_row("t", e, &AnalyticsExtras::default());
            }
        }
        Err(BatchError::Validation(errors)) => assert!(!errors.is_empty()),
        Err(BatchError::InvalidJson(message)) => assert!(!message.is_empty()),
    }
}

#[test]
fn odd_json_bodies_never_panic() {
    let bodies = [
        "null", "true", "0", "-0", "1e308", "-1e308", "1e400", "\"\"", "[]", "[[]]", "{}",
        "{\"events\":[null,null]}", "{\"events\":[[],{},1,\"x\",true]}",
        "{\"events\":{\"0\":{}}}", "{\"events\":[{\"events\":[]}]}",
        "{\"type\":null,\"visitorId\":null,\"sessionId\":null,\"timestamp\":null,\"page\":null,\"device\":null}",
        "{\"type\":\"click\",\"element\":null}",
        "{\"type\":\"click\",\"element\":{\"selector\":{\"a\":{\"b\":null}}}}",
        "{\"type\":\"form\",\"files\":[null,[],{\"size\":-1}],\"values\":[]}",
        "{\"type\":\"identify\",\"hem\":\"\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\"}",
        "{\"timestamp\":18446744073709551615}", "{\"timestamp\":-9223372036854775808}",
        "{\"timestamp\":1e308}", "{\"timestamp\":123456789012345678901234567890}",
        "{\"device\":{\"viewport\":{\"width\":1e308,\"height\":-1e308}}}",
        "{\"page\":{\"url\":\"http://[::1\"}}", "{\"page\":{\"url\":\"\\u0000\"}}",
        "{\"\":{\"\":{\"\":null}}}",
    ];
    for body in bodies {
        check(body.as_bytes());
    }
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    check(deep.as_bytes());
    let deep_obj = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    check(deep_obj.as_bytes());
}

/// xorshift64*: tiny, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A random JSON value, nested at most `depth` deep.
fn random_value(rng: &mut Rng, depth: u32) -> Value {
    let pick = if depth == 0 {
        rng.below(8)
    } else {
        rng.below(10)
    };
    match pick {
        0 => Value::Null,
        1 => json!(rng.below(2) == 0),
        2 => json!(rng.next() as i64),
        3 => json!(f64::from_bits(rng.next() >> 2)),
        4 => json!(-(rng.below(1000) as i64)),
        5 => json!(""),
        6 => json!("x".repeat(rng.below(600))),
        7 => json!(
            [
                "https://a.b/?utm_source=x|y",
                "myapp://x",
                "é",
                "|",
                "?",
                "#"
            ][rng.below(6)]
        ),
        8 => Value::Array(
            (0..rng.below(4))
                .map(|_| random_value(rng, depth - 1))
                .collect(),
        ),
        _ => {
            let keys = [
                "type",
                "x",
                "url",
                "analytics",
                "width",
                "hem",
                "identity",
                "name",
            ];
            let map = (0..rng.below(4))
                .map(|_| {
                    (
                        keys[rng.below(keys.len())].to_owned(),
                        random_value(rng, depth - 1),
                    )
                })
                .collect();
            Value::Object(map)
        }
    }
}

/// Replaces or removes one random field, at any depth, of `value`.
fn mutate(rng: &mut Rng, value: &mut Value) {
    let Value::Object(map) = value else { return };
    let keys: Vec<String> = map.keys().cloned().collect();
    if keys.is_empty() {
        return;
    }
    let key = &keys[rng.below(keys.len())];
    match rng.below(4) {
        0 => {
            map.remove(key);
        }
        1 => {
            if let Some(child) = map.get_mut(key) {
                mutate(rng, child);
            }
        }
        _ => {
            map.insert(key.clone(), random_value(rng, 3));
        }
    }
}

#[test]
fn random_mutations_of_valid_events_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut outcomes = [0_usize; 2];
    for round in 0..4_000 {
        let kind = EventType::ALL[round % EventType::ALL.len()];
        let mut e = event(kind.as_str());
        for _ in 0..=rng.below(4) {
            mutate(&mut rng, &mut e);
        }
        let body = if rng.below(3) == 0 {
            json!({"events": [e.clone(), e]})
        } else {
            e
        };
        outcomes[usize::from(parse(&body).is_ok())] += 1;
        check(body.to_string().as_bytes());
    }
    // Both outcomes occur, so the generator really exercises validation and acceptance.
    assert!(outcomes[0] > 100 && outcomes[1] > 100, "{outcomes:?}");
}
