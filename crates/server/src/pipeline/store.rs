//! Storing pipeline messages: drop the duplicates of a message id already stored inside
//! the source's window, give each message the user its anonymous id is linked to, attach
//! the marks that commit with it (its message id; for an identify, its link), then the
//! shared ingest steps. Resolves after the commit.
//!
//! Two requests carrying the same new message id at the same moment may both be stored:
//! the check happens before the append, not inside it.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use clickwire_model::signal::{Message, MessageType};
use clickwire_store::{IdentityLink, MarkQuery, Marks};

use super::key::Caller;
use crate::{
    error::ApiError,
    ingest::{store_marked, Arrival},
    state::AppState,
};

/// What became of one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    Accepted,
    /// Its message id was already stored inside the window: answered, not stored again.
    Duplicate,
}

impl Stored {
    pub fn as_str(self) -> &'static str {
        match self {
            Stored::Accepted => "accepted",
            Stored::Duplicate => "duplicate",
        }
    }
}

/// Stores `messages` (in order) for `caller`; one [`Stored`] per message.
pub async fn store_messages(
    state: &AppState,
    caller: &Caller,
    messages: Vec<Message>,
    ip_hash: String,
    received_at: i64,
) -> Result<Vec<Stored>, ApiError> {
    let tenant: Arc<str> = caller.key.tenant.as_str().into();
    let source: Arc<str> = caller.source.source.id.as_str().into();
    let window_start = received_at.saturating_sub(caller.source.source.dedup_window_ms);
    let recall = &state.recall;

    // What this process remembers, and what must be asked of the store.
    let mut duplicate = vec![false; messages.len()];
    let mut in_request = HashSet::new();
    let mut ask = MarkQuery {
        tenant: tenant.to_string(),
        source: source.to_string(),
        seen_since: window_start,
        ..MarkQuery::default()
    };
    for (i, message) in messages.iter().enumerate() {
        if let Some(id) = &message.message_id {
            let remembered = recall
                .seen_at(&tenant, &source, id)
                .is_some_and(|(at, _)| at >= window_start);
            if remembered || !in_request.insert(id.as_str()) {
                duplicate[i] = true;
            } else {
                ask.message_ids.push(id.clone());
            }
        }
        if let (Some(anonymous), None) = (&message.anonymous_id, &message.user_id) {
            if recall.link(&tenant, anonymous).is_none() {
                ask.anonymous_ids.push(anonymous.clone());
            }
        }
    }
    if !ask.message_ids.is_empty() || !ask.anonymous_ids.is_empty() {
        let asked = ask.anonymous_ids.clone();
        let found = state.marks.lookup_marks(ask).await?;
        for (i, message) in messages.iter().enumerate() {
            if message
                .message_id
                .as_ref()
                .is_some_and(|id| found.seen.contains_key(id))
            {
                duplicate[i] = true;
            }
        }
        for anonymous in asked {
            let user = found.links.get(&anonymous).cloned();
            recall.remember_lookup(&tenant, anonymous, user);
        }
    }

    // Links: those known before this request, then the identifies of this request, in order.
    let mut linked_here: HashMap<String, String> = HashMap::new();
    let mut events = Vec::with_capacity(messages.len());
    let mut committed_links = Vec::new();
    let mut committed_ids = Vec::new();
    for (mut message, duplicate) in messages.into_iter().zip(&duplicate) {
        if *duplicate {
            continue;
        }
        let link = link_of(&message);
        if let Some(anonymous) = message
            .anonymous_id
            .clone()
            .filter(|_| message.user_id.is_none())
        {
            let user = linked_here
                .get(&anonymous)
                .map(|u| Arc::from(u.as_str()))
                .or_else(|| recall.link(&tenant, &anonymous).flatten());
            if let Some(user) = user {
                message.link_user(&user);
            }
        }
        if let Some(link) = &link {
            linked_here.insert(link.anonymous_id.clone(), link.user_id.clone());
            committed_links.push(link.clone());
        }
        if let Some(id) = &message.message_id {
            committed_ids.push((events.len(), id.clone()));
        }
        let marks = Marks {
            message_id: message.message_id.clone(),
            link,
        };
        let marks = (marks != Marks::default()).then(|| Box::new(marks));
        events.push((message.event, marks));
    }
    metrics::counter!("clickwire_pipeline_duplicates_total")
        .increment(duplicate.iter().filter(|d| **d).count() as u64);
    if !events.is_empty() {
        let arrival = Arrival {
            ip_hash,
            received_at,
            method: "POST",
        };
        let outcome = store_marked(state, &caller.key, events, arrival).await?;
        for (at, id) in committed_ids {
            if let Some(event_id) = outcome.ids.get(at) {
                recall.remember_seen(&tenant, &source, id, received_at, event_id);
            }
        }
        for link in committed_links {
            recall.remember_link(&tenant, link.anonymous_id, &link.user_id);
        }
    }
    Ok(duplicate
        .into_iter()
        .map(|d| {
            if d {
                Stored::Duplicate
            } else {
                Stored::Accepted
            }
        })
        .collect())
}

/// The link an identify that names both ids makes.
fn link_of(message: &Message) -> Option<IdentityLink> {
    match (&message.kind, &message.anonymous_id, &message.user_id) {
        (MessageType::Identify, Some(anonymous), Some(user)) => Some(IdentityLink {
            anonymous_id: anonymous.clone(),
            user_id: user.clone(),
        }),
        _ => None,
    }
}
