//! The rules of a source's settings, shared by the API and the CLI: a name, origins that
//! name hosts (never `*`: responses allow credentials), CIDR blocks, a rate limit and a
//! dedup window within bounds; for webhook sources a verification whose secret is usable
//! and a dedup rule that names its field.

use std::time::Duration;

use clickwire_model::FieldError;
use clickwire_store::{DedupRule, DedupStrategy, NewSource, SourceKind, Verification};
use serde::Deserialize;
use utoipa::ToSchema;

use super::cache::parse_cidr;

/// Requests per second of a source created without `rate_limit`.
pub const DEFAULT_RATE_LIMIT: u32 = 1_000;
const MAX_RATE_LIMIT: u32 = 10_000_000;
/// How long a `messageId` is remembered when the source does not say.
pub const DEFAULT_DEDUP_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);
const MAX_DEDUP_WINDOW: Duration =
    Duration::from_millis(clickwire_store::sources::MAX_DEDUP_WINDOW_MS as u64);
const MAX_NAME_CHARS: usize = 128;

/// What creating a source asks for (the body of `POST /v1/sources`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSource {
    pub name: String,
    pub kind: SourceKind,
    #[serde(default)]
    pub origins: Vec<String>,
    pub rate_limit: Option<u32>,
    #[serde(default)]
    pub ip_allow: Vec<String>,
    #[serde(default)]
    pub ip_deny: Vec<String>,
    pub verification: Option<Verification>,
    pub dedup: Option<DedupSettings>,
}

/// `dedup` of a source: how long a `messageId` (or webhook dedup key) is remembered, and
/// for a webhook source what the key is.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DedupSettings {
    pub strategy: Option<DedupStrategy>,
    pub field: Option<String>,
    pub window: Option<String>,
}

/// The source `request` describes for `tenant`, or every setting that is wrong.
pub fn new_source(tenant: String, request: CreateSource) -> Result<NewSource, Vec<FieldError>> {
    let mut errors = Vec::new();
    if request.kind == SourceKind::Test {
        errors.push(field(
            "kind",
            "test sessions are made with POST /v1/test/sessions",
        ));
    }
    check_name(&request.name, &mut errors);
    check_origins(&request.origins, &mut errors);
    check_cidrs("ip_allow", &request.ip_allow, &mut errors);
    check_cidrs("ip_deny", &request.ip_deny, &mut errors);
    let rate_limit = request.rate_limit.unwrap_or(DEFAULT_RATE_LIMIT);
    check_rate_limit(rate_limit, &mut errors);
    let dedup = request.dedup.unwrap_or_default();
    let window = match &dedup.window {
        Some(window) => dedup_window(window, &mut errors),
        None => Some(DEFAULT_DEDUP_WINDOW),
    };
    let dedup_rule = dedup_rule(&dedup, &mut errors);
    check_kind_settings(
        request.kind,
        &request.origins,
        request.verification.as_ref(),
        dedup_rule.as_ref(),
        &mut errors,
    );
    if let Some(verification) = &request.verification {
        check_verification(verification, &mut errors);
    }
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
        ip_deny: request.ip_deny,
        verification: request.verification,
        dedup_rule,
        dedup_window_ms: window.unwrap_or(DEFAULT_DEDUP_WINDOW).as_millis() as i64,
        expires_at: None,
        request_limit: None,
    })
}

/// What only one kind of source takes: browser origins are for pipeline sources;
/// signatures and dedup rules for webhook sources (pipeline messages dedup by `messageId`).
pub fn check_kind_settings(
    kind: SourceKind,
    origins: &[String],
    verification: Option<&Verification>,
    rule: Option<&DedupRule>,
    errors: &mut Vec<FieldError>,
) {
    match kind {
        SourceKind::Pipeline => {
            if verification.is_some() {
                errors.push(field("verification", "is for webhook sources"));
            }
            if rule.is_some() {
                errors.push(field(
                    "dedup.strategy",
                    "is for webhook sources; pipeline messages are deduplicated by messageId",
                ));
            }
        }
        SourceKind::Webhook | SourceKind::Test => {
            if !origins.is_empty() {
                errors.push(field("origins", "are for pipeline sources (browsers)"));
            }
        }
    }
}

/// The dedup rule `dedup` names, if any: `header_field` and `body_field` need `field`.
pub fn dedup_rule(dedup: &DedupSettings, errors: &mut Vec<FieldError>) -> Option<DedupRule> {
    let strategy = dedup.strategy?;
    let field_name = dedup.field.clone().filter(|f| !f.trim().is_empty());
    match (strategy, &field_name) {
        (DedupStrategy::PayloadHash, Some(_)) => {
            errors.push(field("dedup.field", "is not used by payload_hash"));
        }
        (DedupStrategy::HeaderField | DedupStrategy::BodyField, None) => {
            errors.push(field(
                "dedup.field",
                "is required by header_field and body_field",
            ));
        }
        _ => {}
    }
    Some(DedupRule {
        strategy,
        field: field_name,
    })
}

/// A verification whose header is a header name and whose secret can key it.
pub fn check_verification(verification: &Verification, errors: &mut Vec<FieldError>) {
    match verification {
        Verification::HmacSha256 { header, secret, .. } => {
            if axum::http::HeaderName::from_bytes(header.as_bytes()).is_err() {
                errors.push(field("verification.header", "must be a header name"));
            }
            if secret.is_empty() {
                errors.push(field("verification.secret", "must not be empty"));
            }
        }
        Verification::StandardWebhooks { secret } => {
            if standardwebhooks::Webhook::new(secret).is_err() {
                errors.push(field(
                    "verification.secret",
                    "must be a Standard Webhooks secret: whsec_ and base64",
                ));
            }
        }
    }
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

pub fn check_cidrs(name: &str, cidrs: &[String], errors: &mut Vec<FieldError>) {
    for (i, cidr) in cidrs.iter().enumerate() {
        if parse_cidr(cidr).is_none() {
            errors.push(field(
                &format!("{name}[{i}]"),
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
