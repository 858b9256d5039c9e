//! Destinations, connections, attempts and issues as the API (and the dashboard stream)
//! shows them: times in RFC 3339, a destination's auth without its secret parts, and its
//! signing secret only in the answer that created it.

use std::collections::BTreeMap;

use clickwire_model::{rules::Rule, signal::format_iso};
use clickwire_store::deliveries::{
    Attempt, AttemptStatus, Backoff, BreakerSettings, Connection, Destination, DestinationAuth,
    Issue, IssueStatus,
};
use serde::Serialize;
use utoipa::ToSchema;

fn iso(ms: Option<i64>) -> Option<String> {
    ms.map(format_iso)
}

/// A destination as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DestinationView {
    id: String,
    name: String,
    url: String,
    method: String,
    headers: BTreeMap<String, String>,
    timeout: f64,
    auth: AuthView,
    retry_max_attempts: u32,
    retry_backoff_type: Backoff,
    retry_intervals: Vec<f64>,
    circuit_breaker: BreakerSettings,
    max_concurrency: u32,
    enabled: bool,
    disabled_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signing_secret: Option<String>,
    created_at: String,
    updated_at: String,
}

/// The auth kind and its public part.
#[derive(Debug, Serialize, ToSchema)]
struct AuthView {
    /// `none`, `bearer` or `basic` (the secret is never shown).
    r#type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<String>,
}

impl DestinationView {
    /// The view, with the signing secret when `with_secret`.
    pub fn new(destination: Destination, with_secret: bool) -> Self {
        let settings = destination.settings;
        let auth = match settings.auth {
            DestinationAuth::None => AuthView {
                r#type: "none",
                username: None,
            },
            DestinationAuth::Bearer { .. } => AuthView {
                r#type: "bearer",
                username: None,
            },
            DestinationAuth::Basic { username, .. } => AuthView {
                r#type: "basic",
                username: Some(username),
            },
        };
        Self {
            id: destination.id,
            name: destination.name,
            url: settings.url,
            method: settings.method,
            headers: settings.headers,
            timeout: settings.timeout,
            auth,
            retry_max_attempts: settings.retry.max_attempts,
            retry_backoff_type: settings.retry.backoff,
            retry_intervals: settings.retry.intervals,
            circuit_breaker: settings.circuit_breaker,
            max_concurrency: settings.max_concurrency,
            enabled: destination.disabled_reason.is_none(),
            disabled_reason: destination.disabled_reason,
            signing_secret: with_secret.then_some(destination.signing_secret),
            created_at: format_iso(destination.created_at),
            updated_at: format_iso(destination.updated_at),
        }
    }
}

/// A connection as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionView {
    id: String,
    name: String,
    source_id: String,
    destination_id: String,
    rules: Vec<Rule>,
    enabled: bool,
    created_at: String,
    updated_at: String,
}

impl From<Connection> for ConnectionView {
    fn from(c: Connection) -> Self {
        Self {
            id: c.id,
            name: c.name,
            source_id: c.source_id,
            destination_id: c.destination_id,
            rules: c.rules,
            enabled: c.enabled,
            created_at: format_iso(c.created_at),
            updated_at: format_iso(c.updated_at),
        }
    }
}

/// An attempt as the API and the `deliveries` channels show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptView {
    id: String,
    delivery_id: String,
    event_id: String,
    destination_id: String,
    connection_id: String,
    attempt_number: u32,
    status: AttemptStatus,
    request_url: String,
    response_status: Option<u16>,
    response_body: Option<String>,
    duration_ms: Option<i64>,
    error_type: Option<String>,
    error: Option<String>,
    scheduled_at: String,
    next_retry_at: Option<String>,
    is_dlq: bool,
    dlq_at: Option<String>,
    created_at: String,
    completed_at: Option<String>,
}

impl From<Attempt> for AttemptView {
    fn from(a: Attempt) -> Self {
        Self {
            id: a.id,
            delivery_id: a.delivery_id,
            event_id: a.event_id,
            destination_id: a.destination_id,
            connection_id: a.connection_id,
            attempt_number: a.attempt_number,
            status: a.status,
            request_url: a.request_url,
            response_status: a.response_status,
            response_body: a.response_body,
            duration_ms: a.duration_ms,
            error_type: a.error_type,
            error: a.error,
            scheduled_at: format_iso(a.scheduled_at),
            next_retry_at: iso(a.next_retry_at),
            is_dlq: a.is_dlq,
            dlq_at: iso(a.dlq_at),
            created_at: format_iso(a.created_at),
            completed_at: iso(a.completed_at),
        }
    }
}

/// An issue as the API and the `issues` channel show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssueView {
    id: String,
    destination_id: String,
    error_type: String,
    status: IssueStatus,
    occurrences: u64,
    first_seen: String,
    last_seen: String,
    recent_attempts: Vec<String>,
    created_at: String,
    updated_at: String,
    resolved_at: Option<String>,
}

impl From<Issue> for IssueView {
    fn from(i: Issue) -> Self {
        Self {
            id: i.id,
            destination_id: i.destination_id,
            error_type: i.error_type,
            status: i.status,
            occurrences: i.occurrences,
            first_seen: format_iso(i.first_seen),
            last_seen: format_iso(i.last_seen),
            recent_attempts: i.recent_attempts,
            created_at: format_iso(i.created_at),
            updated_at: format_iso(i.updated_at),
            resolved_at: iso(i.resolved_at),
        }
    }
}
