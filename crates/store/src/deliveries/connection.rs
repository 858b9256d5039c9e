//! Connections: which events of a tenant go to which destination. A connection names a
//! source (or `*`: every event of the tenant, ClickStream events without a source
//! included) and a destination, and carries filter rules that must all match the event as
//! it is delivered.

use clickwire_model::rules::Rule;
use serde::Serialize;

/// The source id of a connection that takes every event of its tenant.
pub const ANY_SOURCE: &str = "*";

/// A connection as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Connection {
    /// `con_` + a time-ordered id.
    pub id: String,
    pub tenant: String,
    pub name: String,
    /// A source id, or [`ANY_SOURCE`].
    pub source_id: String,
    pub destination_id: String,
    pub rules: Vec<Rule>,
    pub enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Connection {
    /// Whether the connection takes events that came through `source`.
    pub fn takes_source(&self, source: Option<&str>) -> bool {
        self.source_id == ANY_SOURCE || source == Some(self.source_id.as_str())
    }
}

/// What creating a connection takes.
#[derive(Debug, Clone)]
pub struct NewConnection {
    pub tenant: String,
    pub name: String,
    pub source_id: String,
    pub destination_id: String,
    pub rules: Vec<Rule>,
    pub enabled: bool,
}
