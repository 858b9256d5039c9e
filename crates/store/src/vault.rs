//! Personal data at rest, as the store sees it: the `sealed` column of a stored event (the
//! ciphertexts of its personal fields; the store never sees a plaintext) and the audit log
//! of every reveal, behind the [`Vault`] trait.

use serde::Serialize;

use crate::StoreFuture;

/// The one action the audit log records today.
pub const REVEAL: &str = "reveal";

/// A reveal about to be recorded.
#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    /// Ms since the epoch.
    pub at: i64,
    pub tenant: String,
    /// The id (never the key) of the key that asked.
    pub key_id: String,
    pub action: &'static str,
    pub event_id: String,
    /// The field path, e.g. `rawEmail` or `files[0].text_excerpt`.
    pub field: String,
}

/// One recorded entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// Increasing: later entries have larger ids.
    pub id: i64,
    pub at: i64,
    pub tenant: String,
    pub key_id: String,
    pub action: String,
    pub event_id: String,
    pub field: String,
}

/// A page of one tenant's audit log, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub tenant: String,
    /// Only entries with a smaller id (the cursor of the previous page).
    pub before: Option<i64>,
    pub limit: usize,
}

/// One page of entries, newest first.
#[derive(Debug, Clone)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// The id to continue before, when older entries match.
    pub next_before: Option<i64>,
}

/// Sealed fields and the audit log of their reveals.
pub trait Vault: Send + Sync {
    /// The `sealed` column of `tenant`'s event `event_id`: `None` when the tenant has no
    /// such event, `Some(None)` when the event has no sealed field.
    fn sealed(&self, tenant: &str, event_id: &str) -> StoreFuture<'_, Option<Option<String>>>;
    /// Records `entry` durably before resolving.
    fn record(&self, entry: NewAuditEntry) -> StoreFuture<'_, AuditEntry>;
    /// Reads a page of a tenant's audit log.
    fn audit(&self, query: AuditQuery) -> StoreFuture<'_, AuditPage>;
}
