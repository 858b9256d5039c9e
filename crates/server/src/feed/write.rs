//! Feed Write: network- and custom-tier subscribers may send
//! `{"type":"event","event":{…}}` on the socket. The event is validated, rate limited,
//! labelled and stored exactly like one `POST /v1/events` event with the same key, and
//! acknowledged with its id only after the durable append.

use std::sync::Arc;

use bytes::Bytes;
use clickwire_model::{parse_events, ValidateContext};
use clickwire_store::{AuthKey, KeyKind, Tier};
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::sync::watch;

use super::control;
use crate::{
    auth::require_kind,
    error::ApiError,
    ingest::{now_ms, store_events, Arrival},
    state::AppState,
};

/// The kinds of key that may send events (as for `POST /v1/events`).
const WRITE_KINDS: &[KeyKind] = &[KeyKind::Website, KeyKind::Mobile, KeyKind::Server];

/// What a subscriber's key may do with inbound event frames.
#[derive(Clone)]
pub enum Writes {
    /// Refused: below the network tier (or SSE, which has no inbound frames).
    Denied,
    /// Stored with this key.
    Allowed(Arc<Ingest>),
}

impl Writes {
    /// The write permission of `key`; `revoked` turns `true` when the key stops working.
    pub fn for_key(
        state: &AppState,
        key: Arc<AuthKey>,
        ip_hash: String,
        revoked: watch::Receiver<bool>,
    ) -> Self {
        if matches!(key.tier, Tier::Network | Tier::Custom) {
            Writes::Allowed(Arc::new(Ingest {
                state: state.clone(),
                key,
                ip_hash,
                revoked,
            }))
        } else {
            Writes::Denied
        }
    }
}

/// Everything a write needs: the app, the subscriber's key and its hashed address.
pub struct Ingest {
    state: AppState,
    key: Arc<AuthKey>,
    ip_hash: String,
    /// Once `true`, nothing more is written with this key.
    revoked: watch::Receiver<bool>,
}

/// An inbound frame: `type` and, for `event`, the event.
#[derive(Deserialize)]
pub struct InboundFrame<'a> {
    #[serde(rename = "type")]
    pub kind: Option<&'a str>,
    #[serde(borrow)]
    pub event: Option<&'a RawValue>,
}

impl Ingest {
    /// Stores one event; the ack or error frame to answer with.
    pub async fn write(self: Arc<Self>, event: Option<Box<RawValue>>) -> Bytes {
        match self.store(event).await {
            Ok(id) => control::ack(id.as_deref()),
            Err(err) => control::error(&err),
        }
    }

    async fn store(&self, event: Option<Box<RawValue>>) -> Result<Option<String>, ApiError> {
        if *self.revoked.borrow() {
            return Err(ApiError::KeyRevoked);
        }
        require_kind(&self.key, WRITE_KINDS, "send events")?;
        let event = event.ok_or_else(|| invalid_event("event", "is required"))?;
        if !event.get().trim_start().starts_with('{') {
            return Err(invalid_event("event", "must be one event object"));
        }
        let received_at = now_ms();
        let events = parse_events(
            event.get().as_bytes(),
            ValidateContext {
                now_ms: received_at,
            },
        )?;
        if events.len() != 1 {
            return Err(invalid_event("event", "must be one event, not a batch"));
        }
        self.state
            .limits
            .check(&self.key, events.len())
            .map_err(ApiError::RateLimited)?;
        let arrival = Arrival {
            ip_hash: self.ip_hash.clone(),
            received_at,
            method: "WEBSOCKET",
        };
        let outcome = store_events(&self.state, &self.key, events, arrival).await?;
        Ok(outcome.ids.into_iter().next())
    }
}

fn invalid_event(path: &str, message: &str) -> ApiError {
    ApiError::Validation(vec![clickwire_model::FieldError {
        path: path.to_owned(),
        message: message.to_owned(),
    }])
}
