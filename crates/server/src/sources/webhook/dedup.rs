//! The dedup key of a webhook request under its source's rule: the SHA-256 of the body,
//! a header's value, or the value at a dot path of a JSON body. A request without the
//! field has no key and is never a duplicate.

use axum::http::HeaderMap;
use clickwire_store::{DedupRule, DedupStrategy};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The key `rule` gives the request, if any (prefixed by its strategy, so keys of
/// different rules never meet).
pub fn key(rule: &DedupRule, headers: &HeaderMap, body: &[u8]) -> Option<String> {
    match rule.strategy {
        DedupStrategy::PayloadHash => Some(format!("sha256:{}", hex::encode(Sha256::digest(body)))),
        DedupStrategy::HeaderField => {
            let name = rule.field.as_deref()?;
            let value = headers.get(name)?.to_str().ok()?;
            Some(format!("header:{value}"))
        }
        DedupStrategy::BodyField => {
            let path = rule.field.as_deref()?;
            let value: Value = serde_json::from_slice(body).ok()?;
            let found = path.split('.').try_fold(&value, |at, step| match at {
                Value::Array(items) => items.get(step.parse::<usize>().ok()?),
                other => other.get(step),
            })?;
            let text = match found {
                Value::String(s) => s.clone(),
                Value::Null => return None,
                other => other.to_string(),
            };
            Some(format!("body:{text}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn rule(strategy: DedupStrategy, field: Option<&str>) -> DedupRule {
        DedupRule {
            strategy,
            field: field.map(str::to_owned),
        }
    }

    #[test]
    fn each_strategy_finds_its_key_or_none() {
        let body = br#"{"data":{"id":"ord_1","items":[{"sku":"a"}]},"n":3}"#;
        let mut headers = HeaderMap::new();
        headers.insert("x-delivery", HeaderValue::from_static("d-1"));
        let hash = key(&rule(DedupStrategy::PayloadHash, None), &headers, body).expect("key");
        assert!(hash.starts_with("sha256:") && hash.len() == 7 + 64);
        assert_eq!(
            key(
                &rule(DedupStrategy::HeaderField, Some("X-Delivery")),
                &headers,
                body
            )
            .as_deref(),
            Some("header:d-1")
        );
        assert_eq!(
            key(
                &rule(DedupStrategy::BodyField, Some("data.id")),
                &headers,
                body
            )
            .as_deref(),
            Some("body:ord_1")
        );
        assert_eq!(
            key(
                &rule(DedupStrategy::BodyField, Some("data.items.0.sku")),
                &headers,
                body
            )
            .as_deref(),
            Some("body:a")
        );
        assert_eq!(
            key(&rule(DedupStrategy::BodyField, Some("n")), &headers, body).as_deref(),
            Some("body:3")
        );
        assert_eq!(
            key(
                &rule(DedupStrategy::BodyField, Some("missing")),
                &headers,
                body
            ),
            None
        );
        assert_eq!(
            key(
                &rule(DedupStrategy::HeaderField, Some("x-other")),
                &headers,
                body
            ),
            None
        );
    }
}
