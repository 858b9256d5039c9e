//! The event as it is delivered — and as connection rules see it: `{"id","seq",
//! "source_id","received_at", …the stored event object, …its labels}`. The payload's and
//! the labels' fields sit at the top level, so a rule reads `method`, `headers.x-github-event`
//! or `body.data.id` of a webhook and `behavioralClass`, `scores.intent` or `bot.isBot` of a
//! scored web event. Where both have an object of the same name (`device`), the labels'
//! fields are added to the payload's. Sealed personal fields stay sealed.

use clickwire_model::signal::format_iso;
use clickwire_store::deliveries::RoutedEvent;
use serde_json::{Map, Value};

/// The delivered document of `event`.
pub fn document(event: &RoutedEvent) -> Value {
    let mut document = Map::new();
    document.insert("id".into(), Value::String(event.id.clone()));
    document.insert("seq".into(), Value::from(event.seq));
    document.insert(
        "source_id".into(),
        event.source.clone().map_or(Value::Null, Value::String),
    );
    document.insert(
        "received_at".into(),
        Value::String(format_iso(event.received_at)),
    );
    let payload = serde_json::from_str::<Map<String, Value>>(&event.payload).unwrap_or_default();
    let labels = event
        .labels
        .as_deref()
        .and_then(|labels| serde_json::from_str::<Map<String, Value>>(labels).ok())
        .unwrap_or_default();
    for (name, value) in payload {
        document.entry(name).or_insert(value);
    }
    for (name, value) in labels {
        match (document.get_mut(&name), value) {
            (Some(Value::Object(mine)), Value::Object(theirs)) => mine.extend(theirs),
            (_, value) => {
                document.insert(name, value);
            }
        }
    }
    Value::Object(document)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn payload_and_labels_meet_at_the_top_with_the_position_first() {
        let event = RoutedEvent {
            seq: 7,
            id: "evt_1".into(),
            tenant: "t".into(),
            source: None,
            received_at: 0,
            payload: json!({"eventType": "click", "device": {"userAgent": "UA"}, "id": "x"})
                .to_string(),
            labels: Some(
                json!({"behavioralClass": "human", "device": {"type": "desktop"},
                       "scores": {"intent": 82}})
                .to_string(),
            ),
        };
        assert_eq!(
            document(&event),
            json!({"id": "evt_1", "seq": 7, "source_id": null,
                   "received_at": "1970-01-01T00:00:00.000Z", "eventType": "click",
                   "device": {"userAgent": "UA", "type": "desktop"},
                   "behavioralClass": "human", "scores": {"intent": 82}})
        );
    }
}
