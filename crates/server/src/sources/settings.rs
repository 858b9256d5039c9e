//! The rules of a source's settings, shared by the API and the CLI: a name, origins that
//! name hosts (never `*`: responses allow credentials), CIDR blocks, a rate limit and a
//! dedup window within bounds.

use std::time::Duration;

use clickwire_model::FieldError;
use clickwire_store::{NewSource, SourceKind};
use serde::Deserialize;

use super::cache::parse_cidr;

/// Requests per second of a source created without `rate_limit`.
pub const DEFAULT_RATE_LIMIT: u32 = 1_000;
const MAX_RATE_LIMIT: u32 = 10_000_000;
/// How long a `messageId` is remembered when the source does not say.
pub const DEFAULT_DEDUP_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);
const MAX_DEDUP_WINDOW: Duration = Duration::from_secs(30 * 24 * 60 * 60);
const MAX_NAME_CHARS: usize = 128;

/// What creating a source asks for (the body of `POST /v1/sources`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSource {
    pub name: String,
    pub kind: SourceKind,
    #[serde(default)]
    pub origins: Vec<String>,
    pub rate_limit: Option<u32>,
    #[serde(default)]
    pub ip_allow: Vec<String>,
    pub dedup: Option<DedupSettings>,
}

/// `dedup` of a source: how long a `messageId` is remembered.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DedupSettings {
    pub window: String,
}

/// The source `request` describes for `tenant`, or every setting that is wrong.
pub fn new_source(tenant: String, request: CreateSource) -> Result<NewSource, Vec<FieldError>> {
    let mut errors = Vec::new();
    if request.kind == SourceKind::Webhook {
        errors.push(field(
            "kind",
            "webhook sources are not available yet; use \"pipeline\"",
        ));
    }
    check_name(&request.name, &mut errors);
    check_origins(&request.origins, &mut errors);
    check_ip_allow(&request.ip_allow, &mut errors);
    let rate_limit = request.rate_limit.unwrap_or(DEFAULT_RATE_LIMIT);
    check_rate_limit(rate_limit, &mut errors);
    let window = match &request.dedup {
        Some(dedup) => dedup_window(&dedup.window, &mut errors),
        None => Some(DEFAULT_DEDUP_WINDOW),
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(NewSource {
        tenant,
        name: request.name,
        kind: request.kind,
        origins: request.origins,
        rate_limit,
        ip_allow: request.ip_allow,
        dedup_window_ms: window.unwrap_or(DEFAULT_DEDUP_WINDOW).as_millis() as i64,
    })
}

fn field(path: &str, message: &str) -> FieldError {
    FieldError {
        path: path.to_owned(),
        message: message.to_owned(),
    }
}

pub fn check_name(name: &str, errors: &mut Vec<FieldError>) {
    if name.trim().is_empty() || name.chars().count() > MAX_NAME_CHARS {
        errors.push(field("name", "must be 1 to 128 characters"));
    }
}

/// Origins are `https://host[:port]`, a bare host, or `*.host`; never `*` (responses
/// allow credentials, so every origin is named).
pub fn check_origins(origins: &[String], errors: &mut Vec<FieldError>) {
    for (i, origin) in origins.iter().enumerate() {
        let host = origin
            .split_once("://")
            .map_or(origin.as_str(), |(_, rest)| rest)
            .trim_start_matches("*.");
        let host = host.split(':').next().unwrap_or_default();
        let ok = origin != "*"
            && !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']'));
        if !ok {
            errors.push(field(
                &format!("origins[{i}]"),
                "must be an origin such as https://shop.example.com or *.example.com (not *)",
            ));
        }
    }
}

pub fn check_ip_allow(cidrs: &[String], errors: &mut Vec<FieldError>) {
    for (i, cidr) in cidrs.iter().enumerate() {
        if parse_cidr(cidr).is_none() {
            errors.push(field(
                &format!("ip_allow[{i}]"),
                "must be a CIDR block such as 10.0.0.0/8 or an IP address",
            ));
        }
    }
}

pub fn check_rate_limit(rate_limit: u32, errors: &mut Vec<FieldError>) {
    if !(1..=MAX_RATE_LIMIT).contains(&rate_limit) {
        errors.push(field(
            "rate_limit",
            "must be 1 to 10000000 requests per second",
        ));
    }
}

pub fn dedup_window(text: &str, errors: &mut Vec<FieldError>) -> Option<Duration> {
    match humantime::parse_duration(text) {
        Ok(window) if window >= Duration::from_secs(1) && window <= MAX_DEDUP_WINDOW => {
            Some(window)
        }
        _ => {
            errors.push(field(
                "dedup.window",
                "must be a duration from 1s to 30d, such as \"24h\"",
            ));
            None
        }
    }
}
