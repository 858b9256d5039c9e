//! Pipeline request bodies for the load generator: the same simulated browsers and
//! traffic mix as the ClickStream bodies, sent as Datafly Signal messages. In a batch
//! (`{"batch": [...]}` for `/v1/batch`) a pageview is a `page` and every other event a
//! `track` named after it; a single message is for `/v1/t`, which takes tracks only, so
//! there a pageview is the track `Page Viewed`. Each message gets a fresh `messageId` when its body
//! is sent ([`super::events::Body::render`]); the server stamps the receipt time.

use rand::{rngs::StdRng, Rng, SeedableRng};
use serde_json::{json, Value};

use super::events::{random_event, Body, Visitor, ID_SENTINEL, SEED};

/// Builds `bodies` bodies of `batch` messages each from `visitors` visitors.
pub fn build_pool(bodies: usize, batch: u32, visitors: u32) -> anyhow::Result<Vec<Body>> {
    let mut rng = StdRng::seed_from_u64(SEED);
    let population: Vec<Visitor> = (0..visitors).map(|_| Visitor::new(&mut rng)).collect();
    let mut pool = Vec::with_capacity(bodies);
    for _ in 0..bodies {
        let messages: Vec<Value> = (0..batch)
            .map(|_| {
                let visitor = &population[rng.random_range(0..population.len())];
                message(&random_event(&mut rng, visitor), batch > 1)
            })
            .collect();
        let value = match batch {
            1 => messages.into_iter().next().unwrap_or_default(),
            _ => json!({ "batch": messages }),
        };
        pool.push(Body::new(serde_json::to_vec(&value)?, batch));
    }
    Ok(pool)
}

/// The pipeline message a ClickStream event amounts to (a pageview is a `page` only when
/// `pages` allows it).
fn message(event: &Value, pages: bool) -> Value {
    let device = &event["device"];
    let mut context = json!({
        "page": event["page"],
        "userAgent": device["userAgent"],
        "locale": device["language"],
        "sessionId": event["sessionId"],
        "library": { "name": "clickwire-loadgen", "version": env!("CARGO_PKG_VERSION") },
    });
    if !device["screen"].is_null() {
        context["screen"] = device["screen"].clone();
    }
    if !device["timezone"].is_null() {
        context["timezone"] = device["timezone"].clone();
    }
    let kind = event["type"].as_str().unwrap_or("custom");
    let mut message = json!({
        "anonymousId": event["visitorId"],
        "context": context,
        "messageId": ID_SENTINEL,
    });
    if kind == "pageview" && pages {
        message["type"] = json!("page");
        message["name"] = event["page"]["title"].clone();
        message["properties"] = event["page"].clone();
    } else {
        let mut properties = event.clone();
        if let Some(map) = properties.as_object_mut() {
            for envelope in [
                "type",
                "visitorId",
                "sessionId",
                "timestamp",
                "page",
                "device",
                "consent",
            ] {
                map.remove(envelope);
            }
        }
        let name = match kind {
            "pageview" => "Page Viewed",
            other => event["name"].as_str().unwrap_or(other),
        };
        message["type"] = json!("track");
        message["event"] = json!(name);
        message["properties"] = properties;
    }
    message
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::loadgen::events::now_digits;

    #[test]
    fn every_message_is_valid_under_the_pipeline_rules() -> anyhow::Result<()> {
        use clickwire_model::signal::{parse_single, Dialect, SignalContext};
        // Single messages go to /v1/t, which takes tracks only.
        let pool = build_pool(200, 1, 50)?;
        let now = now_digits(1_713_797_640_000).ok_or_else(|| anyhow::anyhow!("digits"))?;
        let ctx = SignalContext {
            now_ms: 1_713_797_640_000,
            dialect: Dialect::Signal,
            batch_sent_at: None,
        };
        for body in &pool {
            let value: Value = serde_json::from_slice(&body.render(&now))?;
            let Value::Object(map) = value.clone() else {
                anyhow::bail!("not an object");
            };
            let track = Some(clickwire_model::signal::MessageType::Track);
            if let Err(err) = parse_single(map, track, ctx) {
                anyhow::bail!("{value}: {err:?}");
            }
        }
        Ok(())
    }

    #[test]
    fn every_message_gets_a_new_id_each_time_its_body_is_sent() -> anyhow::Result<()> {
        let pool = build_pool(4, 100, 50)?;
        let now = now_digits(1_713_797_640_000).ok_or_else(|| anyhow::anyhow!("digits"))?;
        let mut ids = HashSet::new();
        for _ in 0..2 {
            for body in &pool {
                let value: Value = serde_json::from_slice(&body.render(&now))?;
                let batch = value["batch"].as_array().cloned().unwrap_or_default();
                assert_eq!(batch.len(), 100);
                for message in batch {
                    assert!(
                        ["page", "track"].contains(&message["type"].as_str().unwrap_or_default())
                    );
                    assert!(message["anonymousId"].is_string());
                    let id = message["messageId"].as_str().unwrap_or_default().to_owned();
                    assert!(id.starts_with("mid_") && id != ID_SENTINEL, "{id}");
                    assert!(ids.insert(id), "ids never repeat");
                }
            }
        }
        Ok(())
    }
}
