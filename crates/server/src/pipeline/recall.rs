//! What the pipeline and webhook routes remember between requests so that most of them need no read
//! of the store: the message ids this process stored recently (a client's retry is
//! answered from here) and the user each anonymous id is linked to — or that it has none,
//! which is safe to remember because every link is written through this process and
//! updates this cache once committed. Both are bounded; an id that is not here is looked up
//! in the store ([`clickwire_store::MarkQueries`]), one read per request for all its misses.

use std::sync::Arc;

use quick_cache::sync::Cache;

/// Entries of each cache.
const CAPACITY: usize = 200_000;

/// (tenant, source, message id or dedup key).
type SeenKey = (Arc<str>, Arc<str>, String);

/// Recently stored message ids and known identity links.
pub struct Recall {
    /// (tenant, source, message id) → when it was received (ms) and the event stored with it.
    seen: Cache<SeenKey, (i64, Arc<str>)>,
    /// (tenant, anonymous id) → its user, or `None` when the store has none.
    links: Cache<(Arc<str>, String), Option<Arc<str>>>,
}

impl Default for Recall {
    fn default() -> Self {
        Self {
            seen: Cache::new(CAPACITY),
            links: Cache::new(CAPACITY),
        }
    }
}

impl Recall {
    /// When this process stored `message_id` of the source, and as which event, if it
    /// remembers.
    pub fn seen_at(
        &self,
        tenant: &Arc<str>,
        source: &Arc<str>,
        message_id: &str,
    ) -> Option<(i64, Arc<str>)> {
        self.seen.get(&(
            Arc::clone(tenant),
            Arc::clone(source),
            message_id.to_owned(),
        ))
    }

    pub fn remember_seen(
        &self,
        tenant: &Arc<str>,
        source: &Arc<str>,
        message_id: String,
        at: i64,
        event_id: &str,
    ) {
        self.seen.insert(
            (Arc::clone(tenant), Arc::clone(source), message_id),
            (at, event_id.into()),
        );
    }

    /// `Some(link)` when the link of `anonymous_id` is known (`link` is `None` when it has
    /// none); `None` when it must be looked up.
    pub fn link(&self, tenant: &Arc<str>, anonymous_id: &str) -> Option<Option<Arc<str>>> {
        self.links
            .get(&(Arc::clone(tenant), anonymous_id.to_owned()))
    }

    /// Records a committed identify's link.
    pub fn remember_link(&self, tenant: &Arc<str>, anonymous_id: String, user_id: &str) {
        self.links
            .insert((Arc::clone(tenant), anonymous_id), Some(user_id.into()));
    }

    /// Records what the store said of `anonymous_id`, unless a link committed meanwhile
    /// is already here (a read that began before that commit must not undo it).
    pub fn remember_lookup(&self, tenant: &Arc<str>, anonymous_id: String, user: Option<String>) {
        let key = (Arc::clone(tenant), anonymous_id);
        if let Some(user) = user {
            self.links.insert(key, Some(user.into()));
        } else if self.links.get(&key).is_none() {
            self.links.insert(key, None);
        }
    }
}
