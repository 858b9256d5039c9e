//! What a pipeline event leaves behind besides itself, committed in the same transaction
//! so that it exists exactly when the event does: the `messageId` it was sent with (a
//! repeat inside the source's window is a duplicate, also after a restart) and, for an
//! identify, the link from its anonymous id to its user id (later events of that anonymous
//! id carry the user id too). [`MarkQueries`] reads them back.

use std::collections::HashMap;

use crate::StoreFuture;

/// The marks of one event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    /// Remembered per (tenant, source) with the event's id and `received_at`: a pipeline
    /// `messageId`, or the dedup key of a webhook.
    pub message_id: Option<String>,
    /// Set for an identify that names both ids.
    pub link: Option<IdentityLink>,
}

/// An anonymous id and the user it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityLink {
    pub anonymous_id: String,
    pub user_id: String,
}

/// What one request needs to know before its events are stored.
#[derive(Debug, Clone, Default)]
pub struct MarkQuery {
    pub tenant: String,
    pub source: String,
    /// Message ids to look for among those seen at or after `seen_since` (ms).
    pub message_ids: Vec<String>,
    pub seen_since: i64,
    /// Anonymous ids whose linked user is wanted.
    pub anonymous_ids: Vec<String>,
}

/// The answer to a [`MarkQuery`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MarkLookup {
    /// The asked message ids already stored inside the window, each with the id of the
    /// event first stored with it.
    pub seen: HashMap<String, String>,
    /// Anonymous id → user id, for the asked ids that have a link.
    pub links: HashMap<String, String>,
}

/// Reads of the committed marks.
pub trait MarkQueries: Send + Sync {
    fn lookup_marks(&self, query: MarkQuery) -> StoreFuture<'_, MarkLookup>;
}
