//! Normalisation: truncating over-long strings on a char boundary, replacing a skewed client
//! timestamp with the server clock, and writing both into the stored payload.

use serde_json::{Map, Value};

use crate::{
    event::EventType,
    limits::{MAX_SELECTOR, MAX_SKEW_MS, MAX_USER_AGENT},
};

/// The first `max` chars of `s` (all of `s` when shorter); never splits a char.
pub(crate) fn truncate_chars(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    match s.char_indices().nth(max) {
        Some((end, _)) => &s[..end],
        None => s,
    }
}

/// The client timestamp when it is within [`MAX_SKEW_MS`] of `now_ms`, else `now_ms`.
pub(crate) fn correct_skew(client_ms: i64, now_ms: i64) -> i64 {
    if client_ms.abs_diff(now_ms) > MAX_SKEW_MS.unsigned_abs() {
        now_ms
    } else {
        client_ms
    }
}

/// Applies the normalisation to the stored event object.
pub(crate) fn normalise_payload(event: &mut Map<String, Value>, kind: EventType, timestamp: i64) {
    if event.get("timestamp").and_then(Value::as_i64) != Some(timestamp) {
        event.insert("timestamp".to_owned(), Value::from(timestamp));
    }
    truncate_at(event, "device", "userAgent", MAX_USER_AGENT);
    if kind == EventType::Click {
        truncate_at(event, "element", "selector", MAX_SELECTOR);
    }
}

fn truncate_at(event: &mut Map<String, Value>, outer: &str, inner: &str, max: usize) {
    let target = event.get_mut(outer).and_then(|o| o.get_mut(inner));
    if let Some(Value::String(s)) = target {
        let keep = truncate_chars(s, max).len();
        s.truncate(keep);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_short_strings_whole() {
        assert_eq!(truncate_chars("abc", 3), "abc");
        assert_eq!(truncate_chars("", 0), "");
    }

    #[test]
    fn truncation_counts_chars_and_never_splits_one() {
        let s = "aé😀b";
        assert_eq!(truncate_chars(s, 3), "aé😀");
        assert_eq!(truncate_chars(s, 2), "aé");
        assert_eq!(truncate_chars(s, 0), "");
    }

    #[test]
    fn a_timestamp_exactly_at_the_skew_limit_is_kept() {
        let now = 1_000_000_000;
        assert_eq!(correct_skew(now - MAX_SKEW_MS, now), now - MAX_SKEW_MS);
        assert_eq!(correct_skew(now + MAX_SKEW_MS, now), now + MAX_SKEW_MS);
    }

    #[test]
    fn a_timestamp_one_ms_beyond_the_skew_limit_is_replaced() {
        let now = 1_000_000_000;
        assert_eq!(correct_skew(now - MAX_SKEW_MS - 1, now), now);
        assert_eq!(correct_skew(now + MAX_SKEW_MS + 1, now), now);
    }

    #[test]
    fn skew_correction_does_not_overflow_at_the_extremes() {
        assert_eq!(correct_skew(0, i64::MAX), i64::MAX);
        assert_eq!(correct_skew(i64::MAX, i64::MIN), i64::MIN);
    }
}
