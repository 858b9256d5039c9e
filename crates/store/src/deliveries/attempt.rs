//! Delivery attempts. A delivery is one event on its way to one destination through one
//! connection; its id (`dlv_…`) is the `webhook-id` of every request it makes, so a
//! receiver can drop repeats. Each attempt is a row: made `pending` (by the router for the
//! first attempt, by the previous failure for a retry, by a manual retry), then finished
//! as `success` or `failed`. A pending attempt is the outbox: it survives a crash and is
//! sent after the restart; a finished one is never sent again.

use std::{fmt, str::FromStr};

use serde::Serialize;

/// Where an attempt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum AttemptStatus {
    Pending,
    Success,
    Failed,
}

impl AttemptStatus {
    pub const ALL: [AttemptStatus; 3] = [
        AttemptStatus::Pending,
        AttemptStatus::Success,
        AttemptStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttemptStatus::Pending => "pending",
            AttemptStatus::Success => "success",
            AttemptStatus::Failed => "failed",
        }
    }
}

impl fmt::Display for AttemptStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AttemptStatus {
    type Err = crate::catalog::ParseNameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        crate::catalog::parse_named("attempt status", s, &AttemptStatus::ALL, Self::as_str)
    }
}

/// One attempt as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attempt {
    /// `att_` + a time-ordered id.
    pub id: String,
    #[serde(skip)]
    pub tenant: String,
    pub delivery_id: String,
    pub event_id: String,
    #[serde(skip)]
    pub event_seq: i64,
    pub destination_id: String,
    pub connection_id: String,
    /// 1 for the first attempt of a delivery.
    pub attempt_number: u32,
    pub status: AttemptStatus,
    /// When a pending attempt is due (ms).
    pub scheduled_at: i64,
    pub request_url: String,
    pub response_status: Option<u16>,
    /// The response body, at most 4 KB.
    pub response_body: Option<String>,
    pub duration_ms: Option<i64>,
    /// `http_5xx`, `http_4xx`, `timeout`, `connection_refused`, `dns`, `tls`, … for a
    /// failure.
    pub error_type: Option<String>,
    pub error: Option<String>,
    /// When the retry of a failed attempt is due.
    pub next_retry_at: Option<i64>,
    /// The delivery's last failure, after which nothing more is tried.
    pub is_dlq: bool,
    pub dlq_at: Option<i64>,
    pub created_at: i64,
    pub completed_at: Option<i64>,
}

/// A pending attempt to make.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAttempt {
    pub tenant: String,
    pub delivery_id: String,
    pub event_id: String,
    pub event_seq: i64,
    pub destination_id: String,
    pub connection_id: String,
    pub attempt_number: u32,
    pub scheduled_at: i64,
    pub request_url: String,
}

/// How a sent attempt ended, to record.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    pub attempt_id: String,
    /// Where the request went (the destination's URL when it was sent).
    pub request_url: String,
    pub success: bool,
    pub response_status: Option<u16>,
    pub response_body: Option<String>,
    pub duration_ms: i64,
    pub error_type: Option<String>,
    pub error: Option<String>,
    pub completed_at: i64,
    /// The retry this failure schedules (made only if the attempt was still pending).
    pub retry: Option<NewAttempt>,
    /// This failure was the last attempt.
    pub dead_letter: bool,
}

/// A stored event with what a delivery sends of it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoutedEvent {
    pub seq: i64,
    pub id: String,
    pub tenant: String,
    pub source: Option<String>,
    pub received_at: i64,
    /// The event object, JSON.
    pub payload: String,
    /// The labels, JSON, for scored events.
    pub labels: Option<String>,
}

/// A pending attempt that is due, with its event (`None` once retention removed it).
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    pub attempt: Attempt,
    pub event: Option<RoutedEvent>,
}

/// A read of attempts, newest first; every field narrows it.
#[derive(Debug, Clone, Default)]
pub struct AttemptQuery {
    pub tenant: String,
    pub event_id: Option<String>,
    pub destination_id: Option<String>,
    pub status: Option<AttemptStatus>,
    /// Only attempts with a smaller id (the cursor).
    pub before_id: Option<String>,
    pub limit: usize,
}
