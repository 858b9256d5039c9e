//! The bodies of `POST/PATCH /v1/destinations` and `/v1/connections` (shared with the
//! `clickwire destination` CLI), checked field by field: every bad field is reported, and
//! unknown fields are refused so a typo is not silently ignored.
//!
//! A destination body is `{"name","url","method","headers","timeout","auth",
//! "retry_max_attempts","retry_backoff_type","retry_intervals","circuit_breaker":
//! {"failure_threshold","cooldown"},"max_concurrency","enabled"}`; times are seconds and
//! may be fractions. A connection body is `{"name","source_id","destination_id","rules",
//! "enabled"}`.

use std::collections::BTreeMap;

use axum::http::{HeaderName, HeaderValue};
use clickwire_model::{rules::Rule, FieldError};
use clickwire_store::deliveries::{
    Backoff, BreakerSettings, DestinationAuth, DestinationSettings, RetryPolicy,
};
use serde::Deserialize;
use utoipa::ToSchema;

/// Methods a destination may be sent with.
const METHODS: [&str; 3] = ["POST", "PUT", "PATCH"];
/// Longest request timeout, seconds.
const MAX_TIMEOUT_S: f64 = 300.0;
/// Longest wait between attempts, seconds (a week).
const MAX_INTERVAL_S: f64 = 7.0 * 24.0 * 3600.0;
/// Default request timeout, seconds.
const DEFAULT_TIMEOUT_S: f64 = 30.0;
/// Default requests in flight per destination.
pub const DEFAULT_MAX_CONCURRENCY: u32 = 50;

/// The circuit-breaker part of a destination body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakerBody {
    pub failure_threshold: Option<u32>,
    pub cooldown: Option<f64>,
}

/// A destination body; `name` and `url` are required to create one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DestinationBody {
    pub name: Option<String>,
    pub url: Option<String>,
    pub method: Option<String>,
    pub headers: Option<BTreeMap<String, String>>,
    pub timeout: Option<f64>,
    pub auth: Option<DestinationAuth>,
    pub retry_max_attempts: Option<u32>,
    pub retry_backoff_type: Option<Backoff>,
    pub retry_intervals: Option<Vec<f64>>,
    pub circuit_breaker: Option<BreakerBody>,
    pub max_concurrency: Option<u32>,
    /// `true` re-enables a destination a 410 disabled; `false` disables it.
    pub enabled: Option<bool>,
}

/// The settings of a new destination: the defaults with `body` applied.
pub fn new_destination(
    body: &DestinationBody,
) -> Result<(String, DestinationSettings), Vec<FieldError>> {
    let mut errors = Vec::new();
    if body.name.is_none() {
        errors.push(field("name", "is required"));
    }
    if body.url.is_none() {
        errors.push(field("url", "is required"));
    }
    let defaults = DestinationSettings {
        url: String::new(),
        method: "POST".into(),
        headers: BTreeMap::new(),
        timeout: DEFAULT_TIMEOUT_S,
        auth: DestinationAuth::None,
        retry: RetryPolicy::default(),
        circuit_breaker: BreakerSettings::default(),
        max_concurrency: DEFAULT_MAX_CONCURRENCY,
    };
    match apply(body, defaults) {
        Ok((name, settings)) if errors.is_empty() => Ok((name.unwrap_or_default(), settings)),
        Ok(_) => Err(errors),
        Err(more) => {
            errors.extend(more);
            Err(errors)
        }
    }
}

/// `settings` with the fields `body` names changed, and the new name if it names one.
pub fn apply(
    body: &DestinationBody,
    mut settings: DestinationSettings,
) -> Result<(Option<String>, DestinationSettings), Vec<FieldError>> {
    let mut errors = Vec::new();
    if let Some(name) = &body.name {
        check_name(name, &mut errors);
    }
    if let Some(url) = &body.url {
        match url::Url::parse(url) {
            Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => {
                settings.url = url.clone();
            }
            _ => errors.push(field("url", "must be an absolute http or https URL")),
        }
    }
    if let Some(method) = &body.method {
        let method = method.to_ascii_uppercase();
        if METHODS.contains(&method.as_str()) {
            settings.method = method;
        } else {
            errors.push(field("method", "must be POST, PUT or PATCH"));
        }
    }
    if let Some(headers) = &body.headers {
        for (name, value) in headers {
            if HeaderName::try_from(name.as_str()).is_err()
                || HeaderValue::try_from(value.as_str()).is_err()
            {
                errors.push(field(&format!("headers.{name}"), "is not a valid header"));
            }
        }
        settings.headers.clone_from(headers);
    }
    if let Some(timeout) = body.timeout {
        if timeout > 0.0 && timeout <= MAX_TIMEOUT_S {
            settings.timeout = timeout;
        } else {
            errors.push(field(
                "timeout",
                "must be more than 0 and at most 300 seconds",
            ));
        }
    }
    if let Some(auth) = &body.auth {
        settings.auth = auth.clone();
    }
    if let Some(attempts) = body.retry_max_attempts {
        if (1..=10).contains(&attempts) {
            settings.retry.max_attempts = attempts;
        } else {
            errors.push(field("retry_max_attempts", "must be from 1 to 10"));
        }
    }
    if let Some(backoff) = body.retry_backoff_type {
        settings.retry.backoff = backoff;
    }
    if let Some(intervals) = &body.retry_intervals {
        if intervals.is_empty()
            || intervals
                .iter()
                .any(|s| !(*s > 0.0 && *s <= MAX_INTERVAL_S))
        {
            errors.push(field(
                "retry_intervals",
                "must be a non-empty list of seconds, each more than 0 and at most a week",
            ));
        } else {
            settings.retry.intervals.clone_from(intervals);
        }
    }
    if let Some(breaker) = &body.circuit_breaker {
        if let Some(threshold) = breaker.failure_threshold {
            if (1..=1000).contains(&threshold) {
                settings.circuit_breaker.failure_threshold = threshold;
            } else {
                errors.push(field(
                    "circuit_breaker.failure_threshold",
                    "must be from 1 to 1000",
                ));
            }
        }
        if let Some(cooldown) = breaker.cooldown {
            if cooldown > 0.0 && cooldown <= MAX_INTERVAL_S {
                settings.circuit_breaker.cooldown = cooldown;
            } else {
                errors.push(field(
                    "circuit_breaker.cooldown",
                    "must be more than 0 and at most a week, in seconds",
                ));
            }
        }
    }
    if let Some(concurrency) = body.max_concurrency {
        if (1..=1000).contains(&concurrency) {
            settings.max_concurrency = concurrency;
        } else {
            errors.push(field("max_concurrency", "must be from 1 to 1000"));
        }
    }
    if errors.is_empty() {
        Ok((body.name.clone(), settings))
    } else {
        Err(errors)
    }
}

/// A connection body; `source_id` and `destination_id` are required to create one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectionBody {
    pub name: Option<String>,
    pub source_id: Option<String>,
    pub destination_id: Option<String>,
    pub rules: Option<Vec<Rule>>,
    pub enabled: Option<bool>,
}

/// Checks the name and each rule of a connection body.
pub fn check_connection(body: &ConnectionBody, creating: bool) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if let Some(name) = &body.name {
        check_name(name, &mut errors);
    }
    if creating && body.source_id.is_none() {
        errors.push(field(
            "source_id",
            "is required: a source id, or \"*\" for every event",
        ));
    }
    if creating && body.destination_id.is_none() {
        errors.push(field("destination_id", "is required"));
    }
    for (at, rule) in body.rules.iter().flatten().enumerate() {
        if let Err(err) = rule.check() {
            errors.push(field(&format!("rules[{at}]"), &err.to_string()));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn check_name(name: &str, errors: &mut Vec<FieldError>) {
    if name.trim().is_empty() || name.chars().count() > 200 {
        errors.push(field("name", "must be 1 to 200 characters"));
    }
}

pub fn field(path: &str, message: &str) -> FieldError {
    FieldError {
        path: path.into(),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn body(value: serde_json::Value) -> DestinationBody {
        serde_json::from_value(value).expect("body")
    }

    #[test]
    fn a_destination_gets_the_contract_defaults() {
        let (name, settings) = new_destination(&body(
            json!({"name": "crm", "url": "https://crm.example.com/in"}),
        ))
        .expect("valid");
        assert_eq!(name, "crm");
        assert_eq!(settings.method, "POST");
        assert_eq!(settings.retry.max_attempts, 5);
        assert_eq!(
            settings.retry.intervals,
            [30.0, 300.0, 1800.0, 7200.0, 86400.0]
        );
        assert_eq!(settings.circuit_breaker.failure_threshold, 5);
        assert_eq!(settings.circuit_breaker.cooldown, 60.0);
    }

    #[test]
    fn every_bad_field_is_named() {
        let errors = new_destination(&body(json!({
            "url": "ftp://x", "method": "GET", "timeout": 0, "retry_max_attempts": 11,
            "retry_intervals": [], "circuit_breaker": {"failure_threshold": 0},
            "headers": {"bad header": "x"}, "max_concurrency": 0
        })))
        .expect_err("invalid");
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "name",
                "url",
                "method",
                "headers.bad header",
                "timeout",
                "retry_max_attempts",
                "retry_intervals",
                "circuit_breaker.failure_threshold",
                "max_concurrency"
            ]
        );
    }

    #[test]
    fn a_rule_that_cannot_be_evaluated_is_refused_with_its_index() {
        let body: ConnectionBody = serde_json::from_value(json!({
            "source_id": "*", "destination_id": "dst_1",
            "rules": [{"path": "scores.intent", "op": "gte", "value": 70},
                      {"path": "scores.intent", "op": "gt", "value": "high"}]
        }))
        .expect("body");
        let errors = check_connection(&body, true).expect_err("invalid");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].path, "rules[1]");
    }
}
