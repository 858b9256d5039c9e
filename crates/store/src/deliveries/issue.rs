//! Issues: failures grouped per destination and error type. A failure opens an issue, or
//! counts on the open (or acknowledged) one, or reopens a resolved one; an issue without a
//! new failure for the auto-resolve time resolves itself.

use std::{fmt, str::FromStr};

use serde::Serialize;

/// The most recent attempt ids an issue keeps.
pub const RECENT_ATTEMPTS: usize = 10;

/// Where an issue stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum IssueStatus {
    Open,
    Acknowledged,
    Resolved,
}

impl IssueStatus {
    pub const ALL: [IssueStatus; 3] = [
        IssueStatus::Open,
        IssueStatus::Acknowledged,
        IssueStatus::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IssueStatus::Open => "open",
            IssueStatus::Acknowledged => "acknowledged",
            IssueStatus::Resolved => "resolved",
        }
    }
}

impl fmt::Display for IssueStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for IssueStatus {
    type Err = crate::catalog::ParseNameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        crate::catalog::parse_named("issue status", s, &IssueStatus::ALL, Self::as_str)
    }
}

/// One issue as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    /// `iss_` + a time-ordered id.
    pub id: String,
    #[serde(skip)]
    pub tenant: String,
    pub destination_id: String,
    pub error_type: String,
    pub status: IssueStatus,
    pub occurrences: u64,
    pub first_seen: i64,
    pub last_seen: i64,
    /// The latest failed attempts, newest first (at most [`RECENT_ATTEMPTS`]).
    pub recent_attempts: Vec<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub resolved_at: Option<i64>,
}

/// A failure to count on its issue.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub tenant: String,
    pub destination_id: String,
    pub error_type: String,
    pub attempt_id: String,
    pub at: i64,
}

/// A read of issues, newest first.
#[derive(Debug, Clone, Default)]
pub struct IssueQuery {
    pub tenant: String,
    pub status: Option<IssueStatus>,
    pub destination_id: Option<String>,
    pub before_id: Option<String>,
    pub limit: usize,
}
