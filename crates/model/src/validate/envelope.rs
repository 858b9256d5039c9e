//! The top-level scalar fields every event carries: `type`, `visitorId`, `sessionId` and
//! `timestamp`.

use serde_json::Value;

use super::{
    fields::{exceeds_chars, non_empty, Obj},
    problem::Problem,
    report::Report,
};
use crate::{
    event::EventType,
    limits::{MAX_ID_CHARS, MAX_TIMESTAMP_MS},
};

/// `type`: one of the seven; email engagement types get their own message.
pub(super) fn event_type(obj: &Obj<'_, '_>, r: &mut Report) -> Option<EventType> {
    obj.req(r, "type", |v| {
        let name = v.as_str().ok_or(Problem::NotString)?;
        EventType::from_wire(name).ok_or_else(|| refused_type(name))
    })
}

fn refused_type(name: &str) -> Problem {
    match name {
        "email_open" => Problem::NotAcceptedHere("email_open"),
        "email_click" => Problem::NotAcceptedHere("email_click"),
        _ => Problem::UnknownEventType,
    }
}

/// `visitorId` / `sessionId`: a non-empty string of at most [`MAX_ID_CHARS`] chars.
pub(super) fn id(obj: &Obj<'_, '_>, r: &mut Report, key: &str) -> Option<String> {
    obj.req(r, key, |v| {
        let s = non_empty(v)?;
        if exceeds_chars(s, MAX_ID_CHARS) {
            return Err(Problem::TooManyChars(MAX_ID_CHARS));
        }
        Ok(s.to_owned())
    })
}

/// `timestamp`: milliseconds since the epoch, floored to an integer.
pub(super) fn timestamp(obj: &Obj<'_, '_>, r: &mut Report) -> Option<i64> {
    obj.req(r, "timestamp", epoch_ms)
}

fn epoch_ms(v: &Value) -> Result<i64, Problem> {
    if let Some(ms) = v.as_i64() {
        return (0..=MAX_TIMESTAMP_MS)
            .contains(&ms)
            .then_some(ms)
            .ok_or(Problem::NotTimestamp);
    }
    let ms = v.as_f64().ok_or(Problem::NotNumber)?;
    if !(0.0..=MAX_TIMESTAMP_MS as f64).contains(&ms) {
        return Err(Problem::NotTimestamp);
    }
    // In range and finite, so the cast is exact after flooring.
    Ok(ms.floor() as i64)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::epoch_ms;
    use crate::validate::problem::Problem;

    #[test]
    fn an_integer_timestamp_is_taken_as_is() {
        assert_eq!(
            epoch_ms(&json!(1_713_797_640_000_i64)),
            Ok(1_713_797_640_000)
        );
    }

    #[test]
    fn a_fractional_timestamp_is_floored() {
        assert_eq!(
            epoch_ms(&json!(1_713_797_640_000.75)),
            Ok(1_713_797_640_000)
        );
    }

    #[test]
    fn negative_and_far_future_timestamps_are_refused() {
        assert_eq!(epoch_ms(&json!(-1)), Err(Problem::NotTimestamp));
        assert_eq!(epoch_ms(&json!(-0.5)), Err(Problem::NotTimestamp));
        assert_eq!(epoch_ms(&json!(u64::MAX)), Err(Problem::NotTimestamp));
        assert_eq!(epoch_ms(&json!(1e300)), Err(Problem::NotTimestamp));
    }

    #[test]
    fn a_string_timestamp_is_not_a_number() {
        assert_eq!(epoch_ms(&json!("1713797640000")), Err(Problem::NotNumber));
    }
}
